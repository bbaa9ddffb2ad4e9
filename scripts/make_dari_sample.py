#!/usr/bin/env python3
"""Make alice's and bob's sidecars of the Dari/English sample article with claimtag itself.

The spans are planned here by their quoted text (found in the article in code
points, as Python counts them); claimtag's own `import --from jsonl` writes
the sidecars (sha256, chars, prefix, suffix, ids, links). Each sidecar is then
read back with PyYAML and checked: `text == source[start:end]`.

    python3 scripts/make_dari_sample.py [path/to/claimtag]   # default target/debug/claimtag
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "sample-data"
ARTICLE = "005_f6a3cc4c7210b0a0.txt"

MUJAHID = "ذبیح‌الله مجاهد"
BALOCH = "Mumtaz Zahra Baloch"

# (key, label, quote, occurrence, claimant, note, links [(rel, key)])
PLAN = {
    "alice": [
        ("c1", "claim", "رهبری داعش خراسان به بلوچستان پاکستان منتقل شده است", 0, MUJAHID, None, []),
        ("c2", "claim", "فرماندهان این گروه در کویته زندگی می‌کنند", 0, MUJAHID, None, []),
        ("e1", "evidence", "دست‌کم ۳۵ تن از اعضای این گروه در ماه گذشته بازداشت شده‌اند", 0, MUJAHID,
         "arrest figure from the Taliban only", [("supports", "c1")]),
        ("d1", "denial", "هیچ گروه تروریستی در خاک پاکستان پناهگاه ندارد", 0, BALOCH, None, [("denies", "c1")]),
        ("e2", "evidence", "شمار جنگجویان داعش خراسان را میان 4,000 تا 6,000 تن تخمین زده است", 0, None,
         "UN monitoring team, January 2024", []),
        ("d2", "denial", 'the claim "cannot be verified independently"', 0, "Michael Kugelman", None, [("denies", "c1")]),
    ],
    "bob": [
        ("c1", "claim", "رهبری داعش خراسان به بلوچستان پاکستان منتقل شده است", 0, MUJAHID, None, []),
        ("c2", "claim", "ما شواهد روشن داریم که فرماندهان این گروه در کویته زندگی می‌کنند.", 0, MUJAHID, None, []),
        ("d1", "denial", "هیچ گروه تروریستی در خاک پاکستان پناهگاه ندارد", 0, BALOCH, None, [("denies", "c1")]),
        ("d2", "denial", "این اتهام‌ها «بی‌اساس» است", 0, BALOCH, None, [("denies", "c1")]),
        ("e1", "evidence", "دست‌کم ۳۵ تن از اعضای این گروه در ماه گذشته بازداشت شده‌اند", 0, None, None, [("supports", "c1")]),
        ("c3", "claim", "the group's leaders \"have long moved between both countries\"", 0, "Michael Kugelman", None, []),
    ],
}


def find(text, quote, occurrence):
    at = -1
    for _ in range(occurrence + 1):
        at = text.find(quote, at + 1)
        if at < 0:
            sys.exit(f"{ARTICLE}: quote not found: {quote!r}")
    return at


def main():
    binary = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target" / "debug" / "claimtag"
    source = DATA / ARTICLE
    raw = source.read_bytes()
    text = open(source, encoding="utf-8-sig", newline="").read()
    for who, spans in PLAN.items():
        record = {
            "source": ARTICLE,
            "text": text,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "annotator": who,
            "offsets": "codepoint",
            "spans": [],
            "relations": [],
        }
        for key, label, quote, occ, claimant, note, links in spans:
            start = find(text, quote, occ)
            record["spans"].append({
                "id": key, "start": start, "end": start + len(quote), "label": label,
                "text": quote, "claimant": claimant, "note": note,
            })
            for rel, to in links:
                record["relations"].append({"from": key, "to": to, "rel": rel})
        with tempfile.TemporaryDirectory() as tmp:
            jsonl = Path(tmp) / f"{who}.jsonl"
            jsonl.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
            env = dict(os.environ, CLAIMTAG_CONFIG=str(Path(tmp) / "none.yaml"))
            Path(env["CLAIMTAG_CONFIG"]).write_text("{}\n")
            subprocess.run(
                [str(binary), "import", "--from", "jsonl", str(jsonl), "--annotator", who,
                 "--corpus", str(DATA), "--force"],
                check=True, env=env,
            )
        side = DATA / f"{ARTICLE}.{who}.ann.yaml"
        doc = yaml.safe_load(side.read_text(encoding="utf-8"))
        assert doc["source"]["sha256"] == hashlib.sha256(raw).hexdigest()
        assert doc["source"]["chars"] == len(text)
        assert len(doc["annotations"]) == len(spans), side
        for a in doc["annotations"]:
            assert text[a["start"]:a["end"]] == a["text"], a
            assert text[max(0, a["start"] - 32):a["start"]].endswith(a.get("prefix", "")), a
        print(f"{side.name}: {len(spans)} annotations verified")


if __name__ == "__main__":
    main()
