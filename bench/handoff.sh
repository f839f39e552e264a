#!/usr/bin/env bash
# Handoff benchmark: a branch with about 50 sessions and 20 MB of transcripts (Claude Code and
# Codex, plus a fifth as much noise from other projects), captured once; then the time of an
# offline brief, `git drift handoff --print` (which includes its own no-op capture pass),
# best and median of several runs.
#
#   bench/handoff.sh [RUNS]
#
# PROFILE=release (default) builds and measures target/release. PROFILE=opt measures a dev
# build with only git-drift itself at opt-level 3 (dependencies stay at the dev profile's
# opt-level 1: slower than release, and no release build needed). PROFILE=debug measures the
# plain dev build.
set -euo pipefail
runs="${1:-7}"
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
# 25 MB over ~62 sessions: ~50 of them (~20 MB) are this repository's, most on branch main.
# The files the sessions edit exist (--make-files), so the brief reads and snippets them.
python3 "$here/bench/gen_corpus.py" "$repo" "$CLAUDE_CONFIG_DIR" "$CODEX_HOME" 25 --sessions 62 --files 60 --make-files
git -C "$repo" add -A && git -C "$repo" commit -qm "bench files"
cd "$repo"
git-drift capture --quiet
sessions=$(git-drift sessions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
mine=$(find "$work/claude" "$work/codex" -name '*.jsonl' -print0 | xargs -0 grep -l -F "$repo" | xargs cat | wc -c)
times=()
for _ in $(seq "$runs"); do
  s=$(date +%s%N)
  git-drift handoff --print --quiet > "$work/brief.md"
  e=$(date +%s%N)
  times+=($(( (e - s) / 1000000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
chars=$(wc -m < "$work/brief.md")
echo "$sessions sessions, $(python3 -c "print(f'{$mine/1e6:.1f}')") MB of this repository's transcripts ($profile build)"
echo "offline brief: best ${sorted[0]} ms, median ${sorted[$(( ${#sorted[@]} / 2 ))]} ms over $runs runs; brief $chars characters (~$(( chars / 4 )) tokens)"
