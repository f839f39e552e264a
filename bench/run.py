#!/usr/bin/env python3
"""git drift benchmarks at real scale. Each prints the target beside the figure.

usage: python3 bench/run.py NAME [options]      (see bench/README.md)

  gen        --mb N [--sessions N] [--files N]   only generate and cache a corpus
  hook       --mb N [--commits N]          post-commit hook added time (bench/hook.py)
  backfill   [--mb N]                      `git drift backfill` of 250 / 500 / 1000 commits
  capture    --mb N [--sessions N]         capture MB/s, events/s, peak RSS; no-op re-capture
  recapture  [--files N]                   no-op re-capture with N transcript files
  sessions   [--sessions N] [--mb N]       `git drift sessions`
  handoff    [--small | --sessions N --mb N]  `git drift handoff --print`
  log        [--commits N]                 `git drift log -n N` vs `git log --notes=drift`
  blame      [--package NAME]              `git drift blame --json` vs `git blame --porcelain`
  note-size  [--sessions N] [--mb N]       note of a one-line human commit
  rss        [--mb N]                      peak RSS of every command on that history

Common: --bin DIR (default target/release of this checkout, or $BIN; never rebuilt),
--runs N, --timeout S (a command that runs longer is reported as "> S s"), --fresh
(regenerate cached corpora). Corpora are cached under ${XDG_CACHE_HOME:-~/.cache}/git-drift/bench.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = sys.argv[2:]


def opt(name, default, conv=int):
    return conv(ARGS[ARGS.index(name) + 1]) if name in ARGS else default


def flag(name):
    return name in ARGS


BIN = os.path.abspath(opt("--bin", os.environ.get("BIN") or os.path.join(HERE, "..", "target", "release"), str))
RUNS = opt("--runs", 7)
TIMEOUT = opt("--timeout", 300)
# How drift blame is run: `git drift blame`, or e.g. DRIFT_BLAME=git-drift-blame.
BLAME = os.environ.get("DRIFT_BLAME", "git drift blame").split()
CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "git-drift", "bench")


class TimedOut(Exception):
    pass


def environ(work):
    home = os.path.join(work, "home")
    os.makedirs(home, exist_ok=True)
    env = dict(os.environ, HOME=home, GIT_CONFIG_GLOBAL=os.path.join(home, ".gitconfig"), GIT_CONFIG_NOSYSTEM="1",
               TZ="UTC", CLAUDE_CONFIG_DIR=os.path.join(work, "claude"), CODEX_HOME=os.path.join(work, "codex"),
               PATH=f"{BIN}:{os.environ['PATH']}", GIT_PAGER="cat", NO_COLOR="1", PAGER="cat")
    for k in ("GIT_DIR", "GIT_WORK_TREE", "GIT_DRIFT_TRACE"):
        env.pop(k, None)
    cfg = env["GIT_CONFIG_GLOBAL"]
    if not os.path.exists(cfg):
        with open(cfg, "w") as f:
            f.write("[user]\n\tname = bench\n\temail = bench@example.com\n[init]\n\tdefaultBranch = main\n")
    return env


def run(cmd, cwd, env, out=subprocess.DEVNULL, timeout=None):
    r = subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.PIPE, timeout=timeout or TIMEOUT)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.decode(errors='replace').strip()[-2000:]}")
    return r


def timed(cmd, cwd, env, timeout=None):
    """Wall time of one run in ms; raises TimedOut."""
    t = time.perf_counter()
    try:
        run(cmd, cwd, env, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise TimedOut()
    return (time.perf_counter() - t) * 1000


def peak_rss(cmd, cwd, env, timeout=None):
    """(wall ms, peak RSS in MiB) of one run under /usr/bin/time -v."""
    with tempfile.NamedTemporaryFile("r") as f:
        t = time.perf_counter()
        try:
            run(["/usr/bin/time", "-v", "-o", f.name, *cmd], cwd, env, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TimedOut()
        ms = (time.perf_counter() - t) * 1000
        kb = next(int(l.split(":")[1]) for l in f.read().splitlines() if "Maximum resident set size" in l)
    return ms, kb / 1024


def med(xs):
    return statistics.median(xs)


def fmt_ms(ms):
    return f"{ms / 1000:.2f} s" if ms >= 10_000 else f"{ms:.0f} ms" if ms >= 100 else f"{ms:.1f} ms"


def report(what, figure, target):
    print(f"{what}: {figure}   [target: {target}]", flush=True)


def repeat(cmd, cwd, env, runs=None):
    """Median and all runs (ms), or None when the first run timed out."""
    xs = []
    for _ in range(runs or RUNS):
        try:
            xs.append(timed(cmd, cwd, env))
        except TimedOut:
            return None, xs
    return med(xs), xs


# ---------------------------------------------------------------- corpora


def corpus(mb, sessions=None, files=5000, captured=True, init=True):
    """A cached work dir: repo (FILES files committed, git drift init) + transcripts, captured."""
    name = f"corpus-{mb:g}mb-{sessions or 'auto'}s-{files}f"
    work = os.path.join(CACHE, name)
    repo = os.path.join(work, "repo")
    done = os.path.join(work, ".generated")
    if flag("--fresh") and os.path.exists(work):
        shutil.rmtree(work)
    env = environ(work)
    if not os.path.exists(done):
        shutil.rmtree(work, ignore_errors=True)
        env = environ(work)
        os.makedirs(repo)
        run(["git", "init", "-q"], repo, env)
        extra = ["--sessions", str(sessions)] if sessions else []
        t = time.time()
        subprocess.run([sys.executable, f"{HERE}/gen_corpus.py", repo, env["CLAUDE_CONFIG_DIR"], env["CODEX_HOME"], str(mb),
                        "--files", str(files), "--make-files", *extra], check=True, env=env)
        run(["git", "add", "-A"], repo, env)
        run(["git", "commit", "-q", "-m", "initial"], repo, env)
        print(f"(generated {name} in {time.time() - t:.0f} s)", flush=True)
        open(done, "w").close()
    if init and not os.path.exists(os.path.join(work, ".init")):
        run(["git", "drift", "init"], repo, env)
        open(os.path.join(work, ".init"), "w").close()
    if captured and not os.path.exists(os.path.join(work, ".captured")):
        t = time.time()
        run(["git", "drift", "capture", "--quiet"], repo, env, timeout=3600)
        print(f"(captured {name} in {time.time() - t:.0f} s)", flush=True)
        open(os.path.join(work, ".captured"), "w").close()
    return work, repo, env


def bench_gen():
    """Only generate (and cache) a corpus; no binary needed."""
    work, _, _ = corpus(opt("--mb", 100, float), opt("--sessions", None), opt("--files", 5000), captured=False, init=False)
    size, nfiles = transcript_bytes(work)
    print(f"{work}: {size / 1e6:.1f} MB in {nfiles} transcript files")


def transcript_bytes(work):
    n = files = 0
    for d in ("claude", "codex"):
        for root, _, names in os.walk(os.path.join(work, d)):
            for x in names:
                if x.endswith(".jsonl"):
                    n += os.path.getsize(os.path.join(root, x))
                    files += 1
    return n, files


def history(commits):
    path = os.path.join(CACHE, f"history-{commits}")
    if flag("--fresh"):
        shutil.rmtree(path, ignore_errors=True)
    if not os.path.exists(os.path.join(path, ".git", "drift-bench-done")):
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run([sys.executable, f"{HERE}/gen_history.py", path, "--commits", str(commits)], check=True)
        open(os.path.join(path, ".git", "drift-bench-done"), "w").close()
    return path


def real_history(package):
    path = os.path.join(CACHE, f"real-{package}")
    if flag("--fresh"):
        shutil.rmtree(path, ignore_errors=True)
    if not os.path.exists(os.path.join(path, ".git", "drift-bench-done")):
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run([sys.executable, f"{HERE}/gen_real_history.py", path, "--package", package], check=True)
        open(os.path.join(path, ".git", "drift-bench-done"), "w").close()
    return path


# ---------------------------------------------------------------- benchmarks


def bench_hook():
    """bench/hook.py on the cached corpus of that size (captured first if it is not yet)."""
    mb = opt("--mb", 10, float)
    work, _, _ = corpus(mb, opt("--sessions", None), opt("--files", 5000))
    cmd = [sys.executable, f"{HERE}/hook.py", BIN, "--mb", f"{mb:g}", "--files", str(opt("--files", 5000)),
           "--commits", str(opt("--commits", 40)), "--work", work]
    subprocess.run(cmd + (["--trace"] if flag("--trace") else []), check=True)


def bench_backfill():
    """`git drift backfill` of the last N commits (N = 250, 500, 1000), to show it is linear.

    A clone of the cached 10 MB corpus' repository with its captured store gets 1,000 more
    commits, each changing one of the files the agents edited (fast-import, no hook); every
    run deletes the notes first, so each backfill binds its commits from scratch."""
    src_work, src_repo, _ = corpus(opt("--mb", 10, float), None)
    work = os.path.join(CACHE, "backfill-1000")
    repo = os.path.join(work, "repo")
    env = environ(src_work)  # the same HOME and agent homes: the transcripts are the corpus'
    if not os.path.exists(os.path.join(work, ".generated")):
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        run(["git", "clone", "-q", src_repo, repo], work, env)
        shutil.copytree(os.path.join(src_repo, ".prompts"), os.path.join(repo, ".prompts"),
                        ignore=shutil.ignore_patterns("*.lock"))
        stream, mark = [], 0
        for i in range(1000):
            path = f"src/d{i % 50}/f{(i * 37) % 5000 // 50 * 50 + i % 50}.py"
            with open(os.path.join(repo, path)) as f:
                body = f.read() + f"value_{i} = compute({i})\n"
            with open(os.path.join(repo, path), "w") as f:
                f.write(body)
            data = body.encode()
            msg = f"change {i}\n".encode()
            stream.append(b"commit refs/heads/main\ncommitter bench <bench@example.com> %d +0000\n" % (1_750_000_000 + i * 60)
                          + b"data %d\n%s" % (len(msg), msg) + (b"from refs/heads/main^0\n" if i == 0 else b"")
                          + b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
        subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, env=env, input=b"".join(stream), check=True)
        run(["git", "reset", "-q", "--hard", "main"], repo, env)
        # Capture once now (the store was copied from another path, so its sources are new).
        run(["git", "drift", "init"], repo, env)
        run(["git", "drift", "capture", "--quiet"], repo, env, timeout=3600)
        open(os.path.join(work, ".generated"), "w").close()
    per = []
    for n in (250, 500, 1000):
        xs = []
        for _ in range(opt("--runs", 3)):
            subprocess.run(["git", "update-ref", "-d", "refs/notes/drift"], cwd=repo, env=env)
            xs.append(timed(["git", "drift", "backfill", f"HEAD~{n}..HEAD"], repo, env, timeout=3600))
        m = med(xs)
        per.append(m / n)
        report(f"backfill of {n} commits", f"median {fmt_ms(m)} = {m / n:.1f} ms per commit", "linear in the number of commits")
    report("backfill per-commit cost, 1,000 vs 250 commits", f"{per[-1] / per[0]:.2f}x", "about 1x (linear)")


def bench_capture():
    mb = opt("--mb", 100, float)
    work, repo, env = corpus(mb, opt("--sessions", None), captured=False)
    shutil.rmtree(os.path.join(repo, ".prompts"), ignore_errors=True)
    try:
        os.remove(os.path.join(work, ".captured"))
    except FileNotFoundError:
        pass
    run(["git", "drift", "init"], repo, env)
    size, nfiles = transcript_bytes(work)
    for d in ("claude", "codex"):  # warm the page cache: measure parsing, not the disk
        subprocess.run(f"find {d} -name '*.jsonl' -exec cat {{}} + > /dev/null", shell=True, cwd=work)
    with tempfile.NamedTemporaryFile("r") as stats:
        ms, rss = peak_rss(["sh", "-c", f"git drift capture --json > {stats.name}"], repo, env, timeout=3600)
        import json
        events = json.load(open(stats.name)).get("events", 0)
    open(os.path.join(work, ".captured"), "w").close()
    s = ms / 1000
    print(f"corpus: {size / 1e6:.1f} MB in {nfiles} transcript files ({work})")
    report("first capture", f"{s:.2f} s = {size / 1e6 / s:.1f} MB/s, {events} events = {events / s:,.0f} events/s", ">= 100 MB/s, linear in size")
    report("capture peak RSS", f"{rss:.1f} MiB", "<= 20 MiB")
    m, xs = repeat(["git", "drift", "capture", "--quiet"], repo, env, 5)
    report("no-op re-capture", f"median {fmt_ms(m)} ({', '.join(fmt_ms(x) for x in xs)})", "<= 20 ms")


def bench_recapture():
    files = opt("--files", 10_000)
    work, repo, env = corpus(opt("--mb", 150, float), files)
    size, nfiles = transcript_bytes(work)
    m, xs = repeat(["git", "drift", "capture", "--quiet"], repo, env, 7)
    print(f"corpus: {nfiles} transcript files, {size / 1e6:.0f} MB, captured")
    report(f"no-op re-capture, {nfiles} files", f"median {fmt_ms(m)} (best {fmt_ms(min(xs))})", "<= 20 ms")


def bench_sessions():
    n = opt("--sessions", 1200)
    work, repo, env = corpus(opt("--mb", 300, float), n)
    for args in (["sessions"], ["sessions", "--json"]):
        m, xs = repeat(["git", "drift", *args], repo, env, opt("--runs", 3))
        fig = f"> {TIMEOUT} s (timed out)" if m is None else f"median {fmt_ms(m)} over {len(xs)} runs"
        report(f"git drift {' '.join(args)} with {n} sessions", fig, "< 300 ms for 2,000 sessions")


def bench_handoff():
    if flag("--small"):
        work, repo, env = corpus(25, 62, files=60)
        label = "50 sessions / 20 MB"
        target = "< 200 ms"
    else:
        n = opt("--sessions", 1200)
        work, repo, env = corpus(opt("--mb", 300, float), n)
        label = f"{n} sessions"
        target = "< 1 s"
    brief = os.path.join(work, "brief.md")
    xs = []
    for _ in range(opt("--runs", 5)):
        try:
            t = time.perf_counter()
            with open(brief, "wb") as f:
                run(["git", "drift", "handoff", "--print", "--quiet"], repo, env, out=f)
            xs.append((time.perf_counter() - t) * 1000)
        except subprocess.TimeoutExpired:
            report(f"handoff --print, {label}", f"> {TIMEOUT} s (timed out)", target)
            return
    text = open(brief, encoding="utf-8", errors="replace").read()
    report(f"handoff --print, {label}", f"median {fmt_ms(med(xs))}, best {fmt_ms(min(xs))}", target)
    heads = [l for l in text.splitlines() if l.startswith("#")]
    print(f"  brief: {len(text.encode()) / 1024:.1f} KB, ~{len(text) // 4} tokens; sections: {' | '.join(h.strip('# ') for h in heads[:12])}")


def bench_log():
    commits = opt("--commits", 10_000)
    repo = history(commits)
    env = environ(tempfile.mkdtemp(prefix="drift-bench-"))
    cases = [("git log --notes=drift", ["git", "log", "--notes=drift", "-n", str(commits)]),
             ("git drift log", ["git", "drift", "log", "-n", str(commits)]),
             ("git drift log --json", ["git", "drift", "log", "--json", "-n", str(commits)])]
    runs = {k: [] for k, _ in cases}
    for _ in range(opt("--runs", 5)):
        for k, cmd in cases:
            try:
                runs[k].append(timed(cmd, repo, env))
            except TimedOut:
                runs[k].append(float("inf"))
    base = med(runs[cases[0][0]])
    print(f"repository: {repo} ({commits} commits, notes on refs/notes/drift and refs/notes/remotes/origin/drift)")
    for k, _ in cases:
        m = med(runs[k])
        report(f"{k} -n {commits}", f"median {fmt_ms(m)} ({m / base:.1f}x git log --notes=drift)",
               "< 1 s" if "drift log" in k else "baseline")


def blame_files(repo, env, files, label):
    """Per-file interleaved medians: drift blame --json vs git blame --porcelain."""
    worst, tot_g, tot_d, rows = 0.0, 0.0, 0.0, []
    for f in files:
        g, d = [], []
        for _ in range(opt("--runs", 5)):
            g.append(timed(["git", "blame", "--porcelain", "--", f], repo, env))
            d.append(timed([*BLAME, "--json", "--", f], repo, env))
        mg, md = med(g), med(d)
        tot_g += mg
        tot_d += md
        worst = max(worst, md / mg)
        rows.append((md / mg, f, mg, md))
    rows.sort(reverse=True)
    for ratio, f, mg, md in rows[:8]:
        print(f"  {f}: git blame {fmt_ms(mg)}, drift blame {fmt_ms(md)} = {ratio:.2f}x")
    report(f"blame, {label}: worst file", f"{worst:.2f}x", "<= 1.3x on every file, ideally <= 1.1x")
    report(f"blame, {label}: all {len(files)} files together", f"{tot_d / tot_g:.2f}x ({fmt_ms(tot_d)} vs {fmt_ms(tot_g)})", "<= 1.3x")


def bench_blame():
    env = environ(tempfile.mkdtemp(prefix="drift-bench-"))
    package = opt("--package", "commander")
    repo = real_history(package)
    files = subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True, check=True).stdout.split()
    commits = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    print(f"real history: npm {package}, {commits} commits, every file at HEAD ({len(files)})")
    blame_files(repo, env, files, f"real history ({package})")
    if not flag("--real-only"):
        h = history(opt("--commits", 10_000))
        counts = subprocess.run("git log --format= --name-only | sort | uniq -c | sort -rn | head -3", shell=True, cwd=h,
                                capture_output=True, text=True).stdout.split()
        hot = [counts[i + 1] for i in range(0, len(counts), 2)]
        print(f"10,000-commit history: CHANGELOG.md and the most-changed files {hot}")
        blame_files(h, env, sorted(set(["CHANGELOG.md", *hot])), "10,000-commit history")


def bench_note_size():
    n = opt("--sessions", 1200)
    work, repo, env = corpus(opt("--mb", 300, float), n)
    path = os.path.join(repo, "README.human")
    with open(path, "a") as f:
        f.write(f"a line a human wrote at {time.time()}\n")
    run(["git", "add", "README.human"], repo, env)
    t = time.perf_counter()
    run(["git", "commit", "-q", "-m", "one human line"], repo, env)
    ms = (time.perf_counter() - t) * 1000
    time.sleep(1)  # the hook may finish in the background
    r = subprocess.run(["git", "notes", "--ref=drift", "show", "HEAD"], cwd=repo, env=env, capture_output=True)
    note = r.stdout if r.returncode == 0 else b""
    sessions = sum(1 for l in note.splitlines() if l.startswith(b"session "))
    report(f"note of a one-line human commit, {n} sessions captured",
           f"{len(note):,} bytes, {sessions} session records (git commit took {fmt_ms(ms)})",
           "only sessions that contributed (here none): well under 1 KB")


def bench_rss():
    mb = opt("--mb", 1000, float)
    work, repo, env = corpus(mb, opt("--sessions", None))
    size, nfiles = transcript_bytes(work)
    f = subprocess.run("git ls-files | head -1", shell=True, cwd=repo, env=env, capture_output=True, text=True).stdout.strip()
    cmds = [["git", "drift", "capture", "--quiet"], ["git", "drift", "sessions"], ["git", "drift", "sessions", "--json"],
            ["git", "drift", "log", "-n", "100"], ["git", "drift", "show", "HEAD"], ["git", "drift", "blame", "--", f],
            ["git", "drift", "handoff", "--print", "--quiet"], ["git", "drift", "stats"]]
    print(f"history: {size / 1e6:.0f} MB in {nfiles} transcript files, captured ({work})")
    for cmd in cmds:
        try:
            ms, rss = peak_rss(cmd, repo, env)
            report(" ".join(cmd[1:]), f"peak RSS {rss:.1f} MiB ({fmt_ms(ms)})", "recorded")
        except TimedOut:
            report(" ".join(cmd[1:]), f"> {TIMEOUT} s (timed out)", "recorded")
        except SystemExit as e:
            report(" ".join(cmd[1:]), f"failed: {str(e)[:200]}", "recorded")
    # The hook: one agent-free commit, the post-commit hook runs inside git commit.
    with open(os.path.join(repo, "README.human"), "a") as fh:
        fh.write("x\n")
    run(["git", "add", "README.human"], repo, env)
    ms, rss = peak_rss(["git", "commit", "-q", "-m", "rss"], repo, env)
    report("git commit with the post-commit hook", f"peak RSS {rss:.1f} MiB (largest process; {fmt_ms(ms)})", "recorded")


BENCHES = {"gen": bench_gen, "hook": bench_hook, "backfill": bench_backfill, "capture": bench_capture, "recapture": bench_recapture, "sessions": bench_sessions,
           "handoff": bench_handoff, "log": bench_log, "blame": bench_blame, "note-size": bench_note_size, "rss": bench_rss}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in BENCHES:
        print(__doc__, file=sys.stderr)
        sys.exit(1)
    if sys.argv[1] != "gen" and not os.path.exists(os.path.join(BIN, BLAME[0] if sys.argv[1] == "blame" and BLAME[0] != "git" else "git-drift")):
        sys.exit(f"no git-drift in {BIN}: run `cargo build --release` first (or pass --bin DIR)")
    os.makedirs(CACHE, exist_ok=True)
    print(f"== {sys.argv[1]} {' '.join(ARGS)}  (binaries: {BIN}; {time.strftime('%Y-%m-%d %H:%M')}, "
          f"load {os.getloadavg()[0]:.1f})", flush=True)
    BENCHES[sys.argv[1]]()


if __name__ == "__main__":
    main()
