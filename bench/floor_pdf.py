"""The honest floor of the PDF writer's approach: its own paragraphs, each wrapped once and
drawn once with reportlab on pages, and nothing else.

    python bench/floor_pdf.py SOURCE.yaml OUT.pdf [--times FILE]

The source is read, checked and resolved by supplement itself (``compile_document``,
as ``supplement build`` does), so the text, the runs and the styles are the writer's:
every paragraph is made with the PDF writer's own ``register_fonts``, ``_styles`` and
``markup`` (supplement/writers/pdf.py) at the width the writer wraps it at (a table
cell's inner width, or the text width), wrapped once with reportlab's ``Paragraph.wrap``
and drawn once with ``drawOn`` on a page of the writer's size and margins, with the
writer's canvas settings (invariant, compressed pages, binary streams). Table rows are placed as the
writer places them (a finding beside its quotes, the heading beside its first finding),
so the page count is about the writer's; a paragraph that does not fit below the last
one goes to the next page.

Nothing else: no table (no rules, shading, header rows repeated on each page,
'(continued)' labels), no splitting of a paragraph between pages, no bookmarks, no running
header or footer, no "Page n of N". A writer built on reportlab's line breaker cannot be
faster than this; one with its own faster line breaker can.

``--times FILE`` writes the CPU seconds of the two stages as JSON:
{"compile": …, "render": …} (render: from the Document to the PDF's bytes, fonts
registered included).
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph as RLParagraph

from supplement.pipeline import load_document
from supplement.resolve.document import ParticipantTable, TextSection
from supplement.resolve.style import page_size
from supplement.writers import FORMATS
from supplement.writers.pdf import _styles, binary_streams, markup, register_fonts

PAD_X, PAD_Y = 4.0, 7.0  # the writer's cell padding: 4 pt each side; 3 above and 4 below a row
BIG = 1e9


class Pages:
    """A canvas, a column of text top-down, and a new page when the next thing does not fit."""

    def __init__(self, doc):
        st = doc.style
        self.fonts = register_fonts(st.fonts)
        self.styles = _styles(doc.typography, self.fonts)
        self.nbsp = 0xA0 in pdfmetrics.getFont(self.fonts["regular"]).face.charToGlyph
        self.page = page_size(st.page)
        self.margin = float(st.page.margin)
        self.width = self.page[0] - 2 * self.margin
        self.top = self.page[1] - self.margin
        self.buf = io.BytesIO()
        self.c = Canvas(self.buf, pagesize=self.page, invariant=1, pageCompression=1)
        self.c.setTitle(doc.meta.title)
        self.c.setAuthor("; ".join(doc.meta.authors))
        self.y = self.top
        self.blank = True

    def para(self, p, width):
        """The writer's paragraph for ``p``, wrapped once at ``width``: (flowable, height)."""
        style = self.styles.get(p.role) or self.styles["table-text"]
        f = RLParagraph(markup(p, self.nbsp), style)
        return f, f.wrap(width, BIG)[1]

    def new_page(self):
        if not self.blank:
            self.c.showPage()
        self.y, self.blank = self.top, True

    def room(self, h):
        if self.y - h < self.margin and not self.blank:
            self.new_page()

    def flow(self, p, width=None, x=0.0):
        width = width or self.width
        f, h = self.para(p, width)
        self.room(h)
        f.drawOn(self.c, self.margin + x, self.y - h)
        self.y -= h
        self.blank = False

    def row(self, cols, xs, widths, gap=0.0):
        """One table row (a finding and its quotes, a participant): columns side by side from the
        same top; the items of the last column (``gap`` apart, as the writer sets quotes) go on as long as the row needs, a new page when
        the next one does not fit."""
        first = [[self.para(p, w - 2 * PAD_X) for p in col] for col, w in zip(cols, widths)]
        head_h = max((sum(h for _, h in col[:1]) for col in first), default=0.0)
        self.room(head_h + PAD_Y)
        top = self.y - PAD_Y / 2
        bottom = top
        for ci, col in enumerate(first[:-1]):
            y = top
            for f, h in col:
                f.drawOn(self.c, self.margin + xs[ci] + PAD_X, y - h)
                y -= h
                self.blank = False
            bottom = min(bottom, y)
        y = top
        for i, (f, h) in enumerate(first[-1]):
            if i:
                y -= gap
            if y - h < self.margin and y < top:
                self.new_page()
                y = bottom = self.top
            f.drawOn(self.c, self.margin + xs[-1] + PAD_X, y - h)
            y -= h
            self.blank = False
        self.y = min(bottom, y) - PAD_Y / 2
        self.blank = False

    def table(self, item):
        widths = [f * self.width for f in item.widths]
        widths[-1] = self.width - sum(widths[:-1])
        xs = [sum(widths[:i]) for i in range(len(widths))]
        self.row([[h] for h in item.headers], xs, widths)
        if isinstance(item, ParticipantTable):
            for r in item.rows:
                self.row([[c] for c in r], xs, widths)
            return
        gap = self.styles["quote"].leading * 0.75  # the writer's space between two quotes in a cell
        for b in item.blocks:
            for fi, f in enumerate(b.findings or (None,)):
                self.row([[b.heading] if fi == 0 else [], [f.text] if f else [], list(f.quotes) if f else []],
                         xs, widths, gap)

    def save(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def render(doc) -> bytes:
    with binary_streams():  # the writer's stream encoding
        return _render(doc)


def _render(doc) -> bytes:
    doc = FORMATS["pdf"].renderable(doc)
    pages = Pages(doc)
    if doc.cover:
        cv = doc.cover
        for p in (cv.heading, *cv.paragraphs, *((cv.contents_heading,) if cv.contents_heading else ()),
                  *cv.contents, *cv.closing):
            pages.flow(p)
    for item in doc.items:
        pages.new_page()
        for p in item.caption:
            pages.flow(p)
        if isinstance(item, TextSection):
            for p in item.body:
                pages.flow(p)
            continue
        pages.table(item)
        for p in item.notes:
            pages.flow(p)
    return pages.save()


def main(argv) -> None:
    src, out = argv[0], argv[1]
    times = argv[argv.index("--times") + 1] if "--times" in argv else None
    t0 = time.process_time()
    doc = load_document(src)
    t1 = time.process_time()
    data = render(doc)
    t2 = time.process_time()
    Path(out).write_bytes(data)
    if times:
        Path(times).write_text(json.dumps({"compile": t1 - t0, "render": t2 - t1}))


if __name__ == "__main__":
    main(sys.argv[1:])
