"""Markdown writer: a resolved Document as pandoc Markdown that reads well as plain text.

    ---                                  a YAML metadata block: title, author, lang,
    title: "…"                           subject, keywords (pandoc uses them with -s)
    ---
    - Appendix 1. Clinical background…   the contents (the cover's, else the items' outline)

    **Appendix 1.** Clinical background…  each caption a paragraph above its table

    | Participant Identification | Specialty | …     pipe tables (pandoc and GitHub read them)
    |---------|-------------|---|
    | 1. | Orthopaedic Surgery | …

    * denotes international training     the notes, paragraphs below the table

Multi-quote cells: the theme table has one row per quote. A block's heading (for a
subtheme, its theme's heading and its own, joined by " / ") stands in column 1 of its
first row, a finding in column 2 of its first quote's row; the cells below are empty,
as in the printed table. Pipe tables hold one line per row, so every cell is a single
paragraph and reads back exactly. The dashes under the heads are proportional to the
style's column widths, which pandoc takes as the relative widths.

Text is escaped so that pandoc reads it back as the same characters: backslashes
before the characters that could start markup (``* _ ` [ ] < > | ~ ^ $ @ & \\``), and
before what would start a block at a paragraph's start. Straight quotes, ``--`` and
``...`` are left as written: read with ``pandoc -f markdown-smart`` to keep them
exactly (pandoc's default ``smart`` extension curls them). Bold runs are ``**…**``,
italic ``*…*``, superscript ``^…^`` (pandoc's syntax).
"""

from __future__ import annotations

import json
import re

from supplement.resolve.document import Document, Paragraph, ParticipantTable, ThemeTable

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~^$@&])")
_BLOCK_START = re.compile(r"^(\s*)([#>+=:-]|\d+[.)])")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"[\t\r\n]+")


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", _SPACE.sub(" ", _CONTROL.sub("\ufffd", text)))


def _marked(text: str, mark: str) -> str:
    """``text`` inside ``mark``, with its surrounding spaces left outside (Markdown needs that)."""
    core = text.strip(" ")
    if not core:
        return text
    lead, trail = text[:len(text) - len(text.lstrip(" "))], text[len(text.rstrip(" ")):]
    return f"{lead}{mark}{core}{mark}{trail}"


def inline(p: Paragraph) -> str:
    out = []
    for r in p.runs:
        t = escape(r.text)
        if not t:
            continue
        if r.superscript:
            t = _marked(t.replace(" ", "\\ "), "^")  # pandoc: spaces in a superscript are escaped
        if r.italic:
            t = _marked(t, "*")
        if r.bold:
            t = _marked(t, "**")
        out.append(t)
    return "".join(out)


def block(p: Paragraph) -> str:
    """A paragraph on its own: what would start a heading, list or quote block is escaped."""
    text = inline(p).strip()
    m = _BLOCK_START.match(text)
    if m:
        i = m.end() - 1
        text = text[:i] + "\\" + text[i:]
    return text


def _table(headers: list[str], widths, rows: list[list[str]], align=()) -> list[str]:
    def line(cells):
        return "| " + " | ".join(c.replace("\n", " ") or " " for c in cells) + " |"

    def dashes(i, w):  # a column's alignment as the pipe table writes it: ---: right, :---: center
        a = align[i] if i < len(align) else "left"
        n = max(3, round(w * 60))
        return {"right": "-" * (n - 1) + ":", "center": ":" + "-" * (n - 2) + ":"}.get(a, "-" * n)
    rule = "|" + "|".join(dashes(i, w) for i, w in enumerate(widths)) + "|"
    return [line(headers), rule] + [line(r) for r in rows]


def _participants(item: ParticipantTable) -> list[str]:
    n = len(item.headers)
    rows = [[inline(c) for c in row] + [""] * (n - len(row)) for row in item.rows]
    return _table([inline(h) for h in item.headers], item.widths, rows, item.align)


def _themes(item: ThemeTable) -> list[str]:
    rows = []
    for b in item.row_blocks():
        label = " / ".join(inline(h) for h in b.headings)
        if not b.findings:
            rows.append([label, "", ""])
        for f in b.findings:
            for qi, q in enumerate(f.quotes or (None,)):
                rows.append([label, inline(f.text) if qi == 0 else "", inline(q) if q is not None else ""])
                label = ""
    return _table([inline(h) for h in item.headers[:3]], item.widths, rows)


def _meta(doc: Document) -> list[str]:
    m = doc.meta
    fields = [("title", escape(m.title)), ("author", [escape(a) for a in m.authors]), ("lang", m.language),
              ("subject", escape(m.subject)), ("keywords", [escape(k) for k in m.keywords])]
    # JSON strings are YAML strings; pandoc reads the values as Markdown, hence escaped first
    return ["---"] + [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in fields if v] + ["---"]


def render(doc: Document, warn=lambda message: None) -> bytes:
    """The Markdown text for ``doc``, as UTF-8 bytes."""
    out = _meta(doc)
    cv = doc.cover
    if cv is not None:
        out += ["", "# " + inline(cv.heading).strip()]
        out += ["\n" + block(p) for p in cv.paragraphs]
        if cv.contents_heading:
            out += ["", block(cv.contents_heading)]
        entries = [inline(p).strip() for p in cv.contents]
    else:  # no cover: the items' outline text, as the PDF's bookmarks show it
        entries = [escape(item.outline or item.label) for item in doc.items]
    if entries:
        out += [""] + [f"- {e}" for e in entries]
    if cv is not None:
        out += ["\n" + block(p) for p in cv.closing]
    for item in doc.items:
        out += [""] + [block(p) + "\n" for p in item.caption]
        out += _participants(item) if isinstance(item, ParticipantTable) else _themes(item)
        out += ["\n" + block(p) for p in item.notes]
    return ("\n".join(out) + "\n").encode("utf-8")
