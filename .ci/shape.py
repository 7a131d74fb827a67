#!/usr/bin/env python3
"""The shape of the code, measured: files and lines per business context,
the largest file and function, string-typed status comparisons, and (with
--check) the limits CI enforces: no source file over 600 lines and no
function over 80 lines outside tests and generated code, and no two types
published in the OpenAPI document under one name (utoipa keeps only the
last one, so one operation would be documented with another's schema).

    python3 .ci/shape.py            # report
    python3 .ci/shape.py --check    # report, and fail past the limits
    python3 .ci/shape.py --baseline # rewrite .ci/shape-baseline.txt

Until every file and function is within the limits, `.ci/shape-baseline.txt`
lists the ones that are not, with their size: --check (run in CI) fails on
any other that passes a limit, on a listed one that grows, and on a listed
one that has shrunk within the limit but is still listed (a ratchet: the
list only gets shorter).
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".ci" / "shape-baseline.txt"
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


CODE_NOISE = re.compile(
    r'"(?:[^"\\]|\\.)*"'       # a string literal on one line
    r"|'(?:[^'\\]|\\.)'"       # a char literal ('{')
    r"|//.*$"                     # a line comment
)


def braces(line):
    """`{` minus `}` in a line's code (not in its strings, chars or comment)."""
    code = CODE_NOISE.sub("", line)
    return code.count("{") - code.count("}")


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
            depth += braces(lines[j])
            if "{" in CODE_NOISE.sub("", lines[j]):
                opened = True
            if opened and depth <= 0:
                break
            if not opened and lines[j].rstrip().endswith(";"):
                break
            j += 1
        if opened:
            yield m.group(5), start + 1, j - start + 1
        i = start + 1


SCHEMA_TYPE = re.compile(r"derive\([^)]*\bToSchema\b[^)]*\)\]\s*(?:#\[[^\]]*\]\s*)*pub (?:struct|enum) (\w+)")
SCHEMA_AS = re.compile(r"#\[schema\([^\]]*\bas\s*=\s*([\w:]+)")


def schema_names(text, rel, seen):
    """Record each OpenAPI schema name a file declares, with where."""
    for m in SCHEMA_TYPE.finditer(text):
        alias = SCHEMA_AS.search(m.group(0))
        name = alias.group(1).split("::")[-1] if alias else m.group(1)
        line = text.count("\n", 0, m.end()) + 1
        seen[name].append(f"{rel}:{line}")


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
    schemas = defaultdict(list)
    for crate, f in sources():
        rel = f.relative_to(ROOT).as_posix()
        text = f.read_text(encoding="utf-8").splitlines()
        code = strip_tests(text)
        schema_names("\n".join(code), rel, schemas)
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
                    too_long.append(f"{rel} {name}: {n} lines")
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
    over = {}
    for x in too_big + too_long:
        where, n = x.rsplit(": ", 1)
        over[where] = int(n.split()[0])
    if "--baseline" in sys.argv:
        BASELINE.write_text(
            "# Files over 600 lines and functions over 80 lines, with their size, that\n"
            "# are yet to be split. .ci/shape.py --check lets them shrink, never grow,\n"
            "# and no new one in. Regenerate with .ci/shape.py --baseline.\n"
            + "".join(f"{w}: {n}\n" for w, n in sorted(over.items()))
        )
        return
    if check:
        allowed = {}
        for line in BASELINE.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                where, n = line.rsplit(": ", 1)
                allowed[where] = int(n)
        bad = [
            f"two types publish the OpenAPI schema {name!r} ({', '.join(at)}): rename one"
            for name, at in sorted(schemas.items())
            if len(at) > 1
        ]
        for where, n in sorted(over.items()):
            if where not in allowed:
                bad.append(f"{where} is {n} lines, past the limit: split it")
            elif n > allowed[where]:
                bad.append(f"{where} grew from {allowed[where]} to {n} lines: split it, do not grow it")
        for where in sorted(set(allowed) - set(over)):
            bad.append(f"{where} is within the limit now: take it off .ci/shape-baseline.txt")
        for b in bad:
            print(f"shape: {b}")
        if bad:
            sys.exit(1)


if __name__ == "__main__":
    main()
