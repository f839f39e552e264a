#!/usr/bin/env python3
"""Build a repository with a long history and drift notes, fast, with `git fast-import`.

COMMITS commits on `main` over FILES files (src/d{i%20}/f{i}.py, 120 lines to start); each
commit changes 1-4 files (replaced, inserted and deleted lines; hot files change far more
often, and one CHANGELOG.md gets a line at the top every 10th commit, the kind of file where
`git blame` is fast). Every commit gets a `drift-note/1` note attributing exactly the lines
it added (runs of ai / modified / human, one of 40 sessions of three agents, prompt keys and
texts, per-line hashes), written to refs/notes/drift; a teammate's notes for a third of the
commits (some of them overlapping ours) go to refs/notes/remotes/origin/drift, so readers
must merge two notes trees. Deterministic for a given seed (Python 3.11 stdlib only).

usage: gen_history.py DIR [--commits N] [--files N] [--seed S]
  DIR must not exist or be empty; it becomes the repository. Prints what it built.
"""
import hashlib
import os
import random
import subprocess
import sys
import time

AGENTS = [("claude-code", "claude-opus-4-5-20251101"), ("claude-code", "claude-sonnet-4-5-20250929"),
          ("codex", "gpt-5-codex")]
WORDS = "retry fetch config parser server client token cache index handler error value result".split()


def h8(line):
    return hashlib.sha256(line.rstrip().encode()).hexdigest()[:8]


def tok(s):
    if s and not any(c in s for c in ' "\\') and s.isprintable():
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def runs_of(lines):
    out, start, prev = [], None, None
    for a in lines:
        if start is None:
            start = prev = a
        elif a == prev + 1:
            prev = a
        else:
            out.append((start, prev))
            start = prev = a
    if start is not None:
        out.append((start, prev))
    return out


def note_text(rng, c, ts, touched, sessions, salt):
    """A drift-note/1 for commit c: touched = [(path, added line numbers, lines)]."""
    recs = {"drift-note/1"}
    used = {}
    for path, added, lines in touched:
        for k, (s, e) in enumerate(runs_of(added)):
            rng_s = str(s) if s == e else f"{s}-{e}"
            hs = ",".join(h8(lines[i - 1]) for i in range(s, e + 1))
            if rng.random() < 0.2:
                recs.add(f"file {tok(path)} {rng_s} human h={hs}")
                continue
            sid, agent, model = sessions[(c * 7 + k + salt) % len(sessions)] if rng.random() < 0.3 else sessions[(c + salt) % len(sessions)]
            prompt = f"commit {c}: make {rng.choice(WORDS)} handle {rng.choice(WORDS)} {salt}"
            pkey = hashlib.sha256(prompt.encode()).hexdigest()[:8]
            who = "modified" if rng.random() < 0.15 else "ai"
            recs.add(f"file {tok(path)} {rng_s} {who} {sid} p={pkey} h={hs}")
            used.setdefault(sid, (agent, model, set()))[2].add((pkey, prompt))
    for sid, (agent, model, prompts) in used.items():
        recs.add(f"session {sid} agent={agent} model={model} start={iso(ts - 1800)} end={iso(ts - 60)} "
                 f"accepted={len(prompts) + rng.randint(0, 3)} rejected={rng.randint(0, 1)} superseded={rng.randint(0, 2)}")
        for pkey, prompt in prompts:
            recs.add(f'session-prompt {sid} {pkey} "{prompt}"')
        if rng.random() < 0.2:
            recs.add(f'session-decision {sid} "keep the {rng.choice(WORDS)} path synchronous"')
    return ("\n".join(sorted(recs)) + "\n").encode()


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        sys.exit(1)

    def opt(name, default):
        return int(args[args.index(name) + 1]) if name in args else default

    repo, commits, nfiles = args[0], opt("--commits", 10_000), opt("--files", 600)
    rng = random.Random(opt("--seed", 7))
    os.makedirs(repo, exist_ok=True)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True, env=env)
    sessions = [(f"{0x5f2e9100 + i:08x}-0000-4000-8000-{i:012x}", *AGENTS[i % 3]) for i in range(40)]
    serial = [0]

    def fresh(c):
        serial[0] += 1
        return f"    {rng.choice(WORDS)}_{serial[0]} = compute({rng.randrange(10**6)}, {c})"

    paths = [f"src/d{i % 20}/f{i}.py" for i in range(nfiles)] + ["CHANGELOG.md"]
    files = {p: [fresh(0) for _ in range(120)] for p in paths[:-1]}
    files["CHANGELOG.md"] = ["# Changelog", ""]
    hot = [int(nfiles * rng.random() ** 3) for _ in range(200)]
    stream = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=repo, stdin=subprocess.PIPE, env=env)
    out = stream.stdin

    def data(b):
        out.write(b"data %d\n" % len(b))
        out.write(b)
        out.write(b"\n")

    t0 = 1_735_700_000
    ours, theirs = {}, {}
    for c in range(commits):
        ts = t0 + c * 1800
        if c == 0:
            touched = [(p, list(range(1, len(files[p]) + 1)), files[p]) for p in paths]
        else:
            touched = []
            chosen = {paths[rng.choice(hot) if rng.random() < 0.6 else rng.randrange(nfiles)] for _ in range(rng.randint(1, 4))}
            if c % 10 == 0:
                chosen.add("CHANGELOG.md")
            for p in sorted(chosen):
                lines, added = files[p], []
                if p == "CHANGELOG.md":
                    lines[2:2] = [f"- {c}: {rng.choice(WORDS)} {rng.choice(WORDS)} fixed", ""]
                    added = [3, 4]
                else:
                    for _ in range(rng.randint(1, 6)):
                        n = rng.randrange(len(lines))
                        k = rng.random()
                        if k < 0.6:
                            lines[n] = fresh(c)
                            added.append(n + 1)
                        elif k < 0.85:
                            lines.insert(n, fresh(c))
                            added = [a + 1 if a >= n + 1 else a for a in added] + [n + 1]
                        elif len(lines) > 60:
                            del lines[n]
                            added = [a - 1 if a > n + 1 else a for a in added if a != n + 1]
                touched.append((p, sorted(set(added)), lines))
        out.write(b"commit refs/heads/main\nmark :%d\n" % (c + 1))
        out.write(b"author bench <bench@example.com> %d +0000\n" % ts)
        out.write(b"committer bench <bench@example.com> %d +0000\n" % ts)
        data(b"change %d: %s" % (c, rng.choice(WORDS).encode()))
        if c > 0:
            out.write(b"from :%d\n" % c)
        for p, _, lines in touched:
            out.write(b"M 100644 inline %s\n" % p.encode())
            data(("\n".join(lines) + "\n").encode())
        real = [t for t in touched if t[1]]
        if c > 0 and real:
            ours[c + 1] = note_text(rng, c, ts, real, sessions, 0)
            if rng.random() < 0.33:
                theirs[c + 1] = note_text(rng, c, ts, real, sessions, 17)
    for ref, notes, who in (("refs/notes/drift", ours, "bench"), ("refs/notes/remotes/origin/drift", theirs, "teammate")):
        out.write(b"commit %s\n" % ref.encode())
        out.write(b"committer %s <%s@example.com> %d +0000\n" % (who.encode(), who.encode(), t0 + commits * 1800))
        data(b"Notes added by 'git drift'")
        for mark, blob in notes.items():
            out.write(b"N inline :%d\n" % mark)
            data(blob)
    out.write(b"done\n")
    out.close()
    if stream.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True, env=env)
    print(f"{repo}: {commits} commits over {len(paths)} files, {len(ours)} notes on refs/notes/drift, "
          f"{len(theirs)} on refs/notes/remotes/origin/drift")


if __name__ == "__main__":
    main()
