"""The Markdown writer, read back by pandoc (``-f markdown-smart -t json``): every caption,
cell, quote and citation comes back as the same text."""

from __future__ import annotations

import json
import subprocess

import pytest

from formats_util import HOSTILE, checked_example, example_doc, hostile_source, need, quote_rows, squash
from supplement.pipeline import load_document
from supplement.records import replace
from supplement.writers.markdown import render


@pytest.fixture(scope="module")
def doc():
    return checked_example()


def pandoc(text: bytes, reader: str = "markdown-smart") -> dict:
    out = subprocess.run([need("pandoc"), "-f", reader, "-t", "json"], input=text, capture_output=True,
                         check=True, timeout=60)
    return json.loads(out.stdout)


def plain(node) -> str:
    """The text of pandoc inlines or blocks, as a reader sees it."""
    if isinstance(node, list):
        return "".join(plain(n) for n in node)
    if not isinstance(node, dict):
        return ""
    t = node.get("t")
    if t == "Str":
        return node["c"]
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t in ("Quoted",):
        mark = '"' if node["c"][0]["t"] == "DoubleQuote" else "'"
        return mark + plain(node["c"][1]) + mark
    return plain(node.get("c", []))


def table_cells(table) -> tuple[list[str], list[list[str]]]:
    """(column heads, body rows) of a pandoc JSON Table."""
    _, _, _, head, bodies, _ = table["c"]
    heads = [plain(cell[4]) for cell in head[1][0][1]]
    rows = [[plain(cell[4]) for cell in row[1]] for body in bodies for row in body[3]]
    return heads, rows


def test_pandoc_reads_every_cell_back(doc):
    ast = pandoc(render(doc))
    blocks = ast["blocks"]
    assert [b["t"] for b in blocks] == ["BulletList", "Para", "Table", "Para", "Para", "Table"]
    assert plain(ast["meta"]["title"]) == doc.meta.title
    assert plain(ast["meta"]["lang"]) == "en-US"
    people, themes = doc.items
    # captions as paragraphs above the tables, the label bold
    assert plain(blocks[1]) == people.caption[0].text and blocks[1]["c"][0]["t"] == "Strong"
    assert plain(blocks[4]) == themes.caption[0].text
    heads, rows = table_cells(blocks[2])
    assert heads == [h.text for h in people.headers]
    assert rows == [[c.text for c in row] for row in people.rows]
    assert plain(blocks[3]) == people.notes[0].text == "* denotes international training"
    heads, rows = table_cells(blocks[5])
    assert heads == [h.text for h in themes.headers]
    # one row per quote: the block's headings and the finding only on their first rows
    want, last = [], (None, None)
    for headings, finding, _, _, whole in quote_rows(doc):
        label = " / ".join(headings)
        want.append([label if label != last[0] else "", finding if (label, finding) != last else "", whole])
        last = (label, finding)
    assert rows == want
    assert len(rows) == 122


def test_contents_list_and_column_widths(doc):
    ast = pandoc(render(doc))
    entries = [plain(item) for item in ast["blocks"][0]["c"]]
    assert entries == [it.outline for it in doc.items]
    colspecs = ast["blocks"][5]["c"][2]
    widths = [spec[1]["c"] for spec in colspecs]
    assert widths == pytest.approx(list(doc.items[1].widths), abs=0.01)


def test_github_reads_the_tables_too(doc):
    ast = pandoc(render(doc), "gfm")
    tables = [b for b in ast["blocks"] if b["t"] == "Table"]
    assert len(table_cells(tables[1])[1]) == 122
    assert table_cells(tables[1])[1][0][2] == quote_rows(doc)[0][4]


def test_jama_cover_superscript_and_bold_caption():
    doc = example_doc("jama")
    text = render(doc)
    ast = pandoc(text)
    blocks = ast["blocks"]
    assert blocks[0]["t"] == "Header" and plain(blocks[0]) == "Supplemental Online Content"
    assert plain(blocks[1]) == doc.cover.paragraphs[0].text
    assert [plain(i) for i in blocks[2]["c"]] == [p.text for p in doc.cover.contents]
    assert plain(blocks[3]) == doc.cover.closing[0].text
    heads, rows = table_cells(blocks[5])
    assert rows[2][1] == "Orthopaedic Surgerya"
    assert "Orthopaedic Surgery^a^" in text.decode()


def test_hostile_text_reads_back_literally(tmp_path):
    doc = load_document(hostile_source(tmp_path))
    ast = pandoc(render(doc))
    hostile = squash(HOSTILE)
    assert plain(ast["meta"]["title"]) == "Title " + hostile
    assert [plain(k) for k in ast["meta"]["keywords"]["c"]] == ["Key " + hostile]
    blocks = ast["blocks"]
    body = [plain(b) for b in blocks if b["t"] == "Para"]
    assert "Caption " in body[0] and body[0].endswith(hostile)
    heads, rows = table_cells(blocks[2])
    assert heads[1] == "Label " + hostile and rows[0][1] == "Cell " + hostile
    heads, rows = table_cells(blocks[5])
    assert rows[0][0] == "I. Theme " + hostile and rows[0][1] == "Finding " + hostile
    assert rows[0][2] == f"“Quote {hostile}” [6] [Note {hostile}]"
    # nothing became markup: no link, image, code, math, citation, raw HTML or emphasis but the label's
    kinds = set()

    def walk(n):
        if isinstance(n, dict):
            kinds.add(n.get("t"))
            walk(n.get("c"))
        elif isinstance(n, list):
            for x in n:
                walk(x)
    walk(blocks)
    assert not kinds & {"Link", "Image", "Code", "Math", "Cite", "RawInline", "RawBlock", "Emph", "Strikeout",
                        "Superscript", "Subscript", "Header", "CodeBlock"}


def test_rebuild_is_byte_identical(doc):
    assert render(example_doc()) == render(doc)


def test_random_punctuation_reads_back_exactly(doc):
    """300 random strings of Markdown's, pandoc's and HTML's special characters, words and
    spaces, as quotes: each cell comes back as written (whitespace runs as one space)."""
    import random

    from supplement.resolve.document import Run

    rng = random.Random(16)
    alphabet = list("\\`*_{}[]()<>#+-.!|~^$@&:;'\"=%/?,") + ["word", "x", " ", " ", "1.", "--", "...", "é", "“"]
    texts = []
    for _ in range(300):
        t = squash("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))))
        texts.append(t or "x")
    tt = doc.items[1]
    b, f = tt.blocks[0], tt.blocks[0].findings[0]
    quotes = tuple(replace(f.quotes[0], runs=(Run(t, role="quote-text"),)) for t in texts)
    item = replace(tt, blocks=(replace(b, findings=(replace(f, quotes=quotes),)),))
    ast = pandoc(render(replace(doc, items=(item,), cover=None)))
    table = next(b for b in ast["blocks"] if b["t"] == "Table")
    assert [row[2] for row in table_cells(table)[1]] == texts
