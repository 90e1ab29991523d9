"""Stand-in source writer until the core's ``supplement.study.emit`` lands: a version-1
source from a ``Supplement``, each node's ``comment`` printed as ``#`` lines above it.

Strings are written JSON-quoted (valid YAML double-quoted scalars), so no value can be
misread; the core's writer quotes only where YAML needs it.
"""

from __future__ import annotations

import json

from supplement.study.model import Cite, Supplement


def _s(v) -> str:
    return json.dumps(str(v), ensure_ascii=False)


def _comment(out: list[str], indent: str, comment) -> None:
    if comment:
        for line in str(comment).splitlines() or [""]:
            out.append(f"{indent}# {line}".rstrip())


def _cite(c: Cite):
    if c.pages is None:
        return _s(c.source)
    pages = f"{c.pages.first}" if not c.pages.is_range else f"{c.pages.first}-{c.pages.last}"
    if c.source is None:
        return _s(pages)
    return "{source: %s, pages: %s}" % (_s(c.source), _s(pages))


def emit(sup: Supplement) -> str:
    out: list[str] = []
    _comment(out, "", sup.comment)
    out.append(f"schema: {sup.schema}")
    st = sup.study
    _comment(out, "", st.comment)
    out.append("study:")
    out.append(f"  title: {_s(st.title)}")
    if st.short_title:
        out.append(f"  short_title: {_s(st.short_title)}")
    if st.authors:
        out.append(f"  authors: [{', '.join(map(_s, st.authors))}]")
    if st.keywords:
        out.append(f"  keywords: [{', '.join(map(_s, st.keywords))}]")
    out.append(f"style: {_s(sup.style)}")
    p = sup.participants
    if p is not None:
        _comment(out, "", p.comment)
        out.append("participants:")
        out.append(f"  caption: {_s(p.caption)}")
        if p.number_header != "Participant":
            out.append(f"  number_header: {_s(p.number_header)}")
        out.append("  columns:")
        for c in p.columns:
            out.append(f"    - {{key: {c.key}, label: {_s(c.label)}}}")
        if p.marks:
            out.append("  marks:")
            for m in p.marks:
                sym = f", symbol: {_s(m.symbol)}" if m.symbol else ""
                out.append(f"    - {{key: {m.key}{sym}, column: {m.column}, note: {_s(m.note)}}}")
        if p.notes:
            out.append(f"  notes: [{', '.join(map(_s, p.notes))}]")
        out.append("  rows:")
        for row in p.rows:
            _comment(out, "    ", row.comment)
            cells = [f"id: {row.id}"] + ([f"code: {_s(row.code)}"] if row.code else []) + [f"{k}: {_s(v)}" for k, v in row.cells] + [f"{m}: true" for m in row.marks]
            out.append(f"    - {{{', '.join(cells)}}}")
    out.append("sources:" if sup.sources else "sources: []")
    for s in sup.sources:
        _comment(out, "  ", s.comment)
        out.append(f"  - id: {s.id}")
        out.append(f"    kind: {_s(s.kind)}")
        if s.label is not None:
            out.append(f"    label: {_s(s.label)}")
        if s.participants:
            out.append(f"    participants: [{', '.join(s.participants)}]")
    tt = sup.theme_table
    if tt is not None:
        out.append("theme_table:")
        out.append(f"  caption: {_s(tt.caption)}")
        if tt.headers is not None:
            h = tt.headers
            out.append(f"  headers: {{theme: {_s(h.theme)}, findings: {_s(h.findings)}, quotes: {_s(h.quotes)}}}")
        if tt.notes:
            out.append(f"  notes: [{', '.join(map(_s, tt.notes))}]")
    out.append("themes:" if sup.themes else "themes: []")
    for t in sup.themes:
        _comment(out, "  ", t.comment)
        out.append(f"  - id: {t.id}")
        out.append(f"    title: {_s(t.title)}")
        _findings(out, "    ", t.findings)
        if t.subthemes:
            out.append("    subthemes:")
            for s in t.subthemes:
                _comment(out, "      ", s.comment)
                out.append(f"      - id: {s.id}")
                out.append(f"        title: {_s(s.title)}")
                _findings(out, "        ", s.findings)
    return "\n".join(out) + "\n"


def _findings(out, ind, findings) -> None:
    if not findings:
        return
    out.append(f"{ind}findings:")
    for f in findings:
        _comment(out, ind + "  ", f.comment)
        out.append(f"{ind}  - text: {_s(f.text)}")
        if f.id:
            out.append(f"{ind}    id: {f.id}")
        if f.quotes:
            out.append(f"{ind}    quotes:")
            for q in f.quotes:
                _comment(out, ind + "      ", q.comment)
                out.append(f"{ind}      - text: {_s(q.text)}")
                out.append(f"{ind}        cite: {_cite(q.cite)}")
                if q.note:
                    out.append(f"{ind}        note: {_s(q.note)}")
                if q.speaker:
                    out.append(f"{ind}        speaker: {q.speaker}")
                if q.id:
                    out.append(f"{ind}        id: {q.id}")
