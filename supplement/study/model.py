"""The typed source model: what a source file says, as immutable values.

The reader builds a ``Supplement`` from a file after its shape checks; importers
build one from a QDA export; the source writer (``emit``) turns one back into a
file. Nothing changes a model once it is built: checks and resolve read it, and
what they work out (which source a citation means, a speaker's number) goes into
an index beside it, keyed by the ``Place`` that ``walk`` gives each node.

Positions (``pos``, ``at(name)``) say where a value was written; they do not take
part in equality, so two models that say the same thing are equal wherever their
text stood. String values read from a file are ``YStr`` and carry their own
position too. ``comment`` is what a producer (an importer) wants to tell the
author; the source writer prints it as a YAML comment above the value, and the
reader never reads it back.

A model built from a file with errors may hold ``None`` where a value was invalid
(``bad`` names those keys); such a model is only used to report every problem at
once, never resolved.
"""

from __future__ import annotations

from typing import Iterator, Mapping, Optional, Union

from supplement.diagnostics import Pos
from supplement.records import Struct, field, uncompared

SCHEMA_VERSION = 1


class Node(Struct, frozen=True, kw_only=True):
    """What every node of the model has: where it was written, and what an importer says about it.
    None of it counts in equality (module docstring)."""

    pos: Optional[Pos] = None
    where: Mapping[str, Pos] = field(default_factory=dict)  # key -> position
    bad: frozenset = frozenset()  # keys that had errors
    comment: Optional[str] = None

    __eq__, __ne__, __hash__, __repr__ = uncompared("pos", "where", "bad", "comment")

    def at(self, key: str) -> Optional[Pos]:
        """Where ``key``'s value was written (the node's own position when it was not)."""
        return self.where.get(key, self.pos)


class Pages(Struct, frozen=True):
    """A page or page range of a source, 1-based and inclusive."""

    first: int
    last: int

    @property
    def is_range(self) -> bool:
        return self.last != self.first


class Cite(Node):
    """A citation: the source as written (id or label, any spelling; None: the page-only
    source) and the page or page range (None: the source as a whole)."""

    source: Optional[str]
    pages: Optional[Pages] = None


class Quote(Node):
    """A supporting quote: the words, verbatim, and where they come from."""

    text: str
    cite: Optional[Cite]
    note: Optional[str] = None
    speaker: Optional[str] = None  # participant id
    id: Optional[str] = None
    repeat: bool = False  # the same words appear earlier on purpose (silences duplicate-quote)


class Finding(Node):
    """A finding of a theme or subtheme, with its supporting quotes in order."""

    text: str
    quotes: tuple[Quote, ...] = ()
    id: Optional[str] = None


class Subtheme(Node):
    """A subtheme of a theme: printed with a letter (A, B …) under the theme's numeral."""

    id: str
    title: str
    findings: tuple[Finding, ...] = ()


class Theme(Node):
    """A theme: its own findings, then its subthemes."""

    id: str
    title: str
    findings: tuple[Finding, ...] = ()
    subthemes: tuple[Subtheme, ...] = ()


class Column(Node):
    """A column of the participant table (or of a further table): the key rows use, and its header."""

    key: str
    label: str
    width: Optional[float] = None  # fraction of the text width; None: shared by content
    align: Optional[str] = None  # left | center | right; None: left


class Mark(Node):
    """A symbol a participant's row sets on a column (international training: *), explained in a table note."""

    key: str
    column: str
    note: str
    symbol: Optional[str] = None  # None: the style assigns one


class Participant(Node):
    """A row of the participant table; printed with its number (its place in the table) or its code."""

    id: str
    cells: tuple[tuple[str, str], ...] = ()  # (column key, value), in the order written
    marks: tuple[str, ...] = ()  # keys of the marks set to true
    code: Optional[str] = None  # display code such as "P07" that stays with the person; None: numbered by position

    def cell(self, key: str, default: str = "") -> str:
        for k, v in self.cells:
            if k == key:
                return v
        return default


class Participants(Node):
    """The participant table: caption, columns, marks and rows."""

    caption: str
    columns: tuple[Column, ...]
    rows: tuple[Participant, ...]
    number_header: str = "Participant"
    marks: tuple[Mark, ...] = ()
    number_width: Optional[float] = None  # None: the style's, else sized to the widest entry
    number_align: Optional[str] = None  # None: the style's
    notes: tuple[str, ...] = ()


class Source(Node):
    """A transcript (an interview, a focus group) that quotes cite."""

    id: str
    kind: str
    label: Optional[str] = None  # None: cited by page only
    participants: tuple[str, ...] = ()
    transcript: Optional[str] = None  # path of the transcript file, relative to the source file


class Headers(Node):
    """The column headers of the theme table."""

    theme: str = "Theme or Subtheme"
    findings: str = "Findings"
    quotes: str = "Supporting Text from Transcripts"


DEFAULT_THEME_CAPTION = "Themes and subthemes with supporting quotes."


class ThemeTableSettings(Node):
    """How the source sets the theme table: caption, headers, notes."""

    caption: str = DEFAULT_THEME_CAPTION
    headers: Optional[Headers] = None
    notes: tuple[str, ...] = ()


class Author(Node):
    """A structured author name; the style decides how it prints (AMA: 'Müller Z')."""

    family: str
    given: Optional[str] = None


DEFAULT_COVERAGE_CAPTION = "Number of supporting quotes per theme and {by}."


class CoverageTableSettings(Node):
    """The optional appendix item counting quotes per theme and participant (or source)."""

    by: str = "participant"  # participant | source
    caption: str = DEFAULT_COVERAGE_CAPTION


class Study(Node):
    """The article the supplement belongs to."""

    title: str
    short_title: Optional[str] = None
    authors: tuple[Union[str, Author], ...] = ()  # a name as written, or structured
    year: Optional[int] = None
    journal: Optional[str] = None
    doi: Optional[str] = None
    citation: Optional[str] = None
    keywords: tuple[str, ...] = ()
    language: str = "en-US"
    date: Optional[str] = None  # YYYY-MM-DD


class TextBlock(Node):
    """One block of a text section: a heading, a paragraph, or a numbered or bulleted list."""

    kind: str  # heading | paragraph | numbered | bulleted
    text: str = ""  # heading and paragraph
    items: tuple[str, ...] = ()  # numbered and bulleted


class Section(Node):
    """A titled text item, e.g. the interview guide."""

    id: str
    title: str
    blocks: tuple[TextBlock, ...] = ()


class Table(Node):
    """A table of any columns and rows, with caption and notes."""

    id: str
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[tuple[str, str], ...], ...] = ()  # each row: (column key, value), in the order written
    notes: tuple[str, ...] = ()


class Checklist(Node):
    """A reporting checklist (COREQ, SRQR) with where the article reports each item."""

    id: str
    checklist: str  # coreq | srqr
    answers: tuple[tuple[str, str], ...] = ()  # (item number as written, where it is reported)
    caption: Optional[str] = None  # None: the checklist's own


# What an appendix: list may name besides the ids of sections, tables and checklists.
BUILT_IN_ITEMS = ("participants", "themes", "coverage")


class Supplement(Node):
    """A whole source file."""

    study: Study
    sources: tuple[Source, ...]
    themes: tuple[Theme, ...]
    style: str = "default"
    participants: Optional[Participants] = None
    theme_table: Optional[ThemeTableSettings] = None
    checks: tuple[tuple[str, str], ...] = ()  # (check name, severity) as the source sets them
    coverage_table: Optional[CoverageTableSettings] = None
    schema: int = SCHEMA_VERSION
    sections: tuple[Section, ...] = ()
    tables: tuple[Table, ...] = ()
    checklists: tuple[Checklist, ...] = ()
    appendix: tuple[str, ...] = ()  # the items in print order; empty: participants, themes, then the rest as written


# ---------------------------------------------------------------------------- the one walk

class Place(Struct, frozen=True, order=True):
    """Where a node of the theme tree sits, 1-based; 0 where it is not inside one
    (a theme's own place has subtheme 0, finding 0, quote 0)."""

    theme: int
    subtheme: int = 0
    finding: int = 0
    quote: int = 0


Block = Union[Theme, Subtheme]
TreeNode = Union[Theme, Subtheme, Finding, Quote]


def walk(sup: Supplement) -> Iterator[tuple[Place, TreeNode]]:
    """Every theme, subtheme, finding and quote in reading order: a theme, its own
    findings with their quotes, then each subtheme with its findings and quotes."""
    for ti, theme in enumerate(sup.themes, 1):
        yield Place(ti), theme
        yield from _findings(theme, ti, 0)
        for si, sub in enumerate(theme.subthemes, 1):
            yield Place(ti, si), sub
            yield from _findings(sub, ti, si)


def _findings(block: Block, ti: int, si: int):
    for fi, finding in enumerate(block.findings, 1):
        yield Place(ti, si, fi), finding
        for qi, quote in enumerate(finding.quotes, 1):
            yield Place(ti, si, fi, qi), quote


def quotes(sup: Supplement) -> Iterator[tuple[Place, Quote]]:
    return ((p, n) for p, n in walk(sup) if isinstance(n, Quote))
