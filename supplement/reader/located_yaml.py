"""Read YAML safely into plain containers that remember where each value came from.

The tree is built from parser events, never by PyYAML's constructors: no tag can
construct an object, nesting depth and alias expansion are bounded, and every
scalar stays the text the author typed (the schema decides whether it is a
number), so ``label: no`` is the string "no", not False.
"""

from __future__ import annotations

import codecs
import os
import re
import stat

from supplement.lazy_patterns import compiled_on_first_use

with compiled_on_first_use():  # PyYAML's pure-Python reader's pattern (5-7 ms), unused with libyaml
    import yaml

from supplement.diagnostics import Pos, Report, SourceError
from supplement.reader.located import YList, YMap, YStr

Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available

MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 2_000_000  # after alias expansion
MAX_ALIASED = 100_000  # values added by '*alias' references: far above any real reuse, far below a bomb

STANDARD_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}


def _pos(file: str, mark) -> Pos:
    return Pos(file, mark.line + 1, mark.column + 1)


def read_text(path: str) -> str:
    """Read a file as UTF-8, refusing what is too big or not text."""
    report = Report()
    try:
        # Non-blocking open and fstat: a FIFO or device (/dev/zero) is refused, not waited on or read forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as e:
        report.error(Pos(path), f"cannot read file: {e.strerror}")
        raise SourceError(report) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # before fdopen, which refuses a directory with an exception
        os.close(fd)
        report.error(Pos(path), "not a regular file (a directory, pipe or device); give the path of a .yaml file")
        raise SourceError(report)
    with os.fdopen(fd, "rb") as f:
        try:
            st = os.fstat(fd)
            if st.st_size > MAX_BYTES:
                report.error(Pos(path, 1, 1), f"file is {st.st_size / 2**20:.1f} MiB; the limit is {MAX_BYTES // 2**20} MiB",
                             "split the study or check that this is the right file")
                raise SourceError(report)
            data = f.read(MAX_BYTES + 1)  # the file may grow after fstat
        except OSError as e:
            report.error(Pos(path), f"cannot read file: {e.strerror}")
            raise SourceError(report) from None
    if len(data) > MAX_BYTES:
        report.error(Pos(path, 1, 1), f"file is larger than the limit of {MAX_BYTES // 2**20} MiB",
                     "split the study or check that this is the right file")
        raise SourceError(report)
    return decode(data, path)


def decode(data: bytes, file: str) -> str:
    report = Report()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        report.error(Pos(file, 1, 1), "file is UTF-16 or UTF-32 encoded; sources must be UTF-8",
                     "in your editor choose 'Save with encoding' > UTF-8")
        raise SourceError(report)
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        report.error(Pos(file, line, col), f"byte 0x{data[e.start]:02x} is not valid UTF-8; sources must be UTF-8 text",
                     "re-save the file as UTF-8 (or check that it is not a binary file)")
        raise SourceError(report) from None
    if "\x00" in text:
        i = text.index("\x00")
        line = text.count("\n", 0, i) + 1
        report.error(Pos(file, line, i - text.rfind("\n", 0, i)), "file contains a NUL byte; is it a binary file?")
        raise SourceError(report)
    found = list(_NOT_YAML.finditer(text))
    if found:  # YAML refuses these; say where each one is (the parser would only give an offset)
        for m in found[:MAX_REPORTED]:
            i = m.start()
            line = text.count("\n", 0, i) + 1
            report.error(Pos(file, line, i - text.rfind("\n", 0, i)),
                         f"control character U+{ord(m.group()):04X} is not allowed in a source",
                         "delete it; it often comes from copying out of a PDF or a QDA export")
        if len(found) > MAX_REPORTED:
            report.error(Pos(file), f"{len(found) - MAX_REPORTED} more control characters not listed")
        raise SourceError(report)
    return text


# What YAML cannot hold even quoted: C0 controls but tab, LF and CR; DEL; C1 controls but NEL;
# lone surrogates; U+FFFE and U+FFFF (YAML 1.1 'printable').
_NOT_YAML = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
MAX_REPORTED = 20


def _char_at(text: str, mark) -> str:
    lines = text.split("\n")
    if mark is None or mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    return line[mark.column] if mark.column < len(line) else ""


STOPPED = "reading stops at a YAML syntax error: problems after it show once it is fixed"


def _indenting_tabs(text: str) -> list[tuple[int, int]]:
    """(line, column) of each tab in a line's indentation, 1-based, at most MAX_REPORTED."""
    out = []
    for n, line in enumerate(text.split("\n"), 1):
        indent = line[:len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            out.append((n, indent.index("\t") + 1))
            if len(out) >= MAX_REPORTED:
                break
    return out


def parse(text: str, file: str):
    """Parse one YAML document into YMap/YList/YStr; None for an empty file."""
    report = Report()
    try:
        return _build(Parser(text), file, report)
    except yaml.MarkedYAMLError as e:
        mark, ctx = e.problem_mark or e.context_mark, e.context_mark
        problem = e.problem or e.context or "invalid YAML"
        hint = ""
        if "tab" in problem or "\\t" in problem or _char_at(text, mark) == "\t":
            problem, hint = "a tab character cannot indent YAML", "indent with spaces"
        elif "mapping values are not allowed" in problem:
            hint = "a value containing ': ' must be quoted, e.g. text: 'He said: yes'"
        elif "quoted scalar" in (e.context or "") and "end of stream" in problem and ctx:
            mark, problem = ctx, "this quoted text is never closed"
            hint = "add the closing quote; inside '…' write '' for an apostrophe"
        elif "unknown escape" in problem:
            hint = "inside \"…\" a backslash starts an escape: write \\\\ for a backslash, or use '…' instead"
        elif e.context and ctx and mark and (ctx.line, ctx.column) != (mark.line, mark.column):
            problem += f" ({e.context} that starts at line {ctx.line + 1}, column {ctx.column + 1})"
            if "flow" in e.context:
                hint = "a '[' or '{' opened there is not closed, or items are not separated by commas"
        at = _pos(file, mark) if mark else Pos(file, 1, 1)
        if problem == "a tab character cannot indent YAML":  # every other indenting tab at once
            for line, col in _indenting_tabs(text):
                if (line, col) != (at.line, at.col):
                    report.error(Pos(file, line, col), f"invalid YAML: {problem}", hint)
        hint = (hint + "; " if hint else "") + STOPPED
        report.error(at, f"invalid YAML: {problem}", hint)
    except yaml.reader.ReaderError as e:  # normally caught by decode() first
        report.error(Pos(file, 1, 1), f"invalid YAML: {e.reason}")
    except yaml.YAMLError as e:
        report.error(Pos(file, 1, 1), f"invalid YAML: {e}")
    except _Refused:
        pass
    raise SourceError(report)


class _Refused(Exception):
    pass


def _build(parser, file: str, report: Report):
    """The event loop: one pass over libyaml's events, with the open containers on a stack.

    It runs once per event (about 90,000 at 10,000 quotes), so it is written for speed: the
    event's type is compared by identity, the innermost container is kept in local
    variables, and nodes are made without a call to their constructors (a position is made by
    its own: a Struct's is as quick)."""
    E = yaml.events
    Scalar, MapStart, SeqStart, Alias = E.ScalarEvent, E.MappingStartEvent, E.SequenceStartEvent, E.AliasEvent
    ends = (E.MappingEndEvent, E.SequenceEndEvent)
    get = parser.get_event
    new_str = str.__new__
    stack: list = []  # the enclosing containers' saved states, innermost last
    anchors: dict = {}  # anchor -> (node, size)
    total = 0
    aliased = 0  # values added by aliases (a small file cannot expand into a huge document)
    root = None
    docs = 0
    # The innermost open container: the node, whether it is a mapping, a key waiting for its
    # value, the number of values in it so far (itself included), its anchor and its mark.
    cur = None
    is_map = False
    key = None
    size = 0
    anchor = mark = None

    def fail(mark, message, hint=""):
        report.error(_pos(file, mark), message, hint)
        raise _Refused

    def check_tag(ev):
        tag = ev.tag
        if tag and tag != "!" and tag not in STANDARD_TAGS:
            fail(ev.start_mark, f"YAML tag '{tag}' is not allowed",
                 "remove the tag; sources hold plain text, numbers, lists and mappings")

    def bad_key(node, m):
        if not isinstance(node, YStr):
            fail(m, "a mapping key must be a plain value, not a list or mapping")
        fail(m, f"duplicate key '{node}' (first at line {cur.kpos[node].line})",
             "YAML would silently keep only one of them; merge or rename them")

    while True:
        ev = get()
        t = type(ev)
        if t is Scalar:  # most events; a value or a key
            if ev.tag is not None:
                check_tag(ev)
            m = ev.start_mark
            node = new_str(YStr, ev.value)
            node.pos = Pos(file, m.line + 1, m.column + 1)
            node.plain = ev.implicit[0] and not ev.style
            if ev.anchor:
                anchors[ev.anchor] = (node, 1)
            total += 1
            if total > MAX_NODES:
                fail(m, f"document expands to more than {MAX_NODES:,} values (alias expansion)",
                     "remove the repeated '*alias' references")
            if cur is None:
                root = node
            elif not is_map:
                cur.append(node)
                size += 1
            elif key is None:
                if node in cur:
                    bad_key(node, m)
                key = node
                size += 1
            else:
                k = str(key)
                cur[k] = node
                cur.kpos[k] = key.pos
                key = None
                size += 1
            continue
        if t is MapStart or t is SeqStart:
            if ev.tag is not None:
                check_tag(ev)
            if len(stack) >= MAX_DEPTH:
                fail(ev.start_mark, f"nesting deeper than {MAX_DEPTH} levels",
                     "a source needs only a few levels; check the indentation")
            m = ev.start_mark
            p = Pos(file, m.line + 1, m.column + 1)
            stack.append((cur, is_map, key, size, anchor, mark))
            if t is MapStart:
                cur = YMap.__new__(YMap)
                cur.pos, cur.kpos = p, {}
                is_map = True
            else:
                cur = YList.__new__(YList)
                cur.pos = p
                is_map = False
            key, size, anchor, mark = None, 1, ev.anchor, m
            continue
        if t in ends:  # the innermost container is complete: it becomes a value of the one around it
            node, n, m = cur, size, mark
            if anchor:
                anchors[anchor] = (node, n)
            cur, is_map, key, size, anchor, mark = stack.pop()
            count = 1  # its children were counted as they arrived
        elif t is Alias:
            m = ev.start_mark
            if ev.anchor not in anchors:
                fail(m, f"unknown alias '*{ev.anchor}'")
            node, n = anchors[ev.anchor]
            aliased += n
            if aliased > MAX_ALIASED:
                fail(m, f"aliases expand to more than {MAX_ALIASED:,} values",
                     "a source rarely needs '*alias' at all; write the values out or remove the repeated references")
            count = n
        elif ev is None or t is E.StreamEndEvent:
            break
        else:
            if t is E.DocumentStartEvent:
                docs += 1
                if docs > 1:
                    fail(ev.start_mark, "a source holds one YAML document; found a second '---'")
            continue  # stream start, document end
        total += count
        if total > MAX_NODES:
            fail(m, f"document expands to more than {MAX_NODES:,} values (alias expansion)",
                 "remove the repeated '*alias' references")
        if cur is None:
            root = node
        elif not is_map:
            cur.append(node)
            size += n
        elif key is None:  # a key: an alias of a plain value may be one, a list or mapping never
            if not isinstance(node, YStr) or node in cur:
                bad_key(node, m)
            key = node
            size += n
        else:
            k = str(key)
            cur[k] = node
            cur.kpos[k] = key.pos
            key = None
            size += n
    return root
