#!/usr/bin/env bash
# Capture benchmark: generate a synthetic corpus (default 120 MB, a fifth of it other
# projects' sessions), capture it into a fresh repository, and report throughput, events/s,
# peak RSS, and the time of a re-capture with nothing new.
#
#   bench/capture.sh [MEGABYTES]
set -euo pipefail
mb="${1:-120}"
here="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$here" && cargo build --release --quiet --bins)
bin="$here/target/release"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
export HOME="$work/home" GIT_CONFIG_GLOBAL="$work/home/.gitconfig" GIT_CONFIG_NOSYSTEM=1 TZ=UTC
export CLAUDE_CONFIG_DIR="$work/claude" CODEX_HOME="$work/codex" PATH="$bin:$PATH"
mkdir -p "$HOME" "$work/repo"
git config --global user.name bench; git config --global user.email bench@example.com
repo="$(cd "$work/repo" && pwd -P)"
git -C "$repo" init -q
python3 "$here/bench/gen_corpus.py" "$repo" "$CLAUDE_CONFIG_DIR" "$CODEX_HOME" "$mb"
bytes=$(find "$work/claude" "$work/codex" -name '*.jsonl' -printf '%s\n' | awk '{s+=$1} END {print s}')
cd "$repo"
# Warm the page cache so we measure parsing, not the disk.
cat $(find "$work/claude" "$work/codex" -name '*.jsonl') > /dev/null
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$work/rss" git-drift capture --json > "$work/stats.json"
end=$(date +%s.%N)
events=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$work/stats.json")
python3 - "$bytes" "$start" "$end" "$events" "$(cat "$work/rss")" <<'PY'
import sys
b, s, e, ev, rss = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
d = e - s
print(f"corpus {b/1e6:.1f} MB, first capture {d:.2f} s: {b/1e6/d:.0f} MB/s, {ev} events, {ev/d:.0f} events/s, peak RSS {rss/1024:.1f} MiB")
PY
for i in 1 2 3 4 5; do
  s=$(date +%s%N); git-drift capture --quiet; e=$(date +%s%N)
  echo "re-capture with nothing new: $(( (e - s) / 1000000 )) ms"
done
