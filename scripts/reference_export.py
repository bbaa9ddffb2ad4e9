#!/usr/bin/env python3
"""Reference for the export benchmark: what `claimtag export --format jsonl
--annotator NAME PATH` does, in plain Python with PyYAML's libyaml loader.

Walks PATH for *.txt and *.md (hidden entries skipped), reads each source and
NAME's sidecar when there is one, drops orphaned spans, and prints one JSON
line per document with the same keys as claimtag's JSONL (code point offsets).

    python3 scripts/reference_export.py --annotator alice corpus/ > out.jsonl
"""

import argparse
import hashlib
import json
import os
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def sources(root):
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if f.startswith(".") or f.endswith(".ann.yaml"):
                continue
            if f.endswith(".txt") or f.endswith(".md"):
                yield os.path.join(folder, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--annotator", required=True)
    ap.add_argument("root")
    args = ap.parse_args()
    out = sys.stdout
    for path in sorted(sources(args.root)):
        raw = open(path, "rb").read()
        text = raw.decode("utf-8-sig")
        spans, relations = [], []
        side = f"{path}.{args.annotator}.ann.yaml"
        if os.path.exists(side):
            with open(side, encoding="utf-8") as f:
                data = yaml.load(f, Loader=Loader)
            anns = sorted(
                (a for a in data.get("annotations") or [] if not a.get("orphan")),
                key=lambda a: (a["start"], a["end"], a["label"], str(a["id"])),
            )
            ids = {str(a["id"]) for a in anns}
            for a in anns:
                spans.append({
                    "id": str(a["id"]), "start": a["start"], "end": a["end"],
                    "label": a["label"], "text": text[a["start"]:a["end"]],
                    "claimant": a.get("claimant"), "note": a.get("note"),
                })
                for link in sorted({(l["rel"], l["to"]) for l in a.get("links") or []}):
                    if link[1] in ids:
                        relations.append({"from": str(a["id"]), "to": link[1], "rel": link[0]})
        record = {
            "source": os.path.relpath(path, args.root).replace(os.sep, "/"),
            "text": text,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "annotator": args.annotator,
            "offsets": "codepoint",
            "spans": spans,
            "relations": relations,
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
