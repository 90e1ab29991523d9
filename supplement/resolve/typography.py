"""Typography: every size, leading, space, padding and rule, decided once from the style.

Both writers read ``Document.typography`` and nothing else for these numbers: a
writer translates them (points into twips, leading into a line rule), it does not
choose them. A style sets any of them under ``typography:`` (docs/styles.md);
what it leaves out is derived from ``font.size`` and ``font.table_size`` as below.

Leading is baseline to baseline, in points: the PDF uses it as reportlab's
leading, the Word file as an "at least" line spacing, so a line of text is the
same height in both.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from supplement.records import Struct

# role -> (which size, leading as a multiple of the size, space before and after as
#          multiples of the size, indent and hanging indent as multiples, keep with next,
#          alignment, bold, italic)
# "body" is font.size, "table" font.table_size (or font.size when not set), "small" the
# running header's size, "note" a point under the table size, "big" the cover heading.
_ROLES = {
    "cover-heading": ("big", 1.2, 0.0, 1.6, 0.0, 0.0, True, "left", True, False),
    "cover-text": ("body", 1.3, 0.0, 0.8, 0.0, 0.0, False, "left", False, False),
    "contents-item": ("body", 1.3, 0.0, 0.4, 1.8, 0.0, False, "left", False, False),
    "caption": ("body", 1.25, 0.0, 0.8, 0.0, 0.0, True, "left", False, False),
    "table-header": ("table", 1.2, 0.0, 0.0, 0.0, 0.0, True, "left", None, False),
    "table-text": ("table", 1.2, 0.0, 0.0, 0.0, 0.0, False, "left", False, False),
    "theme": ("table", 1.2, 0.0, 0.0, 0.0, 0.0, True, "left", True, False),
    "subtheme": ("table", 1.2, 0.0, 0.0, 0.8, 0.0, True, "left", False, True),
    "finding": ("table", 1.2, 0.0, 0.0, 0.0, 0.0, False, "left", False, False),
    "quote": ("table", 1.2, 0.0, 0.0, 0.0, 0.0, False, "left", False, False),
    "table-note": ("note", 1.2, 0.5, 0.0, 0.0, 0.0, False, "left", False, False),
    "header": ("small", 1.2, 0.0, 0.0, 0.0, 0.0, False, "left", False, False),
    "footer": ("small", 1.2, 0.0, 0.0, 0.0, 0.0, False, "center", False, False),
    "section-heading": ("body", 1.25, 0.8, 0.4, 0.0, 0.0, True, "left", True, False),
    "section-text": ("body", 1.3, 0.0, 0.6, 0.0, 0.0, False, "left", False, False),
    "list-item": ("body", 1.3, 0.0, 0.3, 1.8, 1.8, False, "left", False, False),
}
ROLE_KEYS = tuple(r.replace("-", "_") for r in _ROLES)  # as a style file writes them: table_header

PAGE_SIZES = {"letter": (612.0, 792.0), "a4": (595.276, 841.89)}  # points, portrait


def page_size(page) -> tuple[float, float]:
    """Width and height of the style's ``page`` in points, orientation applied (every writer uses this)."""
    w, h = PAGE_SIZES[page.size]
    return (h, w) if page.orientation == "landscape" else (w, h)


class RoleType(Struct, frozen=True):
    """One paragraph role's look. Lengths in points."""

    size: float
    leading: float  # baseline to baseline
    space_before: float
    space_after: float
    indent: float  # left indent of every line
    hanging: float  # how far the first line starts left of ``indent`` (list numbers)
    keep_with_next: bool
    align: str  # left | center | right
    bold: bool
    italic: bool


class Typography(Struct, frozen=True):
    roles: Mapping[str, RoleType]
    rules: str  # none | horizontal | grid
    rule: float  # width of the rules inside a table (and, with grid, around it)
    outer_rule: float  # width of the rules above and below a table with horizontal rules
    pad_top: float  # cell padding
    pad_bottom: float
    pad_x: float  # left and right
    quote_gap: float  # space between two quotes in one cell
    group_gap: float  # space above each theme or participant row when rows have no rules between them

    def role(self, name: str) -> RoleType:
        """A role's look; a role the table does not know reads as table text."""
        return self.roles.get(name) or self.roles["table-text"]


def role_face(role: str, header_bold: bool) -> tuple[bool, bool]:
    """(bold, italic) of a role's own font; runs may add bold or italic on top."""
    spec = _ROLES.get(role, _ROLES["table-text"])
    bold = header_bold if spec[8] is None else spec[8]
    return bool(bold), spec[9]


def variant(bold: bool, italic: bool) -> str:
    """Which of a font family's four files sets text of this face."""
    return ("bold_italic" if italic else "bold") if bold else ("italic" if italic else "regular")


def _r(x: float) -> float:
    return round(x, 2)


def typography(style) -> Typography:
    """The typography of a loaded style (``resolve.style.load_style``)."""
    body = float(style.font.size)
    table = float(style.font.table_size) if style.font.table_size is not None else body
    sizes = {"body": body, "table": table, "small": max(5.0, min(body - 1.5, 9.0)),
             "note": max(5.0, table - 1), "big": body + 6}
    t = style.typography
    given = t.roles if t is not None and t.roles is not None else None
    roles = {}
    for name, (which, lead, before, after, ind, hang, keep, align, bold, italic) in _ROLES.items():
        o = given.get(name.replace("-", "_")) if given is not None else None
        size = float(o.size) if o is not None and o.size is not None else sizes[which]
        bold, italic = role_face(name, style.table.header_bold)
        def pick(key, default):
            v = o.get(key) if o is not None else None
            return float(v) if v is not None else default
        roles[name] = RoleType(
            size=_r(size),
            leading=_r(size * pick("leading", lead)),
            space_before=_r(pick("space_before", size * before)),
            space_after=_r(pick("space_after", size * after)),
            indent=_r(pick("indent", size * ind)),
            hanging=_r(pick("hanging", size * hang)),
            keep_with_next=keep,
            align=(str(o.align) if o is not None and o.align is not None else align),
            bold=bool(bold), italic=bool(italic),
        )
    quote = roles["quote"]
    get = (lambda k, d: float(getattr(t, k)) if t is not None and getattr(t, k) is not None else d)
    return Typography(
        roles=MappingProxyType(roles),
        rules=str(style.table.rules),
        rule=get("rule", 0.5),
        outer_rule=get("outer_rule", 0.8),
        pad_top=get("cell_padding_top", 3.0),
        pad_bottom=get("cell_padding_bottom", 4.0),
        pad_x=get("cell_padding_x", 4.0),
        quote_gap=_r(get("quote_gap", quote.leading * 0.75)),
        group_gap=get("group_gap", 0.0 if style.table.rules == "grid" else 3.0),
    )
