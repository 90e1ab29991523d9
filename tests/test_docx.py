"""The Word writer, checked the way readers and tools see the file.

python-docx reopens it (named styles, captions, header rows, widths, properties);
LibreOffice lays it out (every theme, finding and quote in order; the header row
and the theme on every page of the theme table); pandoc reads the tables back;
Microsoft's Open XML SDK validator accepts it; rebuilding gives identical bytes.
One LibreOffice conversion is shared by the module.
"""

from __future__ import annotations

import dataclasses
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

from supplement.model import Finding, Paragraph, Run, ThemeBlock
from supplement.pipeline import load_document
from supplement.writers.docx import CHAR_STYLES, CONTINUED_STYLES, PARA_STYLES, TABLE_STYLE, render

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


@pytest.fixture(scope="module")
def lo_pages(example_file, tmp_path_factory) -> list[str]:
    """The example converted by LibreOffice, as the text of each PDF page."""
    soffice = _need("soffice")
    pdftotext = _need("pdftotext")
    out = tmp_path_factory.mktemp("lo")
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(example_file)], check=True, capture_output=True, timeout=300)
    pdf = out / "example.pdf"
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    # -raw: content order, and a hyphen at a line end stays (the default mode drops it)
    text = subprocess.run([pdftotext, "-raw", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _validator() -> list[str]:
    exe = shutil.which("ooxml-validate")
    if exe:
        return [exe]
    if shutil.which("npx"):
        probe = subprocess.run(["npx", "--no-install", "ooxml-validate", "--version"], capture_output=True, timeout=120)
        if probe.returncode == 0:
            return ["npx", "--no-install", "ooxml-validate"]
    pytest.skip("ooxml-validate (npm @ooxml-tools/validate) is not installed")


def _validate_all(paths: list[Path]) -> dict[Path, list]:
    """The validator's findings for each file (run side by side: each run takes seconds)."""
    cmd = _validator()
    procs = {p: subprocess.Popen(cmd + [str(p), "--output-format", "json"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for p in paths}
    out = {}
    for p, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=600)
        try:
            out[p] = json.loads(stdout)  # it exits 0 even when it finds errors
        except json.JSONDecodeError:
            pytest.fail(f"ooxml-validate printed no JSON for {p.name}: {stdout[-500:]} {stderr[-500:]}")
    return out


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
    return doc


# ---------------------------------------------------------------- styles


def test_every_role_has_a_named_style_and_the_body_uses_only_them(example, reopened):
    by_name = {s.name: s for s in reopened.styles}
    from docx.enum.style import WD_STYLE_TYPE

    for name in list(PARA_STYLES.values()) + list(CONTINUED_STYLES.values()):
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
    assert used["Supplement Theme"] == sum(1 for b in tt.blocks if b.level == 0) == 10
    assert used["Supplement Subtheme"] == sum(1 for b in tt.blocks if b.level == 1) == 6
    assert used["Supplement Table Header"] == 5 + 3
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
    assert quote.font.size.pt == st.font.table_size
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
    # the first item opens the document; the second starts a new page
    assert captions[0].find(qn("w:pPr") + "/" + qn("w:pageBreakBefore")) is None
    assert captions[1].find(qn("w:pPr") + "/" + qn("w:pageBreakBefore")) is not None
    # python-docx's view agrees: the label run is bold through its character style
    para = reopened.paragraphs[0]
    assert para.runs[0].style.name == "Supplement Label" and para.runs[0].style.font.bold


def test_header_rows_repeat_and_rows_do_not_split(reopened):
    for tbl in _tables(reopened):
        rows = tbl.findall(qn("w:tr"))
        head = rows[0].find(qn("w:trPr") + "/" + qn("w:tblHeader"))
        assert head is not None and head.get(W_VAL) is None, "tblHeader without w:val (Word's validator)"
        assert all(r.find(qn("w:trPr") + "/" + qn("w:tblHeader")) is None for r in rows[1:])
        assert all(r.find(qn("w:trPr") + "/" + qn("w:cantSplit")) is not None for r in rows)


def test_column_widths_in_grid_and_cells(example, reopened):
    sec = reopened.sections[0]
    text_width = round((sec.page_width - sec.left_margin - sec.right_margin) / 635)
    assert text_width == 11 * 1440 - 2 * 1440  # letter landscape, 1 in margins (twips)
    for tbl, item in zip(_tables(reopened), example.items):
        assert tbl.find(qn("w:tblPr") + "/" + qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        grid = [int(g.get(qn("w:w"))) for g in tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))]
        assert sum(grid) == text_width
        assert len(grid) == len(item.widths)
        for g, f in zip(grid, item.widths):
            assert abs(g - f * text_width) <= len(grid), (g, f)
        for tr in tbl.findall(qn("w:tr")):
            cells = [int(tc.find(qn("w:tcPr") + "/" + qn("w:tcW")).get(qn("w:w"))) for tc in tr.findall(qn("w:tc"))]
            assert cells == grid


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


def test_theme_table_rows_put_each_finding_beside_its_own_quotes(example, reopened):
    names = _style_names(reopened)
    tt = example.items[1]
    rows = _rows(_tables(reopened)[1])
    assert [_text(tc) for tc, _ in rows[0]] == [h.text for h in tt.headers]
    body = iter(rows[1:])
    for b in tt.blocks:
        if not b.findings:  # a theme with only subthemes still gets its heading row
            row = next(body)
            assert [_text(tc) for tc, _ in row] == [b.heading.text, "", ""]
            continue
        first_row = True
        for f in b.findings:
            for qi, q in enumerate(f.quotes):
                (c1, p1), (c2, p2), (c3, p3) = next(body)
                if first_row:
                    assert [_pstyle(p, names) for p in p1] == ["Supplement Subtheme" if b.level else "Supplement Theme"]
                    assert _text(c1) == b.heading.text
                else:  # a continuation row names its theme (and subtheme)
                    assert _text(c1) == "".join(p.text for p in b.continued)
                    assert {_pstyle(p, names) for p in p1} <= set(CONTINUED_STYLES.values())
                    if b.level:
                        assert [_text(p) for p in p1] == [p.text for p in b.continued]
                        assert len(p1) == 2 and "(continued)" in _text(p1[0])
                first_row = False
                if qi == 0:
                    assert _text(c2) == f.text.text
                    assert _vmerge(c2) == ("restart" if len(f.quotes) > 1 else None)
                else:
                    assert _text(c2) == "" and _vmerge(c2) == "continue"
                assert len(p3) == 1 and _pstyle(p3[0], names) == "Supplement Quote"
                assert _text(c3) == q.text
    assert next(body, None) is None


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


def test_libreoffice_shows_every_heading_finding_and_quote_in_order(example, lo_pages):
    text = _squash("".join(lo_pages))
    at = 0
    for b in example.items[1].blocks:
        expected = [b.heading.text] + [t for f in b.findings for t in [f.text.text] + [q.text for q in f.quotes]]
        for piece in expected:
            i = text.find(_squash(piece), at)
            assert i >= 0, f"not found (in order) in LibreOffice's PDF: {piece[:80]!r}"
            at = i + len(_squash(piece))


def test_libreoffice_repeats_the_header_and_names_the_theme_on_every_page(example, lo_pages):
    tt = example.items[1]
    pages = [_squash(p) for p in lo_pages]
    first = next(i for i, p in enumerate(pages) if _squash(tt.caption[0].text) in p)
    last_quote = _squash(tt.blocks[-1].findings[-1].quotes[-1].text)
    last = next(i for i, p in enumerate(pages) if last_quote[-60:] in p)
    assert last - first >= 10, "the theme table spans many pages"
    theme_names = []
    for b in tt.blocks:
        if b.level == 0:
            theme_names += [_squash(b.heading.text), _squash(b.continued[0].text)]
    for n in range(first, last + 1):
        page = pages[n]
        for h in tt.headers:
            assert _squash(h.text) in page, f"page {n + 1}: header {h.text!r} missing"
        assert any(t in page for t in theme_names), f"page {n + 1}: no theme named"
    # the footer: Page N of M, with the real total
    assert _squash(f"Page 1 of {len(lo_pages)}") in pages[0]
    assert _squash(f"Page {len(lo_pages)} of {len(lo_pages)}") in pages[-1]
    assert all(_squash(example.meta.header) in p for p in pages)


def test_pandoc_reads_both_tables_back(example, example_file):
    pandoc = _need("pandoc")
    out = subprocess.run([pandoc, "-f", "docx", "-t", "json", str(example_file)], check=True,
                         capture_output=True, text=True, timeout=120).stdout
    tables = [b["c"] for b in json.loads(out)["blocks"] if b["t"] == "Table"]
    assert len(tables) == 2
    shape = []
    for _attr, _caption, colspecs, head, bodies, _foot in tables:
        shape.append((len(colspecs), len(head[1]), sum(len(body[3]) for body in bodies)))
    tt = example.items[1]
    theme_rows = sum(max(1, sum(max(1, len(f.quotes)) for f in b.findings)) for b in tt.blocks)
    assert shape == [(5, 1, 14), (3, 1, theme_rows)]
    assert theme_rows == 122 + 2  # two themes have only subthemes


@pytest.fixture(scope="module")
def validation(example_file, tmp_path_factory) -> dict[str, list]:
    """Validator findings for the example, and for another look (JAMA: cover with links,
    horizontal rules, superscript letter notes; plus a shaded header) holding markup-like
    text. Two runs, side by side: each takes seconds whatever the file."""
    folder = tmp_path_factory.mktemp("validate")
    variant = folder / "variant.docx"
    variant.write_bytes(render(_hostile(_with_style("jama", table__header_shading="D9D9D9"))))
    results = _validate_all([example_file, variant])
    return {"example": results[example_file], "variant": results[variant]}


@pytest.mark.parametrize("name", ["example", "variant"])
def test_open_xml_sdk_validator_accepts_the_file(name, validation):
    assert validation[name] == []


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


def test_cover_contents_link_to_the_items(tmp_path):
    doc = load_document(EXAMPLE, "jama")
    assert doc.cover is not None
    document = docx.Document(io.BytesIO(render(doc)))
    names = _style_names(document)
    paras = document.element.body.findall(qn("w:p"))
    assert _pstyle(paras[0], names) == "Supplement Cover Heading" and _text(paras[0]) == doc.cover.heading.text
    marks = {b.get(qn("w:name")) for b in document.element.body.iter(qn("w:bookmarkStart"))}
    links = [h.get(qn("w:anchor")) for h in document.element.body.iter(qn("w:hyperlink"))]
    assert len(links) == len(doc.items) and set(links) == marks
    captions = [p for p in paras if _pstyle(p, names) == "Supplement Caption"]
    assert all(p.find(qn("w:pPr") + "/" + qn("w:pageBreakBefore")) is not None for p in captions)
    assert _text(captions[0]).startswith("eTable 1.")


def test_document_properties(example, reopened):
    cp = reopened.core_properties
    meta = example.meta
    assert cp.title == meta.title and cp.subject == meta.subject
    assert cp.keywords == "spinal metastases; qualitative research; clinical decision-making; multidisciplinary care"
    assert cp.language == "en-US" and cp.last_modified_by == "supplement" and cp.revision == 1
    assert cp.created == cp.modified == meta.date.astimezone(timezone.utc)
    doc = dataclasses.replace(example, meta=dataclasses.replace(
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
    blocks = (dataclasses.replace(b, heading=Paragraph("theme", (Run("I. " + HOSTILE),)), findings=(f,)),)
    return dataclasses.replace(example, meta=dataclasses.replace(example.meta, header=HOSTILE, title=HOSTILE),
                               items=(dataclasses.replace(tt, blocks=blocks),))


def test_user_text_never_becomes_markup(example):
    document = docx.Document(io.BytesIO(render(_hostile(example))))
    cells = [[_text(tc) for tc, _ in row] for row in _rows(_tables(document)[0])]
    plain = HOSTILE.replace("\t", "").replace("\n", "")  # tab and break are elements, not text
    assert cells[1] == ["I. " + plain, plain, plain + " [<1>]"]
    assert document.element.body.find(".//" + qn("w:tab")) is not None
    assert document.element.body.find(".//" + qn("w:br")) is not None
    assert document.core_properties.title == HOSTILE
    assert [p.text for p in document.sections[0].header.paragraphs] == [HOSTILE]


def test_characters_xml_cannot_hold_become_replacement_marks(example):
    """The resolver refuses them; if one slipped through, the file is still sound."""
    bad = "a\x00b\x1fc\ud800d\uffffe"
    tt = example.items[1]
    b, f = tt.blocks[0], tt.blocks[0].findings[0]
    quote = Paragraph("quote", (Run(bad, role="quote-text"),))
    doc = dataclasses.replace(
        example, meta=dataclasses.replace(example.meta, title=bad, header=bad, footer=(("text", bad),)),
        items=(dataclasses.replace(tt, label=bad, blocks=(dataclasses.replace(b, findings=(
            dataclasses.replace(f, quotes=(quote,)),)),)),))
    document = docx.Document(io.BytesIO(render(doc)))
    shown = "a\ufffdb\ufffdc\ufffdd\ufffde"
    assert document.core_properties.title == shown
    assert [p.text for p in document.sections[0].header.paragraphs] == [shown]
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
    # no random ids: bookmark ids count from 0, no drawing ids at all
    assert re.findall(r'w:bookmarkStart w:id="(\d+)"', document) == ["0", "1"]
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
                                 (Paragraph("theme", (Run(f"{k + 1}. Theme {k + 1} (continued)"),)),), tuple(findings)))
        k += 1
    return dataclasses.replace(example, items=(example.items[0], dataclasses.replace(tt, blocks=tuple(blocks))))


def test_ten_thousand_quotes_give_one_row_each(example):
    """Scale in content (the time and its linear growth are the benchmark's and test_scaling's)."""
    big = _synthetic(example, 10_000)
    assert big.quote_count == 10_000
    data = render(big)
    document = docx.Document(io.BytesIO(data))
    assert len(_tables(document)[1].findall(qn("w:tr"))) == 1 + 10_000
