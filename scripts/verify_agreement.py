#!/usr/bin/env python3
"""Checks `claimtag agree --json` against scikit-learn and the `krippendorff`
package on the same units, and its unitizing alpha against an independent
implementation of Krippendorff's formula (docs/agreement.md).

    pip install scikit-learn krippendorff pyyaml numpy regex krippendorff-unitized-alpha
    python3 scripts/verify_agreement.py CORPUS [--annotators a,b,c] [--claimtag BIN]
    python3 scripts/verify_agreement.py CORPUS --make-fixture sample-data

`--make-fixture SRC` first fills CORPUS (which must not exist) with copies of the
articles in SRC, one extra article with a BOM, CRLF line endings, emoji, Dari
and non-breaking spaces, and sidecars of alice, bob and carol with partly
disagreeing spans (carol's sidecar of one article is made stale on purpose).

The script reads the sidecars itself (PyYAML, offsets as code points into
`open(p, encoding="utf-8-sig", newline="").read()`), builds the unit vectors,
computes kappa with sklearn.metrics.cohen_kappa_score, alpha with
krippendorff.alpha(level_of_measurement="nominal") and the span F1s from their
definitions, alpha_u from Krippendorff's 2004 formula (written out here with
exact fractions, every pair of segments compared directly) over grapheme
clusters (the `regex` module's \\X), and compares every number with claimtag's.
The PyPI package krippendorff-unitized-alpha implements the 2016 redefinition,
a different coefficient: its value is printed beside ours for information and
only what both must share is checked (1 for identical unitizings, defined
exactly when a unit exists). Exit 0 when all agree
to 3 decimals (the largest difference is printed), 1 otherwise.
CI does not run this; it is for people.
"""

import argparse
import hashlib
import itertools
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import warnings
from bisect import bisect_left, bisect_right
from fractions import Fraction

import krippendorff
import numpy as np
import regex
import yaml
from sklearn.metrics import cohen_kappa_score

SIDE = ".ann.yaml"
GOLD = "gold"
SCHEME_LABELS = ["claim", "denial", "evidence"]
# Unicode White_Space, exactly what Rust's char::is_whitespace tests. Python's
# str.isspace() differs (it includes U+001C..U+001F), so it is not used.
WHITE_SPACE = set(
    [chr(c) for c in range(0x09, 0x0E)]
    + ["\u0020", "\u0085", "\u00a0", "\u1680"]
    + [chr(c) for c in range(0x2000, 0x200B)]
    + ["\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
)
NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def read_text(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return f.read()


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def discover(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for f in filenames:
            if f.startswith(".") or f.endswith(SIDE):
                continue
            if f.endswith(".txt") or f.endswith(".md"):
                out.append(os.path.join(dirpath, f))
    return sorted(out)


def annotators_of(source):
    folder, name = os.path.split(source)
    found = []
    for f in os.listdir(folder or "."):
        if f.startswith(name + ".") and f.endswith(SIDE):
            who = f[len(name) + 1 : -len(SIDE)]
            if NAME.match(who):
                found.append(who)
    return sorted(found)


def unit_vector(text, spans):
    inside = [False] * len(text)
    for s, e in spans:
        for i in range(min(s, len(text)), min(e, len(text))):
            inside[i] = True
    return [int(inside[i]) for i, c in enumerate(text) if c not in WHITE_SPACE]


def overlaps(a, b):
    return max(a[0], b[0]) < min(a[1], b[1])


def load(corpus, wanted):
    sources = discover(corpus)
    names = {s: annotators_of(s) for s in sources}
    everyone = sorted({n for ns in names.values() for n in ns})
    annotators = wanted or [n for n in everyone if n != GOLD]
    docs = []
    for s in sources:
        if not all(a in names[s] for a in annotators):
            continue
        text = read_text(s)
        digest = sha256_of(s)
        sidecars = {}
        for a in annotators:
            with open(f"{s}.{a}{SIDE}", encoding="utf-8") as f:
                side = yaml.safe_load(f)
            if side["source"]["sha256"] != digest:
                break  # stale: excluded, as claimtag does
            sidecars[a] = [
                x for x in (side.get("annotations") or []) if not x.get("orphan", False)
            ]
        else:
            docs.append((s, text, sidecars))
    return annotators, docs


def kappa(a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = cohen_kappa_score(a, b)
    return None if v is None or math.isnan(v) else float(v)


def alpha(vectors):
    try:
        v = krippendorff.alpha(
            reliability_data=np.array(vectors), level_of_measurement="nominal"
        )
    except ValueError:  # only one value in the domain
        return None
    return None if math.isnan(v) else float(v)


# ---------------------------------------------------------------------------
# unitizing alpha (Krippendorff 1995; 2004, section 11.6)
# ---------------------------------------------------------------------------


def grapheme_starts(text):
    starts, cp = [], 0
    for m in regex.finditer(r"\X", text):
        starts.append(cp)
        cp += len(m.group())
    return starts


def unitize(starts, spans):
    """Code point spans -> one annotator's units in grapheme positions: widened
    to whole clusters, overlapping ones joined, touching ones kept apart."""
    n = len(starts)
    g = sorted(
        (max(bisect_right(starts, s) - 1, 0), bisect_left(starts, e))
        for s, e in spans
        if s < e  # an empty span marks nothing
    )
    out = []
    for s, e in g:
        e = min(e, n)
        if s >= e:
            continue
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [tuple(u) for u in out]


def segments(units, n):
    out, pos = [], 0
    for s, e in units:
        if s > pos:
            out.append((pos, s, False))
        out.append((s, e, True))
        pos = e
    if n > pos:
        out.append((pos, n, False))
    return out


def delta2(x, y):
    if x[2] and y[2] and x[0] < y[1] and y[0] < x[1]:
        return (x[0] - y[0]) ** 2 + (x[1] - y[1]) ** 2
    if x[2] and not y[2] and y[0] <= x[0] and x[1] <= y[1]:
        return (x[1] - x[0]) ** 2
    if not x[2] and y[2] and x[0] <= y[0] and y[1] <= x[1]:
        return (y[1] - y[0]) ** 2
    return 0


def alpha_u(docs_units, m):
    """docs_units: [(n, [units of annotator 1, ...])] per document."""
    length = sum(n for n, _ in docs_units)
    if m < 2 or length == 0:
        return None
    observed = 0
    lengths, gaps = [], []
    for n, coders in docs_units:
        segs = [segments(u, n) for u in coders]
        for sg in segs:
            for s, e, unit in sg:
                (lengths if unit else gaps).append(e - s)
        for i, j in itertools.combinations(range(m), 2):
            observed += sum(delta2(x, y) for x in segs[i] for y in segs[j])
    if not lengths:
        return None
    big_n = len(lengths)
    e_sum = 0
    for l in lengths:
        e_sum += Fraction((big_n - 1) * (2 * l**3 - 3 * l**2 + l), 3)
        e_sum += l * l * sum(g - l + 1 for g in gaps if g >= l)
    d_o = Fraction(2 * observed, m * (m - 1) * length * length)
    d_e = Fraction(2, length) * e_sum / (m * length * (m * length - 1) - sum(l * (l - 1) for l in lengths))
    if d_e == 0:
        return None
    return float(1 - d_o / d_e)


def alpha_u_pypi(docs_units, annotators):
    """The 2016 coincidence-based coefficient of krippendorff-unitized-alpha,
    over the articles laid end to end (None when it is not installed or
    undefined)."""
    try:
        from krippendorff_unitized_alpha.krippendorffs_unitized_alpha import (
            EMPTY_TAG,
            KrippendorffUnitizedAlpha,
            Segment,
        )
    except ImportError:
        return "not installed"
    data = {a: [] for a in annotators}
    offset = 0
    for n, coders in docs_units:
        for a, units in zip(annotators, coders):
            for s, e, unit in segments(units, n):
                data[a].append(Segment("u" if unit else EMPTY_TAG, offset + s, offset + e))
        offset += n
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = KrippendorffUnitizedAlpha(data).result
    except (ValueError, ZeroDivisionError, IndexError):
        return None
    return None if v is None or math.isnan(v) else float(v)


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def scheme_labels(corpus):
    """Labels of the first claimtag.yaml found walking up, else the default."""
    d = os.path.abspath(corpus)
    while True:
        f = os.path.join(d, "claimtag.yaml")
        if os.path.isfile(f):
            with open(f, encoding="utf-8") as fh:
                return [l["name"] for l in yaml.safe_load(fh)["labels"]]
        if os.path.dirname(d) == d:
            return list(SCHEME_LABELS)
        d = os.path.dirname(d)


def expected(annotators, docs, scheme):
    labels = list(scheme)
    used = sorted(
        {x["label"] for _, _, sc in docs for anns in sc.values() for x in anns}
        - set(scheme)
    )
    labels += used
    result = {}
    for label in labels:
        vectors = {a: [] for a in annotators}
        spans = {a: [] for a in annotators}  # per document
        docs_units = []
        for _, text, sc in docs:
            starts = grapheme_starts(text)
            docs_units.append(
                (
                    len(starts),
                    [
                        unitize(
                            starts,
                            [
                                (min(x["start"], len(text)), min(x["end"], len(text)))
                                for x in sc[a]
                                if x["label"] == label
                            ],
                        )
                        for a in annotators
                    ],
                )
            )
            for a in annotators:
                rs = [
                    (min(x["start"], len(text)), min(x["end"], len(text)))
                    for x in sc[a]
                    if x["label"] == label
                ]
                vectors[a].extend(unit_vector(text, rs))
                spans[a].append(rs)
        pairs = list(itertools.combinations(annotators, 2))
        kappas, exacts, overlap_f1s = [], [], []
        for a, b in pairs:
            kappas.append(kappa(vectors[a], vectors[b]))
            na = sum(len(d) for d in spans[a])
            nb = sum(len(d) for d in spans[b])
            matches = 0
            a_hit = b_hit = 0
            for da, db in zip(spans[a], spans[b]):
                pool = list(db)
                for r in da:
                    if r in pool:
                        pool.remove(r)
                        matches += 1
                a_hit += sum(1 for r in da if any(overlaps(r, q) for q in db))
                b_hit += sum(1 for q in db if any(overlaps(q, r) for r in da))
            exacts.append(2 * matches / (na + nb) if na + nb else None)
            if na + nb == 0:
                overlap_f1s.append(None)
            elif na == 0 or nb == 0:
                overlap_f1s.append(0.0)
            else:
                p, r = b_hit / nb, a_hit / na
                overlap_f1s.append(2 * p * r / (p + r) if p + r else 0.0)
        result[label] = {
            "kappa": mean(kappas),
            "alpha_coding": alpha([vectors[a] for a in annotators]),
            "alpha_u": alpha_u(docs_units, len(annotators)),
            "alpha_u_pypi_2016": alpha_u_pypi(docs_units, annotators),
            "identical_units": all(
                coders[0] == c for _, coders in docs_units for c in coders
            ),
            "f1_exact": mean(exacts),
            "f1_overlap": mean(overlap_f1s),
            "units": len(vectors[annotators[0]]),
            "spans": {a: sum(len(d) for d in spans[a]) for a in annotators},
        }
    return result


# ---------------------------------------------------------------------------
# fixture
# ---------------------------------------------------------------------------

UNICODE_ARTICLE = (
    "\ufeffKabul\u00a0Update 🇦🇫\r\n\r\n"
    "The ministry said the border crossing reopened on Monday. "
    "Officials denied that any fighters crossed 👨‍👩‍👧 with the convoy.\r\n"
    "طالبان گفتند که مرز باز است. "
    "Witnesses reported long queues of trucks at Torkham.\r\n"
    "A spokesman claimed\u3000that trade had doubled since spring.\r\n"
)


def sentences(text):
    out = []
    for m in re.finditer(r"[^\r\n.!?]+[.!?]?", text):
        s, e = m.span()
        while s < e and text[s] in WHITE_SPACE | {"\ufeff"}:
            s += 1
        while e > s and text[e - 1] in WHITE_SPACE:
            e -= 1
        if e - s >= 12:
            out.append((s, e))
    return out


def shift(text, s, e, rng):
    """Moves one boundary to a neighbouring word boundary."""
    if rng.random() < 0.5:
        nxt = text.find(" ", s + 1, e)
        return (nxt + 1, e) if nxt > 0 and nxt + 1 < e else (s, e)
    prv = text.rfind(" ", s, e - 1)
    return (s, prv) if prv > s else (s, e)


def write_sidecar(source, who, spans, stale=False):
    text = read_text(source)
    digest = "0" * 64 if stale else sha256_of(source)
    anns = []
    for i, (label, s, e) in enumerate(sorted(spans, key=lambda x: (x[1], x[2], x[0]))):
        anns.append(
            {
                "id": f"a{i + 1}",
                "label": label,
                "start": s,
                "end": e,
                "text": text[s:e],
                "prefix": text[max(0, s - 32) : s],
                "suffix": text[e : e + 32],
                "created": "2026-11-24T10:30:00Z",
            }
        )
    doc = {
        "format": "claimtag/1",
        "source": {"file": os.path.basename(source), "sha256": digest, "chars": len(text)},
        "annotator": who,
        "updated": "2026-11-24T10:31:05Z",
        "annotations": anns,
    }
    with open(f"{source}.{who}{SIDE}", "w", encoding="utf-8", newline="") as f:
        yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=True, width=10**9)


def make_fixture(src, corpus):
    os.makedirs(corpus)
    for f in sorted(os.listdir(src)):
        if f.endswith(".txt") and not f.endswith(SIDE):
            shutil.copy(os.path.join(src, f), os.path.join(corpus, f))
    with open(os.path.join(corpus, "005_unicode.txt"), "w", encoding="utf-8", newline="") as f:
        f.write(UNICODE_ARTICLE)
    rng = random.Random(4)
    for i, source in enumerate(discover(corpus)):
        text = read_text(source)
        sents = sentences(text)
        alice = []
        for s, e in sents:
            if rng.random() < 0.5:
                alice.append((rng.choice(["claim", "claim", "denial", "evidence"]), s, e))

        def variant(base, p_same, extra_label):
            out = []
            for label, s, e in base:
                r = rng.random()
                if r < p_same:
                    out.append((label, s, e))
                elif r < p_same + 0.12:
                    out.append((rng.choice(SCHEME_LABELS), s, e))
                elif r < p_same + 0.27:
                    out.append((label, *shift(text, s, e, rng)))
                # else: dropped
            for s, e in sents:
                if rng.random() < 0.08:
                    out.append((rng.choice(SCHEME_LABELS + [extra_label]), s, e))
            return out

        write_sidecar(source, "alice", alice)
        bob = variant(alice, 0.6, "quote")
        if i == 0 and sents:
            bob.append(("quote", *sents[0]))  # a label outside the scheme
        write_sidecar(source, "bob", bob)
        if i < 4:
            write_sidecar(source, "carol", variant(alice, 0.5, "evidence"), stale=(i == 3))


# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--annotators", default="")
    ap.add_argument("--claimtag", default=os.path.join("target", "debug", "claimtag"))
    ap.add_argument("--make-fixture", metavar="SRC")
    args = ap.parse_args()
    if args.make_fixture:
        make_fixture(args.make_fixture, args.corpus)
    wanted = [a for a in args.annotators.split(",") if a]
    cmd = [args.claimtag, "agree", args.corpus, "--json"]
    if wanted:
        cmd += ["--annotators", ",".join(wanted)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        print(f"claimtag failed ({run.returncode}):\n{run.stderr}", file=sys.stderr)
        return 1
    got = json.loads(run.stdout)
    annotators, docs = load(args.corpus, wanted)
    want = expected(annotators, docs, scheme_labels(args.corpus))

    failures = []
    if got["annotators"] != annotators:
        failures.append(f"annotators: claimtag {got['annotators']} python {annotators}")
    if got["documents"] != len(docs):
        failures.append(f"documents: claimtag {got['documents']} python {len(docs)}")
    kind = "cohen" if len(annotators) == 2 else "mean_pairwise_cohen"
    if got.get("kappa_kind") != kind:
        failures.append(f"kappa_kind: claimtag {got.get('kappa_kind')} python {kind}")
    worst = 0.0
    print(f"{len(docs)} documents, annotators {', '.join(annotators)}, kappa: {kind}")
    print(f"{'label':<9} {'measure':<10} {'claimtag':>10} {'python':>10}")
    for label, w in want.items():
        g = got["labels"].get(label)
        if g is None:
            failures.append(f"{label}: missing from claimtag's output")
            continue
        for key in ["kappa", "alpha_coding", "alpha_u", "f1_exact", "f1_overlap"]:
            a, b = g[key], w[key]
            shown = lambda v: "null" if v is None else f"{v:.6f}"
            print(f"{label:<9} {key:<10} {shown(a):>10} {shown(b):>10}")
            if (a is None) != (b is None):
                failures.append(f"{label}.{key}: claimtag {a} python {b}")
            elif a is not None:
                worst = max(worst, abs(a - b))
                if round(a, 3) != round(b, 3) and abs(a - b) > 1e-9:
                    failures.append(f"{label}.{key}: claimtag {a} python {b}")
        pypi = w["alpha_u_pypi_2016"]
        print(f"{label:<9} {'u (2016)':<10} {'':>10} {pypi if isinstance(pypi, str) or pypi is None else f'{pypi:.6f}':>10}  krippendorff-unitized-alpha, another coefficient")
        if not isinstance(pypi, str):
            if (pypi is None) != (g["alpha_u"] is None):
                failures.append(f"{label}.alpha_u: defined {g['alpha_u']} but 2016 {pypi}")
            if w["identical_units"] and g["alpha_u"] is not None and (g["alpha_u"] != 1.0 or abs(pypi - 1.0) > 1e-9):
                failures.append(f"{label}.alpha_u: identical units give {g['alpha_u']} / 2016 {pypi}, not 1")
        for key in ["units", "spans"]:
            if g[key] != w[key]:
                failures.append(f"{label}.{key}: claimtag {g[key]} python {w[key]}")
    extra = set(got["labels"]) - set(want)
    if extra:
        failures.append(f"labels only claimtag reports: {sorted(extra)}")
    print(f"largest difference: {worst:.2e}")
    for f in failures:
        print(f"MISMATCH {f}", file=sys.stderr)
    print(
        "OK: claimtag agrees with scikit-learn, krippendorff and Krippendorff's unitizing formula"
        if not failures
        else "FAILED"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
