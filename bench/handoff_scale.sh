#!/usr/bin/env bash
# Handoff at scale: a branch with 1,000+ sessions (issue 19 item 4). Generates the corpus with
# gen_corpus.py (every session of this repository on branch main, editing the same 51 files, so
# the branch holds thousands of edits), captures once, then times `git drift handoff --print`
# and checks the brief stays within its token bound with its sections kept.
#
#   bench/handoff_scale.sh [SESSIONS] [MEGABYTES] [RUNS]
#
# PROFILE as in bench/handoff.sh (release, opt or debug). Target: < 1 s.
set -euo pipefail
sessions="${1:-1250}"; mb="${2:-60}"; runs="${3:-3}"
profile="${PROFILE:-release}"
here="$(cd "$(dirname "$0")/.." && pwd)"
case "$profile" in
  release) (cd "$here" && cargo build --release --quiet --bins); bin="$here/target/release" ;;
  opt) (cd "$here" && cargo build --quiet --bins --config 'profile.dev.package.git-drift.opt-level=3')
       bin="$here/target/debug" ;;
  *) (cd "$here" && cargo build --quiet --bins); bin="$here/target/debug" ;;
esac
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
export HOME="$work/home" GIT_CONFIG_GLOBAL="$work/home/.gitconfig" GIT_CONFIG_NOSYSTEM=1 TZ=UTC
export CLAUDE_CONFIG_DIR="$work/claude" CODEX_HOME="$work/codex" PATH="$bin:$PATH"
mkdir -p "$HOME" "$work/repo"
git config --global user.name bench; git config --global user.email bench@example.com
repo="$(cd "$work/repo" && pwd -P)"
git -C "$repo" init -q -b main
python3 "$here/bench/gen_corpus.py" "$repo" "$CLAUDE_CONFIG_DIR" "$CODEX_HOME" "$mb" --sessions "$sessions"
mkdir -p "$repo/src"
for i in $(seq 0 50); do
  python3 -c "import sys; print(''.join(f'    value_{n} = compute({n})\n' for n in range(120)))" > "$repo/src/m$i.py"
done
git -C "$repo" add -A && git -C "$repo" commit -qm "bench files"
cd "$repo"
git-drift capture --quiet
times=()
for _ in $(seq "$runs"); do
  s=$(date +%s%N)
  git-drift handoff --print --quiet > "$work/brief.md"
  e=$(date +%s%N)
  times+=($(( (e - s) / 1000000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
chars=$(wc -m < "$work/brief.md")
count=$(grep -o '"session_count":[0-9]*' "$work/brief.md" | cut -d: -f2)
edits=$(python3 - "$repo/.prompts/events.db" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from events where kind='edit'").fetchone()[0])
PY
)
echo "$count sessions on the branch, $edits edit events ($profile build)"
echo "handoff --print: best ${sorted[0]} ms, median ${sorted[$(( ${#sorted[@]} / 2 ))]} ms over $runs runs (target < 1000 ms)"
echo "brief: $chars characters (~$(( chars / 4 )) tokens; bound: handoff.brief_tokens, default $(git-drift config get handoff.brief_tokens 2>/dev/null || echo 6000))"
for h in Task Done Decided "Tried and rejected" Open "Files in scope" "Resume here"; do
  n=$(awk -v h="## $h" '$0==h{on=1;next} /^## /{on=0} on && /^- /' "$work/brief.md" | wc -l)
  echo "  $h: $n items"
done
