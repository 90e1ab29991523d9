"""The source writer: a typed model back to a version-1 source file an author can keep editing.

Deterministic (the same model gives the same bytes), block style like a hand-written
source, small records (columns, sources, participant rows) on one line each, and
quotation marks only where YAML needs them: text that a YAML reader would take for
something else (``no``, ``1.10``, ``null``), or that holds ``: `` or `` #``, or starts
with a character YAML reserves. ``load(emit(x)) == x`` for every valid model.

A node's ``comment`` is printed as ``#`` lines above it: that is how an importer
tells the author what to review.
"""

from __future__ import annotations

import re

import yaml

from supplement.study.model import (
    Author,
    DEFAULT_COVERAGE_CAPTION,
    DEFAULT_THEME_CAPTION,
    SCHEMA_VERSION,
    Cite,
    CoverageTableSettings,
    Finding,
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

_STR = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
_ANALYZER = yaml.emitter.Emitter(None, allow_unicode=True)
# Line breaks YAML folds inside plain and single-quoted text; and characters no comment may hold.
_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
_NOT_IN_COMMENT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x85": "\\N",
            "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF"}
_DOUBLE = re.compile('[\\\\"\n\r\t\x85\u2028\u2029\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f]')
FLOW_WIDTH = 120  # a record longer than this on one line is written as a block
# Most prose is plain in a block whatever YAML's (slow, pure-Python) scalar analysis would say:
# it starts with a letter or digit, holds only printable word characters and common punctuation,
# no ': ', and does not end in a space or ':'. Inside { } no ',', ':' or '?' either.
# What a YAML reader would take for a number, a boolean or null is still found by the resolver.
_PROSE = re.compile(r"[^\W_][\w .,;:!?()’‘“”'…–—/+=%$€£&*@-]*")


def _prose(s: str, flow: bool) -> bool:
    return (_PROSE.fullmatch(s) is not None and not s.endswith((" ", ":")) and ": " not in s
            and not (flow and ("," in s or ":" in s or "?" in s)))


class _Plain(str):
    """A number written as is (a width: 0.25)."""


def scalar(value, flow: bool = False, number: bool = False) -> str:
    """One value as YAML text. ``number``: digits may stay plain (a year, a page)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, _Plain)):
        return str(value)
    s = str(value)
    if _prose(s, flow) and (number and s.isdigit() or _RESOLVER.resolve(yaml.ScalarNode, s, (True, False)) == _STR):
        return s
    if s and s == s.strip() and not _BREAKS.search(s):
        a = _ANALYZER.analyze_scalar(s)
        if (a.allow_flow_plain if flow else a.allow_block_plain) and (
                number and s.isdigit() or _RESOLVER.resolve(yaml.ScalarNode, s, (True, False)) == _STR):
            return s
    if not _DOUBLE.search(s):
        return "'" + s.replace("'", "''") + "'"
    return '"' + _DOUBLE.sub(lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), s) + '"'


def _pages(p) -> str:
    return str(p.first) if not p.is_range else f"{p.first}-{p.last}"


def cite_text(c: Cite) -> str | None:
    """The shorthand that reads back as this citation ('6', 'Non-Op 1, 2-3'), or None."""
    from supplement.reader.cite import parse_shorthand

    if c.pages is None:
        text = c.source
    elif c.source is None:
        text = _pages(c.pages)
    else:
        text = f"{c.source}, {_pages(c.pages)}"
    if text is None:
        return None
    parsed, err = parse_shorthand(text)
    return text if not err and (parsed.source, parsed.pages) == (c.source, c.pages) else None


class _Out:
    def __init__(self):
        self.lines: list[str] = []

    def comment(self, node, indent: int) -> None:
        text = getattr(node, "comment", None)
        if text:
            for line in _NOT_IN_COMMENT.sub(" ", text).splitlines() or [""]:
                self.lines.append(" " * indent + ("# " + line).rstrip())

    def key(self, indent: int, key: str, value, number: bool = False) -> None:
        if value is not None:
            self.lines.append(f"{' ' * indent}{key}: {scalar(value, number=number)}")

    def texts(self, indent: int, key: str, values) -> None:
        """A list of short texts: one line when it fits, else one item a line."""
        if not values:
            return
        flow = f"{' ' * indent}{key}: [" + ", ".join(_flow_item(v) for v in values) + "]"
        if len(flow) <= FLOW_WIDTH:
            self.lines.append(flow)
        else:
            self.lines.append(f"{' ' * indent}{key}:")
            self.lines.extend(f"{' ' * indent}  - {scalar(v) if isinstance(v, str) else _flow_item(v)}"
                              for v in values)

    def record(self, indent: int, node, pairs) -> None:
        """A list item: ``- {a: 1, b: 2}`` when it fits on a line, else a block mapping."""
        self.comment(node, indent)
        pairs = [(k, v, num) for k, v, num in pairs if v is not None]
        flow = " " * indent + "- {" + ", ".join(f"{k}: {scalar(v, flow=True, number=num)}" for k, v, num in pairs) + "}"
        if len(flow) <= FLOW_WIDTH:
            self.lines.append(flow)
            return
        for i, (k, v, num) in enumerate(pairs):
            self.lines.append(" " * indent + ("- " if i == 0 else "  ") + f"{k}: {scalar(v, number=num)}")


def emit(sup: Supplement) -> str:
    """The model as the text of a version-1 source file."""
    out = _Out()
    out.comment(sup, 0)
    out.key(0, "schema", sup.schema or SCHEMA_VERSION)
    _study(out, sup.study)
    out.key(0, "style", sup.style)
    if sup.participants is not None:
        _participants(out, sup.participants)
    out.lines.append("sources:")
    for s in sup.sources:
        _source(out, s)
    if sup.theme_table is not None:
        _theme_table(out, sup.theme_table)
    out.lines.append("themes:")
    for t in sup.themes:
        _block(out, t, 2)
    if sup.coverage_table is not None:
        _coverage_table(out, sup.coverage_table)
    _whole(out, sup)
    if sup.checks:
        out.lines.append("checks:")
        for name, level in sup.checks:
            out.key(2, str(name), level)
    return "\n".join(out.lines) + "\n"


def _whole(out: _Out, sup: Supplement) -> None:
    """The items of a whole supplement: sections, tables, checklists and the appendix order."""
    if sup.sections:
        out.lines.append("sections:")
        for sec in sup.sections:
            out.comment(sec, 2)
            out.lines.append(f"  - id: {scalar(sec.id)}")
            out.key(4, "title", sec.title)
            out.lines.append("    content:")
            for b in sec.blocks:
                out.comment(b, 6)
                if b.kind in ("heading", "paragraph"):
                    out.lines.append(f"      - {b.kind}: {scalar(b.text)}")
                else:
                    out.lines.append(f"      - {b.kind}:")
                    out.lines.extend(f"          - {scalar(item)}" for item in b.items)
    if sup.tables:
        out.lines.append("tables:")
        for t in sup.tables:
            out.comment(t, 2)
            out.lines.append(f"  - id: {scalar(t.id)}")
            out.key(4, "caption", t.caption)
            out.lines.append("    columns:")
            for c in t.columns:
                out.record(6, c, _column(c))
            if t.rows:
                out.lines.append("    rows:")
                for row in t.rows:
                    if row:
                        out.record(6, None, [(str(k), v, False) for k, v in row])
                    else:
                        out.lines.append("      - {}")
            out.texts(4, "notes", t.notes)
    if sup.checklists:
        out.lines.append("checklists:")
        for c in sup.checklists:
            out.comment(c, 2)
            out.lines.append(f"  - id: {scalar(c.id)}")
            out.key(4, "checklist", c.checklist)
            out.key(4, "caption", c.caption)
            if c.answers:
                out.lines.append("    answers:")
                for n, where in c.answers:
                    out.key(6, scalar(str(n), number=True), where)
    out.texts(0, "appendix", sup.appendix)


def _flow_item(v) -> str:
    """A short text, or a structured author as {family: …, given: …}."""
    if isinstance(v, Author):
        parts = [f"family: {scalar(v.family, flow=True)}"] + ([f"given: {scalar(v.given, flow=True)}"] if v.given is not None else [])
        return "{" + ", ".join(parts) + "}"
    return scalar(v, flow=True)


def item(node, indent: int) -> str:
    """One list item (a theme, subtheme, finding, quote, source or participant row) as a source
    writes it, its ``- `` at ``indent``: what an importer inserts into a file the author edits."""
    out = _Out()
    if isinstance(node, (Theme, Subtheme)):
        _block(out, node, indent)
    else:
        {Finding: _finding, Quote: _quote, Source: _source, Participant: _row}[type(node)](out, node, indent)
    return "\n".join(out.lines) + "\n"


def _study(out: _Out, s: Study) -> None:
    out.comment(s, 0)
    out.lines.append("study:")
    out.key(2, "title", s.title)
    out.key(2, "short_title", s.short_title)
    out.texts(2, "authors", s.authors)
    out.key(2, "year", s.year)
    out.key(2, "journal", s.journal)
    out.key(2, "doi", s.doi)
    out.key(2, "citation", s.citation)
    out.texts(2, "keywords", s.keywords)
    out.key(2, "language", s.language)
    out.key(2, "date", s.date)


def _column(c) -> list:
    return [("key", c.key, False), ("label", c.label, False),
            ("width", _Plain(f"{c.width:g}") if c.width is not None else None, True), ("align", c.align, False)]


def _participants(out: _Out, p: Participants) -> None:
    out.comment(p, 0)
    out.lines.append("participants:")
    out.key(2, "caption", p.caption)
    if p.number_header != "Participant":
        out.key(2, "number_header", p.number_header)
    if p.number_width is not None:
        out.lines.append(f"  number_width: {p.number_width:g}")
    out.key(2, "number_align", p.number_align)
    out.lines.append("  columns:")
    for c in p.columns:
        out.record(4, c, _column(c))
    if p.marks:
        out.lines.append("  marks:")
        for m in p.marks:
            out.record(4, m, [("key", m.key, False), ("symbol", m.symbol, False), ("column", m.column, False),
                              ("note", m.note, False)])
    out.texts(2, "notes", p.notes)
    out.lines.append("  rows:")
    for row in p.rows:
        _row(out, row)


def _row(out: _Out, row: Participant, indent: int = 4) -> None:
    out.record(indent, row, [("id", row.id, False), ("code", row.code, False)]
               + [(k, v, False) for k, v in row.cells] + [(k, True, False) for k in row.marks])


def _source(out: _Out, s: Source, indent: int = 2) -> None:
    pairs = [("id", s.id, False), ("label", s.label, False), ("kind", s.kind, False),
             ("transcript", s.transcript, False)]
    if not s.participants:
        out.record(indent, s, pairs)
        return
    out.comment(s, indent)
    for i, (k, v, _) in enumerate(p for p in pairs if p[1] is not None):
        out.lines.append(" " * indent + ("- " if i == 0 else "  ") + f"{k}: {scalar(v)}")
    out.texts(indent + 2, "participants", s.participants)


def _theme_table(out: _Out, t: ThemeTableSettings) -> None:
    out.comment(t, 0)
    out.lines.append("theme_table:")
    if t.caption != DEFAULT_THEME_CAPTION:
        out.key(2, "caption", t.caption)
    if t.headers is not None:
        out.lines.append("  headers:")
        out.key(4, "theme", t.headers.theme)
        out.key(4, "findings", t.headers.findings)
        out.key(4, "quotes", t.headers.quotes)
    out.texts(2, "notes", t.notes)
    if out.lines[-1] == "theme_table:":
        out.lines[-1] = "theme_table: {}"


def _coverage_table(out: _Out, t: CoverageTableSettings) -> None:
    out.comment(t, 0)
    out.lines.append("coverage_table:")
    out.key(2, "by", t.by)
    if t.caption != DEFAULT_COVERAGE_CAPTION:
        out.key(2, "caption", t.caption)


def _block(out: _Out, b: Theme | Subtheme, indent: int) -> None:
    pad = " " * indent
    out.comment(b, indent)
    out.lines.append(f"{pad}- id: {scalar(b.id)}")
    out.key(indent + 2, "title", b.title)
    if b.findings:
        out.lines.append(f"{pad}  findings:")
        for f in b.findings:
            _finding(out, f, indent + 4)
    if isinstance(b, Theme) and b.subthemes:
        out.lines.append(f"{pad}  subthemes:")
        for s in b.subthemes:
            _block(out, s, indent + 4)


def _finding(out: _Out, f: Finding, indent: int) -> None:
    pad = " " * indent
    out.comment(f, indent)
    if f.id is not None:
        out.lines.append(f"{pad}- id: {scalar(f.id)}")
        out.key(indent + 2, "text", f.text)
    else:
        out.lines.append(f"{pad}- text: {scalar(f.text)}")
    if f.quotes:
        out.lines.append(f"{pad}  quotes:")
        for q in f.quotes:
            _quote(out, q, indent + 4)


def _quote(out: _Out, q: Quote, indent: int) -> None:
    pad = " " * indent
    out.comment(q, indent)
    first = True
    for key, value in (("id", q.id), ("text", q.text)):
        if value is not None:
            out.lines.append(f"{pad}{'- ' if first else '  '}{key}: {scalar(value)}")
            first = False
    if q.cite is not None:
        out.comment(q.cite, indent + 2)
        short = cite_text(q.cite)
        if short is not None:
            out.lines.append(f"{pad}  cite: {scalar(short, number=True)}")
        else:
            pages = None if q.cite.pages is None else _pages(q.cite.pages)
            parts = [f"source: {scalar(q.cite.source, flow=True)}"] + ([f"pages: {pages}"] if pages else [])
            out.lines.append(f"{pad}  cite: {{{', '.join(parts)}}}")
    out.key(indent + 2, "note", q.note)
    out.key(indent + 2, "speaker", q.speaker)
    if q.repeat:
        out.lines.append(f"{pad}  repeat: true")
