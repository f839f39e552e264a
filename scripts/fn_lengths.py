#!/usr/bin/env python3
"""List functions longer than N lines (default 120) in src/, outside test code.

A function runs from its `fn` line to the closing brace at the same indentation.
Usage: scripts/fn_lengths.py [N] [src-dir]
"""
import os
import re
import sys

limit = int(sys.argv[1]) if len(sys.argv) > 1 else 120
src = sys.argv[2] if len(sys.argv) > 2 else "src"
FN = re.compile(r"^(\s*)(pub(\([a-z]+\))? )?(const )?(async )?fn (\w+)")
found = []
for dirpath, _, files in os.walk(src):
    for f in files:
        if not f.endswith(".rs") or f.startswith("tests"):
            continue
        path = os.path.join(dirpath, f)
        lines = open(path, encoding="utf-8").read().split("\n")
        in_tests = False
        for i, line in enumerate(lines):
            if re.match(r"^\s*mod tests\b", line):
                in_tests = True
            m = FN.match(line)
            if not m or in_tests:
                continue
            indent = m.group(1)
            for j in range(i + 1, len(lines)):
                if lines[j] == indent + "}":
                    n = j - i + 1
                    if n > limit:
                        found.append((n, f"{path}::{m.group(6)}"))
                    break
for n, name in sorted(found, reverse=True):
    print(f"{n:5}  {name}")
print(f"{len(found)} functions over {limit} lines")
