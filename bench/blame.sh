#!/usr/bin/env bash
# Blame benchmark: a repository with one 5,000-line file touched by 1,000 commits, every commit
# carrying a drift note (several agents, models and sessions, human lines, per-line hashes).
# Reports `git drift blame --json` against `git blame --porcelain` on the same file in the same
# run (median of N runs each, interleaved), the human output, and `--timeline` for one line.
#
#   bench/blame.sh [RUNS]          (default 7)
#   BIN=target/debug bench/blame.sh   use already-built binaries instead of a release build
#   KEEP=1 bench/blame.sh             keep the generated repository
set -euo pipefail
runs="${1:-7}"
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${BIN:-}" ]; then
  (cd "$here" && cargo build --release --quiet --bins)
  bin="$here/target/release"
else
  bin="$(cd "$here" && cd "$BIN" && pwd)"
fi
work="$(mktemp -d)"
# KEEP=1 keeps the generated repository for poking at (its path is printed).
if [ -n "${KEEP:-}" ]; then echo "work: $work"; else trap 'rm -rf "$work"' EXIT; fi
export HOME="$work/home" GIT_CONFIG_GLOBAL="$work/home/.gitconfig" GIT_CONFIG_NOSYSTEM=1 TZ=UTC
export CLAUDE_CONFIG_DIR="$work/claude" CODEX_HOME="$work/codex" PATH="$bin:$PATH"
export GIT_PAGER=cat NO_COLOR=1
mkdir -p "$HOME" "$work/repo" "$CLAUDE_CONFIG_DIR" "$CODEX_HOME"
git config --global user.name bench; git config --global user.email bench@example.com
repo="$(cd "$work/repo" && pwd -P)"
git -C "$repo" init -q -b main

# One fast-import stream: 1,000 commits on main (the first creates the file, each later one
# replaces, inserts or deletes a few unique lines), then one notes commit with a drift-note/1
# note per commit that attributes exactly the lines the commit added.
python3 - "$repo" > "$work/stream" <<'PY'
import hashlib, random, sys
random.seed(42)
LINES, COMMITS = 5000, 1000
AGENTS = [("claude-code", "claude-opus-4-5-20251101"), ("claude-code", "claude-sonnet-4-5-20250929"),
          ("codex", "gpt-5-codex")]
SESSIONS = [("%08x-0000-4000-8000-%012x" % (0x5f2e9100 + i, i), *AGENTS[i % 3]) for i in range(12)]
out = sys.stdout.buffer
def data(b):
    out.write(b"data %d\n" % len(b)); out.write(b); out.write(b"\n")
def h8(s):
    return hashlib.sha256(s.rstrip().encode()).hexdigest()[:8]
def tok(s):
    return s if s and all(c not in s for c in ' "') else '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'
serial = 0
def fresh(tag):
    global serial
    serial += 1
    return "    value_%d = compute(%r, %d)  # %s" % (serial, tag, random.randrange(10**6), tag)
lines = [fresh("c0") for _ in range(LINES)]
notes = []
t0 = 1768471200
for c in range(COMMITS):
    if c == 0:
        added = list(range(1, LINES + 1))
    else:
        added = []
        for _ in range(random.randint(2, 8)):
            n = random.randrange(len(lines))
            kind = random.random()
            if kind < 0.7:
                lines[n] = fresh("c%d" % c); added.append(n + 1)
            elif kind < 0.85:
                lines.insert(n, fresh("c%d" % c))
                added = [a + 1 if a >= n + 1 else a for a in added]; added.append(n + 1)
            elif len(lines) > LINES // 2:
                del lines[n]
                added = [a - 1 if a > n + 1 else a for a in added if a != n + 1]
        added = sorted(set(added))
    text = "\n".join(lines) + "\n"
    out.write(b"commit refs/heads/main\nmark :%d\n" % (c + 1))
    ts = t0 + c * 600
    out.write(b"committer bench <bench@example.com> %d +0000\n" % ts)
    data(b"change %d" % c)
    if c > 0:
        out.write(b"from :%d\n" % c)
    out.write(b"M 100644 inline bench.py\n"); data(text.encode())
    # The note: added lines in runs, each run by one session (or a human), with hashes.
    sid, agent, model = SESSIONS[c % len(SESSIONS)]
    recs = ["drift-note/1"]
    prompt = "change number %d: make the values compute differently" % c
    pkey = hashlib.sha256(prompt.encode()).hexdigest()[:8]
    runs, start = [], None
    for i, a in enumerate(added):
        if start is None: start = prev = a; continue
        if a == prev + 1: prev = a; continue
        runs.append((start, prev)); start = prev = a
    if start is not None: runs.append((start, prev))
    for k, (s, e) in enumerate(runs):
        rng = str(s) if s == e else "%d-%d" % (s, e)
        hs = ",".join(h8(lines[i - 1]) for i in range(s, e + 1))
        if k % 4 == 3:
            recs.append("file bench.py %s human h=%s" % (rng, hs))
        else:
            who = "modified" if k % 4 == 2 else "ai"
            recs.append("file bench.py %s %s %s p=%s h=%s" % (rng, who, sid, pkey, hs))
    start_iso = "2026-01-15T%02d:%02d:00Z" % (c // 60 % 24, c % 60)
    recs.append("session %s agent=%s model=%s start=%s end=%s accepted=%d rejected=0 superseded=0"
                % (sid, agent, model, start_iso, start_iso, len(runs)))
    recs.append('session-prompt %s %s %s' % (sid, pkey, tok(prompt)))
    notes.append("\n".join(sorted(recs)) + "\n")
out.write(b"commit refs/notes/drift\ncommitter bench <bench@example.com> %d +0000\n" % (t0 + COMMITS * 600))
data(b"Notes added by 'git drift'")
for c, n in enumerate(notes):
    out.write(b"N inline :%d\n" % (c + 1)); data(n.encode())
PY
git -C "$repo" fast-import --quiet < "$work/stream"
git -C "$repo" reset -q --hard main
cd "$repo"
git drift init > /dev/null
echo "repo: $(git rev-list --count HEAD) commits, $(wc -l < bench.py) lines in bench.py, $(git notes --ref=drift list | wc -l) notes"

# Interleaved runs; medians of wall time and of CPU time (user + system, children included, so
# the CPU figure of git drift includes the git blame it runs) in milliseconds. On a busy machine
# the CPU ratio is the steadier one.
run() { # name command...
  local name="$1"; shift
  /usr/bin/time -f "%e %U %S" -o "$work/t" "$@" > /dev/null
  awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}' "$work/t" >> "$work/$name"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
wall() { cut -d' ' -f1 < "$work/$1" | median; }
cpu() { cut -d' ' -f2 < "$work/$1" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
git blame --porcelain bench.py > /dev/null  # warm the caches once
for _ in $(seq "$runs"); do
  run git git blame --porcelain bench.py
  run json git drift blame --json bench.py
  run human git drift blame bench.py
  run timeline git drift blame --timeline --line 2500 bench.py
done
printf '%-42s %6s %6s %12s\n' "" "wall" "cpu" "ratio w/cpu"
printf '%-42s %4s ms %4s ms\n' "git blame --porcelain bench.py" "$(wall git)" "$(cpu git)"
for n in json human; do
  label="git drift blame --json bench.py"; [ "$n" = human ] && label="git drift blame bench.py"
  printf '%-42s %4s ms %4s ms  %sx / %sx\n' "$label" "$(wall $n)" "$(cpu $n)" \
    "$(ratio "$(wall $n)" "$(wall git)")" "$(ratio "$(cpu $n)" "$(cpu git)")"
done
printf '%-42s %4s ms %4s ms\n' "git drift blame --timeline --line 2500" "$(wall timeline)" "$(cpu timeline)"
echo "(medians of $runs interleaved runs; binaries from $bin)"
# Sanity: every line attributed from a note, none unknown.
git drift blame --json bench.py | python3 -c '
import json, sys, collections
d = json.load(sys.stdin); c = collections.Counter(l["who"] for l in d["lines"])
print("lines by who:", dict(c))'
