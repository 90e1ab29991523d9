"""Limits of the layout, checked on the resolved Document before any writer runs.

A table column narrower than its cell padding has no room for a single character:
the PDF writer cannot lay it out and the Word writer's rounding made the last grid
column negative (20,000 participant columns gave an invalid .docx). Both writers
get the same answer here, at the source position, before either renders.
"""

from __future__ import annotations

from supplement.diagnostics import Diagnostic, Pos, Report
from supplement.resolve.document import Document
from supplement.resolve.typography import page_size

# points: the PDF pads a cell 4 pt each side, Word 4.3 pt; a column needs room for a character too
MIN_COLUMN = 9.0


def text_widths(style) -> dict[str, float]:
    """Text width in points for each format: the style's page, and the Word template's page."""
    w, _ = page_size(style.page)
    out = {"PDF": w - 2 * style.page.margin}
    template = style.get("template")
    out["Word"] = template.text_area[0] / 20 if template is not None else out["PDF"]
    return out


def check(doc: Document, style) -> list[Diagnostic]:
    """An error for each table with a column too narrow to hold text."""
    r = Report()
    widths = text_widths(style)
    fmt, width = min(widths.items(), key=lambda kv: kv[1])
    for item in doc.items:
        if not getattr(item, "widths", ()):  # a text section has no columns
            continue
        narrowest = min(range(len(item.widths)), key=lambda i: item.widths[i])
        points = item.widths[narrowest] * width
        if points >= MIN_COLUMN:
            continue
        header = item.headers[narrowest] if narrowest < len(item.headers) else None
        pos = getattr(header, "pos", None) or next((p.pos for p in item.caption if p.pos), None) or Pos(doc.name)
        r.error(pos, f"{item.label} has {len(item.widths):,} columns; the narrowest"
                + (f", '{header.text[:40]}'," if header is not None and header.text else "")
                + f" would be {points:.1f} pt wide on the {fmt} page's text width of {width:.0f} pt; "
                f"a column needs at least {MIN_COLUMN:g} pt",
                "use fewer columns, or a wider page (landscape, smaller margins)")
    return r.items


def checked(doc: Document, style, r: Report) -> Document | None:
    """``doc``, or None when it breaks a limit (the errors go into ``r``)."""
    problems = check(doc, style)
    r.items.extend(problems)
    return None if any(d.severity == "error" for d in problems) else doc
