#!/usr/bin/env bash
# Installs the pinned agent CLIs the conformance suite drives (tests/test_conformance/) into a
# cache outside the clone, keyed by the versions, so a fresh CI clone reuses it:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/git-drift/conformance/claude-<v>_codex-<v>/
#   ${XDG_CACHE_HOME:-$HOME/.cache}/git-drift/conformance/gemini-<v>_opencode-<v>/
# Idempotent: when the cache holds the CLIs it does nothing. Prints the Claude/Codex cache folder
# on stdout (the tests find it by the same rule, or through DRIFT_CONFORMANCE_HOME); the
# Gemini CLI / OpenCode folder is found by its rule, or through DRIFT_CONFORMANCE_GEMINI_HOME.
# Newer versions: DRIFT_CLAUDE_VERSION=2.1.332 DRIFT_CODEX_VERSION=0.172.0 tests/conformance/install.sh
# (DRIFT_GEMINI_VERSION and DRIFT_OPENCODE_VERSION likewise).
set -euo pipefail

# The versions the suite was last run against (README "Conformance suite" lists them too).
CLAUDE_VERSION="${DRIFT_CLAUDE_VERSION:-2.1.197}"
CODEX_VERSION="${DRIFT_CODEX_VERSION:-0.171.0}"
GEMINI_VERSION="${DRIFT_GEMINI_VERSION:-0.61.0}"
OPENCODE_VERSION="${DRIFT_OPENCODE_VERSION:-1.18.33}"

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/git-drift/conformance"
dir="${DRIFT_CONFORMANCE_HOME:-$cache_root/claude-${CLAUDE_VERSION}_codex-${CODEX_VERSION}}"

claude_bin="$dir/node_modules/.bin/claude"
codex_bin="$dir/node_modules/.bin/codex"

# A CLI counts as installed only when it runs: a cache left half-done (an interrupted npm, a
# postinstall that never copied Claude's native binary) is completed, not trusted.
cli_works() { [ -x "$1" ] && timeout 60 "$1" --version >/dev/null 2>&1; }

# Gemini CLI and OpenCode (~450 MB), in their own folder so that pinning them anew does not
# download Claude Code and Codex again.
install_gemini_opencode() {
  local gdir="${DRIFT_CONFORMANCE_GEMINI_HOME:-$cache_root/gemini-${GEMINI_VERSION}_opencode-${OPENCODE_VERSION}}"
  local gemini_bin="$gdir/node_modules/.bin/gemini" opencode_bin="$gdir/node_modules/.bin/opencode"
  if [ -f "$gdir/.complete" ] && cli_works "$gemini_bin" && cli_works "$opencode_bin"; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || { echo "install.sh: npm is required (install Node.js)" >&2; exit 2; }
  mkdir -p "$gdir"
  rm -f "$gdir/.complete"
  [ -f "$gdir/package.json" ] || echo '{"name":"git-drift-conformance","private":true}' >"$gdir/package.json"
  echo "install.sh: installing @google/gemini-cli@$GEMINI_VERSION opencode-ai@$OPENCODE_VERSION into $gdir" >&2
  npm install --prefix "$gdir" --no-audit --no-fund --loglevel=error \
    "@google/gemini-cli@$GEMINI_VERSION" "opencode-ai@$OPENCODE_VERSION" >&2
  # OpenCode links its native binary in a postinstall script, skipped under --ignore-scripts.
  if ! cli_works "$opencode_bin"; then
    echo "install.sh: running OpenCode's postinstall (postinstall.mjs)" >&2
    (cd "$gdir/node_modules/opencode-ai" && node postinstall.mjs) >&2
  fi
  for b in "$gemini_bin" "$opencode_bin"; do
    cli_works "$b" || { echo "install.sh: $b does not run after install" >&2; exit 1; }
  done
  {
    echo "gemini $("$gemini_bin" --version 2>/dev/null | head -1)"
    echo "opencode $("$opencode_bin" --version 2>/dev/null | head -1)"
  } >"$gdir/.complete"
}
install_gemini_opencode

if [ -f "$dir/.complete" ] && cli_works "$claude_bin" && cli_works "$codex_bin"; then
  echo "$dir"
  exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "install.sh: npm is required (install Node.js)" >&2; exit 2; }
mkdir -p "$dir"
rm -f "$dir/.complete"
# A package.json of our own keeps npm from walking up into some parent project.
[ -f "$dir/package.json" ] || echo '{"name":"git-drift-conformance","private":true}' >"$dir/package.json"
echo "install.sh: installing @anthropic-ai/claude-code@$CLAUDE_VERSION @openai/codex@$CODEX_VERSION into $dir" >&2
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
  "@anthropic-ai/claude-code@$CLAUDE_VERSION" "@openai/codex@$CODEX_VERSION" >&2

# Claude Code copies its native binary in a postinstall script; npm skips it under
# --ignore-scripts (or an npmrc saying so), so run it when the CLI does not start.
if ! cli_works "$claude_bin"; then
  echo "install.sh: running Claude Code's postinstall (install.cjs)" >&2
  (cd "$dir/node_modules/@anthropic-ai/claude-code" && node install.cjs) >&2
fi
for b in "$claude_bin" "$codex_bin"; do
  cli_works "$b" || { echo "install.sh: $b does not run after install" >&2; exit 1; }
done
{
  echo "claude $("$claude_bin" --version 2>/dev/null | head -1)"
  echo "codex $("$codex_bin" --version 2>/dev/null | head -1)"
} >"$dir/.complete"
echo "$dir"
