"""The Word writer, checked the way readers and tools see the file.

python-docx reopens it (named styles, captions, header rows, widths, properties);
LibreOffice lays it out (every theme, finding and quote in order; the column heads
and the current theme and subtheme at the top of every page of the theme table);
pandoc reads the tables back; Microsoft's Open XML SDK validator accepts it;
rebuilding gives identical bytes. One LibreOffice conversion per look (grid rules,
horizontal rules) is shared by the module.
"""

from __future__ import annotations
import io
import json
import re
import shutil
import subprocess
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from lxml import etree

import ooxml_validator
from supplement.records import replace
from supplement.resolve.document import Finding, Paragraph, Run, ThemeBlock
from supplement.pipeline import load_document
from supplement.resolve.layout import theme_rows
from supplement.writers.docx import CHAR_STYLES, PARA_STYLES, TABLE_STYLE, TEXT_STYLES, render

EXAMPLE = Path(__file__).resolve().parent.parent / "source" / "spinal-metastases.yaml"

W_VAL = qn("w:val")


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def example():
    return load_document(EXAMPLE)


@pytest.fixture(scope="module")
def example_bytes(example):
    return render(example)


@pytest.fixture(scope="module")
def example_file(example_bytes, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "example.docx"
    path.write_bytes(example_bytes)
    return path


@pytest.fixture(scope="module")
def reopened(example_bytes):
    return docx.Document(io.BytesIO(example_bytes))


def _need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} is not installed")
    return path


def _squash(text: str) -> str:
    """Text with all whitespace removed: line wrapping (and a hyphen at a line end) cannot
    make a match fail."""
    return re.sub(r"\s+", "", text)


def _lo_convert(docx_file: Path, out: Path, profile: Path) -> list[str]:
    """A .docx converted by LibreOffice, as the text of each PDF page."""
    soffice = _need("soffice")
    pdftotext = _need("pdftotext")
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(docx_file)], check=True, capture_output=True, timeout=300)
    pdf = out / (docx_file.stem + ".pdf")
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    # -raw: content order, and a hyphen at a line end stays (the default mode drops it)
    text = subprocess.run([pdftotext, "-raw", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _lo_pdf(docx_file: Path, out: Path) -> Path:
    return out / (docx_file.stem + ".pdf")


# The looks LibreOffice lays out: the example's own (grid rules, letter) and Elsevier's
# (horizontal rules only, A4: other page breaks).
LOOKS = {"grid": None, "horizontal": "elsevier"}


def _tall_rows(example, per_finding: int = 6, blocks: int = 10):
    """The example's theme table remade as ``blocks`` themes of one finding with ``per_finding``
    of its quotes each: rows of half a page or more, which leave that much empty at a page's
    foot wherever a row cannot break across pages."""
    tt = example.items[1]
    pool = [q for b in tt.blocks for f in b.findings for q in f.quotes]
    finding = tt.blocks[0].findings[0]
    out = []
    for k in range(blocks):
        head = Paragraph("theme", (Run(f"{k + 1}. Theme {k + 1}"),))
        quotes = tuple(pool[k * per_finding:(k + 1) * per_finding])
        out.append(ThemeBlock(0, f"{k + 1}.", f"Theme {k + 1}", head,
                              (Paragraph("theme", (Run(f"{k + 1}. Theme {k + 1} (continued)"),)),),
                              (replace(finding, quotes=quotes),), (head,)))
    return replace(example, items=(example.items[0], replace(tt, blocks=tuple(out))))


@pytest.fixture(scope="module")
def lo_looks(example, example_file, tmp_path_factory):
    """look -> (Document, the text of each page LibreOffice lays out, its PDF), converted once each."""
    done: dict[str, tuple] = {}

    def get(look: str):
        if look not in done:
            out = tmp_path_factory.mktemp(f"lo-{look}")
            if look == "tall rows":
                doc = _tall_rows(example)
                path = out / "tall.docx"
                path.write_bytes(render(doc))
            elif LOOKS[look] is None:
                doc, path = example, example_file
            else:
                doc = load_document(EXAMPLE, LOOKS[look])
                path = out / f"{look}.docx"
                path.write_bytes(render(doc))
            done[look] = (doc, _lo_convert(path, out, tmp_path_factory.mktemp("lo-profile")), _lo_pdf(path, out))
        return done[look]

    return get


@pytest.fixture(scope="module")
def lo_pages(lo_looks) -> list[str]:
    """The example converted by LibreOffice, as the text of each PDF page."""
    return lo_looks("grid")[1]


def _style_names(document) -> dict[str, str]:
    """style id -> style name."""
    return {s.style_id: s.name for s in document.styles}


def _pstyle(p_el, names) -> str | None:
    ps = p_el.find(qn("w:pPr") + "/" + qn("w:pStyle"))
    return names.get(ps.get(W_VAL)) if ps is not None else None


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def _rows(tbl):
    """Each row as a list of (cell element, [paragraph elements])."""
    return [[(tc, tc.findall(qn("w:p"))) for tc in tr.findall(qn("w:tc"))] for tr in tbl.findall(qn("w:tr"))]


def _tables(document):
    return document.element.body.findall(qn("w:tbl"))


def _vmerge(tc) -> str | None:
    vm = tc.find(qn("w:tcPr") + "/" + qn("w:vMerge"))
    if vm is None:
        return None
    return vm.get(W_VAL) or "continue"


def _is_header(tr) -> bool:
    return tr.find(qn("w:trPr") + "/" + qn("w:tblHeader")) is not None


def _theme_tables(document):
    """The theme table's Word tables: one (the participant table comes first)."""
    return _tables(document)[1:]


def _with_style(preset: str | None = None, **fields):
    """The example loaded afresh (with its own style record), some settings changed:
    ``page__size="a4"`` sets style.page.size."""
    doc = load_document(EXAMPLE, preset)
    for path, value in fields.items():
        obj = doc.style
        parts = path.split("__")
        for p in parts[:-1]:
            obj = getattr(obj, p)
        setattr(obj, parts[-1], value)

    from supplement.resolve.typography import typography
    return replace(doc, typography=typography(doc.style))  # decided from the changed style


# ---------------------------------------------------------------- styles


def test_every_role_has_a_named_style_and_the_body_uses_only_them(example, reopened):
    by_name = {s.name: s for s in reopened.styles}
    from docx.enum.style import WD_STYLE_TYPE

    for name in PARA_STYLES.values():
        if name in TEXT_STYLES:  # added only to a document with a text section (tests/test_whole.py)
            assert name not in by_name
            continue
        assert by_name[name].type == WD_STYLE_TYPE.PARAGRAPH, name
    for name in CHAR_STYLES.values():
        assert by_name[name].type == WD_STYLE_TYPE.CHARACTER, name
    assert by_name[TABLE_STYLE].type == WD_STYLE_TYPE.TABLE

    names = _style_names(reopened)
    used: dict[str, int] = {}
    for p in reopened.element.body.iter(qn("w:p")):
        style = _pstyle(p, names)
        assert style and style.startswith("Supplement "), f"paragraph without a Supplement style: {_text(p)[:60]!r}"
        if _text(p):  # (merged and empty cells hold an empty paragraph)
            used[style] = used.get(style, 0) + 1
    tt = example.items[1]
    assert used["Supplement Quote"] == example.quote_count == 122
    assert used["Supplement Finding"] == sum(len(b.findings) for b in tt.blocks) == 17
    # each heading once, beside its block's first finding (or alone in its row)
    assert used["Supplement Theme"] == sum(1 for b in tt.blocks if b.level == 0) == 10
    assert used["Supplement Subtheme"] == sum(1 for b in tt.blocks if b.level == 1) == 6
    assert used["Supplement Table Header"] == 5 + 3  # the column heads of the two tables, once each
    assert used["Supplement Table Text"] == 14 * 5

    run_styles: dict[str, int] = {}
    for r in reopened.element.body.iter(qn("w:r")):
        rs = r.find(qn("w:rPr") + "/" + qn("w:rStyle"))
        if rs is not None:
            run_styles[names[rs.get(W_VAL)]] = run_styles.get(names[rs.get(W_VAL)], 0) + 1
    assert run_styles["Supplement Citation"] == 122
    assert run_styles["Supplement Quote Text"] == 122
    assert run_styles["Supplement Label"] == 2
    assert run_styles["Supplement Mark"] == 3 + 1  # participants 3, 4 and 14, and the note
    for tbl in _tables(reopened):
        assert names[tbl.find(qn("w:tblPr") + "/" + qn("w:tblStyle")).get(W_VAL)] == TABLE_STYLE


def test_no_warnings_without_a_word_template(example):
    warnings: list[str] = []
    render(example, warn=warnings.append)
    assert warnings == []


def test_fonts_sizes_and_look_come_from_the_style(example, reopened):
    st = example.style
    quote = reopened.styles["Supplement Quote"]
    assert quote.font.name == st.font.family == "Times New Roman"
    assert quote.font.size.pt == example.typography.role("quote").size == 10
    assert reopened.styles["Supplement Caption"].font.size.pt == st.font.size
    assert reopened.styles["Supplement Theme"].font.bold is True
    assert reopened.styles["Supplement Table Header"].font.bold is bool(st.table.header_bold)
    sub = reopened.styles["Supplement Subtheme"]
    assert sub.paragraph_format.left_indent and sub.paragraph_format.left_indent > 0, "subthemes are indented"
    assert not (reopened.styles["Supplement Theme"].paragraph_format.left_indent or 0)
    # the document default language
    lang = reopened.styles.element.find(qn("w:docDefaults") + "//" + qn("w:lang"))
    assert lang.get(W_VAL) == example.meta.language == "en-US"


def test_caption_label_is_bold_and_each_item_starts_a_page(example, reopened):
    names = _style_names(reopened)
    captions = [p for p in reopened.element.body.findall(qn("w:p")) if _pstyle(p, names) == "Supplement Caption"]
    assert [_text(p).split(" ")[0] for p in captions] == ["Appendix", "Appendix"]
    for n, p in enumerate(captions, 1):
        first = p.find(qn("w:r"))
        assert _text(first) == f"Appendix {n}."
        assert names[first.find(qn("w:rPr") + "/" + qn("w:rStyle")).get(W_VAL)] == "Supplement Label"
        assert _text(p) == example.items[n - 1].caption[0].text
    assert reopened.styles["Supplement Label"].font.bold is True
    # the first item opens the document; the second, the theme table, starts a new page as a
    # section of its own (for its running head): the paragraph before it ends the first section
    assert captions[0].find(qn("w:pPr") + "/" + qn("w:pageBreakBefore")) is None
    assert captions[1].find(qn("w:pPr") + "/" + qn("w:pageBreakBefore")) is None
    before = captions[1].getprevious()
    assert before.find(qn("w:pPr") + "/" + qn("w:sectPr") + "/" + qn("w:type")).get(W_VAL) == "nextPage"
    # python-docx's view agrees: the label run is bold through its character style
    para = reopened.paragraphs[0]
    assert para.runs[0].style.name == "Supplement Label" and para.runs[0].style.font.bold


def test_one_header_row_per_table_and_rows_that_may_break(example, reopened):
    """One table per item; its column heads are its one header row (repeated by Word and
    LibreOffice on each page it runs onto, and nowhere else). The participant table's rows
    stay whole; the theme table's rows may break across pages, but for a heading alone in its
    row (kept whole and with the next row: a label never ends a page alone)."""
    tables = _tables(reopened)
    assert len(tables) == len(example.items) == 2
    for tbl in tables:
        rows = tbl.findall(qn("w:tr"))
        head = rows[0].find(qn("w:trPr") + "/" + qn("w:tblHeader"))
        assert head is not None and head.get(W_VAL) is None, "tblHeader without w:val (Word's validator)"
        assert not any(_is_header(r) for r in rows[1:])
    assert all(r.find(qn("w:trPr") + "/" + qn("w:cantSplit")) is not None for r in tables[0].findall(qn("w:tr")))
    rows = theme_rows(example.items[1])
    body = tables[1].findall(qn("w:tr"))[1:]
    assert len(body) == len(rows) == 19
    names = _style_names(reopened)
    for tr, row in zip(body, rows):
        held = tr.find(qn("w:trPr") + "/" + qn("w:cantSplit")) is not None
        assert held == row.keep_next == (row.finding is None)
        keeps = [p.find(qn("w:pPr") + "/" + qn("w:keepNext")) for p in tr.iter(qn("w:p"))]
        if held:  # every paragraph of the row keeps with the next row
            assert all(k is not None and k.get(W_VAL) is None for k in keeps)
        else:  # a label beside its finding does not drag the row onto the next page
            for p, k in zip(tr.iter(qn("w:p")), keeps):
                if _pstyle(p, names) == "Supplement Theme":
                    assert k is not None and k.get(W_VAL) == "0"
    assert sum(1 for tr in body if tr.find(qn("w:trPr") + "/" + qn("w:cantSplit")) is not None) == 2


def test_consecutive_tables_are_kept_apart(reopened):
    """Word joins two tables with nothing between them into one (and its header rows would no
    longer head the second block): a 1-point empty paragraph parts them."""
    body = list(reopened.element.body)
    names = _style_names(reopened)
    for i, el in enumerate(body[:-1]):
        if el.tag == qn("w:tbl"):
            nxt = body[i + 1]
            assert nxt.tag == qn("w:p"), "a table directly followed by another"
            if body[i + 2].tag == qn("w:tbl"):
                assert _text(nxt) == "" and _pstyle(nxt, names) == "Supplement Table Text"
                line = nxt.find(qn("w:pPr") + "/" + qn("w:spacing"))
                assert (line.get(qn("w:line")), line.get(qn("w:lineRule"))) == ("20", "exact")
                assert nxt.find(qn("w:pPr") + "/" + qn("w:rPr") + "/" + qn("w:sz")).get(W_VAL) == "2"


def test_column_widths_in_grid_and_cells(example, reopened):
    sec = reopened.sections[0]
    text_width = round((sec.page_width - sec.left_margin - sec.right_margin) / 635)
    assert text_width == 11 * 1440 - 2 * 1440  # letter landscape, 1 in margins (twips)
    tables = _tables(reopened)
    for tbl, item in zip(tables, [example.items[0]] + [example.items[1]] * (len(tables) - 1)):
        assert tbl.find(qn("w:tblPr") + "/" + qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        grid = [int(g.get(qn("w:w"))) for g in tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))]
        assert sum(grid) == text_width
        assert len(grid) == len(item.widths)
        for g, f in zip(grid, item.widths):
            assert abs(g - f * text_width) <= len(grid), (g, f)
        for tr in tbl.findall(qn("w:tr")):
            cells, at = [], 0
            for tc in tr.findall(qn("w:tc")):
                span = tc.find(qn("w:tcPr") + "/" + qn("w:gridSpan"))
                n = int(span.get(W_VAL)) if span is not None else 1
                cells.append((int(tc.find(qn("w:tcPr") + "/" + qn("w:tcW")).get(qn("w:w"))), sum(grid[at:at + n])))
                at += n
            assert at == len(grid) and all(w == expected for w, expected in cells), cells


def test_page_setup_follows_the_style(example, reopened):
    sec = reopened.sections[0]
    assert (sec.page_width.inches, sec.page_height.inches) == (11, 8.5)
    assert sec.orientation == WD_ORIENT.LANDSCAPE
    assert sec.left_margin.pt == sec.top_margin.pt == example.style.page.margin == 72
    a4 = _with_style(page__size="a4", page__orientation="portrait", page__margin=25 / 25.4 * 72)
    sec = docx.Document(io.BytesIO(render(a4))).sections[0]
    assert abs(sec.page_width.mm - 210) < 0.1 and abs(sec.page_height.mm - 297) < 0.1
    assert abs(sec.left_margin.mm - 25) < 0.1 and sec.orientation == WD_ORIENT.PORTRAIT


# ---------------------------------------------------------------- the theme table


def test_theme_table_is_one_table_labelled_beside_each_first_finding(example, reopened):
    """The theme table is one Word table under its one caption: the header row, then a row per
    row of the shared layout (resolve.layout): the block's heading in column 1 beside its first
    finding and first quote, the finding in column 2, its quotes in column 3 (one paragraph
    each). With grid rules column 1 is one cell merged down each block (the PDF's partial rule
    between a block's findings)."""
    names = _style_names(reopened)
    tt = example.items[1]
    rows = theme_rows(tt)
    (tbl,) = _theme_tables(reopened)
    tbl_pr = tbl.find(qn("w:tblPr"))
    assert tbl_pr.find(qn("w:tblCaption")).get(W_VAL) == tt.label
    got = _rows(tbl)
    assert [_text(tc) for tc, _ in got[0]] == [h.text for h in tt.headers]
    assert all(_pstyle(p, names) == "Supplement Table Header" for _, ps in got[0] for p in ps)
    assert len(got) == 1 + len(rows)
    for cells, row in zip(got[1:], rows):
        (c1, p1), (c2, p2), (c3, p3) = cells
        if row.first:  # the label beside the first finding: the heading, with its outline bookmark
            assert [_text(p) for p in p1] == [row.block.heading.text]
            assert _pstyle(p1[0], names) == ("Supplement Theme" if row.block.level == 0 else "Supplement Subtheme")
            marks = [b.get(qn("w:name")) for b in c1.iter(qn("w:bookmarkStart"))]
            assert marks == [row.mark[0].replace("-", "_")]
            assert _vmerge(c1) == ("restart" if row.span > 1 else None)
        else:
            assert _text(c1) == "" and _vmerge(c1) == "continue"
        if row.finding is None:  # a heading alone: nothing beside it
            assert _text(c2) == _text(c3) == ""
            continue
        assert [_text(p) for p in p2] == [row.finding.text.text]
        assert _pstyle(p2[0], names) == "Supplement Finding"
        assert [_text(p) for p in p3] == [q.text for q in row.quotes]
        assert all(_pstyle(p, names) == "Supplement Quote" for p in p3)
    # the example: the first finding of theme I beside its heading; theme III alone in its row,
    # kept with subtheme A's; subtheme B's second finding below B's merged label cell
    assert _text(got[1][0][0]) == "I. Elements of Disease" and _text(got[1][2][0]).startswith("\u201cSecond to that")
    assert [_text(c) for c, _ in got[4]] == ["III. Care Team Dynamics", "", ""]
    assert _text(got[5][0][0]) == "A. Multidisciplinary Care"
    assert [_vmerge(got[n][0][0]) for n in (6, 7)] == ["restart", "continue"]
    # every heading, finding and quote once
    texts = [_text(p) for p in tbl.iter(qn("w:p"))]
    for b in tt.blocks:
        assert texts.count(b.heading.text) == 1
        for f in b.findings:
            assert texts.count(f.text.text) == sum(1 for b2 in tt.blocks for f2 in b2.findings if f2.text == f.text)


def test_theme_heading_and_subtheme_heading_look_as_in_the_pdf(example, reopened):
    """Theme bold, subtheme italic and indented, both at the table size (the PDF writer's
    look); the styles keep with the next paragraph as the typography says (a heading-only row
    keeps with the next row; a label beside its finding is released in its row)."""
    theme, sub = reopened.styles["Supplement Theme"], reopened.styles["Supplement Subtheme"]
    size = example.typography.role("quote").size
    assert theme.font.size.pt == sub.font.size.pt == reopened.styles["Supplement Quote"].font.size.pt == size
    assert theme.font.bold is True and not theme.font.italic
    assert sub.font.italic is True and not sub.font.bold
    assert sub.paragraph_format.left_indent.pt == pytest.approx(size * 0.8)
    assert bool(theme.paragraph_format.keep_with_next) == example.typography.role("theme").keep_with_next


def test_themes_and_subthemes_without_findings(example):
    """A theme with neither findings nor subthemes, a subtheme without findings, and a theme
    whose findings are all in its subthemes each get a row of their own: the heading alone."""
    tt = example.items[1]
    b0, sub = tt.blocks[0], tt.blocks[1]
    sub_heading, theme_heading = Paragraph("subtheme", (Run("B. Nothing Yet"),)), Paragraph("theme", (Run("II. Empty"),))
    bare_sub = replace(sub, heading=sub_heading, headings=(b0.heading, sub_heading), findings=())
    bare_theme = replace(b0, heading=theme_heading, headings=(theme_heading,), findings=())
    blocks = (replace(b0, findings=()), sub, bare_sub, bare_theme)
    document = docx.Document(io.BytesIO(render(replace(
        example, items=(example.items[0], replace(tt, blocks=blocks))))))
    (tbl,) = _theme_tables(document)
    got = [[_text(tc) for tc, _ in row] for row in _rows(tbl)[1:]]
    assert [r[0] for r in got] == ["I. Elements of Disease", "A. Failure of Initial Treatment", "B. Nothing Yet",
                                   "II. Empty"]
    assert got[0][1:] == got[2][1:] == got[3][1:] == ["", ""]
    assert got[1][1] == sub.findings[0].text.text


def test_quote_runs_keep_roles_and_curly_quotes(example, reopened):
    names = _style_names(reopened)
    q = example.items[1].blocks[0].findings[0].quotes[0]
    for p in reopened.element.body.iter(qn("w:p")):
        if _text(p) == q.text:
            break
    else:
        pytest.fail("first quote not found")
    runs = []
    for r in p.findall(qn("w:r")):
        rstyle = r.find(qn("w:rPr") + "/" + qn("w:rStyle"))
        runs.append((names[rstyle.get(W_VAL)] if rstyle is not None else None, _text(r)))
    assert runs[0][0] == "Supplement Quote Text" and runs[0][1].startswith("\u201c") and runs[0][1].endswith("\u201d")
    assert runs[-1] == ("Supplement Citation", "[6]")


# ---------------------------------------------------------------- LibreOffice, pandoc, validator


def _lo_layout(doc, pages: list[str]):
    """Where LibreOffice put the theme table: (index of its first page, of its last page, and
    for each page in between the label of the block its first finding or quote belongs to).
    Every label, finding and quote is looked for in order, in the text of all pages joined: a
    row may break across pages, a quote too; a block's label is looked for just before its
    first finding (on the same page)."""
    tt = doc.items[-1]
    squashed = [_squash(p) for p in pages]
    starts, at = [], 0
    for p in squashed:
        starts.append(at)
        at += len(p)
    text = "".join(squashed)

    def page_of(offset: int) -> int:
        return max(n for n, s in enumerate(starts) if s <= offset)

    first = next(i for i, p in enumerate(squashed) if _squash(tt.caption[0].text) in p)
    at, placed = starts[first], []  # (offset, block heading) of each finding and quote
    for row in theme_rows(tt):
        label = row.block.heading.text
        if row.first:  # (by its start: LibreOffice may break a two-line label across pages)
            start = _squash(label)[:12]
            i = text.find(start, at)
            assert i >= 0, f"label not found (in order) in LibreOffice's PDF: {label!r}"
            at = i + len(start)
            label_page = page_of(i)
        if row.finding is None:
            continue
        # a finding and a quote are looked for by their start: a row may break across pages, a
        # paragraph too (LibreOffice 7.4 leaves widow and orphan control, and keep-lines, out in
        # table cells, so a quote's last line may head the next page: docs/outputs.md)
        finding = _squash(row.finding.text.text)
        pieces = [(finding[:30], True)] + [(_squash(q.text)[:30], True) for q in row.quotes]
        for n, (piece, starts_one) in enumerate(pieces):
            i = text.find(piece, at)
            assert i >= 0, f"not found (in order) in LibreOffice's PDF: {piece!r}"
            if starts_one:
                placed.append((i, label))
            if row.first and n == 0:  # the label beside the first finding
                assert page_of(i) == label_page, f"{label!r} on another page than its first finding"
            at = i + len(piece)
    last = page_of(placed[-1][0])
    top = {}
    for offset, label in placed:
        top.setdefault(page_of(offset), label)
    return first, last, top


@pytest.mark.parametrize("look", LOOKS)
def test_libreoffice_shows_every_heading_finding_and_quote_in_order(look, lo_looks):
    doc, pages, _ = lo_looks(look)
    first, last, _ = _lo_layout(doc, pages)  # (it asserts the order, and each label beside its finding)
    assert last - first >= 10, "the theme table spans many pages"


@pytest.mark.parametrize("look", LOOKS)
def test_libreoffice_shows_the_column_heads_once_at_the_top_of_every_page(look, lo_looks):
    """Each page of the theme table begins (after the running head, and the caption on its
    first page) with the column heads, and shows them nowhere else: the one header row that
    LibreOffice repeats. Which theme a page belongs to: Word's running head evaluates its
    STYLEREF field; LibreOffice 7.4 does not evaluate STYLEREF and shows the field's cached
    text, which is empty, so the running head is followed directly by the heads on every
    page, never by a stale theme (docs/outputs.md). A page where a block starts shows its
    label beside its first finding (``_lo_layout``)."""
    doc, pages, _ = lo_looks(look)
    tt = doc.items[-1]
    first, last, top = _lo_layout(doc, pages)
    heads = "".join(_squash(h.text) for h in tt.headers)
    assert set(top) == set(range(first, last + 1)), "a page of the theme table without a finding or quote"
    for n in range(first, last + 1):
        page = _squash(pages[n])
        lead = _squash(doc.meta.header) + (_squash("".join(p.text for p in tt.caption)) if n == first else "")
        assert page.startswith(lead + heads), f"page {n + 1} starts {page[:200]!r}, not the heads"
        assert page.count(heads) == 1, f"page {n + 1} shows the column heads twice"
    assert not any(heads in _squash(pages[n]) for n in range(first)), "the heads before the table"
    # the footer: Page N of M, with the real total (the default look's footer)
    if look == "grid":
        assert _squash(f"Page 1 of {len(pages)}") in _squash(pages[0])
        assert _squash(f"Page {len(pages)} of {len(pages)}") in _squash(pages[-1])
    assert all(_squash(doc.meta.header) in _squash(p) for p in pages)


def _empty_below(pdf: Path, doc) -> list[float]:
    """For each page of a PDF, the fraction of the text area left empty below its last line
    of text (the running header and footer, in the margins, not counted)."""
    out = subprocess.run([_need("pdftotext"), "-bbox", str(pdf), "-"], check=True, capture_output=True,
                         text=True).stdout
    margin = float(doc.style.page.margin)
    fractions = []
    for page in out.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page)]
        body = [y for y in bottoms if margin - 1 < y < height - margin + 1]
        frame = height - 2 * margin
        fractions.append((height - margin - max(body)) / frame if body else 1.0)
    return fractions


@pytest.mark.parametrize("look", [*LOOKS, "tall rows"])
def test_libreoffice_fills_every_page_of_the_theme_table(look, lo_looks):
    """Rows break across pages: no page of the theme table but its last ends more than a fifth
    empty (a row kept whole would leave its height empty at the foot of the page before: with
    rows of half a page or more ("tall rows"), whole rows left pages up to a third empty)."""
    doc, pages, pdf = lo_looks(look)
    first, last, _ = _lo_layout(doc, pages)
    empty = _empty_below(pdf, doc)
    assert len(empty) == len(pages)
    for n in range(first, last):
        assert empty[n] <= 0.2, f"page {n + 1} of LibreOffice's rendering is {empty[n]:.0%} empty at its foot"


def test_pandoc_reads_the_tables_back(example, example_file):
    pandoc = _need("pandoc")
    out = subprocess.run([pandoc, "-f", "docx", "-t", "json", str(example_file)], check=True,
                         capture_output=True, text=True, timeout=120).stdout
    tables = [b["c"] for b in json.loads(out)["blocks"] if b["t"] == "Table"]
    shape = []
    for _attr, _caption, colspecs, head, bodies, _foot in tables:
        shape.append((len(colspecs), len(head[1]), sum(len(body[3]) for body in bodies)))
    tt = example.items[1]
    # the participant table: 5 columns, its heads and 14 rows; then the theme table: three
    # columns, one header row, a row per row of the layout (a finding, or a heading alone)
    assert shape == [(5, 1, 14), (3, 1, len(theme_rows(tt)))]
    (head,) = tables[1][3][1]
    assert [_pandoc_text(c) for c in head[1]] == [_squash(h.text) for h in tt.headers]
    rows = [row for body in tables[1][4] for row in body[3]]
    for row, want in zip(rows, theme_rows(tt)):
        cells = [_pandoc_text(c) for c in row[1]]
        if not want.first:  # column 1 merged down the block (grid rules): a cell of the row above
            assert len(cells) == 2
            cells = [""] + cells
        assert cells[0] == (_squash(want.block.heading.text) if want.first else "")
        if want.finding is not None:
            assert cells[1] == _squash(want.finding.text.text)
            assert cells[2] == "".join(_squash(q.text) for q in want.quotes)


def _pandoc_text(node) -> str:
    """The text of a pandoc JSON node, whitespace removed."""
    if isinstance(node, dict):
        return node["c"] if node.get("t") == "Str" else _pandoc_text(node.get("c", []))
    if isinstance(node, list):
        return "".join(_pandoc_text(n) for n in node)
    return ""


@pytest.fixture(scope="module")
def validation(example_file, tmp_path_factory) -> dict[str, list]:
    """Validator findings for the example; for another look (JAMA: cover with links,
    horizontal rules, superscript letter notes; plus a shaded header) holding markup-like
    text; for the whole example in that look; for a whole supplement (sections before and
    after the theme table); and for the Lancet's contents with PAGEREF fields."""
    folder = tmp_path_factory.mktemp("validate")
    variant, horizontal = folder / "variant.docx", folder / "horizontal.docx"
    variant.write_bytes(render(_hostile(_with_style("jama", table__header_shading="D9D9D9"))))
    horizontal.write_bytes(render(_with_style("jama", table__header_shading="D9D9D9")))
    whole = folder / "whole.docx"  # a text section, a generic table and a checklist (issue 12)
    whole.write_bytes(render(load_document(EXAMPLE.parent.parent / "docs" / "examples" / "whole-supplement.yaml",
                                           "jama")))
    lancet = folder / "lancet.docx"  # contents with PAGEREF fields, settings asking to update them
    lancet.write_bytes(render(load_document(EXAMPLE, "lancet")))
    broken = folder / "broken.docx"  # the example with paragraph properties inside a run: must be refused
    with zipfile.ZipFile(example_file) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body><w:p><w:r><w:pPr/><w:t>x</w:t></w:r></w:p>", 1)
            dst.writestr(info, data)
    results = ooxml_validator.validate([example_file, variant, horizontal, whole, lancet, broken])
    return {"example": results[example_file], "variant": results[variant], "horizontal": results[horizontal],
            "whole": results[whole], "lancet": results[lancet], "broken": results[broken]}


@pytest.mark.parametrize("name", ["example", "variant", "horizontal", "whole", "lancet"])
def test_open_xml_sdk_validator_accepts_the_file(name, validation):
    assert validation[name] == []


def test_open_xml_sdk_validator_refuses_a_broken_file(validation):
    """The validator as the suite runs it (one loaded process per core) does find errors: the
    tests above could not pass with a validator that answers [] whatever it is sent."""
    assert validation["broken"], "a w:pPr inside a w:r passed the validator"
    assert any("pPr" in json.dumps(finding) for finding in validation["broken"])


# ---------------------------------------------------------------- rules, cover, properties


def _table_style(document):
    return next(s for s in document.styles.element.findall(qn("w:style"))
                if s.find(qn("w:name")).get(W_VAL) == TABLE_STYLE)


def test_grid_rules_draw_every_border(reopened):
    borders = _table_style(reopened).find(qn("w:tblPr") + "/" + qn("w:tblBorders"))
    assert {b.tag.split("}")[1]: b.get(W_VAL) for b in borders} == {
        "top": "single", "left": "single", "bottom": "single", "right": "single",
        "insideH": "single", "insideV": "single"}
    assert _table_style(reopened).find(qn("w:tblStylePr")) is None  # no shading by default


def test_horizontal_rules_and_header_shading(example):
    doc = _with_style(table__rules="horizontal", table__header_shading="D9D9D9")
    document = docx.Document(io.BytesIO(render(doc)))
    style = _table_style(document)
    borders = {b.tag.split("}")[1]: b.get(W_VAL) for b in style.find(qn("w:tblPr") + "/" + qn("w:tblBorders"))}
    assert borders == {"top": "single", "left": "nil", "bottom": "single", "right": "nil",
                       "insideH": "nil", "insideV": "nil"}
    first = style.find(qn("w:tblStylePr"))
    assert first.get(qn("w:type")) == "firstRow"
    assert first.find(".//" + qn("w:bottom")).get(W_VAL) == "single"
    assert first.find(".//" + qn("w:shd")).get(qn("w:fill")) == "D9D9D9"

    # one table; without rules between rows, each block's first row is set off by the group gap
    # (cell padding above it), as the PDF leaves space above each theme; no merges are needed
    (tbl,) = _theme_tables(document)
    typo = doc.typography
    assert typo.group_gap > 0
    rows = theme_rows(doc.items[1])
    assert len(tbl.findall(qn("w:tr"))) == 1 + len(rows)
    for n, (tr, row) in enumerate(zip(tbl.findall(qn("w:tr"))[1:], rows)):
        cells = tr.findall(qn("w:tc"))
        assert all(_vmerge(tc) is None for tc in cells)
        tops = {tc.find(qn("w:tcPr") + "/" + qn("w:tcMar") + "/" + qn("w:top")) for tc in cells}
        if row.first and n:
            assert {int(t.get(qn("w:w"))) for t in tops} == {round((typo.pad_top + typo.group_gap) * 20)}
        else:
            assert tops == {None}


def test_cover_contents_link_to_the_items(tmp_path):
    doc = load_document(EXAMPLE, "jama")
    assert doc.cover is not None
    document = docx.Document(io.BytesIO(render(doc)))
    names = _style_names(document)
    paras = document.element.body.findall(qn("w:p"))
    assert _pstyle(paras[0], names) == "Supplement Cover Heading" and _text(paras[0]) == doc.cover.heading.text
    marks = {b.get(qn("w:name")) for b in document.element.body.iter(qn("w:bookmarkStart"))}
    links = [h.get(qn("w:anchor")) for h in document.element.body.iter(qn("w:hyperlink"))]
    assert links == [i.anchor.replace("-", "_") for i in doc.items] and set(links) <= marks
    # (the other bookmarks mark the theme table's blocks, as the PDF's outline does)
    assert marks - set(links) == {r.mark[0].replace("-", "_") for r in theme_rows(doc.items[1]) if r.mark}
    captions = [p for p in paras if _pstyle(p, names) == "Supplement Caption"]
    # each item starts a page: a page break before it, or (the theme table) a section of its own
    for p in captions:
        before = p.getprevious().find(qn("w:pPr") + "/" + qn("w:sectPr") + "/" + qn("w:type"))
        assert (p.find(qn("w:pPr") + "/" + qn("w:pageBreakBefore")) is not None) != (
            before is not None and before.get(W_VAL) == "nextPage")
    assert _text(captions[0]).startswith("eTable 1.")


def test_document_properties(example, reopened):
    cp = reopened.core_properties
    meta = example.meta
    assert cp.title == meta.title and cp.subject == meta.subject
    assert cp.keywords == "spinal metastases; qualitative research; clinical decision-making; multidisciplinary care"
    assert cp.language == "en-US" and cp.last_modified_by == "supplement" and cp.revision == 1
    assert cp.created == cp.modified == meta.date.astimezone(timezone.utc)
    doc = replace(example, meta=replace(
        meta, authors=("Ann Author", "Bo Writer"), date=datetime(2024, 3, 5, 14, 30, tzinfo=timezone.utc)))
    cp = docx.Document(io.BytesIO(render(doc))).core_properties
    assert cp.author == "Ann Author; Bo Writer"
    assert cp.created == datetime(2024, 3, 5, 14, 30, tzinfo=timezone.utc)


def test_header_and_footer(example, reopened):
    sec = reopened.sections[0]
    assert [p.text for p in sec.header.paragraphs] == [example.meta.header]
    fields = [f.get(qn("w:instr")).strip() for f in sec.footer._element.iter(qn("w:fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]
    assert "Page " in _text(sec.footer._element) and " of " in _text(sec.footer._element)


# ---------------------------------------------------------------- templates


def test_word_template_styles_and_page_setup_are_used(example, tmp_path):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Mm, Pt

    t = docx.Document()
    quote = t.styles.add_style("supplement quote", WD_STYLE_TYPE.PARAGRAPH)  # found ignoring case
    quote.font.name, quote.font.size = "Courier New", Pt(9)
    sec = t.sections[0]
    sec.page_width, sec.page_height, sec.left_margin, sec.right_margin = Mm(210), Mm(297), Mm(15), Mm(15)
    t.add_paragraph("TEMPLATE BODY")
    template = tmp_path / "journal.docx"
    t.save(template)
    warnings: list[str] = []
    out = render(_with_style(word_template=str(template)), warn=warnings.append)
    assert "template lacks style 'Supplement Caption'; added" in warnings
    assert not any("Supplement Quote'" in w for w in warnings)
    document = docx.Document(io.BytesIO(out))
    assert "TEMPLATE BODY" not in [p.text for p in document.paragraphs]
    names = _style_names(document)
    quotes = [p for p in document.element.body.iter(qn("w:p")) if _pstyle(p, names) == "supplement quote"]
    assert len([p for p in quotes if _text(p)]) == 122
    assert document.styles["supplement quote"].font.name == "Courier New"
    sec = document.sections[0]
    assert abs(sec.page_width.mm - 210) < 0.1
    grid = [int(g.get(qn("w:w"))) for g in _tables(document)[1].find(qn("w:tblGrid"))]
    assert sum(grid) == round((sec.page_width - sec.left_margin - sec.right_margin) / 635) == 10206


# ---------------------------------------------------------------- safety, determinism, speed


HOSTILE = '<w:p>&amp; </w:t><script>"x"</script> ]]> \u2028 tab\there\nline'


def _hostile(example):
    """The document's first theme with markup-like text in every field a user writes."""
    tt = example.items[-1]
    b = tt.blocks[0]
    f = Finding(Paragraph("finding", (Run(HOSTILE),)),
                (Paragraph("quote", (Run(HOSTILE, role="quote-text"), Run(" "), Run("[<1>]", role="citation"))),))
    heading = Paragraph("theme", (Run("I. " + HOSTILE),))
    blocks = (replace(b, heading=heading, headings=(heading,), findings=(f,)),)
    return replace(example, meta=replace(example.meta, header=HOSTILE, title=HOSTILE),
                               items=(replace(tt, blocks=blocks),))


def test_user_text_never_becomes_markup(example):
    document = docx.Document(io.BytesIO(render(_hostile(example))))
    cells = [[_text(tc) for tc, _ in row] for row in _rows(_tables(document)[0])]
    plain = HOSTILE.replace("\t", "").replace("\n", "")  # tab and break are elements, not text
    assert cells[1:] == [["I. " + plain, plain, plain + " [<1>]"]]  # the label beside its finding
    assert document.element.body.find(".//" + qn("w:tab")) is not None
    assert document.element.body.find(".//" + qn("w:br")) is not None
    assert document.core_properties.title == HOSTILE
    # (the tab before the running theme: a document of a theme table alone is one section)
    assert [p.text for p in document.sections[0].header.paragraphs] == [HOSTILE + "\t"]


def test_characters_xml_cannot_hold_become_replacement_marks(example):
    """The resolver refuses them; if one slipped through, the file is still sound."""
    bad = "a\x00b\x1fc\ud800d\uffffe"
    tt = example.items[1]
    b, f = tt.blocks[0], tt.blocks[0].findings[0]
    quote = Paragraph("quote", (Run(bad, role="quote-text"),))
    doc = replace(
        example, meta=replace(example.meta, title=bad, header=bad, footer=(("text", bad),)),
        items=(replace(tt, label=bad, blocks=(replace(b, findings=(
            replace(f, quotes=(quote,)),)),)),))
    document = docx.Document(io.BytesIO(render(doc)))
    shown = "a\ufffdb\ufffdc\ufffdd\ufffde"
    assert document.core_properties.title == shown
    assert [p.text for p in document.sections[0].header.paragraphs] == [shown + "\t"]
    assert _text(_rows(_tables(document)[0])[1][2][0]) == shown


def test_rebuild_is_byte_identical(example, example_bytes):
    again = load_document(EXAMPLE)
    assert render(again) == example_bytes
    with zipfile.ZipFile(io.BytesIO(example_bytes)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        names = z.namelist()
        assert names[0] == "[Content_Types].xml"
        assert "word/stylesWithEffects.xml" not in names
        document = z.read("word/document.xml").decode()
    # no random ids: bookmark ids count from 0 (the two items, and the theme table's 16 blocks),
    # no drawing ids at all
    assert re.findall(r'w:bookmarkStart w:id="(\d+)"', document) == [str(n) for n in range(2 + 16)]
    assert "docPr" not in document


def _synthetic(example, quotes: int):
    """The example's theme table grown to ``quotes`` quotes (25 per finding, 2 findings a block)."""
    tt = example.items[1]
    pool = [q for b in tt.blocks for f in b.findings for q in f.quotes]
    finding = tt.blocks[0].findings[0].text
    blocks, n, k = [], 0, 0
    while n < quotes:
        findings = []
        for _ in range(2):
            m = min(25, quotes - n)
            if m <= 0:
                break
            findings.append(Finding(finding, tuple(pool[(n + i) % len(pool)] for i in range(m))))
            n += m
        head = Paragraph("theme", (Run(f"{k + 1}. Theme {k + 1}"),))
        blocks.append(ThemeBlock(0, f"{k + 1}.", f"Theme {k + 1}", head,
                                 (Paragraph("theme", (Run(f"{k + 1}. Theme {k + 1} (continued)"),)),), tuple(findings),
                                 (head,)))
        k += 1
    return replace(example, items=(example.items[0], replace(tt, blocks=tuple(blocks))))


def test_ten_thousand_quotes_give_one_paragraph_each(example):
    """Scale in content (the time and its linear growth are the benchmark's and test_scaling's)."""
    big = _synthetic(example, 10_000)
    assert big.quote_count == 10_000
    data = render(big)
    document = docx.Document(io.BytesIO(data))
    (tbl,) = _theme_tables(document)
    rows = tbl.findall(qn("w:tr"))
    assert len(rows) == 1 + 10_000 // 25  # the header, then a row per finding (25 quotes each)
    assert sum(len(tr.findall(qn("w:tc"))[2].findall(qn("w:p"))) for tr in rows[1:]) == 10_000
    assert all(not _is_header(tr) for tr in rows[1:])


# ---------------------------------------------------------------- typography, running theme, contents, parity


@pytest.mark.parametrize("rules", ["none", "horizontal", "grid"])
def test_typography_keys_reach_the_word_table(tmp_path, rules):
    """A style's table rules and typography keys (rule widths, cell padding, quote gap, group
    gap) are what the Word table is drawn with."""
    look = tmp_path / "look.yaml"
    look.write_text(f"extends: default\ntable: {{rules: {rules}}}\ntypography:\n  rule: 1pt\n  outer_rule: 2pt\n"
                    "  cell_padding_top: 5pt\n  cell_padding_bottom: 6pt\n  cell_padding_x: 7pt\n"
                    "  quote_gap: 12pt\n  group_gap: 4pt\n", encoding="utf-8")
    doc = load_document(EXAMPLE, str(look))
    document = docx.Document(io.BytesIO(render(doc)))
    style = _table_style(document)
    borders = {b.tag.split("}")[1]: (b.get(W_VAL), b.get(qn("w:sz")))
               for b in style.find(qn("w:tblPr") + "/" + qn("w:tblBorders"))}
    nil, thin, thick = ("nil", None), ("single", "8"), ("single", "16")  # eighths of a point
    want = {"none": dict.fromkeys(("top", "left", "bottom", "right", "insideH", "insideV"), nil),
            "horizontal": {"top": thick, "left": nil, "bottom": thick, "right": nil, "insideH": nil, "insideV": nil},
            "grid": dict.fromkeys(("top", "left", "bottom", "right", "insideH", "insideV"), thin)}[rules]
    assert borders == want
    first = style.find(qn("w:tblStylePr"))
    if rules == "horizontal":  # the rule under the column heads
        assert first.find(".//" + qn("w:bottom")).get(qn("w:sz")) == "8"
    else:
        assert first is None
    mar = style.find(qn("w:tblPr") + "/" + qn("w:tblCellMar"))
    assert {m.tag.split("}")[1]: m.get(qn("w:w")) for m in mar} == {"top": "100", "bottom": "120", "left": "140",
                                                                     "right": "140"}
    (tbl,) = _theme_tables(document)
    gaps = []
    for n, (tr, row) in enumerate(zip(tbl.findall(qn("w:tr"))[1:], theme_rows(doc.items[1]))):
        quotes = tr.findall(qn("w:tc"))[2].findall(qn("w:p"))
        gaps.append([q.find(qn("w:pPr") + "/" + qn("w:spacing")) is not None and
                     q.find(qn("w:pPr") + "/" + qn("w:spacing")).get(qn("w:after")) for q in quotes])
        tops = {tc.find(qn("w:tcPr") + "/" + qn("w:tcMar") + "/" + qn("w:top")) is not None and
                tc.find(qn("w:tcPr") + "/" + qn("w:tcMar") + "/" + qn("w:top")).get(qn("w:w"))
                for tc in tr.findall(qn("w:tc"))}
        # the group gap above each block but the first: cell padding of 5 + 4 points
        assert tops == ({"180"} if row.first and n else {False})
    # the quote gap between two quotes in one cell: below each but the last (space above a quote
    # would show at the head of a page that continues the row)
    assert all(g == ["240"] * (len(g) - 1) + [False] for g in gaps if g)
    assert sum(len(g) for g in gaps) >= 122


def _header_of(document, sect) -> str:
    """The XML of the default header a sectPr refers to."""
    ref = next(r for r in sect.findall(qn("w:headerReference")) if r.get(qn("w:type")) == "default")
    part = document.part.related_parts[ref.get(qn("r:id"))]
    return etree.tostring(part.element, encoding="unicode")


def test_the_theme_table_is_a_section_whose_running_head_names_the_theme(tmp_path):
    """Word: the theme table is a section of its own whose running head ends, right-aligned,
    with a STYLEREF field to the theme headings' style (Word shows the first theme heading on
    the page, or the one a page continues); its cached text is empty, so a reader that does
    not evaluate it shows no stale theme. The sections before and after it (cover, text, other
    tables) keep the plain running head: there a STYLEREF would name a theme from elsewhere."""
    doc = load_document(EXAMPLE.parent.parent / "docs" / "examples" / "whole-supplement.yaml", "jama")
    kinds = [type(i).__name__ for i in doc.items]
    assert kinds == ["TextSection", "ParticipantTable", "ThemeTable", "DataTable", "DataTable"]
    document = docx.Document(io.BytesIO(render(doc)))
    body = document.element.body
    sects = [p.find(qn("w:pPr") + "/" + qn("w:sectPr")) for p in body.iter(qn("w:p"))]
    sects = [s for s in sects if s is not None] + [body.find(qn("w:sectPr"))]
    assert len(sects) == 3  # cover to the participant table; the theme table; the rest
    heads = [_header_of(document, s) for s in sects]
    field = ' STYLEREF "Supplement Theme" '
    assert [field in h for h in heads] == [False, True, False]
    assert heads[0] == heads[2]
    hdr = etree.fromstring(heads[1].encode())
    instr = [t.text for t in hdr.iter(qn("w:instrText"))]
    assert instr == [field]
    # the field's result (between separate and end) is empty: nothing stale to show
    runs = list(hdr.iter(qn("w:r")))
    chars = [r.find(qn("w:fldChar")) for r in runs]
    sep = next(i for i, c in enumerate(chars) if c is not None and c.get(qn("w:fldCharType")) == "separate")
    assert chars[sep + 1] is not None and chars[sep + 1].get(qn("w:fldCharType")) == "end"
    tab = hdr.find(".//" + qn("w:tabs") + "/" + qn("w:tab"))
    sec = document.sections[0]
    assert tab.get(W_VAL) == "right" and int(tab.get(qn("w:pos"))) == round(
        (sec.page_width - sec.left_margin - sec.right_margin) / 635)
    # every section has the same page setup and footer; each after the first starts a new page
    for s in sects:
        assert s.find(qn("w:pgSz")).attrib == sects[-1].find(qn("w:pgSz")).attrib
        assert [r.get(qn("r:id")) for r in s.findall(qn("w:footerReference"))] == \
            [r.get(qn("r:id")) for r in sects[-1].findall(qn("w:footerReference"))]
    assert [s.find(qn("w:type")).get(W_VAL) for s in sects[:-1]] == ["nextPage", "nextPage"]
    # the theme table's caption opens the second section
    names = _style_names(document)
    captions = [p for p in body.iter(qn("w:p")) if _pstyle(p, names) == "Supplement Caption"]
    theme_caption = next(p for p in captions if _text(p).startswith(doc.items[2].caption[0].text[:20]))
    assert theme_caption.getprevious().find(qn("w:pPr") + "/" + qn("w:sectPr")) is sects[0]


def test_lancet_contents_give_page_numbers_word_updates(tmp_path):
    """cover.page_numbers (the Lancet): each contents entry links to its item and ends, after a
    dot leader to the right margin, with a PAGEREF field to the item's bookmark; the settings
    ask Word to update fields on opening. LibreOffice evaluates PAGEREF: its rendering shows,
    for each item, the page the item's caption is on."""
    doc = load_document(EXAMPLE, "lancet")
    assert doc.style.cover.page_numbers and doc.cover is not None
    data = render(doc)
    document = docx.Document(io.BytesIO(data))
    names = _style_names(document)
    entries = [p for p in document.element.body.iter(qn("w:p")) if _pstyle(p, names) == "Supplement Contents Item"]
    assert len(entries) == len(doc.items) == 2
    sec = document.sections[0]
    width = round((sec.page_width - sec.left_margin - sec.right_margin) / 635)
    for p, item in zip(entries, doc.items):
        name = item.anchor.replace("-", "_")
        tab = p.find(qn("w:pPr") + "/" + qn("w:tabs") + "/" + qn("w:tab"))
        assert (tab.get(W_VAL), tab.get(qn("w:leader")), int(tab.get(qn("w:pos")))) == ("right", "dot", width)
        assert [t.text for t in p.iter(qn("w:instrText"))] == [f" PAGEREF {name} \\h "]
        assert p.find(qn("w:hyperlink")).get(qn("w:anchor")) == name
        assert name in {b.get(qn("w:name")) for b in document.element.body.iter(qn("w:bookmarkStart"))}
    settings = document.settings.element
    assert settings.find(qn("w:updateFields")).get(W_VAL) == "true"
    # no page numbers, no fields and no request to update them
    plain = docx.Document(io.BytesIO(render(load_document(EXAMPLE, "jama"))))
    assert plain.element.body.find(".//" + qn("w:instrText")) is None
    assert plain.settings.element.find(qn("w:updateFields")) is None

    path = tmp_path / "lancet.docx"
    path.write_bytes(data)
    pages = _lo_convert(path, tmp_path, tmp_path / "profile")
    contents = pages[0].splitlines()
    for item in doc.items:
        on = next(n for n, page in enumerate(pages) if _squash(item.caption[0].text) in _squash(page)
                  and n > 0)
        line = next(ln for ln in contents if ln.startswith(item.caption[0].runs[0].text))
        assert re.search(r"\.{3,}\s*(\d+)$", line).group(1) == str(on + 1), (line, on + 1)
    # the cached numbers (before Word updates them) are a guess from the text's length: here right
    cached = [re.search(r'<w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>(\d+)</w:t>', x).group(1)
              for x in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode().split("PAGEREF")[1:]]
    assert cached == ["2", "3"]


PRESETS = ("default", "jama", "bmj", "lancet", "nejm", "plos", "bmc", "elsevier", "lww", "wiley")


def test_word_and_pdf_page_counts_agree_in_every_preset(tmp_path):
    """Parity: for the example in every preset, LibreOffice's rendering of the .docx and the
    PDF differ by at most 10% in pages (docs/outputs.md has the table); and LibreOffice fills
    every page of the theme table but its last to at least four fifths."""
    from pypdf import PdfReader

    from supplement.writers.pdf import render as render_pdf
    docs, pdf_pages = [], {}
    for preset in PRESETS:
        doc = load_document(EXAMPLE, preset)
        path = tmp_path / f"{preset}.docx"
        path.write_bytes(render(doc))
        docs.append(path)
        pdf_pages[preset] = len(PdfReader(io.BytesIO(render_pdf(doc))).pages)
    subprocess.run([_need("soffice"), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "lo"), *map(str, docs)],
                   check=True, capture_output=True, timeout=600)
    word_pages = {p: len(PdfReader(tmp_path / "lo" / f"{p}.pdf").pages) for p in PRESETS}
    for p in PRESETS:
        assert abs(word_pages[p] - pdf_pages[p]) <= 0.1 * pdf_pages[p], (p, word_pages[p], pdf_pages[p])
    assert min(pdf_pages.values()) >= 15  # (the theme table runs over many pages in each)
    # and in every preset no page of the theme table (the last item) but its last ends more
    # than a fifth empty
    for p in PRESETS:
        doc = load_document(EXAMPLE, p)
        pdf = tmp_path / "lo" / f"{p}.pdf"
        text = subprocess.run([_need("pdftotext"), "-raw", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout.split("\f")
        first = next(n for n, page in enumerate(text) if _squash(doc.items[-1].caption[0].text) in _squash(page))
        empty = _empty_below(pdf, doc)
        assert first >= 1 and all(e <= 0.2 for e in empty[first:word_pages[p] - 1]), (p, empty)


def test_a_python_docx_whose_package_writer_changed_is_saved_the_public_way(monkeypatch):
    """The writer zips the parts python-docx's package writer produces; should a later
    python-docx move or change that writer, its public save gives the same bytes."""
    import sys

    import docx.opc.pkgwriter as pkgwriter

    from supplement.pipeline import compile_document
    from supplement.writers import docx as writer

    doc, _ = compile_document(EXAMPLE)
    fast = writer.render(doc)
    real = pkgwriter.PackageWriter._write_content_types_stream
    for error in (TypeError, AttributeError):  # a new signature; a method gone
        def changed(phys_writer, parts, error=error):  # the save itself still works
            if isinstance(phys_writer, writer._Members):
                raise error("changed")
            return real(phys_writer, parts)

        monkeypatch.setattr(pkgwriter.PackageWriter, "_write_content_types_stream", staticmethod(changed))
        assert writer.render(doc) == fast
    monkeypatch.undo()
    monkeypatch.setitem(sys.modules, "docx.opc.pkgwriter", None)  # moved: ImportError
    assert writer.render(doc) == fast
