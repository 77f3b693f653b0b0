#!/usr/bin/env python3
"""The layout invariant of generated C (compiler/emit_print.c's emit_layout).

    generated_layout.py FILE...      check the files
    generated_layout.py --self-test  check that the checker catches what it should

Every line holds at most 100 columns, and a line that continues a
statement (a bracket of an earlier line is still open) starts one column
past the innermost open bracket, or four columns past the statement's first
line when that bracket stands past column 50. Strings, character constants
and comments are skipped when brackets are counted; comment lines are
checked for length only. Prints one line per violation and exits 1 when
there is any.
"""
import sys

COLUMNS = 100


def scan(line, stack, in_comment):
    """Updates STACK (columns of open brackets) over LINE; returns whether
    the line ends inside a block comment."""
    i, n = 0, len(line)
    while i < n:
        if in_comment:
            end = line.find("*/", i)
            if end < 0:
                return True
            i, in_comment = end + 2, False
            continue
        c = line[i]
        if line.startswith("/*", i):
            in_comment, i = True, i + 2
            continue
        if line.startswith("//", i):
            break
        if c in "\"'":
            j = i + 1
            while j < n and line[j] != c:
                j += 2 if line[j] == "\\" else 1
            i = j + 1
            continue
        if c in "([{":
            # a brace that ends its line opens a block (a body, an
            # initializer list): its lines are statements, not continuations
            rest = line[i + 1:].split("/*")[0].strip()
            stack.append(None if c == "{" and rest == "" else i)
        elif c in ")]}" and stack:
            stack.pop()
        i += 1
    return in_comment


def check(path, lines):
    """The violations in LINES (of file PATH) as messages."""
    bad, stack, in_comment, first = [], [], False, 0
    for number, line in enumerate(lines, 1):
        where = f"{path}:{number}"
        if len(line) > COLUMNS:
            bad.append(f"{where}: {len(line)} columns (at most {COLUMNS})")
        if stack and stack[-1] is not None and not in_comment and line.strip():
            col = len(line) - len(line.lstrip(" "))
            want = stack[-1] + 1 if stack[-1] + 1 <= COLUMNS // 2 else first + 4
            if col != want:
                bad.append(f"{where}: continuation at column {col}, not {want}")
        if not stack or stack[-1] is None:
            first = len(line) - len(line.lstrip(" "))
        in_comment = scan(line, stack, in_comment)
    return bad


def self_test():
    cases = [
        (["int f(int a,", "      int b);"], 0),
        (["int f(int a,", "     int b);"], 1),
        (["x" * 101], 1),
        (['  call("(", a,', '       b);'], 0),
        (["  /* ( */ call(a,", "               b);"], 0),
        (["void f(void) {", "  g(a,", "    b);", "}"], 0),
        (["void f(void) {", "  g(a,", "   b);", "}"], 1),
        (["static const T t[] = {", "    {1, 2},", "};"], 0),
        (["  " + "v" * 60 + "(a,", "      b);"], 0),
        (["  " + "v" * 60 + "(a,", "     b);"], 1),
    ]
    failed = 0
    for lines, want in cases:
        got = len(check("case", lines))
        if got != want:
            failed += 1
            print(f"self-test FAIL: {lines!r}: {got} violations, expected {want}")
    return failed


def main(argv):
    if argv[1:] == ["--self-test"]:
        return 1 if self_test() else 0
    bad = []
    for path in argv[1:]:
        with open(path, encoding="utf-8") as f:
            bad += check(path, f.read().split("\n"))
    for message in bad[:50]:
        print(message)
    if len(bad) > 50:
        print(f"... and {len(bad) - 50} more")
    print(f"{len(argv) - 1} files, {len(bad)} layout violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
