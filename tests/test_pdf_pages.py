"""PDF pages as a reader sees them (issue 11): continued findings labelled, no one- or two-line
fragments of a quote at a page's top or foot, table pages not left more than a fifth empty,
and contents with the real page numbers. Everything is read back from the PDF (pdftotext -bbox)."""

from __future__ import annotations
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from supplement.pipeline import load_document
from supplement.records import replace
from supplement.resolve.document import Finding, Paragraph, QuoteParagraph, Run, ThemeTable
from supplement.resolve.style import page_size, preset_names
from supplement.writers import pdf as pdfwriter

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "source" / "spinal-metastases.yaml"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def _words(path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words: (x0, top, x1, bottom, text), y measured from the page's top."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    pages = out.split("<page ")[1:]
    return [[(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in _WORD.findall(p)]
            for p in pages]


def _theme(doc) -> ThemeTable:
    return next(i for i in doc.items if isinstance(i, ThemeTable))


class Layout:
    """Where the theme table's columns and the text frame are, from the document's style."""

    def __init__(self, doc):
        st = doc.style
        self.w, self.h = page_size(st.page)
        self.m = float(st.page.margin)
        fw = self.w - 2 * self.m
        ws = _theme(doc).widths
        self.x = [self.m, self.m + ws[0] * fw, self.m + (ws[0] + ws[1]) * fw, self.w - self.m]
        self.frame = self.h - 2 * self.m
        self.leading = doc.typography.roles["quote"].leading
        self.gap = doc.typography.quote_gap
        self.headers = [_squash(h.text) for h in _theme(doc).headers]

    def column(self, words, ci):
        """The words of column ``ci`` in the frame, in lines (top, text) from the top."""
        lines: dict[float, list] = {}
        for x0, top, x1, bottom, t in words:
            if self.x[ci] <= x0 < self.x[ci + 1] and self.m <= top and bottom <= self.h - self.m:
                lines.setdefault(round(top, 1), []).append((x0, t))
        return [(y, " ".join(t for _, t in sorted(ws))) for y, ws in sorted(lines.items())]

    def paragraphs(self, lines, start):
        """Lines from ``start`` (a y) down grouped into paragraphs by the gap between quotes."""
        paras, last = [], None
        for y, text in lines:
            if y < start:
                continue
            if last is None or y - last > self.leading + self.gap / 2:
                paras.append([])
            paras[-1].append(text)
            last = y
        return paras

    def body_top(self, words):
        """The top of the first row below the repeated header row (in whichever column
        has text first)."""
        tops = []
        for ci, head in enumerate(self.headers):
            seen = ""
            for y, text in self.column(words, ci):
                if head.startswith(_squash(seen + text)):
                    seen += text
                    continue
                tops.append(y)
                break
        return min(tops, default=self.h)


def _table_pages(doc, pages):
    """Indices of the pages that hold the theme table (they repeat its header)."""
    head = _theme(doc).headers[2].text.split()[0]
    return [i for i, ws in enumerate(pages) if any(t == head for *_, t in ws)
            and any(t == _theme(doc).headers[0].text.split()[0] for *_, t in ws)]


def _render(doc, tmp_path, name="t.pdf"):
    warnings = []
    path = tmp_path / name
    path.write_bytes(pdfwriter.render(doc, warnings.append))
    assert warnings == []
    return path


def _long_findings_doc():
    """One theme with two findings of many long quotes each, then the example's other themes."""
    base = load_document(EXAMPLE)
    theme = _theme(base)
    words = "we talked about the patient and the spine and what the family wanted for them".split()

    def quote(i, n):
        text = " ".join(words[(i + k) % len(words)] for k in range(n))
        return QuoteParagraph("quote", (Run(f"“{text} {i}.”", role="quote-text"), Run(" "), Run(f"[{i}]", role="citation")))

    f1 = Paragraph("finding", (Run("Alpha finding says the first thing about treatment choices."),))
    f2 = Paragraph("finding", (Run("Beta finding says a second and different thing."),))
    cont = lambda p: Paragraph("finding", (Run(" ".join(p.text.split()[:3]) + "… (continued)"),))  # noqa: E731
    q1 = tuple(quote(i, 30 + 37 * (i % 5)) for i in range(40))
    q2 = tuple(quote(100 + i, 25 + 41 * (i % 4)) for i in range(40))
    b0 = replace(theme.blocks[0], findings=(Finding(f1, q1, None, cont(f1)), Finding(f2, q2, None, cont(f2))))
    items = tuple(replace(i, blocks=(b0,) + theme.blocks[1:]) if i is theme else i for i in base.items)
    return replace(base, items=items), (f1, q1), (f2, q2)


def _squash(s):
    return re.sub(r"\s+", "", s)


def test_a_page_continuing_a_finding_names_it(tmp_path):
    doc, (f1, q1), (f2, q2) = _long_findings_doc()
    path = _render(doc, tmp_path)
    pages = _words(path)
    lay = Layout(doc)
    owner = {}  # a quote's first words -> its finding
    for f, qs in ((f1, q1), (f2, q2)):
        for q in qs:
            owner[_squash(q.text)] = f
    checked = {f1.text: 0, f2.text: 0}
    for pi in _table_pages(doc, pages)[1:]:
        ws = pages[pi]
        top = lay.body_top(ws)
        quotes = lay.paragraphs(lay.column(ws, 2), top)
        if not quotes:
            continue
        first = _squash(" ".join(quotes[0]))
        # the finding whose quote (or the rest of it) opens the page
        f = next((f for k, f in owner.items() if first and (k.endswith(first) or k.startswith(first))), None)
        if f is None:
            continue
        findings_col = _squash(" ".join(t for y, t in lay.column(ws, 1) if y >= top - 1))
        starts_with_quote = first.startswith("“")
        label = _squash(" ".join(f.text.split()[:3]) + "… (continued)")
        if findings_col.startswith(_squash(f.text)[:20]):
            continue  # the finding itself starts on this page
        assert findings_col.startswith(label), (pi + 1, findings_col[:60], starts_with_quote)
        checked[f.text] += 1
    assert checked[f1.text] >= 1 and checked[f2.text] >= 1, checked


def test_example_continued_finding_labels(tmp_path):
    doc = load_document(EXAMPLE)
    path = _render(doc, tmp_path)
    pages = _words(path)
    lay = Layout(doc)
    labels = [_squash(f.continued.text) for b in _theme(doc).blocks for f in b.findings]
    starts = [_squash(f.text.text)[:25] for b in _theme(doc).blocks for f in b.findings]
    shown = 0
    for pi in _table_pages(doc, pages)[1:]:
        ws = pages[pi]
        top = lay.body_top(ws)
        col = _squash(" ".join(t for y, t in lay.column(ws, 1) if y >= top - 1))
        # every continuation page's findings column opens with a finding or a finding's label
        assert any(col.startswith(x) for x in labels + starts), (pi + 1, col[:80])
        shown += any(col.startswith(x) for x in labels)
    assert shown >= 5


def _fragments(doc, path):
    """(page, lines) for each piece of a quote split across a page break, on either side."""
    pages = _words(path)
    lay = Layout(doc)
    out = []
    tp = _table_pages(doc, pages)
    for a, b in zip(tp, tp[1:]):
        if b != a + 1:
            continue
        before = lay.paragraphs(lay.column(pages[a], 2), lay.body_top(pages[a]))
        after = lay.paragraphs(lay.column(pages[b], 2), lay.body_top(pages[b]))
        if before and after and not after[0][0].startswith("“"):  # the page opens inside a quote
            out.append((a + 1, len(before[-1]), b + 1, len(after[0])))
    return out


def test_no_one_or_two_line_fragments_of_a_quote(tmp_path):
    doc, _, _ = _long_findings_doc()
    splits = _fragments(doc, _render(doc, tmp_path))
    assert splits, "the generated source should split quotes across pages"
    for page, n_before, next_page, n_after in splits:
        assert n_before >= 3 and n_after >= 3, (page, n_before, next_page, n_after)
    doc = load_document(EXAMPLE)
    for page, n_before, next_page, n_after in _fragments(doc, _render(doc, tmp_path, "ex.pdf")):
        assert n_before >= 3 and n_after >= 3, (page, n_before, next_page, n_after)


def test_short_quote_moves_whole():
    para = pdfwriter.RLParagraph(" ".join(["word"] * 40), pdfwriter.ParagraphStyle("q", fontSize=10, leading=12))
    item = pdfwriter._Item(para)
    lines = round(item.height(200) / 12)
    assert lines == 5
    for avail in (12 * k + 1 for k in range(1, 5)):
        assert pdfwriter._split_item(item, 200, avail) is None  # 5 lines: never 3 + 2 or 2 + 3
    long = pdfwriter._Item(pdfwriter.RLParagraph(" ".join(["word"] * 200), para.style))
    n = round(long.height(200) / 12)
    first, rest = pdfwriter._split_item(long, 200, 12 * (n - 1) + 1)
    assert round(first.h / 12) == n - 3 and round(rest.h / 12) == 3
    assert pdfwriter._split_item(long, 200, 12 * 2 + 1) is None


def _empty_below(doc, path):
    """(page, points left empty below the table's last row, excused) for each page of the theme table but its last."""
    pages = _words(path)
    lay = Layout(doc)
    theme = _theme(doc)
    keep = {_squash(b.heading.text) for b in theme.blocks if not b.findings}
    cont = _squash(doc.style.table.continued)
    tp = _table_pages(doc, pages)
    out = []
    for a, b in zip(tp, tp[1:]):
        bottom = max(w[3] for w in pages[a] if lay.m <= w[1] and w[3] <= lay.h - lay.m)
        col0 = lay.column(pages[b], 0)
        top = lay.body_top(pages[b])
        opening = _squash(" ".join(t for y, t in col0 if y >= top - 1))
        # a heading kept with its next row (not the same heading's '(continued)' label)
        excused = any(opening.startswith(k) and not opening.startswith(k + cont) for k in keep)
        out.append((a + 1, lay.h - lay.m - bottom, excused))
    return out


@pytest.mark.parametrize("preset", preset_names())
def test_table_pages_not_a_fifth_empty(preset, tmp_path):
    doc = load_document(EXAMPLE, style=preset)
    lay = Layout(doc)
    for page, empty, excused in _empty_below(doc, _render(doc, tmp_path)):
        assert excused or empty <= 0.2 * lay.frame, (preset, page, empty, lay.frame)


def test_generated_table_pages_not_a_fifth_empty(tmp_path):
    from tests.test_pdf import synthetic

    doc = synthetic(500)
    lay = Layout(doc)
    measured = _empty_below(doc, _render(doc, tmp_path))
    assert len(measured) > 30
    for page, empty, excused in measured:
        assert excused or empty <= 0.2 * lay.frame, (page, empty, lay.frame)
    doc, _, _ = _long_findings_doc()
    for page, empty, excused in _empty_below(doc, _render(doc, tmp_path, "long.pdf")):
        assert excused or empty <= 0.2 * lay.frame, (page, empty, lay.frame)


def test_contents_page_numbers_are_the_pages_of_the_captions(tmp_path):
    doc = load_document(EXAMPLE, style="lancet")
    assert doc.style.cover.page_numbers
    path = _render(doc, tmp_path)
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                           text=True).stdout.split("\f")
    entries = [re.sub(r"\s+", " ", p.text).strip() for p in doc.cover.contents]
    found = 0
    for item, entry in zip(doc.items, entries):
        line = next(l for l in pages[0].splitlines() if entry[:30] in re.sub(r"\s+", " ", l))
        number = int(line.split()[-1])
        caption = re.sub(r"\s+", " ", doc.items[doc.items.index(item)].caption[0].text)[:30]
        where = [i + 1 for i, p in enumerate(pages) if i > 0 and caption in re.sub(r"\s+", " ", p)]
        assert where and where[0] == number, (entry, number, where)
        found += 1
    assert found == len(doc.items) >= 2


def test_no_contents_numbers_unless_the_style_asks(tmp_path):
    doc = load_document(EXAMPLE, style="lancet")
    style = doc.style
    style.cover.page_numbers = False
    try:
        path = _render(doc, tmp_path)
    finally:
        style.cover.page_numbers = True
    first = subprocess.run(["pdftotext", "-layout", "-l", "1", str(path), "-"], check=True, capture_output=True,
                           text=True).stdout
    lines = [l for l in first.splitlines() if "Table S" in l]
    assert lines and all(not re.search(r"\s\d+$", l.rstrip()) for l in lines)


def test_contents_numbers_identical_bytes_and_a_contents_entry_longer_than_a_page(tmp_path):
    doc = load_document(EXAMPLE, style="lancet")
    assert pdfwriter.render(doc) == pdfwriter.render(doc)
    words = " ".join(f"word{i}" for i in range(3000))  # a caption with no full stop: all of it is listed
    entry = Paragraph("contents-item", (Run("Table S1:", bold=True), Run(" " + words)))
    doc = replace(doc, cover=replace(doc.cover, contents=(entry,) + doc.cover.contents[1:]))
    path = _render(doc, tmp_path)
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                           text=True).stdout.split("\f")
    text = re.sub(r"\s+", " ", " ".join(pages))
    assert "word0 " in text and "word2999" in text
    last = next(i for i, p in enumerate(pages) if "word2999" in p)
    line = next(l for l in pages[last].splitlines() if "word2999" in l)
    caption = re.sub(r"\s+", " ", doc.items[0].caption[0].text)[:30]
    where = next(i + 1 for i, p in enumerate(pages) if i > last and caption in re.sub(r"\s+", " ", p))
    assert int(line.split()[-1]) == where  # the number follows the entry's last line
