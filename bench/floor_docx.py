"""Floor for the Word writer: the same tables, with the same WordprocessingML features, as raw
XML straight into a zip.

    python bench/floor_docx.py SOURCE.yaml OUT.docx

Reads the source with the fastest YAML parser installed (bench/content.py) and writes what
the Word writer writes, feature for feature, with no template, no python-docx and no
checks: a styles part with the named paragraph, character and table styles the writer
uses; every paragraph in its style and every run of a quote in its character style (the
quote, its citation, its note); each item's caption with its bookmark and a page break
before it; one table per theme or subtheme, with the table style, fixed layout, look,
caption and description, its two header rows (the column heads and the block's label
across the table, ``tblHeader``), rows that do not split (``cantSplit``), column 1 merged
down the block and the finding merged down beside its quotes (``vMerge``); the 1-point
paragraph between tables; a running header and a "Page n of N" footer with fields; core
properties. What it leaves out is only what the writer does beyond writing: reading a
template, resolving, the source's checks, and proving the XML well formed.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from content import load, theme_tables  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
OD = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CT = (HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      f'<Override PartName="/word/document.xml" ContentType="{WML}.document.main+xml"/>'
      f'<Override PartName="/word/styles.xml" ContentType="{WML}.styles+xml"/>'
      f'<Override PartName="/word/header1.xml" ContentType="{WML}.header+xml"/>'
      f'<Override PartName="/word/footer1.xml" ContentType="{WML}.footer+xml"/>'
      '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
      '</Types>')
RELS = (HEAD + f'<Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{OD}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/></Relationships>')
DOC_RELS = (HEAD + f'<Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{OD}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId2" Type="{OD}/header" Target="header1.xml"/>'
            f'<Relationship Id="rId3" Type="{OD}/footer" Target="footer1.xml"/></Relationships>')
FAMILY = "Liberation Serif"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# style id -> (type, name, pPr, rPr): the writer's named styles, same settings (default style)
_RFONTS = f'<w:rFonts w:ascii="{FAMILY}" w:hAnsi="{FAMILY}" w:cs="{FAMILY}" w:eastAsia="{FAMILY}"/>'
_B, _I = "<w:b/><w:bCs/>", "<w:i/><w:iCs/>"


def _p(size, keep=False, face="", after=0.0, before=0.0, line=1.0, ind="", jc=""):
    hs = int(round(size * 2))
    ppr = (("<w:keepNext/>" if keep else "") + f'<w:spacing w:before="{int(before * 20)}" w:after="{int(after * 20)}" '
           f'w:line="{int(240 * line)}" w:lineRule="auto"/>' + ind + (f'<w:jc w:val="{jc}"/>' if jc else ""))
    return "paragraph", ppr, f'{_RFONTS}{face}<w:sz w:val="{hs}"/><w:szCs w:val="{hs}"/>'


STYLES = {
    "SupplementCaption": ("Supplement Caption",) + _p(11, True, after=8.8, line=1.1),
    "SupplementTableHeader": ("Supplement Table Header",) + _p(10, True, _B),
    "SupplementTableText": ("Supplement Table Text",) + _p(10),
    "SupplementTheme": ("Supplement Theme",) + _p(10, True, _B),
    "SupplementSubtheme": ("Supplement Subtheme",) + _p(10, True, _I, ind='<w:ind w:left="160"/>'),
    "SupplementFinding": ("Supplement Finding",) + _p(10),
    "SupplementQuote": ("Supplement Quote",) + _p(10, after=4),
    "SupplementTableNote": ("Supplement Table Note",) + _p(9, before=5),
    "SupplementHeader": ("Supplement Header",) + _p(9),
    "SupplementFooter": ("Supplement Footer",) + _p(9, jc="center"),
    "SupplementLabel": ("Supplement Label", "character", "", _B),
    "SupplementQuoteText": ("Supplement Quote Text", "character", "", ""),
    "SupplementCitation": ("Supplement Citation", "character", "", ""),
    "SupplementNote": ("Supplement Note", "character", "", ""),
    "SupplementMark": ("Supplement Mark", "character", "", '<w:vertAlign w:val="superscript"/>'),
}
RUN_STYLE = {"quote-text": "SupplementQuoteText", "citation": "SupplementCitation", "note": "SupplementNote",
             "label": "SupplementLabel", "mark": "SupplementMark"}
LINE = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'


def styles_xml() -> str:
    out = [HEAD, f'<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr>{_RFONTS}<w:sz w:val="22"/>'
           '<w:szCs w:val="22"/><w:lang w:val="en-US"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>'
           '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
           '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>'
           '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
           '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>'
           '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
           '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
           '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
           '</w:tblCellMar></w:tblPr></w:style>']
    for sid, (name, kind, ppr, rpr) in STYLES.items():
        out.append(f'<w:style w:type="{kind}" w:customStyle="1" w:styleId="{sid}"><w:name w:val="{name}"/><w:qFormat/>'
                   + (f"<w:pPr>{ppr}</w:pPr>" if ppr else "") + f"<w:rPr>{rpr}</w:rPr></w:style>")
    borders = "".join(f"<w:{e} {LINE}/>" for e in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out.append('<w:style w:type="table" w:customStyle="1" w:styleId="SupplementTable"><w:name w:val="Supplement Table"/>'
               '<w:uiPriority w:val="99"/><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
               f'</w:pPr><w:tblPr><w:tblBorders>{borders}</w:tblBorders><w:tblCellMar><w:top w:w="40" w:type="dxa"/>'
               '<w:left w:w="86" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/><w:right w:w="86" w:type="dxa"/>'
               '</w:tblCellMar></w:tblPr></w:style></w:styles>')
    return "".join(out)


def hf(tag: str, style: str, content: str) -> str:
    return (HEAD + f'<w:{tag} xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
            f"{content}</w:p></w:{tag}>")


def field(name: str) -> str:
    return f'<w:fldSimple w:instr=" {name} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'


def core(title: str) -> str:
    return (HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title><cp:lastModifiedBy>floor</cp:lastModifiedBy><cp:revision>1</cp:revision>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>')


def run(text: str, style: str = "") -> str:
    rpr = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(content, style: str, ppr: str = "", inner=lambda runs: runs) -> str:
    """``content``: a string (one run) or (role, text) runs, each role in its character style."""
    runs = run(content) if isinstance(content, str) else "".join(run(t, RUN_STYLE.get(r, "")) for r, t in content)
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>{inner(runs)}</w:p>'


def empty(style: str) -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr></w:p>'


GAP = ('<w:p><w:pPr><w:pStyle w:val="SupplementTableText"/><w:spacing w:before="0" w:after="0" w:line="20" '
       'w:lineRule="exact"/><w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>')


def cell(content: str, width: int, tcpr: str = "") -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{tcpr}</w:tcPr>{content}</w:tc>'


def table_start(widths, caption: str, description: str = "") -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    desc = f'<w:tblDescription w:val="{escape(description, {chr(34): "&quot;"})}"/>' if description else ""
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="SupplementTable"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            '<w:tblLayout w:type="fixed"/><w:tblLook w:val="0620" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
            f'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/><w:tblCaption w:val="{escape(caption)}"/>{desc}</w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>")


def header_row(headers, widths) -> str:
    return ("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
            + "".join(cell(para(h, "SupplementTableHeader"), w) for h, w in zip(headers, widths)) + "</w:tr>")


class Body:
    def __init__(self):
        self.out = []
        self.bookmarks = 0

    def caption(self, label: str, text: str, new_page: bool) -> None:
        bid, name = self.bookmarks, f"item_{self.bookmarks + 1}"
        self.bookmarks += 1
        self.out.append(para((("label", label + "."), ("", " " + text)), "SupplementCaption",
                             "<w:pageBreakBefore/>" if new_page else "",
                             lambda runs: f'<w:bookmarkStart w:id="{bid}" w:name="{name}"/>{runs}'
                                          f'<w:bookmarkEnd w:id="{bid}"/>'))

    def participants(self, label, headers, rows) -> None:
        n = len(headers)
        widths = [12960 // n] * n
        widths[-1] += 12960 - sum(widths)
        o = self.out
        o.append(table_start(widths, label))
        o.append(header_row(headers, widths))
        for r in rows:
            o.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>"
                     + "".join(cell(para(x, "SupplementTableText"), w) for x, w in zip(r, widths)) + "</w:tr>")
        o.append("</w:tbl>")
        o.append(empty("SupplementTableNote"))

    def themes(self, label, headers, blocks) -> None:
        widths = [2333, 3888, 6739]
        c1, c2, c3 = widths
        o = self.out
        head = header_row(headers, widths)
        e1, ef, eq = empty("SupplementTableText"), empty("SupplementFinding"), empty("SupplementQuote")
        for n, (names, rows) in enumerate(theme_tables(blocks)):
            if n:
                o.append(GAP)
            o.append(table_start(widths, label, " \u2013 ".join(names)))
            o.append(head)
            styles = ("SupplementTheme", "SupplementSubtheme")
            o.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
                     + cell("".join(para(t, s) for t, s in zip(names, styles)), c1 + c2 + c3, '<w:gridSpan w:val="3"/>')
                     + "</w:tr>")
            merge1 = len(rows) > 1
            col1 = (cell(e1, c1, '<w:vMerge w:val="restart"/>' if merge1 else ""),
                    cell(e1, c1, "<w:vMerge/>" if merge1 else ""))
            down = 0  # rows of the current finding still to merge into
            for r, (_, finding, quote) in enumerate(rows):
                o.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
                o.append(col1[min(r, 1)])
                if finding:
                    down = next((k for k, row in enumerate(rows[r + 1:]) if row[1]), len(rows) - r - 1)
                    o.append(cell(para(finding[0], "SupplementFinding"), c2,
                                  '<w:vMerge w:val="restart"/>' if down else ""))
                else:
                    o.append(cell(ef, c2, "<w:vMerge/>"))
                o.append(cell(para(quote[0], "SupplementQuote") if quote else eq, c3))
                o.append("</w:tr>")
            o.append("</w:tbl>")
        o.append(empty("SupplementTableNote"))


def document(c: dict) -> str:
    b = Body()
    k = 1
    if "participants" in c:
        caption, headers, rows = c["participants"]
        b.caption("Appendix 1", caption, False)
        b.participants("Appendix 1", headers, rows)
        k = 2
    caption, headers, blocks = c["themes"]
    b.caption(f"Appendix {k}", caption, k > 1)
    b.themes(f"Appendix {k}", headers, blocks)
    return (HEAD + f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>' + "".join(b.out)
            + '<w:sectPr><w:headerReference w:type="default" r:id="rId2"/><w:footerReference w:type="default" '
            'r:id="rId3"/><w:pgSz w:w="15840" w:h="12240" w:orient="landscape"/><w:pgMar w:top="1440" '
            'w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>'
            "</w:body></w:document>")


def main(src: str, out: str) -> None:
    c = load(src, runs=True)
    parts = {
        "[Content_Types].xml": CT,
        "_rels/.rels": RELS,
        "docProps/core.xml": core(c["title"]),
        "word/document.xml": document(c),
        "word/_rels/document.xml.rels": DOC_RELS,
        "word/styles.xml": styles_xml(),
        "word/header1.xml": hf("hdr", "SupplementHeader", run(c["title"])),
        "word/footer1.xml": hf("ftr", "SupplementFooter", run("Page ") + field("PAGE") + run(" of ") + field("NUMPAGES")),
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            zi = zipfile.ZipInfo(name, ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, text.encode("utf-8"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
