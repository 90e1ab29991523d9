"""Spreadsheet writer (XlsxWriter): a resolved Document as an .xlsx workbook.

One sheet per item, named by its label ("Appendix 1", "eTable 2"). Each sheet has the
caption in row 1, the column heads in row 2 (frozen, with filters) and the rows below;
the notes follow after an empty row, outside the filtered range.

    participants   the participant table's own columns, one row per participant
    themes         one row per quote: Theme, Subtheme, Finding, Quote, Citation, Source,
                   Page, Speaker, Note. Theme and subtheme are their headings as printed
                   ("I. Elements of Disease", "A. Failure of …"); Quote is the quote as
                   printed (with the style's quotation marks), Citation the printed
                   citation; Source, Page and Speaker are its parts as the Document gives
                   them (``Quote.source/pages/speaker``); a single page is a number, a range
                   text. A finding without quotes has one row with the quote cells empty.

These column names are the spreadsheet's own, in English. Every value is written as
text or number, never as a formula (a quote starting with "=" stays text). Workbook
properties come from the Document and its date, the zip entries' time is fixed, so equal
Documents give identical bytes.

Speed (issue 16). At 10,000 quotes the sheet has 70,000 cells, and XlsxWriter's work per
cell and its zip compression were most of the writer's time. Three things cut it, none
changing what a reader sees:

- cells are stored with ``Worksheet._write_string``, the undecorated ``write_string``
  (the public one first tries ``int(row)`` to tell "A1" notation from numbers, per cell);
- ``_Worksheet._write_cell`` writes a shared-string cell with its format in one f-string,
  the XML XlsxWriter's own ``_write_cell`` writes (tests/test_xlsx.py compares the two:
  identical parts), and hands every other cell to it;
- the zip is deflated at level ``ZIP_LEVEL`` rather than zlib's default 6: five times
  faster, for a file about a fifth larger.

What was tried and not kept: ``constant_memory`` (inline strings instead of the shared
string table: needs temporary files, escapes each cell rather than each distinct string,
and was slower and larger); ``write_row`` (a type dispatch per cell, and a styled blank
cell for every empty one).
"""

from __future__ import annotations

import gc
import io
import re
import zipfile

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import xl_rowcol_to_cell_fast as _cell_name
from xlsxwriter.worksheet import Worksheet

from supplement.resolve.document import Document, ParticipantTable, ThemeTable

THEME_COLUMNS = (("Theme", 26), ("Subtheme", 26), ("Finding", 48), ("Quote", 80), ("Citation", 16),
                 ("Source", 14), ("Page", 7), ("Speaker", 14), ("Note", 24))
MAX_CELL = 32767  # characters Excel holds in one cell
ZIP_LEVEL = 1  # zlib level of the zip entries (see the module's docstring)


def _sheet_names(items) -> list[str]:
    """Sheet names from the labels: at most 31 characters, none of []:*?/\\, unique."""
    names, seen = [], set()
    for n, item in enumerate(items, 1):
        base = re.sub(r"[\[\]:*?/\\]", " ", item.label).strip(" '")[:31] or f"Item {n}"
        name, k = base, 1
        while name.casefold() in seen:
            k += 1
            name = f"{base[:31 - len(str(k)) - 1]} {k}"
        seen.add(name.casefold())
        names.append(name)
    return names


class _Worksheet(Worksheet):
    """XlsxWriter's worksheet, with the innermost loop of writing the sheet's XML shortened
    for the common cell: a shared string with its own format."""

    def _write_cell(self, row: int, col: int, cell) -> None:
        if cell.__class__.__name__ == "String" and cell.format and not self.constant_memory:
            self.fh.write(f'<c r="{_cell_name(row, col)}" s="{cell.format._get_xf_index()}" t="s">'
                          f'<v>{cell.string}</v></c>')
        else:
            super()._write_cell(row, col, cell)


class _LevelZip(zipfile.ZipFile):
    """A ZipFile that deflates every entry at ZIP_LEVEL (XlsxWriter passes its own ZipInfo,
    which would otherwise get zlib's default level)."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        super().writestr(zinfo_or_arcname, data, compress_type, ZIP_LEVEL if compresslevel is None else compresslevel)


# What makes XlsxWriter's shared-string writer do more than wrap a string in <si><t>: an
# _xHHHH_ sequence or a control character to escape, a character XML escapes, or
# whitespace at either end (xml:space="preserve"); the same patterns XlsxWriter uses.
# Tested one by one: one regular expression with all of them tries every alternative at
# every character, four times the time over a study's quotes.
_SST_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]")
_SST_ESCAPE = re.compile(r"_x[0-9a-fA-F]{4}_")


def _sst_special(string: str) -> bool:
    return (_SST_CHARS.search(string) is not None
            or string[:1].isspace() or string[-1:].isspace()  # what re's \s matches, at either end
            or ("_x" in string and _SST_ESCAPE.search(string) is not None))


class _SharedStrings(SharedStrings):
    """XlsxWriter's shared-strings part, with the plain string (most of them) written in one
    step: byte for byte what XlsxWriter writes (tests/test_xlsx.py)."""

    def _write_sst_strings(self) -> None:
        write, special, slow = self.fh.write, _sst_special, self._write_si
        for string in self.string_table.string_array:
            if special(string):
                slow(string)
            else:
                write(f"<si><t>{string}</t></si>")


class _Packager(Packager):
    def _write_shared_strings_file(self) -> None:
        sst = _SharedStrings()
        sst.string_table = self.workbook.str_table
        if not self.workbook.str_table.count:
            return
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()


class _Workbook(xlsxwriter.Workbook):
    def _get_packager(self):  # XlsxWriter's documented place to give its own packager
        return _Packager()

    def _store_workbook(self) -> None:
        # XlsxWriter makes its ZipFile here and offers no compression setting: its module's
        # name for the class is pointed at _LevelZip while this workbook is stored.
        module = xlsxwriter.workbook
        saved = module.ZipFile
        module.ZipFile = _LevelZip
        try:
            super()._store_workbook()
        finally:
            module.ZipFile = saved


class _Sheet:
    def __init__(self, book, name: str, fmt: dict, warn):
        self.ws = book.add_worksheet(name, _Worksheet)
        self.fmt, self.warn, self.name = fmt, warn, name

    def put(self, row: int, col: int, value, style: str = "text") -> None:
        if isinstance(value, int):
            self.ws.write_number(row, col, value, self.fmt[style])
            return
        if len(value) > MAX_CELL:
            self.warn(f"{self.name}: a cell of {len(value):,} characters was cut to Excel's {MAX_CELL:,}")
            value = value[:MAX_CELL]
        self.ws.write_string(row, col, value, self.fmt[style])

    def table(self, caption: str, heads: list[str], widths: list[float], rows: list[list], notes: list[str]):
        ws = self.ws
        self.put(0, 0, caption, "caption")
        for c, (h, w) in enumerate(zip(heads, widths)):
            self.put(1, c, h, "head")
            ws.set_column(c, c, w)
        put, text, fmt = self.put, ws._write_string, self.fmt["text"]
        for r, row in enumerate(rows, 2):
            for c, v in enumerate(row):
                if v.__class__ is str and 0 < len(v) <= MAX_CELL:
                    text(r, c, v, fmt)  # the common case, without put()'s checks (10,000 quotes: 70,000 cells)
                elif v != "":
                    put(r, c, v)
        last = len(rows) + 1
        ws.freeze_panes(2, 0)
        ws.autofilter(1, 0, last, len(heads) - 1)
        for r, note in enumerate(notes, last + 2):
            self.put(r, 0, note, "note")


def _participants(sheet: _Sheet, item: ParticipantTable) -> None:
    n = len(item.headers)
    total = 14 * n  # characters across the sheet, shared out as the style shares the page
    widths = [max(8.0, round(w * total, 1)) for w in item.widths]
    rows = [[c.text for c in row] + [""] * (n - len(row)) for row in item.rows]
    sheet.table(_joined(item.caption), [h.text for h in item.headers], widths, rows, [p.text for p in item.notes])


def _themes(sheet: _Sheet, item: ThemeTable) -> None:
    rows = []
    for b in item.row_blocks():
        theme = b.headings[0].text if b.headings else b.heading.text
        sub = b.heading.text if b.level else ""
        if not b.findings:
            rows.append([theme, sub] + [""] * 7)
        for f in b.findings:
            for q in f.quotes or (None,):
                if q is None:
                    rows.append([theme, sub, f.text.text] + [""] * 6)
                    continue
                part = {"quote-text": "", "citation": "", "note": ""}
                for run in q.runs:
                    if run.role in part:
                        part[run.role] += run.text
                page = int(q.pages) if q.pages.isdigit() and len(q.pages) < 10 else q.pages
                rows.append([theme, sub, f.text.text, part["quote-text"], part["citation"], q.source, page,
                             q.speaker, part["note"]])
    sheet.table(_joined(item.caption), [h for h, _ in THEME_COLUMNS], [w for _, w in THEME_COLUMNS], rows,
                [p.text for p in item.notes])


def _joined(paragraphs) -> str:
    return " ".join(p.text.strip() for p in paragraphs)


def render(doc: Document, warn=lambda message: None) -> bytes:
    """The .xlsx workbook for ``doc``, as bytes.

    The garbage collector is paused meanwhile: XlsxWriter keeps every cell as an object
    until the end, and the collector's passes over them made the time grow faster than
    the number of quotes (1.27 s instead of 0.84 s at 10,000). Nothing here makes cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _render(doc, warn)
    finally:
        if enabled:
            gc.enable()


def _render(doc: Document, warn) -> bytes:
    buf = io.BytesIO()
    book = _Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    m = doc.meta
    date = m.date.replace(tzinfo=None)
    book.set_properties({"title": m.title, "subject": m.subject, "author": "; ".join(m.authors),
                         "keywords": ", ".join(m.keywords), "created": date, "comments": "", "company": ""})
    book.set_custom_property("Language", m.language)
    wrap = {"text_wrap": True, "valign": "top"}
    fmt = {"text": book.add_format(wrap), "head": book.add_format({**wrap, "bold": True, "bottom": 1}),
           "caption": book.add_format({"bold": True}), "note": book.add_format({"italic": True})}
    for item, name in zip(doc.items, _sheet_names(doc.items)):
        sheet = _Sheet(book, name, fmt, warn)
        if isinstance(item, ParticipantTable):
            _participants(sheet, item)
        else:
            _themes(sheet, item)
    if not doc.items:
        book.add_worksheet()
    book.close()
    return buf.getvalue()
