#!/usr/bin/env python3
"""The shape of the code, measured: files and lines per business context,
the largest file and function, string-typed status comparisons, and (with
--check) the limits CI enforces: no source file over 600 lines and no
function over 80 lines outside tests and generated code.

    python3 .ci/shape.py            # report
    python3 .ci/shape.py --check    # report, and fail past the limits
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_FILE = 600
MAX_FN = 80
# Code that is generated or is data, not logic to keep small.
EXEMPT = ("/migration/", "/entity/")

STATUS_CMP = re.compile(
    r'(status|kind|purpose|priority|sort_order|rendition|security)\s*(==|!=)\s*"'
    r'|\.(status|kind|purpose|priority|sort_order)\.as_str\(\)\s*(==|!=)'
    r'|"(active|invited|suspended|archived|completed|queued|running|failed|delivery|proofing'
    r'|person|general|shipped|delivered|review|done|revision|in_progress)"\s*(==|!=)'
)


def sources():
    for crate in sorted((ROOT / "crates").iterdir()):
        src = crate / "src"
        if src.is_dir():
            for f in sorted(src.rglob("*.rs")):
                yield crate.name, f


def strip_tests(lines):
    """Lines outside `#[cfg(test)] mod ... { }` blocks."""
    out, skip, depth = [], False, 0
    pending = False
    for line in lines:
        s = line.strip()
        if s == "#[cfg(test)]":
            pending = True
            continue
        if pending and (s.startswith("mod ") or s.startswith("pub mod ")) and s.endswith("{"):
            skip, depth, pending = True, 1, False
            continue
        pending = False
        if skip:
            depth += line.count("{") - line.count("}")
            if depth <= 0:
                skip = False
            continue
        out.append(line)
    return out


FN = re.compile(r"^\s*(pub(\([a-z]+\))?\s+)?(async\s+)?(const\s+)?fn\s+(\w+)")


def functions(lines):
    """(name, first line, length) of each function, by brace depth."""
    i = 0
    while i < len(lines):
        m = FN.match(lines[i])
        if not m:
            i += 1
            continue
        start, depth, opened, j = i, 0, False, i
        while j < len(lines):
            depth += lines[j].count("{") - lines[j].count("}")
            if "{" in lines[j]:
                opened = True
            if opened and depth <= 0:
                break
            if not opened and lines[j].rstrip().endswith(";"):
                break
            j += 1
        if opened:
            yield m.group(5), start + 1, j - start + 1
        i = start + 1


def context_of(crate, path):
    rel = path.relative_to(ROOT / "crates" / crate / "src")
    if crate in ("darkroom-core", "darkroom-server") and len(rel.parts) > 1:
        return f"{crate}/{rel.parts[0]}"
    return f"{crate}/(top)" if crate in ("darkroom-core", "darkroom-server") else crate


def main():
    check = "--check" in sys.argv
    per = defaultdict(lambda: [0, 0])
    biggest_file, biggest_fn = (0, ""), (0, "")
    too_long, too_big, cmps = [], [], []
    for crate, f in sources():
        rel = f.relative_to(ROOT).as_posix()
        text = f.read_text(encoding="utf-8").splitlines()
        code = strip_tests(text)
        ctx = context_of(crate, f)
        per[ctx][0] += 1
        per[ctx][1] += len(code)
        exempt = any(e in rel for e in EXEMPT)
        if not exempt:
            biggest_file = max(biggest_file, (len(code), rel))
            if len(code) > MAX_FILE:
                too_big.append(f"{rel}: {len(code)} lines")
            for name, at, n in functions(code):
                biggest_fn = max(biggest_fn, (n, f"{rel}:{at} {name}"))
                if n > MAX_FN:
                    too_long.append(f"{rel}:{at} {name}: {n} lines")
        for n, line in enumerate(code, 1):
            if STATUS_CMP.search(line):
                cmps.append(f"{rel}:{n}: {line.strip()}")
    print("files and lines (tests left out) per context:")
    for ctx in sorted(per):
        files, lines = per[ctx]
        print(f"  {ctx:40} {files:4} files {lines:7} lines")
    print(f"largest file: {biggest_file[1]} ({biggest_file[0]} lines)")
    print(f"largest function: {biggest_fn[1]} ({biggest_fn[0]} lines)")
    print(f"string-typed status comparisons: {len(cmps)}")
    for c in cmps:
        print(f"  {c}")
    print(f"files over {MAX_FILE} lines: {len(too_big)}; functions over {MAX_FN} lines: {len(too_long)}")
    for x in too_big + too_long:
        print(f"  {x}")
    if check and (too_big or too_long):
        sys.exit(1)


if __name__ == "__main__":
    main()
