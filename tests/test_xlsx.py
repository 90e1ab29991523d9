"""The spreadsheet writer, read back with openpyxl: one sheet per item, one row per quote
with its parts in columns, header frozen, filters on, identical bytes on rebuild."""

from __future__ import annotations
import io
import re
import zipfile

import openpyxl
import pytest

from formats_util import HOSTILE, checked_example, example_doc, hostile_source, quote_rows, squash
from supplement.pipeline import load_document
from supplement.records import replace
from supplement.writers.xlsx import render

COLUMNS = ["Theme", "Subtheme", "Finding", "Quote", "Citation", "Source", "Page", "Speaker", "Note"]


@pytest.fixture(scope="module")
def doc():
    return checked_example()


@pytest.fixture(scope="module")
def data(doc):
    return render(doc)


@pytest.fixture(scope="module")
def book(data):
    return openpyxl.load_workbook(io.BytesIO(data))


def values(ws, first_row: int = 3):
    return [["" if v is None else v for v in row] for row in ws.iter_rows(min_row=first_row, values_only=True)]


def test_one_sheet_per_item_caption_heads_frozen_filtered(doc, book):
    assert book.sheetnames == ["Appendix 1", "Appendix 2"]
    people, themes = book["Appendix 1"], book["Appendix 2"]
    assert people["A1"].value == doc.items[0].caption[0].text
    assert [c.value for c in people[2]] == [h.text for h in doc.items[0].headers]
    assert [c.value for c in themes[2]] == COLUMNS
    for ws, rows in ((people, 14), (themes, 122)):
        assert ws.freeze_panes == "A3"
        assert ws.auto_filter.ref == f"A2:{openpyxl.utils.get_column_letter(ws.max_column)}{rows + 2}"
        assert all(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width >= 7
                   for c in range(1, ws.max_column + 1))
    assert themes.column_dimensions["D"].width > themes.column_dimensions["G"].width


def test_participant_rows_and_note(doc, book):
    rows = values(book["Appendix 1"])
    assert rows[:14] == [[c.text for c in row] for row in doc.items[0].rows]
    assert rows[2] == ["3.", "Orthopaedic Surgery*", "Assistant Professor", "Pennsylvania", "Canada"]
    assert rows[15][0] == "* denotes international training"  # after an empty row, outside the filter


def test_one_row_per_quote_with_its_parts(doc, book):
    rows = values(book["Appendix 2"])
    assert len(rows) == 122
    want = []
    for headings, finding, quote, cite, whole in quote_rows(doc):
        note = whole[len(quote) + len(cite) + 2:]
        want.append([headings[0], headings[1] if len(headings) > 1 else "", finding, quote, cite])
        assert rows[len(want) - 1][8] == note
    assert [r[:5] for r in rows] == want
    assert rows[0][3:8] == ["“Second to that is…extent of disease. If you have single-level disease, it’s certainly "
                            "a much different decision-making process and surgical plan than somebody who has every "
                            "level involved with multiple sites.”", "[6]", "focus group", 6, ""]
    by_cite = {r[4]: r for r in rows}
    assert by_cite["[8-9]"][5:7] == ["focus group", "8-9"]
    assert by_cite["[Non-Op 1, 2]"][5:7] == ["Non-Op 1", 2]
    assert [r[8] for r in rows if r[8]] == ["[re: familiarity of team members]",
                                            "[when asked how physicians can be more helpful to patients in making treatment decisions]"]
    assert {r[1] for r in rows if r[0] == "III. Care Team Dynamics"} == {
        "A. Multidisciplinary Care", "B. Knowledge of Team Member Preferences", "C. Communication Among Team Members"}


def test_speaker_column_from_the_style(tmp_path):
    from conftest import trimmed_data, write_source

    data = trimmed_data(1)
    data["themes"][0]["findings"][0]["quotes"][0]["speaker"] = "p06"
    doc = load_document(write_source(tmp_path, data), "plos")
    rows = values(openpyxl.load_workbook(io.BytesIO(render(doc)))[doc.items[1].label])
    q = doc.items[1].blocks[0].findings[0].quotes[0]
    assert q.speaker and rows[0][7] == q.speaker
    assert rows[0][4] == q.runs[2].text and q.speaker in rows[0][4]


def test_hostile_text_stays_text_never_a_formula(tmp_path):
    doc = load_document(hostile_source(tmp_path))
    book = openpyxl.load_workbook(io.BytesIO(render(doc)))
    rows = values(book[book.sheetnames[1]])
    hostile = squash(HOSTILE)
    assert rows[0][0] == "I. Theme " + hostile and rows[0][2] == "Finding " + hostile
    assert rows[0][3] == f"“Quote {hostile}”"
    assert book.properties.title == "Title " + hostile
    formula = replace(doc, items=(replace(doc.items[0], caption=(
        replace(doc.items[0].caption[0], runs=(doc.items[0].caption[0].runs[0].__class__("=1+1"),)),)),))
    cell = openpyxl.load_workbook(io.BytesIO(render(formula))).worksheets[0]["A1"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_properties_and_byte_identical_rebuild(doc, data, book):
    assert render(example_doc()) == data
    assert book.properties.title == doc.meta.title
    assert book.properties.created.year == doc.meta.date.year
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert len({i.date_time for i in z.infolist()}) == 1


def test_fast_cells_write_the_xml_xlsxwriter_writes(doc, data, monkeypatch):
    """The writer's kept rows and shared-strings shortcut (issues 16, 18) give every part of the package the bytes
    XlsxWriter's own gives; only the zip's compression differs."""
    plain = _as_xlsxwriter_writes(doc, monkeypatch)
    with zipfile.ZipFile(io.BytesIO(data)) as fast, zipfile.ZipFile(io.BytesIO(plain)) as slow:
        assert fast.namelist() == slow.namelist()
        assert all(fast.read(n) == slow.read(n) for n in fast.namelist())
        sheet = fast.read("xl/worksheets/sheet2.xml").decode()
        assert sheet.count("<row ") == 124 and '<c r="D3" s="' in sheet


def _as_xlsxwriter_writes(doc, monkeypatch) -> bytes:
    """``doc``'s workbook with XlsxWriter's own code for every cell, row and shared string."""
    import xlsxwriter.sharedstrings

    from supplement.writers import xlsx

    with monkeypatch.context() as m:
        m.setattr(xlsx, "KEEP_ROWS", False)
        m.setattr(xlsx._SharedStrings, "_write_sst_strings", xlsxwriter.sharedstrings.SharedStrings._write_sst_strings)
        return render(doc)


def _first_quote(doc, text: str):
    """``doc`` with the first quote's text replaced."""
    table = doc.items[1]
    block, finding, quote = table.blocks[0], table.blocks[0].findings[0], table.blocks[0].findings[0].quotes[0]
    runs = tuple(replace(r, text=text) if r.role == "quote-text" else r for r in quote.runs)
    finding = replace(finding, quotes=(replace(quote, runs=runs),) + finding.quotes[1:])
    block = replace(block, findings=(finding,) + block.findings[1:])
    return replace(doc, items=(doc.items[0], replace(table, blocks=(block,) + table.blocks[1:]),
                                           *doc.items[2:]))


@pytest.mark.parametrize("case", ["long quote", "Excel 2010 rows"])
def test_kept_rows_write_what_xlsxwriter_writes(doc, case, monkeypatch):
    """The theme table's rows kept and written by the writer (issue 18) against XlsxWriter's own
    cells, where they meet its: a row too long to keep among kept ones (its 16-row block's span
    from both), and a setting that changes every row's XML (the kept rows handed to XlsxWriter)."""
    from supplement.writers import xlsx

    if case == "long quote":  # 17,000 characters, 34,000 UTF-16 units: too long to keep
        doc = _first_quote(doc, "\U0001d538" * 17000)
    else:
        init = xlsx._Worksheet.__init__

        def init_2010(self):
            init(self)
            self.excel_version = 2010
        monkeypatch.setattr(xlsx._Worksheet, "__init__", init_2010)
    kept, plain = render(doc), _as_xlsxwriter_writes(doc, monkeypatch)
    with zipfile.ZipFile(io.BytesIO(kept)) as a, zipfile.ZipFile(io.BytesIO(plain)) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
        sheet = a.read("xl/worksheets/sheet2.xml").decode()
    assert sheet.count("<row ") == 124
    if case == "long quote":
        # in the sheet, cut as XlsxWriter cuts (from 3.2.1 to 32,767 UTF-16 units, before to 32,767 characters)
        assert len(openpyxl.load_workbook(io.BytesIO(kept)).worksheets[1]["D3"].value) >= xlsx.SHORT
    else:
        assert len(re.findall(r'<row [^>]*x14ac:dyDescent="0.25"', sheet)) == 124


@pytest.mark.parametrize("text", [
    "plain", " leading", "trailing ", "line\n", "\tTab", "a & b", "<r>rich</r>", "x < y > z", "_x0041_ kept",
    "ctrl\x01char", "\x1f", "non\ufffechar", "\uffff", "", "nbsp\u00a0", "\u2028sep", 'quote "q"', "é ü 中文",
    "_x00_ short", "a_X004A_b", "end\u3000", "nel\u0085", "\u2003em lead", "mid_x004a_dle", "_x", "x_",
])
def test_shared_strings_fast_path_writes_what_xlsxwriter_writes(text):
    """The plain-string shortcut of the shared-strings part (issue 16) against XlsxWriter's own
    writer, string by string, for strings that need its escapes and for those that do not."""
    import xlsxwriter.sharedstrings

    from supplement.writers import xlsx

    def written(cls):
        table = xlsxwriter.sharedstrings.SharedStringTable()
        table._get_shared_string_index(text)
        table._sort_string_data()
        sst = cls()
        sst.string_table = table
        sst.fh = io.StringIO()
        sst._write_sst_strings()
        return sst.fh.getvalue()

    assert written(xlsx._SharedStrings) == written(xlsxwriter.sharedstrings.SharedStrings)


def test_compressed_and_xlsxwriter_left_as_it_was(data):
    import xlsxwriter.workbook

    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # the compression level was set for our workbook only
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        big = z.getinfo("xl/sharedStrings.xml")
        assert big.compress_type == zipfile.ZIP_DEFLATED and big.compress_size < big.file_size / 2


def test_a_row_wider_than_excel_keeps_what_xlsxwriter_keeps(doc, monkeypatch):
    """A participant row past Excel's 16,384th column (only reachable through the Python API:
    the layout limits refuse such a source) is not kept: XlsxWriter's cells keep columns A to
    XFD and drop the rest, as without the kept rows."""
    from supplement.resolve.document import Paragraph, Run

    n = 16385
    cell = lambda text, role="table-text": Paragraph(role, (Run(text),), None)  # noqa: E731
    table = replace(doc.items[0], headers=tuple(cell(f"H{i}", "table-header") for i in range(n)),
                                widths=(1 / n,) * n, rows=((cell("a"),) * n,), notes=())
    wide = replace(doc, items=(table,) + doc.items[1:])
    kept, plain = render(wide), _as_xlsxwriter_writes(wide, monkeypatch)
    with zipfile.ZipFile(io.BytesIO(kept)) as a, zipfile.ZipFile(io.BytesIO(plain)) as b:
        assert a.read("xl/worksheets/sheet1.xml") == b.read("xl/worksheets/sheet1.xml")
        sheet = a.read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="A1:XFD3"/>' in sheet and '<c r="XFD3" s="' in sheet and '<c r="A3" s="' in sheet
