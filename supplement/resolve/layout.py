"""The theme table's grid, decided once: what every writer of the theme table renders.

A theme table is laid out as rows of three columns: column 1 the theme or subtheme,
column 2 a finding, column 3 its quotes. ``theme_rows`` computes, from a resolved
``ThemeTable``, which rows there are and what each one holds:

* one row per finding, its quotes together in column 3 (the writers put the
  typography's ``quote_gap`` between them);
* a heading-only row for a block without findings (a theme whose findings are
  all in its subthemes, or an empty theme or subtheme): its label, nothing beside
  it, kept with the next row so it never ends a page alone;
* the label in column 1: the block's heading on its first row, nothing on the
  others (column 1 spans the block: ``span`` says how many rows);
* what column 1 shows above everything else when a row starts a page
  (``top_new``: a subtheme's first row there names its theme, "I. Elements of
  Disease (continued)"), and when a page continues a row from the page before
  (``top_cont``: the theme's, and a subtheme's, "(continued)" labels);
* the rule above the row: ``full`` above a block's first row, ``partial`` (from
  column 2 on, column 1 spanning the block) above its other rows;
* the outline entry at a block's first row (bookmark key, title, level) and what a
  page that continues a finding's quotes says in its place (``Finding.continued``).

A writer translates these rows into its format (reportlab groups and page breaks,
Word rows and merges, ...); it does not re-derive them from the blocks.
"""

from __future__ import annotations

from supplement.records import Struct
from supplement.resolve.document import Finding, Paragraph, ThemeBlock, ThemeTable


class ThemeRow(Struct, frozen=True):
    block: ThemeBlock
    block_index: int  # in ThemeTable.blocks
    finding: Finding | None  # None: a heading-only row
    label: tuple[Paragraph, ...]  # column 1 on the block's first row; () on its other rows
    top_new: tuple[Paragraph, ...]  # column 1, above the label, when the row starts a page
    top_cont: tuple[Paragraph, ...]  # column 1 on a page that continues the row (or its block)
    rule: str  # the rule above the row: "full" (a block's first row) or "partial" (from column 2 on)
    mark: tuple[str, str, int] | None  # outline entry at the row's top: (key, title, level), on a block's first row
    keep_next: bool  # a heading alone: never the last row on a page
    first: bool  # the block's first row
    span: int  # on a block's first row, the rows of the block (column 1 spans them); else 0

    @property
    def quotes(self):
        return self.finding.quotes if self.finding is not None else ()

    @property
    def continued(self) -> Paragraph | None:
        """What a page that continues this row's quotes shows in their place (in column 2)."""
        return self.finding.continued if self.finding is not None else None


def block_key(item: ThemeTable, index: int) -> str:
    """The anchor of a block (its outline bookmark): the item's anchor and the block's number."""
    return f"{item.anchor}-{index + 1}"


def theme_rows(item: ThemeTable) -> tuple[ThemeRow, ...]:
    """The rows of a theme table, in order (module docstring)."""
    rows = []
    for bi, b in enumerate(item.blocks):
        # a page that starts a subtheme first shows the theme it belongs to
        top_first, top_cont = b.continued[:-1], b.continued
        mark = (block_key(item, bi), b.heading.text, b.level + 1)
        findings = b.findings or (None,)
        for fi, f in enumerate(findings):
            rows.append(ThemeRow(
                block=b, block_index=bi, finding=f,
                label=(b.heading,) if fi == 0 else (),
                top_new=top_first if fi == 0 else top_cont, top_cont=top_cont,
                rule="full" if fi == 0 else "partial", mark=mark if fi == 0 else None,
                keep_next=f is None, first=fi == 0, span=len(findings) if fi == 0 else 0))
    return tuple(rows)
