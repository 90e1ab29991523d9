"""The resolved document: everything numbered, labelled and formatted, ready to render.

Writers only render this. They never number, format a citation or read the
source; what they need from the style is layout (page, fonts, rules, widths),
which they read from ``Document.style``. Paragraph ``role``s are the contract
between the two writers: each role is one named Word style and one reportlab
paragraph style.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Union

from supplement.diagnostics import Pos
from supplement.records import Struct, uncompared

# Paragraph roles (a named style each, in both writers).
ROLES = (
    "cover-heading", "cover-text", "contents-item",
    "caption", "table-header", "table-text", "theme", "subtheme",
    "finding", "quote", "table-note", "header", "footer",
    "section-heading", "section-text", "list-item",  # text sections (TextSection)
)
# Character roles within paragraphs.
RUN_ROLES = ("", "label", "quote-text", "citation", "note", "mark")


class Run(Struct, frozen=True):
    """A stretch of a paragraph's text in one character role and face."""

    text: str
    role: str = ""
    bold: bool = False
    italic: bool = False
    superscript: bool = False


class Paragraph(Struct, frozen=True):
    """A paragraph of one role (a named style in each writer), as runs."""

    role: str
    runs: tuple[Run, ...]
    pos: Pos | None = None  # where its text came from, for warnings; not compared
    id: str | None = None  # a quote's stable id from the source (never printed)

    __eq__, __ne__, __hash__, __repr__ = uncompared("pos")

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


class QuoteParagraph(Paragraph):
    """A supporting quote (role "quote"), with its citation's parts as data, for writers that
    give them columns of their own (the spreadsheet): the printed citation stays in the runs."""

    source: str = ""  # the source's label, else its kind ("focus group"); "" when uncited
    pages: str = ""  # "6", "8-9": as the citation prints them, without the page prefix
    speaker: str = ""  # "Participant 6": the speaker attribution as printed; "" when none


class ParticipantTable(Struct, frozen=True):
    """The participant table, numbered and formatted."""

    anchor: str  # stable bookmark name, e.g. "item-1"
    label: str  # "Appendix 1"
    caption: tuple[Paragraph, ...]  # label and caption, one or two paragraphs
    headers: tuple[Paragraph, ...]
    rows: tuple[tuple[Paragraph, ...], ...]
    widths: tuple[float, ...]  # fractions of the text width, summing to 1
    notes: tuple[Paragraph, ...]
    outline: str = ""  # bookmark text: the label and the caption's first sentence
    # per column: left | center | right (header and cells alike); empty: all left
    align: tuple[str, ...] = ()

    def column_align(self, i: int) -> str:
        return self.align[i] if i < len(self.align) else "left"


class Finding(Struct, frozen=True):
    """A finding's paragraph and its quotes' paragraphs, as the theme table prints them."""

    text: Paragraph
    quotes: tuple[QuoteParagraph, ...]
    id: str | None = None  # the finding's stable id from the source (never printed)
    # What a page that continues this finding's quotes shows in its place: its first words
    # and the style's "(continued)", e.g. "Disease characteristics serve as the basis… (continued)".
    continued: Paragraph | None = None


class ThemeBlock(Struct, frozen=True):
    """A theme (level 0) or subtheme (level 1) and the findings beside it."""

    level: int
    number: str  # "I.", "A."
    title: str
    heading: Paragraph  # "I. Elements of Disease"
    # What a page that continues this block shows in column 1: the theme's label, and for a
    # subtheme also its own: ("I. Elements of Disease (continued)", "A. Failure … (continued)").
    continued: tuple[Paragraph, ...]
    findings: tuple[Finding, ...]  # may be empty: a theme that only has subthemes
    # The headings from the theme down to this block: (theme,) or (theme, subtheme).
    headings: tuple[Paragraph, ...]
    id: str | None = None  # the theme's or subtheme's id from the source (never printed)


class ThemeTable(Struct, frozen=True):
    """The theme table: its blocks (themes and subthemes) in order, each with its findings."""

    anchor: str
    label: str
    caption: tuple[Paragraph, ...]
    headers: tuple[Paragraph, ...]  # three
    widths: tuple[float, ...]  # three fractions
    blocks: tuple[ThemeBlock, ...]
    notes: tuple[Paragraph, ...]
    outline: str = ""

    def row_blocks(self) -> list[ThemeBlock]:
        """The blocks that have rows of their own: all but a theme whose findings are all in
        its subthemes, whose heading heads each of theirs instead (``ThemeBlock.headings``).
        A subtheme always has its row, findings or not: nothing else shows its heading."""
        b = self.blocks
        return [x for i, x in enumerate(b) if x.findings or x.level or i + 1 == len(b) or b[i + 1].level == 0]


class DataTable(ParticipantTable):
    """Any other table of rows and columns: a source's own table, or a reporting checklist.

    It has the participant table's shape, so a writer that renders ParticipantTable renders
    this too (as a plain table); ``kind`` says which it is."""

    kind: str = "table"  # table | checklist


class TextSection(Struct, frozen=True):
    """A titled text item (an interview guide): headings, paragraphs and list items in order.

    List items carry their number or bullet as the first run ("1. ", "• "): resolve decides
    them, writers print them with a hanging indent."""

    anchor: str
    label: str
    caption: tuple[Paragraph, ...]
    body: tuple[Paragraph, ...]  # roles section-heading, section-text, list-item
    outline: str = ""
    headers: tuple[Paragraph, ...] = ()  # none: for code that reads every item's headers
    notes: tuple[Paragraph, ...] = ()


Item = Union[ParticipantTable, ThemeTable, DataTable, TextSection]
# Which writers render which item types: docx and pdf all four; a writer that declares
# fewer (``writers.Format.items``) leaves the others out with a warning. ``resolve.ITEM_TYPES``
# names these types (there, so the formats registry need not import this module).


class Cover(Struct, frozen=True):
    """The cover page: heading, paragraphs and the list of contents."""

    heading: Paragraph
    paragraphs: tuple[Paragraph, ...]
    contents_heading: Paragraph | None  # the line above the list, if the style has one
    contents: tuple[Paragraph, ...]  # one entry per item, in the order of Document.items; empty: no list
    closing: tuple[Paragraph, ...] = ()  # after the list, e.g. "provided by the authors…" (JAMA)


class Meta(Struct, frozen=True):
    """What the files' properties, running header and footer say."""

    title: str
    short_title: str
    authors: tuple[str, ...]
    subject: str
    keywords: tuple[str, ...]
    language: str
    date: datetime  # written as the files' created/modified date
    header: str  # running header text
    footer: tuple[tuple[str, str], ...]  # ("text", "Page "), ("page", ""), ("text", " of "), ("pages", "")


class Document(Struct, frozen=True):
    """The whole resolved supplement: what every writer renders."""

    name: str  # output file stem
    meta: Meta
    style: Any  # the resolved style (supplement.resolve.style.STYLE): page, font, table look
    typography: Any  # supplement.resolve.typography.Typography: every size, space, padding and rule
    cover: Cover | None
    items: tuple[Item, ...]
    checks: tuple[tuple[str, str], ...] = ()  # the source's check severities, for the formats' pre-flight checks
    # The sources' transcript files, as written (relative to the source file); never printed,
    # but a rebuild depends on them (supplement watch follows them).
    transcripts: tuple[str, ...] = ()

    @property
    def quote_count(self) -> int:
        return sum(len(f.quotes) for t in self.items if isinstance(t, ThemeTable) for b in t.blocks for f in b.findings)

    def paragraphs(self):
        """Every paragraph of content in reading order (for checks such as font coverage)."""
        if self.cover:
            yield self.cover.heading
            yield from self.cover.paragraphs
            if self.cover.contents_heading:
                yield self.cover.contents_heading
            yield from self.cover.contents
            yield from self.cover.closing
        for item in self.items:
            yield from item.caption
            yield from item.headers
            if isinstance(item, ParticipantTable):
                for row in item.rows:
                    yield from row
            elif isinstance(item, TextSection):
                yield from item.body
            else:
                for b in item.blocks:
                    yield b.heading
                    for f in b.findings:
                        yield f.text
                        yield from f.quotes
            yield from item.notes
