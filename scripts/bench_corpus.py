#!/usr/bin/env python3
"""Corpus-scale benchmark (issue 14). Generates a corpus, runs the release
binary's commands over it and the Python + PyYAML reference export, and prints
wall times, peak memory and ratios.

    cargo build --release
    python3 scripts/bench_corpus.py                 # 10,000 articles
    python3 scripts/bench_corpus.py --articles 100000 --compare 10000

Each article is about 4 KB of text with two annotators (alice, bob) of 20
spans each. `--compare N` also runs the N-article corpus and prints how much
longer the larger one took (linear growth: 10x the articles, at most 11x the
time). Every claimtag command runs `--times` times (3), each after the
corpus is synced and read again (import and its floor into a fresh folder
each time), and the fastest run counts: a shared disk only ever adds time
(the slowest is printed beside it). The Python reference runs once.
With `--compare`, export, agree and check then run on the two corpora in
turn, so the growth is also taken with both under the same conditions.
`--import-on /dev/shm` also exports to and imports into a tmpfs (`export@`,
`import@`, `files@`): the same work without the disk, whose speed swings. `--strace` counts getdents64 calls of `agree` (folder listings).
Import writes a file per article, so it is also compared with writing files
of the same sizes alone (create, write, rename, one sync at the end), the
filesystem's floor. `tui` is the annotating screen as a user starts it, in a
pseudo-terminal: seconds to its first frame and until every article has
loaded in the background, and its peak memory.
"""

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORDS = ("the minister said officials denied reports that talks had stalled "
         "according to sources in Kabul police confirmed evidence of the attack "
         "spokesman claimed no such meeting took place witnesses told reporters").split()


def article(rng, size=4000):
    words = []
    n = 0
    while n < size:
        w = rng.choice(WORDS)
        words.append(w)
        n += len(w) + 1
        if rng.random() < 0.08:
            words[-1] += "."
    return " ".join(words) + "\n"


def q(s):
    return json.dumps(s, ensure_ascii=False)


def sidecar(name, text, sha, who, rng, spans=20):
    lines = ["format: claimtag/1", "source:", f"  file: {q(name)}", f"  sha256: {sha}",
             f"  chars: {len(text)}", f"annotator: {who}", 'updated: "2026-11-30T10:00:00Z"',
             "annotations:"]
    taken = []
    for i in range(spans):
        start = rng.randrange(0, len(text) - 80)
        end = start + rng.randrange(10, 70)
        taken.append((start, end, rng.choice(["claim", "denial", "evidence"]), f"a{i + 1}"))
    for start, end, label, aid in sorted(taken):
        lines += [f"- id: {aid}", f"  label: {label}", f"  start: {start}", f"  end: {end}",
                  f"  text: {q(text[start:end])}", f"  prefix: {q(text[max(0, start - 32):start])}",
                  f"  suffix: {q(text[end:end + 32])}", '  created: "2026-11-30T10:00:00Z"']
    return "\n".join(lines) + "\n"


def generate(folder, count, seed=1):
    rng = random.Random(seed)
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        name = f"{i:06d}.txt"
        text = article(rng)
        raw = text.encode()
        sha = hashlib.sha256(raw).hexdigest()
        with open(os.path.join(folder, name), "wb") as f:
            f.write(raw)
        for who in ("alice", "bob"):
            with open(os.path.join(folder, f"{name}.{who}.ann.yaml"), "w") as f:
                f.write(sidecar(name, text, sha, who, rng))


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(cmd, stdout=None, env=None):
    """Wall seconds and peak resident memory (MB) of one command."""
    # The peak comes from GNU time where there is one: the ru_maxrss of a
    # child of this script counts the script's own memory, copied at fork,
    # which after a 100,000-article run is more than a small command uses.
    peak_file = tempfile.NamedTemporaryFile(delete=False)
    peak_file.close()
    full = [GNU_TIME, "-f", "%M", "-o", peak_file.name, *cmd] if GNU_TIME else cmd
    # stderr goes to a file: a pipe read only after the command ends would
    # block a command that writes more than the pipe holds.
    with tempfile.TemporaryFile() as errfile:
        start = time.perf_counter()
        proc = subprocess.Popen(full, stdout=stdout or subprocess.DEVNULL, stderr=errfile, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        errfile.seek(0)
        err = errfile.read().decode(errors="replace")[-4000:]
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({code}):\n{err}")
    peak = usage.ru_maxrss / 1024
    if GNU_TIME:
        with open(peak_file.name) as f:
            lines = [l for l in f.read().split() if l.isdigit()]
        peak = int(lines[-1]) / 1024 if lines else peak
    os.unlink(peak_file.name)
    return wall, peak


def getdents_calls(cmd, env):
    out = subprocess.run(["strace", "-c", "-f", "-e", "trace=getdents64", *cmd],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True).stderr
    for line in out.splitlines():
        if line.strip().endswith("getdents64"):
            return int(line.split()[3])
    return 0


def warm(folder):
    """Reads every file of the corpus once, untimed, so each command finds
    it in the page cache as the others do (the first command of a run
    otherwise pays for the disk, and the ratios measure the order)."""
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), "rb") as f:
            while f.read(1 << 20):
                pass


def settle(folder):
    """Before each timed command, untimed: the last command's output (680 MB
    of JSONL at 100,000 articles, from export and again from Python) is
    flushed to disk, and the corpus read again. Otherwise the next command
    shares the two cores with the kernel writing it back (agree, which ran
    right after Python, came out 1.2-1.6x export's time where an A/B of the
    two alone gave 1.06x)."""
    os.sync()
    warm(folder)


def fastest(times, cmd, folder, stdout_path=None, env=None):
    """The fastest of `times` runs of a command, each after `settle`, with
    the slowest and the highest peak memory: interference on a shared disk
    only ever adds time, so the fastest run is the command's own cost, and
    the slowest shows how much the machine added."""
    runs = []
    for _ in range(times):
        settle(folder)
        if stdout_path:
            with open(stdout_path, "wb") as out:
                runs.append(run(cmd, out, env))
        else:
            runs.append(run(cmd, None, env))
    walls = [w for w, _ in runs]
    return min(walls), max(p for _, p in runs), max(walls)



def imports(binary, folder, jsonl, env, times, imported, link=os.link, keep=True):
    """Import of the exported JSONL into a copy of the sources only, so
    every run writes the same files, a folder of its own each time (see
    above), `times` times; then the floor of writing its files alone. The
    fastest and slowest of each, and import's highest peak memory. Unless
    `keep`, each folder is removed after its run (on a tmpfs, where removing
    costs nothing later and the files would otherwise pile up in memory and
    in the kernel's cache of names)."""
    runs, floors = [], []
    for k in range(times):
        into = f"{imported}-{k}"
        shutil.rmtree(into, ignore_errors=True)
        os.makedirs(into)
        for name in os.listdir(folder):
            if name.endswith(".txt"):
                link(os.path.join(folder, name), os.path.join(into, name))
        # Whatever was written before is flushed first, untimed: the
        # 10,000-article import otherwise ran while the disk still wrote the
        # 100,000-article run's 1.4 GB of sidecars and floor files.
        os.sync()
        runs.append(run([binary, "import", "--from", "jsonl", "--annotator", "imp",
                         "--corpus", into, jsonl], None, env))
        os.sync()
        floors.append(write_files_alone(into))
        if not keep:
            shutil.rmtree(into)
    walls = [w for w, _ in runs]
    return ((min(walls), max(p for _, p in runs), max(walls)),
            (min(w for w, _ in floors), 0.0, max(w for w, _ in floors)))


def interleaved(binary, folders, env, work, times):
    """Export, agree and check run on each corpus in turn, `times` rounds
    (small, large, small, large, ...), each run after `settle`: the fastest
    per corpus. The growth from these is taken under the same conditions for
    both sizes; measured a corpus after the other, ten minutes apart, it
    carried whatever the machine did in between (export's growth came out
    10.4x to 12.3x across runs of the same binary)."""
    commands = {
        "export": (["export", "--format", "jsonl", "--annotator", "alice"], True),
        "agree": (["agree", "--annotators", "alice,bob", "--json"], False),
        "check": (["check"], False),
    }
    best = {}
    for name, (args, writes) in commands.items():
        out = os.path.join(work, "interleaved.jsonl") if writes else None
        for _ in range(times):
            for folder in folders:
                wall = fastest(1, [binary, *args, folder], folder, out, env)[0]
                best[(name, folder)] = min(best.get((name, folder), wall), wall)
    return best


def measure(binary, folder, env, work, times, import_on=None):
    jsonl = os.path.join(work, "export.jsonl")
    # A folder of its own per run: ext4 skips recently deleted inodes when it
    # allocates new ones, so importing where the last run's sidecars were just
    # deleted measures that, not the import.
    imported = os.path.join(work, f"import-{os.path.basename(folder)}")
    results = {}
    results["export"] = fastest(times, [binary, "export", "--format", "jsonl", "--annotator", "alice",
                                        folder], folder, jsonl, env)
    # Once: it takes 20 times as long, and the margin to the target is wide.
    settle(folder)
    with open(os.path.join(work, "reference.jsonl"), "wb") as out:
        results["python"] = run([sys.executable, os.path.join(HERE, "reference_export.py"),
                                 "--annotator", "alice", folder], out, env)
    results["agree"] = fastest(times, [binary, "agree", "--annotators", "alice,bob", "--json", folder],
                               folder, None, env)
    results["check"] = fastest(times, [binary, "check", folder], folder, None, env)
    results["import"], results["files"] = imports(binary, folder, jsonl, env, times, imported)
    if import_on:
        # Export's output written to the tmpfs instead: 680 MB at 100,000
        # articles, which on the disk is written back during the next runs.
        elsewhere = os.path.join(import_on, "claimtag-bench-export.jsonl")
        results["export@"] = fastest(times, [binary, "export", "--format", "jsonl", "--annotator",
                                             "alice", folder], folder, elsewhere, env)
        os.unlink(elsewhere)
        # A copy of the sources on another filesystem (a tmpfs: memory),
        # made untimed, to tell import's own growth from the disk's.
        copy = os.path.join(import_on, f"claimtag-bench-{os.path.basename(folder)}")
        results["import@"], results["files@"] = imports(binary, folder, jsonl, env, times, copy,
                                                        link=shutil.copyfile, keep=False)
    opens = [tui_open(binary, folder, env) for _ in range(times)]
    results["tui"] = (min(o[0] for o in opens), min(o[1] for o in opens), max(o[2] for o in opens))
    return results


def tui_open(binary, folder, env):
    """The annotating screen as a user starts it: `claimtag annotate FOLDER`
    in a pseudo-terminal (120x35). Seconds to its first frame (the status
    bar's "q quit"), seconds until it is idle with every article loaded in
    the background (no processor time used for a second), and its peak
    resident memory (MB) until then."""
    import fcntl
    import pty
    import select
    import signal
    import struct
    import termios
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(binary, [binary, "annotate", "--no-restore", folder], {**env, "TERM": "xterm-256color"})
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 35, 120, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    seen, first, idle, peak = b"", None, None, 0
    cpu_seen, cpu_since = -1, time.perf_counter()
    deadline = start + 600
    while idle is None and time.perf_counter() < deadline:
        # Keep reading so the program never blocks on a full terminal.
        if select.select([fd], [], [], 0.05)[0]:
            try:
                seen = (seen + os.read(fd, 1 << 16))[-4096:]
            except OSError:
                break
        now = time.perf_counter()
        if first is None and b"q quit" in seen:
            first = now - start
        with open(f"/proc/{pid}/status") as f:
            peak = max(peak, next(int(l.split()[1]) for l in f if l.startswith("VmRSS")))
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            cpu = int(fields[11]) + int(fields[12])
        if cpu != cpu_seen:
            cpu_seen, cpu_since = cpu, now
        elif first is not None and now - cpu_since >= 1.0:
            idle = cpu_since - start
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    # A killed program leaves the lock file of the article on screen.
    for name in os.listdir(folder):
        if name.startswith(".") and name.endswith(".lock"):
            os.unlink(os.path.join(folder, name))
    nan = float("nan")
    return (first if first is not None else nan), (idle if idle is not None else nan), peak / 1024

def write_files_alone(imported):
    """The filesystem's floor under import: creating, writing and renaming
    files of the same number and sizes as the sidecars import wrote, in the
    folder import wrote them to (where creating a file costs what it cost
    import), from this script, with no YAML and one sync at the end, where
    import syncs every 256 files (a sidecar is on disk before it is in
    place). They are left for the end of the run to remove: deleting
    100,000 files just before the next corpus's import made ext4 skip the
    inodes it had just freed, one by one, when import created its files."""
    sizes = [os.path.getsize(os.path.join(imported, n)) for n in os.listdir(imported)
             if n.endswith(".ann.yaml")]
    start = time.perf_counter()
    for i, size in enumerate(sizes):
        temp, final = os.path.join(imported, f".floor{i}.tmp"), os.path.join(imported, f"floor{i}.yaml")
        fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644)
        os.write(fd, b"x" * size)
        os.close(fd)
        os.rename(temp, final)
    os.sync()
    return time.perf_counter() - start, 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--compare", type=int, default=0, help="also run this many articles and print the growth")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "claimtag"))
    ap.add_argument("--keep", help="generate into (or reuse) this folder")
    ap.add_argument("--strace", action="store_true")
    ap.add_argument("--import-on", help="also export into and import into a copy of the sources in "
                    "this folder (a tmpfs such as /dev/shm), to tell their growth from the disk's")
    ap.add_argument("--times", type=int, default=3,
                    help="runs of each claimtag command; the fastest is taken")
    args = ap.parse_args()
    env = dict(os.environ)
    work = tempfile.mkdtemp(prefix="claimtag-bench-")
    env.update(HOME=work, XDG_CONFIG_HOME=work, CLAIMTAG_CONFIG=os.path.join(work, "config.yaml"))
    with open(env["CLAIMTAG_CONFIG"], "w") as f:
        f.write("annotator: bench\n")
    sizes = [args.articles] + ([args.compare] if args.compare else [])
    figures = {}
    for n in sizes:
        folder = os.path.join(args.keep or work, f"corpus-{n}")
        if not os.path.isdir(folder):
            t = time.perf_counter()
            generate(folder, n)
            print(f"generated {n} articles in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        figures[n] = measure(args.binary, folder, env, work, args.times, args.import_on)
        r = figures[n]
        print(f"\n{n} articles ({os.cpu_count()} cores):")
        for k, v in r.items():
            wall, rss = v[::2] if k == "tui" else v[:2]
            peak = {"files": "  (the sidecars' files alone, synced)",
                    "import@": f"  peak {rss:7.1f} MB  (on {args.import_on})",
                    "export@": f"  peak {rss:7.1f} MB  (its output on {args.import_on})",
                    "files@": f"  (the sidecars' files alone, on {args.import_on})",
                    "tui": f"  to the first frame; peak {rss:.0f} MB; every article loaded after "
                           f"{r['tui'][1]:.2f} s"}.get(k, f"  peak {rss:7.1f} MB")
            if k != "python" and k != "tui" and args.times > 1:
                peak += f"  (fastest of {args.times}; slowest {v[2]:.2f} s)"
            print(f"  {k:8} {wall:8.2f} s{peak}")
        ex = r["export"][0]
        print(f"  export vs Python reference: {r['python'][0] / ex:.1f}x faster")
        for k in ("agree", "check", "import"):
            print(f"  {k} / export: {r[k][0] / ex:.2f}x")
        for k in ("", "@") if args.import_on else ("",):
            print(f"  import{k} / writing its files alone (the filesystem's floor): "
                  f"{r['import' + k][0] / r['files' + k][0]:.2f}x")
        if args.strace and shutil.which("strace"):
            calls = getdents_calls([args.binary, "agree", "--annotators", "alice,bob", "--json", folder], env)
            print(f"  agree getdents64 calls: {calls}")
    if args.compare:
        big, small = figures[max(sizes)], figures[min(sizes)]
        print(f"\ngrowth {min(sizes)} -> {max(sizes)} articles ({max(sizes) / min(sizes):.0f}x):")
        for k in big:
            if k in ("files", "files@"):
                print(f"  {k:8} {big[k][0] / small[k][0]:6.2f}x time (writing the files alone)")
                continue
            if k == "tui":
                print(f"  tui      {big[k][0] / small[k][0]:6.2f}x to the first frame, "
                      f"{big[k][1] / small[k][1]:5.2f}x to every article loaded, "
                      f"{big[k][2] / small[k][2]:5.2f}x peak memory")
                continue
            print(f"  {k:8} {big[k][0] / small[k][0]:6.2f}x time, {big[k][1] / small[k][1]:5.2f}x peak memory")
        small_folder, big_folder = (os.path.join(args.keep or work, f"corpus-{n}")
                                    for n in (min(sizes), max(sizes)))
        best = interleaved(args.binary, [small_folder, big_folder], env, work, args.times)
        print(f"\ngrowth, the two corpora run in turn ({args.times} rounds, fastest of each):")
        for name in ("export", "agree", "check"):
            small, big = best[(name, small_folder)], best[(name, big_folder)]
            print(f"  {name:8} {big / small:6.2f}x time ({small:.2f} s -> {big:.2f} s)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
