#!/usr/bin/env python3
"""Generate a realistic agent-transcript corpus for benchmarks (Python 3.11 stdlib only).

Writes Claude Code sessions under CLAUDE/projects/<encoded cwd>/<session>.jsonl (plus
sub-agent files in <session>/subagents/) and Codex rollouts under
CODEX/sessions/YYYY/MM/DD/rollout-*.jsonl, in the shapes the current CLIs write (Claude Code
2.1.x, Codex 0.1xx; see /work/shared/samples/real and agent-formats-2026.md):

- Claude: `permission-mode`, `file-history-snapshot`, `attachment` (hook_success,
  deferred_tools_delta, skill_listing, total_tokens_reminder, read_truncation_notice),
  `progress` (hook_progress, bash_progress), thinking blocks with signatures, tool calls whose
  results are long: Read of 10-200 KB files (the numbered text *and* `toolUseResult.file`),
  Edit with `originalFile` and `structuredPatch`, Write, MultiEdit, Bash output of 1-60 KB,
  `last-prompt` / `mode` trailers.
- Codex: `session_meta` with git info, `turn_context`, `response_item` (developer/user
  messages, reasoning with encrypted_content, `exec_command` function calls with freeform
  output, `apply_patch` custom tool calls), `event_msg` (task_started, token_count,
  patch_apply_end, task_complete; older rollouts user_message/agent_message, newer ones
  `item_completed` UserMessage / AgentMessage / FileChange).

A fifth of the sessions belong to other projects (they must be skipped). Most of this
repository's sessions work on branch `main`, so one branch collects thousands of edits, and
edits concentrate on a hot set of files (a few files get hundreds of edits). Session sizes are
log-normal (many small sessions, a few of tens of MB). Deterministic for a given seed.

usage: gen_corpus.py REPO CLAUDE CODEX MEGABYTES [--sessions N] [--files N] [--seed S]
                     [--make-files] [--quiet]

  --sessions N   number of sessions (default: 1.2 per MB, between 12 and 1200)
  --files N      the repository's files the agents edit: src/d{i%50}/f{i}.py (default 5000)
  --make-files   also write those N files into REPO (40 lines each) if they are missing
"""
import json
import math
import os
import random
import re
import sys
import time

WORDS = ("the retry loop fetch config parser server client token cache index commit branch note "
         "session agent model edit file line range merge push handler error value result "
         "request response timeout backoff stream buffer queue worker schedule limit").split()
IDENT = ("value count total items buf conn req resp cfg opts ctx state path name key data "
         "offset length start end idx node tree entry").split()


def enc(path):
    """Claude Code's project directory name for a cwd."""
    return re.sub(r"[^A-Za-z0-9]", "-", path)


def iso(ms):
    t = time.gmtime(ms // 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + ".%03dZ" % (ms % 1000)


def repo_file(i):
    return f"src/d{i % 50}/f{i}.py"


class Pool:
    """Pre-generated text blocks sliced per use, so a 1 GB corpus takes minutes, not hours."""

    def __init__(self, rng):
        self.rng = rng
        self.prose = " ".join(rng.choice(WORDS) for _ in range(40_000))
        # 48 "source files" of 10-200 KB (log-uniform), as written and as Read shows them.
        self.files = []
        for _ in range(48):
            size = int(math.exp(rng.uniform(math.log(10_000), math.log(200_000))))
            self.files.append(self.source(size))
        self.numbered = [self.number(f) for f in self.files]
        log = []
        for i in range(6000):
            w = rng.choice(WORDS)
            log.append(f"test {w}::{rng.choice(IDENT)}_{i} ... ok" if i % 7 else
                       f"   Compiling {w}-{rng.choice(IDENT)} v0.{i % 30}.{i % 7}")
        self.log = "\n".join(log)
        self.b64 = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                           for _ in range(64_000))
        self.tools = [f"mcp__srv{i // 8}__{rng.choice(IDENT)}_{rng.choice(WORDS)}" for i in range(600)]
        self.skills = "\n".join(f"- skill-{i}: {self.words(18)}" for i in range(220))

    def source(self, size):
        rng, out, n = self.rng, [], 0
        while n < size:
            r = rng.random()
            if r < 0.08:
                line = f"def {rng.choice(WORDS)}_{rng.choice(IDENT)}({rng.choice(IDENT)}, {rng.choice(IDENT)}):"
            elif r < 0.12:
                line = ""
            elif r < 0.2:
                line = f"    # {self.words(rng.randint(4, 12))}"
            else:
                line = (f"    {rng.choice(IDENT)}_{rng.randint(0, 99)} = {rng.choice(WORDS)}"
                        f"({rng.choice(IDENT)}, {rng.randint(0, 9999)})")
            out.append(line)
            n += len(line) + 1
        return "\n".join(out) + "\n"

    def words(self, n):
        start = self.rng.randrange(0, 200_000)
        return " ".join(self.prose[start:start + n * 8].split()[:n]) or "ok"

    @staticmethod
    def number(text):
        return "".join(f"{i + 1:6d}\u2192{l}\n" for i, l in enumerate(text.split("\n")[:-1]))

    def text(self, n_chars):
        start = self.rng.randrange(0, max(1, len(self.prose) - n_chars))
        return self.prose[start:start + n_chars]

    def output(self, n_chars):
        start = self.rng.randrange(0, max(1, len(self.log) - n_chars))
        return self.log[start:start + n_chars]

    def sig(self, n):
        start = self.rng.randrange(0, len(self.b64) - n)
        return self.b64[start:start + n]

    def lines(self, k, tag):
        rng = self.rng
        return "".join(f"    {rng.choice(IDENT)}_{tag}_{j} = {rng.choice(WORDS)}({rng.randint(0, 999)})\n"
                       for j in range(k))


class Writer:
    def __init__(self, path):
        self.f = open(path, "w", encoding="utf-8")
        self.size = 0

    def put(self, rec):
        line = json.dumps(rec, separators=(",", ":"), ensure_ascii=False) + "\n"
        self.f.write(line)
        self.size += len(line.encode("utf-8")) if not line.isascii() else len(line)

    def close(self):
        self.f.close()


def claude_session(rng, pool, w, s, target):
    """One Claude Code 2.1.x session into writer w until it holds about `target` bytes."""
    sid, cwd, branch, hot = s["sid"], s["cwd"], s["branch"], s["hot"]
    t = s["start"]
    state = {"n": 0, "parent": None}
    agent_id = s.get("agent_id")

    def env(kind, extra, meta=False):
        nonlocal t
        t += rng.randint(300, 9000)
        state["n"] += 1
        uid = f"{sid[:8]}-{state['n']:04x}-4{state['n'] % 4096:03x}-8000-{rng.getrandbits(48):012x}"
        rec = {"parentUuid": state["parent"], "isSidechain": agent_id is not None, "type": kind}
        rec.update(extra)
        rec.update({"uuid": uid, "timestamp": iso(t), "userType": "external", "entrypoint": "cli",
                    "cwd": cwd, "sessionId": sid, "version": "2.1.237", "gitBranch": branch})
        if agent_id:
            rec["agentId"] = agent_id
        if meta:
            rec["isMeta"] = True
        state["parent"] = uid
        return rec

    def assistant(content, msg, stop="tool_use"):
        return env("assistant", {"message": {"model": s["model"], "id": msg, "type": "message",
                   "role": "assistant", "content": content, "stop_reason": stop, "stop_sequence": None,
                   "usage": {"input_tokens": rng.randint(1, 50), "cache_creation_input_tokens": rng.randint(0, 40000),
                             "cache_read_input_tokens": rng.randint(0, 150000), "output_tokens": rng.randint(20, 3000),
                             "service_tier": "standard"}},
                   "requestId": f"req_{rng.getrandbits(64):016x}"})

    if agent_id is None:
        w.put({"type": "permission-mode", "permissionMode": "default", "sessionId": sid})
        w.put({"type": "file-history-snapshot", "messageId": f"{sid[:8]}-snap", "snapshot": {
            "messageId": f"{sid[:8]}-snap", "trackedFileBackups": {}, "timestamp": iso(t)}, "isSnapshotUpdate": False})
        w.put(env("attachment", {"attachment": {"type": "hook_success", "hookName": "SessionStart:startup",
              "toolUseID": f"hook-{sid[:8]}", "hookEvent": "SessionStart", "content": "", "stdout": "", "stderr": "",
              "exitCode": 0, "command": "git drift hook session-start", "durationMs": rng.randint(5, 200)}}))
        if target > 300_000:
            # Big per-session listings (17-50 KB each in real 2.1.2xx files).
            w.put(env("attachment", {"attachment": {"type": "deferred_tools_delta",
                  "addedNames": pool.tools[: rng.randint(200, 600)], "removedNames": []}}))
            w.put(env("attachment", {"attachment": {"type": "skill_listing", "content": pool.skills}}))
    first = True
    while w.size < target:
        prompt = pool.text(rng.randint(40, 1200)) if not first or agent_id is None else pool.text(800)
        first = False
        w.put(env("user", {"promptId": f"p-{rng.getrandbits(64):016x}",
                           "message": {"role": "user", "content": prompt}}))
        w.put({"type": "file-history-snapshot", "messageId": state["parent"], "snapshot": {
            "messageId": state["parent"], "trackedFileBackups": {}, "timestamp": iso(t)}, "isSnapshotUpdate": False})
        for _ in range(rng.randint(2, 9)):
            if w.size >= target:
                break
            msg = f"msg_{rng.getrandbits(80):020x}"
            if rng.random() < 0.6:
                w.put(assistant([{"type": "thinking", "thinking": pool.text(rng.randint(0, 2500)),
                                  "signature": pool.sig(rng.randint(400, 3000))}], msg))
            if rng.random() < 0.5:
                w.put(assistant([{"type": "text", "text": pool.text(rng.randint(60, 900))}], msg))
            claude_tool(rng, pool, w, s, env, assistant, msg)
            if rng.random() < 0.15:
                w.put(env("attachment", {"attachment": {"type": "total_tokens_reminder",
                      "text": f"<total_tokens>{rng.randint(10**5, 10**7)} tokens left</total_tokens>"}}))
        w.put(assistant([{"type": "text", "text": pool.text(rng.randint(100, 1500))}],
                        f"msg_{rng.getrandbits(80):020x}", stop="end_turn"))
    if agent_id is None:
        w.put({"type": "last-prompt", "leafUuid": state["parent"], "sessionId": sid})
        w.put({"type": "mode", "mode": "normal", "sessionId": sid})


def claude_tool(rng, pool, w, s, env, assistant, msg):
    cwd, hot = s["cwd"], s["hot"]
    call = f"toolu_{rng.getrandbits(96):024x}"
    r = rng.random()
    path = f"{cwd}/{repo_file(rng.choice(hot))}"
    src = pool.files[rng.randrange(len(pool.files))]
    if r < 0.30:  # Edit
        k = rng.randint(1, 12)
        old = pool.lines(k, "o"); new = pool.lines(k + rng.randint(0, 15), f"n{s['seq']}")
        s["seq"] += 1
        w.put(assistant([{"type": "tool_use", "id": call, "name": "Edit",
                          "input": {"file_path": path, "old_string": old, "new_string": new, "replace_all": False}}], msg))
        lines = len(new.splitlines())
        rejected = rng.random() < 0.04
        content = ("The user doesn't want to proceed with this tool use. The tool use was rejected "
                   "(eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing "
                   "and wait for the user to tell you how to proceed." if rejected else
                   f"The file {path} has been updated. Here's the result of running `cat -n` on a snippet of the edited file:\n"
                   + Pool.number(new))
        rec = {"message": {"role": "user", "content": [{"tool_use_id": call, "type": "tool_result", "content": content,
                                                        **({"is_error": True} if rejected else {})}]}}
        if not rejected:
            rec["toolUseResult"] = {"filePath": path, "oldString": old, "newString": new, "originalFile": src,
                                    "structuredPatch": [{"oldStart": 10, "oldLines": k, "newStart": 10, "newLines": lines,
                                                         "lines": ["-" + l for l in old.splitlines()] + ["+" + l for l in new.splitlines()]}],
                                    "userModified": False, "replaceAll": False}
        else:
            rec["toolUseResult"] = "User rejected tool use"
        w.put(env("user", rec))
    elif r < 0.36:  # Write (a new file) or MultiEdit
        if rng.random() < 0.5:
            body = src[: rng.randint(2000, 30000)]
            w.put(assistant([{"type": "tool_use", "id": call, "name": "Write", "input": {"file_path": path, "content": body}}], msg))
            w.put(env("user", {"message": {"role": "user", "content": [{"tool_use_id": call, "type": "tool_result",
                               "content": f"File created successfully at: {path}"}]},
                               "toolUseResult": {"type": "create", "filePath": path, "content": body, "structuredPatch": []}}))
        else:
            edits = [{"old_string": pool.lines(2, "mo"), "new_string": pool.lines(4, f"mn{s['seq']}{j}")} for j in range(rng.randint(2, 5))]
            s["seq"] += 1
            w.put(assistant([{"type": "tool_use", "id": call, "name": "MultiEdit", "input": {"file_path": path, "edits": edits}}], msg))
            w.put(env("user", {"message": {"role": "user", "content": [{"tool_use_id": call, "type": "tool_result",
                               "content": f"Applied {len(edits)} edits to {path}"}]},
                               "toolUseResult": {"filePath": path, "edits": edits, "originalFileContents": src,
                                                 "structuredPatch": [], "userModified": False}}))
    elif r < 0.62:  # Read of a 10-200 KB file: the numbered text and toolUseResult.file
        i = rng.randrange(len(pool.files))
        body, numbered = pool.files[i], pool.numbered[i]
        w.put(assistant([{"type": "tool_use", "id": call, "name": "Read", "input": {"file_path": path}}], msg))
        n = body.count("\n")
        w.put(env("user", {"message": {"role": "user", "content": [{"tool_use_id": call, "type": "tool_result", "content": numbered}]},
                           "toolUseResult": {"type": "text", "file": {"filePath": path, "content": body, "numLines": n,
                                                                      "startLine": 1, "totalLines": n}}}))
        if n > 2000:
            w.put(env("attachment", {"attachment": {"type": "read_truncation_notice", "toolUseID": call,
                  "banner": f"[Truncated: PARTIAL view - {path}: showing lines 1-2000 of {n} total]"}}))
    elif r < 0.9:  # Bash with 1-60 KB of output, progress lines while it runs
        out = pool.output(int(math.exp(rng.uniform(math.log(1000), math.log(60_000)))))
        fail = rng.random() < 0.1
        w.put(assistant([{"type": "tool_use", "id": call, "name": "Bash",
                          "input": {"command": rng.choice(["cargo test", "pytest -q", "npm run build", "make check"]),
                                    "description": pool.text(40)}}], msg))
        for k in range(rng.randint(0, 3)):
            w.put(env("progress", {"data": {"type": "bash_progress", "output": out[:200], "fullOutput": out[:2000],
                                            "elapsedTimeSeconds": k + 1, "totalLines": k * 40},
                                   "toolUseID": f"bash-progress-{k}", "parentToolUseID": call}))
        w.put(env("user", {"message": {"role": "user", "content": [{"tool_use_id": call, "type": "tool_result",
                           "content": (("Exit code 1\n" + out) if fail else out), "is_error": fail}]},
                           "toolUseResult": {"stdout": out, "stderr": "", "interrupted": False, "isImage": False}}))
    else:  # Grep / TodoWrite: small
        w.put(assistant([{"type": "tool_use", "id": call, "name": "Grep", "input": {"pattern": rng.choice(WORDS), "path": cwd}}], msg))
        files = [repo_file(rng.choice(hot)) for _ in range(rng.randint(1, 12))]
        w.put(env("user", {"message": {"role": "user", "content": [{"tool_use_id": call, "type": "tool_result",
                           "content": f"Found {len(files)} files\n" + "\n".join(files)}]},
                           "toolUseResult": {"mode": "files_with_matches", "filenames": files, "numFiles": len(files)}}))
    w.put(env("progress", {"data": {"type": "hook_progress", "hookEvent": "PostToolUse", "hookName": "PostToolUse:Edit",
                                    "command": "git drift hook post-tool-use"}, "toolUseID": call, "parentToolUseID": call}))


def codex_session(rng, pool, w, s, target):
    """One Codex rollout (0.1xx shapes) into writer w until it holds about `target` bytes."""
    sid, cwd, hot = s["sid"], s["cwd"], s["hot"]
    new_style = s["new_style"]
    t = s["start"]

    def put(kind, payload):
        nonlocal t
        t += rng.randint(200, 6000)
        w.put({"timestamp": iso(t), "type": kind, "payload": payload})

    put("session_meta", {"id": sid, "timestamp": iso(t), "cwd": cwd, "originator": "codex_cli_rs",
                         "cli_version": "0.171.0" if new_style else "0.80.0", "source": "cli", "model_provider": "openai",
                         "base_instructions": {"text": pool.text(6000)},
                         "git": {"commit_hash": f"{rng.getrandbits(160):040x}", "branch": s["branch"],
                                 "repository_url": "git@example.com:team/repo.git"}})
    put("response_item", {"type": "message", "role": "developer", "content": [{"type": "input_text",
        "text": "<permissions instructions>\n" + pool.text(1500) + "\n</permissions instructions>"}]})
    put("response_item", {"type": "message", "role": "user", "content": [{"type": "input_text",
        "text": f"<environment_context>\n  <cwd>{cwd}</cwd>\n  <shell>bash</shell>\n</environment_context>"}]})
    turn = 0
    while w.size < target:
        turn += 1
        tid = f"{sid[:8]}-turn-{turn:05d}"
        put("turn_context", {"cwd": cwd, "approval_policy": "on-request", "sandbox_policy": {"type": "workspace-write"},
                             "model": s["model"], "effort": "medium", "summary": "auto", "turn_id": tid})
        put("event_msg", {"type": "task_started", "turn_id": tid, "model_context_window": 258400})
        text = pool.text(rng.randint(40, 900))
        put("response_item", {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]})
        if new_style:
            put("event_msg", {"type": "item_completed", "thread_id": sid, "turn_id": tid,
                              "item": {"type": "UserMessage", "id": f"{tid}-u", "content": [{"type": "text", "text": text}]}})
        else:
            put("event_msg", {"type": "user_message", "message": text, "images": [], "kind": "plain"})
        for step in range(rng.randint(2, 8)):
            if w.size >= target:
                break
            put("response_item", {"type": "reasoning", "summary": [{"type": "summary_text", "text": "**" + pool.text(60) + "**"}],
                                  "content": None, "encrypted_content": "gAAAAA" + pool.sig(rng.randint(1000, 8000))})
            codex_tool(rng, pool, put, s, tid, f"call_{rng.getrandbits(96):024x}")
            put("event_msg", {"type": "token_count", "info": {"total_token_usage": {"input_tokens": turn * 9000, "cached_input_tokens": turn * 8000,
                              "output_tokens": turn * 400, "reasoning_output_tokens": turn * 200, "total_tokens": turn * 9400},
                              "last_token_usage": {"input_tokens": 9000, "cached_input_tokens": 8000, "output_tokens": 400,
                                                   "reasoning_output_tokens": 200, "total_tokens": 9400}, "model_context_window": 258400},
                              "rate_limits": {"primary": {"used_percent": 12.0, "window_minutes": 299, "resets_in_seconds": 9000}}})
        answer = pool.text(rng.randint(100, 1500))
        put("response_item", {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": answer}]})
        if new_style:
            put("event_msg", {"type": "item_completed", "thread_id": sid, "turn_id": tid,
                              "item": {"type": "AgentMessage", "id": f"{tid}-a", "content": [{"type": "Text", "text": answer}]}})
            if rng.random() < 0.2:
                put("world_state", {"turn_id": tid, "git": {"branch": s["branch"], "dirty": True}})
        else:
            put("event_msg", {"type": "agent_message", "message": answer})
        put("event_msg", {"type": "task_complete", "turn_id": tid, "last_agent_message": answer[:200]})


def codex_tool(rng, pool, put, s, tid, call):
    cwd, hot = s["cwd"], s["hot"]
    r = rng.random()
    rel = repo_file(rng.choice(hot))
    if r < 0.35:  # apply_patch (freeform custom tool), with patch_apply_end
        add = pool.lines(rng.randint(2, 20), f"x{s['seq']}")
        s["seq"] += 1
        body = "".join("+" + l + "\n" for l in add.splitlines())
        patch = f"*** Begin Patch\n*** Update File: {rel}\n@@ def handler\n-    old_{s['seq']} = 1\n{body}*** End Patch\n"
        put("response_item", {"type": "custom_tool_call", "status": "completed", "call_id": call, "name": "apply_patch", "input": patch})
        rejected = rng.random() < 0.04
        out = "patch rejected by user" if rejected else f"Success. Updated the following files:\nM {rel}\n"
        put("event_msg", {"type": "patch_apply_end", "call_id": call, "turn_id": tid, "stdout": out, "stderr": "",
                          "success": not rejected, "changes": {f"{cwd}/{rel}": {"type": "update", "unified_diff": patch, "move_path": None}}})
        if s["new_style"] and not rejected:
            put("event_msg", {"type": "item_completed", "thread_id": s["sid"], "turn_id": tid,
                              "item": {"type": "FileChange", "id": call, "changes": {f"{cwd}/{rel}": {"type": "update", "unified_diff": patch}},
                                       "status": "completed"}})
        put("response_item", {"type": "custom_tool_call_output", "call_id": call,
                              "output": json.dumps({"output": out, "metadata": {"exit_code": 1 if rejected else 0, "duration_seconds": 0.1}})})
    else:  # exec_command: a file read (10-200 KB) or a build/test log
        if r < 0.65:
            i = rng.randrange(len(pool.files))
            cmd, text = f"sed -n '1,4000p' {rel}", pool.files[i]
        else:
            cmd, text = rng.choice(["cargo test", "pytest -q", "rg -n handler src"]), pool.output(rng.randint(500, 40_000))
        put("response_item", {"type": "function_call", "name": "exec_command", "call_id": call,
                              "arguments": json.dumps({"cmd": cmd, "workdir": cwd, "yield_time_ms": 10000, "max_output_tokens": 30000})})
        code = 1 if rng.random() < 0.08 else 0
        put("response_item", {"type": "function_call_output", "call_id": call,
                              "output": f"Chunk ID: {rng.getrandbits(24):06x}\nWall time: {rng.random() * 9:.4f} seconds\n"
                                        f"Process exited with code {code}\nOriginal token count: {len(text) // 4}\nOutput:\n{text}"})


def plan(rng, repo, mb, sessions, files):
    """The sessions: who, where, when, how big, which files they work on."""
    target = int(mb * 1_000_000)
    weights = [rng.lognormvariate(0, 1.1) for _ in range(sessions)]
    scale = target / sum(weights)
    others = ["/home/bench/other-project", "/home/bench/work/another-thing", "/srv/scratch/tool"]
    # Hot files: a Zipf-like choice so a few files collect hundreds of edits.
    hot_pool = [int(files * (rng.random() ** 3)) % files for _ in range(400)]
    year = 365 * 86_400_000
    start0 = 1_764_000_000_000 - year
    out = []
    for i in range(sessions):
        foreign = i % 5 == 4
        codex = rng.random() < 0.35
        sid = (f"019a{rng.getrandbits(28):07x}-{rng.getrandbits(16):04x}-7{rng.getrandbits(12):03x}-8{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}"
               if codex else f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-8{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}")
        out.append({
            "i": i, "sid": sid, "codex": codex, "new_style": codex and rng.random() < 0.5,
            "cwd": rng.choice(others) if foreign else repo, "foreign": foreign,
            "branch": "main" if rng.random() < 0.7 else f"feature/{rng.choice(WORDS)}-{i % 40}",
            "model": ("gpt-5.5" if rng.random() < 0.5 else "gpt-5-codex") if codex else
                     rng.choice(["claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929", "claude-fable-5"]),
            "hot": [rng.choice(hot_pool) for _ in range(rng.randint(3, 12))],
            "start": start0 + i * year // sessions + rng.randint(0, 3_600_000),
            "size": max(8_000, min(int(weights[i] * scale), 60_000_000)),
            "seq": 0,
        })
    return out


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        sys.exit(1)

    def opt(name, default, conv=int):
        return conv(args[args.index(name) + 1]) if name in args else default

    repo, claude, codex, mb = args[0], args[1], args[2], float(args[3])
    sessions = opt("--sessions", max(12, min(1200, round(mb * 1.2))))
    files = opt("--files", 5000)
    rng = random.Random(opt("--seed", 42))
    pool = Pool(rng)
    total = mine = n_files = 0
    started = time.time()
    for s in plan(rng, repo, mb, sessions, files):
        day = time.gmtime(s["start"] // 1000)
        if s["codex"]:
            d = os.path.join(codex, "sessions", time.strftime("%Y/%m/%d", day))
            os.makedirs(d, exist_ok=True)
            w = Writer(os.path.join(d, f"rollout-{time.strftime('%Y-%m-%dT%H-%M-%S', day)}-{s['sid']}.jsonl"))
            codex_session(rng, pool, w, s, s["size"])
            w.close(); size = w.size; n_files += 1
        else:
            d = os.path.join(claude, "projects", enc(s["cwd"]))
            os.makedirs(d, exist_ok=True)
            main_share = s["size"]
            sub = s["size"] > 400_000 and rng.random() < 0.3
            if sub:
                main_share = s["size"] * 3 // 4
            w = Writer(os.path.join(d, s["sid"] + ".jsonl"))
            claude_session(rng, pool, w, s, main_share)
            w.close(); size = w.size; n_files += 1
            if sub:
                sd = os.path.join(d, s["sid"], "subagents")
                os.makedirs(sd, exist_ok=True)
                aid = f"{rng.getrandbits(64):016x}"
                sw = Writer(os.path.join(sd, f"agent-{aid}.jsonl"))
                claude_session(rng, pool, sw, dict(s, agent_id=aid), s["size"] - main_share)
                sw.close(); size += sw.size; n_files += 1
        total += size
        mine += 0 if s["foreign"] else size
    if "--make-files" in args:
        for i in range(files):
            p = os.path.join(repo, repo_file(i))
            if not os.path.exists(p):
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "w") as f:
                    f.write("".join(f"line_{j} = {j}\n" for j in range(40)))
    if "--quiet" not in args:
        print(f"{sessions} sessions in {n_files} files, {total / 1e6:.1f} MB total, {mine / 1e6:.1f} MB for the "
              f"repository ({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
