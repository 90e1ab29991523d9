"""Characters the PDF font cannot show.

reportlab draws a character missing from a TTF font as an empty box, with no
error. ``uncovered`` finds them before the PDF is written. It runs on every
build, so the usual case is one pass: collect every character once per font
(regular, bold, italic, bold italic, as each run is drawn), check the sets
against the fonts' character maps (precomputed or cached, ``resolve/fontmaps.py``:
reportlab is not imported), and only when something is missing walk the
paragraphs again to say where.
"""

from __future__ import annotations

from supplement.checks.registry import Checker, register
from supplement.diagnostics import Pos
from supplement.resolve.document import Document, Paragraph, Run, ThemeTable

FONT_COVERAGE = register(
    "font-coverage", "warning", "The PDF font lacks a character the text uses: the PDF would print a blank box. "
    "Choose a style whose font covers it (font.pdf_files), or replace the character.", family="output",
    run="supplement.checks.fonts:check")

# Turned into spaces or line breaks by the writer; never looked up in the font.
_IGNORED = frozenset("\n\r\t")


def _paragraphs(doc: Document):
    """Every paragraph the PDF draws (the model's, plus the '(continued)' labels)."""
    yield from doc.paragraphs()
    for item in doc.items:
        if isinstance(item, ThemeTable):
            for b in item.blocks:
                yield from b.continued


def _furniture(doc: Document):
    """Running header and footer text, drawn in the regular font; they have no source position."""
    m = doc.meta
    text = (m.header or "") + "".join(t for kind, t in m.footer if kind == "text") + "0123456789"
    return Paragraph("header", (Run(text),), None)


def uncovered(doc: Document) -> list[tuple[Pos | None, str]]:
    """(position, characters) for each paragraph holding characters its PDF font lacks.

    The characters are listed once each, in the order they first occur.
    """
    from supplement.resolve.fontmaps import charmap
    from supplement.writers.faces import VARIANTS, run_variant

    style = doc.style
    try:  # the fonts' character maps, not the fonts: no reportlab (resolve/fontmaps.py)
        cmaps = {v: charmap(style.fonts[v]) for v in VARIANTS}
    except (ValueError, OSError, KeyError):  # an unusable or missing font file: the PDF writer reports it
        return []
    paragraphs = list(_paragraphs(doc)) + [_furniture(doc)]

    used: dict[str, set[str]] = {v: set() for v in cmaps}
    for p in paragraphs:
        for r in p.runs:
            used[run_variant(p.role, r, style)].update(r.text)
    missing = {v: {c for c in chars if ord(c) not in cmaps[v] and c not in _IGNORED} for v, chars in used.items()}
    if not any(missing.values()):
        return []

    out: list[tuple[Pos | None, str]] = []
    seen: set[tuple] = set()
    for p in paragraphs:
        bad: dict[str, None] = {}
        for r in p.runs:
            lack = missing[run_variant(p.role, r, style)]
            if lack and not lack.isdisjoint(r.text):
                for c in r.text:
                    if c in lack:
                        bad[c] = None
        if bad:
            key = (p.pos, tuple(bad))
            if key not in seen:  # a '(continued)' label repeats its heading
                seen.add(key)
                out.append((p.pos, "".join(bad)))
    return out


def check(doc: Document, report: Checker) -> None:
    """Report each paragraph whose characters the PDF font cannot show."""
    for pos, chars in uncovered(doc):
        shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in chars[:5]) + (" …" if len(chars) > 5 else "")
        report(FONT_COVERAGE, pos or Pos(doc.name), f"the PDF font cannot show {shown}; the PDF would print a blank box",
               "choose a style whose font covers it (font.pdf_files), or replace the character")
