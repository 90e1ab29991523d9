"""The benchmark's own logic (bench/): its yardsticks measure what they claim, and its ratios are paired.

Nothing here is timed. The floors must have the writers' features (or the ratios would
measure features, not overhead), the pandoc AST must be one pandoc reads, and a ratio
must come from the two runs of one round.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
EXAMPLE = ROOT / "source" / "spinal-metastases.yaml"


def _bench(name: str):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))  # the bench modules import each other by name
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def doc():
    from supplement.pipeline import load_document

    return load_document(EXAMPLE)


def test_ratios_are_per_pair_not_of_medians():
    run = _bench("run")
    # medians 2 and 2 would give 1.0; the pairs give 0.5, 1 and 4
    assert run.paired([1.0, 2.0, 4.0], [2.0, 2.0, 1.0]) == (1.0, 0.5, 4.0)
    assert run.paired([1.0, None], [2.0, 1.0]) == (0.5, 0.5, 0.5)
    assert run.paired([], []) is None
    assert run.fmt_spread((1.0, 0.5, 4.0), unit="×") == "1.00× (0.50–4.00)"
    assert run.fmt_spread((1.0, 1.0, 1.0)) == "1.00"


def test_round_order_puts_each_ratio_side_by_side():
    run = _bench("run")
    order = run.TASKS
    for _, a, b, _, _ in run.RATIO_COLUMNS:
        if b == "docx":  # html, md, xlsx against docx: in the same round, a few tasks apart
            continue
        assert abs(order.index(a) - order.index(b)) <= 3, (a, b)
    assert order.index("pdf-render") + 1 == order.index("floor-pdf")
    assert order.index("docx") + 1 == order.index("floor-docx")
    assert order.index("pdf") + 1 == order.index("both")  # both / max(docx, pdf): the PDF is the larger


def test_every_other_round_runs_each_pair_in_the_opposite_order():
    """A B, then B A: a machine slowing down during a round favours neither side of a ratio
    (tasks of a group, or the two sizes of a growth ratio)."""
    run = _bench("run")
    sizes = [("1000", 1000), ("10000", 10000), ("40000", 40000)]
    assert [run.counterbalanced(sizes, r)[0][1] for r in range(4)] == [1000, 40000, 1000, 40000]
    assert run.counterbalanced(("pdf", "both"), 1) == ["both", "pdf"]
    assert run.counterbalanced(("pdf", "both"), 2) == ["pdf", "both"]


def _counts(xml: bytes) -> dict:
    return {tag: len(re.findall(rb"<w:" + tag.encode() + rb"[ />]", xml))
            for tag in ("tbl", "tr", "tc", "p", "r", "vMerge", "tblHeader", "cantSplit", "gridSpan", "rStyle",
                        "pStyle", "bookmarkStart", "tblCaption", "tblDescription", "keepNext", "spacing", "sectPr",
                        "hyperlink", "instrText", "fldChar")}


def _floor_and_writer(tmp_path, source: Path):
    """The floor's package (document.xml and its other parts) and the writer's document.xml."""
    from supplement.pipeline import load_document
    from supplement.writers import FORMATS

    out = tmp_path / "floor.docx"
    _bench("floor_docx").main(str(source), str(out))
    with zipfile.ZipFile(out) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(__import__("io").BytesIO(FORMATS["docx"].render(load_document(source)))) as z:
        w_xml = z.read("word/document.xml")
    return out, parts, w_xml


def _cover_source(tmp_path) -> Path:
    """The example with a style that adds a cover whose contents have page numbers."""
    (tmp_path / "cover.yaml").write_text("extends: default\ncover:\n  enabled: true\n  page_numbers: true\n",
                                         encoding="utf-8")
    src = tmp_path / "study.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "\nstyle: default\n" in text
    src.write_text(text.replace("\nstyle: default\n", "\nstyle: cover.yaml\n"), encoding="utf-8")
    return src


def _same_features(f_xml: bytes, w_xml: bytes) -> dict:
    fc, wc = _counts(f_xml), _counts(w_xml)
    for tag in fc:
        assert abs(fc[tag] - wc[tag]) <= max(2, 0.03 * wc[tag]), (tag, fc[tag], wc[tag])
    assert abs(len(f_xml) - len(w_xml)) <= 0.05 * len(w_xml)
    return wc


def test_word_floor_has_the_writer_features(tmp_path):
    out, parts, w_xml = _floor_and_writer(tmp_path, EXAMPLE)
    f_xml = parts["word/document.xml"]
    assert {"word/styles.xml", "word/header1.xml", "word/header2.xml", "word/footer1.xml",
            "docProps/core.xml"} <= set(parts)
    wc = _same_features(f_xml, w_xml)
    # the new theme table: one table per item, one header row each, a row per finding that may split
    assert wc["tbl"] == 2 and wc["tblHeader"] == 2
    used = set(re.findall(rb'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', f_xml))
    defined = set(re.findall(rb'w:styleId="([^"]+)"', parts["word/styles.xml"]))
    assert used <= defined, used - defined
    # the theme table in its own section, whose running head names the theme
    assert b"nextPage" in f_xml and b'r:id="rId4"' in f_xml.rsplit(b"<w:sectPr>", 1)[1]
    assert b"STYLEREF &quot;Supplement Theme&quot;" in parts["word/header2.xml"]
    import docx

    d = docx.Document(str(out))  # a package python-docx opens
    assert len(d.tables) == wc["tbl"]
    assert len(d.sections) == 2


def test_word_floor_has_the_writers_cover_with_page_numbers(tmp_path):
    """A style with a cover and ``page_numbers``: the contents' hyperlinks and PAGEREF fields."""
    src = _cover_source(tmp_path)
    out, parts, w_xml = _floor_and_writer(tmp_path, src)
    f_xml = parts["word/document.xml"]
    wc = _same_features(f_xml, w_xml)
    assert wc["hyperlink"] == 2 and f_xml.count(b"PAGEREF item_") == w_xml.count(b"PAGEREF item_") == 2
    assert b"updateFields" in parts["word/settings.xml"]


def test_word_floor_files_pass_the_open_xml_validator(tmp_path):
    """The floor's packages (the example; with a cover and PAGEREF fields) are valid Open XML,
    checked by the validator tests/test_docx.py uses."""
    import ooxml_validator

    floor = _bench("floor_docx")
    src = _cover_source(tmp_path)
    files = []
    for name, source in (("example", EXAMPLE), ("cover", src)):
        floor.main(str(source), str(tmp_path / f"{name}.docx"))
        files.append(tmp_path / f"{name}.docx")
    found = ooxml_validator.validate(files)
    for f in files:
        assert found[f] == [], (f.name, found[f][:20])


def test_pdf_floor_is_the_writers_paragraphs_once(tmp_path, doc):
    import pypdf

    floor = _bench("floor_pdf")
    out = tmp_path / "floor.pdf"
    times = tmp_path / "t.json"
    floor.main([str(EXAMPLE), str(out), "--times", str(times)])
    assert set(json.loads(times.read_text())) == {"compile", "render"}
    text = "".join(p.extract_text() for p in pypdf.PdfReader(str(out)).pages)
    flat = re.sub(r"\s+", "", text)
    from supplement.resolve.document import ThemeTable

    quotes = [q for it in doc.items if isinstance(it, ThemeTable) for b in it.blocks for f in b.findings
              for q in f.quotes]
    assert len(quotes) == 122
    missing = [q.text for q in quotes if re.sub(r"\s+", "", q.text)[:40] not in flat]
    assert not missing, missing[:3]
    # nothing but the paragraphs: no repeated header rows, no '(continued)' labels, no page furniture
    heads = [it for it in doc.items if isinstance(it, ThemeTable)][0].headers
    assert flat.count(re.sub(r"\s+", "", heads[-1].text)) == 1
    assert "(continued)" not in text and "Page1of" not in flat


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
def test_pandoc_json_is_read_by_pandoc(tmp_path, doc):
    ast = _bench("to_pandoc_json").ast(doc)
    f = tmp_path / "a.json"
    f.write_text(json.dumps(ast), encoding="utf-8")
    r = subprocess.run(["pandoc", "-f", "json", "-t", "docx", str(f), "-o", str(tmp_path / "a.docx")],
                       capture_output=True, text=True)
    if r.returncode and "version" in r.stderr.lower():  # another pandoc API: the script's --api
        pytest.skip(f"pandoc's API differs from the script's default: {r.stderr[:200]}")
    assert r.returncode == 0, r.stderr
    import docx

    d = docx.Document(str(tmp_path / "a.docx"))
    tables = [it for it in doc.items if hasattr(it, "row_blocks")][0].row_blocks()
    assert len(d.tables) == 1 + len(tables)  # the participants and one per theme or subtheme
    names = {p.style.name for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs}
    assert "Supplement Quote" in names
