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

import yaml

from supplement.diagnostics import Pos, Report, SourceError

Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available

MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 2_000_000  # after alias expansion
MAX_ALIASED = 100_000  # values added by '*alias' references: far above any real reuse, far below a bomb

STANDARD_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}


class YStr(str):
    """A scalar as typed, with its position. ``plain`` is False when it was quoted."""

    __slots__ = ("pos", "plain")

    def __new__(cls, value: str, pos: Pos, plain: bool = False):
        s = super().__new__(cls, value)
        s.pos, s.plain = pos, plain
        return s

    @property
    def is_null(self) -> bool:
        return self.plain and self in ("", "~", "null", "Null", "NULL")


class YMap(dict):
    """A mapping with its own position and the position of each key."""

    def __init__(self, pos: Pos):
        super().__init__()
        self.pos, self.kpos = pos, {}


class YList(list):
    def __init__(self, pos: Pos):
        super().__init__()
        self.pos = pos


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
    E = yaml.events
    stack: list = []  # [container, pending_key_or_None, size]
    anchors: dict = {}  # anchor -> (node, size)
    total = 0
    aliased = 0  # values added by aliases (a small file cannot expand into a huge document)
    root = None
    docs = 0

    def fail(mark, message, hint=""):
        report.error(_pos(file, mark), message, hint)
        raise _Refused

    def add(node, size, mark, count):
        nonlocal root, total
        total += count
        if total > MAX_NODES:
            fail(mark, f"document expands to more than {MAX_NODES:,} values (alias expansion)",
                 "remove the repeated '*alias' references")
        if not stack:
            root = node
            return
        top = stack[-1]
        top[2] += size
        container = top[0]
        if isinstance(container, YList):
            container.append(node)
        elif top[1] is None:
            if not isinstance(node, YStr):
                fail(mark, "a mapping key must be a plain value, not a list or mapping")
            key = str(node)
            if key in container:
                fail(mark, f"duplicate key '{key}' (first at line {container.kpos[key].line})",
                     "YAML would silently keep only one of them; merge or rename them")
            top[1] = node
        else:
            key = top[1]
            container[str(key)] = node
            container.kpos[str(key)] = key.pos
            top[1] = None

    def check_tag(ev):
        tag = getattr(ev, "tag", None)
        if tag and tag != "!" and tag not in STANDARD_TAGS:
            fail(ev.start_mark, f"YAML tag '{tag}' is not allowed",
                 "remove the tag; sources hold plain text, numbers, lists and mappings")

    while True:
        ev = parser.get_event()
        if ev is None or isinstance(ev, E.StreamEndEvent):
            break
        if isinstance(ev, E.DocumentStartEvent):
            docs += 1
            if docs > 1:
                fail(ev.start_mark, "a source holds one YAML document; found a second '---'")
        elif isinstance(ev, (E.StreamStartEvent, E.DocumentEndEvent)):
            pass
        elif isinstance(ev, E.ScalarEvent):
            check_tag(ev)
            plain = ev.implicit[0] and not ev.style
            node = YStr(ev.value, _pos(file, ev.start_mark), plain)
            if ev.anchor:
                anchors[ev.anchor] = (node, 1)
            add(node, 1, ev.start_mark, 1)
        elif isinstance(ev, (E.MappingStartEvent, E.SequenceStartEvent)):
            check_tag(ev)
            if len(stack) >= MAX_DEPTH:
                fail(ev.start_mark, f"nesting deeper than {MAX_DEPTH} levels",
                     "a source needs only a few levels; check the indentation")
            node = (YMap if isinstance(ev, E.MappingStartEvent) else YList)(_pos(file, ev.start_mark))
            stack.append([node, None, 1, ev.anchor, ev.start_mark])
        elif isinstance(ev, (E.MappingEndEvent, E.SequenceEndEvent)):
            node, _, size, anchor, mark = stack.pop()
            if anchor:
                anchors[anchor] = (node, size)
            add(node, size, mark, 1)  # its children were counted as they arrived
        elif isinstance(ev, E.AliasEvent):
            if ev.anchor not in anchors:
                fail(ev.start_mark, f"unknown alias '*{ev.anchor}'")
            node, size = anchors[ev.anchor]
            aliased += size
            if aliased > MAX_ALIASED:
                fail(ev.start_mark, f"aliases expand to more than {MAX_ALIASED:,} values",
                     "a source rarely needs '*alias' at all; write the values out or remove the repeated references")
            add(node, size, ev.start_mark, size)
    return root
