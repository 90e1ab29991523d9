"""Floor for the Word writer: the same tables as raw WordprocessingML, straight into a zip.

    python bench/floor_docx.py SOURCE.yaml OUT.docx

Reads the source with the fastest YAML parser installed and writes the tables the
Word writer writes (one per theme or subtheme, with its column heads and a label
row), one paragraph per text, no styles, no properties beyond a grid: what any
Word writer must at least do.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from content import load, theme_tables  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/word/document.xml" '
      'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>')


def esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{esc(text)}</w:t></w:r></w:p>'


def cell(paras, width: int) -> str:
    body = "".join(para(t) for t in paras) or "<w:p/>"
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{body}</w:tc>'


def table(headers, rows, widths, label=None) -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    out = [f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>',
           '<w:tr><w:trPr><w:tblHeader/></w:trPr>' + "".join(cell([h], w) for h, w in zip(headers, widths)) + "</w:tr>"]
    if label:
        out.append('<w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc><w:tcPr>'
                   f'<w:tcW w:w="{sum(widths)}" w:type="dxa"/><w:gridSpan w:val="{len(widths)}"/></w:tcPr>'
                   + "".join(para(t) for t in label) + "</w:tc></w:tr>")
    for row in rows:
        out.append("<w:tr>" + "".join(cell(c, w) for c, w in zip(row, widths)) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def document(c: dict) -> str:
    body = []
    if "participants" in c:
        caption, headers, rows = c["participants"]
        n = len(headers)
        body.append(para("Appendix 1. " + caption))
        body.append(table(headers, [[[x] for x in r] for r in rows], [12960 // n] * n))
    caption, headers, blocks = c["themes"]
    body.append(para(f"Appendix {1 + ('participants' in c)}. " + caption))
    for i, (label, rows) in enumerate(theme_tables(blocks)):
        if i:
            body.append("<w:p/>")
        body.append(table(headers, rows, [2333, 3888, 6739], label))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}"><w:body>'
            + "".join(body) + '<w:sectPr><w:pgSz w:w="15840" w:h="12240" w:orient="landscape"/></w:sectPr>'
            "</w:body></w:document>")


def main(src: str, out: str) -> None:
    xml = document(load(src))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", xml)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
