#!/usr/bin/env python3
"""post-commit hook overhead benchmark.

Builds a repository with FILES files, a captured transcript history of about MB megabytes
(bench/gen_corpus.py), installs the hooks, then makes COMMITS commits, each after an agent edit
appended to a live Claude transcript, alternating a commit with the hooks and one with hooks
disabled (core.hooksPath=/dev/null). Reports the median time added to `git commit`.

usage: hook.py BIN_DIR [--files N] [--mb N] [--commits N] [--trace] [--keep] [--work DIR]

--work DIR: use an already generated and captured corpus (DIR/repo, DIR/claude, DIR/codex,
DIR/home, as bench/run.py caches them) instead of generating one in a temporary directory;
the commits are then made in DIR/repo and the live session's transcript grows there.

Target: <= 20 ms median added, flat from 10 MB to 1 GB of history.
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

def arg(name, default):
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default

bin_dir = os.path.abspath(sys.argv[1])
files, mb, commits = arg("--files", 5000), arg("--mb", 50), arg("--commits", 40)
here = os.path.dirname(os.path.abspath(__file__))
given = sys.argv[sys.argv.index("--work") + 1] if "--work" in sys.argv else None
work = os.path.abspath(given) if given else tempfile.mkdtemp()
env = dict(os.environ, **({"GIT_DRIFT_TRACE": "1"} if "--trace" in sys.argv else {}), HOME=f"{work}/home", GIT_CONFIG_GLOBAL=f"{work}/home/.gitconfig", GIT_CONFIG_NOSYSTEM="1",
           TZ="UTC", CLAUDE_CONFIG_DIR=f"{work}/claude", CODEX_HOME=f"{work}/codex", PATH=f"{bin_dir}:{os.environ['PATH']}")
os.makedirs(f"{work}/home", exist_ok=True); os.makedirs(f"{work}/repo", exist_ok=True)
repo = os.path.realpath(f"{work}/repo")
def git(*a):
    r = subprocess.run(["git", *a], cwd=repo, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"git {' '.join(a)} failed: {r.stderr.strip()}")
    return r.stdout
if not given:
    git("config", "--global", "user.name", "bench"); git("config", "--global", "user.email", "b@example.com")
    git("init", "-q")
    for i in range(files):
        d = f"{repo}/src/d{i % 50}"
        os.makedirs(d, exist_ok=True)
        with open(f"{d}/f{i}.py", "w") as f:
            f.write("".join(f"line_{j} = {j}\n" for j in range(40)))
    git("add", "-A"); git("commit", "-q", "-m", "initial")
    subprocess.run([sys.executable, f"{here}/gen_corpus.py", repo, f"{work}/claude", f"{work}/codex", str(mb)], check=True, env=env)
    git("drift", "init")
# Captures what is new (all of it for a fresh corpus; nothing, or the last run's live session,
# for a cached one) so that the commits below measure the steady state.
t = time.time(); git("drift", "capture", "--quiet"); print(f"capture before the commits: {time.time() - t:.2f} s")

enc = "".join(c if c.isalnum() else "-" for c in repo)
live = f"{work}/claude/projects/{enc}/ffffffff-0000-4000-8000-000000000000.jsonl"
n = int(time.time() * 1000) % 10_000_000  # unique ids across runs on a cached corpus
def agent_edit(path):
    global n
    n += 1
    old = open(path).read()
    new_line = f"value_{n} = compute({n})\n"
    open(path, "a").write(new_line)
    ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    rec = {"type": "assistant", "cwd": repo, "sessionId": "ffffffff-0000-4000-8000-000000000000", "uuid": f"u{n}",
           "timestamp": ts, "gitBranch": "main", "message": {"model": "claude-sonnet-4-5-20250929", "id": f"m{n}", "role": "assistant",
           "content": [{"type": "tool_use", "id": f"t{n}", "name": "Edit", "input": {"file_path": path, "old_string": old[-20:], "new_string": old[-20:] + new_line}}]}}
    res = {"type": "user", "cwd": repo, "sessionId": "ffffffff-0000-4000-8000-000000000000", "uuid": f"r{n}", "timestamp": ts,
           "message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": f"t{n}", "content": "ok"}]}}
    with open(live, "a") as f:
        f.write(json.dumps(rec) + "\n" + json.dumps(res) + "\n")

with_hook, without = [], []
for i in range(commits):
    j = (n + i) % files
    path = f"{repo}/src/d{j % 50}/f{j}.py"
    agent_edit(path)
    git("add", path)
    hooked = i % 2 == 0
    cmd = ["git", "commit", "-q", "-m", f"c{i}"] if hooked else ["git", "-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", f"c{i}"]
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=repo, env=env, check=True, capture_output=True, text=True)
    (with_hook if hooked else without).append((time.perf_counter() - t) * 1000)
    if hooked:
        last_trace = r.stderr
notes = git("notes", "--ref=drift", "list").split("\n")
transcripts = sum(os.path.getsize(os.path.join(r, x)) for d in ("claude", "codex") for r, _, xs in os.walk(f"{work}/{d}") for x in xs if x.endswith(".jsonl"))
print(f"{files} files, {transcripts / 1e6:.0f} MB captured history, {commits} commits ({len([x for x in notes if x])} notes)")
print(f"git commit median: {statistics.median(without):.1f} ms without hooks, {statistics.median(with_hook):.1f} ms with git drift")
if "--trace" in sys.argv:
    print(last_trace)
print(f"median added by the post-commit hook: {statistics.median(with_hook) - statistics.median(without):.1f} ms (target <= 20 ms, flat in history size)")
if given:
    pass
elif "--keep" in sys.argv:
    print(f"kept {work}")
else:
    shutil.rmtree(work, ignore_errors=True)
