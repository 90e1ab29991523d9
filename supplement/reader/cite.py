"""Citations: the shorthands authors type, parsed into one structured form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from supplement.study.model import Pages

# A page may be written with a word before it: "p. 9", "pp. 8-9", "pg 9", "pg. 9", "page 9", "pages 8-9".
PAGE_WORD = r"(?:pages?\s+|pp?\.\s*|pgs?(?:\.\s*|\s+))"
_SHORTHAND = re.compile(
    rf"(?:(?P<src>.*?)\s*,\s*)?(?:{PAGE_WORD})?(?P<a>\d+)(?:\s*[-–—]\s*(?P<b>\d+))?", re.IGNORECASE)


@dataclass(frozen=True)
class CiteText:
    """A citation as written: the source as typed (None: the page-only source) and pages."""

    source: str | None
    pages: Pages | None


def parse_pages(text: str) -> tuple[Pages | None, str]:
    m = re.fullmatch(rf"\s*(?:{PAGE_WORD})?(\d+)\s*(?:[-–—]\s*(\d+))?\s*", text, re.IGNORECASE)
    if not m:
        return None, f"'{text}' is not a page or page range (write 3 or 3-4)"
    if max(len(m.group(1)), len(m.group(2) or "")) > 9:  # int() refuses more than 4,300 digits
        return None, f"'{text[:40]}' is not a page number (more than 9 digits)"
    a = int(m.group(1))
    b = int(m.group(2)) if m.group(2) else a
    if a < 1:
        return None, f"page {a} does not exist; pages start at 1"
    if b < a:
        return None, f"page range {a}-{b} runs backwards; write {b}-{a}"
    return Pages(a, b), ""


def parse_shorthand(text: str) -> tuple[CiteText | None, str]:
    """'6', '8-9', 'Non-Op 1, 2', 'Non Op 1,3', '[Non- Op 1, 4]', 'Non-Op 2' (no page)."""
    s = text.strip()
    if len(s) >= 2 and s[0] + s[-1] in ("[]", "()"):
        s = s[1:-1].strip()
    if not s:
        return None, "the citation is empty"
    m = _SHORTHAND.fullmatch(s)
    if not m:
        if re.search(r"\d\s*[-–—]\s*\d+\s*$", s) or "," in s or re.fullmatch(r"[\d\s\-–—]+", s):
            tail = s.rsplit(",", 1)[-1].strip()
            return None, parse_pages(tail)[1] or f"cannot read the citation '{text}'"
        return CiteText(s, None), ""  # a source cited without a page
    pages, err = parse_pages(m.group("a") + ("-" + m.group("b") if m.group("b") else ""))
    if err:
        return None, err
    src = m.group("src")
    return CiteText(src.strip() if src else None, pages), ""


def source_key(name: str) -> str:
    """What makes two spellings of a source the same: 'Non- Op 1' == 'Non-Op 1' == 'NonOp1'."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())
