"""Floor for the PDF writer: the same text as bare reportlab Paragraphs in plain Tables.

    python bench/floor_pdf.py SOURCE.yaml OUT.pdf

Same page (US Letter landscape, 1in margins), same bundled fonts (Liberation
Serif, registered with its bold and italic faces), same text size, same three
column widths; per theme or subtheme its column heads, its label and one row per
quote, in tables of at most CHUNK rows so that layout stays linear. No headers
repeated across pages, no "(continued)", no keep-together: what any
reportlab-based writer must at least do.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from content import load, theme_tables  # noqa: E402

from reportlab.lib import colors  # noqa: E402
from reportlab.lib.pagesizes import landscape, letter  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle  # noqa: E402
from xml.sax.saxutils import escape  # noqa: E402

FONTS = Path(__file__).resolve().parent.parent / "supplement" / "fonts"
CHUNK = 20
GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")])


def fonts() -> None:
    for face, file in (("", "Regular"), ("-Bold", "Bold"), ("-Italic", "Italic"), ("-BoldItalic", "BoldItalic")):
        pdfmetrics.registerFont(TTFont("LiberationSerif" + face, str(FONTS / f"LiberationSerif-{file}.ttf")))
    pdfmetrics.registerFontFamily("LiberationSerif", normal="LiberationSerif", bold="LiberationSerif-Bold",
                                  italic="LiberationSerif-Italic", boldItalic="LiberationSerif-BoldItalic")


def main(src: str, out: str) -> None:
    c = load(src)
    fonts()
    body = ParagraphStyle("body", fontName="LiberationSerif", fontSize=10, leading=12)
    head = ParagraphStyle("head", parent=body, fontName="LiberationSerif-Bold")

    def P(text, style=body):
        return Paragraph(escape(text), style)

    page = landscape(letter)
    width = page[0] - 144
    story = []
    if "participants" in c:
        caption, headers, rows = c["participants"]
        n = len(headers)
        story.append(P("Appendix 1. " + caption))
        table = [[P(h, head) for h in headers]] + [[P(x) for x in r] for r in rows]
        for i in range(0, len(table), CHUNK):
            story.append(Table(table[i:i + CHUNK], colWidths=[width / n] * n, style=GRID))
    caption, headers, blocks = c["themes"]
    story.append(P(f"Appendix {1 + ('participants' in c)}. " + caption))
    widths = [width * f for f in (0.18, 0.3, 0.52)]
    for label, rows in theme_tables(blocks):
        table = [[P(h, head) for h in headers], [[P(t, head) for t in label], "", ""]]
        table += [[[P(x) for x in cell] or "" for cell in row] for row in rows]
        for i in range(0, len(table), CHUNK):
            story.append(Table(table[i:i + CHUNK], colWidths=widths, style=GRID))
    SimpleDocTemplate(out, pagesize=page, leftMargin=72, rightMargin=72, topMargin=72, bottomMargin=72,
                      title=c["title"]).build(story)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
