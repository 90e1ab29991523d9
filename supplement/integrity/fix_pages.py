"""``verify --fix-pages``: rewrite wrong page citations in the source file, changing nothing else.

Each citation is found at the position the reader gave it (the citation scalar, or the
``pages`` value of a structured ``{source: …, pages: …}``); only the page number or
range inside it changes, so its quoting, the source label, comments, key order and
blank lines stay byte for byte. The core's in-place editor (``study.edit``) writes
the file atomically.
"""

from __future__ import annotations

import re
from pathlib import Path

from supplement.diagnostics import Pos
from supplement.reader.located_yaml import read_text
from supplement.study import edit
from supplement.study.model import Quote

_PAGES = re.compile(r"\d+(?:\s*[-–—]\s*\d+)?")


def where(q: Quote) -> Pos:
    """The scalar that holds a quote's page(s)."""
    return q.cite.where.get("pages", q.at("cite")) if q.cite is not None and q.cite.where else q.at("cite")


def rewrite(path: Path, fixes: list[tuple[Pos, str]]) -> list[Pos]:
    """Put the new page (``"7"``, ``"8-9"``) into each citation; returns the positions that could
    not be edited (no value starts there, or it names no page)."""
    text = read_text(str(path))
    spans = edit.scalar_spans(text)
    values, failed = {}, []
    for pos, pages in fixes:
        span = spans.get((pos.line, pos.col))
        found = list(_PAGES.finditer(text[span[0]:span[1]])) if span else []
        if not found:
            failed.append(pos)
            continue
        raw, last = text[span[0]:span[1]], found[-1]
        values[pos] = raw[:last.start()] + pages + raw[last.end():]
    if values:
        edit.replace_values(path, values)
    return failed
