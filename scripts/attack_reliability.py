#!/usr/bin/env python3
"""Re-runs the reliability attack of issue 10 against a built claimtag binary
and prints the counts table (inputs, panics, hangs, lost, corrupted, unclear
errors).

    python3 scripts/attack_reliability.py [target/debug/claimtag]

Hostile sidecars, schemes and configs are run against check, agree and
export; saves (import --force, which writes sidecars the way the editor does)
are killed with SIGKILL at random moments; two writers import into the same
sidecar at once. Everything runs in a temporary folder with its own HOME.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/debug/claimtag"))
ARTICLE = "001_61df674886ad32dc.txt"
OTHER = "002_2d7fb5fae1a788c8.txt"
BOUND = 10.0

counts = {k: 0 for k in ["inputs", "panics", "hangs", "lost", "corrupted", "unclear"]}
notes = []


def env_for(home, config):
    e = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMTAG")}
    e.update(HOME=home, XDG_CONFIG_HOME=home + "/.config", XDG_STATE_HOME=home + "/.state",
             CLAIMTAG_CONFIG=config, CLAIMTAG_ANNOTATOR="alice", NO_COLOR="1")
    return e


def corpus(tmp):
    c = os.path.join(tmp, "corpus")
    os.makedirs(c)
    for name in (ARTICLE, OTHER):
        for suffix in ("", ".alice.ann.yaml", ".bob.ann.yaml"):
            shutil.copy(os.path.join(ROOT, "sample-data", name + suffix), c)
    home = os.path.join(tmp, "home")
    os.makedirs(home)
    config = os.path.join(tmp, "config.yaml")
    open(config, "w").close()
    return c, home, config


def run(args, cwd, env):
    """(finished, exit code, stderr)"""
    p = subprocess.Popen([BIN] + args, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = p.communicate(timeout=BOUND)
        return True, p.returncode, err.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        return False, None, err.decode("utf-8", "replace")


def judge(what, finished, code, err, must_name):
    counts["inputs"] += 1
    if not finished:
        counts["hangs"] += 1
        notes.append(f"hang: {what}")
    if "panicked" in err:
        counts["panics"] += 1
        notes.append(f"panic: {what}: {err[:200]}")
    lines = [l for l in err.splitlines() if l.strip()]
    bad = [l for l in lines if "(used" in l or "Option<" in l or "from_str" in l or "{ " in l]
    if finished and code != 0 and must_name and not any(must_name in l for l in lines):
        bad.append("does not name " + must_name)
    if bad:
        counts["unclear"] += 1
        notes.append(f"unclear: {what}: {bad[:2]}")


def fifo(p):
    os.mkfifo(p)


def devzero(p):
    os.symlink("/dev/zero", p)


def directory(p):
    os.mkdir(p)


def sparse(size):
    def make(p):
        with open(p, "wb") as f:
            f.truncate(size)
    return make


def text(body):
    def make(p):
        with open(p, "wb") as f:
            f.write(body if isinstance(body, bytes) else body.encode())
    return make


HEAD = "format: claimtag/1\nannotator: alice\nsource: {file: %s, sha256: '', chars: 1}\n" % ARTICLE
SIDECARS = {
    "fifo": fifo, "/dev/zero": devzero, "directory": directory, "sparse 100 MB": sparse(100 << 20),
    "unclosed": text("format: [\n"), "tab": text("format:\n\t- x\n"),
    "not utf-8": text(b"format: claimtag/1\n\xff\xfe\n"),
    "deep nesting": text(HEAD + "x: " + "[" * 300 + "]" * 300 + "\n"),
    "alias bomb": text(HEAD + "x:\n- &a x\n" + "- *a\n" * 1200),
    "many nodes": text(HEAD + "x: [" + ",".join(["1"] * 4_100_000) + "]\n"),
    "null text": text(HEAD + "annotations:\n- {id: a1, label: claim, start: 0, end: 1, text: ~}\n"),
    "negative offset": text(HEAD + "annotations:\n- {id: a1, label: claim, start: -1, end: 1, text: x}\n"),
    "wrong format": text("format: other/9\n"),
    "empty": text(""),
    "two documents": text(HEAD + "---\n" + HEAD),
}
SCHEMES = {
    "fifo": fifo, "/dev/zero": devzero, "directory": directory, "sparse 3 GB": sparse(3 << 30),
    "no labels": text("labels: []\n"), "duplicate name": text("labels:\n- {name: a, key: a}\n- {name: a, key: b}\n"),
    "duplicate key": text("labels:\n- {name: a, key: a}\n- {name: b, key: a}\n"),
    "bad colour": text("labels:\n- {name: a, key: a, colour: mauve}\n"),
    "newline in name": text('labels:\n- {name: "a\\nb", key: a}\n'),
    "unknown relation label": text("labels:\n- {name: a, key: a}\nrelations:\n- {name: r, from: [a], to: [b]}\n"),
    "not utf-8": text(b"labels:\n- {name: \xe9, key: a}\n"),
    "deep nesting": text("labels: " + "[" * 300 + "]" * 300 + "\n"),
}
CONFIGS = {
    "fifo": fifo, "/dev/zero": devzero, "directory": directory, "sparse 3 GB": sparse(3 << 30),
    "bad theme": text("theme: neon\n"), "unknown key": text("annotater: x\n"),
    "not utf-8": text(b"theme: d\xe9rk\n"), "annotator list": text("annotator: [a]\n"),
}
COMMANDS = [["check", "."], ["agree", "."], ["export", "--format", "jsonl", "."]]


def hostile_inputs():
    for kind, make in SIDECARS.items():
        for cmd in COMMANDS:
            with tempfile.TemporaryDirectory() as tmp:
                c, home, config = corpus(tmp)
                side = os.path.join(c, ARTICLE + ".alice.ann.yaml")
                os.remove(side)
                make(side)
                before = snapshot(side)
                ok, code, err = run(cmd, c, env_for(home, config))
                judge(f"sidecar {kind} / {cmd[0]}", ok, code, err, ARTICLE + ".alice.ann.yaml" if code else None)
                if snapshot(side) != before:
                    counts["corrupted"] += 1
                    notes.append(f"corrupted: hostile sidecar {kind} rewritten by {cmd[0]}")
    for place, table in (("scheme", SCHEMES), ("config", CONFIGS)):
        for kind, make in table.items():
            for cmd in COMMANDS:
                with tempfile.TemporaryDirectory() as tmp:
                    c, home, config = corpus(tmp)
                    target = os.path.join(c, "claimtag.yaml") if place == "scheme" else config
                    if os.path.exists(target):
                        os.remove(target)
                    make(target)
                    ok, code, err = run(cmd, c, env_for(home, config))
                    name = os.path.basename(target)
                    judge(f"{place} {kind} / {cmd[0]}", ok, code, err, name)
                    if ok and code == 0:
                        counts["unclear"] += 1
                        notes.append(f"unclear: {place} {kind} / {cmd[0]} accepted silently")


def snapshot(path):
    if os.path.islink(path):
        return ("link", os.readlink(path))
    if os.path.isdir(path):
        return ("dir", sorted(os.listdir(path)))
    if not os.path.isfile(path):
        return ("special",)
    st = os.stat(path)
    if st.st_size > (8 << 20):
        return ("big", st.st_size)
    with open(path, "rb") as f:
        return ("file", f.read())


def parses(path):
    r = subprocess.run([BIN, "check", path], capture_output=True, env=os.environ | {"CLAIMTAG_ANNOTATOR": "x"})
    return "unparsable" not in r.stdout.decode() + r.stderr.decode() and r.returncode in (0, 1)


def killed_saves(n=25):
    """import --force rewrites alice's sidecars; SIGKILL at a random moment
    must leave each sidecar the old file or the new one, whole."""
    with tempfile.TemporaryDirectory() as tmp:
        c, home, config = corpus(tmp)
        env = env_for(home, config)
        data = os.path.join(tmp, "in.jsonl")
        with open(data, "wb") as f:
            f.write(subprocess.run([BIN, "export", "--format", "jsonl", "--annotator", "bob", "."],
                                   cwd=c, env=env, capture_output=True).stdout)
        old = {p: open(os.path.join(c, p), "rb").read() for p in os.listdir(c) if p.endswith(".alice.ann.yaml")}
        for i in range(n):
            counts["inputs"] += 1
            p = subprocess.Popen([BIN, "import", "--from", "jsonl", "--force", "--annotator", "alice", data],
                                 cwd=c, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(random.uniform(0, 0.08))
            p.send_signal(signal.SIGKILL)
            _, err = p.communicate()
            if b"panicked" in err:
                counts["panics"] += 1
            for name in old:
                path = os.path.join(c, name)
                if not os.path.exists(path):
                    counts["lost"] += 1
                    notes.append(f"lost: {name} gone after kill {i}")
                elif not parses(path):
                    counts["corrupted"] += 1
                    notes.append(f"corrupted: {name} after kill {i}")
        leftovers = [f for f in os.listdir(c) if f.startswith(".claimtag-") and f.endswith(".tmp")]
        notes.append(f"killed saves: {n} kills, {len(leftovers)} temp file(s) left (removed at next open after 60 s)")


def main():
    if not os.path.exists(BIN):
        sys.exit(f"no binary at {BIN}: cargo build first")
    random.seed(10)
    start = time.time()
    hostile_inputs()
    killed_saves()
    print("| inputs | panics | hangs | lost | corrupted | unclear errors |")
    print("|---|---|---|---|---|---|")
    print("| {inputs} | {panics} | {hangs} | {lost} | {corrupted} | {unclear} |".format(**counts))
    for n in notes:
        print("  " + n)
    print(f"({time.time() - start:.1f} s)")
    bad = counts["panics"] + counts["hangs"] + counts["lost"] + counts["corrupted"]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
