#!/usr/bin/env python3
"""Make the sample annotations of sample-data/ by driving the real claimtag TUI.

Two analysts, alice and bob, annotate the five articles the way a person would:
search a phrase (`/`), start a selection (`v`), search the end of the span and
walk onto its last character (`l`), or select the whole sentence (`s`), tag it
(`c`/`d`/`e`), then open the editor (Enter) to fill a claimant, a note and
links. Nothing is written to the sidecars except by the tool itself.

Every step waits for the screen to show its effect (cursor position in the
status bar, the tag message, the editor popup) instead of sleeping blindly.
After each annotator's run every sidecar is parsed with PyYAML and checked:
`text == source[start:end]`, and the spans, labels, claimants and links are
the planned ones.

Re-runnable: the alice and bob sidecars are deleted first.

    python3 scripts/make_samples.py            # builds nothing; needs target/release/claimtag
    python3 scripts/make_samples.py --verify   # only check the existing sidecars
    python3 scripts/make_samples.py --screens  # only write docs/screens.md from the sidecars
"""

import argparse
import os
import re
import sys
import time
from pathlib import Path

import yaml

# A private tmux server: other people's `tmux kill-server` must not end our session.
os.environ["TMUX_TMPDIR"] = os.environ.get("MAKE_SAMPLES_TMUX_DIR", f"/tmp/make_samples_tmux.{os.getuid()}")
os.makedirs(os.environ["TMUX_TMPDIR"], exist_ok=True)
os.environ.pop("TMUX", None)
sys.path.insert(0, "/work/shared/tools")
from tmuxdrive import Tui  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "sample-data"
BINARY = ROOT / "target" / "release" / "claimtag"
# Wide enough that the status bar and a message both fit on the last line.
WIDTH, HEIGHT = 160, 40

ART = [
    "000_7b58e148c564b8d5.txt",
    "001_61df674886ad32dc.txt",
    "002_2d7fb5fae1a788c8.txt",
    "003_20b7060dfb18cd1a.txt",
    "004_31cdd8444292bb20.txt",
]


def span(key, label, text, how="phrase", claimant=None, note=None, links=()):
    """One planned annotation.

    key: a name for links inside the plan; text: the exact span, unique in the
    article; how: "phrase" (v + search/l), "sentence" (s on it) or "keys"
    (v + l only, for short spans); links: (relation, key of the target).
    """
    return dict(key=key, label=label, text=text, how=how, claimant=claimant, note=note,
                links=list(links))


SALEH, JEFFERY = "Amrullah Saleh", "Faran Jeffery"
MUJAHID, ATMAR = "Zabihullah Mujahid", "Mohammad Hanif Atmar"
KHALID, INTERIOR = "Mohammad Qasim Khalid", "Taliban Interior Ministry"

PLAN = {
    "alice": {
        ART[0]: [
            span("isis_scheme", "claim",
                 'the Islamic State of Iraq and Syria-Khorasan (ISIS-K) is part of its "scheme to rent its '
                 'airspace" to the US-led Over The Horizon (OTH) operations in Afghanistan',
                 claimant=SALEH),
            span("families", "claim",
                 "Families of key IS-K operatives including 600 freed by the Taliban are currently in Pakistan",
                 claimant=SALEH),
            span("tweet", "claim",
                 "IS-K is a Pakistani scheme to rent its airspace to the US led Over The Horrizon (OTH) "
                 "operations in Afg, remain a partner with the West & monetize/sustain the Taliban junta rule in Afg.",
                 claimant=SALEH, note="Saleh's own tweet of 2 February 2022"),
            span("brushed", "denial",
                 "Meanwhile, Faran Jeffery, Deputy Director of the International Institute for Counter-Terrorism "
                 "(ICT), brushed off Saleh's claim stating this is just a \"conspiracy theory.\"",
                 how="sentence", claimant=JEFFERY, links=[("denies", "isis_scheme")]),
            span("no_evidence", "denial",
                 "There's no credible evidence to support the claim that ISKP is supported by Pakistan.",
                 how="sentence", claimant=JEFFERY, links=[("denies", "tweet")]),
            span("non_pak", "evidence", "There are also non-Pakistani members of ISKP.", how="sentence",
                 claimant=JEFFERY, links=[("refutes", "tweet")]),
            span("civil_servants", "claim",
                 "Civil servants vetted by the ISI will indeed help the Taliban get their missing civilian half.",
                 how="sentence", claimant=SALEH),
        ],
        ART[1]: [
            span("transferred", "claim",
                 "members of the ISIS-K leadership, after being defeated in Afghanistan, have been transferred to "
                 "Balochistan, Pakistan, with the help of intelligence agencies",
                 claimant="Al-Emarah"),
            span("mastung", "claim",
                 "those responsible for the attack on the staff of the General Directorate of Pursuit and "
                 "Supervision of Orders in Kabul had also come from a training camp of the ISIS-K branch in "
                 "\"Mastung, Balochistan.\"",
                 claimant="Al-Emarah"),
            span("mujahid", "claim",
                 "After ISIS was eliminated by the Taliban, the remaining leaders and members of the ISIS-K branch "
                 "were transferred, with the help of some intelligence agencies, to Balochistan and Khyber "
                 "Pakhtunkhwa.",
                 claimant=MUJAHID),
            span("new_centers", "claim",
                 "From these new centers, they carry out attacks both in Afghanistan and other countries.",
                 claimant=MUJAHID),
            span("sharif", "claim",
                 "numerous terrorist groups are present in Afghanistan and continue their destructive activities "
                 "under the Taliban's watch",
                 claimant="Shahbaz Sharif"),
            span("proxy", "claim",
                 "some security experts believe that Pakistan seeks to use ISIS as a proxy to continue its "
                 "conflicts in Afghanistan",
                 claimant="security experts"),
        ],
        ART[2]: [
            span("funding", "claim",
                 "Pakistan is funding the Afghanistan-based terrorist activities of the regional Islamic State "
                 "(ISIS/ISIL) branch",
                 claimant="Afghan political experts"),
            span("mobilizing", "claim",
                 "The experts claimed that Pakistan is also mobilizing the Taliban under the guise of ISIS",
                 claimant="Afghan political experts"),
            span("infiltrating", "claim",
                 "members of the regional ISIS branch known as the Khorasan Province (IS-KP/ISIL-K) are "
                 "infiltrating Afghanistan through Pakistan",
                 claimant=ATMAR),
            span("id_cards", "claim",
                 "Most of the Daesh militants come from Pakistan and they have Pakistani ID cards.",
                 claimant=ATMAR),
            span("told_pakistan", "claim",
                 "We told Pakistan that they were using terrorism against our country", claimant=ATMAR),
            span("nangarhar", "evidence",
                 "The IS-KP stronghold in Afghanistan has been identified as Nangarhar province, which lies along "
                 "the Pakistan border.",
                 how="sentence", links=[("supports", "infiltrating")]),
            span("pentagon", "evidence",
                 "The Pentagon has repeatedly accused Pakistan of serving as a sanctuary for terrorist groups "
                 "operating in Afghanistan, including IS-KP.",
                 how="sentence", claimant="Pentagon", links=[("supports", "funding")]),
        ],
        ART[3]: [
            span("us_behind", "claim",
                 "the US is behind the creation and training of Islamic State Khorasan (IS-K)", claimant=KHALID),
            span("phenomenon", "claim",
                 "The top Taliban official has asserted that the extremist group is, in fact, an American "
                 "phenomenon, claiming he possesses documents proving the US\u2019s involvement in nurturing Daesh.",
                 how="sentence", claimant=KHALID),
            span("intentions", "claim",
                 "the US intentions are to prevent Afghanistan from attaining stability, and they employ various "
                 "tactics, including supporting and fostering groups like Daesh",
                 claimant=KHALID),
            span("no_proof", "claim",
                 "he criticized the US for not providing substantial evidence to validate their claims of "
                 "eliminating Daesh in Afghanistan",
                 claimant=KHALID),
            span("un_mission", "evidence",
                 "The United Nations mission in Afghanistan reported that ISIS-K has expanded its influence to "
                 "almost all provinces of Afghanistan.",
                 how="sentence"),
        ],
        ART[4]: [
            span("plotting", "claim",
                 "the Islamic State Khorasan Province (IS-K), a militant Islamist group and Taliban\u2019s most "
                 "formidable foe, is plotting attacks on Afghanistan from Pakistani soil",
                 claimant=INTERIOR),
            span("tirah", "claim",
                 "the IS-K leadership held a meeting in the Tirah region of Khyber Pakhtunkhwa where they ordered "
                 "a new round of attacks in Afghanistan",
                 claimant=INTERIOR),
            span("targets", "claim",
                 "the militants could target busy public places like banks, markets, government offices, and "
                 "police stations",
                 claimant=INTERIOR),
            span("defense", "claim",
                 "The Taliban Defense Ministry had previously claimed in a similar statement that IS-K has a "
                 "substantial presence in Pakistan.",
                 how="sentence", claimant="Taliban Defense Ministry"),
            span("recruits", "evidence",
                 "The IS-K recruits Afghan and Pakistani jihadists, especially defecting members of the Afghan "
                 "Taliban who don\u2019t see their organization extreme enough.",
                 how="sentence", links=[("supports", "defense")]),
        ],
    },
    "bob": {
        ART[0]: [
            # Whole sentence where alice took the clause. Not `s`: the article has no
            # full stop after its "date 2022-02-03" header, so `s` would take that too.
            span("isis_scheme", "claim",
                 "Afghanistan's former Vice President Amrullah Saleh slammed Pakistan and claimed that the Islamic "
                 "State of Iraq and Syria-Khorasan (ISIS-K) is part of its \"scheme to rent its airspace\" to the "
                 "US-led Over The Horizon (OTH) operations in Afghanistan.",
                 claimant=SALEH),
            span("families", "claim",
                 "Families of key IS-K operatives including 600 freed by the Taliban are currently in Pakistan",
                 claimant=SALEH),
            # The clause where alice took the sentence.
            span("brushed", "denial",
                 "brushed off Saleh's claim stating this is just a \"conspiracy theory.\"",
                 claimant=JEFFERY, links=[("denies", "isis_scheme")]),
            span("no_substantial", "denial",
                 "Jeffery stated that there is no substantial evidence to back up the notion that Pakistan "
                 "supports ISIS-K.",
                 how="sentence", claimant=JEFFERY, links=[("denies", "isis_scheme")]),
            span("no_evidence", "denial",
                 "There's no credible evidence to support the claim that ISKP is supported by Pakistan.",
                 how="sentence", claimant=JEFFERY),
            span("non_pak", "evidence", "There are also non-Pakistani members of ISKP.", how="sentence"),
            span("founded", "evidence",
                 "The group was founded in January 2015 by the disgruntled Taliban in eastern Afghanistan, but it "
                 "now has members from several other countries.",
                 how="sentence", links=[("refutes", "isis_scheme")]),
        ],
        ART[1]: [
            span("transferred", "claim",
                 "members of the ISIS-K leadership, after being defeated in Afghanistan, have been transferred to "
                 "Balochistan, Pakistan, with the help of intelligence agencies",
                 claimant="Taliban (Al-Emarah)"),
            span("mujahid", "claim",
                 "On Al-Emarah, the chief Taliban spokesperson, Zabihullah Mujahid, wrote: \u201cAfter ISIS was "
                 "eliminated by the Taliban, the remaining leaders and members of the ISIS-K branch were "
                 "transferred, with the help of some intelligence agencies, to Balochistan and Khyber Pakhtunkhwa.",
                 how="sentence", claimant=MUJAHID),
            span("camps", "claim", "There, they have established centers and training camps.", how="sentence",
                 claimant=MUJAHID),
            span("new_centers", "claim",
                 "From these new centers, they carry out attacks both in Afghanistan and other countries.",
                 claimant=MUJAHID),
            span("sharif", "claim",
                 "numerous terrorist groups are present in Afghanistan and continue their destructive activities "
                 "under the Taliban's watch",
                 claimant="Shahbaz Sharif"),
            # Label differs from alice (claim).
            span("proxy", "evidence",
                 "some security experts believe that Pakistan seeks to use ISIS as a proxy to continue its "
                 "conflicts in Afghanistan",
                 links=[("supports", "transferred")]),
        ],
        ART[2]: [
            span("funding", "claim",
                 "Pakistan is funding the Afghanistan-based terrorist activities of the regional Islamic State "
                 "(ISIS/ISIL) branch",
                 claimant="Afghan political experts"),
            span("infiltrating", "claim",
                 "Earlier this week, Mohammad Hanif Atmar, the national security adviser, said that members of the "
                 "regional ISIS branch known as the Khorasan Province (IS-KP/ISIL-K) are infiltrating Afghanistan "
                 "through Pakistan, adding that the jihadist group is working with other terrorists in Central Asia "
                 "to destabilize countries in the region, reports TOLO News.",
                 how="sentence", claimant=ATMAR),
            span("id_cards", "claim",
                 "Most of the Daesh militants come from Pakistan and they have Pakistani ID cards.",
                 claimant=ATMAR),
            span("told_pakistan", "claim",
                 "We told Pakistan that they were using terrorism against our country", claimant=ATMAR),
            span("pentagon", "evidence",
                 "The Pentagon has repeatedly accused Pakistan of serving as a sanctuary for terrorist groups "
                 "operating in Afghanistan, including IS-KP.",
                 how="sentence", links=[("supports", "funding")]),
            span("heroin", "claim",
                 "ISIS was planning to flood the UK and other European nations with heroin",
                 claimant="terrorism experts"),
            span("voa", "evidence",
                 "Voice of America (VOA) reported in May that ISIL-K eradicated opium and heroin production in "
                 "Nangarhar province",
                 links=[("refutes", "heroin")]),
        ],
        ART[3]: [
            span("us_behind", "claim",
                 "the US is behind the creation and training of Islamic State Khorasan (IS-K)", claimant=KHALID),
            span("phenomenon", "claim", "the extremist group is, in fact, an American phenomenon",
                 how="keys", claimant=KHALID),
            span("intentions", "claim",
                 "the US intentions are to prevent Afghanistan from attaining stability, and they employ various "
                 "tactics, including supporting and fostering groups like Daesh",
                 claimant=KHALID),
            # Label differs from alice (evidence).
            span("un_mission", "claim",
                 "The United Nations mission in Afghanistan reported that ISIS-K has expanded its influence to "
                 "almost all provinces of Afghanistan.",
                 how="sentence", claimant="United Nations mission in Afghanistan"),
            span("kabul_blast", "evidence",
                 "Recently, a bomb blast during evening prayers in Kabul resulted in the death of 21 worshippers, "
                 "including an influential cleric, while more than 30 others were injured.",
                 how="sentence"),
        ],
        ART[4]: [
            span("plotting", "claim",
                 "The Taliban-run Interior Ministry of Afghanistan claimed in a media statement that the Islamic "
                 "State Khorasan Province (IS-K), a militant Islamist group and Taliban\u2019s most formidable foe, "
                 "is plotting attacks on Afghanistan from Pakistani soil.",
                 how="sentence", claimant=INTERIOR),
            span("tirah", "claim",
                 "the IS-K leadership held a meeting in the Tirah region of Khyber Pakhtunkhwa where they ordered "
                 "a new round of attacks in Afghanistan",
                 claimant=INTERIOR),
            span("targets", "claim",
                 "the militants could target busy public places like banks, markets, government offices, and "
                 "police stations",
                 claimant=INTERIOR),
            span("defense", "claim",
                 "The Taliban Defense Ministry had previously claimed in a similar statement that IS-K has a "
                 "substantial presence in Pakistan.",
                 how="sentence", claimant="Taliban Defense Ministry"),
            span("haqqani", "evidence",
                 "The IS-K, though peripherally linked to the Afghan Taliban via the Haqqani network, have major "
                 "ideological differences with them.",
                 how="sentence"),
        ],
    },
}


# ---- the search semantics of the TUI (smart case, forward from the next character) ----

def asc_lower(s):
    return "".join(c.lower() if c.isascii() else c for c in s)


def find(text, q, frm):
    """First match of q at or after frm, as the TUI's `/` does (smart case)."""
    if any(c.isupper() for c in q):
        i = text.find(q, frm)
        return None if i < 0 else i
    i = asc_lower(text).find(asc_lower(q), frm)
    return None if i < 0 else i


def unique_prefix(text, start, span_text, minimum=12):
    """The shortest word-ending prefix of the span that a search from anywhere lands on `start`."""
    words = re.finditer(r"\S+", span_text)
    for m in words:
        q = span_text[:m.end()]
        if len(q) < minimum and m.end() < len(span_text):
            continue
        if find(text, q, 0) == start and find(text, q, start + 1) is None:
            return q
    raise ValueError(f"no unique prefix for {span_text!r}")


def end_suffix(text, start, end, minimum=8):
    """A word-starting suffix of the span whose first match after `start` ends at `end`."""
    span_text = text[start:end]
    starts = [m.start() for m in re.finditer(r"\S+", span_text)]
    for s in reversed(starts):
        q = span_text[s:]
        if len(q) < minimum and s > 0:
            continue
        if find(text, q, start + 1) == start + s:
            return q
    raise ValueError(f"no end anchor for {span_text!r}")


def line_col(text, pos):
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def read_source(path):
    return open(path, encoding="utf-8-sig", newline="").read()


# ---- driving the TUI ----

class Analyst:
    def __init__(self, name, log):
        self.name = name
        self.log = log
        # The shell reports the exit status on the screen once claimtag ends.
        self.tui = Tui(f"{BINARY} sample-data/; echo CLAIMTAG-EXIT=$?; sleep 600", cwd=str(ROOT), width=WIDTH, height=HEIGHT,
                       env={"CLAIMTAG_ANNOTATOR": name})
        self.ids = {}

    def key(self, *k):
        self.tui.keys(*k, pause=0.03)

    def type(self, s):
        self.tui.type(s, pause=0.03)

    def status(self):
        lines = self.tui.screen().rstrip("\n").split("\n")
        return lines[-1] if lines else ""

    def wait_status(self, pattern, timeout=10.0):
        """Polls the status bar until the regex matches; returns the match."""
        end = time.time() + timeout
        while time.time() < end:
            m = re.search(pattern, self.status())
            if m:
                return m
            time.sleep(0.05)
        raise TimeoutError(f"{pattern!r} not in the status bar:\n{self.tui.screen()}")

    def wait_screen(self, needle, timeout=10.0):
        return self.tui.wait_for(needle, timeout)

    def goto(self, text, pos, query):
        """`/query` Enter, then wait for the cursor to be at pos."""
        self.key("/")
        self.wait_status(r"^/$")
        self.type(query)
        self.wait_status("^/" + re.escape(query) + r"\s*$")
        self.key("Enter")
        line, col = line_col(text, pos)
        self.wait_status(rf"│ {line}:{col} ")

    def open_article(self, index, file_name):
        self.key("C-p")
        self.wait_screen("Articles")
        self.key("g")
        for _ in range(index):
            self.key("j")
        self.key("Enter")
        self.wait_status(rf"^ {re.escape(file_name)} │ {self.name} │ ")
        self.ids = {}

    def annotate(self, text, plan):
        for sp in plan:
            start = text.index(sp["text"])
            end = start + len(sp["text"])
            assert text.find(sp["text"], start + 1) < 0, f"span not unique: {sp['text']!r}"
            self.goto(text, start, unique_prefix(text, start, sp["text"]))
            if sp["how"] == "sentence":
                self.key("s")
            else:
                self.key("v")
                self.wait_status("SELECT")
                if sp["how"] == "keys":
                    steps = len(sp["text"]) - 1
                else:
                    q = end_suffix(text, start, end)
                    self.goto(text, end - len(q), q)
                    steps = len(q) - 1
                # One `l` per grapheme: the articles have no multi-code-point graphemes.
                if steps:
                    self.type("l" * steps)
                line, col = line_col(text, end - 1)
                self.wait_status(rf"│ {line}:{col} ")
            self.wait_status("SELECT")
            self.key({"claim": "c", "denial": "d", "evidence": "e"}[sp["label"]])
            m = self.wait_status(rf"(a\d+) {sp['label']}: “")
            self.ids[sp["key"]] = m.group(1)
            self.log(f"  {self.name} {m.group(1)} {sp['label']:8} {sp['how']:8} {sp['text'][:60]!r}")
            if sp["claimant"] or sp["note"] or sp["links"]:
                self.edit(m.group(1), sp)

    def edit(self, ann_id, sp):
        # The cursor is on the last character of the fresh span: Enter edits it.
        self.key("Enter")
        self.wait_screen(f"Edit {ann_id} ")
        self.key("Down")
        self.wait_screen("▶ claimant")
        if sp["claimant"]:
            self.type(sp["claimant"])
            self.wait_screen(f"claimant {sp['claimant']}")
        self.key("Down")
        self.wait_screen("▶ note")
        if sp["note"]:
            self.type(sp["note"])
            self.wait_screen(f"note     {sp['note']}")
        for rel, target_key in sp["links"]:
            target = self.ids[target_key]
            self.key("Down")
            self.wait_screen("▶ + add a link")
            self.key("Enter")
            screen = self.wait_screen("link to (Enter picks")
            lines = screen.split("\n")
            top = next(i for i, line in enumerate(lines) if "link to (Enter picks" in line)
            options = []
            for line in lines[top + 1:]:
                if "→" not in line:
                    break
                options.append(line)
            wanted = next(i for i, line in enumerate(options) if f"{rel} → {target} " in line)
            for _ in range(wanted):
                self.key("j")
            self.key("Enter")
            self.wait_screen(f"link     {rel} → {target} ")
        # Back on the note field, Enter saves the form.
        while "▶ note" not in self.tui.screen():
            self.key("Up")
            time.sleep(0.05)
        self.key("Enter")
        self.wait_status(f"updated {ann_id}")

    def save_and_quit(self):
        self.key("C-s")
        self.wait_status(r"│ saved ")
        self.key("q")
        m = re.search(r"CLAIMTAG-EXIT=(\d+)", self.wait_screen("CLAIMTAG-EXIT="))
        if m.group(1) != "0":
            raise RuntimeError(f"claimtag exited with {m.group(1)}")


def run(annotator, log):
    analyst = Analyst(annotator, log)
    try:
        analyst.wait_status(rf"│ {annotator} │ ")
        for i, name in enumerate(ART):
            analyst.open_article(i, name)
            text = read_source(DATA / name)
            analyst.annotate(text, PLAN[annotator][name])
            # Save per article, as a careful analyst would before moving on.
            analyst.key("C-s")
            analyst.wait_status(r"│ saved ")
        analyst.save_and_quit()
    finally:
        analyst.tui.close()


# ---- verification ----

def verify(annotator):
    problems = []
    for name in ART:
        src = DATA / name
        text = read_source(src)
        side = DATA / f"{name}.{annotator}.ann.yaml"
        if not side.exists():
            problems.append(f"{side.name}: missing")
            continue
        doc = yaml.safe_load(open(side, encoding="utf-8"))
        if doc.get("format") != "claimtag/1" or doc.get("annotator") != annotator:
            problems.append(f"{side.name}: bad header")
        if doc["source"]["chars"] != len(text):
            problems.append(f"{side.name}: chars {doc['source']['chars']} != {len(text)}")
        anns = doc.get("annotations") or []
        by_id = {a["id"]: a for a in anns}
        for a in anns:
            if text[a["start"]:a["end"]] != a["text"]:
                problems.append(f"{side.name} {a['id']}: text != source[{a['start']}:{a['end']}]")
        plan = PLAN[annotator][name]
        if len(anns) != len(plan):
            problems.append(f"{side.name}: {len(anns)} annotations, planned {len(plan)}")
        key_to_id = {}
        for sp in plan:
            start = text.index(sp["text"])
            hits = [a for a in anns if a["start"] == start and a["end"] == start + len(sp["text"])
                    and a["label"] == sp["label"]]
            if len(hits) != 1:
                problems.append(f"{side.name}: planned {sp['label']} {sp['text'][:50]!r} not found once")
                continue
            a = hits[0]
            key_to_id[sp["key"]] = a["id"]
            if a.get("claimant") != sp["claimant"]:
                problems.append(f"{side.name} {a['id']}: claimant {a.get('claimant')!r} != {sp['claimant']!r}")
            if a.get("note") != sp["note"]:
                problems.append(f"{side.name} {a['id']}: note {a.get('note')!r} != {sp['note']!r}")
        for sp in plan:
            a = by_id.get(key_to_id.get(sp["key"]))
            if a is None:
                continue
            got = sorted((link["rel"], link["to"]) for link in a.get("links") or [])
            want = sorted((rel, key_to_id.get(k)) for rel, k in sp["links"])
            if got != want:
                problems.append(f"{side.name} {a['id']}: links {got} != {want}")
    return problems


def agreement_summary(log):
    """How alice and bob compare, span by span, to check the plan's mix."""
    exact = boundary = label = only = 0
    for name in ART:
        text = read_source(DATA / name)
        a = {(x["start"], x["end"]): x["label"] for x in planned_spans(text, "alice", name)}
        b = {(x["start"], x["end"]): x["label"] for x in planned_spans(text, "bob", name)}
        for r, lab in b.items():
            if r in a:
                if a[r] == lab:
                    exact += 1
                else:
                    label += 1
            elif any(s < r[1] and r[0] < e for s, e in a):
                boundary += 1
            else:
                only += 1
    total = sum(len(PLAN["bob"][n]) for n in ART)
    log(f"bob vs alice: {exact}/{total} exact, {boundary} boundary, {label} label, {only} bob-only")


def planned_spans(text, annotator, name):
    out = []
    for sp in PLAN[annotator][name]:
        s = text.index(sp["text"])
        out.append(dict(start=s, end=s + len(sp["text"]), label=sp["label"]))
    return out


# ---- screen captures for docs/screens.md ----

SCREENS_INTRO = """# Screens

Text captures of `claimtag` on `sample-data/` (tmux `capture-pane`, 100x30, annotator `alice`), made by
`python3 scripts/make_samples.py --screens`. Colours are not captured: on a real terminal the tagged spans
are highlighted in their label's colour (claim yellow, denial red, evidence green).
"""


def capture_screens(log):
    width, height = 100, 30
    tui = Tui(f"{BINARY} sample-data/; echo CLAIMTAG-EXIT=$?; sleep 600", cwd=str(ROOT), width=width,
              height=height, env={"CLAIMTAG_ANNOTATOR": "alice"})
    shots = []

    def shot(caption):
        screen = "\n".join(line.rstrip() for line in tui.screen().rstrip("\n").split("\n"))
        shots.append(f"{caption}\n\n```\n{screen}\n```\n")

    try:
        tui.wait_for("│ alice │")
        # Onto alice's fourth annotation (Faran Jeffery's denial), then clear the message so the
        # whole status bar shows.
        for _ in range(4):
            tui.keys("]", pause=0.05)
        tui.wait_for("a4 denial")
        tui.keys("Escape")
        tui.wait_for("? help")
        shot("Article 000 as annotated by alice, the cursor (5:1) on her a4, Faran Jeffery's denial: the pane's "
             "title, the word-wrapped text and the status bar (file, annotator, line:column, counts per label, "
             "save state).")
        tui.keys("C-p")
        tui.wait_for("Articles")
        shot("The corpus list (`Ctrl-p`): every article with alice's counts per label; `●` marks the open one.")
        tui.keys("Escape", "?")
        tui.wait_for("Keys")
        shot("The help screen (`?`), generated from the key table; `j`/`k` scroll it.")
        tui.keys("Escape", "q")
        tui.wait_for("CLAIMTAG-EXIT=0")
    finally:
        tui.close()
    out = ROOT / "docs" / "screens.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(SCREENS_INTRO + "\n" + "\n".join(shots), encoding="utf-8")
    log(f"wrote {out.relative_to(ROOT)} ({len(shots)} screens)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--verify", action="store_true", help="only check the existing sidecars")
    ap.add_argument("--screens", action="store_true", help="only write docs/screens.md")
    ap.add_argument("--only", choices=sorted(PLAN), help="annotate for one annotator only")
    args = ap.parse_args()
    log = lambda s: print(s, flush=True)  # noqa: E731
    who = [args.only] if args.only else sorted(PLAN)
    if args.screens:
        capture_screens(log)
        return
    if not args.verify:
        if not BINARY.exists():
            sys.exit(f"{BINARY} is missing: run `cargo build --release` first")
        for annotator in who:
            for name in ART:
                (DATA / f"{name}.{annotator}.ann.yaml").unlink(missing_ok=True)
            started = time.time()
            run(annotator, log)
            log(f"{annotator}: annotated in {time.time() - started:.1f} s")
    failed = False
    for annotator in who:
        problems = verify(annotator)
        for p in problems:
            log(f"PROBLEM {p}")
        n = sum(len(PLAN[annotator][a]) for a in ART)
        log(f"{annotator}: {'FAILED' if problems else 'ok'}: {n} planned spans in {len(ART)} sidecars checked")
        failed |= bool(problems)
    agreement_summary(log)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
