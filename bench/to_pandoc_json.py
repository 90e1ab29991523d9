"""The same tables as pandoc's own JSON AST, for timing pandoc without its Markdown reader.

    python bench/to_pandoc_json.py SOURCE.yaml OUT.json

Built from supplement's resolved Document (``load_document``), so the text and runs are the
writers': each item's caption, then per theme or subtheme one table (as the Word writer
lays it out) whose head is the column heads and the block's label across the table, and
one row per quote (the finding on the first row of its quotes). Every paragraph is a Div
with pandoc's ``custom-style`` attribute (the Word writer's paragraph style name), every
run of a role a Span with its character style, bold and italic runs Strong and Emph: what
pandoc's docx writer needs to give the same named styles. Words are Str, separated by
Space, as pandoc's readers make them. API version of pandoc 2.17 (1.22.2.1); ``--api``
gives another.
"""

from __future__ import annotations

import json
import re
import sys

from supplement.pipeline import load_document
from supplement.resolve.document import ParticipantTable, TextSection, ThemeTable
from supplement.writers.docx import CHAR_STYLES, PARA_STYLES

API = [1, 22, 2, 1]
NOATTR = ["", [], []]
_WORDS = re.compile(r"(\s+)")
DEFAULT = {"t": "AlignDefault"}


def inlines(text: str) -> list:
    out = []
    for piece in _WORDS.split(text):
        if not piece:
            continue
        if piece.isspace():
            out.append({"t": "LineBreak"} if "\n" in piece else {"t": "Space"})
        else:
            out.append({"t": "Str", "c": piece})
    return out


def runs(p) -> list:
    out = []
    for r in p.runs:
        if not r.text:
            continue
        xs = inlines(r.text)
        if r.superscript:
            xs = [{"t": "Superscript", "c": xs}]
        if r.italic:
            xs = [{"t": "Emph", "c": xs}]
        if r.bold:
            xs = [{"t": "Strong", "c": xs}]
        if r.role in CHAR_STYLES:
            xs = [{"t": "Span", "c": [["", [], [["custom-style", CHAR_STYLES[r.role]]]], xs]}]
        out += xs
    return out


def para(p, role: str | None = None) -> dict:
    style = PARA_STYLES.get(role or p.role, "Supplement Table Text")
    return {"t": "Div", "c": [["", [], [["custom-style", style]]], [{"t": "Para", "c": runs(p)}]]}


def cell(blocks: list, colspan: int = 1) -> list:
    return [NOATTR, DEFAULT, 1, colspan, blocks]


def row(cells: list) -> list:
    return [NOATTR, cells]


def table(widths, head_rows, body_rows) -> dict:
    total = sum(widths) or 1.0
    colspecs = [[DEFAULT, {"t": "ColWidth", "c": w / total}] for w in widths]
    return {"t": "Table", "c": [NOATTR, [None, []], colspecs, [NOATTR, head_rows], [[NOATTR, 0, [], body_rows]],
                                [NOATTR, []]]}


def blocks_of(doc) -> list:
    out = []
    for item in doc.items:
        out += [para(p) for p in item.caption]
        if isinstance(item, TextSection):
            out += [para(p) for p in item.body]
            continue
        heads = row([cell([para(h, "table-header")]) for h in item.headers])
        if isinstance(item, ParticipantTable):
            body = [row([cell([para(c, "table-text")]) for c in r]) for r in item.rows]
            out.append(table(item.widths, [heads], body))
        elif isinstance(item, ThemeTable):
            for b in item.row_blocks():
                label = row([cell([para(h) for h in b.headings], 3)])
                body = []
                for f in b.findings:
                    for qi, q in enumerate(f.quotes or (None,)):
                        body.append(row([cell([]), cell([para(f.text)] if qi == 0 else []),
                                         cell([para(q)] if q is not None else [])]))
                out.append(table(item.widths, [heads, label], body))
        out += [para(p) for p in item.notes]
    return out


def ast(doc) -> dict:
    meta = {"title": {"t": "MetaInlines", "c": inlines(doc.meta.title)}}
    return {"pandoc-api-version": API, "meta": meta, "blocks": blocks_of(doc)}


def main(argv) -> None:
    src, out = argv[0], argv[1]
    if "--api" in argv:
        API[:] = [int(x) for x in argv[argv.index("--api") + 1].split(".")]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(ast(load_document(src)), f, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1:])
