#!/usr/bin/env python3
"""Checks that darkroom-core's business contexts use each other only as
crates/darkroom-core/contexts.toml allows: every `crate::X::Y` path in a
context's files must name the kernel, the context itself, or an entry
`X::Y` of its list. Exits 1 and lists each offending line otherwise."""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "crates" / "darkroom-core" / "src"
table = tomllib.loads((ROOT / "crates" / "darkroom-core" / "contexts.toml").read_text())
uses = table["uses"]
roots = set(table["roots"]["files"])
contexts = set(uses)

PATH = re.compile(r"\bcrate::(\w+)(?:::(\w+))?")
GROUP = re.compile(r"\bcrate::\{([^;]*?)\}", re.S)


def paths(text):
    """Every (context, item) a file names through `crate::`."""
    for m in GROUP.finditer(text):
        for part in re.split(r",\s*(?![^{]*\})", m.group(1)):
            head = re.match(r"\s*(\w+)(?:::(\w+))?", part)
            if head:
                yield head.group(1), head.group(2)
    for m in PATH.finditer(GROUP.sub("", text)):
        yield m.group(1), m.group(2)


bad = []
for f in sorted(SRC.rglob("*.rs")):
    rel = f.relative_to(SRC)
    if rel.parts[0] in roots:
        continue
    own = rel.parts[0]
    if own not in contexts:
        bad.append(f"{rel}: not in a context folder listed in contexts.toml")
        continue
    # Comments name paths without using them.
    text = re.sub(r"//[^\n]*", "", f.read_text(encoding="utf-8"))
    for ctx, item in paths(text):
        if ctx not in contexts or ctx in (own, "kernel"):
            continue
        if f"{ctx}::{item}" not in uses[own]:
            bad.append(f"{rel}: uses crate::{ctx}::{item}, which contexts.toml does not allow {own} to use")

for b in sorted(set(bad)):
    print(b)
if bad:
    sys.exit(1)
print(f"contexts: {', '.join(sorted(contexts))} use each other only as contexts.toml allows")
