#!/usr/bin/env python3
"""Rebuild a real public repository's history with `git fast-import`, with drift notes.

The history is every published version of an npm package (default `commander`, ~120
releases from 2011 to 2026), fetched once through npm's own client (`npm pack`) into a cache
directory. Each release becomes one commit per file it changed (in path order, the release's
files otherwise untouched), so a file's blame walks a real edit history: real code, real
CHANGELOG.md growth, real renames and deletions. Every commit carries a `drift-note/1` note
attributing the lines it added or changed (difflib against the previous version), split into
ai / modified / human runs over a handful of sessions, like git drift would have written.
Deterministic for a given package and seed (Python 3.11 stdlib + git + npm).

usage: gen_real_history.py DIR [--package NAME] [--cache DIR] [--seed S] [--max-versions N]
  --cache defaults to ${XDG_CACHE_HOME:-~/.cache}/git-drift/bench/npm
"""
import difflib
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_history import AGENTS, h8, iso, runs_of, tok  # noqa: E402


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "git-drift", "bench", "npm")


def key(v):
    main, _, pre = v.partition("-")
    return ([int(x) if x.isdigit() else 0 for x in main.split(".")], pre == "", pre)


def fetch(package, cache, max_versions):
    """The package's stable versions, oldest first, as {version: {path: bytes}}."""
    d = os.path.join(cache, package)
    os.makedirs(d, exist_ok=True)
    listing = os.path.join(d, "versions.json")
    if not os.path.exists(listing):
        out = subprocess.run(["npm", "view", package, "versions", "--json"], capture_output=True, text=True, check=True).stdout
        times = subprocess.run(["npm", "view", package, "time", "--json"], capture_output=True, text=True, check=True).stdout
        with open(listing, "w") as f:
            json.dump({"versions": json.loads(out), "time": json.loads(times)}, f)
    meta = json.load(open(listing))
    versions = sorted((v for v in meta["versions"] if "-" not in v), key=key)[-max_versions:]
    missing = [v for v in versions if not os.path.exists(os.path.join(d, f"{package}-{v}.tgz"))]
    for i in range(0, len(missing), 20):
        subprocess.run(["npm", "pack", "--silent", "--pack-destination", d, *[f"{package}@{v}" for v in missing[i:i + 20]]],
                       check=True, capture_output=True)
    trees = {}
    for v in versions:
        files = {}
        with tarfile.open(os.path.join(d, f"{package}-{v}.tgz")) as t:
            for m in t.getmembers():
                if m.isfile():
                    path = m.name.split("/", 1)[1] if "/" in m.name else m.name
                    files[path] = t.extractfile(m).read()
        trees[v] = files
    return versions, trees, meta.get("time", {})


def changed_lines(old, new):
    """1-based line numbers of `new` that are not in `old` (inserted or replaced)."""
    a, b = old.splitlines(), new.splitlines()
    out = []
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            out.extend(range(j1 + 1, j2 + 1))
    return out, b


def note(rng, path, added, lines, ts, sessions, version):
    recs = {"drift-note/1"}
    used = {}
    for k, (s, e) in enumerate(runs_of(added)):
        rng_s = str(s) if s == e else f"{s}-{e}"
        hs = ",".join(h8(lines[i - 1]) for i in range(s, e + 1))
        if rng.random() < 0.25:
            recs.add(f"file {tok(path)} {rng_s} human h={hs}")
            continue
        sid, agent, model = sessions[rng.randrange(len(sessions))]
        prompt = f"release {version}: update {path} ({k})"
        pkey = hashlib.sha256(prompt.encode()).hexdigest()[:8]
        who = "modified" if rng.random() < 0.15 else "ai"
        recs.add(f"file {tok(path)} {rng_s} {who} {sid} p={pkey} h={hs}")
        used.setdefault(sid, (agent, model, set()))[2].add((pkey, prompt))
    for sid, (agent, model, prompts) in used.items():
        recs.add(f"session {sid} agent={agent} model={model} start={iso(ts - 3600)} end={iso(ts - 60)} "
                 f"accepted={len(prompts)} rejected=0 superseded=0")
        for pkey, prompt in prompts:
            recs.add(f"session-prompt {sid} {pkey} {json.dumps(prompt)}")
    return ("\n".join(sorted(recs)) + "\n").encode()


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        sys.exit(1)

    def opt(name, default, conv=str):
        return conv(args[args.index(name) + 1]) if name in args else default

    repo = args[0]
    package = opt("--package", "commander")
    rng = random.Random(opt("--seed", 11, int))
    versions, trees, times = fetch(package, opt("--cache", cache_dir()), opt("--max-versions", 1000, int))
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True, env=env)
    sessions = [(f"{0x7a000000 + i:08x}-1111-4000-8000-{i:012x}", *AGENTS[i % 3]) for i in range(25)]
    fi = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=repo, stdin=subprocess.PIPE, env=env)
    out = fi.stdin

    def data(b):
        out.write(b"data %d\n" % len(b))
        out.write(b)
        out.write(b"\n")

    prev, mark, notes, ts = {}, 0, {}, 1_300_000_000
    for v in versions:
        cur = trees[v]
        stamp = times.get(v)
        if stamp:
            m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)", stamp)
            if m:
                import calendar
                ts = max(ts + 60, calendar.timegm(tuple(int(x) for x in m.groups()) + (0, 0, 0)))
        changes = sorted(p for p in set(prev) | set(cur) if prev.get(p) != cur.get(p))
        for p in changes:
            mark += 1
            ts += 60
            out.write(b"commit refs/heads/main\nmark :%d\n" % mark)
            out.write(b"author maintainer <maintainer@example.com> %d +0000\n" % ts)
            out.write(b"committer maintainer <maintainer@example.com> %d +0000\n" % ts)
            data(f"{package} {v}: {'update' if p in cur else 'remove'} {p}".encode())
            if mark > 1:
                out.write(b"from :%d\n" % (mark - 1))
            if p in cur:
                out.write(b"M 100644 inline %s\n" % p.encode())
                data(cur[p])
                try:
                    added, lines = changed_lines(prev.get(p, b"").decode(), cur[p].decode())
                except UnicodeDecodeError:
                    added = []
                if added:
                    notes[mark] = note(rng, p, added, lines, ts, sessions, v)
            else:
                out.write(b"D %s\n" % p.encode())
        prev = cur
    out.write(b"commit refs/notes/drift\ncommitter bench <bench@example.com> %d +0000\n" % (ts + 60))
    data(b"Notes added by 'git drift'")
    for m, blob in notes.items():
        out.write(b"N inline :%d\n" % m)
        data(blob)
    out.write(b"done\n")
    out.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True, env=env)
    print(f"{repo}: {package} {versions[0]}..{versions[-1]} ({len(versions)} releases), {mark} commits, "
          f"{len(notes)} notes, {len(prev)} files at HEAD")


if __name__ == "__main__":
    main()
