#!/usr/bin/env python3
"""Generate a synthetic transcript corpus for benchmarks.

Writes Claude Code sessions under CLAUDE/projects/<encoded>/ and Codex rollouts under
CODEX/sessions/YYYY/MM/DD/, in the agents' real formats, for the repository REPO plus noise
from other projects, until about MEGABYTES of transcripts exist. Deterministic (seeded).

usage: gen_corpus.py REPO CLAUDE CODEX MEGABYTES [--sessions N]
"""
import json, os, random, re, sys

def enc(path):
    return re.sub(r"[^A-Za-z0-9]", "-", path)

def ts(ms):
    import datetime
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

WORDS = "the retry loop fetch config parser server client token cache index commit branch note session agent model edit file line range merge push fetch handler error value result".split()

def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))

def code(rng, n):
    return "".join(f"    {rng.choice(WORDS)}_{i} = {rng.choice(WORDS)}({rng.randint(0, 999)})\n" for i in range(n))

def claude_session(rng, path, cwd, sid, start, target):
    t = start
    n = 0
    size = 0
    with open(path, "w") as f:
        def put(rec):
            nonlocal size
            line = json.dumps(rec, separators=(",", ":")) + "\n"
            f.write(line)
            size += len(line)
        def env(kind, extra):
            nonlocal t, n
            t += rng.randint(200, 4000)
            n += 1
            rec = {"parentUuid": None, "isSidechain": False, "userType": "external", "cwd": cwd,
                   "sessionId": sid, "version": "2.0.76", "gitBranch": "main", "type": kind,
                   "uuid": f"{sid[:8]}-{n:08d}", "timestamp": ts(t)}
            rec.update(extra)
            return rec
        while size < target:
            put(env("user", {"message": {"role": "user", "content": sentence(rng, 30)}}))
            for _ in range(rng.randint(2, 6)):
                msg = f"msg_{sid[:8]}_{n}"
                put(env("assistant", {"requestId": "req_x", "message": {"model": "claude-sonnet-4-5-20250929", "id": msg, "type": "message", "role": "assistant",
                    "content": [{"type": "text", "text": sentence(rng, 60)}], "usage": {"input_tokens": 100, "output_tokens": 50, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 0}}}))
                call = f"toolu_{sid[:8]}_{n}"
                kind = rng.random()
                if kind < 0.4:
                    old = code(rng, rng.randint(2, 10)); new = code(rng, rng.randint(3, 20))
                    put(env("assistant", {"requestId": "req_x", "message": {"model": "claude-sonnet-4-5-20250929", "id": msg, "type": "message", "role": "assistant",
                        "content": [{"type": "tool_use", "id": call, "name": "Edit", "input": {"file_path": f"{cwd}/src/m{rng.randint(0, 50)}.py", "old_string": old, "new_string": new}}]}}))
                    put(env("user", {"message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call, "content": "The file has been updated."}]},
                        "toolUseResult": {"oldString": old, "newString": new, "originalFile": code(rng, 80), "structuredPatch": []}}))
                elif kind < 0.7:
                    put(env("assistant", {"requestId": "req_x", "message": {"model": "claude-sonnet-4-5-20250929", "id": msg, "type": "message", "role": "assistant",
                        "content": [{"type": "tool_use", "id": call, "name": "Read", "input": {"file_path": f"{cwd}/src/m{rng.randint(0, 50)}.py"}}]}}))
                    body = code(rng, rng.randint(50, 300))
                    put(env("user", {"message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call, "content": body}]},
                        "toolUseResult": {"type": "text", "file": {"filePath": "x", "content": body, "numLines": 100, "startLine": 1, "totalLines": 100}}}))
                else:
                    put(env("assistant", {"requestId": "req_x", "message": {"model": "claude-sonnet-4-5-20250929", "id": msg, "type": "message", "role": "assistant",
                        "content": [{"type": "tool_use", "id": call, "name": "Bash", "input": {"command": "pytest -q tests/"}}]}}))
                    put(env("user", {"message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call, "content": sentence(rng, 200)}]},
                        "toolUseResult": {"stdout": sentence(rng, 200), "stderr": "", "interrupted": False}}))
                put({"type": "progress", "data": {"type": "hook_progress", "text": sentence(rng, 10)}, "toolUseID": call, "timestamp": ts(t)})
    return size

def codex_session(rng, path, cwd, sid, start, target):
    t = start
    size = 0
    with open(path, "w") as f:
        def put(kind, payload):
            nonlocal t, size
            t += rng.randint(200, 4000)
            line = json.dumps({"timestamp": ts(t), "type": kind, "payload": payload}, separators=(",", ":")) + "\n"
            f.write(line)
            size += len(line)
        put("session_meta", {"id": sid, "timestamp": ts(t), "cwd": cwd, "originator": "codex_cli_rs", "cli_version": "0.80.0", "source": "cli", "git": {"branch": "main"}})
        put("turn_context", {"cwd": cwd, "approval_policy": "on-request", "model": "gpt-5-codex"})
        n = 0
        while size < target:
            n += 1
            text = sentence(rng, 30)
            put("response_item", {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]})
            put("event_msg", {"type": "user_message", "message": text})
            put("response_item", {"type": "reasoning", "summary": [{"type": "summary_text", "text": sentence(rng, 40)}], "encrypted_content": "gAAAA" + "x" * 2000})
            body = "".join(f"+{l}\n" for l in code(rng, rng.randint(3, 20)).splitlines())
            put("response_item", {"type": "custom_tool_call", "call_id": f"call_{n}", "name": "apply_patch", "input": f"*** Begin Patch\n*** Update File: src/m{n % 50}.py\n@@\n-    old_{n} = 1\n{body}*** End Patch\n"})
            put("response_item", {"type": "custom_tool_call_output", "call_id": f"call_{n}", "output": json.dumps({"output": "Success. Updated the following files:\nM x\n", "metadata": {"exit_code": 0}})})
            args = json.dumps({"command": ["bash", "-lc", "cargo test"], "workdir": cwd})
            put("response_item", {"type": "function_call", "name": "shell", "arguments": args, "call_id": f"sh_{n}"})
            put("response_item", {"type": "function_call_output", "call_id": f"sh_{n}", "output": json.dumps({"output": sentence(rng, 400), "metadata": {"exit_code": 0}})})
            put("response_item", {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": sentence(rng, 80)}]})
            put("event_msg", {"type": "token_count", "info": {"total_token_usage": {"total_tokens": n * 100}, "last_token_usage": {"input_tokens": 80, "output_tokens": 20}}})
    return size

def main():
    args = sys.argv[1:]
    if len(args) < 4:
        print(__doc__, file=sys.stderr); sys.exit(1)
    repo, claude, codex, mb = args[0], args[1], args[2], float(args[3])
    sessions = int(args[args.index("--sessions") + 1]) if "--sessions" in args else 200
    rng = random.Random(42)
    target = int(mb * 1_000_000)
    per = max(target // sessions, 20_000)
    others = ["/home/bench/other-project", "/home/bench/another/thing"]
    total = mine = 0
    i = 0
    start = 1_768_000_000_000
    while total < target:
        i += 1
        foreign = i % 5 == 0  # a fifth of the corpus is noise from other projects
        cwd = others[i % 2] if foreign else repo
        sid = f"{i:08x}-0000-4000-8000-{i:012x}"
        if i % 2:
            d = os.path.join(claude, "projects", enc(cwd)); os.makedirs(d, exist_ok=True)
            n = claude_session(rng, os.path.join(d, sid + ".jsonl"), cwd, sid, start + i * 3_600_000, per)
        else:
            d = os.path.join(codex, "sessions", "2026", "01", f"{1 + i % 28:02d}"); os.makedirs(d, exist_ok=True)
            n = codex_session(rng, os.path.join(d, f"rollout-2026-01-01T00-00-00-{sid}.jsonl"), cwd, sid, start + i * 3_600_000, per)
        total += n
        mine += 0 if foreign else n
    print(f"{i} sessions, {total / 1e6:.1f} MB total, {mine / 1e6:.1f} MB for the repository")

main()
