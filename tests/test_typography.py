"""Typography per role (issue 11): decided once from the style, read by both writers.

A style file's ``typography:`` keys reach the Word styles and the PDF's text; what it leaves
out is derived from the font sizes, and table text follows ``font.size`` unless the style
sets ``font.table_size``.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader

from conftest import invoke, trimmed_data, write_source
from supplement.diagnostics import Pos
from supplement.resolve.style import load_style
from supplement.resolve.typography import typography


def _style(tmp_path, text: str):
    p = tmp_path / "look.yaml"
    p.write_text("extends: default\n" + text, encoding="utf-8")
    return load_style(str(p), Pos("t"))


def test_defaults_derive_from_the_font_sizes(tmp_path):
    t = typography(_style(tmp_path, "font: {size: 12}\n"))
    assert t.role("caption").size == 12 and t.role("caption").leading == 15  # 1.25 lines
    assert t.role("quote").size == 12  # table text follows the body size when table_size is not set
    t = typography(_style(tmp_path, "font: {size: 12, table_size: 9}\n"))
    assert t.role("quote").size == 9 and t.role("caption").size == 12
    assert t.quote_gap == pytest.approx(9 * 1.2 * 0.75, abs=0.01)
    assert t.role("theme").bold and t.role("subtheme").italic


def test_style_keys_reach_the_typography(tmp_path):
    t = typography(_style(tmp_path, (
        "table: {rules: none}\n"
        "typography:\n  rule: 1pt\n  outer_rule: 2pt\n  cell_padding_x: 6pt\n  quote_gap: 12pt\n"
        "  roles:\n    quote: {size: 11, leading: 1.5, space_after: 3pt}\n    footer: {align: right}\n")))
    assert (t.rules, t.rule, t.outer_rule, t.pad_x, t.quote_gap) == ("none", 1.0, 2.0, 6.0, 12.0)
    q = t.role("quote")
    assert (q.size, q.leading, q.space_after) == (11, 16.5, 3.0)
    assert t.role("footer").align == "right"


@pytest.mark.parametrize("text, message", [
    ("typography: {rule: 20pt}\n", "more than 6pt"),
    ("typography: {roles: {quote: {size: 100}}}\n", "out of range"),
    ("typography: {roles: {qoute: {size: 10}}}\n", "qoute"),
    ("typography: {roles: {quote: {align: justify}}}\n", "justify"),
])
def test_bad_typography_is_a_located_error(tmp_path, text, message):
    src = write_source(tmp_path, trimmed_data(1))
    (tmp_path / "look.yaml").write_text("extends: default\n" + text, encoding="utf-8")
    r = invoke("check", src, "--style", tmp_path / "look.yaml")
    out = r.stdout + r.stderr
    assert r.exit_code == 1 and message in out and "look.yaml:" in out, out


def test_both_writers_print_the_quote_size_the_style_sets(tmp_path):
    src = write_source(tmp_path, trimmed_data(1))
    (tmp_path / "look.yaml").write_text(
        "extends: default\ntypography:\n  roles:\n    quote: {size: 13}\n    finding: {size: 7}\n", encoding="utf-8")
    r = invoke("build", src, "--style", tmp_path / "look.yaml", "--out", tmp_path / "out")
    assert r.exit_code == 0, r.stderr
    docx = next((tmp_path / "out").glob("*.docx")).read_bytes()
    styles = zipfile.ZipFile(io.BytesIO(docx)).read("word/styles.xml").decode()
    quote = styles[styles.index('w:val="Supplement Quote"'):]
    assert '<w:sz w:val="26"/>' in quote[:quote.index("</w:style>")]
    finding = styles[styles.index('w:val="Supplement Finding"'):]
    assert '<w:sz w:val="14"/>' in finding[:finding.index("</w:style>")]
    # in the PDF: the size of the glyphs of a quote's first words and of a finding's
    pdf = PdfReader(next((tmp_path / "out").glob("*.pdf")))
    sizes = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.setdefault(text.strip()[:12], size * tm[0])
    for page in pdf.pages:
        page.extract_text(visitor_text=visit)
    quote_sizes = {round(v, 1) for k, v in sizes.items() if k.startswith("“")}
    assert quote_sizes == {13.0}, quote_sizes
    assert 7.0 in {round(v, 1) for v in sizes.values()}
