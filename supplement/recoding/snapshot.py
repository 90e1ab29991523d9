"""One version of a study, flattened for comparison: the source's ids and text, and
every label as the resolved Document prints it (numbering is never re-derived here).

Blocks are themes and subthemes in reading order; findings and quotes are in
reading order too, each pointing at its block or finding by index.
"""

from __future__ import annotations

from supplement.records import Struct, field
from supplement.resolve.document import Document, ParticipantTable, ThemeTable
from supplement.study.index import Index
from supplement.study.model import DEFAULT_THEME_CAPTION, Headers, Subtheme, Supplement, Theme, walk
from supplement.study.model import Finding as SourceFinding

def clean(text) -> str:
    """Runs of whitespace as one space, as the resolver prints text."""
    return " ".join(str(text or "").split())


class Block(Struct):
    n: int
    id: str
    title: str
    level: int  # 0 theme, 1 subtheme
    parent: int | None  # index of the theme block of a subtheme
    label: str  # "III", "III.B"
    line: int
    findings: list[int] = field(default_factory=list)
    children: list[int] = field(default_factory=list)  # subtheme blocks of a theme


class Finding(Struct):
    n: int
    id: str | None
    text: str
    block: int
    index: int  # 1-based within its block
    line: int
    quotes: list[int] = field(default_factory=list)


class Quote(Struct):
    n: int
    id: str | None
    text: str
    source: str | None  # source id
    pages: tuple[int, int] | None
    speaker: str | None
    note: str
    citation: str  # as printed, e.g. "[Non-Op 1, 2]"
    finding: int
    index: int  # 1-based within its finding
    line: int


class Participant(Struct):
    n: int
    id: str
    label: str  # "Participant 3"
    cells: tuple[tuple[str, str], ...]
    marks: tuple[str, ...]
    line: int


class Item(Struct):
    kind: str  # "participants" | "themes"
    label: str  # "Appendix 1"
    caption: str  # as written in the source (with its placeholders)
    columns: tuple[tuple[str, str], ...]  # (key, header)
    notes: tuple[str, ...]


class Snapshot(Struct):
    name: str  # what to call this version: a path or REV:PATH
    blocks: list[Block]
    findings: list[Finding]
    quotes: list[Quote]
    participants: list[Participant]
    items: list[Item]
    sources: dict[str, str]  # id -> label ("" when cited by page only)

    def place(self, block: int, finding: int | None = None, quote: int | None = None) -> str:
        """Where something sits, in the printed labels: 'III.B, finding 2, quote 1'."""
        out = self.blocks[block].label
        if finding is not None:
            out += f", finding {self.findings[finding].index}"
        if quote is not None:
            out += f", quote {self.quotes[quote].index}"
        return out

    def quote_place(self, q: int) -> str:
        f = self.quotes[q].finding
        return self.place(self.findings[f].block, f, q)


def _line(node, key: str | None = None) -> int:
    pos = node.at(key) if key else node.pos
    return getattr(pos, "line", 0) or 0


def bare(number: str) -> str:
    """'III.' -> 'III'; '(a)' -> 'a': the number without the punctuation the style prints around it."""
    return number.strip().strip(".:)(").strip() or number.strip()


def participant_label(number: str) -> str:
    n = bare(number)
    return f"Participant {n}" if n.isdigit() else n


def build(sup: Supplement, index: Index, doc: Document, name: str) -> Snapshot:
    """Flatten a checked source (typed model and index) with the Document resolved from it.
    Labels and printed citations come from the Document, block by block and row by row."""
    table = next(item for item in doc.items if isinstance(item, ThemeTable))
    resolved = iter(table.blocks)
    blocks: list[Block] = []
    findings: list[Finding] = []
    quotes: list[Quote] = []
    theme_label = ""
    rb = None
    rfindings = iter(())
    rquotes = iter(())
    for place, node in walk(sup):
        if isinstance(node, (Theme, Subtheme)):
            rb = next(resolved)
            level = 0 if isinstance(node, Theme) else 1
            number = bare(rb.number)
            if level == 0:
                theme_label = number
            elif not number.startswith(theme_label):
                number = f"{theme_label}.{number}"
            parent = None
            if level == 1:
                parent = max(b.n for b in blocks if b.level == 0)
            b = Block(len(blocks), str(node.id), clean(node.title), level, parent, number, _line(node, "title"))
            blocks.append(b)
            if parent is not None:
                blocks[parent].children.append(b.n)
            rfindings = iter(rb.findings)
        elif isinstance(node, SourceFinding):
            b = blocks[-1]
            rquotes = iter(next(rfindings).quotes)
            fd = Finding(len(findings), _str(node.id), clean(node.text), b.n, place.finding, _line(node, "text"))
            findings.append(fd)
            b.findings.append(fd.n)
        else:
            q = node
            rq = next(rquotes)
            fd = findings[-1]
            source = index.source_of(place)
            pages = q.cite.pages if q.cite is not None else None
            citation = "".join(r.text for r in rq.runs if r.role == "citation")
            qd = Quote(len(quotes), _str(q.id), clean(q.text), _str(source.id) if source is not None else None,
                       (pages.first, pages.last) if pages else None, _str(q.speaker), clean(q.note), citation,
                       fd.n, place.quote, _line(q, "text"))
            quotes.append(qd)
            fd.quotes.append(qd.n)

    participants: list[Participant] = []
    items: list[Item] = []
    ptable = next((item for item in doc.items if isinstance(item, ParticipantTable)), None)
    p = sup.participants
    if p is not None and ptable is not None:
        for i, (row, cells) in enumerate(zip(p.rows, ptable.rows)):
            participants.append(Participant(i, str(row.id), participant_label(cells[0].text),
                                            tuple((str(k), clean(v)) for k, v in row.cells),
                                            tuple(str(k) for k in row.marks), _line(row)))
        columns = (("number", clean(p.number_header)),) + tuple((str(c.key), clean(c.label)) for c in p.columns)
        notes = tuple(f"{m.key}: {m.symbol or ''} {clean(m.note)}".strip() for m in p.marks)
        items.append(Item("participants", ptable.label, clean(p.caption), columns,
                          notes + tuple(clean(n) for n in p.notes)))
    tt = sup.theme_table
    h = (tt.headers if tt is not None else None) or Headers()
    heads = (("theme", clean(h.theme)), ("findings", clean(h.findings)), ("quotes", clean(h.quotes)))
    items.append(Item("themes", table.label, clean(tt.caption) if tt is not None else clean(DEFAULT_THEME_CAPTION),
                      heads, tuple(clean(n) for n in (tt.notes if tt is not None else ()))))
    sources = {str(s.id): clean(s.label) if s.label else "" for s in sup.sources}
    return Snapshot(name, blocks, findings, quotes, participants, items, sources)


def _str(value) -> str | None:
    return None if value is None else str(value)
