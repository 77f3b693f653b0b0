#!/usr/bin/env python3
"""Every message a user can see is in docs/errors.md.

    errors_doc.py --root DIR [--doc FILE] [--list] [SOURCE...]
    errors_doc.py --self-test

Reads the sources (default: compiler/*.c *.y *.l and runtime/*/*.c under
DIR) and collects the text of every message they print: the format passed
to each function through which text reaches the user (SINKS below: the
compiler's diag_* and usage_error, the lexer's lex_fail, the runtime's
rnn_error_set, rnn_driver_fail and rnn_driver_usage_fail, snprintf into an
error's msg, fprintf/fputs to stderr), with the hint of diag_error_hint and
lex_fail. Adjacent literals are joined and #define'd string macros
resolved; a '%s' whose argument is a string literal takes that literal;
every other conversion becomes a placeholder. A format split by '\\n'
gives one message per line. Given SOURCE files, only their messages are
checked (and no row goes stale).

Each message must match a line of the document: a backticked span, or a
line of a fenced block, in which every placeholder stands for any text (the
document writes FILE, N, 'NAME'...) and which may start with the prefix the
printer adds ("FILE:L:C: error: ", "NAME: error: ", "rnnc: "...). Each hint,
and each piece of text a message splices in (PARTS: why a section is
malformed, the advice about another model's file, the example of a missing
key), must appear somewhere in the document as written, its placeholders
standing for any text. Conversely, every message row of
the document's tables (a first cell in backticks) must match a message of
the sources, so a message changed or removed leaves no stale row.

A format that is only conversions ("%s") passes a message made elsewhere
through; PASS_THROUGH names the arguments known to carry one (err.msg: an
RnnError set by rnn_error_set, which is collected itself) and anything else
fails. A function declared printf-like (format(printf, ...), DIAG_PRINTF)
in the sources or their headers must be in SINKS or NOT_MESSAGES. So a new
path by which text reaches the user is noticed; one the script cannot see
is a message printed through a FILE * variable that happens to be stderr,
or by perror or write(2). --list prints every message with its file and
line. Exits 1 when a message is missing from the document, a row of it is
stale, or a path is unknown.
"""
import contextlib
import glob
import io
import os
import re
import sys
import tempfile

# name -> (index of the format argument, index of the hint argument or None,
#          condition on the arguments or None)
SINKS = {
    "diag_error": (2, None, None),
    "diag_error_hint": (3, 2, None),
    "diag_note": (2, None, None),
    "diag_file_error": (1, None, None),
    "usage_error": (0, None, None),
    "lex_fail": (3, 2, None),
    "rnn_error_set": (1, None, None),
    "rnn_driver_fail": (1, None, None),
    "rnn_driver_usage_fail": (1, None, None),
    "fprintf": (1, None, lambda args: args[0] == "stderr"),
    "fputs": (0, None, lambda args: len(args) > 1 and args[1] == "stderr"),
    "snprintf": (2, None, lambda args: re.search(r"\bmsg\b", args[0]) is not None),
}

# Functions declared printf-like (format(printf, ...), DIAG_PRINTF,
# EMIT_PRINTF) that do not print messages to the user. Every other one must
# be in SINKS, so a new way to print a message is noticed.
NOT_MESSAGES = {
    "emit_printf": "writes the generated C",
    "say": "rnnc diff's report, on stdout",
    "report": "diag.c's printer behind diag_error and diag_note (a va_list)",
}

# Text spliced into messages, which must appear in the document too (in its
# cause or fix): function -> indices of such arguments; snprintf into a
# buffer of PART_BUFFERS; and the designated initializers of PART_FIELDS.
PARTS = {
    "rnn_fmt_malformed": [3],        # why a section is malformed
    "rnn_fmt_check_size": [1, 4],    # which size differs; what to do
    "check_size": [1],
    "rnn_fmt_check_identity": [5],   # what to do about another model's file
    "rnn_fmt_check_tensors": [2],
    "rnn_fmt_read_path": [1],        # what the file was meant to be
    "rnn_data_read_file": [1],       # what an empty data file should hold
    "settings_block": [2],           # an example of the block
    "missing": [4],                  # an example of the missing key
}
PART_BUFFERS = ("hint", "why", "what")
PART_FIELDS = ("advice_damaged",)

# Arguments of a format that is only conversions, which carry a message
# made (and collected) elsewhere: file name -> {argument: why}.
PASS_THROUGH = {
    "*": {
        "fmt": "the format of a printing function's caller",
    },
    "parser.y": {"msg": "bison's own 'memory exhausted' (documented by hand)"},
    "yaml_read.c": {
        "problem": "libyaml's problem text (documented by hand)",
        "p->context": "libyaml's context text",
    },
    "lexer.l": {"msg": "lex_fail's message, collected at each call of lex_fail"},
}

# What a format holds, once its conversions are taken out, when it only
# passes a message through: "%s", "%s: error: %s", "%s %s: ".
PRINTER = re.compile(r"^\s*(?:rnnc:)?[\s:]*(?:(?:error|note|warning):)?[\s:]*$")
# An RnnError's message (rnn_model.h), set by rnn_error_set: "err.msg".
RNN_ERROR = re.compile(r"^[\w.>-]*(?:\.|->)msg$")
# Arguments that name the program and its command in a printer's prefix.
PROGRAM_NAMES = ("o->prog", "o.prog", "prog", 'o->cmd ? o->cmd : ""')

# A placeholder of the document: any text, or none ("file%s" -> "files").
PLACEHOLDER = "(?:.*?)"
# What the printers put before a message: "FILE:L:C: error: ", "NAME: error: ",
# "NAME CMD: ", "rnnc: ".
PREFIX = r"(?:.*?: )?"


# ---------------------------------------------------------------------------
# Reading C
# ---------------------------------------------------------------------------

def blank_comments(text, lex_file=False):
    """TEXT with comments (and, in a flex file, the patterns of its rules)
    replaced by spaces; strings and line breaks stay where they are."""
    out = list(text)
    i, n = 0, len(text)
    rules = False
    line_start = True
    while i < n:
        c = text[i]
        if lex_file and line_start:
            if text.startswith("%%", i):
                rules = not rules
                out[i] = out[i + 1] = " "
                i += 2
                line_start = False
                continue
            if rules and c not in " \t\n":
                i = blank_pattern(text, i, out)
                line_start = False
                continue
        line_start = c == "\n"
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            for j in range(i, end):
                if text[j] != "\n":
                    out[j] = " "
            i = end
        elif c in "\"'":
            i = skip_literal(text, i)
        else:
            i += 1
    return "".join(out)


def blank_pattern(text, i, out):
    """Blanks the flex pattern starting at I (up to unquoted, unbracketed
    white space); returns where it ends."""
    n = len(text)
    in_class = in_quote = False
    while i < n and text[i] != "\n":
        c = text[i]
        if c == "\\":
            out[i] = " "
            if i + 1 < n and text[i + 1] != "\n":
                out[i + 1] = " "
            i += 2
            continue
        if in_quote:
            in_quote = c != '"'
        elif in_class:
            in_class = c != "]"
        elif c == '"':
            in_quote = True
        elif c == "[":
            in_class = True
        elif c in " \t":
            break
        out[i] = " "
        i += 1
    return i


def skip_literal(text, i):
    """The index just past the string or character literal at I."""
    q = text[i]
    i += 1
    while i < len(text) and text[i] != q:
        i += 2 if text[i] == "\\" else 1
    return i + 1


def split_args(code, i):
    """The arguments of the call whose '(' is at I: (list of argument
    texts, index past the ')'), or None when the parentheses do not close."""
    depth, start, args = 0, i + 1, []
    j = i
    while j < len(code):
        c = code[j]
        if c in "\"'":
            j = skip_literal(code, j)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(code[start:j].strip())
                return args, j + 1
        elif c == "," and depth == 1:
            args.append(code[start:j].strip())
            start = j + 1
        j += 1
    return None


ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'",
           "a": "\a", "b": "\b", "f": "\f", "v": "\v", "?": "?"}


def unescape(body):
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        if e == "x":
            m = re.match(r"[0-9a-fA-F]+", body[i + 2:])
            out.append(chr(int(m.group(0), 16)))
            i += 2 + len(m.group(0))
        elif e in "01234567" and re.match(r"[0-7]{2,3}", body[i + 1:]):
            m = re.match(r"[0-7]{1,3}", body[i + 1:])
            out.append(chr(int(m.group(0), 8)))
            i += 1 + len(m.group(0))
        else:
            out.append(ESCAPES.get(e, e))
            i += 2
    return "".join(out)


# One or more adjacent string literals.
LITERALS = r'(?:\s*"(?:[^"\\\n]|\\.)*")+'
LITERAL_OR_NAME = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\b([A-Za-z_]\w*)\b', re.S)
ONE_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"', re.S)


def literal_value(expr, macros):
    """The string an argument is, when it is literals (joined) or a macro
    naming them; else None."""
    expr = expr.strip()
    while (expr.startswith("(") and expr.endswith(")")
           and split_args(expr, 0) == ([expr[1:-1].strip()], len(expr))):
        expr = expr[1:-1].strip()
    if expr in macros:
        return macros[expr]
    parts, pos = [], 0
    for m in LITERAL_OR_NAME.finditer(expr):
        if expr[pos:m.start()].strip():
            return None
        pos = m.end()
        if m.group(1) is not None:
            parts.append(unescape(m.group(1)))
        elif m.group(2) in macros:
            parts.append(macros[m.group(2)])
        else:
            return None
    if not parts or expr[pos:].strip():
        return None
    return "".join(parts)


def ternary_literals(expr, macros):
    """The strings of a conditional whose every branch is a literal
    ("a ? \"x\" : b ? \"y\" : \"z\""), else None."""
    parts = split_top(expr, "?:")
    if len(parts) < 3:
        return None
    branches = [parts[i] for i in range(1, len(parts), 2)] + [parts[-1]]
    values = [literal_value(b, macros) for b in branches]
    return values if all(v is not None for v in values) else None


def split_top(expr, seps):
    """EXPR cut at the top-level characters of SEPS (outside brackets and
    literals)."""
    parts, depth, start, j = [], 0, 0, 0
    while j < len(expr):
        c = expr[j]
        if c in "\"'":
            j = skip_literal(expr, j)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c in seps and depth == 0:
            parts.append(expr[start:j].strip())
            start = j + 1
        j += 1
    parts.append(expr[start:].strip())
    return parts


CONVERSION = re.compile(r"%(?:%|[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?"
                        r"(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfFgGcsp])")


def normalize(fmt, args, macros):
    """FMT with each conversion replaced: '%%' by '%', a '%s' whose argument
    is a literal by that literal, every other by the placeholder mark."""
    out, pos, k = [], 0, 0
    for m in CONVERSION.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        conv = m.group(0)
        if conv == "%%":
            out.append("%")
            continue
        width_stars = conv.count("*")
        k += width_stars
        arg = args[k] if k < len(args) else ""
        k += 1
        value = literal_value(arg, macros) if conv == "%s" else None
        out.append(value if value is not None else "\x01")
    out.append(fmt[pos:])
    return "".join(out)


def collect_macros(code):
    code = code.replace("\\\n", " ")
    macros = {}
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+(" + LITERALS + r")[ \t]*$",
                         code, re.M):
        macros[m.group(1)] = "".join(unescape(b) for b in ONE_STRING.findall(m.group(2)))
    for m in re.finditer(r"static\s+const\s+char\s+(\w+)\s*\[\s*\]\s*=\s*(" + LITERALS + r")\s*;",
                         code):
        macros[m.group(1)] = "".join(unescape(b) for b in ONE_STRING.findall(m.group(2)))
    return macros


class Message:
    def __init__(self, path, line, sink, text, kind="message"):
        self.path, self.line, self.sink, self.text, self.kind = path, line, sink, text, kind

    def shown(self):
        return self.text.replace("\x01", "...")

    def where(self):
        return "%s:%d" % (self.path, self.line)


def extract(path, shown_path=None):
    """(messages, problems) of one source file."""
    shown_path = shown_path or path
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    code = blank_comments(text, lex_file=path.endswith(".l"))
    macros = collect_macros(code)
    base = os.path.basename(path)
    passes = dict(PASS_THROUGH["*"])
    passes.update(PASS_THROUGH.get(base, {}))
    messages, problems = [], []
    for m in re.finditer(r"\.(" + "|".join(PART_FIELDS) + r")\s*=\s*(" + LITERALS + ")", code):
        line = code.count("\n", 0, m.start()) + 1
        messages.append(Message(shown_path, line, "." + m.group(1),
                                literal_value(m.group(2), macros), "part"))
    pattern = re.compile(r"\b(" + "|".join(list(SINKS) + list(PARTS)) + r")\s*\(")
    for m in pattern.finditer(code):
        name = m.group(1)
        before = code[:m.start()].rstrip()
        line = code.count("\n", 0, m.start()) + 1
        parsed = split_args(code, m.end() - 1)
        if parsed is None:
            problems.append("%s:%d: %s( does not close" % (shown_path, line, name))
            continue
        args, _ = parsed
        if name == "snprintf" and args and args[0] in PART_BUFFERS and len(args) > 2:
            value = literal_value(args[2], macros)
            for fmt in [value] if value is not None else ternary_literals(args[2], macros) or []:
                text = normalize(fmt, args[3:], macros)
                if re.search(r"[A-Za-z]{2}", text.replace("\x01", "")):
                    messages.append(Message(shown_path, line, name, text, "part"))
            continue
        if name in PARTS:
            if re.search(r"\bchar\s*\*", " ".join(args)):
                continue  # the definition or prototype
            for k in PARTS[name]:
                for text in ([literal_value(args[k], macros)] if k < len(args) else []):
                    if text is not None:
                        messages.append(Message(shown_path, line, name, text, "part"))
            continue
        fmt_i, hint_i, cond = SINKS[name]
        if cond and (len(args) <= fmt_i or not cond(args)):
            continue
        if len(args) <= fmt_i:
            continue
        fmt_arg = args[fmt_i]
        # a prototype or definition, not a call: "const char *fmt, ..."
        if re.search(r"\bchar\s*\*", fmt_arg) or before.endswith(("int", "void", "static")):
            continue
        rest = args[fmt_i + 1:]
        value = literal_value(fmt_arg, macros)
        formats = [value] if value is not None else ternary_literals(fmt_arg, macros)
        if formats is None:
            if fmt_arg in passes:
                continue
            problems.append("%s:%d: %s() prints '%s', which is neither a literal nor a known "
                            "pass-through (PASS_THROUGH in %s)"
                            % (shown_path, line, name, fmt_arg, os.path.basename(__file__)))
            continue
        for fmt in formats:
            norm = normalize(fmt, rest, macros)
            for piece in norm.split("\n"):
                piece = piece.strip()
                if not piece:
                    continue
                if PRINTER.match(piece.replace("\x01", "")):
                    # only conversions and a printer's "PROG: error: ": what
                    # passes through must be known
                    unknown = [a for a in rest if literal_value(a, macros) is None
                               and a not in passes and not RNN_ERROR.match(a)
                               and a not in PROGRAM_NAMES]
                    if unknown:
                        problems.append("%s:%d: %s() passes '%s' through, not a known "
                                        "pass-through (PASS_THROUGH in %s)"
                                        % (shown_path, line, name, ", ".join(unknown),
                                           os.path.basename(__file__)))
                    continue
                messages.append(Message(shown_path, line, name, piece))
        if hint_i is not None and hint_i < len(args):
            hint = literal_value(args[hint_i], macros)
            if hint is not None:
                messages.append(Message(shown_path, line, name, hint, "part"))
            else:
                for h in ternary_literals(args[hint_i], macros) or []:
                    messages.append(Message(shown_path, line, name, h, "part"))
    return messages, problems


PRINTF_ATTR = re.compile(r"(?:format\s*\(\s*printf|\b[A-Z]+_PRINTF)\s*\(?\s*,?\s*"
                         r"(\d+)\s*,\s*(\d+)\s*\)")
DECL_NAME = re.compile(r"\b([A-Za-z_]\w*)\s*\(")


def printf_functions(path):
    """(name, format index from 1, line) of every function PATH declares
    printf-like."""
    with open(path, encoding="utf-8", errors="replace") as f:
        code = blank_comments(f.read(), lex_file=path.endswith(".l"))
    found = []
    for m in PRINTF_ATTR.finditer(code):
        line_start = code.rfind("\n", 0, m.start()) + 1
        if code[line_start:m.start()].lstrip().startswith("#"):
            continue  # the macro's own definition
        # the declaration around it: from the end of the previous one
        start = max(code.rfind(";", 0, m.start()), code.rfind("}", 0, m.start()))
        end = code.find(";", m.end())
        decl = code[start + 1:end if end >= 0 else len(code)]
        decl = "\n".join(l for l in decl.split("\n") if not l.lstrip().startswith("#"))
        names = [n for n in DECL_NAME.findall(decl)
                 if n not in ("__attribute__", "format", "printf") and not n.endswith("_PRINTF")]
        if names:
            found.append((names[0], int(m.group(1)), code.count("\n", 0, m.start()) + 1))
    return found


def check_printers(paths, shown):
    """Problems with the printf-like functions of PATHS: one that is neither
    a sink nor known to print no message, or a sink whose format argument
    is not where SINKS says."""
    problems = []
    for path in paths:
        for name, fmt_at, line in printf_functions(path):
            where = "%s:%d" % (shown(path), line)
            if name in NOT_MESSAGES:
                continue
            if name not in SINKS:
                problems.append("%s: %s() prints like printf but is not in SINKS (or NOT_MESSAGES) "
                                "of %s: its messages would go unchecked"
                                % (where, name, os.path.basename(__file__)))
            elif SINKS[name][0] != fmt_at - 1:
                problems.append("%s: %s() takes its format as argument %d, SINKS says %d"
                                % (where, name, fmt_at, SINKS[name][0] + 1))
    return problems


# ---------------------------------------------------------------------------
# Reading the document
# ---------------------------------------------------------------------------

def doc_lines(doc_text):
    """(spans, rows, text): every backticked span and fenced line; the
    message rows of the tables (first cell in backticks) as (line, text);
    the document's text with markdown escapes undone."""
    spans, rows = [], []
    fenced = False
    for number, line in enumerate(doc_text.split("\n"), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            if line.strip():
                spans.append(line.strip())
            continue
        cells = split_row(line) if line.startswith("|") else None
        for span in re.findall(r"(``?)(.+?)\1", line):
            text = span[1].strip()
            if cells is not None:
                text = text.replace("\\|", "|")
            spans.append(text)
        if cells and cells[0].startswith("`") and cells[0].endswith("`"):
            first = cells[0].strip("`").strip().replace("\\|", "|")
            rows.append((number, first))
    plain = doc_text.replace("\\|", "|")
    return spans, rows, plain


def split_row(line):
    cells, cur, i = [], "", 1
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] == "|":
            cur += "\\|"
            i += 2
            continue
        if line[i] == "|":
            cells.append(cur.strip())
            cur = ""
        else:
            cur += line[i]
        i += 1
    return cells


def message_regex(text):
    return re.compile(PREFIX + "".join(PLACEHOLDER if c == "\x01" else re.escape(c)
                                       for c in text) + r"\Z", re.S)


def norm_space(s):
    return re.sub(r"\s+", " ", s).strip()


def check(messages, doc_text, doc_name, rows_too=True):
    spans, rows, plain = doc_lines(doc_text)
    spans = [norm_space(s) for s in spans]
    flat = norm_space(plain)
    missing, seen, regexes = [], set(), []
    for msg in messages:
        if msg.kind == "part":
            rx = re.compile("".join(r"[^`|]*?" if c == "\x01" else re.escape(c)
                                    for c in norm_space(msg.text)))
            if not rx.search(flat):
                missing.append("%s: not in %s (a hint or part of a message): %s"
                               % (msg.where(), doc_name, msg.shown()))
            continue
        rx = message_regex(norm_space(msg.text))
        regexes.append(rx)
        if msg.text in seen:
            continue
        if not any(rx.match(s) for s in spans):
            missing.append("%s: not in %s: %s" % (msg.where(), doc_name, msg.shown()))
            seen.add(msg.text)
    stale = ["%s:%d: matches no message of the sources: %s" % (doc_name, line, row)
             for line, row in rows
             if rows_too and not any(rx.match(norm_space(row)) for rx in regexes)]
    return missing, stale


def default_sources(root):
    files = []
    for pattern in ("compiler/*.c", "compiler/*.y", "compiler/*.l", "runtime/*/*.c"):
        files += sorted(glob.glob(os.path.join(root, pattern)))
    return files


def default_headers(root):
    files = []
    for pattern in ("compiler/*.h", "runtime/*/*.h"):
        files += sorted(glob.glob(os.path.join(root, pattern)))
    return files


def run(root, doc, sources, list_only, rows_too=True, headers=()):
    messages = []
    problems = check_printers(list(sources) + list(headers),
                              lambda p: os.path.relpath(p, root) if root else p)
    for path in sources:
        shown = os.path.relpath(path, root) if root else path
        got, bad = extract(path, shown)
        messages += got
        problems += bad
    if list_only:
        for m in messages:
            print("%s\t%s\t%s\t%s" % (m.where(), m.sink, m.kind, m.shown()))
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    with open(doc, encoding="utf-8") as f:
        doc_text = f.read()
    missing, stale = check(messages, doc_text, os.path.relpath(doc, root) if root else doc,
                           rows_too)
    for line in problems + missing + stale:
        print(line)
    n_msgs = len({m.text for m in messages if m.kind == "message"})
    n_hints = len({m.text for m in messages if m.kind == "part"})
    if problems or missing or stale:
        print("errors_doc: %d problems, %d messages or hints missing from the document, "
              "%d stale rows (of %d messages and %d hints or parts in %d files)"
              % (len(problems), len(missing), len(stale), n_msgs, n_hints, len(sources)))
        return 1
    print("errors_doc: %d messages and %d hints or parts of %d files, all in %s"
          % (n_msgs, n_hints, len(sources), os.path.relpath(doc, root) if root else doc))
    return 0


# ---------------------------------------------------------------------------
# Self-test
# ---------------------------------------------------------------------------

SELF_SOURCE = r'''
#define GONE "the file is gone"
/* rnn_error_set(err, "in a comment: not a message"); */
static int f(RnnError *err, Diag *d, SrcLoc loc, const char *path, int n) {
  rnn_error_set(err, "%s: expected %d numbers, "
                     "found %d", path, n, n + 1);
  diag_error_hint(d, loc, "add a 'units' key", "unknown key '%s' in %s", "unit", path);
  fprintf(stderr, "%s: error: %s\n", o->prog, err->msg);
  fprintf(stdout, "not an error\n");
  diag_file_error(d, GONE);
  rnn_error_set(err, n ? "first of two" : "second of two");
  return rnn_error_set(err, "%s", path);
}
'''

SELF_DOC = r'''
| message | exit | cause | fix |
|---|---|---|---|
| `FILE: expected N numbers, found M` | 1 | | |
| `FILE:L:C: error: unknown key 'unit' in WHAT` | 1 | | add a 'units' key |
| `rnnc: error: the file is gone` | 1 | | |
| `first of two` | 1 | | |

`second of two`
'''


def self_test():
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "fixture.c")
        with open(src, "w") as f:
            f.write(SELF_SOURCE)
        msgs, problems = extract(src, "fixture.c")
        texts = sorted(m.shown() for m in msgs if m.kind == "message")
        want = sorted(["...: expected ... numbers, found ...", "unknown key 'unit' in ...",
                       "the file is gone", "first of two", "second of two"])
        if texts != want:
            failures.append("extracted %r, want %r" % (texts, want))
        hints = [m.text for m in msgs if m.kind == "part"]
        if hints != ["add a 'units' key"]:
            failures.append("hints %r" % hints)
        if len(problems) != 1 or "passes 'path' through" not in problems[0]:
            failures.append("the unknown pass-through: %r" % problems)
        missing, stale = check(msgs, SELF_DOC, "doc")
        if missing or stale:
            failures.append("documented fixture reported %r %r" % (missing, stale))
        # an undocumented message fails, and names itself
        msgs.append(Message("fixture.c", 99, "rnn_error_set", "a new message \x01"))
        missing, _ = check(msgs, SELF_DOC, "doc")
        if missing != ["fixture.c:99: not in doc: a new message ..."]:
            failures.append("undocumented message: %r" % missing)
        # a changed hint fails
        missing, _ = check(msgs[:-1], SELF_DOC.replace("add a 'units'", "add 'units'"), "doc")
        if not any("a hint or part" in m for m in missing):
            failures.append("changed hint not reported: %r" % missing)
        # a row no message matches is stale
        _, stale = check(msgs[:-1], SELF_DOC + "| `a removed message` | 1 | | |\n", "doc")
        if len(stale) != 1 or "a removed message" not in stale[0]:
            failures.append("stale row: %r" % stale)
        # a whole run over the fixture: exit 1 when a message is missing
        doc = os.path.join(tmp, "errors.md")
        with open(doc, "w") as f:
            f.write(SELF_DOC.replace("`first of two`", "`third of two`"))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = run(None, doc, [src], False)
        if rc != 1 or "not in " + doc + ": first of two" not in out.getvalue():
            failures.append("run over the fixture: rc %d, output %r" % (rc, out.getvalue()))
        # a new printf-like function that is not a sink
        hdr = os.path.join(tmp, "fixture.h")
        with open(hdr, "w") as f:
            f.write("#define X_PRINTF(a, b) __attribute__((format(printf, a, b)))\n"
                    "/* a comment; */\nint shout(int level, const char *fmt, ...) X_PRINTF(2, 3);\n"
                    "__attribute__((format(printf, 3, 4)))\n"
                    "int rnn_error_set(RnnError *err, const char *fmt, ...);\n")
        got = check_printers([hdr], os.path.basename)
        if len(got) != 2 or "shout() prints like printf" not in got[0] \
                or "rnn_error_set() takes its format as argument 3, SINKS says 2" not in got[1]:
            failures.append("printf-like functions: %r" % got)
    for f in failures:
        print("errors_doc self-test: " + f)
    if not failures:
        print("errors_doc self-test: ok")
    return 1 if failures else 0


def main(argv):
    root, doc, list_only, sources = None, None, False, []
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "--self-test":
            return self_test()
        if a in ("--root", "--doc") and i + 1 < len(argv):
            if a == "--root":
                root = argv[i + 1]
            else:
                doc = argv[i + 1]
            i += 2
            continue
        if a == "--list":
            list_only = True
        elif a.startswith("-"):
            print(__doc__, file=sys.stderr)
            return 2
        else:
            sources.append(a)
        i += 1
    if root is None and not sources:
        print(__doc__, file=sys.stderr)
        return 2
    rows_too = not sources  # rows go stale only against every source
    if not sources:
        sources = default_sources(root)
    if doc is None:
        doc = os.path.join(root or ".", "docs", "errors.md")
    headers = default_headers(root) if rows_too else []
    return run(root, doc, sources, list_only, rows_too, headers)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
