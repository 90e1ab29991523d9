"""Issue 12, whole supplements: the appendix order, text sections, generic tables and reporting
checklists, in the resolved model and in the Word and PDF files of every preset."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from srcutil import BASE, edit, load
from supplement.pipeline import compile_document
from supplement.resolve.document import DataTable, ParticipantTable, TextSection, ThemeTable
from supplement.resolve.style import preset_names
from supplement.writers import FORMATS, Format

WHOLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "whole-supplement.yaml"
LABELS = {"default": ["Appendix 1", "Appendix 2", "Appendix 3", "Appendix 4", "Appendix 5"],
          "jama": ["eAppendix 1", "eTable 1", "eTable 2", "eTable 3", "eTable 4"],
          "plos": ["S1 Text", "S1 Table", "S2 Table", "S3 Table", "S4 Table"]}


@pytest.fixture(scope="module")
def whole():
    doc, report = compile_document(WHOLE)
    assert doc is not None and report.items == [], report.text()
    return doc


def test_the_items_print_in_the_appendix_order(whole):
    assert [type(i) for i in whole.items] == [TextSection, ParticipantTable, ThemeTable, DataTable, DataTable]
    assert [i.kind for i in whole.items[3:]] == ["table", "checklist"]
    guide = whole.items[0]
    assert [(p.role, p.text) for p in guide.body[1:4]] == [
        ("section-heading", "Opening"),
        ("list-item", "1. Tell me about the place where you work and the births you attend."),
        ("list-item", "2. How far is the nearest obstetric unit, and how do women get there?")]
    assert guide.body[-1].text == "\u2022 Working alone at night"


def test_the_checklist_has_every_coreq_item_with_its_answer(whole):
    coreq = whole.items[4]
    assert [h.text for h in coreq.headers] == ["Domain", "No.", "Item", "Guide question", "Reported on page or section"]
    assert len(coreq.rows) == 32
    assert [c.text for c in coreq.rows[16]] == ["", "17", "Interview guide", "Were questions, prompts, guides "
                                                "provided by the authors? Was it pilot tested?", "Appendix 1"]
    assert coreq.rows[8][0].text == "Domain 2: Study design"


@pytest.mark.parametrize("style", preset_names())
def test_builds_in_every_preset_to_both_formats(style):
    doc, report = compile_document(WHOLE, style)
    assert doc is not None and not report.errors, report.text()
    labels = [i.label for i in doc.items]
    if style in LABELS:
        assert labels == LABELS[style]
    assert len(set(labels)) == 5  # every item numbered, none twice
    words = "Think of the last time you transferred a woman in labour."
    d = docx.Document(io.BytesIO(FORMATS["docx"].render(doc)))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "1. " + words in text and "\u2022 Working alone at night" in text
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    assert "Clarity of minor themes" in cells and "Helicopter" in cells and "P07" in cells
    assert d.paragraphs[[p.text for p in d.paragraphs].index("Deciding to transfer")].style.name == \
        "Supplement Section Heading"
    pdf = PdfReader(io.BytesIO(FORMATS["pdf"].render(doc)))
    pdf_text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert words in pdf_text and "Clarity of minor themes" in pdf_text
    outline = [o.title for o in pdf.outline if not isinstance(o, list)]
    assert all(t.startswith(lab) for t, lab in zip(outline, labels, strict=True))  # one bookmark per item
    if doc.cover is not None and doc.cover.contents:  # listed on the contents page
        assert all(p.runs[0].text.startswith(lab) for p, lab in zip(doc.cover.contents, labels, strict=True))
        assert all(lab in pdf.pages[0].extract_text() + pdf.pages[1].extract_text() for lab in labels)


def test_a_writer_that_renders_fewer_item_types_says_what_it_left_out(whole):
    fmt = Format("md", "md", "supplement.writers.docx", "a writer that knows the two tables")
    said = []
    out = fmt.renderable(whole, said.append)
    assert [type(i) for i in out.items] == [ParticipantTable, ThemeTable]
    assert said[0] == ("Appendix 1 (TextSection) is left out of the md file, which cannot show it yet; "
                       "it is in the docx and pdf files")
    assert len(said) == 3


# --- checks ------------------------------------------------------------------------------

CHECKLIST = "checklists:\n  - id: coreq\n    checklist: coreq\n    answers: {1: Methods p. 4, 40: x}\n"


def test_unanswered_checklist_items_are_warnings_and_unknown_items_errors(tmp_path):
    _, report = load(tmp_path, BASE + CHECKLIST)
    errors = [(d.pos.line, d.message, d.hint) for d in report.errors]
    assert errors == [(41, "COREQ has no item '40'", "items are numbered 1 to 32")]
    warnings = report.warnings
    assert len(warnings) == 31
    assert (warnings[0].pos.line, warnings[0].message, warnings[0].hint) == (
        41, "COREQ item 2 (Credentials) has no answer",
        "write where the article reports it under answers: 2: 'Methods, p. 4' (or 'not applicable')")


def test_appendix_names_an_unknown_item(tmp_path):
    _, report = load(tmp_path, BASE + "appendix: [themes, participans]\n")
    d = report.errors[0]
    assert (d.pos.line, d.pos.col, d.message) == (38, 20, "appendix names unknown item 'participans'")
    assert d.hint == "did you mean 'participants'? items: participants, themes"
    w = report.warnings[0]
    assert w.message == "item 'participants' is not in the appendix: list, so it is not printed"


def test_a_text_block_holds_one_kind(tmp_path):
    text = BASE + "sections:\n  - id: g\n    title: Guide\n    content:\n      - {heading: A, paragraph: B}\n"
    _, report = load(tmp_path, text)
    d = report.errors[0]
    assert (d.pos.line, d.message) == (42, "a text block holds one of heading, paragraph, numbered or bulleted; "
                                           "this one holds heading and paragraph")
    assert d.hint == "write each as its own list item: - {heading: …} - {paragraph: …}"


def test_without_an_appendix_list_participants_and_themes_come_first(tmp_path):
    text = BASE + "tables:\n  - id: t\n    caption: Extra.\n    columns: [{key: a, label: A}]\n    rows: [{a: x}]\n"
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    doc, report = compile_document(path)
    assert [type(i) for i in doc.items] == [ParticipantTable, ThemeTable, DataTable]
    assert [i.label for i in doc.items] == ["Appendix 1", "Appendix 2", "Appendix 3"]


def test_an_srqr_checklist_takes_S_numbers_or_plain_ones(tmp_path):
    answers = ", ".join(f"S{n}: p. {n}" if n % 2 else f"{n}: p. {n}" for n in range(1, 22))
    text = BASE + f"checklists:\n  - id: srqr\n    checklist: srqr\n    answers: {{{answers}}}\n"
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    doc, report = compile_document(path)
    assert report.items == [], report.text()
    srqr = doc.items[-1]
    assert len(srqr.rows) == 21 and srqr.label == "Appendix 3"
    assert [c.text for c in srqr.rows[16]][1:] == ["S17", "Links to empirical data", "Evidence (e.g., quotes, "
                                                   "field notes, text excerpts, photographs) to substantiate analytic "
                                                   "findings", "p. 17"]


def test_libreoffice_lays_out_the_guide_and_the_checklist(tmp_path):
    """A real reader of the Word file: LibreOffice converts it and shows every item in order."""
    import re
    import shutil
    import subprocess

    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not soffice or not pdftotext:
        pytest.skip("LibreOffice or pdftotext is not installed")  # conftest turns this into a failure on CI
    doc, _ = compile_document(WHOLE, "jama")
    path = tmp_path / "whole.docx"
    path.write_bytes(FORMATS["docx"].render(doc))
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)], check=True, capture_output=True,
                   timeout=300)
    text = subprocess.run([pdftotext, "-raw", str(tmp_path / "whole.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    flat = re.sub(r"\s+", " ", text)
    order = ["Müller Z, Peña J-P. How rural midwives decide to transfer care.", "eAppendix 1. Interview guide.",
             "3. Who did you speak to, and what did they say?", "• Working alone at night", "eTable 1.",
             "P07", "eTable 4.", "Clarity of minor themes"]
    at = 0
    for s in order:  # each after the one before (the contents page lists the labels first)
        found = flat.find(s, at)
        assert found >= 0, (s, flat[at:at + 300])
        at = found + len(s)


@pytest.mark.parametrize("fmt", ["html", "md", "xlsx"])
def test_html_markdown_and_xlsx_show_the_tables_and_say_they_leave_out_the_text_section(whole, fmt):
    said = []
    data = FORMATS[fmt].render(whole, said.append)
    assert said == [f"Appendix 1 (TextSection) is left out of the {fmt} file, which cannot show it yet; "
                    "it is in the docx and pdf files"]
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data))
        assert wb.sheetnames == ["Appendix 2", "Appendix 3", "Appendix 4", "Appendix 5"]
        text = " ".join(str(c.value) for c in wb["Appendix 5"].iter_cols(min_row=1) for c in c)
    else:
        text = data.decode("utf-8")
    assert "Clarity of minor themes" in text and "Tell me about the place where you work" not in text
