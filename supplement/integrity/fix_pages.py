"""``verify --fix-pages``: rewrite wrong page citations in the source file, changing nothing else.

Each citation is found by the position the reader gave it; only the page number
(or range) inside it is replaced, so its quoting style, the source label, comments,
key order and blank lines stay byte for byte. The file is replaced atomically.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from supplement.build.atomic import fill, temp_beside
from supplement.diagnostics import Pos

_PAGES = re.compile(r"\d+(?:\s*[-–—]\s*\d+)?")


def scalar_spans(text: str) -> dict[tuple[int, int], tuple[int, int]]:
    """(line, col) of every scalar and every mapping -> character span of the scalar, or of the
    value of its ``pages`` key for a mapping (the structured citation)."""
    spans: dict = {}
    stack: list = []  # per open mapping: [start (line, col), expecting key?, last key]
    for ev in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(ev, yaml.MappingStartEvent):
            stack.append([(ev.start_mark.line + 1, ev.start_mark.column + 1), True, None])
        elif isinstance(ev, yaml.SequenceStartEvent):
            stack.append([None, False, None])
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
            _value_done(stack)
        elif isinstance(ev, yaml.ScalarEvent):
            span = (ev.start_mark.index, ev.end_mark.index)
            top = stack[-1] if stack else None
            if top and top[0] is not None and top[1]:  # a key
                top[1], top[2] = False, ev.value
                continue
            spans[(ev.start_mark.line + 1, ev.start_mark.column + 1)] = span
            if top and top[0] is not None and top[2] == "pages":
                spans.setdefault(top[0], span)
            _value_done(stack)
    return spans


def _value_done(stack: list) -> None:
    if stack and stack[-1][0] is not None:
        stack[-1][1], stack[-1][2] = True, None


def replace_pages(text: str, edits: list[tuple[Pos, str]]) -> tuple[str, list[Pos]]:
    """Replace the page part of the citations at the given positions; the positions that could not be
    edited (the citation names no page) come back."""
    spans = scalar_spans(text)
    todo, failed = [], []
    for pos, pages in edits:
        span = spans.get((pos.line, pos.col))
        m = None
        if span:
            raw = text[span[0]:span[1]]
            m = list(_PAGES.finditer(raw))
        if not m:
            failed.append(pos)
            continue
        last = m[-1]
        todo.append((span[0] + last.start(), span[0] + last.end(), pages))
    for a, b, new in sorted(todo, reverse=True):
        text = text[:a] + new + text[b:]
    return text, failed


def rewrite(path: Path, edits: list[tuple[Pos, str]]) -> list[Pos]:
    """Apply the edits to the file in place (atomically); returns the positions not edited."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    bom = raw.startswith(b"\xef\xbb\xbf")
    crlf = "\r\n" in text
    new, failed = replace_pages(text.replace("\r\n", "\n") if crlf else text, edits)
    if crlf:
        new = new.replace("\n", "\r\n")
    if new != text:
        tmp = temp_beside(path)
        try:
            fill(tmp, (b"\xef\xbb\xbf" if bom else b"") + new.encode("utf-8"))
            os.chmod(tmp, path.stat().st_mode & 0o777)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return failed
