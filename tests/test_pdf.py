"""The PDF writer on the reference example: content, layout, fonts, metadata, safety, speed."""

from __future__ import annotations

import builtins
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from supplement.diagnostics import Pos, SourceError
from supplement.checks.fonts import uncovered
from supplement.records import replace
from supplement.resolve.document import Finding, Paragraph, ParticipantTable, Run, ThemeBlock, ThemeTable
from supplement.pipeline import load_document
from supplement.writers import pdf as pdfwriter

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "source" / "spinal-metastases.yaml"

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _pages(path: Path) -> list[str]:
    """Text of each page in drawing order (pdftotext -raw)."""
    return _run("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-").split("\f")[:-1]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


class Furniture:
    """Strips what repeats on pages (running header, page numbers, column heads,
    '(continued)' labels) so that text split across pages reads as one."""

    def __init__(self, doc):
        theme = _theme_table(doc)
        strings = [doc.meta.header] + [h.text for h in theme.headers] + [p.text for b in theme.blocks for p in b.continued]
        strings += [f.continued.text for b in theme.blocks for f in b.findings if f.continued is not None]
        self.strings = sorted({_squash(s) for s in strings if s.strip()}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        text = _squash(text)
        for s in self.strings:
            text = text.replace(s, "")
        return text

    def pages(self, pages: list[str]) -> str:
        """All pages as one string, each without its page number (drawn last on the page)."""
        return "".join(re.sub(r"Page\d+of\d+$", "", self(page)) for page in pages)


def _theme_table(doc) -> ThemeTable:
    return next(i for i in doc.items if isinstance(i, ThemeTable))


def _write(tmp: Path, name: str, data: bytes) -> Path:
    p = tmp / name
    p.write_bytes(data)
    return p


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    doc = load_document(EXAMPLE)
    warnings = []
    data = pdfwriter.render(doc, warnings.append)
    path = _write(tmp_path_factory.mktemp("pdf"), "example.pdf", data)
    return doc, data, path, warnings


def test_renders_pdf_without_warnings(example):
    doc, data, path, warnings = example
    assert data.startswith(b"%PDF-")
    assert warnings == []


@needs_poppler
def test_every_theme_finding_and_quote_in_order_with_citation(example):
    doc, _, path, _ = example
    strip = Furniture(doc)
    text = strip.pages(_pages(path))
    at = 0
    expected = []
    for b in _theme_table(doc).blocks:
        expected.append(b.heading.text)
        for f in b.findings:
            expected.append(f.text.text)
            for q in f.quotes:
                assert any(r.role == "citation" and r.text.startswith("[") for r in q.runs)
                expected.append(q.text)  # the quote with its citation
    assert len([e for e in expected if e.startswith("“")]) == 122
    for e in expected:
        found = text.find(strip(e), at)
        assert found >= 0, f"not found (in order): {e[:80]}"
        at = found + len(strip(e))


@needs_poppler
def test_participant_table_complete(example):
    doc, _, path, _ = example
    first = _squash(_pages(path)[0])
    item = doc.items[0]
    assert isinstance(item, ParticipantTable)
    for p in item.caption + item.headers + item.notes:
        assert _squash(p.text) in first
    for row in item.rows:
        assert _squash("".join(c.text for c in row)) in first


@needs_poppler
def test_theme_table_header_repeated_on_each_page_with_continued_labels(example):
    doc, _, path, _ = example
    theme = _theme_table(doc)
    pages = _pages(path)
    start = next(i for i, p in enumerate(pages) if _squash(theme.caption[0].text) in _squash(p))
    head = "".join(_squash(h.text) for h in theme.headers)
    labels = [_squash(b.heading.text) for b in theme.blocks] + [_squash(b.continued[0].text) for b in theme.blocks]
    continued_theme_i = False
    assert len(pages) - start >= 10
    for n, page in enumerate(pages[start:]):
        body = _squash(page)
        assert head in body, f"page {start + n + 1} has no column heads"
        after = body[body.index(head) + len(head):]
        # never a header alone: a theme label or continued label, then text
        assert any(after.startswith(label) for label in labels), f"page {start + n + 1} starts with {after[:60]}"
        assert len(after) > 200
        continued_theme_i |= after.startswith(_squash(theme.blocks[0].continued[0].text))
    assert continued_theme_i  # Theme I (25 quotes) runs over several pages


def test_outline_has_items_and_themes(example):
    pypdf = pytest.importorskip("pypdf")
    doc, _, path, _ = example
    reader = pypdf.PdfReader(str(path))
    outline = reader.outline
    top = [o for o in outline if not isinstance(o, list)]
    assert [o.title.split(".")[0] for o in top] == [item.label for item in doc.items]
    theme = _theme_table(doc)
    children = outline[outline.index(top[1]) + 1]
    assert isinstance(children, list)
    themes = [o.title for o in children if not isinstance(o, list)]
    assert themes == [b.heading.text for b in theme.blocks if b.level == 0]
    assert len(themes) == 10
    subs = [o.title for lst in children if isinstance(lst, list) for o in lst]
    assert subs == [b.heading.text for b in theme.blocks if b.level == 1]
    # each entry points at the page its heading is on
    pages = _pages(path) if shutil.which("pdftotext") else None
    for o in children:
        if not isinstance(o, list) and pages:
            assert _squash(o.title) in _squash(pages[reader.get_destination_page_number(o)])
    assert reader.get_destination_page_number(top[0]) == 0


@needs_poppler
def test_all_fonts_embedded_no_base14(example):
    _, _, path, _ = example
    lines = _run("pdffonts", str(path)).splitlines()[2:]
    assert len(lines) >= 3  # regular, bold (labels, headers, themes), italic (subthemes)
    for line in lines:
        cols = line.split()
        assert "Helvetica" not in line and "Times" not in line
        assert cols[-5] == "yes", line  # emb
    assert any("LiberationSerif" in line for line in lines)


@needs_poppler
def test_metadata(tmp_path):
    doc = load_document(EXAMPLE)
    meta = replace(doc.meta, authors=("Ana Pérez", "B. Writer"))
    doc = replace(doc, meta=meta)
    path = _write(tmp_path, "m.pdf", pdfwriter.render(doc))
    info = dict(line.split(":", 1) for line in _run("pdfinfo", "-isodates", str(path)).splitlines() if ":" in line)
    info = {k: v.strip() for k, v in info.items()}
    assert info["Title"] == meta.title
    assert info["Author"] == "Ana Pérez; B. Writer"
    assert info["Subject"] == meta.subject
    assert info["Keywords"] == ", ".join(meta.keywords)
    assert info["Creator"] == "supplement"
    assert info["CreationDate"].startswith(meta.date.strftime("%Y-%m-%dT%H:%M:%S"))
    raw = path.read_bytes()
    assert b"/Lang (en-US)" in raw
    assert b"/PageMode /UseOutlines" in raw


@needs_poppler
def test_page_size_letter_landscape(example):
    _, _, path, _ = example
    assert "792 x 612 pts (letter)" in _run("pdfinfo", str(path))


@needs_poppler
def test_page_size_a4_portrait_and_other_table_look(tmp_path):
    style = tmp_path / "a4.yaml"
    style.write_text("extends: default\npage: {size: a4, orientation: portrait, margin: 20mm}\n"
                     "font: {pdf: sans, table_size: 9}\n"
                     "table: {rules: horizontal, header_shading: D9D9D9}\n"
                     "cover: {enabled: true, paragraphs: ['Supplement to: {citation}']}\n")
    doc = load_document(EXAMPLE, style=str(style))
    path = _write(tmp_path, "a4.pdf", pdfwriter.render(doc))
    info = _run("pdfinfo", "-f", "1", "-l", "99", str(path))
    sizes = re.findall(r"Page\s+\d+ size:\s+(.*)", info)
    assert sizes and all(s.startswith("595.276 x 841.89 pts (A4)") for s in sizes)
    assert "LiberationSans" in _run("pdffonts", str(path))
    pages = _pages(path)
    assert _squash("Supplemental Online Content") in _squash(pages[0])
    assert _squash(doc.items[0].caption[0].text) in _squash(pages[1])  # each item on a new page
    theme_page = next(i for i, p in enumerate(pages) if _squash(doc.items[1].caption[0].text) in _squash(p))
    assert theme_page > 1
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(path))
    links = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    targets = [reader.get_page_number(a["/Dest"][0].get_object()) for a in links]
    assert targets == [1, theme_page]  # the contents list links to each item


@needs_poppler
def test_small_pages_large_type(tmp_path):
    """A text area a few lines high: labels are dropped or quotes split as needed, nothing lost."""
    style = tmp_path / "small.yaml"
    style.write_text("extends: default\npage: {margin: 2.5in}\nfont: {size: 16, table_size: 16}\n")
    doc = load_document(EXAMPLE, style=str(style))
    warnings = []
    path = _write(tmp_path, "small.pdf", pdfwriter.render(doc, warnings.append))
    assert warnings == []
    pages = _pages(path)
    assert len(pages) > 100
    text = _squash("".join(pages))
    for b in _theme_table(doc).blocks:
        for f in b.findings:
            for q in f.quotes:  # every word is there (a quote beside a split finding interleaves)
                for word in q.text.split()[:3] + q.text.split()[-3:]:
                    assert _squash(word) in text

    style.write_text("extends: default\npage: {margin: 3in}\nfont: {size: 24, table_size: 24}\n")
    with pytest.raises(SourceError) as e:  # reported where the author can act: the longest heading
        pdfwriter.render(load_document(EXAMPLE, style=str(style)))
    (d,) = e.value.report.errors
    assert d.pos.line == 38 and "Appendix 1 cannot be laid out in the PDF" in d.message

    style.write_text("extends: default\npage: {margin: 3.5in}\n")  # no room at all: the style is refused
    with pytest.raises(SourceError) as e:
        load_document(EXAMPLE, style=str(style))
    (d,) = e.value.report.errors
    assert (d.pos.line, d.pos.col) == (2, 16) and "leaves a text area of 4.00 × 1.50 in" in d.message


DANGEROUS = [
    '<img src="/etc/passwd"/>', "<b>not bold</b>", "Q&A", '<font color=red>', "<inaudible>",
    "&amp;", '<a href="http://example.invalid/x">link</a>', "&#169;", "<br/>", "</para>",
]


def _with_quote_text(doc, texts):
    theme = _theme_table(doc)
    b = theme.blocks[0]
    f = b.findings[0]
    extra = tuple(Paragraph("quote", (Run(f"“{t}”", role="quote-text"), Run(" "), Run("[6]", role="citation")),
                            Pos("x.yaml", 10 + i, 9)) for i, t in enumerate(texts))
    nb = replace(b, findings=(replace(f, quotes=extra + f.quotes),) + b.findings[1:])
    title = Paragraph("finding", (Run("A finding with <b>markup</b> & <img src='x.png'/>"),))
    nb = replace(nb, findings=(replace(nb.findings[0], text=title),) + nb.findings[1:])
    items = tuple(replace(i, blocks=(nb,) + i.blocks[1:]) if i is theme else i for i in doc.items)
    return replace(doc, items=items)


@needs_poppler
def test_user_text_is_escaped_and_nothing_is_opened(tmp_path, monkeypatch):
    import reportlab.lib.utils as rlutils
    import urllib.request

    doc = _with_quote_text(load_document(EXAMPLE), DANGEROUS)
    fonts = {str(Path(p).resolve()) for p in doc.style.fonts.values()}
    opened = []
    real_open, real_ofr = builtins.open, rlutils.open_for_read

    def spy_open(file, *a, **k):
        opened.append(str(file))
        return real_open(file, *a, **k)

    def spy_ofr(name, *a, **k):
        opened.append(str(name))
        return real_ofr(name, *a, **k)

    def no_urls(*a, **k):
        raise AssertionError(f"URL opened: {a}")

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(rlutils, "open_for_read", spy_ofr)
    monkeypatch.setattr(urllib.request, "urlopen", no_urls)
    data = pdfwriter.render(doc)
    monkeypatch.undo()
    assert all(str(Path(p).resolve()) in fonts for p in opened if isinstance(p, str)), opened
    text = "".join(_pages(_write(tmp_path, "esc.pdf", data)))
    for t in DANGEROUS:
        assert _squash(f"“{t}” [6]") in _squash(text), t
    assert _squash("A finding with <b>markup</b> & <img src='x.png'/>") in _squash(text)
    assert b"/URI" not in data and b"/XObject" not in data


def test_markup_escapes_every_run():
    p = Paragraph("quote", (Run("<b>&amp;", role="quote-text", italic=True), Run("x", role="label"),
                            Run("2", superscript=True)))
    assert pdfwriter.markup(p) == "<i>&lt;b&gt;&amp;amp;</i><b>x</b><super>2</super>"


def test_identical_documents_give_identical_bytes(example):
    doc, data, _, _ = example
    assert pdfwriter.render(doc) == data
    assert pdfwriter.render(load_document(EXAMPLE)) == data


def test_identical_bytes_in_another_process(example, tmp_path):
    """Nothing depends on the process: string hashing, font registration order, the clock."""
    import os
    import sys

    out = tmp_path / "again.pdf"
    code = ("import sys; from pathlib import Path; from supplement.pipeline import load_document; "
            "from supplement.writers.pdf import render; "
            "Path(sys.argv[2]).write_bytes(render(load_document(sys.argv[1])))")
    env = dict(os.environ, PYTHONHASHSEED="12345", TZ="America/New_York")
    subprocess.run([sys.executable, "-c", code, str(EXAMPLE), str(out)], check=True, cwd=ROOT, env=env)
    assert out.read_bytes() == example[1]


def test_fontcheck_clean_example_reports_nothing(example):
    assert uncovered(example[0]) == []


def test_fontcheck_reports_cjk_and_emoji_with_position():
    doc = _with_quote_text(load_document(EXAMPLE), ["plain", "tumor 腫瘍 😀 end"])
    assert uncovered(doc) == [(Pos("x.yaml", 11, 9), "腫瘍😀")]


def test_fontcheck_checks_the_font_each_run_uses():
    doc = load_document(EXAMPLE)
    bold = pdfwriter.register_fonts(doc.style.fonts)["bold"]
    from reportlab.pdfbase import pdfmetrics

    cmap = pdfmetrics.getFont(bold).face.charToGlyph
    assert ord("Ω") in cmap  # Liberation has Greek; a label with it is fine
    theme = _theme_table(doc)
    cap = Paragraph("caption", (Run("Appendix Ω.", role="label", bold=True), Run(" ∰ text")), Pos("s.yaml", 3, 4))
    items = tuple(replace(i, caption=(cap,)) if i is theme else i for i in doc.items)
    assert uncovered(replace(doc, items=items)) == [(Pos("s.yaml", 3, 4), "∰")]


# ---------------------------------------------------------------- big documents


def synthetic(n_quotes: int, base=None):
    """The example's themes repeated (renumbered) until the theme table holds n_quotes quotes."""
    base = base or load_document(EXAMPLE)
    theme = _theme_table(base)
    blocks, count, copy = [], 0, 0
    while count < n_quotes:
        copy += 1
        for b in theme.blocks:
            findings = []
            for f in b.findings:
                qs = f.quotes[: max(0, n_quotes - count)]
                count += len(qs)
                findings.append(Finding(f.text, qs))
            num = f"{copy}.{b.number}"
            role = b.heading.role
            heading = Paragraph(role, (Run(f"{num} {b.title}"),))
            blocks.append(ThemeBlock(b.level, num, b.title, heading,
                                     (Paragraph(role, (Run(f"{num} {b.title} (continued)"),)),), tuple(findings),
                                     (heading,)))
            if count >= n_quotes:
                break
    items = tuple(replace(i, blocks=tuple(blocks)) if i is theme else i for i in base.items)
    return replace(base, items=items)


def _count_wraps(monkeypatch, doc) -> tuple[int, int]:
    """Line breakings: reportlab Paragraph wraps, and LineParagraph breakings (its wrap at a
    width it has broken for already costs nothing)."""
    from reportlab.platypus import paragraph

    from supplement.writers import pdf_lines

    calls = {"wrap": 0}

    def counting(real):
        def count(self, *a, **k):
            calls["wrap"] += 1
            return real(self, *a, **k)
        return count

    monkeypatch.setattr(paragraph.Paragraph, "wrap", counting(paragraph.Paragraph.wrap))
    monkeypatch.setattr(pdf_lines.LineParagraph, "_break", counting(pdf_lines.LineParagraph._break))
    data = pdfwriter.render(doc)
    monkeypatch.undo()
    pages = data.count(b"/Type /Page\n") or len(re.findall(rb"/Type /Page[^s]", data))
    return calls["wrap"], pages


def test_layout_is_linear_each_paragraph_measured_once(monkeypatch):
    base = load_document(EXAMPLE)
    small, large = synthetic(300, base), synthetic(1200, base)
    n_small = sum(1 for _ in small.paragraphs())
    n_large = sum(1 for _ in large.paragraphs())
    w_small, p_small = _count_wraps(monkeypatch, small)
    w_large, p_large = _count_wraps(monkeypatch, large)
    assert w_small > 0
    # once per paragraph, plus the two halves of a quote split at a page foot, plus labels
    assert w_small <= n_small + 3 * p_small
    assert w_large <= n_large + 3 * p_large
    assert w_large / w_small <= 4.3
    assert p_large / p_small <= 4.3


@needs_poppler
def test_quote_and_finding_taller_than_a_page_are_split(tmp_path):
    base = load_document(EXAMPLE)
    theme = _theme_table(base)
    words = " ".join(f"word{i}" for i in range(2500))
    long_quote = Paragraph("quote", (Run(f"“{words}”", role="quote-text"), Run(" "), Run("[9]", role="citation")))
    long_finding = Paragraph("finding", (Run(" ".join(f"find{i}" for i in range(1500))),))
    b1, b2 = theme.blocks[1], theme.blocks[2]
    nb1 = replace(b1, findings=(Finding(long_finding, ()),))
    nb2 = replace(b2, findings=(Finding(b2.findings[0].text, (long_quote,)),))
    items = tuple(replace(i, blocks=(theme.blocks[0], nb1, nb2) + theme.blocks[3:]) if i is theme else i
                  for i in base.items)
    doc = replace(base, items=items)
    warnings = []
    path = _write(tmp_path, "tall.pdf", pdfwriter.render(doc, warnings.append))
    assert warnings == []
    strip = Furniture(doc)
    text = strip.pages(_pages(path))
    assert strip(long_quote.text) in text
    assert strip(long_finding.text) in text
    assert text.index(strip(long_finding.text)) < text.index(strip(long_quote.text))
