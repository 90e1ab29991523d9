"""Citations: the shorthands authors type, parsed into one structured form."""

from __future__ import annotations

import re

from supplement.records import Struct
from supplement.study.model import Pages

# Linear patterns only: a citation is matched against stripped text, never with two
# adjacent \s* or a lazy .*? that could backtrack (100,000 spaces took 20 s).
# A page may be written with a word before it: "p. 9", "pp. 8-9", "pg 9", "pg. 9", "page 9", "pages 8-9".
PAGE_WORD = r"(?:pages?\s+|pp?\.\s*|pgs?(?:\.\s*|\s+))"
_PAGES = re.compile(rf"{PAGE_WORD}?(\d+)(?:\s*[-–—]\s*(\d+))?", re.IGNORECASE)
_PAGES_AT_END = re.compile(r"\d\s*[-–—]\s*\d+$")
_PAGES_ONLY = re.compile(r"[\d\s\-–—]+")
_NOT_KEY = re.compile(r"[^0-9a-z]")  # what source_key drops
MAX_CITE = 200  # characters: a source's name and its pages


def _too_long(text: str) -> str:
    return (f"the citation is {len(text):,} characters long; the limit is {MAX_CITE}"
            if len(text) > MAX_CITE else "")


class CiteText(Struct, frozen=True):
    """A citation as written: the source as typed (None: the page-only source) and pages."""

    source: str | None
    pages: Pages | None


def parse_pages(text: str) -> tuple[Pages | None, str]:
    m = _PAGES.fullmatch(text.strip())
    if not m:
        shown = text if len(text) <= 40 else text[:39] + "…"
        return None, f"'{shown}' is not a page or page range (write 3 or 3-4)"
    return _pages(m, text)


def _pages(m: re.Match, text: str) -> tuple[Pages | None, str]:
    """The pages a match of _PAGES holds, or what is wrong with them."""
    first, last = m.group(1, 2)
    if max(len(first), len(last or "")) > 9:  # int() refuses more than 4,300 digits
        return None, f"'{text[:40]}' is not a page number (more than 9 digits)"
    a = int(first)
    b = int(last) if last else a
    if a < 1:
        return None, f"page {a} does not exist; pages start at 1"
    if b < a:
        return None, f"page range {a}-{b} runs backwards; write {b}-{a}"
    return Pages(a, b), ""


def parse_shorthand(text: str) -> tuple[CiteText | None, str]:
    """'6', '8-9', 'Non-Op 1, 2', 'Non Op 1,3', '[Non- Op 1, 4]', 'Non-Op 2' (no page)."""
    s = text.strip()
    if _too_long(s):
        return None, _too_long(s)
    if len(s) >= 2 and s[0] + s[-1] in ("[]", "()"):
        s = s[1:-1].strip()
    if not s:
        return None, "the citation is empty"
    # pages alone, or a source, the last comma and pages (pages hold no comma)
    src, comma, tail = s.rpartition(",")
    m = _PAGES.fullmatch(tail.strip() if comma else s)
    if m is None or "\n" in src.rstrip():  # a source's name is one line
        if _PAGES_AT_END.search(s) or comma or _PAGES_ONLY.fullmatch(s):
            return None, parse_pages(tail.strip())[1] or f"cannot read the citation '{text}'"
        return CiteText(s, None), ""  # a source cited without a page
    pages, err = _pages(m, m.group(1) + ("-" + m.group(2) if m.group(2) else ""))
    if err:
        return None, err
    return CiteText(src.strip() or None, pages), ""


def source_key(name: str) -> str:
    """What makes two spellings of a source the same: 'Non- Op 1' == 'Non-Op 1' == 'NonOp1'."""
    return _NOT_KEY.sub("", name.casefold())
