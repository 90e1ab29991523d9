"""Coded-segment tables (CSV and XLSX): one row per coded segment, as QDA tools export them.

Layouts are recognised by their header row, wherever it sits in the first rows:

- Taguette highlights: ``id, document, tag, content`` (one row per highlight and tag;
  ``parent\\child`` in tag names); Taguette's codebook: ``tag, description, …``;
- QualCoder coding report: ``File | Coder | Coded | Id | Codename | Coded_Memo |
  Category…`` (Category repeated, nearest parent first; ``Case, Filename`` in case reports);
- MAXQDA Coded Segments: ``Document group, Document name, Code, Segment, …`` with
  ``Parent > Child`` (older: ``Parent\\Child``);
- ATLAS.ti quotation exports: an ID such as ``3:10``, the quotation text, its document
  and codes (several per cell, one per line);
- any other table through a column mapping: ``text=Segment,theme=Code,source="Document name"``.

Every problem names the file, the row and the column.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Optional

from supplement.diagnostics import Pos
from supplement.reader.cite import parse_pages
from supplement.records import Struct, field
from supplement.study.model import Pages

from .outline import Case, Code, Project, Segment
from .safety import SafeZip, fail

ROLES = ("text", "theme", "subtheme", "code", "source", "speaker", "id", "memo", "page", "description")
MAX_ROWS = 1_000_000
MAX_CELL = 1_000_000


class Table(Struct):
    file: str
    rows: list[list[str]]          # every row, as text
    sheet: str = ""

    def pos(self, row: int, col: int = 0) -> Pos:
        """1-based row and column of the table as a spreadsheet shows them."""
        return Pos(f"{self.file}{'[' + self.sheet + ']' if self.sheet else ''}", row, max(col, 1))


class Layout(Struct):
    name: str                      # taguette, qualcoder, maxqda, atlasti, columns, taguette-codebook
    columns: dict[str, int]        # role -> column index
    categories: list[int] = field(default_factory=list)  # QualCoder's Category columns, nearest first
    header_row: int = 0            # 0-based


# --------------------------------------------------------------------------- reading tables

def read_table(path: str) -> list[Table]:
    data = Path(path).read_bytes()
    if data[:2] == b"PK":
        return _xlsx(path)
    return [_csv(path, data)]


def _csv(path: str, data: bytes) -> Table:
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(MAX_CELL)
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise fail(Pos(path, len(rows)), f"more than {MAX_ROWS} rows", "split the export")
    except csv.Error as e:
        raise fail(Pos(path, len(rows) + 1), f"cannot read the CSV file: {e}",
                   "save it again from the tool or a spreadsheet as CSV (UTF-8)") from None
    return Table(path, rows)


def _xlsx(path: str) -> list[Table]:
    SafeZip(path).close()  # the archive's names and sizes are checked before openpyxl reads it
    import openpyxl
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a broken workbook
        raise fail(Pos(path), f"cannot read the workbook ({type(e).__name__}: {e})",
                   "open it in a spreadsheet and save it again as .xlsx") from None
    tables = []
    try:
        for ws in wb.worksheets:
            rows = []
            for row in ws.iter_rows(values_only=True):
                rows.append(["" if v is None else _cell(v) for v in row])
                if len(rows) > MAX_ROWS:
                    raise fail(Pos(path), f"sheet '{ws.title}' has more than {MAX_ROWS} rows")
            tables.append(Table(path, rows, ws.title))
    finally:
        wb.close()
    return tables


def _cell(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# --------------------------------------------------------------------------- layouts

def _norm(h: str) -> str:
    return re.sub(r"[\s_]+", " ", h.strip().casefold())


def _find(headers: list[str], *names: str) -> Optional[int]:
    for n in names:
        for i, h in enumerate(headers):
            if h == n:
                return i
    return None


def recognise(headers_raw: list[str], columns: Optional[dict[str, str]] = None,
              want: Optional[str] = None) -> Optional[Layout]:
    """The layout a header row belongs to; None when it is no known layout."""
    h = [_norm(x) for x in headers_raw]
    if columns:
        cols = {}
        for role, name in columns.items():
            i = _find(h, _norm(name))
            if i is None:
                return None
            cols[role] = i
        return Layout("columns", cols)
    f = lambda *n: _find(h, *n)  # noqa: E731
    cands = {}
    if f("id") is not None and f("document") is not None and f("tag") is not None and f("content") is not None:
        cands["taguette"] = Layout("taguette", {"id": f("id"), "source": f("document"), "code": f("tag"),
                                                "text": f("content")})
    if f("tag") is not None and f("description") is not None and f("content") is None:
        cands["taguette-codebook"] = Layout("taguette-codebook", {"code": f("tag"), "description": f("description")})
    if f("codename") is not None and f("coded") is not None:
        cats = [i for i, x in enumerate(h) if re.fullmatch(r"category(\s*[._]?\s*\d+)?", x)]
        cols = {"code": f("codename"), "text": f("coded"), "source": f("file", "filename"),
                "id": f("id"), "memo": f("coded memo")}
        if f("case") is not None:
            cols["speaker"] = f("case")
        cands["qualcoder"] = Layout("qualcoder", {k: v for k, v in cols.items() if v is not None}, cats)
    if f("document name") is not None and f("code") is not None and f("segment") is not None:
        cols = {"source": f("document name"), "code": f("code"), "text": f("segment"), "memo": f("comment")}
        cands["maxqda"] = Layout("maxqda", {k: v for k, v in cols.items() if v is not None})
    text = f("quotation content", "quotation", "content", "text", "quotation text")
    doc = f("document", "documents", "document name", "primary document")
    codes = f("codes", "code")
    if text is not None and doc is not None and codes is not None and "taguette" not in cands:
        cols = {"text": text, "source": doc, "code": codes, "id": f("id", "quotation id"),
                "memo": f("comment", "quotation comment")}
        cands["atlasti"] = Layout("atlasti", {k: v for k, v in cols.items() if v is not None})
    if want:
        return cands.get(want)
    for name in ("taguette", "qualcoder", "maxqda", "atlasti", "taguette-codebook"):
        if name in cands:
            return cands[name]
    return None


def find_layout(tables: list[Table], columns=None, want=None) -> tuple[Table, Layout]:
    for t in tables:
        for i, row in enumerate(t.rows[:15]):
            lay = recognise(row, columns, want)
            if lay is not None:
                lay.header_row = i
                return t, lay
    first = tables[0] if tables else Table("", [])
    header = next((r for r in first.rows if any(c.strip() for c in r)), [])
    shown = ", ".join(repr(c) for c in header[:12] if c.strip())
    if columns:
        missing = [n for n in columns.values() if _norm(n) not in [_norm(x) for x in header]]
        raise fail(first.pos(1), f"column(s) {', '.join(map(repr, missing))} not in the header row ({shown})",
                   "--columns names the table's own headers, e.g. text=Segment,theme=Code,source=\"Document name\"")
    raise fail(first.pos(1), f"the header row ({shown or 'empty'}) is no known coded-segment layout",
               "map the columns: --columns text=HEADER,code=HEADER,source=HEADER (roles: " + ", ".join(ROLES) + ")")


def parse_columns(spec: str) -> dict[str, str]:
    """``text=Segment,theme=Code,source="Document name"`` -> {role: header}."""
    out = {}
    for part in next(csv.reader([spec], skipinitialspace=True)):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"'{part}' is not ROLE=HEADER")
        role, name = (x.strip().strip('"').strip("'") for x in part.split("=", 1))
        if role not in ROLES:
            raise ValueError(f"unknown role '{role}'; roles are {', '.join(ROLES)}")
        out[role] = name
    if "text" not in out and "description" not in out:
        raise ValueError("the mapping needs text=HEADER (the column with the coded text)")
    return out


# --------------------------------------------------------------------------- rows -> project

def _split_path(code: str, layout: str) -> list[str]:
    code = code.strip()
    if " > " in code:
        parts = code.split(" > ")
    elif "\\" in code:
        parts = code.split("\\")
    elif "::" in code:
        parts = code.split("::")
    else:
        parts = [code]
    return [p.strip() for p in parts if p.strip()]


class _Tree:
    def __init__(self, file: str):
        self.roots: list[Code] = []
        self.by_key: dict[str, Code] = {}
        self.file = file

    def add(self, path: list[str], pos: Pos) -> str:
        parent, key = None, ""
        for name in path:
            key = f"{key}\\{name}" if key else name
            node = self.by_key.get(key.casefold())
            if node is None:
                node = Code(key=key, name=name, pos=pos)
                self.by_key[key.casefold()] = node
                (parent.children if parent else self.roots).append(node)
            parent = node
        return parent.key


def to_project(table: Table, layout: Layout, origin: str) -> Project:
    project = Project(title=Path(table.file).stem, origin=origin, file=table.file)
    r = project.report
    tree = _Tree(table.file)
    cols = layout.columns
    by_id: dict[str, Segment] = {}
    empty = 0

    def cell(row, role):
        i = cols.get(role)
        return row[i].strip() if i is not None and i < len(row) else ""

    for n, row in enumerate(table.rows[layout.header_row + 1:], layout.header_row + 2):
        if not any(c.strip() for c in row):
            continue
        pos = table.pos(n)
        if layout.name == "taguette-codebook":
            name = cell(row, "code")
            if name:
                key = tree.add(_split_path(name, layout.name), pos)
                tree.by_key[key.casefold()].description = cell(row, "description")
            continue
        paths: list[list[str]] = []
        if layout.name == "columns":
            path = [cell(row, role) for role in ("theme", "subtheme") if cell(row, role)]
            path += _split_path(cell(row, "code"), layout.name) if cell(row, "code") else []
            paths = [path]
        elif layout.categories:  # QualCoder: Category columns, nearest parent first
            cats = [row[i].strip() for i in layout.categories if i < len(row) and row[i].strip()]
            paths = [list(reversed(cats)) + ([cell(row, "code")] if cell(row, "code") else [])]
        else:
            raw = cell(row, "code")
            names = re.split(r"[\r\n;]+", raw) if layout.name == "atlasti" else [raw]
            paths = [_split_path(x, layout.name) for x in names if x.strip()]
        keys = [tree.add(p, pos) for p in paths if p]
        text = cell(row, "text")
        if not text:
            empty += 1
            if empty <= 5:
                c = cols.get("text", 0) + 1
                r.warning(table.pos(n, c), "row has no coded text; skipped", "delete the row or fill in the text")
            continue
        if not keys:
            r.warning(table.pos(n, cols.get("code", cols.get("theme", 0)) + 1),
                      "row has no code; its text is not imported",
                      "every row needs a code (or theme) for the quote to have a place")
            continue
        doc_name = cell(row, "source") or "Transcript"
        project.document(doc_name.casefold(), doc_name)
        speaker = cell(row, "speaker") or None
        if speaker:
            ck = speaker.casefold()
            if ck not in project.cases:
                project.cases[ck] = Case(ck, speaker)
            doc = project.documents[doc_name.casefold()]
            if ck not in doc.cases:
                doc.cases.append(ck)
            speaker = ck
        sid = cell(row, "id") or None
        if sid and layout.name == "taguette" and sid in by_id:  # one row per highlight and tag
            seg = by_id[sid]
            for k in keys:
                if k not in seg.codes:
                    seg.codes.append(k)
            continue
        seg = Segment(text=text, codes=keys, document=doc_name.casefold(), guid=sid, speaker=speaker,
                      memo=cell(row, "memo"), pos=pos)
        if cell(row, "page"):
            pages, err = parse_pages(cell(row, "page"))
            if pages is None:
                r.warning(table.pos(n, cols["page"] + 1), f"page: {err}; left out")
            else:
                seg.pages = Pages(pages.first, pages.last)
        if sid:
            by_id[sid] = seg
        project.segments.append(seg)
    if empty > 5:
        r.warning(table.pos(0), f"{empty - 5} more rows without text were skipped")
    project.codes = tree.roots
    return project


def read(path: str, columns: Optional[dict[str, str]] = None, want: Optional[str] = None) -> Project:
    tables = read_table(path)
    table, layout = find_layout(tables, columns, want)
    origin = {"taguette": "a Taguette highlights export", "taguette-codebook": "a Taguette codebook",
              "qualcoder": "a QualCoder coding report", "maxqda": "a MAXQDA Coded Segments export",
              "atlasti": "an ATLAS.ti quotation export", "columns": "a table with mapped columns"}[layout.name]
    return to_project(table, layout, origin)
