#!/usr/bin/env python3
"""Check the module graph of src/: import cycles and arrows back up the layer order.

Every `crate::a::b` path outside test code is an edge from the file's module to the
longest known module prefix of the path. Reported:
  - cycles between top-level modules (strongly connected components of size > 1),
  - cycles between sibling submodules of one top-level module (edges to the parent's
    own mod.rs are the normal way down into a folder and are not counted),
  - edges that point from a lower layer to a higher one (LAYERS below).
Exit code 1 when any is found. Usage: scripts/layers.py [src-dir]
"""

import os
import re
import sys

# Bottom to top; modules on one line are one layer (they may use each other, acyclically).
LAYERS = [
    ["model", "error"],
    ["util", "ui"],
    ["agents"],
    ["config", "redact", "store", "capture", "llm"],
    # notes (format, refs, merge) knows nothing of attribution; attribution::bind writes notes.
    ["notes"],
    ["attribution"],
    ["report", "blame", "browse", "handoff", "sessions", "stats", "sync", "hooks", "init", "status"],
    ["commands"],
    ["cli"],
]
RANK = {m: i for i, layer in enumerate(LAYERS) for m in layer}
PATH_RE = re.compile(r"\bcrate((?:::[a-z_][a-z0-9_]*)+)")
USE_GROUP_RE = re.compile(r"\buse crate::\{([^;]*)\}", re.S)
TEST_RE = re.compile(r"^\s*#\[cfg\(test\)\]\s*\n\s*mod tests\s*\{", re.M)


def modules(src):
    mods = {}
    for dirpath, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), src)[:-3].split(os.sep)
            if rel in (["lib"], ["main"]) or rel[0] == "bin":
                continue
            if rel[-1] == "mod":
                rel = rel[:-1]
            if any(p.startswith("tests") for p in rel):
                continue  # unit-test files
            mods["::".join(rel)] = os.path.join(dirpath, f)
    return mods


def edges(mods):
    out = set()
    for mod, path in mods.items():
        text = open(path, encoding="utf-8").read()
        m = TEST_RE.search(text)
        if m:
            text = text[: m.start()]
        text = "\n".join(l.split("//")[0] for l in text.splitlines())
        paths = [p[2:] for p in PATH_RE.findall(text)]
        for group in USE_GROUP_RE.findall(text):
            for item in group.split(","):
                item = item.strip().split("::{")[0].strip()
                if item and item[0].islower():
                    paths.append(item)
        for p in paths:
            parts = p.split("::")
            target = None
            for n in range(len(parts), 0, -1):
                cand = "::".join(parts[:n])
                if cand in mods:
                    target = cand
                    break
            if target and target != mod:
                out.add((mod, target))
    return out


def sccs(nodes, adj):
    index, low, stack, on, result, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in adj.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                result.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return result


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "src"
    mods = modules(src)
    es = edges(mods)
    top = lambda m: m.split("::")[0]
    top_adj, top_nodes = {}, set()
    for a, b in es:
        ta, tb = top(a), top(b)
        top_nodes |= {ta, tb}
        if ta != tb:
            top_adj.setdefault(ta, set()).add(tb)
    problems = 0
    cycles = sccs(top_nodes, top_adj)
    for c in cycles:
        print("cycle between top-level modules:", " ".join(c))
    problems += len(cycles)
    sib_adj, sib_nodes = {}, set()
    for a, b in es:
        if top(a) == top(b) and "::" in a and "::" in b:
            sib_nodes |= {a, b}
            sib_adj.setdefault(a, set()).add(b)
    sib = sccs(sib_nodes, sib_adj)
    for c in sib:
        print("cycle between submodules:", " ".join(c))
    problems += len(sib)
    up = 0
    for a, b in sorted(es):
        ra, rb = RANK.get(top(a)), RANK.get(top(b))
        if ra is None or rb is None:
            missing = top(a) if ra is None else top(b)
            print(f"module {missing} is in no layer (add it to LAYERS)")
            problems += 1
        elif rb > ra:
            print(f"arrow up: {a} -> {b}")
            up += 1
    problems += up
    print(
        f"{len(mods)} modules, {len(es)} edges, {len(cycles)} top-level cycles "
        f"({sum(len(c) for c in cycles)} modules in them), {len(sib)} submodule cycles, "
        f"{up} arrows up"
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
