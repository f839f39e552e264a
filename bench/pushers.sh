#!/usr/bin/env bash
# 8 clones pushing at once, 20 rounds, to one bare remote (issue 12 item 10): every clone makes
# one agent commit per round (its post-commit hook writes the note), then all 8 `git push` at
# the same moment; the pre-push hooks fetch, merge and push refs/notes/drift. Prints how many
# of the 160 notes the server lacks at the end, and how long it took.
#
# Target: 0 notes missing, without `git drift sync` by hand.
#
#   bench/pushers.sh            (uses the test harness: hermetic HOME, real git, our binaries)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --test runner -- --ignored --exact \
  test_faults::eight_clones_pushing_at_once_for_twenty_rounds_lose_no_notes --nocapture 2>&1 |
  grep -E "pushers x|test result|panicked|missing" || true
