#!/usr/bin/env python3
"""Checks claimtag exports the way Python users read them (docs/python.md).

    pip install datasets spacy seqeval
    python scripts/check_export.py                      # the golden exports in tests/golden
    python scripts/check_export.py --bin target/debug/claimtag CORPUS
                                                        # export CORPUS in every format first

Asserts that every span's text is what the offsets select: in the JSONL loaded
with Hugging Face `datasets` (code points, UTF-16 and byte offsets), in spaCy
(`nlp.make_doc(text)` + `doc.char_span`), in doccano JSONL (UTF-16 slices, as
the browser counts), in CSV read by the
`csv` module, in brat standoff (.txt read with newline=""), and that the CoNLL
columns are valid IOB2 for seqeval and cover every span. Exits non-zero on the
first failure; prints counts otherwise.
"""

import argparse
import contextlib
import csv
import io
import os
import shutil
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import spacy
from datasets import load_dataset
from seqeval.metrics import f1_score
from seqeval.metrics.sequence_labeling import get_entities

LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def export_all(binary, corpus, out):
    """Runs the binary once per format into `out`, named like tests/golden."""
    runs = {
        "jsonl.jsonl": ["--format", "jsonl"],
        "jsonl-utf16.jsonl": ["--format", "jsonl", "--offsets", "utf16"],
        "jsonl-byte.jsonl": ["--format", "jsonl", "--offsets", "byte"],
        "doccano.jsonl": ["--format", "doccano"],
        "doccano-relations.jsonl": ["--format", "doccano", "--relations"],
        "csv.csv": ["--format", "csv"],
        "conll.conll": ["--format", "conll"],
        "brat": ["--format", "brat"],
    }
    for name, args in runs.items():
        cmd = [binary, "export", str(corpus), *args, "-o", str(out / name)]
        subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)


def check_jsonl(folder):
    """datasets + spaCy over the code point JSONL; UTF-16 and byte variants."""
    rows = load_dataset("json", data_files=str(folder / "jsonl.jsonl"), split="train")
    nlp = spacy.blank("en")
    spans = strict = expanded = 0
    by_doc = {}
    for row in rows:
        assert row["offsets"] == "codepoint", row["offsets"]
        text = row["text"]
        doc = nlp.make_doc(text)
        by_doc[row["source"]] = row
        ids = {s["id"] for s in row["spans"]}
        for s in row["spans"]:
            spans += 1
            assert text[s["start"]:s["end"]] == s["text"], (row["source"], s)
            span = doc.char_span(s["start"], s["end"], label=s["label"])
            if span is not None:
                strict += 1
                assert span.text == s["text"], (span.text, s)
            else:
                # Not on spaCy's token boundaries: expand to the tokens touched.
                span = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="expand")
                assert span is not None, s
                assert span.start_char <= s["start"] and span.end_char >= s["end"], s
                expanded += 1
        for r in row["relations"]:
            assert r["from"] in ids and r["to"] in ids, r
    for unit, name in [("utf16", "jsonl-utf16.jsonl"), ("byte", "jsonl-byte.jsonl")]:
        other = load_dataset("json", data_files=str(folder / name), split="train")
        for row in other:
            assert row["offsets"] == unit
            if unit == "utf16":
                raw, width, codec = row["text"].encode("utf-16-le"), 2, "utf-16-le"
            else:
                raw, width, codec = row["text"].encode("utf-8"), 1, "utf-8"
            for s in row["spans"]:
                got = raw[s["start"] * width:s["end"] * width].decode(codec)
                assert got == s["text"], (unit, row["source"], s, got)
    print(f"jsonl: {len(rows)} documents, {spans} spans; spaCy char_span strict {strict}, expand {expanded}")
    return by_doc


def utf16_slice(text, start, end):
    """JavaScript's text.slice(start, end): what doccano's browser shows."""
    return text.encode("utf-16-le")[2 * start:2 * end].decode("utf-16-le")


def check_doccano(folder, by_doc):
    n = 0
    raw = (folder / "doccano.jsonl").read_bytes()
    assert raw.isascii(), "doccano export must be ASCII (doccano guesses the encoding)"
    for line in raw.decode("ascii").split("\n")[:-1]:
        rec = json.loads(line)
        assert rec["offsets"] == "utf16", rec["offsets"]
        texts = [utf16_slice(rec["text"], start, end) for start, end, _ in rec["label"]]
        assert [l for _, _, l in rec["label"]] == [s["label"] for s in by_doc[rec["source"]]["spans"]]
        assert texts == [s["text"] for s in by_doc[rec["source"]]["spans"]], rec["source"]
        n += len(texts)
    for line in (folder / "doccano-relations.jsonl").read_text(encoding="utf-8").split("\n")[:-1]:
        rec = json.loads(line)
        ents = {e["id"]: e for e in rec["entities"]}
        texts = [utf16_slice(rec["text"], e["start_offset"], e["end_offset"]) for e in rec["entities"]]
        assert texts == [s["text"] for s in by_doc[rec["source"]]["spans"]], rec["source"]
        for r in rec["relations"]:
            assert r["from_id"] in ents and r["to_id"] in ents, r
    print(f"doccano: {n} labels match")


def check_csv(folder, by_doc):
    n = 0
    with open(folder / "csv.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    spans = sum(len(r["spans"]) for r in by_doc.values())
    assert len(rows) == spans, "one row per span; documents without spans left out"
    for row in rows:
        assert row["offsets"] == "codepoint", row
        text = by_doc[row["document"]]["text"]
        assert text[int(row["start"]):int(row["end"])] == row["text"], row
        n += 1
    print(f"csv: {len(rows)} rows, {n} spans match")


def check_brat(folder, by_doc):
    brat = folder / "brat"
    conf = (brat / "annotation.conf").read_text(encoding="utf-8")
    assert "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n" in conf
    n = 0
    for ann in sorted(brat.glob("*.ann")):
        with open(ann.with_suffix(".txt"), encoding="utf-8", newline="") as f:
            text = f.read()
        assert text in {row["text"] for row in by_doc.values()}, ann
        # brat reads the .ann with str.splitlines (codecs readlines).
        for line in ann.read_text(encoding="utf-8").splitlines():
            if not line.startswith("T"):
                continue
            _, type_offsets, field = line.split("\t", 2)
            frags = [tuple(map(int, f.split())) for f in type_offsets.split(" ", 1)[1].split(";")]
            pieces = [text[s:e] for s, e in frags]
            assert not any(c in LINE_BREAKS for p in pieces for c in p), (ann.name, line)
            assert " ".join(pieces) == field, (ann.name, line)
            n += 1
    print(f"brat: {n} text-bound annotations match their .txt")


def read_conll(path):
    """Documents -> sentences -> (token, [tag per column])."""
    docs, sent = [], []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            docs.append([])
            continue
        if not line:
            if sent:
                docs[-1].append(sent)
                sent = []
            continue
        token, *tags = line.split("\t")
        sent.append((token, tags))
    if sent:
        docs[-1].append(sent)
    return docs


def check_conll(folder, by_doc):
    docs = read_conll(folder / "conll.conll")
    rows = list(by_doc.values())  # export order, as in the CoNLL file
    assert len(docs) == len(rows), (len(docs), len(rows))
    # Which label each tag column holds, from the tags themselves.
    labels = {}
    for doc in docs:
        for sent in doc:
            for _, tags in sent:
                for col, tag in enumerate(tags):
                    if tag != "O":
                        assert tag[:2] in ("B-", "I-"), tag
                        assert labels.setdefault(col, tag[2:]) == tag[2:], (col, tag)
    column_of = {label: col for col, label in labels.items()}
    spans = 0
    for doc, row in zip(docs, rows):
        for col in labels:
            y = [[tags[col] for _, tags in sent] for sent in doc]
            for sent in y:  # strict IOB2: I-X only continues B-X / I-X
                for prev, tag in zip(["O"] + sent, sent):
                    assert not tag.startswith("I-") or prev[2:] == tag[2:], (row["source"], prev, tag)
            if any(t != "O" for sent in y for t in sent):
                assert f1_score(y, y) == 1.0  # seqeval reads the column
        for span in row["spans"]:
            col = column_of[span["label"]]
            # Tokens tagged for this label, in runs (a run may cross a
            # sentence break, where the span restarts with B-).
            runs, cur = [], ""
            for sent in doc:
                for token, tags in sent:
                    if tags[col] == "O":
                        runs.append(cur)
                        cur = ""
                    else:
                        cur += token
            runs.append(cur)
            want = re.sub(r"\s", "", span["text"])
            assert any(want in r for r in runs), (row["source"], span)
            spans += 1
        entities = sum(len(get_entities([[t[c] for _, t in sent] for sent in doc])) for c in labels)
        assert entities >= len(row["spans"]), (row["source"], entities)
    print(f"conll: {len(docs)} documents, tag columns {list(labels.values())}, {spans} spans inside their tagged tokens")


DOC_FILES = {
    "claims.jsonl": "jsonl.jsonl",
    "claims-utf16.jsonl": "jsonl-utf16.jsonl",
    "claims-doccano.jsonl": "doccano.jsonl",
    "claims.csv": "csv.csv",
    "claims.conll": "conll.conll",
    "brat": "brat",
}


def run_doc_snippets(folder):
    """Runs the ```python blocks of docs/python.md, in order, on these exports."""
    doc = Path(__file__).resolve().parent.parent / "docs" / "python.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert blocks, "no python snippets in docs/python.md"
    with tempfile.TemporaryDirectory() as tmp:
        for name, src in DOC_FILES.items():
            if (folder / src).is_dir():
                shutil.copytree(folder / src, Path(tmp) / name)
            else:
                shutil.copy(folder / src, Path(tmp) / name)
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            namespace = {}
            with contextlib.redirect_stdout(io.StringIO()):
                for block in blocks:
                    exec(compile(block, str(doc), "exec"), namespace)
        finally:
            os.chdir(cwd)
    print(f"docs/python.md: {len(blocks)} snippets ran")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", help="corpus folder to export first (needs --bin)")
    ap.add_argument("--bin", help="the claimtag binary")
    ap.add_argument("--exports", default=str(Path(__file__).resolve().parent.parent / "tests" / "golden"),
                    help="folder of exports named like tests/golden (default: tests/golden)")
    args = ap.parse_args()
    if args.corpus:
        if not args.bin:
            ap.error("exporting a corpus needs --bin")
        tmp = tempfile.TemporaryDirectory()
        folder = Path(tmp.name)
        export_all(args.bin, args.corpus, folder)
    else:
        folder = Path(args.exports)
    by_doc = check_jsonl(folder)
    check_doccano(folder, by_doc)
    check_csv(folder, by_doc)
    check_brat(folder, by_doc)
    check_conll(folder, by_doc)
    run_doc_snippets(folder)
    print("all checks passed")


if __name__ == "__main__":
    sys.exit(main())
