"""The participant table's columns (issue 11): the number column sized to its content; widths
and alignment per column from the source (and the number column's from the style); checked
with located errors; rendered by the PDF (read back with pdftotext -bbox), the Word file
(w:jc, grid widths), HTML and Markdown."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from srcutil import BASE, EXAMPLE, edit, load_checked, problems
from supplement.pipeline import compile_document, load_document
from supplement.resolve import fonts
from supplement.resolve.document import ParticipantTable
from supplement.resolve.style import page_size
from supplement.study.emit import emit
from supplement.writers import docx as docxwriter, html as htmlwriter, markdown as mdwriter, pdf as pdfwriter

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def _first_page_words(path: Path):
    out = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return [(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in _WORD.findall(out)]


def _participants(doc) -> ParticipantTable:
    return next(i for i in doc.items if type(i) is ParticipantTable)


def _text_width(doc) -> float:
    return page_size(doc.style.page)[0] - 2 * float(doc.style.page.margin)


def _aligned_example(tmp_path: Path, extra_style: str = "") -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = edit(text, "  number_header: Participant Identification\n",
                "  number_header: Participant Identification\n  number_align: right\n")
    text = edit(text, "    - {key: specialty, label: Specialty}", "    - {key: specialty, label: Specialty, width: 0.3}")
    text = edit(text, "    - {key: rank, label: Academic Rank}", "    - {key: rank, label: Academic Rank, align: center}")
    path = tmp_path / "aligned.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_number_column_sized_to_its_content():
    doc = load_document(EXAMPLE)
    item = _participants(doc)
    t = doc.typography
    fw = _text_width(doc)
    number = item.widths[0] * fw
    widest_word = max(fonts.text_width(doc.style.fonts, "bold", w, t.roles["table-header"].size)
                      for w in item.headers[0].text.split())
    widest_label = max(fonts.text_width(doc.style.fonts, "regular", r[0].text, t.roles["table-text"].size)
                       for r in item.rows)
    assert widest_word + 2 * t.pad_x <= number <= widest_word + 2 * t.pad_x + 4
    assert number >= widest_label + 2 * t.pad_x
    assert item.widths[0] < min(item.widths[1:])  # no longer as wide as the data columns
    assert abs(sum(item.widths) - 1) < 1e-9
    assert item.align == ()  # all left: nothing to say


@needs_poppler
def test_pdf_number_column_and_alignment(tmp_path):
    doc = load_document(_aligned_example(tmp_path))
    item = _participants(doc)
    assert item.align == ("right", "left", "center", "left", "left")
    fw, m, pad = _text_width(doc), float(doc.style.page.margin), doc.typography.pad_x
    assert abs(item.widths[1] - 0.3) < 1e-9
    path = tmp_path / "a.pdf"
    path.write_bytes(pdfwriter.render(doc))
    words = _first_page_words(path)
    edges = [m + sum(item.widths[:i]) * fw for i in range(len(item.widths) + 1)]
    # the numbers, right-aligned: every one ends at the column's right edge less the padding
    numbers = [w for w in words if re.fullmatch(r"\d+\.", w[4]) and w[0] < edges[1] and w[1] > m + 30]
    assert len(numbers) == len(item.rows)
    assert all(abs(w[2] - (edges[1] - pad)) < 0.6 for w in numbers), numbers[:3]
    # the specialty column is 0.3 of the width: its heading starts there
    spec = next(w for w in words if w[4] == "Specialty")
    assert abs(spec[0] - (edges[1] + pad)) < 0.6
    # the rank column is centred: each line's middle is the column's middle
    mid = (edges[2] + edges[3]) / 2
    lines: dict[float, list] = {}
    for w in words:
        if edges[2] < w[0] < edges[3] and m + 30 < w[1] < page_size(doc.style.page)[1] - m:
            lines.setdefault(round(w[1], 1), []).append(w)
    assert len(lines) >= len(item.rows)
    for ws in lines.values():
        assert abs((min(w[0] for w in ws) + max(w[2] for w in ws)) / 2 - mid) < 0.8, ws


def test_docx_html_markdown_alignment_and_widths(tmp_path):
    doc = load_document(_aligned_example(tmp_path))
    item = _participants(doc)
    body = zipfile.ZipFile(__import__("io").BytesIO(docxwriter.render(doc))).read("word/document.xml").decode()
    table = body[body.index("<w:tbl>"):body.index("</w:tbl>")]
    grid = [int(x) for x in re.findall(r'<w:gridCol w:w="(\d+)"/>', table)]
    assert abs(grid[1] / sum(grid) - 0.3) < 0.002 and abs(grid[0] / sum(grid) - item.widths[0]) < 0.002
    rows = re.findall(r"<w:tr>.*?</w:tr>", table)
    assert len(rows) == len(item.rows) + 1
    for row in rows:
        cells = re.findall(r"<w:tc>.*?</w:tc>", row)
        assert '<w:jc w:val="right"/>' in cells[0] and '<w:jc w:val="center"/>' in cells[2]
        assert "<w:jc " not in cells[1] + cells[3] + cells[4]
    page = htmlwriter.render(doc).decode() if isinstance(htmlwriter.render(doc), bytes) else htmlwriter.render(doc)
    assert '<th scope="col" style="text-align: right">Participant Identification</th>' in page
    assert '<th scope="row" style="text-align: right">1.</th>' in page
    md = mdwriter.render(doc)
    md = md.decode() if isinstance(md, bytes) else md
    rule = next(l for l in md.splitlines() if l.startswith("|-") or l.startswith("|:"))
    cols = rule.strip("|").split("|")
    assert cols[0].endswith(":") and not cols[0].startswith(":")
    assert cols[2].startswith(":") and cols[2].endswith(":")


def test_style_sets_the_number_column(tmp_path):
    style = tmp_path / "s.yaml"
    style.write_text("extends: default\ntable:\n  number_align: center\n  number_width: 0.2\n", encoding="utf-8")
    doc = load_document(EXAMPLE, style=str(style))
    item = _participants(doc)
    assert abs(item.widths[0] - 0.2) < 1e-9 and item.align[0] == "center"
    # the source's own setting wins over the style's
    doc = load_document(_aligned_example(tmp_path), style=str(style))
    item = _participants(doc)
    assert item.align[0] == "right" and abs(item.widths[0] - 0.2) < 1e-9 and abs(item.widths[1] - 0.3) < 1e-9


def test_widths_checked_with_located_errors(tmp_path):
    text = edit(BASE, "    - {key: specialty, label: Specialty}",
                "    - {key: specialty, label: Specialty, width: 0.7}\n    - {key: site, label: Site, width: 0.4}")
    assert problems(tmp_path, text) == [
        "8:39: error: the column widths add up to 1.1, which leaves less than 0.03 of the text width "
        "for the column without a width"]  # the number column; at the width that tips it over
    text = edit(BASE, "    - {key: specialty, label: Specialty}", "    - {key: specialty, label: Specialty, width: 0}")
    [msg] = problems(tmp_path, text)
    assert msg.startswith("7:49: error:") and "out of range" in msg
    text = edit(BASE, "    - {key: specialty, label: Specialty}", "    - {key: specialty, label: Specialty, align: middle}")
    [msg] = problems(tmp_path, text)
    assert msg.startswith("7:") and "middle" in msg
    text = edit(BASE, "  columns:\n", "  number_width: 0.5\n  columns:\n")
    text = edit(text, "    - {key: specialty, label: Specialty}", "    - {key: specialty, label: Specialty, width: 0.6}")
    assert problems(tmp_path, text) == [
        "8:49: error: the column widths add up to 1.1, which is more than the whole text width (1)"]
    # every column given: they may fill the width exactly
    assert problems(tmp_path, edit(text, "width: 0.6}", "width: 0.5}")) == []


def test_widths_and_alignment_survive_the_source_writer(tmp_path):
    text = edit(BASE, "    - {key: specialty, label: Specialty}",
                "    - {key: specialty, label: Specialty, width: 0.25, align: right}")
    text = edit(text, "  columns:\n", "  number_width: 0.1\n  number_align: center\n  columns:\n")
    sup, _, report = load_checked(tmp_path, text)
    assert sup is not None, report.text()
    again, _, report = load_checked(tmp_path, emit(sup), "again.yaml")
    assert again is not None, report.text()
    c = again.participants.columns[0]
    assert (c.width, c.align) == (0.25, "right")
    assert (again.participants.number_width, again.participants.number_align) == (0.1, "center")
    assert again == sup


def test_bad_style_keys_are_located(tmp_path):
    style = tmp_path / "s.yaml"
    style.write_text("extends: default\ntable:\n  number_align: middle\n  number_width: 2\n", encoding="utf-8")
    doc, report = compile_document(EXAMPLE, str(style))
    assert doc is None
    lines = sorted((d.pos.line, d.message) for d in report.errors)
    assert [line for line, _ in lines] == [3, 4], lines
