"""Journal styles (issue 5): presets, `extends:`, errors in style files, `supplement styles`,
and the example built in every preset, checked in the .docx and .pdf files themselves.

The expectations per preset (EXPECT) are the conventions docs/styles.md records for it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE, ROOT, invoke, trimmed_data, write_source
from supplement.diagnostics import Pos
from supplement.pipeline import compile_document, load_document
from supplement.resolve.style import describe_style, load_style, preset_names
from supplement.resolve.typography import typography

LAB = ROOT / "docs" / "examples" / "lab-style.yaml"
PRESETS = ("default", "jama", "bmj", "lancet", "nejm", "plos", "bmc", "elsevier", "lww", "wiley")
JOURNAL_WORDS = ("jama", "plos", "lancet", "nejm", "bmj", "bmc", "elsevier", "wiley", "lww", "kluwer",
                 "springer")
PROVIDED = "provided by the authors to give readers additional information about their work."

# Per preset: item labels as printed before the caption (label + separator), page size,
# table rules, table-note mark (symbol, superscript), three citations from the example
# (page-only focus group page 6, its range 8-9, interview Non-Op 1 page 2), whether the
# caption's first sentence is bold, the caption form, and the cover's first paragraph.
EXPECT = {
    "default": dict(labels=("Appendix 1.", "Appendix 2."), size="letter", rules="grid", mark=("*", False),
                    cites=("[6]", "[8-9]", "[Non-Op 1, 2]"), bold=False, below=False, cover=None),
    "jama": dict(labels=("eTable 1.", "eTable 2."), size="letter", rules="horizontal", mark=("a", True),
                 cites=("(Focus group, p 6)", "(Focus group, pp 8–9)", "(Non-Op 1, p 2)"), bold=True, below=False,
                 cover="Supplemental Online Content"),
    "bmj": dict(labels=("Online supplemental table 1.", "Online supplemental table 2."), size="a4",
                rules="horizontal", mark=("*", True), cites=("[6]", "[8–9]", "[Non-Op 1, 2]"), bold=True,
                below=False, cover=None),
    "lancet": dict(labels=("Table S1:", "Table S2:"), size="a4", rules="horizontal", mark=("*", True),
                   cites=("(Focus group, p 6)", "(Focus group, pp 8–9)", "(Non-Op 1, p 2)"), bold=True,
                   below=False, cover="Supplementary appendix"),
    "nejm": dict(labels=("Supplemental Table 1.", "Supplemental Table 2."), size="letter", rules="horizontal",
                 mark=("*", True), cites=("[6]", "[8–9]", "[Non-Op 1, 2]"), bold=True, below=False,
                 cover="Supplementary Appendix"),
    "plos": dict(labels=("S1 Table.", "S2 Table."), size="letter", rules="grid", mark=("*", True),
                 cites=("[6]", "[8–9]", "[Non-Op 1, 2]"), bold=True, below=False, cover=None),
    "bmc": dict(labels=("Additional file 1", "Additional file 2"), size="a4", rules="grid", mark=("*", True),
                cites=("[6]", "[8–9]", "[Non-Op 1, 2]"), bold=True, below=True, cover=None),
    "elsevier": dict(labels=("Table A.1.", "Table A.2."), size="a4", rules="horizontal", mark=("*", True),
                     cites=("[6]", "[8–9]", "[Non-Op 1, 2]"), bold=False, below=False, cover=None),
    "lww": dict(labels=("Supplemental Table 1.", "Supplemental Table 2."), size="letter", rules="grid",
                mark=("*", True), cites=("[6]", "[8–9]", "[Non-Op 1, 2]"), bold=True, below=False, cover=None),
    "wiley": dict(labels=("Table S1.", "Table S2."), size="letter", rules="grid", mark=("*", True),
                  cites=("[6]", "[8–9]", "[Non-Op 1, 2]"), bold=True, below=False, cover="Supporting Information"),
}
# page sizes in points, landscape (every preset keeps the reference's landscape)
SIZES = {"letter": (792.0, 612.0), "a4": (841.89, 595.28)}
TITLE1 = "Clinical background and experience of the clinicians who participated in this study."
TITLE2 = "Complete list of themes and subthemes with supporting quotes."


def _quotes(doc):
    themes = doc.items[-1]
    return [q for b in themes.blocks for f in b.findings for q in f.quotes]


def _citation(q) -> str:
    return next(r.text for r in q.runs if r.role == "citation")


@pytest.fixture(scope="module")
def resolved():
    return {name: load_document(EXAMPLE, style=name) for name in PRESETS}


# --- the presets, resolved -------------------------------------------------------------------

def test_every_preset_is_there_and_described():
    assert set(PRESETS) <= set(preset_names())
    for name in preset_names():
        style = load_style(name, Pos("test"))
        assert style.description.strip(), f"{name} has no description"
        assert not style.warnings


def test_every_preset_has_expectations_and_docs():
    """A new preset gets its row here and its section in docs/styles.md."""
    assert set(preset_names()) == set(EXPECT)
    doc = (ROOT / "docs" / "styles.md").read_text(encoding="utf-8")
    for name in preset_names():
        assert re.search(rf"^#+ .*`{name}`", doc, re.M), f"docs/styles.md has no section for `{name}`"


@pytest.mark.parametrize("name", PRESETS)
def test_preset_resolves_with_its_conventions(name, resolved):
    e, doc = EXPECT[name], resolved[name]
    st = doc.style
    assert st.page.size == e["size"] and st.page.orientation == "landscape"
    assert st.table.rules == e["rules"]
    # labels and caption form
    for item, label, title in zip(doc.items, e["labels"], (TITLE1, TITLE2)):
        assert item.label == label.rstrip(".:")
        caption = item.caption
        assert caption[0].runs[0].text == label and caption[0].runs[0].bold
        if e["below"]:
            assert len(caption) == 2 and caption[0].text == label
            body = caption[1].runs
        else:
            assert len(caption) == 1 and caption[0].text.startswith(label + " " + title)
            body = caption[0].runs[2:]
        if e["bold"]:  # the title sentence bold, the rest plain
            assert body[0].text == title and body[0].bold and all(not r.bold for r in body[1:])
        else:
            assert body[0].text.startswith(title) and not any(r.bold for r in body)
    # themes: Roman numerals, lettered subthemes (no preset changes the author's numbering)
    blocks = doc.items[-1].blocks
    assert blocks[0].heading.text == "I. Elements of Disease"
    assert blocks[1].level == 1 and blocks[1].number == "A."
    assert ("(I-X)" if name == "default" else "(I–X)") in doc.items[-1].caption[-1].text
    # citations
    q = _quotes(doc)
    assert (_citation(q[0]), _citation(q[2]), _citation(q[4])) == e["cites"]
    # quotes: curly double quotation marks, not italic
    assert q[0].runs[0].text.startswith("“") and q[0].runs[0].text.endswith("”") and not q[0].runs[0].italic
    # table-note mark
    symbol, sup = e["mark"]
    table = doc.items[0]
    marks = [r for r in table.rows[2][1].runs if r.role == "mark"]
    assert [(r.text, r.superscript) for r in marks] == [(symbol, sup)]
    assert table.notes[0].runs[0].text == symbol and table.notes[0].runs[0].superscript is sup
    # cover
    if e["cover"] is None:
        assert doc.cover is None
    else:
        assert doc.cover.heading.text == e["cover"]
        # one line per item, starting with its label
        assert [p.text.split(" ")[0] for p in doc.cover.contents] == [
            lab.split(" ")[0] for lab in e["labels"]]


def test_jama_contents_page(resolved):
    c = resolved["jama"].cover
    assert c.heading.text == "Supplemental Online Content"
    assert c.paragraphs[0].text.startswith("Clinicians' decision-making for spinal metastases")  # the citation
    assert c.contents_heading is None  # the items follow the citation directly
    assert [p.text for p in c.contents] == [f"eTable 1. {TITLE1}", f"eTable 2. {TITLE2}"]
    assert [p.text for p in c.closing] == ["This supplemental material has been " + PROVIDED]


def test_nejm_cover(resolved):
    c = resolved["nejm"].cover
    assert c.heading.text == "Supplementary Appendix"
    assert c.paragraphs[0].text == "This appendix has been " + PROVIDED
    assert c.paragraphs[1].text.startswith("Supplement to: Clinicians' decision-making")


def test_cover_uses_the_study_citation(tmp_path):
    data = trimmed_data(1)
    data["study"].update(authors=["Ann Smith", "Bo Li"], journal="JAMA Netw Open", year=2024,
                         citation="Smith A, Li B. Deciding on surgery. JAMA Netw Open. 2024;7:e1.")
    doc = load_document(write_source(tmp_path, data), style="jama")
    assert doc.cover.paragraphs[0].text == "Smith A, Li B. Deciding on surgery. JAMA Netw Open. 2024;7:e1."
    assert load_document(write_source(tmp_path, data), style="nejm").cover.paragraphs[1].text == (
        "Supplement to: Smith A, Li B. Deciding on surgery. JAMA Netw Open. 2024;7:e1.")


def test_editorial_note_placement_follows_the_style(tmp_path, resolved):
    noted = [q for q in _quotes(resolved["default"]) if "re: familiarity" in q.text]
    assert noted[0].text.endswith("[11] [re: familiarity of team members]")
    style = tmp_path / "s.yaml"
    style.write_text("extends: default\ncitations:\n  note_position: before\n  note_open: '('\n  note_close: ')'\n")
    doc = load_document(EXAMPLE, style=str(style))
    noted = [q for q in _quotes(doc) if "re: familiarity" in q.text]
    assert noted[0].text.endswith("” (re: familiarity of team members) [11]")


def test_speaker_attribution_and_the_named_page_only_source(tmp_path):
    data = trimmed_data(1)
    quotes = data["themes"][0]["findings"][0]["quotes"]
    quotes[0]["speaker"] = "p06"  # cited "6": the focus group, page 6
    quotes[4]["speaker"] = "p01"  # cited "Non-Op 1, 2"
    src = write_source(tmp_path, data)
    style = tmp_path / "lab.yaml"
    style.write_text("extends: default\ncitations:\n  speaker: 'Participant {number}, {specialty} {missing}'\n"
                     "  unlabeled: '{Kind} ({id})'\n  open: '('\n  close: ')'\n  page_prefix: 'p. '\n"
                     "  pages_prefix: 'pp. '\n  range_dash: '–'\n")
    q = _quotes(load_document(src, style=str(style)))
    assert _citation(q[0]) == "(Participant 6, Radiation Oncology, Focus group (FG), p. 6)"
    assert _citation(q[2]) == "(Focus group (FG), pp. 8–9)"
    assert _citation(q[4]) == "(Participant 1, Orthopaedic Surgery, Non-Op 1, p. 2)"
    style.write_text("extends: default\ncitations:\n  order: [source, pages, speaker]\n"
                     "  speaker: '{missing}, Participant {number}'\n")
    q = _quotes(load_document(src, style=str(style)))
    assert _citation(q[0]) == "[6, Participant 6]"


def test_theme_numbering_and_how_it_is_set_off(tmp_path):
    style = tmp_path / "s.yaml"
    style.write_text("extends: plos\nnumbering:\n  theme: decimal\n  theme_template: 'Theme {n}:'\n"
                     "  subtheme: decimal\n  subtheme_template: '{theme}.{n}'\n")
    doc = load_document(EXAMPLE, style=str(style))
    blocks = doc.items[-1].blocks
    assert blocks[0].heading.text == "Theme 1: Elements of Disease"
    subs = [b.number for b in blocks if b.level == 1]
    assert subs[0] == "1.1" and all(re.fullmatch(r"\d+\.\d+", n) for n in subs) and "3.2" in subs
    assert "(1–10)" in doc.items[-1].caption[0].text
    style.write_text("extends: default\nnumbering:\n  theme: upper-alpha\n  subtheme: lower-roman\n"
                     "  subtheme_template: '({n})'\n")
    blocks = load_document(EXAMPLE, style=str(style)).items[-1].blocks
    assert blocks[0].number == "A." and blocks[1].number == "(i)"


def test_symbols_run_on_then_double(tmp_path):
    data = trimmed_data(1)
    p = data["participants"]
    p["marks"] = [{"key": f"m{i}", "column": "specialty", "note": f"note {i}"} for i in range(9)]
    for i, row in enumerate(p["rows"]):
        row.pop("international", None)
        if i < 9:
            row[f"m{i}"] = True
    src = write_source(tmp_path, data)
    notes = load_document(src, style="plos").items[0].notes
    assert [n.runs[0].text for n in notes] == ["*", "†", "‡", "§", "‖", "¶", "#", "**", "††"]
    notes = load_document(src, style="jama").items[0].notes
    assert [n.runs[0].text for n in notes] == list("abcdefghi")
    assert all(n.runs[0].superscript for n in notes)


# --- errors in style files: FILE:LINE:COL, with a hint --------------------------------------

def _errors(style_text: str, tmp_path, name: str = "bad.yaml"):
    path = tmp_path / name
    path.write_text(style_text, encoding="utf-8")
    doc, report = compile_document(EXAMPLE, style=str(path))
    assert doc is None
    return path, report.errors


def _at(d, path: Path, line: int, col: int):
    assert Path(d.pos.file).resolve() == path.resolve() and (d.pos.line, d.pos.col) == (line, col), d.text()


def test_unknown_key_in_a_style_file(tmp_path):
    path, errors = _errors("extends: plos\nlabels:\n  itme: 'X {n}'\n", tmp_path)
    (e,) = errors
    _at(e, path, 3, 3)
    assert e.message == "unknown key 'itme' in labels" and e.hint == "did you mean 'item'?"


def test_bad_values_in_a_style_file(tmp_path):
    path, errors = _errors("page:\n  size: leter\n  margin: 1 inch\nlabels:\n  item: 'eTable {m}'\n"
                           "table:\n  header_shading: grey\nnotes:\n  superscript: maybe\n", tmp_path)
    assert [(e.pos.line, e.pos.col) for e in errors] == [(2, 9), (3, 11), (5, 9), (7, 19), (9, 16)]
    assert "'leter' is not one of: letter, a4" in errors[0].message and errors[0].hint == "did you mean 'letter'?"
    assert "not a length" in errors[1].message
    assert "unknown placeholder '{m}'" in errors[2].message
    assert "not a colour" in errors[3].message
    assert "true or false" in errors[4].message


def test_unknown_extends(tmp_path):
    path, (e,) = _errors("extends: jamma\n", tmp_path)
    _at(e, path, 1, 10)
    assert e.message == "unknown style 'jamma'" and e.hint.startswith("did you mean 'jama'?")
    path, (e,) = _errors("extends: missing/house.yaml\n", tmp_path)
    _at(e, path, 1, 10)
    assert "does not exist" in e.message


def test_a_style_that_extends_itself(tmp_path):
    path, (e,) = _errors("extends: bad.yaml\n", tmp_path)
    _at(e, path, 1, 10)
    assert "extends itself (bad.yaml -> bad.yaml)" in e.message
    (tmp_path / "b.yaml").write_text("extends: bad.yaml\n")
    path, (e,) = _errors("extends: b.yaml\n", tmp_path)
    assert "extends itself (bad.yaml -> b.yaml -> bad.yaml)" in e.message


def test_a_font_file_that_is_not_a_font(tmp_path):
    (tmp_path / "f.ttf").write_text("not a font")
    path, errors = _errors("font:\n  pdf_files: {regular: f.ttf, bold: f.ttf, italic: f.ttf, bold_italic: f.ttf}\n",
                           tmp_path)
    assert errors and all("'f.ttf' is not a TrueType font file" in e.message for e in errors)
    _at(errors[0], path, 2, 24)


def test_an_error_in_a_preset_chain_names_the_file_that_has_it(tmp_path):
    (tmp_path / "house.yaml").write_text("extends: plos\npage:\n  orientation: sideways\n")
    path, (e,) = _errors("extends: house.yaml\n", tmp_path)
    _at(e, tmp_path / "house.yaml", 3, 16)


def test_check_prints_style_errors_located(tmp_path):
    (tmp_path / "bad.yaml").write_text("extends: plos\nlabels:\n  itme: 'X {n}'\n")
    r = invoke("check", EXAMPLE, "--style", tmp_path / "bad.yaml")
    assert r.exit_code == 1
    assert re.search(r"bad\.yaml:3:3: error: unknown key 'itme' in labels\n    hint: did you mean 'item'\?", r.output)


# --- custom styles: --style and the source's style key ---------------------------------------

def test_example_lab_style_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    doc = load_document(EXAMPLE, style="docs/examples/lab-style.yaml")
    assert doc.style.page.size == "a4" and doc.style.page.orientation == "portrait"
    assert doc.style.font.family == "Arial" and doc.style.table.header_shading == "D9D9D9"
    assert doc.items[0].label == "eTable 1" and doc.cover.heading.text == "Supplemental Online Content"
    r = invoke("check", EXAMPLE, "--style", "docs/examples/lab-style.yaml")
    assert r.exit_code == 0, r.output


def test_example_lab_style_from_the_source(tmp_path):
    data = trimmed_data(1)
    data["style"] = os.path.relpath(LAB, tmp_path)  # relative to the source file
    src = write_source(tmp_path, data)
    doc = load_document(src)
    assert doc.style.page.size == "a4" and doc.items[0].label == "eTable 1"


def test_style_chain_of_files_relative_to_each_file(tmp_path, monkeypatch):
    styles = tmp_path / "lab" / "styles"
    styles.mkdir(parents=True)
    (styles / "base.yaml").write_text("extends: plos\npage:\n  size: a4\n")
    (styles / "house.yaml").write_text("extends: base.yaml\ndescription: house\nlabels:\n  caption_bold: all\n")
    study = tmp_path / "study"
    study.mkdir()
    data = trimmed_data(1)
    data["style"] = "../lab/styles/house.yaml"
    src = write_source(study, data)
    monkeypatch.chdir(tmp_path)  # not where the files are
    doc = load_document(src)
    assert doc.style.page.size == "a4" and doc.items[0].label == "S1 Table"
    assert doc.items[1].caption[0].runs[2].bold and len(doc.items[1].caption[0].runs) == 3
    # --style wins over the source's style key
    assert load_document(src, style="elsevier").items[0].label == "Table A.1"


# --- `supplement styles` ----------------------------------------------------------------------

def test_styles_lists_every_preset_with_its_description():
    r = invoke("styles")
    assert r.exit_code == 0
    lines = r.stdout.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == preset_names()
    for ln in lines:
        name = ln.split()[0]
        assert ln[len(name):].strip() == load_style(name, Pos("t")).description


def test_styles_name_prints_the_resolved_style(tmp_path):
    r = invoke("styles", "jama")
    assert r.exit_code == 0
    data = yaml.safe_load(r.stdout)
    assert data["labels"]["item"] == "eTable {n}" and data["page"]["margin"] == "72pt"
    assert data["notes"] == {"symbols": "letters", "superscript": True,
                             "sequence": ["*", "†", "‡", "§", "‖", "¶", "#"]}
    assert list(data)[:3] == ["description", "page", "font"]  # declaration order


@pytest.mark.parametrize("name", PRESETS)
def test_resolved_style_is_itself_a_style_file(name, tmp_path):
    text = describe_style(load_style(name, Pos("t")))
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    assert describe_style(load_style(str(tmp_path / "s.yaml"), Pos("t"))) == text


def test_styles_unknown_name(tmp_path):
    r = invoke("styles", "plso")
    assert r.exit_code == 1
    assert "argument NAME: error: unknown style 'plso'" in r.output and "did you mean 'plos'?" in r.output


def test_no_journal_in_code():
    """Styles are data: no journal's name in the resolver, the style code or either writer."""
    for rel in ("supplement/resolve.py", "supplement/style.py", "supplement/writers/docx.py",
                "supplement/writers/pdf.py"):
        path = ROOT / rel
        if not path.exists():
            continue
        code = "\n".join(ln.split("#", 1)[0] for ln in path.read_text(encoding="utf-8").splitlines()).lower()
        found = [w for w in JOURNAL_WORDS if re.search(rf"\b{re.escape(w.strip())}\b", code)]
        assert not found, f"{rel} names {found}"


# --- end to end: the example built in every preset, checked in the files ----------------------

WRITERS = ROOT / "supplement" / "writers"
needs_writers = pytest.mark.skipif(not ((WRITERS / "docx.py").exists() and (WRITERS / "pdf.py").exists()),
                                   reason="the writers are not there yet")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class Built:
    """One preset's .docx and .pdf, read once."""

    def __init__(self, directory: Path, stem: str = "spinal-metastases"):
        from lxml import etree
        from pypdf import PdfReader

        self.docx_path = directory / f"{stem}.docx"
        self.pdf_path = directory / f"{stem}.pdf"
        with zipfile.ZipFile(self.docx_path) as z:
            self.xml = etree.fromstring(z.read("word/document.xml"))
            self.styles_xml = etree.fromstring(z.read("word/styles.xml"))
            self.parts = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}
        self.paragraphs = ["".join(t.text or "" for t in p.iter(W + "t")) for p in self.xml.iter(W + "p")]
        self.docx_text = _norm("\n".join(self.paragraphs))
        self.pdf = PdfReader(str(self.pdf_path))
        self.pdf_pages = [_norm(_pdftotext(self.pdf_path, i + 1)) for i in range(len(self.pdf.pages))]
        self.pdf_text = " ".join(self.pdf_pages)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pdftotext(path: Path, page: int) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                              capture_output=True, text=True, check=True).stdout
    from pypdf import PdfReader

    return PdfReader(str(path)).pages[page - 1].extract_text()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from supplement.build.run import build

    out = tmp_path_factory.mktemp("presets")
    result = {}
    for name in PRESETS:
        r = build(EXAMPLE, out / name, ["docx", "pdf"], style=name)
        assert not r.report.errors, r.report.text()
        # the example's own style is default: another preset's outputs carry its name
        result[name] = Built(out / name, "spinal-metastases" if name == "default" else f"spinal-metastases.{name}")
    return result


@needs_writers
@pytest.mark.parametrize("name", PRESETS)
def test_built_page_size(name, built):
    b, (w, h) = built[name], SIZES[EXPECT[name]["size"]]
    for page in b.pdf.pages:
        box = page.mediabox
        assert abs(float(box.width) - w) < 0.5 and abs(float(box.height) - h) < 0.5
    sizes = list(b.xml.iter(W + "pgSz"))  # one per section (the theme table is a section of its own)
    assert len(sizes) == 2
    for sz in sizes:
        assert abs(int(sz.get(W + "w")) - w * 20) <= 2 and abs(int(sz.get(W + "h")) - h * 20) <= 2
        assert sz.get(W + "orient") == "landscape"


@needs_writers
@pytest.mark.parametrize("name", PRESETS)
def test_built_labels_numbering_citations(name, built):
    b, e = built[name], EXPECT[name]
    for text in (b.docx_text, b.pdf_text):
        for label, title in zip(e["labels"], (TITLE1, TITLE2)):
            assert f"{label} {title}" in text
        assert "I. Elements of Disease" in text
        for cite in e["cites"]:
            assert cite in text, f"{cite} not in the {name} output"
        other = {c for n in EXPECT for c in EXPECT[n]["cites"]} - set(e["cites"])
        assert not [c for c in other if c in text]
    if e["below"]:  # the label is a paragraph of its own
        assert e["labels"][0] in b.paragraphs and TITLE1 in b.paragraphs


@needs_writers
@pytest.mark.parametrize("name", PRESETS)
def test_built_cover(name, built):
    b, e = built[name], EXPECT[name]
    first_label = e["labels"][0]
    if e["cover"] is None:
        assert b.paragraphs[0].startswith(first_label)
        assert first_label in b.pdf_pages[0] and "Participant Identification" in b.pdf_pages[0]
        return
    assert b.paragraphs[0] == e["cover"]
    page1 = b.pdf_pages[0]
    assert e["cover"] in page1
    assert all(lab in page1 for lab in e["labels"])  # the list of items
    assert "Participant Identification" not in page1  # the tables start on the next page
    if name == "jama":
        # heading, the article citation, the items
        assert page1.index("Supplemental Online Content") < page1.index("Clinicians' decision-making") \
            < page1.index("eTable 1.") < page1.index("eTable 2.")


@needs_writers
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_built_jama_closing_sentence(fmt, built):
    b = built["jama"]
    text = b.docx_text if fmt == "docx" else b.pdf_pages[0]
    flat = " ".join(text.split())
    assert "eTable 2." in flat and PROVIDED in flat
    assert flat.index("eTable 2.") < flat.index(PROVIDED)


@needs_writers
def test_built_nejm_cover_text(built):
    for text in (built["nejm"].docx_text, built["nejm"].pdf_pages[0]):
        assert "This appendix has been " + PROVIDED in text and "Supplement to: Clinicians'" in text


@needs_writers
@pytest.mark.parametrize("name", PRESETS)
def test_built_table_rules(name, built):
    b = built[name]
    (table_style,) = [s for s in b.styles_xml.iter(W + "style")
                      if s.find(W + "name") is not None and s.find(W + "name").get(W + "val") == "Supplement Table"]
    borders = {el.tag[len(W):]: el.get(W + "val") for el in table_style.find(W + "tblPr").find(W + "tblBorders")}
    vertical = [borders.get(k) for k in ("left", "right", "insideV")]
    direct = [el.get(W + "val") for tag in ("left", "right", "insideV", "start", "end")
              for el in b.xml.iter(W + tag) if el.getparent().tag in (W + "tcBorders", W + "tblBorders")]
    if EXPECT[name]["rules"] == "horizontal":
        assert all(v in ("nil", "none") for v in vertical + direct), (vertical, direct)
        assert borders.get("top") == "single" and borders.get("bottom") == "single"
    else:
        assert all(v == "single" for v in vertical)


@needs_writers
@pytest.mark.parametrize("name", PRESETS)
def test_built_note_marks(name, built):
    b, (symbol, sup) = built[name], EXPECT[name]["mark"]
    runs = [r for r in b.xml.iter(W + "r") if "".join(t.text or "" for t in r.iter(W + "t")) == symbol]
    assert runs, f"no {symbol!r} mark in the {name} .docx"
    mark_style = [s for s in b.styles_xml.iter(W + "style") if s.find(W + "name").get(W + "val") == "Supplement Mark"]

    def superscript(run) -> bool:
        rpr = run.find(W + "rPr")
        direct = rpr is not None and any(v.get(W + "val") == "superscript" for v in rpr.iter(W + "vertAlign"))
        styled = (rpr is not None and rpr.find(W + "rStyle") is not None and mark_style
                  and any(v.get(W + "val") == "superscript" for v in mark_style[0].iter(W + "vertAlign")))
        return bool(direct or styled)

    assert all(superscript(r) is sup for r in runs)
    # in the PDF: three rows and the note carry the mark, set smaller when superscript
    page = next(i for i, t in enumerate(b.pdf_pages) if "denotes international training" in t)
    chunks = []
    b.pdf.pages[page].extract_text(visitor_text=lambda text, cm, tm, font, size: chunks.append((text.strip(), size)))
    size = typography(load_style(name, Pos("t"))).role("table-text").size
    small = [c for c in chunks if c[0] == symbol and c[1] < size]
    if sup:
        assert len(small) == 4, chunks
    else:
        assert not small and sum(c[0].endswith("Surgery" + symbol) for c in chunks) == 2


@needs_writers
def test_built_plos_caption_first_sentence_bold(built):
    from pypdf import PdfReader

    b = built["plos"]
    (p,) = [p for p in b.xml.iter(W + "p") if "".join(t.text or "" for t in p.iter(W + "t")).startswith("S2 Table.")]
    bold = {"".join(t.text or "" for t in r.iter(W + "t")): r.find(W + "rPr") is not None
            and r.find(W + "rPr").find(W + "b") is not None for r in p.iter(W + "r")}
    assert bold[TITLE2] is True
    assert [v for k, v in bold.items() if k.strip().startswith("Themes are identified")] == [False]
    # in the PDF, the title sentence is set in the bold face
    fonts = []
    PdfReader(str(b.pdf_path)).pages[1].extract_text(
        visitor_text=lambda text, cm, tm, font, size: fonts.append((text, (font or {}).get("/BaseFont", ""))))
    assert any("Complete list of themes" in t and "Bold" in f for t, f in fonts), fonts[:10]
    assert any("Themes are identified" in t and "Bold" not in f for t, f in fonts)


@needs_writers
def test_built_lancet_and_lww_running_text(built):
    lancet, default, lww = built["lancet"], built["default"], built["lww"]
    assert "Page 1 of" in default.pdf_pages[0]
    assert "Page 1 of" not in lancet.pdf_pages[0] and re.search(r"(^| )2$", lancet.pdf_pages[1])
    assert "Supplemental Digital Content. Spinal metastases" in lww.pdf_pages[0]
    assert any("Supplemental Digital Content. Spinal metastases" in x for n, x in lww.parts.items() if "header" in n)


@needs_writers
def test_built_lab_style_from_the_command_line(tmp_path, monkeypatch):
    from pypdf import PdfReader

    monkeypatch.chdir(ROOT)
    r = invoke("build", EXAMPLE, "--style", "docs/examples/lab-style.yaml", "--out", tmp_path, "-q")
    assert r.exit_code == 0, r.output
    # another style than the source's own: its own file names, so the source's outputs are not replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spinal-metastases.lab-style.docx",
                                                          "spinal-metastases.lab-style.pdf"]
    box = PdfReader(str(tmp_path / "spinal-metastases.lab-style.pdf")).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    with zipfile.ZipFile(tmp_path / "spinal-metastases.lab-style.docx") as z:
        xml = z.read("word/document.xml").decode()
        styles = z.read("word/styles.xml").decode()
    assert 'w:w="11906"' in xml and "landscape" not in xml
    assert 'w:ascii="Arial"' in styles and 'w:fill="D9D9D9"' in styles + xml
    assert "eTable 1." in _norm(_pdftotext(tmp_path / "spinal-metastases.lab-style.pdf", 1))
