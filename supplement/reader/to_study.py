"""From the shape-checked records of a source file to the typed model.

The declaration (``format_v1``) has checked each value's shape; what is left is to
build the immutable ``Supplement`` and to interpret participant rows, whose extra
keys are column values or mark flags depending on what the table declares. A
record with errors still becomes a model (``None`` where a value was invalid,
``bad`` naming the keys), so that the whole-file checks can report every
independent problem at once.
"""

from __future__ import annotations

import difflib

from supplement.diagnostics import Report
from supplement.reader.cite import CiteText
from supplement.reader.declare import Bool
from supplement.reader.located import Rec, YStr
from supplement.study.model import (
    Author,
    Checklist,
    Section,
    Table,
    TextBlock,
    Cite,
    Column,
    CoverageTableSettings,
    Finding,
    Headers,
    Mark,
    Participant,
    Participants,
    Quote,
    Source,
    Study,
    Subtheme,
    Supplement,
    Theme,
    ThemeTableSettings,
)


_NONE = frozenset()


def _node(rec: Rec) -> dict:
    # the record is dropped once the model is built: its position map is handed over, not copied
    return {"pos": rec.pos, "where": rec._at, "bad": frozenset(rec._bad) if rec._bad else _NONE}


def build(rec: Rec, r: Report) -> Supplement:
    return Supplement(
        study=_study(rec.study) if rec.study is not None else None,
        sources=tuple(_source(s) for s in rec.sources or ()),
        themes=tuple(_theme(t) for t in rec.themes or ()),
        style=rec.style,
        participants=_participants(rec.participants, r) if rec.participants is not None else None,
        theme_table=_theme_table(rec.theme_table) if rec.theme_table is not None else None,
        checks=tuple((YStr(k, rec.checks.at(k), True), v) for k, v in rec.checks.extra.items() if v is not None)
        if rec.checks is not None else (),
        schema=rec.schema,
        sections=tuple(_section(x, r) for x in rec.sections or ()),
        tables=tuple(_table(x, r) for x in rec.tables or ()),
        checklists=tuple(_checklist(x) for x in rec.checklists or ()),
        appendix=tuple(rec.appendix or ()),
        coverage_table=CoverageTableSettings(by=rec.coverage_table.by, caption=rec.coverage_table.caption,
                                             **_node(rec.coverage_table)) if rec.coverage_table is not None else None,
        **_node(rec),
    )


BLOCK_KINDS = ("heading", "paragraph", "numbered", "bulleted")


def _section(x: Rec, r: Report) -> Section:
    blocks = []
    for b in x.content or ():
        given = [k for k in BLOCK_KINDS if getattr(b, k) is not None]
        if len(given) != 1:
            if not b._bad:
                r.error(b.pos, "a text block holds one of heading, paragraph, numbered or bulleted" +
                        (f"; this one holds {' and '.join(given)}" if given else ""),
                        "write each as its own list item: - {heading: …} - {paragraph: …}")
            continue
        k = given[0]
        v = getattr(b, k)
        blocks.append(TextBlock(kind=k, text=v if isinstance(v, str) else "",
                                items=tuple(v) if isinstance(v, list) else (), **_node(b)))
    return Section(id=x.id, title=x.title, blocks=tuple(blocks), **_node(x))


def _table(x: Rec, r: Report) -> Table:
    return Table(id=x.id, caption=x.caption,
                 columns=_columns(x.columns, None, r),
                 rows=tuple(tuple((YStr(k, row.at(k), True), v) for k, v in row.extra.items() if v is not None)
                            for row in x.rows or ()),
                 notes=tuple(x.notes), **_node(x))


def _checklist(x: Rec) -> Checklist:
    answers = tuple((YStr(k, x.answers.at(k), True), v) for k, v in x.answers.extra.items() if v is not None) \
        if x.answers is not None else ()
    return Checklist(id=x.id, checklist=x.checklist, caption=x.caption, answers=answers, **_node(x))


def _study(s: Rec) -> Study:
    authors = tuple(Author(family=a.family, given=a.given, **_node(a)) if isinstance(a, Rec) else a
                    for a in s.authors if not isinstance(a, Rec) or a.family is not None)
    return Study(title=s.title, short_title=s.short_title, authors=authors, year=s.year,
                 journal=s.journal, doi=s.doi, citation=s.citation, keywords=tuple(s.keywords),
                 language=s.language, date=s.date, **_node(s))


def _source(s: Rec) -> Source:
    return Source(id=s.id, kind=s.kind, label=s.label, participants=tuple(s.participants),
                  transcript=s.transcript, **_node(s))


def _theme(t: Rec) -> Theme:
    return Theme(id=t.id, title=t.title, findings=tuple(_finding(f) for f in t.findings),
                 subthemes=tuple(Subtheme(id=s.id, title=s.title, findings=tuple(_finding(f) for f in s.findings),
                                          **_node(s)) for s in t.subthemes), **_node(t))


def _finding(f: Rec) -> Finding:
    return Finding(text=f.text, quotes=tuple(_quote(q) for q in f.quotes), id=f.id, **_node(f))


def _quote(q: Rec) -> Quote:
    return Quote(text=q.text, cite=_cite(q.cite, q.at("cite")), note=q.note, speaker=q.speaker, id=q.id,
                 repeat=bool(q.repeat),
                 **_node(q))


def _cite(c, pos) -> Cite | None:
    if isinstance(c, CiteText):  # the shorthand: '6', 'Non-Op 1, 2'
        return Cite(c.source, c.pages, pos=pos)
    if isinstance(c, Rec):  # {source: …, pages: …}
        return Cite(c.source, c.pages, **_node(c)) if c.source is not None else None
    return None


def _theme_table(t: Rec) -> ThemeTableSettings:
    h = t.headers
    headers = Headers(theme=h.theme, findings=h.findings, quotes=h.quotes, **_node(h)) if h is not None else None
    return ThemeTableSettings(caption=t.caption, headers=headers, notes=tuple(t.notes), **_node(t))


def _participants(p: Rec, r: Report) -> Participants:
    columns: dict[str, Rec] = {}
    for c in p.columns or []:
        if c.key is None:
            continue
        if c.key in columns:
            r.error(c.at("key"), f"duplicate column key '{c.key}'")
        elif c.key == "code":
            r.error(c.at("key"), "column key 'code' is reserved for a participant's display code",
                    "rename the column, e.g. 'site_code'")
        columns[c.key] = c
    # a broken column or mark declaration is reported there, not again where it is used
    cols_whole = "columns" not in p._bad and not any("key" in c._bad for c in p.columns or [])
    marks: dict[str, Rec] = {}
    for m in p.marks:
        if m.key in columns:
            r.error(m.at("key"), f"mark '{m.key}' has the same key as a column", "rename the mark, e.g. 'is_" + m.key + "'")
        elif m.key in marks:
            r.error(m.at("key"), f"duplicate mark '{m.key}'")
        if m.key is None:
            continue
        if m.column is not None and m.column not in columns and cols_whole:
            near = difflib.get_close_matches(m.column, list(columns), 1)
            r.error(m.at("column"), f"mark '{m.key}' attaches to unknown column '{m.column}'",
                    f"did you mean '{near[0]}'?" if near else "columns: " + ", ".join(columns))
        marks[m.key] = m
    whole = cols_whole and "marks" not in p._bad and not any("key" in m._bad for m in p.marks)
    return Participants(
        caption=p.caption, number_header=p.number_header,
        number_width=p.number_width, number_align=p.number_align,
        columns=_columns(p.columns, p, r),
        marks=tuple(Mark(key=m.key, column=m.column, note=m.note, symbol=m.symbol, **_node(m)) for m in p.marks),
        notes=tuple(p.notes),
        rows=tuple(_row(row, columns, marks, whole, r) for row in p.rows or ()),
        **_node(p))


_FLAG = Bool()
MIN_SHARE = 0.03  # of the text width, for each column without a width


def _columns(declared, owner: Rec | None, r: Report | None) -> tuple[Column, ...]:
    """The declared columns; their widths (and the participants' number column's) checked to
    fit the text width together, leaving each column without a width some room."""
    declared = list(declared or ())
    cols = tuple(Column(key=c.key, label=c.label, width=c.width, align=c.align, **_node(c)) for c in declared)
    if r is None:
        return cols
    given = [(c.width, c.at("width")) for c in declared if c.width is not None]
    if owner is not None and owner.number_width is not None:
        given.insert(0, (owner.number_width, owner.at("number_width")))
    if not given:
        return cols
    total = sum(w for w, _ in given)
    free = len(declared) + (owner is not None) - len(given)  # columns (a number column too) without a width
    room = 1 - free * MIN_SHARE
    if total > room + 1e-9:
        which = "the column" if free == 1 else f"each of the {free} columns"
        what = (f"leaves less than {MIN_SHARE:g} of the text width for {which} without a width"
                if free else "is more than the whole text width (1)")
        r.error(given[-1][1], f"the column widths add up to {total:g}, which {what}",
                "widths are fractions of the text width: make them smaller, or leave some out")
    return cols


def _row(row: Rec, columns: dict, marks: dict, whole: bool, r: Report) -> Participant:
    """A row's extra keys are column values or mark flags."""
    cells, set_marks = [], []
    for key, value in row.extra.items():
        if key in columns:
            if value is not None:  # written empty (key: or key: ~): a blank cell
                cells.append((key, value))
        elif key in marks:
            if value is None:  # {id: p03, international} in a flow mapping is international: null
                r.error(row.at(key), f"mark '{key}' has no value", f"write {key}: true")
            elif _FLAG.check(value, r, value.pos) is True:
                set_marks.append(key)
        elif not whole:
            pass
        elif value is not None and value.plain and value in Bool.TRUE | Bool.FALSE:
            r.error(row.at(key), f"mark '{key}' is used but never declared",
                    f"declare it under participants.marks: {{key: {key}, symbol: '*', column: …, note: …}}")
        else:
            near = difflib.get_close_matches(key, list(columns) + list(marks), 1)
            r.error(row.at(key), f"unknown column '{key}' in participant '{row.id}'",
                    f"did you mean '{near[0]}'?" if near else "columns: " + ", ".join(columns))
    return Participant(id=row.id, cells=tuple(cells), marks=tuple(set_marks), code=row.code, **_node(row))
