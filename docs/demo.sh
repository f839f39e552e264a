#!/usr/bin/env bash
# Builds a small demo repository with a Claude Code and a Codex session and runs every git
# drift command on it; the README's example outputs come from this script.
#
#   docs/demo.sh [BIN_DIR]     (default: target/debug, built first)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$here/target/debug}"
[ "${1:-}" ] || (cd "$here" && cargo build --quiet --bins)
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
export HOME="$work/home" GIT_CONFIG_GLOBAL="$work/home/.gitconfig" GIT_CONFIG_NOSYSTEM=1 TZ=UTC
export CLAUDE_CONFIG_DIR="$work/claude" CODEX_HOME="$work/codex" PATH="$bin:$PATH" NO_COLOR=1
export GIT_AUTHOR_DATE="2026-01-15T09:00:00Z" GIT_COMMITTER_DATE="2026-01-15T09:00:00Z"
mkdir -p "$HOME" "$work/widget"
git config --global user.name "Dana Dev"; git config --global user.email dana@example.com
git config --global init.defaultBranch main
cd "$work/widget"; repo="$(pwd -P)"
git init -q
printf 'import requests\n\ndef get(url):\n    return requests.get(url, timeout=10)\n\ndef fetch(url):\n    return get(url)\n' > net.py
git add -A; git commit -qm "Initial import"
step() { printf '\n$ %s\n' "$*"; "$@"; }
step git drift init
git add -A; git commit -qm "Set up git drift"

python3 - "$repo" "$CLAUDE_CONFIG_DIR" "$CODEX_HOME" <<'PY'
import json, os, re, sys
repo, claude, codex = sys.argv[1:4]
enc = re.sub(r"[^A-Za-z0-9]", "-", repo)
os.makedirs(f"{claude}/projects/{enc}", exist_ok=True)
sid = "5f2e91c4-8a4d-4c1e-9f3a-1d2e3f4a5b6c"
n = [0]
def rec(kind, t, **extra):
    n[0] += 1
    r = {"type": kind, "cwd": repo, "sessionId": sid, "gitBranch": "main", "version": "2.0.76",
         "uuid": f"u-{n[0]}", "timestamp": f"2026-01-15T09:{t}.000Z"}
    r.update(extra); return r
def use(t, call, name, inp, model="claude-opus-4-5-20251101"):
    return rec("assistant", t, message={"model": model, "id": f"msg_{call}", "role": "assistant", "type": "message",
        "content": [{"type": "tool_use", "id": call, "name": name, "input": inp}],
        "usage": {"input_tokens": 1200, "output_tokens": 180, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}})
def result(t, call, text, err=False):
    return rec("user", t, message={"role": "user", "content": [{"type": "tool_result", "tool_use_id": call, "content": text, "is_error": err}]})
old = "def fetch(url):\n    return get(url)\n"
new = "def fetch(url, retries=3):\n    for attempt in range(retries):\n        try:\n            return get(url)\n        except requests.ConnectionError:\n            time.sleep(2 ** attempt)\n    raise RuntimeError(f\"gave up on {url}\")\n"
lines = [
    rec("user", "10:00", message={"role": "user", "content": "Make fetch() retry three times with exponential backoff"}),
    use("10:05", "toolu_1", "TodoWrite", {"todos": [{"content": "Add retry loop to fetch", "status": "completed", "activeForm": "x"}, {"content": "Add a test for the retry", "status": "pending", "activeForm": "x"}]}),
    result("10:06", "toolu_1", "Todos have been modified successfully."),
    use("10:20", "toolu_2", "Edit", {"file_path": f"{repo}/net.py", "old_string": old, "new_string": new}),
    result("10:21", "toolu_2", "The file has been updated."),
    use("10:40", "toolu_3", "Bash", {"command": "git push --force origin main"}),
    result("10:55", "toolu_3", "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). To tell you how to proceed, the user said:\nnever force-push to main", True),
    rec("assistant", "11:00", message={"model": "claude-opus-4-5-20251101", "id": "msg_say", "role": "assistant", "type": "message", "content": [{"type": "text", "text": "Understood, I will not push. Next I will add a test for the retry."}]}),
]
with open(f"{claude}/projects/{enc}/{sid}.jsonl", "w") as f:
    f.write("".join(json.dumps(l) + "\n" for l in lines))
src = open(f"{repo}/net.py").read().replace(old, new).replace("import requests\n", "import time\n\nimport requests\n")
open(f"{repo}/net.py", "w").write(src)

cid = "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d"
os.makedirs(f"{codex}/sessions/2026/01/15", exist_ok=True)
def line(t, kind, payload):
    return json.dumps({"timestamp": f"2026-01-15T09:{t}.000Z", "type": kind, "payload": payload}) + "\n"
patch = "*** Begin Patch\n*** Update File: net.py\n@@\n def fetch(url, retries=3):\n+    \"\"\"Fetch url, retrying with exponential backoff.\"\"\"\n     for attempt in range(retries):\n*** End Patch\n"
with open(f"{codex}/sessions/2026/01/15/rollout-2026-01-15T09-20-00-{cid}.jsonl", "w") as f:
    f.write(line("20:00", "session_meta", {"id": cid, "timestamp": "2026-01-15T09:20:00Z", "cwd": repo, "originator": "codex_cli_rs", "cli_version": "0.80.0", "source": "cli", "git": {"branch": "main"}}))
    f.write(line("20:01", "turn_context", {"cwd": repo, "model": "gpt-5-codex", "approval_policy": "on-request"}))
    f.write(line("20:02", "event_msg", {"type": "user_message", "message": "Document fetch() and run the tests"}))
    f.write(line("20:10", "response_item", {"type": "custom_tool_call", "call_id": "call_1", "name": "apply_patch", "input": patch}))
    f.write(line("20:11", "response_item", {"type": "custom_tool_call_output", "call_id": "call_1", "output": json.dumps({"output": "Success. Updated the following files:\nM net.py\n", "metadata": {"exit_code": 0}})}))
    f.write(line("20:20", "response_item", {"type": "function_call", "name": "shell", "call_id": "call_2", "arguments": json.dumps({"command": ["bash", "-lc", "pytest -q"], "workdir": repo})}))
    f.write(line("20:30", "response_item", {"type": "function_call_output", "call_id": "call_2", "output": json.dumps({"output": "E   ModuleNotFoundError: No module named 'requests'\n1 error in 0.12s\n", "metadata": {"exit_code": 1}})}))
src = open(f"{repo}/net.py").read().replace("    for attempt in range(retries):\n", "    \"\"\"Fetch url, retrying with exponential backoff.\"\"\"\n    for attempt in range(retries):\n", 1)
open(f"{repo}/net.py", "w").write(src.replace("timeout=10", "timeout=5"))
PY

step git drift capture
step git drift sessions
step git drift session 5f2e
export GIT_AUTHOR_DATE="2026-01-15T09:40:00Z" GIT_COMMITTER_DATE="2026-01-15T09:40:00Z"
git add -A; git commit -qm "Retry fetch with backoff"
step git drift log
step git drift show
step git drift blame net.py
step git drift blame net.py --line 9 --timeline
step git drift blame net.py -L 8,9 --json
step git drift blame net.py -L 9,9 --porcelain
step git drift bind HEAD
step git drift backfill
step git drift log --json -1
step git drift handoff --to codex --print
step git drift handoff --to claude-code --quiet
step git drift handoff list
git init -q --bare "$work/origin.git"; git remote add origin "$work/origin.git"
step git drift sync origin
step git log --notes=drift -1
