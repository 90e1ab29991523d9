"""ISSUE 17: hostile styles and Word templates. Nothing from a style or a template leaks into
the outputs or the messages; each crafted file is refused fast, located, or built clean.

Part of the hostile suite (see tests/test_hardening.py for sources and its helpers).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from conftest import assert_orderly, dump, invoke, parts_left, run_cli, trimmed_data, write_source
from test_hardening import _fast_failure, _located, _presets, _with_style, style_settings

SECRET = "s3cr3t-7f1c9e-token"  # put in the environment of every test here: it must never be printed


@pytest.fixture(autouse=True)
def _secret_in_environment(monkeypatch):
    monkeypatch.setenv("SECRET_TOKEN", SECRET)


def _style(tmp_path, text: str) -> Path:
    (tmp_path / "style.yaml").write_text(text, encoding="utf-8")
    return _with_style(tmp_path, tmp_path / "style.yaml")


# --- items 3 and 4: placeholders are plain names ---------------------------------------------

PLACEHOLDERS = {
    "nested spec reads the environment": ("citations:\n  speaker: '{number:{id.__new__.__globals__[os].environ[SECRET_TOKEN]}}'\n", 3, 12),
    "whole environment": ("citations:\n  unlabeled: '{Kind:{id.__new__.__globals__[os].environ}}'\n", 3, 14),
    "attribute access": ("labels:\n  item: '{n.__class__}'\n", 3, 9),
    "indexing": ("citations:\n  speaker: '{id[0]}'\n", 3, 12),
    "conversion": ("labels:\n  item: 'Item {n!r}'\n", 3, 9),
    "unknown conversion": ("table:\n  number_format: '{n!z}'\n", 3, 18),
    "string spec": ("labels:\n  item: '{n:s}'\n", 3, 9),
    "huge padding": ("table:\n  number_format: '{n:x>1500000000}'\n", 3, 18),
    "control character": ("labels:\n  item: 'Item{n:c}'\n", 3, 9),
    "header": ("header: '{short_title.__doc__}'\n", 2, 9),
}


@pytest.mark.parametrize("text,line,col", list(PLACEHOLDERS.values()), ids=list(PLACEHOLDERS))
def test_style_placeholder_is_a_plain_name(text, line, col, tmp_path):
    output = _fast_failure("check", _style(tmp_path, "extends: default\n" + text))
    m = _located(output, "style.yaml", line, col)
    assert m["sev"] == "error" and "that is not a plain name" in output, output
    assert SECRET not in output and "environ(" not in output and "PATH" not in output


CAPTIONS = {
    "participants spec": ("participants", "{participants:s} clinicians"),
    "participants conversion": ("participants", "{participants!z} clinicians"),
    "participants float": ("participants", "{participants:,.2f%} clinicians"),
    "theme range spec": ("theme_table", "Themes {theme_range:d}."),
    "quotes char": ("theme_table", "{quotes:c} quotes."),
    "environment": ("theme_table", "{themes:{themes.__class__.__init__.__globals__[os].environ[SECRET_TOKEN]}}"),
    "padding": ("participants", "{participants:x>1500000000}"),
}


@pytest.mark.parametrize("where,caption", list(CAPTIONS.values()), ids=list(CAPTIONS))
def test_caption_placeholder_is_a_plain_name(where, caption, tmp_path):
    """These exited 70 ('this is a bug'), printed the environment, took 70 s and 3 GB, or put
    control characters in the outline: now an error at the caption."""
    data = trimmed_data(1)
    data[where]["caption"] = caption
    src = write_source(tmp_path, data)
    line = next(i for i, l in enumerate(src.read_text().splitlines(), 1) if l.lstrip().startswith("caption:")
                and caption[:6] in l)
    for command in ("check", "build"):
        output = _fast_failure(command, src, *(("--out", tmp_path / "out") if command == "build" else ()))
        m = _located(output, src, line)
        assert m["sev"] == "error" and "not a plain name" in output, output
        assert SECRET not in output
    assert not (tmp_path / "out").exists()


def test_placeholders_fill_only_names():
    from supplement.resolve import placeholders

    assert placeholders.fill("{a} {{b}} {c}", {"a": 1}) == "1 {b} "
    assert placeholders.fill("{a.__class__}", {"a": 1}) == "{a.__class__}"  # never evaluated
    assert placeholders.problem("x {n} {{y}}", ("n",)) == ""
    assert "unknown placeholder '{m}'" in placeholders.problem("{m}", ("n",))
    assert "unbalanced braces (a lone '}' at character 2)" in placeholders.problem("a}", ("n",))
    assert list(placeholders.pieces("Page {page} of {pages}!")) == [("Page ", "page"), (" of ", "pages"), ("!", None)]
    started = time.perf_counter()
    assert placeholders.names("{" + "a" * 1_000_000) .startswith("unbalanced")
    assert placeholders.names("{a" * 200_000).startswith("unbalanced")
    assert time.perf_counter() - started < 2


# --- item 8: citations parse in linear time ---------------------------------------------------

@pytest.mark.parametrize("cite", ["x" + " " * 100_000 + "y", "Non-Op 1," + " " * 100_000 + "2x",
                                  "1" + " " * 100_000 + "-"], ids=["spaces", "source", "range"])
def test_long_citation_is_refused_fast(cite, tmp_path):
    """'x<100,000 spaces>y' took 20 s in check (the shorthand pattern backtracked)."""
    data = trimmed_data(1)
    data["themes"][0]["findings"][0]["quotes"][0]["cite"] = cite
    output = _fast_failure("check", write_source(tmp_path, data))
    assert re.search(r"the citation is 100,0\d\d characters long; the limit is 200", output), output
    assert len(output) < 2000


def test_citation_patterns_are_linear(monkeypatch):
    from supplement.reader import cite

    monkeypatch.setattr(cite, "MAX_CITE", 10**9)  # the patterns themselves, without the length limit
    started = time.perf_counter()
    for text in ["x" + " " * 200_000 + "y", "A, 1" + " " * 200_000 + "x", "1 " * 100_000 + "x", ", " * 100_000]:
        cite.parse_shorthand(text)
        cite.parse_pages(text)
    assert time.perf_counter() - started < 2


# --- item 10: font files have a size limit ----------------------------------------------------

def test_huge_sparse_font_is_refused_before_reading(tmp_path):
    """A sparse 3 GB file with a TrueType header took 18 s and 3 GB before being refused."""
    with open(tmp_path / "big.ttf", "wb") as f:
        f.write(b"\x00\x01\x00\x00")
        f.truncate(3 * 2**30)
    src = _style(tmp_path, "extends: default\nfont:\n  pdf_files:\n    regular: big.ttf\n    bold: big.ttf\n"
                           "    italic: big.ttf\n    bold_italic: big.ttf\n")
    output = _fast_failure("check", src)
    _located(output, "style.yaml", 4, 14)
    assert "font file 'big.ttf' is 3,072 MiB; the limit is 64 MiB" in output


# --- item 12: a date that is not a date; a chain of 1,000 styles ------------------------------

def test_date_that_is_not_in_the_calendar(tmp_path):
    data = trimmed_data(1)
    data["study"]["date"] = "2024-02-30"
    src = write_source(tmp_path, data)
    line = next(i for i, l in enumerate(src.read_text().splitlines(), 1) if "2024-02-30" in l)
    output = _fast_failure("build", src, "--out", tmp_path / "out")
    _located(output, src, line)
    assert "'2024-02-30' is not a date in the calendar" in output


def test_extends_chain_of_a_thousand_files(tmp_path):
    for i in range(1000):
        (tmp_path / f"s{i}.yaml").write_text(f"extends: s{i + 1}.yaml\n" if i < 999 else "extends: default\n")
    output = _fast_failure("check", _with_style(tmp_path, tmp_path / "s0.yaml"))
    _located(output, "s31.yaml", 1, 10)
    assert "styles extend each other more than 32 deep" in output


# --- item 14: a style that is not a style file; a huge margin ---------------------------------

def test_style_that_is_not_a_yaml_file_is_not_quoted(tmp_path):
    """`supplement styles /etc/shadow` printed lines of the file in "unknown key 'root:*:…'"."""
    secret = tmp_path / "shadow"
    secret.write_text(f"root:{SECRET}:19000:0:99999:7:::\n")
    for args in (("styles", secret), ("check", _with_style(tmp_path, secret))):
        output = _fast_failure(*args, located=args[0] == "check")  # a command-line argument has no line
        assert "is not a style file: a style file's name ends in .yaml or .yml" in output
        assert SECRET not in output and "root:" not in output
    (tmp_path / "s.yaml").write_text(f"extends: {secret}\n")
    output = _fast_failure("styles", tmp_path / "s.yaml")
    _located(output, "s.yaml", 1, 10)
    assert SECRET not in output


def test_huge_margin_reads_as_too_long(tmp_path):
    """A margin of 400 nines read 'a margin of infin'."""
    output = _fast_failure("check", _style(tmp_path, "extends: default\npage: {margin: " + "9" * 400 + "in}\n"))
    _located(output, "style.yaml", 2, 16)
    assert "is too long a length; a page is at most 22in" in output and "inf" not in output.replace("info", "")


# --- items 1, 2 and 5: Word templates ---------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TRACKER = "http://tracker.example/t.dotm"
NORMAL_DOTM = "file:///C:/Users/Author/AppData/Roaming/Microsoft/Templates/Normal.dotm"
INJECTED = 'x"/><w:fldSimple w:instr=" INCLUDEPICTURE http://tracker.example/p.png "/><w:rStyle w:val="y'
PAGES = {  # page setups that were built into invalid files, hung LibreOffice or crashed
    "huge margins": '<w:pgSz w:w="12240" w:h="15840"/><w:pgMar w:top="30000" w:right="30000" w:bottom="30000" '
                    'w:left="30000" w:header="720" w:footer="720" w:gutter="0"/>',
    "tiny page": '<w:pgSz w:w="200" w:h="200"/><w:pgMar w:top="10" w:right="10" w:bottom="10" w:left="10" '
                 'w:header="0" w:footer="0" w:gutter="0"/>',
    "no page size": '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440"/>',
    "margin abc": '<w:pgSz w:w="12240" w:h="15840"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" '
                  'w:left="abc"/>',
    "huge page": '<w:pgSz w:w="999999" w:h="15840"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" '
                 'w:left="1440"/>',
    "no section": None,
}
EXTRAS = ("attached template", "local template", "hyperlink", "image", "comments", "macros", "app properties",
          "custom properties", "core properties", "style ids", "header image", "doctype")


def hostile_template(path: Path, extras=EXTRAS, page: str | None = "", encrypted: bool = False,
                     style_id: str = INJECTED) -> Path:
    """python-docx's default document with the hostile ``extras`` added and ``page`` as its
    page setup ('' keeps it, None removes the sectPr); "style ids" gives the citation style
    ``style_id``."""
    import io as _io
    import zipfile

    import docx
    from docx.enum.style import WD_STYLE_TYPE

    d = docx.Document()
    if "style ids" in extras:
        d.styles.add_style("Supplement Citation", WD_STYLE_TYPE.CHARACTER).element.set(f"{{{W_NS}}}styleId", style_id)
        d.styles.add_style("Supplement Quote", WD_STYLE_TYPE.PARAGRAPH).element.set(f"{{{W_NS}}}styleId", "a&b")
    buf = _io.BytesIO()
    d.save(buf)
    src = zipfile.ZipFile(_io.BytesIO(buf.getvalue()))
    parts = {n: src.read(n).decode() for n in src.namelist() if not n.endswith((".jpeg", ".bin"))}
    binary: dict[str, bytes] = {}
    doc_rels, types, pkg_rels = [], [], []

    def rel(rid, kind, target, external=False, where=doc_rels):
        where.append(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"'
                     + (' TargetMode="External"' if external else "") + "/>")

    if "attached template" in extras or "local template" in extras:  # a web address, or Normal.dotm on disk
        target = TRACKER if "attached template" in extras else NORMAL_DOTM
        parts["word/settings.xml"] = parts["word/settings.xml"].replace(
            "<w:zoom", '<w:attachedTemplate r:id="rIdT"/><w:zoom')
        parts["word/_rels/settings.xml.rels"] = (
            f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rIdT" Type="{REL}/attachedTemplate" Target="{target}" TargetMode="External"/>'
            "</Relationships>")
    if "hyperlink" in extras:
        rel("rIdH", f"{REL}/hyperlink", "http://tracker.example/link", True)
    if "image" in extras:
        rel("rIdI", f"{REL}/image", "http://tracker.example/pixel.png", True)
    if "comments" in extras:
        parts["word/comments.xml"] = (f'<w:comments xmlns:w="{W_NS}"><w:comment w:id="0" w:author="Reviewer">'
                                      "<w:p><w:r><w:t>SECRET REVIEW COMMENT</w:t></w:r></w:p></w:comment></w:comments>")
        rel("rIdC", f"{REL}/comments", "comments.xml")
        types.append(("/word/comments.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"))
    if "macros" in extras:
        binary["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0MACRO-AutoOpen"
        rel("rIdV", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin")
        types.append(("/word/vbaProject.bin", "application/vnd.ms-office.vbaProject"))
    if "app properties" in extras:
        parts["docProps/app.xml"] = parts["docProps/app.xml"].replace(
            "</Properties>", "<Company>Tracker Corp</Company><Manager>M. Anager</Manager></Properties>")
    if "custom properties" in extras:
        parts["docProps/custom.xml"] = (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property '
            'fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="TrackingId"><vt:lpwstr>CUSTOM-42'
            "</vt:lpwstr></property></Properties>")
        rel("rIdP", f"{REL}/custom-properties", "docProps/custom.xml", where=pkg_rels)
        types.append(("/docProps/custom.xml", "application/vnd.openxmlformats-officedocument.custom-properties+xml"))
    if "core properties" in extras:
        parts["docProps/core.xml"] = parts["docProps/core.xml"].replace(
            "</cp:coreProperties>", "<cp:category>CATEGORY-X</cp:category><cp:contentStatus>Draft-X</cp:contentStatus>"
            "<dc:identifier>ID-X</dc:identifier><cp:version>VERSION-X</cp:version>"
            "<cp:lastPrinted>2001-01-01T00:00:00Z</cp:lastPrinted></cp:coreProperties>")
    if "header image" in extras:
        parts["word/header9.xml"] = (f'<w:hdr xmlns:w="{W_NS}"><w:p><w:r><w:t>TEMPLATE HEADER</w:t></w:r></w:p></w:hdr>')
        binary["word/media/logo.png"] = b"\x89PNG\r\n\x1a\nlogo"
        parts["word/_rels/header9.xml.rels"] = (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/image" Target="media/logo.png"/></Relationships>')
        rel("rIdF", f"{REL}/header", "header9.xml")
        types.append(("/word/header9.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"))
        parts["word/document.xml"] = parts["word/document.xml"].replace(
            "<w:sectPr", '<w:sectPr><w:headerReference w:type="first" r:id="rIdF"/><w:titlePg/></w:sectPr><w:sectPr', 1)
        parts["word/document.xml"] = re.sub(r"<w:sectPr><w:headerReference(.*?)</w:sectPr><w:sectPr[^>]*>",
                                            r"<w:sectPr><w:headerReference\1", parts["word/document.xml"])
    if "doctype" in extras:  # an entity in the theme: refused, never expanded
        parts["word/theme/theme1.xml"] = re.sub(
            r"^(<\?xml[^>]*\?>)?", r'\1<!DOCTYPE a:theme [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
            parts["word/theme/theme1.xml"], count=1)
    if page is None:
        parts["word/document.xml"] = re.sub(r"<w:sectPr.*</w:sectPr>", "", parts["word/document.xml"], flags=re.S)
    elif page:
        parts["word/document.xml"] = re.sub(r"<w:pgSz[^>]*/>\s*<w:pgMar[^>]*/>", page, parts["word/document.xml"])
    if doc_rels:
        parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
            "</Relationships>", "".join(doc_rels) + "</Relationships>")
    if pkg_rels:
        parts["_rels/.rels"] = parts["_rels/.rels"].replace("</Relationships>", "".join(pkg_rels) + "</Relationships>")
    if types:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace("</Types>", "".join(
            f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in types) + '<Default Extension="png" '
            'ContentType="image/png"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in list(parts.items()) + list(binary.items()):
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            z.writestr(info, text.encode() if isinstance(text, str) else text, zipfile.ZIP_DEFLATED)
        for name in src.namelist():
            if name.endswith(".jpeg"):
                z.writestr(name, src.read(name))
    if encrypted:  # the "encrypted" flag in every local and central header (zipfile cannot write it)
        data = bytearray(path.read_bytes())
        for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            i = data.find(sig)
            while i >= 0:
                data[i + at] |= 1
                i = data.find(sig, i + 4)
        path.write_bytes(bytes(data))
    return path


LEAKS = ("tracker.example", "SECRET REVIEW COMMENT", "vbaProject", "MACRO", "Tracker Corp", "M. Anager", "CUSTOM-42",
         "CATEGORY-X", "Draft-X", "ID-X", "VERSION-X", "lastPrinted", "INCLUDEPICTURE", "TEMPLATE HEADER", "logo")


def assert_clean_docx(path: Path) -> None:
    """No external relationship, macro, comment, custom property or template leftover in the package."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert not [n for n in names if re.search(r"comments|vbaProject|custom\.xml|media/|embeddings/", n)], names
        for name in names:
            text = z.read(name).decode("utf-8", "replace")
            assert 'TargetMode="External"' not in text, (name, text[:500])
            assert not [leak for leak in LEAKS if leak in text], (name, [leak for leak in LEAKS if leak in text])
            assert SECRET not in text
            assert "attachedTemplate" not in text and "fldSimple w:instr=\" INCLUDE" not in text


def test_word_template_gives_only_styles_and_page_setup(tmp_path):
    """Everything in a hostile template except what a template is for was copied into the built
    .docx (exit 0, no warning); now it is left out and named in one warning."""
    import docx

    hostile_template(tmp_path / "t.docx", extras=[e for e in EXTRAS if e != "doctype"])
    src = _style(tmp_path, "extends: default\nword_template: t.docx\n")
    result = run_cli("build", src, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    m = _located(result.stderr, "style.yaml", 2, 16)
    assert m["sev"] == "warning"
    warning = result.stderr[m.start():].split("\n")[0]
    for named in ("external attachedTemplate", "external hyperlink", "external image", "word/comments.xml",
                  "word/vbaProject.bin", "docProps/custom.xml", "property Company", "property Manager",
                  "property category", "word/media/logo.png"):
        assert named in warning, (named, warning)
    out = tmp_path / "out" / "study.docx"
    assert_clean_docx(out)
    d = docx.Document(str(out))
    # what a template is for is still there: its styles (renamed ids), page setup, a first-page header
    names = {s.name: s.style_id for s in d.styles}
    assert names["Supplement Citation"].startswith("TemplateStyle") and "&" not in names["Supplement Quote"]
    cited = [r for r in d.element.body.iter(f"{{{W_NS}}}rStyle") if r.get(f"{{{W_NS}}}val") == names["Supplement Citation"]]
    assert len(cited) >= 40  # every citation in its style, the style id a plain one
    sec = d.sections[0]
    assert sec.different_first_page_header_footer and not sec.first_page_header.is_linked_to_previous
    assert [p.text for p in sec.first_page_header.paragraphs] == [p.text for p in sec.header.paragraphs] != [""]
    assert round(sec.page_width.inches, 2) == 8.5
    import ooxml_validator

    assert ooxml_validator.validate([out])[out] == []  # the rebuilt package is valid Open XML


def test_what_every_word_file_has_is_left_out_quietly(tmp_path):
    """Normal.dotm attached on the author's disk, web settings, app and core properties without
    content, an empty bibliography: Word writes them into nearly every file, so a template saved
    from Word builds without a 'left out' warning (which --strict would refuse)."""
    import zipfile

    hostile_template(tmp_path / "t.docx", extras=("local template",))
    src = _style(tmp_path, "extends: default\nword_template: t.docx\n")
    result = run_cli("build", src, "--out", tmp_path / "out", "--format", "docx")
    assert result.exit_code == 0 and "left out of the Word template" not in result.stderr, result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "study.docx") as z:
        assert not [n for n in z.namelist() if "Normal.dotm" in z.read(n).decode("utf-8", "replace")]


def test_injected_style_ids_are_escaped_even_when_the_writer_gets_them(tmp_path):
    """The writer's own guard: a style id reaching it unrenamed is escaped, never markup."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    from supplement.pipeline import load_document
    from supplement.writers.docx import _install_styles

    d = docx.Document()

    d.styles.add_style("Supplement Citation", WD_STYLE_TYPE.CHARACTER).element.set(f"{{{W_NS}}}styleId", INJECTED)
    doc = load_document(write_source(tmp_path, trimmed_data(1)))
    sid = _install_styles(d, doc.style, doc.typography, True, lambda m: None)
    assert sid["Supplement Citation"] == INJECTED.replace("&", "&amp;").replace('"', "&quot;").replace(
        "<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("page", list(PAGES), ids=list(PAGES))
def test_word_template_page_setup_is_checked(page, tmp_path):
    """Negative column widths (invalid .docx, exit 0), a page LibreOffice hangs on, and
    IndexError/TypeError/ValueError without a position: now located errors."""
    hostile_template(tmp_path / "t.docx", extras=(), page=PAGES[page])
    src = _style(tmp_path, "extends: default\nword_template: t.docx\n")
    output = _fast_failure("build", src, "--out", tmp_path / "out")
    _located(output, "style.yaml", 2, 16)
    assert re.search(r"the Word template 't.docx' (leaves a text area of|has (a broken page setup|no page setup|"
                     r"a page of))", output), output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["encrypted", "doctype"])
def test_word_template_that_cannot_be_read_safely(kind, tmp_path):
    """A password-protected zip gave 'internal error'; a DOCTYPE with an entity is refused."""
    hostile_template(tmp_path / "t.docx", extras=("doctype",) if kind == "doctype" else (), encrypted=kind == "encrypted")
    output = _fast_failure("check", _style(tmp_path, "extends: default\nword_template: t.docx\n"))
    _located(output, "style.yaml", 2, 16)
    assert ("is encrypted (password-protected)" if kind == "encrypted" else "declares a DOCTYPE") in output
    assert "root:" not in output


# --- item 11: a column too narrow to hold text --------------------------------------------------

def _columns_source(tmp_path, n: int) -> Path:
    data = trimmed_data(1)
    p = data["participants"]
    p["rows"] = p["rows"][:2]  # (fewer cells to read: the time goes into 20,000 columns a row)
    p["columns"] += [{"key": f"c{i}", "label": f"C{i}"} for i in range(n)]
    return write_source(tmp_path, data)


def test_twenty_thousand_columns_are_refused_before_rendering(tmp_path):
    """The Word writer gave a .docx with a negative grid column (the PDF writer refused after
    laying out): both refused alike, at the column headings, before either renders."""
    src = _columns_source(tmp_path, 20_000)
    result = run_cli("build", src, "--out", tmp_path / "out", "--format", "docx")
    output = result.stdout + result.stderr
    assert result.exit_code == 1, output[-2000:]
    label_line = next(i for i, l in enumerate(src.read_text().splitlines(), 1) if "label: C0" in l)
    assert _located(output, src, label_line)["sev"] == "error"  # at the narrowest column's heading
    assert re.search(r"Appendix 1 has 20,00\d columns; the narrowest, 'C0', would be 0\.0 pt wide on the PDF page's "
                     r"text width of 648 pt; a column needs at least 9 pt", output), output[-2000:]
    assert "cannot be laid out in the PDF" not in output  # refused before the writer
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_narrow_template_page_is_the_limit_for_word(tmp_path):
    """With a Word template the Word page's text width counts too."""
    page = ('<w:pgSz w:w="4320" w:h="15840"/><w:pgMar w:top="1440" w:right="720" w:bottom="1440" w:left="720" '
            'w:header="720" w:footer="720" w:gutter="0"/>')  # 3 in wide: a text width of 2 in
    hostile_template(tmp_path / "t.docx", extras=(), page=page)
    (tmp_path / "style.yaml").write_text("extends: default\nword_template: t.docx\n")
    data = trimmed_data(1)
    data["style"] = "style.yaml"
    data["participants"]["columns"] += [{"key": f"c{i}", "label": f"C{i}"} for i in range(14)]
    src = write_source(tmp_path, data)
    output = _fast_failure("check", src)
    assert re.search(r"the narrowest, '.*', would be [\d.]+ pt wide on the Word page's text width of 144 pt", output), output


# --- item 9: long words in the PDF ------------------------------------------------------------

@pytest.mark.parametrize("text,word,italic", [("W" * 400_000, "W", False), ("word " * 80_000, "word", False),
                                              ("word " * 80_000, "word", True)],
                         ids=["one word", "many words", "italic quotes"])
def test_long_quote_splits_in_linear_time(text, word, italic, tmp_path):
    """A 400,000-character word took 62 s in the PDF writer (each page re-broke the rest of the
    quote into lines); the lines broken once are reused. Every character still reaches the PDF.
    (Italic quotes and a citation make reportlab index the lines into the paragraph's words.)"""
    from test_hardening import _pdf_text

    data = trimmed_data(1)
    data["themes"][0]["findings"][0]["quotes"][0]["text"] = text
    if italic:
        (tmp_path / "style.yaml").write_text("extends: jama\nquotes: {italic: true}\n")
        data["style"] = "style.yaml"
    src = write_source(tmp_path, data)
    started = time.perf_counter()
    result = run_cli("build", src, "--out", tmp_path / "out", "--format", "pdf", "-q")
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.stderr[-2000:]
    assert elapsed < 20, f"took {elapsed:.1f} s"  # 62 s before; about 3 s here
    shown = _pdf_text(tmp_path / "out" / "study.pdf")  # (the quote runs over pages between headers)
    assert shown.count(word) >= text.count(word) and shown.count(word) < text.count(word) + 20



# --- the property: any style file with any Word template -----------------------------------------

EVIL_PLACEHOLDERS = ["{number:{id.__new__.__globals__[os].environ[SECRET_TOKEN]}}",
                     "{Kind:{id.__new__.__globals__[os].environ}}", "{n!r}", "{n:x>1500000000}", "{n.__class__}",
                     "{id[0]}", "{n:c}", "{short_title!s:>99}", "{page:{pages}}", "{", "}", "{{n}}"]
TEMPLATED = {("labels", "item"), ("table", "number_format"), ("numbering", "theme_template"),
             ("citations", "speaker"), ("citations", "unlabeled"), ("header",), ("footer",)}
STYLE_IDS = [INJECTED, "a&b", "<x>", " ", "\u202e", "x" * 300, "Heading1", "TemplateStyle1", "1"]


@st.composite
def hostile_style_and_template(draw, directory: Path) -> Path:
    """A style file (drawn from the declaration, some values hostile, some placeholders evil)
    naming, half the time, a Word template with hostile parts and page setups."""
    style = {"extends": draw(st.sampled_from(["default"] + _presets()))}
    style.update(draw(style_settings(hostile=draw(st.integers(0, 3)) == 0)))
    evil = draw(st.lists(st.sampled_from(sorted(TEMPLATED)), max_size=2)) if draw(st.integers(0, 2)) == 0 else []
    for where in evil:
        node = style
        for key in where[:-1]:
            node = node.setdefault(key, {}) if isinstance(node.get(key, {}), dict) else {}
        node[where[-1]] = draw(st.sampled_from(EVIL_PLACEHOLDERS))
    if draw(st.integers(0, 2)):  # two times in three
        extras = draw(st.lists(st.sampled_from([e for e in EXTRAS if e != "doctype"]), unique=True))
        hostile_template(directory / "t.docx", extras=extras + ["doctype"] * (draw(st.integers(0, 9)) == 0),
                         page=draw(st.sampled_from([""] * 12 + list(PAGES.values()))),
                         encrypted=draw(st.integers(0, 9)) == 0, style_id=draw(st.sampled_from(STYLE_IDS)))
        style["word_template"] = "t.docx"
    (directory / "style.yaml").write_text(dump(style), encoding="utf-8")
    data = trimmed_data(1)
    data["style"] = "style.yaml"
    return write_source(directory, data)


def _assert_no_leak(out: Path) -> None:
    from test_hardening import _pdf_text

    docx_file, pdf_file = out / "study.docx", out / "study.pdf"
    assert_clean_docx(docx_file)
    text = _pdf_text(pdf_file)
    raw = pdf_file.read_bytes()
    for leak in (SECRET, os.environ["PATH"], "tracker.example"):
        assert leak not in text and leak.encode() not in raw, leak


@settings(max_examples=max(10, settings.default.max_examples // 2))  # 20 by default, 1,000 with --run-slow
@given(data=st.data())
def test_any_style_and_template_builds_clean_or_fails_located(data, tmp_path_factory):
    """Exit 0, 1 or 2, never a traceback; no external relationship, macro, comment part or
    custom property in any output; no environment value in any output or message; each run
    (check, then a build of both formats) in a few seconds."""
    directory = tmp_path_factory.mktemp("style")
    src = data.draw(hostile_style_and_template(directory))
    out = directory / "out"
    started = time.perf_counter()
    check = invoke("check", src)
    build = invoke("build", src, "--out", out, "--format", "docx,pdf", "-q")
    elapsed = time.perf_counter() - started
    for result in (check, build):
        assert_orderly(result)
        output = result.stdout + result.stderr
        assert SECRET not in output and os.environ["PATH"] not in output, output[-2000:]
    assert check.exit_code == 0 or build.exit_code != 0
    event(f"build exit {build.exit_code}" + (", with a template" if (directory / "t.docx").exists() else ""))
    if build.exit_code == 0:
        _assert_no_leak(out)
    assert not parts_left(directory)
    # about 1 s; up to 3 s of CPU when a style adds 10,000 characters to every quote; generous for
    # a machine shared with other test runs
    assert elapsed < 30, f"check and build took {elapsed:.1f} s"
