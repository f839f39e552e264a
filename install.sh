#!/usr/bin/env bash
# Build git drift in release mode and install its binaries where git finds them.
#
#   ./install.sh               build, install to $PREFIX/bin (default ~/.local/bin), and run
#                              `git drift init` when run inside another git repository
#                              (never in the git drift source itself)
#   ./install.sh --init        also run `git drift init` in the current repository, whichever
#   ./install.sh --no-init     install only
#   ./install.sh --uninstall   remove the installed binaries
#
# PREFIX sets the install root (binaries go to $PREFIX/bin). DRIFT_BUILD_PROFILE=dev installs
# an unoptimised build (used by the test suite to keep it fast).
set -euo pipefail

BINS=(git-drift git-drift-blame git-drift-handoff)
PREFIX="${PREFIX:-$HOME/.local}"
BIN_DIR="$PREFIX/bin"
MAN_DIR="$PREFIX/share/man/man1"
init=1
action=install

for arg in "$@"; do
  case "$arg" in
    --no-init) init=0 ;;
    --init) init=2 ;;
    --uninstall) action=uninstall ;;
    -h|--help)
      sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
      exit 0 ;;
    *) echo "install.sh: unknown option '$arg' (try --help)" >&2; exit 1 ;;
  esac
done

if [ "$action" = uninstall ]; then
  removed=0
  for b in "${BINS[@]}"; do
    if [ -e "$BIN_DIR/$b" ]; then rm -f "$BIN_DIR/$b"; echo "removed $BIN_DIR/$b"; removed=1; fi
  done
  # git-drift.1 and one page per subcommand (git-drift-log.1, ...).
  for page in "$MAN_DIR"/git-drift.1 "$MAN_DIR"/git-drift-*.1; do
    if [ -e "$page" ]; then rm -f "$page"; echo "removed $page"; fi
  done
  [ "$removed" = 1 ] || echo "nothing to remove in $BIN_DIR"
  echo "hooks stay in repositories until you run 'git drift init --uninstall' there (before uninstalling)"
  exit 0
fi

command -v cargo >/dev/null 2>&1 || { echo "install.sh: cargo not found; install Rust from https://rustup.rs" >&2; exit 1; }
command -v git >/dev/null 2>&1 || { echo "install.sh: git not found" >&2; exit 1; }

src="$(cd "$(dirname "$0")" && pwd)"
profile="${DRIFT_BUILD_PROFILE:-release}"
case "$profile" in
  release) flags=(--release); out="$src/target/release" ;;
  dev) flags=(); out="$src/target/debug" ;;
  *) echo "install.sh: DRIFT_BUILD_PROFILE must be release or dev" >&2; exit 1 ;;
esac
echo "building git drift ($profile) with cargo; a first build compiles about 200 crates and"
echo "takes a few minutes (2-4 on a laptop), later builds only the crate itself…"
(cd "$src" && cargo build "${flags[@]}" --locked --bins)

mkdir -p "$BIN_DIR"
for b in "${BINS[@]}"; do
  # Copy to a temp name then rename, so a running hook never sees a half-written binary.
  install -m 0755 "$out/$b" "$BIN_DIR/.$b.tmp"
  mv -f "$BIN_DIR/.$b.tmp" "$BIN_DIR/$b"
done
echo "installed ${BINS[*]} to $BIN_DIR"
# Man pages, so `git drift --help` (git turns it into `git help drift`) has a page to show.
"$BIN_DIR/git-drift" man --dir "$MAN_DIR" > /dev/null && echo "installed man pages to $MAN_DIR"

echo "shell completions: git drift completions bash > ~/.local/share/bash-completion/completions/git-drift"
echo "  (zsh, fish, powershell too; see git drift completions --help)"

case ":$PATH:" in
  *":$BIN_DIR:"*) ;;
  *) echo "warning: $BIN_DIR is not on your PATH; add it, e.g.: export PATH=\"$BIN_DIR:\$PATH\"" >&2 ;;
esac

# The quick start runs this from the git drift clone: setting that clone up would leave
# .prompts/, hooks and a notes refspec in it. Only another repository, or --init, gets init.
if [ "$init" != 0 ] && top="$(git rev-parse --show-toplevel 2>/dev/null)"; then
  if [ "$init" = 2 ] || [ "$(cd "$top" && pwd -P)" != "$(cd "$src" && pwd -P)" ]; then
    PATH="$BIN_DIR:$PATH" git drift init
  else
    echo "not running 'git drift init' in the git drift source; run it in your projects"
    echo "(or ./install.sh --init to set this clone up too)"
  fi
fi
