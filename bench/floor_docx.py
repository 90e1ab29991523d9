"""Floor for the Word writer: the same tables, with the same WordprocessingML features, as raw
XML straight into a zip.

    python bench/floor_docx.py SOURCE.yaml OUT.docx

Reads the source with the fastest YAML parser installed (bench/content.py) and writes what
the Word writer writes for the default style, feature for feature, with no template, no
python-docx and no checks:

* a styles part with the named paragraph, character and table styles the writer uses, with
  the default style's settings (widow control, "at least" leading, ``keepLines`` in the
  theme and subtheme styles);
* with a cover (the source's style asks for one: ``cover.enabled``), its heading and
  paragraphs and, with ``cover.page_numbers``, each contents entry a hyperlink to its item's
  bookmark followed, after a dot leader, by a ``PAGEREF`` field (and ``w:updateFields`` in
  settings.xml);
* each item's caption with its bookmark; the participant table (one header row, rows that
  do not split) and its notes (the marks' notes);
* the theme table as ONE table under its caption (table style, fixed layout, look,
  caption), ONE header row (``tblHeader``), then the shared layout's rows
  (``resolve/layout.py``): a row per finding, the block's label beside its first finding
  with the block's bookmark (``item_2_1``...), the theme label's keepNext switched off in
  its cell, column 1 merged down each block (``vMerge``, grid rules), the quotes as
  paragraphs ``quote_gap`` apart (spacing below each but the last); rows that may split (no
  ``cantSplit``) except a heading-only row (a theme whose findings are all in its
  subthemes: ``cantSplit``, every paragraph ``keepNext``);
* the theme table in its own Word section (``nextPage`` section breaks in the last
  paragraph before it, as the writer puts them) whose running head ends, at a right tab,
  with a ``STYLEREF "Supplement Theme"`` field; the other sections the plain running head;
  a "Page n of N" footer with fields; core properties.

What it leaves out is only what the writer does beyond writing: reading a template,
resolving (labels, numbers, citations: the default style's, computed by content.py), the
source's checks, the cached page numbers' guess, and proving the XML well formed.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from content import load  # noqa: E402

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
      f'<Override PartName="/word/header2.xml" ContentType="{WML}.header+xml"/>'
      f'<Override PartName="/word/footer1.xml" ContentType="{WML}.footer+xml"/>'
      f'<Override PartName="/word/settings.xml" ContentType="{WML}.settings+xml"/>'
      '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
      '</Types>')
RELS = (HEAD + f'<Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{OD}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/></Relationships>')
DOC_RELS = (HEAD + f'<Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{OD}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId2" Type="{OD}/header" Target="header1.xml"/>'
            f'<Relationship Id="rId3" Type="{OD}/footer" Target="footer1.xml"/>'
            f'<Relationship Id="rId4" Type="{OD}/header" Target="header2.xml"/>'
            f'<Relationship Id="rId5" Type="{OD}/settings" Target="settings.xml"/></Relationships>')
FAMILY = "Times New Roman"
TEXT_WIDTH = 12960  # twips: US letter landscape less two 1-inch margins
QUOTE_GAP = 180  # twips below each quote but the last in its cell (the default quote_gap, 9 pt)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# style id -> (type, name, pPr, rPr): the writer's named styles, same settings (default style)
_RFONTS = f'<w:rFonts w:ascii="{FAMILY}" w:hAnsi="{FAMILY}" w:cs="{FAMILY}" w:eastAsia="{FAMILY}"/>'
_B, _I = "<w:b/><w:bCs/>", "<w:i/><w:iCs/>"


def _p(size, leading, keep=False, face="", after=0.0, before=0.0, ind="", jc="", lines=False):
    hs = int(round(size * 2))
    ppr = (("<w:keepNext/>" if keep else "") + ("<w:keepLines/>" if lines else "") + "<w:widowControl/>"
           + f'<w:spacing w:before="{int(before * 20)}" w:after="{int(after * 20)}" '
           f'w:line="{int(round(leading * 20))}" w:lineRule="atLeast"/>' + ind + (f'<w:jc w:val="{jc}"/>' if jc else ""))
    return "paragraph", ppr, f'{_RFONTS}{face}<w:sz w:val="{hs}"/><w:szCs w:val="{hs}"/>'


# the default style's typography (the writer's styles.xml for a source without a style)
STYLES = {
    "SupplementCoverHeading": ("Supplement Cover Heading",) + _p(16, 19.2, True, _B, after=25.6),
    "SupplementCoverText": ("Supplement Cover Text",) + _p(10, 13, after=8),
    "SupplementContentsItem": ("Supplement Contents Item",) + _p(10, 13, after=4, ind='<w:ind w:left="360"/>'),
    "SupplementCaption": ("Supplement Caption",) + _p(10, 12.5, True, after=8),
    "SupplementTableHeader": ("Supplement Table Header",) + _p(10, 12, True, _B),
    "SupplementTableText": ("Supplement Table Text",) + _p(10, 12),
    "SupplementTheme": ("Supplement Theme",) + _p(10, 12, True, _B, lines=True),
    "SupplementSubtheme": ("Supplement Subtheme",) + _p(10, 12, True, _I, ind='<w:ind w:left="160"/>', lines=True),
    "SupplementFinding": ("Supplement Finding",) + _p(10, 12),
    "SupplementQuote": ("Supplement Quote",) + _p(10, 12),
    "SupplementTableNote": ("Supplement Table Note",) + _p(9, 10.8, before=4.5),
    "SupplementHeader": ("Supplement Header",) + _p(8.5, 10.2),
    "SupplementFooter": ("Supplement Footer",) + _p(8.5, 10.2, jc="center"),
    "SupplementLabel": ("Supplement Label", "character", "", _B),
    "SupplementQuoteText": ("Supplement Quote Text", "character", "", ""),
    "SupplementCitation": ("Supplement Citation", "character", "", ""),
    "SupplementNote": ("Supplement Note", "character", "", ""),
    "SupplementMark": ("Supplement Mark", "character", "", ""),
}
RUN_STYLE = {"bold": "bold", "quote-text": "SupplementQuoteText", "citation": "SupplementCitation", "note": "SupplementNote",
             "label": "SupplementLabel", "mark": "SupplementMark"}
LINE = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'


def styles_xml() -> str:
    out = [HEAD, f'<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr>{_RFONTS}<w:sz w:val="20"/>'
           '<w:szCs w:val="20"/><w:lang w:val="en-US"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>'
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
               f'</w:pPr><w:tblPr><w:tblBorders>{borders}</w:tblBorders><w:tblCellMar><w:top w:w="60" w:type="dxa"/>'
               '<w:left w:w="80" w:type="dxa"/><w:bottom w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/>'
               '</w:tblCellMar></w:tblPr></w:style></w:styles>')
    return "".join(out)


def hf(tag: str, style: str, content: str, ppr: str = "") -> str:
    return (HEAD + f'<w:{tag} xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>'
            f"{content}</w:p></w:{tag}>")


def field(name: str) -> str:
    return f'<w:fldSimple w:instr=" {name} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'


def complex_field(instr: str, cached: str = "") -> str:
    """A field as the writer writes PAGEREF and STYLEREF: begin, instruction, separate, cached text, end."""
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            + (f"<w:r><w:t>{cached}</w:t></w:r>" if cached else "") + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def theme_header(title: str) -> str:
    """The theme section's running head: the plain one, then at a right tab the theme the page belongs to."""
    return hf("hdr", "SupplementHeader", run(title) + "<w:r><w:tab/></w:r>" + complex_field('STYLEREF &quot;Supplement Theme&quot;'),
              f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>')


def settings(update_fields: bool) -> str:
    return (HEAD + f'<w:settings xmlns:w="{W}"><w:defaultTabStop w:val="720"/>'
            + ('<w:updateFields w:val="true"/>' if update_fields else "")  # after defaultTabStop (CT_Settings)
            + '<w:compat><w:compatSetting w:name="compatibilityMode" '
            'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>')


def core(title: str) -> str:
    return (HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title><cp:lastModifiedBy>floor</cp:lastModifiedBy><cp:revision>1</cp:revision>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>')


def run(text: str, style: str = "") -> str:
    """A run in character style ``style``; "bold": direct bold (the contents' labels, as the writer)."""
    rpr = "<w:rPr><w:b/><w:bCs/></w:rPr>" if style == "bold" else f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(content, style: str, ppr: str = "", inner=lambda runs: runs) -> str:
    """``content``: a string (one run) or (role, text) runs, each role in its character style."""
    runs = run(content) if isinstance(content, str) else "".join(run(t, RUN_STYLE.get(r, "")) for r, t in content)
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>{inner(runs)}</w:p>'


def empty(style: str, ppr: str = "") -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr></w:p>'


def cell(content: str, width: int, tcpr: str = "") -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{tcpr}</w:tcPr>{content}</w:tc>'


def table_start(widths, caption: str) -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="SupplementTable"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            '<w:tblLayout w:type="fixed"/><w:tblLook w:val="0620" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
            f'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/><w:tblCaption w:val="{escape(caption)}"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>")


def header_row(headers, widths) -> str:
    return ("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
            + "".join(cell(para(h, "SupplementTableHeader"), w) for h, w in zip(headers, widths)) + "</w:tr>")


SECT = ('<w:footerReference w:type="default" r:id="rId3"/>{type}<w:pgSz w:w="15840" w:h="12240" w:orient="landscape"/>'
        '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" '
        'w:gutter="0"/><w:cols w:space="720"/><w:docGrid w:linePitch="360"/>')


def sect_pr(kind: str, last: bool = False) -> str:
    """A section's properties: the plain running head (rId2) or the theme's (rId4); every
    section but the last starts on a new page (``nextPage``)."""
    head = f'<w:headerReference w:type="default" r:id="{"rId4" if kind == "theme" else "rId2"}"/>'
    return "<w:sectPr>" + head + SECT.format(type="" if last else '<w:type w:val="nextPage"/>') + "</w:sectPr>"


class Body:
    def __init__(self):
        self.out = []
        self.bookmarks = 0

    def bookmark(self, name: str):
        bid = self.bookmarks
        self.bookmarks += 1
        return lambda runs: f'<w:bookmarkStart w:id="{bid}" w:name="{name}"/>{runs}<w:bookmarkEnd w:id="{bid}"/>'

    def end_section(self, kind: str) -> None:
        """End the section here, as the writer does: its properties in the last paragraph so far."""
        last = self.out[-1] if self.out else ""
        if last.startswith("<w:p><w:pPr>"):
            at = last.index("</w:pPr>")
            self.out[-1] = last[:at] + sect_pr(kind) + last[at:]
        else:
            self.out.append(f"<w:p><w:pPr>{sect_pr(kind)}</w:pPr></w:p>")

    def cover(self, cv: dict, entries) -> None:
        """The cover; with page numbers each contents entry a hyperlink to its item's bookmark and,
        after a dot leader, a PAGEREF field to it (no cached page number: the writer's is a guess)."""
        o = self.out
        o.append(para(cv["heading"], "SupplementCoverHeading"))
        o.extend(para(t, "SupplementCoverText") for t in cv["paragraphs"])
        if cv["contents"]:
            if cv["contents_heading"]:
                o.append(para(cv["contents_heading"], "SupplementCoverText"))
            numbers = cv["page_numbers"]
            tabs = f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs>' if numbers else ""
            for n, (label, text) in enumerate(entries, 1):
                name = f"item_{n}"
                fld = "<w:r><w:tab/></w:r>" + complex_field(f"PAGEREF {name} \\h", str(n)) if numbers else ""
                o.append(para((("bold", label), ("", " " + text)), "SupplementContentsItem", tabs,
                              lambda runs, name=name, fld=fld:
                              f'<w:hyperlink w:anchor="{name}" w:history="1">{runs}</w:hyperlink>{fld}'))
        o.extend(para(t, "SupplementCoverText") for t in cv["closing"])

    def caption(self, label: str, text: str, new_page: bool, item: int) -> None:
        self.out.append(para((("label", label + "."), ("", " "), ("", text)), "SupplementCaption",
                             "<w:pageBreakBefore/>" if new_page else "", self.bookmark(f"item_{item}")))

    def participants(self, label, headers, rows, notes) -> None:
        n = len(headers)
        widths = [TEXT_WIDTH // n] * n
        widths[-1] += TEXT_WIDTH - sum(widths)
        o = self.out
        o.append(table_start(widths, label))
        o.append(header_row(headers, widths))
        for r in rows:
            o.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>"
                     + "".join(cell(para(x, "SupplementTableText"), w) for x, w in zip(r, widths)) + "</w:tr>")
        o.append("</w:tbl>")
        o.extend(para(note, "SupplementTableNote") for note in notes)
        if not notes:
            o.append(empty("SupplementTableNote"))

    def themes(self, label, headers, blocks, item: int) -> None:
        """One table, one header row, a row per finding (the layout's rows: resolve/layout.py)."""
        widths = [2333, 3888, 6739]
        c1, c2, c3 = widths
        o = self.out
        o.append(table_start(widths, label))
        o.append(header_row(headers, widths))
        e1, gap = empty("SupplementTableText"), f'<w:spacing w:after="{QUOTE_GAP}"/>'
        styles = ("SupplementTheme", "SupplementSubtheme")
        for bi, (level, heading, findings) in enumerate(blocks, 1):
            mark = self.bookmark(f"item_{item}_{bi}")
            rows = findings or [None]
            for fi, f in enumerate(rows):
                held = f is None  # a heading alone: whole, and with the row below it
                o.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" if held else "<w:tr>")
                if fi == 0:
                    merge = '<w:vMerge w:val="restart"/>' if len(rows) > 1 else ""
                    # the label's style keeps it with the next paragraph: not in its cell, beside its finding
                    o.append(cell(para(heading, styles[level], "<w:keepNext/>" if held else '<w:keepNext w:val="0"/>',
                                       mark), c1, merge))
                else:
                    o.append(cell(e1, c1, "<w:vMerge/>"))
                if held:
                    o.append(cell(empty("SupplementFinding", "<w:keepNext/>"), c2))
                    o.append(cell(empty("SupplementQuote", "<w:keepNext/>"), c3))
                else:
                    finding, quotes = f
                    last = len(quotes) - 1
                    o.append(cell(para(finding, "SupplementFinding"), c2))
                    o.append(cell("".join(para(q, "SupplementQuote", gap if qi < last else "")
                                          for qi, q in enumerate(quotes)) or empty("SupplementQuote"), c3))
                o.append("</w:tr>")
        o.append("</w:tbl>")
        o.append(empty("SupplementTableNote"))


def first_sentence(text: str) -> str:
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return m.group(1) if m else text


def document(c: dict) -> str:
    b = Body()
    items = []  # (label, caption, kind)
    if "participants" in c:
        items.append(("Appendix 1", c["participants"][0], "plain"))
    items.append((f"Appendix {len(items) + 1}", c["themes"][0], "theme"))
    kinds = (["plain"] if c["cover"] else []) + [k for _, _, k in items]
    if c["cover"]:
        b.cover(c["cover"], [(label + ".", first_sentence(text)) for label, text, _ in items])
    unit = len(kinds) - len(items)
    for k, (label, caption, kind) in enumerate(items, 1):
        ends = len(set(kinds)) > 1 and unit > 0 and kinds[unit] != kinds[unit - 1]
        if ends:
            b.end_section(kinds[unit - 1])
        b.caption(label, caption, new_page=bool(b.out) and not ends, item=k)
        if kind == "theme":
            b.themes(label, *c["themes"][1:], item=k)
        else:
            b.participants(label, *c["participants"][1:])
        unit += 1
    # the last section: the theme's header if it ends with the theme table (it always does here)
    return (HEAD + f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>' + "".join(b.out)
            + sect_pr(kinds[-1], last=True) + "</w:body></w:document>")


def main(src: str, out: str) -> None:
    c = load(src, runs=True)
    parts = {
        "[Content_Types].xml": CT,
        "_rels/.rels": RELS,
        "docProps/core.xml": core(c["title"]),
        "word/document.xml": document(c),
        "word/_rels/document.xml.rels": DOC_RELS,
        "word/styles.xml": styles_xml(),
        "word/settings.xml": settings(bool(c["cover"] and c["cover"]["page_numbers"] and c["cover"]["contents"])),
        "word/header1.xml": hf("hdr", "SupplementHeader", run(c["header"])),
        "word/header2.xml": theme_header(c["header"]),
        "word/footer1.xml": hf("ftr", "SupplementFooter", run("Page ") + field("PAGE") + run(" of ") + field("NUMPAGES")),
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            zi = zipfile.ZipInfo(name, ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, text.encode("utf-8"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
