"""font.family in the PDF (issue 11): the installed font of that name, found with fontconfig and
embedded; a bundled stand-in with one warning naming both when it cannot be used; the
font-coverage check reads the font actually used."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from supplement.checks.fonts import uncovered
from supplement.diagnostics import Pos
from supplement.pipeline import compile_document, load_document
from supplement.records import replace
from supplement.resolve import fonts as fontres
from supplement.resolve.document import Paragraph, Run
from supplement.resolve.style import load_style
from supplement.writers import pdf as pdfwriter

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "source" / "spinal-metastases.yaml"
BUNDLED = ROOT / "supplement" / "fonts"


def _installed(family: str) -> bool:
    if shutil.which("fc-match") is None:
        return False
    out = subprocess.run(["fc-match", "-f", "%{family}", family], capture_output=True, text=True).stdout
    return family.lower() in [f.strip().lower() for f in out.split(",")]


needs_dejavu = pytest.mark.skipif(not _installed("DejaVu Serif"), reason="DejaVu Serif is not installed")


def _style(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text("extends: default\n" + text, encoding="utf-8")
    return p


@pytest.fixture(autouse=True)
def _fresh_cache():
    fontres.fc_match.cache_clear()
    fontres.pdf_fonts.cache_clear()
    yield
    fontres.fc_match.cache_clear()
    fontres.pdf_fonts.cache_clear()


def test_default_family_uses_bundled_liberation_without_warning():
    style = load_style("default", Pos("--style"))
    assert style.font.family == "Times New Roman"
    assert style.warnings == []
    assert {k: p.name for k, p in style.fonts.items()}["regular"] == "LiberationSerif-Regular.ttf"
    assert all(p.parent == BUNDLED for p in style.fonts.values())


@needs_dejavu
def test_installed_family_is_found_and_embedded(tmp_path):
    path = _style(tmp_path, "font:\n  family: DejaVu Serif\n")
    style = load_style(str(path), Pos("--style"))
    assert style.warnings == []
    assert style.fonts["regular"].name.startswith("DejaVuSerif") and style.fonts["bold"].name == "DejaVuSerif-Bold.ttf"
    doc = load_document(EXAMPLE, style=str(path))
    out = tmp_path / "dv.pdf"
    out.write_bytes(pdfwriter.render(doc))
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
        rows = [l.split() for l in listing.splitlines()[2:]]
        assert rows and all("DejaVuSerif" in r[0] for r in rows), listing
        assert all("yes" == r[-5] for r in rows), listing  # embedded
    assert pdfwriter.render(doc) == out.read_bytes()  # still identical bytes on a rebuild
    # the same family in the Word file: both formats follow font.family
    import io
    import zipfile

    from supplement.writers import docx as docxwriter

    styles = zipfile.ZipFile(io.BytesIO(docxwriter.render(doc))).read("word/styles.xml").decode()
    assert 'w:ascii="DejaVu Serif"' in styles and "Times New Roman" not in styles


def test_family_not_installed_falls_back_with_one_warning(tmp_path):
    path = _style(tmp_path, "font:\n  family: Nonexistent Serif Display\n  size: 10\n")
    doc, report = compile_document(EXAMPLE, str(path))
    assert doc is not None
    font_warnings = [d for d in report.warnings if "Nonexistent Serif Display" in d.message]
    assert len(font_warnings) == 1
    w = font_warnings[0]
    assert "Liberation Serif" in w.message and w.pos.line == 3  # at font.family in the style file
    assert all(p.parent == BUNDLED and p.name.startswith("LiberationSerif") for p in doc.style.fonts.values())
    sans = _style(tmp_path, "font:\n  family: Nonexistent Serif Display\n  pdf: sans\n", "sans.yaml")
    style = load_style(str(sans), Pos("--style"))
    assert [d.message for d in style.warnings if "Liberation Sans" in d.message]
    assert style.fonts["regular"].name == "LiberationSans-Regular.ttf"


def test_metric_compatible_stand_ins_do_not_warn(tmp_path):
    for family, expect in (("Times New Roman", "LiberationSerif"), ("Arial", "LiberationSans"),
                           ("Helvetica", "LiberationSans")):
        path = _style(tmp_path, f"font:\n  family: {family}\n", f"{family[:5]}.yaml")
        style = load_style(str(path), Pos("--style"))
        assert style.warnings == [], family
        if not _installed(family):  # the real font, where it is installed, is used instead
            assert style.fonts["regular"].name == f"{expect}-Regular.ttf", family


def test_without_fontconfig(tmp_path, monkeypatch):
    real = shutil.which
    monkeypatch.setattr(fontres.shutil, "which", lambda name, *a, **k: None if name == "fc-match" else real(name, *a, **k))
    style = load_style(str(_style(tmp_path, "font:\n  family: Arial\n")), Pos("--style"))
    assert style.warnings == [] and style.fonts["regular"].name == "LiberationSans-Regular.ttf"
    style = load_style(str(_style(tmp_path, "font:\n  family: DejaVu Serif\n", "d.yaml")), Pos("--style"))
    [w] = style.warnings
    assert "DejaVu Serif" in w.message and "fc-match" in w.message and "Liberation Serif" in w.message
    assert style.fonts["regular"].name == "LiberationSerif-Regular.ttf"


def test_unusable_installed_file_falls_back(tmp_path, monkeypatch):
    bad = tmp_path / "Broken-Regular.ttf"
    bad.write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 40)  # a TrueType header and nothing else
    monkeypatch.setattr(fontres, "fc_match", lambda family, variant: (str(bad), ("Broken Sans",)))
    pairs, warning = fontres.pdf_fonts("Broken Sans", "serif", False)
    assert "Broken Sans" in warning and "cannot be embedded" in warning and "Liberation Serif" in warning
    assert dict(pairs)["regular"].name == "LiberationSerif-Regular.ttf"


@needs_dejavu
def test_font_coverage_checks_the_font_actually_used(tmp_path):
    from reportlab.pdfbase.ttfonts import TTFontFile

    dv = load_style(str(_style(tmp_path, "font:\n  family: DejaVu Serif\n")), Pos("--style"))
    have = set(TTFontFile(str(dv.fonts["regular"])).charToGlyph)
    lack = set(TTFontFile(str(BUNDLED / "LiberationSerif-Regular.ttf")).charToGlyph)
    char = next(chr(c) for c in sorted(have - lack) if c > 0x2000)
    doc = load_document(EXAMPLE)
    caption = Paragraph("caption", (Run(f"Symbol {char} here"),), Pos("x.yaml", 4, 2))
    item = doc.items[0]

    liberation = replace(doc, items=(replace(item, caption=(caption,)),) + doc.items[1:])
    assert uncovered(liberation) == [(Pos("x.yaml", 4, 2), char)]
    dejavu = replace(liberation, style=dv)
    assert uncovered(dejavu) == []
