"""Word writer: a resolved Document as the bytes of a .docx file.

Package and styles
    python-docx supplies the package: the user's ``word_template``, rebuilt from
    its styles, numbering, theme, layout settings and page setup alone
    (``resolve/word_template.py``), or python-docx's default template. Every paragraph role of
    the model is a named paragraph style ("Supplement Quote", "Supplement
    Theme", ... see PARA_STYLES), every run role a character style
    ("Supplement Citation", "Supplement Label", ...), and the tables use the
    table style "Supplement Table" (borders, header fill). Styles are looked up
    by name, ignoring case, as pandoc does with a reference.docx: a template
    may restyle any of them; what it lacks is added from ``doc.style`` (fonts,
    sizes, rules) with a warning. Direct formatting is written only where the
    model asks for more than the role's style gives (a bold caption sentence),
    for the page break before each item (no style setting asks for it), and
    in the theme table for the 1-point paragraph between two tables and the
    label row's cell look (below).

Body
    Built as one XML string (every piece of text escaped with
    ``xml.sax.saxutils.escape``) and spliced into ``word/document.xml`` in
    place of a marker paragraph once python-docx has written the package;
    the result is parsed once to prove it well formed. No ``table.cell()`` /
    ``add_row()``, and no moving of a large parsed tree into the document
    (lxml does that in quadratic time): 10,000 quotes take about 0.5 s.

Theme table: one table per block, one row per quote
    Each theme and each subtheme (a "block") is a table of its own, whose two
    header rows (``<w:tblHeader/>``, no ``w:val``) are the column heads and a
    row across the table naming the block: "I. Elements of Disease", or for a
    subtheme its theme's heading over its own ("I. Elements of Disease" /
    "A. Failure of Initial Treatment"), in the theme and subtheme styles.
    Word and LibreOffice repeat header rows at the top of every page a table
    runs onto, so every page of the theme table shows the column heads and
    which theme (and subtheme) its rows belong to, wherever the pages break;
    the writer cannot know where they do. Below the label, column 2 (the
    finding) is merged down the rows of its quotes (``vMerge``), so each
    finding stands beside its own quotes; column 1 is empty (with grid rules,
    one merged cell, so no rules cross it); rows do not split (``cantSplit``),
    so a quote never breaks across pages unless it is taller than a page; the
    label keeps with the row below it (its styles have ``keepNext``). A theme
    without findings of its own gets no table: its heading labels each of its
    subthemes' tables. Consecutive tables are kept apart by a 1-point empty
    paragraph, or Word would join them into one.

    A block that starts part-way down a page starts with the column heads
    again: it cannot leave them out, as it may run onto the next page. With
    grid rules the two tables' borders meet as a double rule; with
    horizontal rules a block's table has no rule below it (the next table's
    top rule closes it) and only the last is ruled below.

    Word gives every header row the table style's first-row look (ECMA-376
    17.18.89) where LibreOffice gives it to the first row only, so the label
    row cancels it (no header shading, no rule under it) and looks the same
    in both. LibreOffice 7.4 draws the bottom rule of a merged cell that runs
    onto another page at the foot of its first page instead of under the
    table: with horizontal rules the table's ruled last row is therefore kept
    out of the last finding's merged cell (when it has three or more quotes;
    with no rules inside, this shows nowhere else). With grid rules every row
    is ruled, so a page break closes the table cleanly (LibreOffice rules a
    merged cell at a page break; unruled rows beside it looked broken).

Which theme a continued page belongs to: the options tried
    Checked in LibreOffice 7.4, reasoning about Word where it differs:

    * column 1 merged down the whole block (the seed's look): a continuation
      page shows an empty column 1, so the reader cannot tell the theme;
    * a STYLEREF field in the page header: right in Word, but LibreOffice 7.4
      does not evaluate STYLEREF and prints the cached text on every page
      (stale, hence misleading);
    * the continued label every third of a page, by estimated row heights:
      a page can still start with unlabelled rows;
    * the model's ``continued`` paragraphs in small grey italics in column 1
      of every row after the block's first: right everywhere, but a subtheme's
      every row carried a four-line grey label; abbreviating it ("I.A.
      (continued)") made it quieter but told the reader only a number;
    * one table per block, the label in column 1 of its own header row (not
      across the table): the label wraps in the narrow column beside two
      empty cells, taller for no gain;
    * the column heads in the page header of a section of their own, and
      only the label as a header row: no column heads repeated mid-page, but
      the heads sit apart from the table, need a first-page variant under
      the caption, and are no longer the table's header cells for a screen
      reader or pandoc.

    The header-row label is used: it is right on every page in Word and
    LibreOffice, shown once per page rather than on every row, and it is the
    table's own header, so pandoc and screen readers read it as one. The
    model's ``continued`` paragraphs are not needed. The cost is an empty
    column 1 below the label, and a page or so more than one long table.

Determinism
    The zip is rewritten with fixed timestamps and python-docx's stable part
    order; dates come from ``doc.meta.date``; bookmark ids are sequential.
    Equal Documents give identical bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timezone
from xml.sax.saxutils import escape

import docx as _docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from supplement.resolve.document import Document, Paragraph, ParticipantTable, TextSection, ThemeTable
from supplement.resolve import word_template
from supplement.resolve.style import page_size

W = nsdecls("w")
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# Model paragraph role -> Word paragraph style name. These names are the contract
# with a user's Word template (docs: a template may define any of them).
PARA_STYLES = {
    "cover-heading": "Supplement Cover Heading",
    "cover-text": "Supplement Cover Text",
    "contents-item": "Supplement Contents Item",
    "caption": "Supplement Caption",
    "table-header": "Supplement Table Header",
    "table-text": "Supplement Table Text",
    "theme": "Supplement Theme",
    "subtheme": "Supplement Subtheme",
    "finding": "Supplement Finding",
    "quote": "Supplement Quote",
    "table-note": "Supplement Table Note",
    "header": "Supplement Header",
    "footer": "Supplement Footer",
    "section-heading": "Supplement Section Heading",
    "section-text": "Supplement Section Text",
    "list-item": "Supplement List Item",
}
# Styles only a document with text sections needs (added only then, so that other documents
# keep their bytes).
TEXT_STYLES = ("Supplement Section Heading", "Supplement Section Text", "Supplement List Item")
# Model run role -> Word character style name.
CHAR_STYLES = {
    "label": "Supplement Label",
    "quote-text": "Supplement Quote Text",
    "citation": "Supplement Citation",
    "note": "Supplement Note",
    "mark": "Supplement Mark",
}
TABLE_STYLE = "Supplement Table"

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_MARKER = "supplement-body-5f0c2b"
_RELS_DROPPED = (
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
)


def _tw(points: float) -> int:
    """Points -> twentieths of a point (twips), the unit of most Word lengths."""
    return int(round(points * 20))


# Characters XML 1.0 cannot hold. The resolver never lets them through; should one come
# anyway it is shown as U+FFFD rather than making a broken file or a crash.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", str(text))


def _attr(text: str) -> str:
    return escape(_xml_safe(text), {'"': "&quot;"})


def _bookmark(anchor: str) -> str:
    """A Word bookmark name: letters, digits and _, starting with a letter, at most 40 characters."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", anchor)
    if not name[:1].isalpha():
        name = "b" + name
    return name[:40]


# ---------------------------------------------------------------- styles


def _style_defs(st, typo) -> dict[str, tuple[str, str]]:
    """Style name -> (type, XML after <w:name>) for every style the writer uses, from the
    document's typography (leading as an "at least" line spacing, as the PDF's leading)."""
    family = _attr(st.font.family)
    bold, italic = "<w:b/><w:bCs/>", "<w:i/><w:iCs/>"

    def para(role):
        t = typo.roles[role]
        hs = int(round(t.size * 2))
        ind = ""
        if t.indent or t.hanging:
            ind = f'<w:ind w:left="{_tw(t.indent)}"' + (f' w:hanging="{_tw(t.hanging)}"' if t.hanging else "") + "/>"
        ppr = (("<w:keepNext/>" if t.keep_with_next else "")
               + f'<w:spacing w:before="{_tw(t.space_before)}" w:after="{_tw(t.space_after)}" '
               f'w:line="{_tw(t.leading)}" w:lineRule="atLeast"/>' + ind
               + (f'<w:jc w:val="{t.align}"/>' if t.align != "left" else ""))
        face = (bold if t.bold else "") + (italic if t.italic else "")
        rpr = (f'<w:rFonts w:ascii="{family}" w:hAnsi="{family}" w:cs="{family}" w:eastAsia="{family}"/>'
               f'{face}<w:sz w:val="{hs}"/><w:szCs w:val="{hs}"/>')
        return ("paragraph", f"<w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr>")

    defs = {name: para(role) for role, name in PARA_STYLES.items()}

    def char(rpr=""):
        return ("character", f"<w:qFormat/><w:rPr>{rpr}</w:rPr>")

    defs["Supplement Label"] = char(bold)
    defs["Supplement Quote Text"] = char(italic if st.quotes.italic else "")
    defs["Supplement Citation"] = char()
    defs["Supplement Note"] = char()
    defs["Supplement Mark"] = char('<w:vertAlign w:val="superscript"/>' if st.notes.superscript else "")

    def line(points):
        return f'w:val="single" w:sz="{max(2, min(96, int(round(points * 8))))}" w:space="0" w:color="000000"'

    nil = 'w:val="nil"'
    if typo.rules == "grid":
        borders = "".join(f"<w:{e} {line(typo.rule)}/>" for e in ("top", "left", "bottom", "right", "insideH", "insideV"))
        header_rule = ""
    elif typo.rules == "horizontal":  # rules above and below the header row and below the last row only
        borders = (f"<w:top {line(typo.outer_rule)}/><w:left {nil}/><w:bottom {line(typo.outer_rule)}/><w:right {nil}/>"
                   f"<w:insideH {nil}/><w:insideV {nil}/>")
        header_rule = f"<w:tcBorders><w:bottom {line(typo.rule)}/></w:tcBorders>"
    else:  # none
        borders = "".join(f"<w:{e} {nil}/>" for e in ("top", "left", "bottom", "right", "insideH", "insideV"))
        header_rule = ""
    fill = st.table.header_shading
    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{_attr(fill)}"/>' if fill else ""
    first_row = (f'<w:tblStylePr w:type="firstRow"><w:tblPr/><w:tcPr>{header_rule}{shd}</w:tcPr></w:tblStylePr>'
                 if header_rule or shd else "")
    m_top, m_bottom, m_x = _tw(typo.pad_top), _tw(typo.pad_bottom), _tw(typo.pad_x)
    defs[TABLE_STYLE] = (
        "table",
        '<w:uiPriority w:val="99"/><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        f"<w:tblPr><w:tblBorders>{borders}</w:tblBorders>"
        f'<w:tblCellMar><w:top w:w="{m_top}" w:type="dxa"/><w:left w:w="{m_x}" w:type="dxa"/>'
        f'<w:bottom w:w="{m_bottom}" w:type="dxa"/><w:right w:w="{m_x}" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        + first_row)
    return defs


def _install_styles(document, st, typo, from_template: bool, warn, text: bool = False) -> dict[str, str]:
    """Style name -> style id. A style the document lacks is added (with a warning if the
    document is the user's template)."""
    styles = document.styles.element
    existing: dict[str, tuple[str, str]] = {}
    ids = set()
    for s in styles.findall(qn("w:style")):
        sid = s.get(qn("w:styleId"))
        ids.add(sid)
        name = s.find(qn("w:name"))
        if name is not None and name.get(qn("w:val")):
            existing.setdefault(name.get(qn("w:val")).casefold(), (s.get(qn("w:type")), sid))
    out = {}
    for name, (kind, xml) in _style_defs(st, typo).items():
        if name in TEXT_STYLES and not text:
            continue
        found = existing.get(name.casefold())
        if found and found[0] == kind:
            out[name] = _attr(found[1])  # every id goes into an attribute: escaped, whatever it holds
            continue
        if from_template:
            if found:
                warn(f"template style '{name}' is not a {kind} style; added a {kind} style '{name} ({kind})'")
                name_written = f"{name} ({kind})"
            else:
                warn(f"template lacks style '{name}'; added")
                name_written = name
        else:
            name_written = name
        sid = base = re.sub(r"[^A-Za-z0-9]", "", name_written)
        n = 1
        while sid in ids:
            n += 1
            sid = f"{base}{n}"
        ids.add(sid)
        styles.append(parse_xml(f'<w:style {W} w:type="{kind}" w:customStyle="1" w:styleId="{sid}">'
                                f'<w:name w:val="{_attr(name_written)}"/>{xml}</w:style>'))
        out[name] = sid
    return out


# ---------------------------------------------------------------- body


_BREAKS = re.compile(r"(\t|\r\n|\n|\r)")


def _text(text: str) -> str:
    """Run content for text: tabs and line breaks become <w:tab/> and <w:br/>; the rest is escaped."""
    out = []
    for piece in _BREAKS.split(_xml_safe(text)):
        if not piece:
            continue
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece in ("\n", "\r", "\r\n"):
            out.append("<w:br/>")
        else:
            out.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return "".join(out)


_JC = {"left": "left", "center": "center", "right": "right"}


class _Body:
    """Builds the document body as a list of XML strings."""

    def __init__(self, sid: dict[str, str], st, text_width: int):
        self.sid = sid
        self.width = text_width  # twips
        self.out: list[str] = []
        self.bookmarks = 0
        # what each character style already gives: direct formatting only for the rest
        self.gives = {
            "label": {"bold"},
            "quote-text": {"italic"} if st.quotes.italic else set(),
            "mark": {"superscript"} if st.notes.superscript else set(),
        }
        self.empty_cache: dict[str, str] = {}
        self.grid = st.table.rules == "grid"
        # The label row is a header row, and Word gives every header row the table style's
        # first-row look (ECMA-376 17.18.89); LibreOffice gives it to the first row only.
        # Cancel it on the label row, so both show the same: no header shading, no header rule.
        self.label_tcpr = (("" if self.grid else '<w:tcBorders><w:bottom w:val="nil"/></w:tcBorders>')
                           + ('<w:shd w:val="clear" w:color="auto" w:fill="auto"/>'
                              if st.table.header_shading else ""))

    # -- paragraphs

    def runs(self, p: Paragraph) -> str:
        parts = []
        for r in p.runs:
            if not r.text:
                continue
            rpr = f'<w:rStyle w:val="{self.sid[CHAR_STYLES[r.role]]}"/>' if r.role in CHAR_STYLES else ""
            gives = self.gives.get(r.role, ())
            if r.bold and "bold" not in gives:
                rpr += "<w:b/><w:bCs/>"
            if r.italic and "italic" not in gives:
                rpr += "<w:i/><w:iCs/>"
            if r.superscript and "superscript" not in gives:
                rpr += '<w:vertAlign w:val="superscript"/>'
            parts.append(f"<w:r><w:rPr>{rpr}</w:rPr>{_text(r.text)}</w:r>" if rpr else f"<w:r>{_text(r.text)}</w:r>")
        return "".join(parts)

    def para(self, p: Paragraph, style: str | None = None, ppr: str = "", inner=None) -> str:
        """A paragraph in the style of its role (or ``style``); ``inner`` wraps the runs."""
        name = style or PARA_STYLES[p.role]
        runs = self.runs(p)
        if inner is not None:
            runs = inner(runs)
        return f'<w:p><w:pPr><w:pStyle w:val="{self.sid[name]}"/>{ppr}</w:pPr>{runs}</w:p>'

    def empty(self, role: str) -> str:
        xml = self.empty_cache.get(role)
        if xml is None:
            style = self.sid[PARA_STYLES[role]]
            xml = self.empty_cache[role] = f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr></w:p>'
        return xml

    # -- tables

    def columns(self, widths) -> list[int]:
        total = sum(widths) or 1.0
        cols = [max(1, int(round(f / total * self.width))) for f in widths]
        cols[-1] += self.width - sum(cols)
        return cols

    def table_start(self, cols: list[int], label: str, description: str = "", borders: str = "") -> str:
        grid = "".join(f'<w:gridCol w:w="{c}"/>' for c in cols)
        desc = f'<w:tblDescription w:val="{_attr(description)}"/>' if description else ""
        return (f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.sid[TABLE_STYLE]}"/>'
                f'<w:tblW w:w="{sum(cols)}" w:type="dxa"/>{borders}<w:tblLayout w:type="fixed"/>'
                '<w:tblLook w:val="0620" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
                'w:noHBand="1" w:noVBand="1"/>'
                f'<w:tblCaption w:val="{_attr(label)}"/>{desc}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>')

    @staticmethod
    def cell(width: int, content: str, tcpr: str = "") -> str:
        return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{tcpr}</w:tcPr>{content}</w:tc>'

    def header_row(self, cols, headers, jc=()) -> str:
        jc = list(jc) + [""] * (len(headers) - len(jc))
        cells = "".join(self.cell(w, self.para(h, PARA_STYLES["table-header"], j)) for w, h, j in zip(cols, headers, jc))
        return f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{cells}</w:tr>"

    def participant_table(self, item: ParticipantTable) -> None:
        cols = self.columns(item.widths)
        o = self.out
        o.append(self.table_start(cols, item.label))
        # a column's alignment, on its header and every cell (w:jc; "left" is the styles' own)
        jc = [f'<w:jc w:val="{_JC[a]}"/>' if a != "left" else ""
              for a in (item.column_align(i) for i in range(len(item.headers)))]
        o.append(self.header_row(cols, item.headers, jc))
        style = PARA_STYLES["table-text"]
        for row in item.rows:
            cells = [self.cell(w, self.para(p, style, j)) for w, p, j in zip(cols, row, jc)]
            cells += [self.cell(w, self.empty("table-text")) for w in cols[len(row):]]
            o.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(cells) + "</w:tr>")
        o.append("</w:tbl>")

    def gap(self) -> str:
        """A 1-point empty paragraph between two tables: without it Word joins them into one."""
        return (f'<w:p><w:pPr><w:pStyle w:val="{self.sid[PARA_STYLES["table-text"]]}"/>'
                '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
                '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>')

    @staticmethod
    def block_labels(item: ThemeTable):
        """(block, label paragraphs) for each block that gets a table of its own
        (``ThemeTable.row_blocks``), labelled by its headings: a subtheme's are its theme's and
        its own, so a theme whose findings are all in its subthemes labels their tables."""
        return [(b, b.headings) for b in item.row_blocks()]

    def theme_table(self, item: ThemeTable) -> None:
        cols = self.columns(item.widths)
        c1, c2, c3 = cols
        o = self.out
        header = self.header_row(cols, item.headers)
        labelled = self.block_labels(item)
        if not labelled:  # no themes: the column heads alone
            o.extend((self.table_start(cols, item.label), header, "</w:tbl>"))
            return
        span = f'<w:gridSpan w:val="3"/>{self.label_tcpr}'
        # Horizontal rules: a block's table ends without a rule, as the next block's table starts
        # with one; only the last table is ruled below (see the module docstring).
        open_end = "" if self.grid else '<w:tblBorders><w:bottom w:val="nil"/></w:tblBorders>'
        # (column 1's empty cells are table text: the theme styles keep with the next row)
        empty_col1, empty_finding, empty_quote = self.empty("table-text"), self.empty("finding"), self.empty("quote")
        for n, (b, label) in enumerate(labelled):
            last_table = n == len(labelled) - 1
            if n:
                o.append(self.gap())
            o.append(self.table_start(cols, item.label, " \u2013 ".join(p.text for p in label),
                                      "" if last_table else open_end))
            o.append(header)
            # the block's label: a second header row, across the table
            paras = "".join(self.para(p) for p in label)
            o.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
                     + self.cell(c1 + c2 + c3, paras, span) + "</w:tr>")
            rows = sum(max(1, len(f.quotes)) for f in b.findings) or 1
            # Column 1 is empty below the label; with grid rules it is one merged cell, so no
            # rules cross it. (Without vertical rules nothing shows there, merged or not.)
            merge1 = self.grid and rows > 1
            col1 = [self.cell(c1, empty_col1, '<w:vMerge w:val="restart"/>' if merge1 else "")]
            col1.append(self.cell(c1, empty_col1, "<w:vMerge/>" if merge1 else ""))
            if not b.findings:  # nothing beside the label: one empty row
                o.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + col1[0]
                         + self.cell(c2, empty_finding) + self.cell(c3, empty_quote) + "</w:tr>")
            r = 0
            for f in b.findings:
                quotes = f.quotes or (None,)
                down = len(quotes)  # rows the finding's cell is merged down
                if last_table and not self.grid and f is b.findings[-1] and down >= 3:
                    down -= 1  # the table's ruled last row stays out of the merge (module docstring)
                for qi, q in enumerate(quotes):
                    o.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
                    o.append(col1[min(r, 1)])
                    r += 1
                    if qi == 0:  # the finding, merged down beside its own quotes
                        merge = '<w:vMerge w:val="restart"/>' if down > 1 else ""
                        o.append(self.cell(c2, self.para(f.text), merge))
                    else:
                        o.append(self.cell(c2, empty_finding, "<w:vMerge/>" if qi < down else ""))
                    o.append(self.cell(c3, self.para(q) if q is not None else empty_quote))
                    o.append("</w:tr>")
            o.append("</w:tbl>")

    # -- document parts

    def cover(self, cover, items) -> None:
        o = self.out
        o.append(self.para(cover.heading))
        o.extend(self.para(p) for p in cover.paragraphs)
        if cover.contents_heading:
            o.append(self.para(cover.contents_heading))
        for p, item in zip(cover.contents, items):
            start = f'<w:hyperlink w:anchor="{_bookmark(item.anchor)}" w:history="1">'
            o.append(self.para(p, inner=lambda runs, start=start: f"{start}{runs}</w:hyperlink>"))
        o.extend(self.para(p) for p in cover.closing)

    def item(self, item, new_page: bool) -> None:
        o = self.out
        for i, p in enumerate(item.caption):
            if i == 0:
                bid = self.bookmarks
                self.bookmarks += 1
                mark = f'<w:bookmarkStart w:id="{bid}" w:name="{_bookmark(item.anchor)}"/>'
                o.append(self.para(p, ppr="<w:pageBreakBefore/>" if new_page else "",
                                   inner=lambda runs: f'{mark}{runs}<w:bookmarkEnd w:id="{bid}"/>'))
            else:
                o.append(self.para(p))
        if isinstance(item, TextSection):
            o.extend(self.para(p) for p in item.body)
            return
        if isinstance(item, ParticipantTable):  # and DataTable, a table of the same shape
            self.participant_table(item)
        else:
            self.theme_table(item)
        o.extend(self.para(p) for p in item.notes)
        if not item.notes:  # a table may not end the document or touch the next item's table
            o.append(self.empty("table-note"))


# ---------------------------------------------------------------- the document


def render(doc: Document, warn=lambda message: None) -> bytes:
    """The .docx file for ``doc``, as bytes (the caller writes them)."""
    st = doc.style
    template = st.word_template
    if template:  # the template rebuilt from its styles, numbering, theme and page setup alone
        rebuilt = st.get("template") or word_template.read(template)
        document = _docx.Document(io.BytesIO(rebuilt.package))
    else:
        document = _docx.Document()
    body = document.element.body
    for child in list(body):  # a template's content is not ours; its final sectPr (page setup) is
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _drop_parts(document)
    sid = _install_styles(document, st, doc.typography, bool(template), warn,
                          text=any(isinstance(i, TextSection) for i in doc.items))
    _defaults(document, st, doc.meta.language, own=not template)

    section = document.sections[0]
    if not template:
        _page_setup(section, st)
    text_width = int(round((section.page_width - section.left_margin - section.right_margin) / 635))

    b = _Body(sid, st, text_width)
    if doc.cover is not None:
        b.cover(doc.cover, doc.items)
    for i, item in enumerate(doc.items):
        b.item(item, new_page=bool(b.out))
    if not b.out:
        b.out.append(b.empty("cover-text"))
    sect = body.find(qn("w:sectPr"))
    splice = {}
    if document.element.nsmap.get("w") == _W_NS:
        # The body goes in as text once python-docx has written the package: moving a
        # large parsed tree into the document costs lxml time quadratic in its size.
        splice["word/document.xml"] = b.out
        elements = [parse_xml(f"<w:p {W}><w:r><w:t>{_MARKER}</w:t></w:r></w:p>")]
    else:  # a template that names the namespace otherwise: the slow, general way
        elements = list(parse_xml(f"<w:body {W}>{''.join(b.out)}</w:body>"))
    for el in elements:
        if sect is not None:
            sect.addprevious(el)
        else:
            body.append(el)

    _header_footer(section, sid, doc.meta)
    _properties(document, doc.meta)
    buf = io.BytesIO()
    document.save(buf)
    return _stable_zip(buf.getvalue(), splice)


def _drop_parts(document) -> None:
    """Parts that would contradict the output: Word 2010's copy of the styles
    (stylesWithEffects, without ours) and the template's preview picture."""
    part = document.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype in _RELS_DROPPED:
            part.drop_rel(rid)
    pkg_rels = document.part.package.rels
    for rid, rel in list(pkg_rels.items()):
        if rel.reltype in _RELS_DROPPED:
            del pkg_rels[rid]


def _defaults(document, st, language: str, own: bool) -> None:
    """Document defaults: the language always; font, size and spacing only in our own template."""
    styles = document.styles.element
    dd = styles.find(qn("w:docDefaults"))
    if dd is None:
        dd = parse_xml(f"<w:docDefaults {W}/>")
        styles.insert(0, dd)
    rpd = dd.find(qn("w:rPrDefault"))
    if rpd is None:
        rpd = parse_xml(f"<w:rPrDefault {W}/>")
        dd.insert(0, rpd)
    rpr = rpd.find(qn("w:rPr"))
    if rpr is None:
        rpr = parse_xml(f"<w:rPr {W}/>")
        rpd.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if own:
        family = _attr(st.font.family)
        hs = int(round(float(st.font.size) * 2))
        keep = [lang] if lang is not None else []
        for child in list(rpr):
            rpr.remove(child)
        fonts = f'<w:rFonts {W} w:ascii="{family}" w:hAnsi="{family}" w:cs="{family}" w:eastAsia="{family}"/>'
        for el in [parse_xml(fonts), parse_xml(f'<w:sz {W} w:val="{hs}"/>'),
                   parse_xml(f'<w:szCs {W} w:val="{hs}"/>')] + keep:
            rpr.append(el)
        ppd = dd.find(qn("w:pPrDefault"))
        if ppd is not None:
            dd.remove(ppd)
        dd.append(parse_xml(f'<w:pPrDefault {W}><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
                            "</w:pPr></w:pPrDefault>"))
        # Word 2013+ layout rather than Word 2010 compatibility mode
        for cs in document.settings.element.iter(qn("w:compatSetting")):
            if cs.get(qn("w:name")) == "compatibilityMode":
                cs.set(qn("w:val"), "15")
    if lang is None:
        lang = parse_xml(f"<w:lang {W}/>")
        rpr.append(lang)  # w:lang comes after every other child we write or keep
    lang.set(qn("w:val"), _xml_safe(language))


def _page_setup(section, st) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Twips

    w, h = page_size(st.page)
    landscape = w > h
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Twips(_tw(w)), Twips(_tw(h))
    margin = float(st.page.margin)
    m = Twips(_tw(margin))
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = m
    section.header_distance = section.footer_distance = Twips(_tw(margin / 2))
    section.gutter = Twips(0)


def _header_footer(section, sid, meta) -> None:
    """The running header and footer, on every page: also in a template's own first-page
    and even-page variants, where it has them."""
    runs = f"<w:r>{_text(meta.header)}</w:r>" if meta.header else ""
    header = f'<w:p {W}><w:pPr><w:pStyle w:val="{sid[PARA_STYLES["header"]]}"/></w:pPr>{runs}</w:p>'
    parts = []
    for kind, value in meta.footer:
        if kind in ("page", "pages"):
            field = "PAGE" if kind == "page" else "NUMPAGES"
            parts.append(f'<w:fldSimple w:instr=" {field} "><w:r><w:t>1</w:t></w:r></w:fldSimple>')
        elif value:
            parts.append(f"<w:r>{_text(value)}</w:r>")
    footer = f'<w:p {W}><w:pPr><w:pStyle w:val="{sid[PARA_STYLES["footer"]]}"/></w:pPr>{"".join(parts)}</w:p>'
    for hf, xml, variant in ((section.header, header, False), (section.footer, footer, False),
                             (section.first_page_header, header, True), (section.first_page_footer, footer, True),
                             (section.even_page_header, header, True), (section.even_page_footer, footer, True)):
        if variant and hf.is_linked_to_previous:  # the template has no such variant
            continue
        hf.is_linked_to_previous = False
        el = hf._element
        for child in list(el):
            el.remove(child)
        el.append(parse_xml(xml))


def _property(text: str) -> str:
    """A core property value: python-docx (and Word's UI) hold at most 255 characters."""
    text = _xml_safe(text)
    return text if len(text) <= 255 else text[:254].rstrip() + "…"


def _properties(document, meta) -> None:
    cp = document.core_properties
    cp.title = _property(meta.title)
    cp.author = _property("; ".join(meta.authors))
    cp.subject = _property(meta.subject)
    cp.keywords = _property("; ".join(meta.keywords))
    cp.language = _property(meta.language)
    cp.comments = ""
    date = meta.date
    if date.tzinfo is not None:  # core.xml holds UTC ("...Z")
        date = date.astimezone(timezone.utc).replace(tzinfo=None)
    cp.created = cp.modified = date
    cp.last_modified_by = "supplement"
    cp.revision = 1


class _WellFormed:
    """A parser target that keeps nothing: lxml checks the XML is well formed without
    building a tree of it (a tree of 40,000 quotes would take hundreds of megabytes)."""

    def start(self, tag, attrib):
        pass

    def end(self, tag):
        pass

    def data(self, text):
        pass

    def close(self):
        return None


_CHUNK = 1 << 20  # characters of body text encoded, checked and compressed at a time


def _write_spliced(z: zipfile.ZipFile, zi: zipfile.ZipInfo, content: bytes, pieces: list[str]) -> None:
    """Write a part with the body pieces in place of its marker paragraph, a chunk at a time:
    neither the whole body text nor its parsed tree is ever held in memory."""
    marker = f"<w:p><w:r><w:t>{_MARKER}</w:t></w:r></w:p>".encode()
    if content.count(marker) != 1:
        raise AssertionError(f"body marker not found once in {zi.filename}")
    head, tail = content.split(marker)
    parser = etree.XMLParser(target=_WellFormed(), huge_tree=True)
    with z.open(zi, "w") as out:
        def put(data: bytes) -> None:
            parser.feed(data)  # well-formed, or fail here rather than in Word
            out.write(data)

        put(head)
        batch, size = [], 0
        for piece in pieces:
            batch.append(piece)
            size += len(piece)
            if size >= _CHUNK:
                put("".join(batch).encode("utf-8"))
                batch, size = [], 0
        put("".join(batch).encode("utf-8"))
        put(tail)
        parser.close()


def _stable_zip(data: bytes, bodies: dict[str, list[str]]) -> bytes:
    """The package again, with the body text put in place of its marker paragraph, and
    fixed timestamps and attributes: equal input, equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            content = src.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 0
            zi.external_attr = 0
            if info.filename in bodies:
                _write_spliced(z, zi, content, bodies[info.filename])
            else:
                z.writestr(zi, content)
    return out.getvalue()
