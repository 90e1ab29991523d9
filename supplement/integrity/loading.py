"""A source opened for ``verify`` and ``report``: the typed model and what its references mean.

``Opened.source_of[place]`` is the source a quote cites, ``people[pid]`` a participant's
displayed number and row. Built from the core's reader and cross-reference checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from supplement.diagnostics import Report
from supplement.study import model as m


@dataclass
class Opened:
    path: Path
    sup: Optional[m.Supplement]
    report: Report
    source_of: dict = field(default_factory=dict)  # Place -> Source
    people: dict = field(default_factory=dict)  # pid -> (number, Participant)

    @property
    def base(self) -> Path:
        return self.path.parent


def open_source(path: str | Path) -> Opened:
    path = Path(path)
    from supplement import pipeline

    if hasattr(pipeline, "check_source"):  # the core's reader and index
        sup, index, report = pipeline.check_source(path)
        if sup is None:
            return Opened(path, None, report)
        source_of = {place: index.source_of(place) for place, _ in m.quotes(sup)}
        return Opened(path, sup, report, source_of, dict(index.people))
    return _from_records(path)


def _from_records(path: Path) -> Opened:
    """The record tree of the reader that precedes the typed one, as the typed model."""
    from supplement.pipeline import load_source
    from supplement.reader.cite import CiteText

    src, report = load_source(path)
    if src is None:
        return Opened(path, None, report)
    by_id = {}
    sources = []
    for s in src.sources:
        src_model = m.Source(id=s.id, kind=s.kind, label=s.label, participants=tuple(s.participants),
                             transcript=s.get("transcript"), pos=s.pos, where=dict(s._at))
        by_id[s.id] = src_model
        sources.append(src_model)
    source_of = {}

    def quote(q) -> m.Quote:
        c: CiteText = q.cite
        cite = m.Cite(c.source, m.Pages(c.pages.first, c.pages.last) if c.pages else None, pos=q.at("cite"))
        return m.Quote(text=q.text, cite=cite, note=q.note, speaker=q.speaker, pos=q.pos, where=dict(q._at))

    def findings(block, ti, si):
        out = []
        for fi, f in enumerate(block.findings, 1):
            qs = []
            for qi, q in enumerate(f.quotes, 1):
                qs.append(quote(q))
                source_of[m.Place(ti, si, fi, qi)] = by_id.get(q.source.id) if q.source else None
            out.append(m.Finding(text=f.text, quotes=tuple(qs), pos=f.pos, where=dict(f._at)))
        return tuple(out)

    themes = []
    for ti, t in enumerate(src.themes, 1):
        subs = tuple(m.Subtheme(id=s.id, title=s.title, findings=findings(s, ti, si), pos=s.pos, where=dict(s._at))
                     for si, s in enumerate(t.subthemes, 1))
        themes.append(m.Theme(id=t.id, title=t.title, findings=findings(t, ti, 0), subthemes=subs,
                              pos=t.pos, where=dict(t._at)))
    parts = None
    people = {}
    if src.participants:
        p = src.participants
        rows = tuple(m.Participant(id=r.id, cells=tuple(r.cells.items()), marks=tuple(r.marks), pos=r.pos,
                                   where=dict(r._at)) for r in p.rows)
        parts = m.Participants(caption=p.caption, number_header=p.number_header,
                               columns=tuple(m.Column(key=c.key, label=c.label, pos=c.pos) for c in p.columns),
                               rows=rows, pos=p.pos, where=dict(p._at))
        people = {r.id: (n, r) for n, r in enumerate(rows, 1)}
    sup = m.Supplement(study=m.Study(title=src.study.title), sources=tuple(sources), themes=tuple(themes),
                       participants=parts, pos=src.pos, where=dict(src._at))
    return Opened(path, sup, report, source_of, people)
