#!/usr/bin/env python3
"""Reads claimtag exports with the consuming tools' own reading rules, and
round-trips them through those tools back into claimtag (issue 11).

    pip install pandas seqeval "chardet==4.0.0"     # chardet: doccano's pinned version
    python scripts/check_consumers.py --bin target/debug/claimtag

Builds an awkward corpus (BOM, CRLF, emoji with ZWJ, flags, U+2028, U+0085,
form feed, nested and crossing spans of one label), imports its spans with
`claimtag import --from jsonl`, exports every format and reads each back as
its consumer does:

- doccano (backend/data_import/pipeline/parsers.py, label.py): the file's
  encoding guessed with chardet.detect on its bytes ("Auto"), lines of a
  text-mode file, `line.rstrip()`, `json.loads`; a span needs
  start_offset < end_offset and a non-empty label; offsets are JavaScript
  string indices (UTF-16 units). Round trip: what doccano writes on export
  (`to_json(orient="records", lines=True, force_ascii=False)`, no `offsets`
  key) imported with `claimtag import --from doccano`. (A doccano project
  must allow overlapping spans to keep nested ones: Spans.clean drops them
  otherwise.)
- brat (server/src/annotation.py, verify_annotations.py): the .txt decoded as
  UTF-8 with no newline translation, the .ann split by `str.splitlines`,
  `ID<TAB>TYPE START END[;START END]*<TAB>TEXT`, the text field compared with
  the fragments' texts joined by a space; nested or crossing spans need an
  `<OVERLAP>` line in annotation.conf. Round trip: the .ann lines as brat
  writes them, imported with `claimtag import --from brat`.
- jsonl and csv in every unit (csv with pandas: start/end must be integers),
  conll with seqeval (one entity per span, --nested-columns).

Prints spans checked and mismatches per format and unit; exits 1 on any
mismatch (doccano with --offsets codepoint is shown for comparison only: it is
what doccano would misread).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import chardet
import pandas as pd
from seqeval.metrics.sequence_labeling import get_entities

BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
BREAK_RE = re.compile("[" + re.escape(BREAKS) + "]+")

DOCS = {
    "bom.txt": "\ufeffThe ministry 🇦🇫 said the border is open.\r\nOfficials denied it.\r\n",
    "emoji.txt": "Family 👨\u200d👩\u200d👧 news: 😀 Saleh wrote it.\u2028Next line\x85after NEL\x0cform feed.\n",
    "flags.txt": "🇦🇫🇺🇳 Talks in Doha 🇶🇦 ended.\nThe envoy said talks would resume.\n",
    "crlf.txt": "First claim here.\r\nSecond, crossing\r\nlines here.\r\n",
}
# (document, quote, nth occurrence, label): nested and crossing claims too.
SPANS = [
    ("bom.txt", "the border is open", 0, "claim"),
    ("bom.txt", "The ministry 🇦🇫 said the border is open", 0, "claim"),
    ("bom.txt", "open.\r\nOfficials denied", 0, "denial"),
    ("bom.txt", "Officials denied it", 0, "denial"),
    ("emoji.txt", "👨\u200d👩\u200d👧 news", 0, "evidence"),
    ("emoji.txt", "Saleh wrote it.\u2028Next line\x85after", 0, "claim"),
    ("emoji.txt", "wrote it", 0, "claim"),
    ("emoji.txt", "after NEL\x0cform", 0, "evidence"),
    ("flags.txt", "🇦🇫🇺🇳 Talks", 0, "claim"),
    ("flags.txt", "Talks in Doha 🇶🇦", 0, "claim"),
    ("flags.txt", "ended.\nThe envoy", 0, "denial"),
    ("crlf.txt", "claim here.\r\nSecond", 0, "claim"),
    ("crlf.txt", "Second, crossing\r\nlines", 0, "claim"),
    ("crlf.txt", "here.\r\n", 0, "evidence"),
]


def run(binary, *args, check=True):
    p = subprocess.run([binary, *args], capture_output=True, text=True,
                       env={**os.environ, "CLAIMTAG_CONFIG": os.devnull})
    if check and p.returncode != 0:
        sys.exit(f"{' '.join(args)}: exit {p.returncode}\n{p.stderr}")
    return p


def build_corpus(binary, root):
    """Sources and a `gold` annotator, spans given in code points."""
    truth = []
    with open(root / "in.jsonl", "w", encoding="utf-8") as f:
        for name, text in DOCS.items():
            (root / "corpus").mkdir(exist_ok=True)
            (root / "corpus" / name).write_bytes(text.encode("utf-8"))
            decoded = text.lstrip("\ufeff")
            spans = []
            for i, (doc, quote, nth, label) in enumerate(SPANS):
                if doc != name:
                    continue
                start = -1
                for _ in range(nth + 1):
                    start = decoded.index(quote, start + 1)
                spans.append({"id": f"a{i + 1}", "start": start, "end": start + len(quote),
                              "label": label, "text": quote})
                truth.append((name, start, start + len(quote), label, quote))
            f.write(json.dumps({"source": name, "offsets": "codepoint", "spans": spans}) + "\n")
    run(binary, "import", "--from", "jsonl", str(root / "in.jsonl"),
        "--corpus", str(root / "corpus"), "--annotator", "gold")
    return sorted(truth)


def fresh_corpus(root, name):
    d = root / name
    d.mkdir()
    for doc, text in DOCS.items():
        (d / doc).write_bytes(text.encode("utf-8"))
    return d


def spans_of(binary, corpus):
    """(document, start, end, label, text) of every `imp` span, via JSONL."""
    p = run(binary, "export", str(corpus), "--annotator", "imp", "--format", "jsonl")
    out = []
    for line in p.stdout.splitlines():
        r = json.loads(line)
        out += [(r["source"], s["start"], s["end"], s["label"], s["text"]) for s in r["spans"]]
    return sorted(out)


def trimmed(span):
    """The span brat can hold: line breaks at its ends left out."""
    doc, start, end, label, text = span
    lead = len(text) - len(text.lstrip(BREAKS))
    core = text.strip(BREAKS)
    return (doc, start + lead, start + lead + len(core), label, core)


def utf16_slice(text, start, end):
    units = text.encode("utf-16-le")
    return units[2 * start:2 * end].decode("utf-16-le", errors="replace")


# ---- doccano --------------------------------------------------------------

def doccano_read(path):
    """Records as doccano's JSONLParser and SpanLabel read them."""
    raw = path.read_bytes()
    encoding = chardet.detect(raw).get("encoding") or "utf-8"   # DEFAULT_ENCODING = "Auto"
    rows = []
    with open(path, encoding=encoding) as f:
        for line in f:
            rows.append(json.loads(line.rstrip()))
    return encoding, rows


def check_doccano(binary, root, truth, unit):
    out = root / f"doccano-{unit}.jsonl"
    run(binary, "export", str(root / "corpus"), "--annotator", "gold", "--format", "doccano",
        "--offsets", unit, "-o", str(out))
    encoding, rows = doccano_read(out)
    # The same records written as UTF-8 (as before issue 11): what "Auto" makes of them.
    utf8 = root / f"doccano-{unit}-utf8.jsonl"
    utf8.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    try:
        utf8_encoding, utf8_rows = doccano_read(utf8)
        shifted = sum(a["text"] != b["text"] for a, b in zip(rows, utf8_rows))
        print(f"  (the same records in UTF-8 are read as {utf8_encoding}: "
              f"{shifted} of {len(rows)} texts altered)")
    except UnicodeDecodeError as e:
        guess = chardet.detect(utf8.read_bytes()).get("encoding")
        print(f"  (the same records in UTF-8 are guessed as {guess} and fail to decode: {e.reason})")
    want = {(d, s, e, l): t for d, s, e, l, t in truth}
    checked = bad = 0
    for r in rows:
        for start, end, label in r["label"]:
            checked += 1
            # What the browser shows: JavaScript's text.slice(start, end).
            ok = start < end and label and utf16_slice(r["text"], start, end) == \
                want_text(want, r["source"], label, r["text"], start, end, unit)
            bad += not ok
    # Round trip: doccano's own export (no `offsets` key) back into claimtag.
    back = root / f"doccano-{unit}-back.jsonl"
    with open(back, "w", encoding="utf-8") as f:
        for i, r in enumerate(rows):
            f.write(json.dumps({"id": i + 1, "text": r["text"], "label": r["label"], "Comments": []},
                               ensure_ascii=False) + "\n")
    fresh = fresh_corpus(root, f"fresh-doccano-{unit}")
    p = run(binary, "import", "--from", "doccano", str(back), "--corpus", str(fresh),
            "--annotator", "imp", check=False)
    got = spans_of(binary, fresh) if p.returncode == 0 else []
    lost = len(set(truth) ^ set(got))
    return encoding, checked, bad, lost


def want_text(want, doc, label, text, start, end, unit):
    """The truth text of the span exported at (start, end) in `unit`."""
    for (d, s, e, l), t in want.items():
        if d == doc and l == label and convert(text, s, unit) == start and convert(text, e, unit) == end:
            return t
    return "\x00missing"


def convert(text, cp, unit):
    prefix = text[:cp]
    return {"codepoint": len(prefix), "utf16": len(prefix.encode("utf-16-le")) // 2,
            "byte": len(prefix.encode("utf-8"))}[unit]


# ---- brat -----------------------------------------------------------------

def brat_read(folder):
    """Text-bound annotations as brat's TextAnnotations reads them; errors as
    brat and verify_annotations report them."""
    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    overlap_any = re.search(r"^<OVERLAP>\s+Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>$", conf, re.M)
    anns, errors, overlaps = [], [], 0
    for ann in sorted(folder.glob("*.ann")):
        with open(ann.with_suffix(".txt"), "rb") as f:     # codecs.open: no newline translation
            doc_text = f.read().decode("utf-8")
        with open(ann, "rb") as f:
            lines = f.read().decode("utf-8").splitlines(keepends=True)
        bounds = []
        for n, line in enumerate(lines, 1):
            ident, tail = line.split("\t", 1)
            if not ident.startswith("T"):
                continue
            data, data_tail = (tail.split("\t", 1) + [""])[:2]
            data_tail = "\t" + data_tail if "\t" in tail else ""
            typ, rest = data.split(" ", 1)
            spans = [tuple(int(x) for x in s.split(" ", 1)) for s in rest.split(";")]
            spanlen = sum(e - s for s, e in spans) + (len(spans) - 1)
            text = data_tail[1:spanlen + 1]
            ref = " ".join(doc_text[s:e] for s, e in spans)
            if text != ref:
                errors.append(f"{ann.name}:{n}: text {text!r} does not match marked span(s) {ref!r}")
            anns.append((ann.stem, spans, typ, ref))
            bounds.append((spans[0][0], spans[-1][1], typ, ident))
        # verify_entity_overlap: nested, crossing or equal spans are errors
        # unless annotation.conf allows them.
        for i, a in enumerate(bounds):
            for b in bounds[i + 1:]:
                if a[0] < b[1] and b[0] < a[1]:
                    overlaps += 1
                    if not overlap_any:
                        errors.append(f"{ann.name}: {a[3]} and {b[3]} overlap without <OVERLAP>")
    return anns, errors, overlaps


def check_brat(binary, root, truth):
    out = root / "brat"
    run(binary, "export", str(root / "corpus"), "--annotator", "gold", "--format", "brat", "-o", str(out))
    anns, errors, overlaps = brat_read(out)
    expected = {}
    for d, s, e, l, t in truth:
        pieces = [p for p in BREAK_RE.split(t) if p]
        expected.setdefault((d.removesuffix(".txt"), l, " ".join(pieces)), 0)
        expected[(d.removesuffix(".txt"), l, " ".join(pieces))] += 1
    bad = len(errors)
    for stem, spans, typ, ref in anns:
        key = (stem, typ, ref)
        if expected.get(key, 0) > 0:
            expected[key] -= 1
        else:
            bad += 1
    bad += sum(expected.values())
    # Round trip: the lines as brat writes them back, imported by claimtag.
    fresh = fresh_corpus(root, "fresh-brat")
    p = run(binary, "import", "--from", "brat", str(out), "--corpus", str(fresh), "--annotator", "imp",
            check=False)
    got = spans_of(binary, fresh) if p.returncode == 0 else []
    lost = len(set(map(trimmed, truth)) ^ set(got))
    return len(anns), bad, lost, errors, overlaps


# ---- jsonl, csv, conll ------------------------------------------------------

def check_jsonl(binary, root, truth, unit):
    p = run(binary, "export", str(root / "corpus"), "--annotator", "gold", "--format", "jsonl",
            "--offsets", unit)
    checked = bad = 0
    got = []
    for line in p.stdout.splitlines():
        r = json.loads(line)
        enc = {"codepoint": None, "utf16": "utf-16-le", "byte": "utf-8"}[unit]
        for s in r["spans"]:
            checked += 1
            if enc is None:
                sl = r["text"][s["start"]:s["end"]]
            else:
                w = 2 if unit == "utf16" else 1
                sl = r["text"].encode(enc)[w * s["start"]:w * s["end"]].decode(enc)
            bad += sl != s["text"]
            got.append((r["source"], s["label"], sl))
    bad += len({(d, l, t) for d, _, _, l, t in truth} ^ set(got))
    return checked, bad


def check_csv(binary, root, truth, unit):
    out = root / f"csv-{unit}.csv"
    run(binary, "export", str(root / "corpus"), "--annotator", "gold", "--format", "csv",
        "--offsets", unit, "-o", str(out))
    # pandas reads the file itself: CRLF inside quoted cells stays as it is.
    df = pd.read_csv(out, keep_default_na=False, dtype={"text": str, "note": str, "claimant": str})
    bad = int(str(df["start"].dtype) != "int64") + int(str(df["end"].dtype) != "int64")
    texts = {d: t.lstrip("\ufeff") for d, t in DOCS.items()}
    for row in df.itertuples():
        bad += row.offsets != unit
        full = texts[row.document]
        if unit == "codepoint":
            sl = full[row.start:row.end]
        elif unit == "utf16":
            sl = utf16_slice(full, row.start, row.end)
        else:
            sl = full.encode("utf-8")[row.start:row.end].decode("utf-8")
        bad += sl != row.text
    return len(df), bad


def check_conll(binary, root, truth):
    refused = run(binary, "export", str(root / "corpus"), "--annotator", "gold", "--format", "conll",
                  check=False)
    p = run(binary, "export", str(root / "corpus"), "--annotator", "gold", "--format", "conll",
            "--nested-columns")
    header = None
    columns = []
    for block in p.stdout.split("\n\n"):
        rows = [r.split("\t") for r in block.splitlines() if r]
        if not rows or rows[0][0] == "-DOCSTART-":
            continue
        if header is None:
            header = len(rows[0]) - 1
            columns = [[] for _ in range(header)]
        for c in range(header):
            columns[c].append([r[c + 1] for r in rows])
    entities = sum(len(get_entities(col)) for col in columns)
    # A span over a sentence break starts again in the next sentence.
    return refused.returncode, entities


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/debug/claimtag")
    args = ap.parse_args()
    binary = str(Path(args.bin).resolve())
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        truth = build_corpus(binary, root)
        print(f"corpus: {len(DOCS)} documents, {len(truth)} spans (chardet {chardet.__version__})")
        for unit in ["utf16", "codepoint"]:
            encoding, checked, bad, lost = check_doccano(binary, root, truth, unit)
            info = "" if unit == "utf16" else "  (for comparison: doccano counts UTF-16)"
            print(f"doccano {unit:9} read as {encoding}: {checked} spans checked, {bad} mismatches; "
                  f"round trip through doccano's export: {lost} lost or shifted{info}")
            failed |= unit == "utf16" and (bad or lost)
        checked, bad, lost, errors, overlaps = check_brat(binary, root, truth)
        print(f"brat    codepoint: {checked} spans checked, {bad} mismatches or reader errors; "
              f"round trip: {lost} lost or shifted (line breaks at span ends trimmed); "
              f"{overlaps} overlapping pairs accepted through <OVERLAP>")
        for e in errors:
            print("  " + e)
        failed |= bool(bad or lost)
        for unit in ["codepoint", "utf16", "byte"]:
            checked, bad = check_jsonl(binary, root, truth, unit)
            print(f"jsonl   {unit:9}: {checked} spans checked, {bad} mismatches")
            failed |= bool(bad)
            checked, bad = check_csv(binary, root, truth, unit)
            print(f"csv     {unit:9}: {checked} rows checked (pandas, start/end int64), {bad} mismatches")
            failed |= bool(bad)
        code, entities = check_conll(binary, root, truth)
        print(f"conll: without --nested-columns exit {code} (same-label overlaps refused); "
              f"with it seqeval finds {entities} entities for {len(truth)} spans")
        failed |= code != 2
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
