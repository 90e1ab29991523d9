"""Resolution: a checked source (the typed model and its index) and a style become one Document.

Everything derived lives here, once: item labels, theme numerals and subtheme
letters, participant numbers and marks, citation and note formatting, captions
with their placeholders filled. Writers only render the result.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from supplement.resolve.typography import Typography, typography, variant
from supplement.resolve.document import (
    Cover,
    DataTable,
    TextSection,
    Document,
    Finding,
    Meta,
    Paragraph,
    ParticipantTable,
    QuoteParagraph,
    Run,
    ThemeBlock,
    ThemeTable,
)
from supplement.resolve import placeholders
from supplement.resolve.numbering import format_number
from supplement.reader.located import Rec
from supplement.study.index import Index
from supplement.study.quotemarks import strip_outer_marks
from supplement.study.appendix import items as appendix_items, order as appendix_order
from supplement.study.checklists import CHECKLISTS, item_key
from supplement.study.model import (
    DEFAULT_THEME_CAPTION,
    Checklist,
    Section,
    Table,
    Finding as SourceFinding,
    Headers,
    Participants,
    Quote,
    Study,
    Subtheme,
    Supplement,
    Theme,
    walk,
)

_REPEATED = re.compile(r"([,;:])(?:\s*[,;:])+")
# Words for a numbering format, for captions that describe it: {theme_numbering}.
NUMBERING_WORDS = {"upper-roman": "Roman numerals", "lower-roman": "lowercase Roman numerals",
                   "upper-alpha": "capital letters", "lower-alpha": "lowercase letters", "decimal": "numbers"}


def clean(text: str) -> str:
    """Collapse runs of whitespace (line breaks from YAML block scalars) to one space. (The
    same as ``re.sub(r"\\s+", " ", text).strip()``: ``str.split`` and ``\\s`` know the same 29
    whitespace characters; four times faster on a quote; tests/test_resolve.py.)"""
    return " ".join(text.split())


def fill(template: str, **values) -> str:
    """A template's {placeholders} filled; a missing value renders empty (never str.format)."""
    return placeholders.fill(template, values)


def resolve(sup: Supplement, index: Index, style: Rec, name: str) -> Document:
    """``style`` is the loaded style (``style.load_style``); ``index`` is what the checks resolved."""
    s = style
    typo = typography(style)  # decided once: the number column is measured in it, writers read it
    counts: dict[str, int] = {}  # items are numbered in order, each label template on its own

    def label(template: str) -> str:
        counts[template] = counts.get(template, 0) + 1
        return fill(template, n=counts[template])

    known = appendix_items(sup)
    items = []
    keys = appendix_order(sup)
    anchors = {key: f"item-{i}" for i, key in enumerate(keys, 1)}
    labels = {key: label(s.labels.text_item or s.labels.item if isinstance(known[key], Section) else s.labels.item)
              for key in keys}
    themes = _themes(sup, index, s, labels["themes"], anchors["themes"])  # the coverage table reads its headings
    for key in keys:
        it, lab, anchor = known[key], labels[key], anchors[key]
        if key == "participants":
            items.append(_participants(it, s, typo, lab, anchor))
        elif key == "themes":
            items.append(themes)
        elif key == "coverage":
            items.append(_coverage(sup, index, s, themes, lab, anchor))
        elif isinstance(it, Section):
            items.append(_section(it, s, lab, anchor))
        elif isinstance(it, Table):
            items.append(_table(it, s, lab, anchor))
        else:
            items.append(_checklist(it, s, lab, anchor))
    meta = _meta(sup.study, s)
    return Document(name=name, meta=meta, style=style, typography=typo, cover=_cover(sup.study, s, items), items=tuple(items),
                    checks=tuple((str(k), v) for k, v in sup.checks),
                    transcripts=tuple(src.transcript for src in sup.sources if src.transcript))


def _caption(label: str, caption: str, s: Rec, pos) -> tuple[Paragraph, ...]:
    label_run = Run(label + s.labels.separator.rstrip(), role="label", bold=True)
    caption = clean(caption)
    if s.labels.caption_bold == "all":
        runs = [Run(caption, bold=True)]
    elif s.labels.caption_bold == "first-sentence":
        m = re.match(r"(.+?[.!?])(\s+.*)?$", caption)
        head, tail = (m.group(1), m.group(2) or "") if m else (caption, "")
        runs = [Run(head, bold=True)] + ([Run(tail)] if tail else [])
    else:
        runs = [Run(caption)]
    if s.labels.caption_position == "below-label":
        return (Paragraph("caption", (label_run,), pos), Paragraph("caption", tuple(runs), pos))
    gap = s.labels.separator[len(s.labels.separator.rstrip()):] or " "
    return (Paragraph("caption", (label_run, Run(gap)) + tuple(runs), pos),)


def _mark_symbols(marks, s: Rec) -> dict[str, str]:
    seq = s.notes.sequence
    out = {}
    for i, m in enumerate(marks):
        if s.notes.symbols == "letters":
            out[m.key] = format_number(i + 1, "lower-alpha")
        elif s.notes.symbols == "author" and m.symbol:
            out[m.key] = m.symbol
        else:  # *, †, ‡ … then doubled
            out[m.key] = seq[i % len(seq)] * (i // len(seq) + 1)
    return out


def _participants(p: Participants, s: Rec, t: Typography, label: str, anchor: str) -> ParticipantTable:
    symbols = _mark_symbols(p.marks, s)
    attach = {m.key: m.column for m in p.marks}
    sup = s.notes.superscript
    headers = tuple(Paragraph("table-header", (Run(clean(t)),), getattr(t, "pos", None))
                    for t in [p.number_header] + [c.label for c in p.columns])
    rows = []
    for n, row in enumerate(p.rows, 1):
        cells = [Paragraph("table-text", (Run(_number(row, n, s)),), row.pos)]
        for c in p.columns:
            runs = [Run(clean(row.cell(c.key)))]
            runs += [Run(symbols[k], role="mark", superscript=sup) for k in row.marks if attach[k] == c.key]
            cells.append(Paragraph("table-text", tuple(runs), row.pos))
        rows.append(tuple(cells))
    notes = [Paragraph("table-note", (Run(symbols[m.key], role="mark", superscript=sup), Run(" " + clean(m.note))), m.pos)
             for m in p.marks if any(m.key in row.marks for row in p.rows)]
    notes += [Paragraph("table-note", (Run(clean(t)),), t.pos) for t in p.notes]
    caption = fill(p.caption, participants=len(p.rows))
    number_width = p.number_width if p.number_width is not None else s.table.number_width
    if number_width is None:
        number_width = _number_width(headers[0], [r[0] for r in rows], s, t)
    widths = _fit_widths(_widths(headers, rows), [number_width] + [c.width for c in p.columns])
    align = tuple([p.number_align or s.table.number_align] + [c.align or "left" for c in p.columns])
    return ParticipantTable(anchor, label, _caption(label, caption, s, p.at("caption")), headers, tuple(rows),
                            widths, tuple(notes), outline=_outline(label, caption, s),
                            align=align if set(align) != {"left"} else ())


MIN_SHARE = 0.03  # of the text width: the least a column without a width gets when widths are given


def _number_width(header: Paragraph, labels, s: Rec, t: Typography) -> float:
    """The number column as wide as its widest entry (or its header's longest word, which
    must not break), at the table's type sizes, with the cells' padding: a fraction of the
    PDF's text width."""
    from supplement.resolve import fonts
    from supplement.resolve.typography import page_size

    text, head = t.roles["table-text"], t.roles["table-header"]
    hv = variant(head.bold, head.italic)
    widest = max(fonts.text_widths(s.fonts, "regular", [p.text for p in labels], text.size)
                 + fonts.text_widths(s.fonts, hv, header.text.split(), head.size) + [0.0])
    w, _ = page_size(s.page)
    return min(0.5, (widest + 2 * t.pad_x + 2) / (w - 2 * float(s.page.margin)))


def _fit_widths(need: tuple[float, ...], given: list) -> tuple[float, ...]:
    """Column fractions: the ``given`` ones (None: not given) as they are, the others sharing
    the rest of the width in proportion to ``need``. Given widths that leave the others too
    little (a style's number width beside a source's columns) are scaled down to fit; given
    widths for every column are scaled to fill the width."""
    fixed = sum(g for g in given if g is not None)
    free = [i for i, g in enumerate(given) if g is None]
    if not free:
        return tuple(g / fixed for g in given)
    room = 1 - MIN_SHARE * len(free)
    if room <= 0:  # more columns than the width holds (the layout limits refuse it): by content alone
        return need
    scale = min(1.0, room / fixed) if fixed else 1.0
    share = 1 - fixed * scale
    total = sum(need[i] for i in free) or 1.0
    return tuple(g * scale if g is not None else share * need[i] / total for i, g in enumerate(given))


def _number(row, n: int, s: Rec) -> str:
    """What the number column shows: the participant's own code (P07) when the source gives one,
    else the position in the table, in the style's number format."""
    return clean(row.code) if row.code else fill(s.table.number_format, n=n)


def _section(sec: Section, s: Rec, label: str, anchor: str) -> TextSection:
    body = []
    for b in sec.blocks:
        if b.kind == "heading":
            body.append(Paragraph("section-heading", (Run(clean(b.text)),), b.pos))
        elif b.kind == "paragraph":
            body.append(Paragraph("section-text", (Run(clean(b.text)),), b.pos))
        else:
            for i, text in enumerate(b.items, 1):
                marker = f"{i}. " if b.kind == "numbered" else "\u2022 "
                body.append(Paragraph("list-item", (Run(marker), Run(clean(text))),
                                      getattr(text, "pos", b.pos)))
    title = clean(sec.title)
    return TextSection(anchor, label, _caption(label, title, s, sec.at("title")), tuple(body),
                       outline=_outline(label, title, s))


def _grid(anchor, label, caption, pos, headers, rows, notes, s: Rec, kind: str, columns=()) -> DataTable:
    heads = tuple(Paragraph("table-header", (Run(clean(h)),), getattr(h, "pos", None)) for h in headers)
    body = tuple(tuple(Paragraph("table-text", (Run(clean(v)),), getattr(v, "pos", None)) for v in row) for row in rows)
    widths = _widths(heads, body, True)
    align = tuple(c.align or "left" for c in columns)
    if any(c.width is not None for c in columns):
        widths = _fit_widths(widths, [c.width for c in columns])
    return DataTable(anchor, label, _caption(label, caption, s, pos), heads, body, widths,
                     tuple(Paragraph("table-note", (Run(clean(t)),), getattr(t, "pos", None)) for t in notes),
                     outline=_outline(label, caption, s), align=align if set(align) - {"left"} else (), kind=kind)


def _table(t: Table, s: Rec, label: str, anchor: str) -> DataTable:
    rows = [[dict(row).get(c.key, "") for c in t.columns] for row in t.rows]
    return _grid(anchor, label, t.caption, t.at("caption"), [c.label for c in t.columns], rows, t.notes, s, "table",
                 t.columns)


def _checklist(c: Checklist, s: Rec, label: str, anchor: str) -> DataTable:
    d = CHECKLISTS[c.checklist]
    answers = {item_key(n): w for n, w in c.answers}
    rows, domain = [], None
    for number, dom, topic, question in d.items:
        rows.append([dom if dom != domain else "", number, topic, question, answers.get(item_key(number), "")])
        domain = dom
    return _grid(anchor, label, c.caption or d.title, c.at("caption"), d.columns, rows, (), s, "checklist")


def _coverage(sup: Supplement, index: Index, s: Rec, themes: ThemeTable, label: str, anchor: str) -> ParticipantTable:
    """The theme × participant (or × source) matrix of quote counts: a plain table, as the participants'."""
    from supplement.integrity.coverage import matrix

    ct = sup.coverage_table
    columns, counts = matrix(sup, index.cited, index.people, ct.by)
    heads = {i + 1: b.heading.text for i, b in enumerate(b for b in themes.blocks if b.level == 0)}
    cell = lambda text, pos=None: Paragraph("table-text", (Run(text),), pos)  # noqa: E731
    headers = tuple(Paragraph("table-header", (Run(t),), ct.pos)
                    for t in ["Theme", *columns, "Total"])
    rows = tuple((cell(heads[ti], ct.pos), *(cell(str(n)) for n in c), cell(str(sum(c)))) for ti, c in counts)
    caption = fill(ct.caption, by=ct.by, quotes=sum(sum(c) for _, c in counts))
    return ParticipantTable(anchor, label, _caption(label, caption, s, ct.at("caption")), headers, rows,
                            _widths(headers, rows), (), outline=_outline(label, caption, s))


def _widths(headers, rows, whole_headers: bool = False) -> tuple[float, ...]:
    """Column fractions from content length: long columns get room, short ones don't waste it.
    ``whole_headers``: a short header ('No.') gets room to stay on one line."""
    def need(cell: Paragraph) -> float:
        words = cell.text.split() or [""]
        return max(max(len(w) for w in words) * 1.6, min(len(cell.text), 40))

    def head(cell: Paragraph) -> float:
        return max(need(cell), len(cell.text) * 1.6 if whole_headers and len(cell.text) <= 6 else 0)
    raw = [max([head(headers[i])] + [need(r[i]) for r in rows]) for i in range(len(headers))]
    total = sum(raw) or 1
    return tuple(x / total for x in raw)


def _citation(q: Quote, source, s: Rec, people: dict, memo: dict) -> tuple[str, dict]:
    """The printed citation, and its parts (source, pages, speaker) as data for the spreadsheet.
    ``memo`` keeps the source and speaker parts, the same for every quote of a (source, speaker)."""
    c = s.citations
    key = (id(source), q.speaker)
    known = memo.get(key)
    if known is None:
        known = memo[key] = (_source_part(source, c), _speaker_part(q.speaker, c, people))
    source_part, speaker = known
    parts = {"speaker": speaker, "source": source_part, "pages": ""}
    pages = q.cite.pages
    bare = ""
    if pages is not None:
        bare = f"{pages.first}{c.range_dash}{pages.last}" if pages.is_range else str(pages.first)
        parts["pages"] = (c.pages_prefix if pages.is_range else c.page_prefix) + bare
    body = c.separator.join(parts[k] for k in c.order if parts[k])
    data = {"source": source_part or (clean(source.kind) if source is not None else ""), "pages": bare,
            "speaker": speaker}
    return (c.open + body + c.close if body else ""), data


def _source_part(source, c: Rec) -> str:
    if source is not None and source.label:
        return clean(source.label)
    if source is not None and c.unlabeled:  # the page-only source, named by the style
        kind = clean(source.kind)
        return clean(fill(c.unlabeled, kind=kind, Kind=kind[:1].upper() + kind[1:], id=source.id))
    return ""


def _speaker_part(speaker, c: Rec, people: dict) -> str:
    if speaker is None or speaker not in people:
        return ""
    number, row = people[speaker]
    values = {**{k: clean(v) for k, v in row.cells}, "number": clean(row.code) if row.code else number,
              "id": row.id}
    # a column this participant lacks leaves no stray ', '
    return _REPEATED.sub(r"\1", clean(fill(c.speaker, **values))).strip(" ,;:")


_SPACE = Run(" ")  # between a quote's text, citation and note (a Run is immutable: one for all)


def _quote(q: Quote, source, s: Rec, people: dict, memo: dict) -> QuoteParagraph:
    # typed outer quotation marks give way to the style's (a style that prints none keeps them)
    text = strip_outer_marks(q.text) if s.quotes.open or s.quotes.close else q.text
    runs = [Run(s.quotes.open + clean(text) + s.quotes.close, role="quote-text", italic=s.quotes.italic)]
    cite, data = _citation(q, source, s, people, memo)
    tail = [Run(cite, role="citation")] if cite else []
    if q.note:
        note = Run(s.citations.note_open + clean(q.note) + s.citations.note_close, role="note")
        tail = tail + [note] if s.citations.note_position == "after" else [note] + tail
    for t in tail:
        runs += [_SPACE, t]
    return QuoteParagraph("quote", tuple(runs), q.at("text"), q.id, **data)


CONTINUED_WORDS = 6  # of a finding, shown on a page that continues its quotes


def _finding_continued(text: Paragraph, s: Rec) -> Paragraph:
    """What a page that continues a finding's quotes shows in the findings column: its first
    words and the style's "(continued)"."""
    words = text.text.split()
    head = " ".join(words[:CONTINUED_WORDS]).rstrip(",;:.")
    if len(words) > CONTINUED_WORDS:
        head += "…"
    return Paragraph("finding", (Run(f"{head} {s.table.continued}".strip()),), text.pos)


def _themes(sup: Supplement, index: Index, s: Rec, label: str, anchor: str) -> ThemeTable:
    n = s.numbering
    people = index.people
    memo: dict = {}  # the citation parts of each (source, speaker)
    blocks: list[ThemeBlock] = []
    counts = {"themes": 0, "subthemes": 0, "findings": 0, "quotes": 0}
    theme_cont: tuple[Paragraph, ...] = ()
    theme_head: tuple[Paragraph, ...] = ()
    tnum = ""
    block: dict = {}  # the block being built: its fields, and its findings as [paragraph, [quotes], id]

    def close() -> None:
        if block:
            findings = tuple(Finding(text, tuple(qs), fid, _finding_continued(text, s))
                             for text, qs, fid in block.pop("findings"))
            blocks.append(ThemeBlock(findings=findings, **block))
            counts["findings"] += len(findings)
            block.clear()

    for place, node in walk(sup):
        if isinstance(node, (Theme, Subtheme)):
            close()
            level = 0 if isinstance(node, Theme) else 1
            if level == 0:
                tnum = format_number(place.theme, n.theme)
                number = fill(n.theme_template, n=tnum)
            else:
                number = fill(n.subtheme_template, n=format_number(place.subtheme, n.subtheme), theme=tnum)
            title = clean(node.title)
            role = "theme" if level == 0 else "subtheme"
            heading = Paragraph(role, (Run(f"{number} {title}"),), node.at("title"))
            cont = (theme_cont if level else ()) + (
                Paragraph(role, (Run(f"{number} {title} {s.table.continued}".rstrip()),), node.at("title")),)
            if level == 0:
                theme_cont, theme_head = cont, (heading,)
            block.update(level=level, number=number, title=title, heading=heading, continued=cont,
                         headings=theme_head if level == 0 else theme_head + (heading,), id=node.id, findings=[])
            counts["subthemes" if level else "themes"] += 1
        elif isinstance(node, SourceFinding):
            block["findings"].append([Paragraph("finding", (Run(clean(node.text)),), node.at("text")), [], node.id])
        else:
            block["findings"][-1][1].append(_quote(node, index.source_of(place), s, people, memo))
            counts["quotes"] += 1
    close()
    tt = sup.theme_table
    first, last = format_number(1, n.theme), format_number(len(sup.themes), n.theme)
    theme_range = first if first == last else f"{first}{n.range_dash}{last}"
    caption_text = tt.caption if tt else DEFAULT_THEME_CAPTION
    caption = fill(caption_text, theme_range=theme_range, theme_numbering=NUMBERING_WORDS[n.theme],
                   subtheme_numbering=NUMBERING_WORDS[n.subtheme], **counts)
    h = (tt.headers if tt else None) or Headers()
    headers = tuple(Paragraph("table-header", (Run(clean(t)),), getattr(t, "pos", None))
                    for t in (h.theme, h.findings, h.quotes))
    widths = tuple(s.table.theme_widths)
    total = sum(widths)
    notes = tuple(Paragraph("table-note", (Run(clean(t)),), t.pos) for t in (tt.notes if tt else []))
    return ThemeTable(anchor, label, _caption(label, caption, s, tt.at("caption") if tt else None), headers,
                      tuple(w / total for w in widths), tuple(blocks), notes,
                      outline=_outline(label, caption, s))


def author_name(a, form: str = "given-family") -> str:
    """An author as the style prints it: a plain name as written; a structured one as 'Zoë Müller'
    (given-family) or 'Müller Z' (family-initials: AMA, Vancouver; 'Jean-Paul' gives 'J-P')."""
    if isinstance(a, str):
        return clean(a)
    family, given = clean(a.family), clean(a.given or "")
    if not given:
        return family
    if form == "family-initials":
        initials = "".join("-".join(p[:1].upper() for p in word.split("-") if p) for word in given.split())
        return f"{family} {initials}"
    return f"{given} {family}"


def _authors(st: Study, s: Rec) -> str:
    return ", ".join(author_name(a, s.author_names) for a in st.authors)


def _study_vars(st: Study, s: Rec) -> dict:
    return {"title": clean(st.title), "short_title": clean(st.short_title or st.title),
            "authors": _authors(st, s), "journal": clean(st.journal or ""),
            "year": st.year or "", "doi": clean(st.doi or ""), "citation": clean(st.citation or _citation_of(st, s))}


def _citation_of(st: Study, s: Rec) -> str:
    """An article citation built from the study fields when none is given: 'Müller Z, Peña J. Title.
    Journal. 2025. doi:…' (the authors end with a period, so they never run into the title)."""
    authors = _authors(st, s)
    parts = [authors + ("" if authors.endswith(".") else ".") if authors else "", clean(st.title).rstrip(".") + ".",
             (clean(st.journal) + "." if st.journal else ""), (f"{st.year}." if st.year else ""),
             (f"doi:{st.doi}" if st.doi else "")]
    return " ".join(p for p in parts if p)


def _meta(st: Study, s: Rec) -> Meta:
    v = _study_vars(st, s)
    footer = tuple((kind, text) for kind, text in _footer_parts(s.footer))
    return Meta(
        title=v["title"], short_title=v["short_title"], authors=tuple(author_name(a) for a in st.authors),
        subject=f"Supplementary appendix to: {v['citation']}", keywords=tuple(clean(k) for k in st.keywords),
        language=st.language, date=_date(st), header=clean(fill(s.header, **v)), footer=footer)


def _footer_parts(template: str):
    for literal, field in placeholders.pieces(template):
        if literal:
            yield ("text", literal)
        if field in ("page", "pages"):
            yield (field, "")


def _date(st: Study) -> datetime:
    """The source's date, or a fixed one, so that rebuilding gives identical bytes."""
    if st.date:
        return datetime.strptime(st.date, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    return datetime(st.year or 2000, 1, 1, tzinfo=timezone.utc)


def _cover(st: Study, s: Rec, items) -> Cover | None:
    c = s.cover
    if not c.enabled:
        return None
    v = _study_vars(st, s)
    paragraphs = tuple(Paragraph("cover-text", (Run(clean(fill(t, **v))),)) for t in c.paragraphs)
    contents, heading = (), None
    if c.contents:
        contents = tuple(Paragraph("contents-item", (Run(it.label + s.labels.separator.rstrip(), bold=True),
                                                     Run(" " + _first_sentence(_caption_text(it)))))
                         for it in items)
        if clean(c.contents_heading):
            heading = Paragraph("cover-text", (Run(clean(c.contents_heading)),))
    closing = tuple(Paragraph("cover-text", (Run(clean(fill(t, **v))),)) for t in c.closing)
    return Cover(Paragraph("cover-heading", (Run(c.heading),)), paragraphs, heading, contents, closing)


def _caption_text(item) -> str:
    return " ".join(r.text for p in item.caption for r in p.runs if r.role != "label").strip()


def _first_sentence(text: str) -> str:
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return m.group(1) if m else text


def _outline(label: str, caption: str, s: Rec) -> str:
    """What the PDF's bookmark for an item says: its label and the caption's first sentence."""
    return f"{label}{s.labels.separator.rstrip()} {_first_sentence(clean(caption))}"
