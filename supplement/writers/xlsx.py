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

Speed (issues 16 and 18). At 10,000 quotes the sheet has 70,000 cells, and XlsxWriter's work
per cell and its zip compression were most of the writer's time. These cut it, none changing
a byte of the file (tests/test_xlsx.py compares every part with what XlsxWriter's own code writes):

- the tables' rows are kept by ``_Worksheet.keep_row`` as plain tuples and written a row at
  a time by its ``_write_rows``, rather than a cell object per cell that XlsxWriter visits
  three times (dimensions, spans, XML): the writer 0.52 -> 0.35 s at 10,000 quotes (this
  replaced a shortened ``_write_cell`` and the undecorated ``_write_string`` per cell, which
  only the few cells outside kept rows would still pass through);
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
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

try:  # XlsxWriter's cell records: these names from 3.2.1, the older ones before
    from xlsxwriter.worksheet import CellNumberTuple, CellStringTuple
except ImportError:
    from xlsxwriter.worksheet import cell_number_tuple as CellNumberTuple
    from xlsxwriter.worksheet import cell_string_tuple as CellStringTuple

from supplement.resolve.document import Document, ParticipantTable, ThemeTable

THEME_COLUMNS = (("Theme", 26), ("Subtheme", 26), ("Finding", 48), ("Quote", 80), ("Citation", 16),
                 ("Source", 14), ("Page", 7), ("Speaker", 14), ("Note", 24))
MAX_CELL = 32767  # characters Excel holds in one cell
SHORT = MAX_CELL // 2  # characters surely within Excel's limit of UTF-16 units (XlsxWriter's own test)
ZIP_LEVEL = 1  # zlib level of the zip entries (see the module's docstring)
KEEP_ROWS = True  # the tables' rows kept and written by _Worksheet (False: cell by cell, as XlsxWriter does)


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
    """XlsxWriter's worksheet, with the innermost loops of storing and writing cells shortened.

    The tables' rows (the theme table's: a row per quote) are kept here as plain rows (``keep_row``) and
    written in one step each (``_write_rows``), instead of a stored cell object per cell that
    XlsxWriter's loops visit three times (dimensions, spans, XML). The rows say what XlsxWriter
    would store, in the same order (so the shared strings are numbered alike), and are written
    as the bytes its own loop writes (tests/test_xlsx.py compares the two). Any sheet setting
    that would change a row's XML (row heights or formats, comments, Excel 2010 extensions)
    hands the kept rows to XlsxWriter's own cells first."""

    def __init__(self):
        super().__init__()
        self.kept: dict[int, tuple] = {}  # row -> (format, ((column, string index or number, is a string), …))

    def keep_row(self, row: int, cells: list, cell_format) -> bool:
        """Store a row of (column, value) cells, values a str of at most SHORT characters or
        an int, in ascending columns, each in ``cell_format`` (XlsxWriter's _write_string and
        _write_number, for a whole row at once). False, storing nothing, for a row that reaches
        past the sheet's last row or column: XlsxWriter's own cells say what of it is dropped."""
        if not cells:
            return True
        if row >= self.xls_rowmax or cells[-1][0] >= self.xls_colmax:
            return False
        self._check_dimensions(row, cells[0][0])
        self._check_dimensions(row, cells[-1][0])
        index = self.str_table._get_shared_string_index
        self.kept[row] = (cell_format, tuple((c, index(v), True) if v.__class__ is str else (c, v, False)
                                             for c, v in cells))
        return True

    def _materialise(self) -> None:
        """The kept rows as XlsxWriter's own cells (for the settings its row writer must handle)."""
        for row, (fmt, cells) in self.kept.items():
            for col, value, is_string in cells:
                self.table[row][col] = CellStringTuple(value, fmt) if is_string else CellNumberTuple(value, fmt)
        self.kept = {}

    def _write_rows(self) -> None:
        if not self.kept:
            super()._write_rows()
            return
        rows_set = getattr(self, "row_info", None) or getattr(self, "set_rows", None)  # (named set_rows before 3.2.3)
        if (rows_set or self.comments or self.excel_version != 2007
                or self.default_row_height != self.original_row_height):
            self._materialise()
            super()._write_rows()
            return
        kept, table = self.kept, self.table
        spans: dict[int, list[int]] = {}  # block of 16 rows -> [first column, last column]
        for row, (_, cells) in kept.items():
            self._span(spans, row, cells[0][0], cells[-1][0])
        for row, cols in table.items():
            if cols:
                self._span(spans, row, min(cols), max(cols))
        write, xfs = self.fh.write, {}
        letters = [xl_col_to_name(c) for c in range(self.dim_colmax + 1)]
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            span = spans.get(row // 16)
            if row in kept:
                fmt, cells = kept[row]
                xf = xfs.get(fmt)
                if xf is None:  # asked for where XlsxWriter first asks, which numbers the formats in order
                    xf = xfs[fmt] = fmt._get_xf_index()
                r = row + 1
                write(f'<row r="{r}" spans="{span[0] + 1}:{span[1] + 1}">' + "".join(
                    f'<c r="{letters[c]}{r}" s="{xf}" t="s"><v>{v}</v></c>' if is_string else
                    f'<c r="{letters[c]}{r}" s="{xf}"><v>{v:.16G}</v></c>' for c, v, is_string in cells) + "</row>")
            elif table.get(row):
                self._write_row(row, f"{span[0] + 1}:{span[1] + 1}")
                cols = table[row]
                for col in range(self.dim_colmin, self.dim_colmax + 1):
                    if col in cols:
                        self._write_cell(row, col, cols[col])
                self._xml_end_tag("row")

    @staticmethod
    def _span(spans: dict, row: int, first: int, last: int) -> None:
        span = spans.get(row // 16)
        if span is None:
            spans[row // 16] = [first, last]
        else:
            span[0], span[1] = min(span[0], first), max(span[1], last)


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
        keep, fmt = ws.keep_row if KEEP_ROWS else None, self.fmt["text"]
        for r, row in enumerate(rows, 2):
            if (keep is not None and all((v.__class__ is str and len(v) <= SHORT) or v.__class__ is int for v in row)
                    and keep(r, [(c, v) for c, v in enumerate(row) if v != ""], fmt)):
                continue  # the common row (10,000 quotes: 70,000 cells)
            for c, v in enumerate(row):
                if v != "":
                    self.put(r, c, v)
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
