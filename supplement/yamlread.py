"""Read YAML safely into plain containers that remember where each value came from.

The tree is built from parser events, never by PyYAML's constructors: no tag can
construct an object, nesting depth and alias expansion are bounded, and every
scalar stays the text the author typed (the schema decides whether it is a
number), so ``label: no`` is the string "no", not False.
"""

from __future__ import annotations

import codecs
import os

import yaml

from .diagnostics import Pos, Report, SourceError

Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available

MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 2_000_000  # after alias expansion

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
        size = os.path.getsize(path)
    except OSError as e:
        report.error(Pos(path), f"cannot read file: {e.strerror}")
        raise SourceError(report) from None
    if size > MAX_BYTES:
        report.error(Pos(path, 1, 1), f"file is {size / 2**20:.1f} MiB; the limit is {MAX_BYTES // 2**20} MiB",
                     "split the study or check that this is the right file")
        raise SourceError(report)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        report.error(Pos(path), f"cannot read file: {e.strerror}")
        raise SourceError(report) from None
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
    return text


def parse(text: str, file: str):
    """Parse one YAML document into YMap/YList/YStr; None for an empty file."""
    report = Report()
    try:
        return _build(Parser(text), file, report)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or e.context or "invalid YAML"
        hint = ""
        if "tab" in problem or "\\t" in problem:
            problem, hint = "a tab character cannot indent YAML", "indent with spaces"
        elif "mapping values are not allowed" in problem:
            hint = "a value containing ': ' must be quoted, e.g. text: 'He said: yes'"
        elif "found undefined alias" in problem or "found unknown escape" in problem:
            pass
        report.error(_pos(file, mark) if mark else Pos(file, 1, 1), f"invalid YAML: {problem}", hint)
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
            add(node, size, ev.start_mark, size)
    return root
