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
    in the theme table where the layout asks for it (the quote gap, the group
    gap, keeping a heading-only row with the next; below). Every size, space,
    padding and rule comes from ``Document.typography``; every paragraph style
    has widow and orphan control (the PDF, too, keeps two lines either side of
    a break).

Body
    Built as one XML string (every piece of text escaped with
    ``writers.escaping.escape``) and spliced into ``word/document.xml`` in
    place of a marker paragraph once python-docx has written the package;
    the result is parsed once to prove it well formed. No ``table.cell()`` /
    ``add_row()``, and no moving of a large parsed tree into the document
    (lxml does that in quadratic time): 10,000 quotes take about 0.5 s.

Theme table: one table, the layout's rows
    The rows are the shared layout's (``resolve/layout.py``: the PDF reads the
    same rows), translated: one ``<w:tbl>`` under the item's caption, whose
    one header row (``<w:tblHeader/>``, no ``w:val``) holds the column heads,
    repeated by Word and LibreOffice at the top of each page the table runs
    onto and nowhere else. Then a row per finding: column 1 the block's label
    on its first row ("I. Elements of Disease", or a subtheme's own heading)
    with the block's outline bookmark (``item_2_1``...), column 2 the
    finding, column 3 its quotes as paragraphs, ``quote_gap`` apart (space
    below each quote but the last, so none shows at the head of a page the
    row continues on). A theme whose findings are all in its subthemes gets a
    row of its heading alone (``cantSplit``, every paragraph ``keepNext``:
    never alone at a page foot); elsewhere a theme label's style keepNext is
    switched off in its cell, so it cannot drag its row onto the next page.
    With grid rules column 1 is one cell merged down each block (``vMerge``),
    as the PDF rules only columns 2 and 3 between a block's findings; with
    other rules the group gap is extra top padding of a block's first row.

    Rows break across pages (no ``cantSplit``), so no page ends with the
    height of a row left empty (rows kept whole left pages up to a third
    empty in LibreOffice; tests/test_docx.py, "tall rows").
    LibreOffice 7.4 ignores widow and orphan control (and keep-lines) inside
    table cells: a quote's last line may head the next page there, and a
    block's first row may start with a single line at a page's foot (a
    two-line label then breaks across the pages); Word keeps two lines of
    each paragraph and a label's lines together (``keepLines`` in the theme
    and subtheme styles).

Which theme a page belongs to
    The theme table is a section of its own (a ``nextPage`` section break
    ends the section before it, and one after it when more items follow),
    whose running head ends, at a right tab, with a field
    ``STYLEREF "Supplement Theme"``: Word shows on each page the first theme
    heading on that page, or, on a page that starts none, the last one before
    it, i.e. the theme the page continues. (On a page where a new theme starts
    below rows of the one before, the head names the new theme; its label is
    in column 1 beside its first finding.) The other sections keep the plain
    running head: there STYLEREF would name a theme from elsewhere in the
    document. The field's cached text is empty: LibreOffice 7.4 does not
    evaluate STYLEREF (checked again: it prints the cached text) and shows
    the plain running head, never a stale theme; a continued page there shows
    an empty column 1 under the column heads. Subthemes are not in the running
    head: STYLEREF "Supplement Subtheme" would name a subtheme of an earlier
    theme on pages of a theme without subthemes.

    A page that continues a finding cannot say which (its first words and
    "(continued)", as the PDF does: ``Finding.continued``): Word decides the
    page breaks when it lays the file out and has no "continued" text for a
    row that breaks; STYLEREF names a paragraph style's text, not a cell's.
    The other options tried before (column 1 merged down the whole block;
    ``continued`` labels in every row; one table per block with the label as a
    second header row, which showed the theme on every page in both Word and
    LibreOffice but repeated the column heads mid-page and cost pages) are
    in the history of this file.

Contents with page numbers
    With ``cover.page_numbers`` each contents entry ends, after a dot leader
    to the right margin, with ``PAGEREF item_N \\h`` to its item's bookmark;
    ``w:updateFields`` in settings.xml makes Word update the fields when it
    opens the file (it asks first). The cached numbers are a guess from the
    length of the text (``_page_guess``). LibreOffice evaluates PAGEREF and
    shows the real pages.

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
from supplement.writers.escaping import escape

import docx as _docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from supplement.resolve.document import Document, Paragraph, ParticipantTable, TextSection, ThemeTable
from supplement.resolve import word_template
from supplement.resolve.layout import theme_rows
from supplement.resolve.typography import page_size

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
        # widow and orphan control: no line of a paragraph alone at a page's foot or head (the
        # PDF never leaves fewer than two lines on either side of a break either)
        # a theme or subtheme label never breaks across pages (the PDF breaks column 1 only on a
        # page too short for it)
        keep_lines = "<w:keepLines/>" if role in ("theme", "subtheme") else ""
        ppr = (("<w:keepNext/>" if t.keep_with_next else "") + keep_lines + "<w:widowControl/>"
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

    def __init__(self, sid: dict[str, str], st, typo, text_width: int):
        self.sid = sid
        self.typo = typo
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
        self.grid = typo.rules == "grid"

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

    def theme_table(self, item: ThemeTable) -> None:
        """One table under the item's caption: the column heads as its one header row, then
        the rows of the shared layout (``resolve.layout.theme_rows``), translated: column 1
        the block's label on its first row (with its outline bookmark) and, with grid rules,
        one cell merged down the block, as the PDF rules it; column 2 the finding; column 3
        its quotes, ``quote_gap`` apart. Rows may break across pages; a heading-only row is
        kept whole and with the next row."""
        cols = self.columns(item.widths)
        c1, c2, c3 = cols
        o = self.out
        o.append(self.table_start(cols, item.label))
        o.append(self.header_row(cols, item.headers))
        rows = theme_rows(item)
        typo = self.typo
        # the quote gap below each quote but the last in its cell (space above would show at the
        # head of a page the row continues on; below, it falls at a page's foot unseen)
        gap = (f'<w:spacing w:after="{_tw(typo.quote_gap + typo.role("quote").space_after)}"/>'
               if typo.quote_gap else "")
        # The group gap sets off each block but the first (the PDF leaves it above each theme).
        lead = (f'<w:tcMar><w:top w:w="{_tw(typo.pad_top + typo.group_gap)}" w:type="dxa"/></w:tcMar>'
                if typo.group_gap else "")
        keep = "<w:keepNext/>"
        unkeep = {role: '<w:keepNext w:val="0"/>' if typo.role(role).keep_with_next else ""
                  for role in ("theme", "subtheme")}
        empty_col1 = self.empty("table-text")
        for n, row in enumerate(rows):
            f = row.finding
            held = row.keep_next  # a heading alone: whole, and with the row below it
            o.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" if held else "<w:tr>")
            mar = lead if (row.first and n) else ""
            merge = ""
            if self.grid:
                merge = ('<w:vMerge w:val="restart"/>' if row.span > 1 else "") if row.first else "<w:vMerge/>"
            if row.first:
                paras = []
                for i, p in enumerate(row.label):
                    ppr = keep if held else unkeep.get(p.role, "")
                    if i == 0 and row.mark:
                        bid = self.bookmarks
                        self.bookmarks += 1
                        mark = f'<w:bookmarkStart w:id="{bid}" w:name="{_bookmark(row.mark[0])}"/>'
                        paras.append(self.para(p, ppr=ppr, inner=lambda runs, m=mark, b=bid:
                                               f'{m}{runs}<w:bookmarkEnd w:id="{b}"/>'))
                    else:
                        paras.append(self.para(p, ppr=ppr))
                o.append(self.cell(c1, "".join(paras) or empty_col1, merge + mar))
            else:
                o.append(self.cell(c1, empty_col1, merge))
            if f is None:
                o.append(self.cell(c2, self.para_empty("finding", keep), mar))
                o.append(self.cell(c3, self.para_empty("quote", keep), mar))
            else:
                o.append(self.cell(c2, self.para(f.text), mar))
                last = len(f.quotes) - 1
                quotes = "".join(self.para(q, ppr=gap if qi < last else "") for qi, q in enumerate(f.quotes))
                o.append(self.cell(c3, quotes or self.empty("quote"), mar))
            o.append("</w:tr>")
        o.append("</w:tbl>")

    def para_empty(self, role: str, ppr: str = "") -> str:
        if not ppr:
            return self.empty(role)
        return f'<w:p><w:pPr><w:pStyle w:val="{self.sid[PARA_STYLES[role]]}"/>{ppr}</w:pPr></w:p>'

    # -- document parts

    def cover(self, cover, items, page_numbers: bool = False, pages=()) -> None:
        """The cover page; with ``page_numbers`` each contents entry ends, after a dot leader,
        with a PAGEREF field to its item's bookmark (``pages``: the cached numbers, a guess that
        Word replaces when it updates the fields on opening the file)."""
        o = self.out
        o.append(self.para(cover.heading))
        o.extend(self.para(p) for p in cover.paragraphs)
        if cover.contents_heading:
            o.append(self.para(cover.contents_heading))
        tabs = f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{self.width}"/></w:tabs>' if page_numbers else ""
        for n, (p, item) in enumerate(zip(cover.contents, items)):
            name = _bookmark(item.anchor)
            start = f'<w:hyperlink w:anchor="{name}" w:history="1">'
            if page_numbers:
                page = str(pages[n]) if n < len(pages) else ""
                field = ('<w:r><w:tab/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                         f'<w:r><w:instrText xml:space="preserve"> PAGEREF {name} \\h </w:instrText></w:r>'
                         '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                         f'<w:r><w:t>{page}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')
            else:
                field = ""
            o.append(self.para(p, ppr=tabs, inner=lambda runs, start=start, field=field:
                               f"{start}{runs}</w:hyperlink>{field}"))
        o.extend(self.para(p) for p in cover.closing)

    def end_section(self, sectpr: str) -> None:
        """End the section here: its properties go into the last paragraph so far."""
        o = self.out
        last = o[-1] if o else ""
        if last.startswith("<w:p><w:pPr>"):
            at = last.index("</w:pPr>")
            o[-1] = last[:at] + sectpr + last[at:]
        else:
            o.append(f"<w:p><w:pPr>{sectpr}</w:pPr></w:p>")

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

    kinds = (["plain"] if doc.cover is not None else []) + [
        "theme" if isinstance(i, ThemeTable) else "plain" for i in doc.items]
    sections = _Sections(document, section, sid, doc.meta, kinds, text_width)
    b = _Body(sid, st, doc.typography, text_width)
    unit = 0
    if doc.cover is not None:
        b.cover(doc.cover, doc.items, page_numbers=bool(st.cover.page_numbers),
                pages=_page_guess(doc, section, text_width) if st.cover.page_numbers else ())
        unit = 1
    for i, item in enumerate(doc.items):
        end = sections.end_before(unit)
        if end is not None:
            b.end_section(end)
        b.item(item, new_page=bool(b.out) and end is None)
        unit += 1
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

    if st.cover.page_numbers and doc.cover is not None and doc.cover.contents:
        _update_fields(document)
    _properties(document, doc.meta)
    return _stable_zip(_members(document), splice)

# settings.xml children that come after w:updateFields (ECMA-376 CT_Settings)
_AFTER_UPDATE = {"hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
                 "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                 "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
                 "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"}


def _update_fields(document) -> None:
    """Ask Word to update the fields when it opens the file (the contents' PAGEREFs)."""
    settings = document.settings.element
    for old in settings.findall(qn("w:updateFields")):
        settings.remove(old)
    el = parse_xml(f'<w:updateFields {W} w:val="true"/>')
    for child in settings:
        if etree.QName(child).localname in _AFTER_UPDATE:
            child.addprevious(el)
            return
    settings.append(el)


def _page_guess(doc: Document, section, text_width: int) -> list[int]:
    """Each item's first page, guessed from the length of its text (characters half the type
    size wide on average): only the contents' cached page numbers, which Word replaces with the
    real ones when it opens the file (``w:updateFields``). Nothing else depends on it."""
    typo = doc.typography
    frame = max(1.0, (section.page_height - section.top_margin - section.bottom_margin) / 12700)  # points
    width = text_width / 20
    pad = typo.pad_top + typo.pad_bottom

    def height(paras, w) -> float:
        h = 0.0
        for p in paras:
            t = typo.role(p.role)
            lines = -(-max(1, len(p.text)) * t.size * 0.5 // max(w, 1.0))
            h += lines * t.leading + t.space_before + t.space_after
        return h

    def row(cells, cols) -> float:
        return max(height(c, w) for c, w in zip(cells, cols)) + pad

    def pages(h) -> int:
        return max(1, int(-(-h // frame)))

    start = 1
    if doc.cover is not None:
        start += pages(height([doc.cover.heading, *doc.cover.paragraphs, *doc.cover.contents], width))
    out = []
    for item in doc.items:
        out.append(start)
        h = height(item.caption, width) + height(item.notes, width)
        if isinstance(item, TextSection):
            h += height(item.body, width)
        else:
            cols = [f * width - 2 * typo.pad_x for f in item.widths]
            h += row([[x] for x in item.headers], cols)
            if isinstance(item, ParticipantTable):
                h += sum(row([[x] for x in r], cols) for r in item.rows)
            else:
                h += sum(row((r.label, (r.finding.text,) if r.finding else (), r.quotes), cols)
                         for r in theme_rows(item))
        start += pages(h)
    return out


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


def _header_xml(sid, meta, theme_tab: int | None = None) -> str:
    """The running header's paragraph; with ``theme_tab`` (twips) also, right-aligned there, a
    STYLEREF field to the theme headings' style: the theme the page belongs to (module
    docstring). Its cached text is empty: a reader that does not evaluate the field (LibreOffice
    7.4) shows the running header alone, never a stale theme."""
    runs = f"<w:r>{_text(meta.header)}</w:r>" if meta.header else ""
    tabs = ""
    if theme_tab is not None:
        tabs = f'<w:tabs><w:tab w:val="right" w:pos="{theme_tab}"/></w:tabs>'
        runs += ('<w:r><w:tab/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                 f'<w:r><w:instrText xml:space="preserve"> STYLEREF &quot;{_attr(PARA_STYLES["theme"])}&quot; </w:instrText></w:r>'
                 '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')
    return f'<w:p {W}><w:pPr><w:pStyle w:val="{sid[PARA_STYLES["header"]]}"/>{tabs}</w:pPr>{runs}</w:p>'


def _header_footer(section, sid, meta, theme_tab: int | None = None) -> None:
    """The running header and footer, on every page: also in a template's own first-page
    and even-page variants, where it has them."""
    header = _header_xml(sid, meta, theme_tab)
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


_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REFS = (qn("w:headerReference"), qn("w:footerReference"))
_BEFORE_TYPE = _REFS + (qn("w:footnotePr"), qn("w:endnotePr"))


_XMLNS = re.compile(r'\s+xmlns:(\w+)="[^"]*"')


def _bare(el) -> str:
    """An element as XML text without the namespace declarations it does not use (lxml
    repeats the document's on every element it serializes alone); w: and r: are declared
    around it."""
    text = etree.tostring(el, encoding="unicode")
    return _XMLNS.sub(lambda m: "" if m.group(1) in ("w", "r") or f"{m.group(1)}:" not in
                      _XMLNS.sub("", text) else m.group(0), text)


class _Sections:
    """Sections for the running theme: each run of theme-table items is a section of its own,
    whose header adds the STYLEREF field; the pages before and after it (cover, other items)
    keep the plain header, where Word's STYLEREF would name a theme from elsewhere in the
    document. ``kinds`` is the kind of each unit of the body (the cover, then each item):
    "theme" or "plain"."""

    def __init__(self, document, section, sid, meta, kinds: list[str], text_width: int):
        self.kinds = kinds
        self.xml: dict[str, str] = {}
        if "theme" not in kinds:
            _header_footer(section, sid, meta)
            return
        if all(k == "theme" for k in kinds):  # one section: its header runs the theme
            _header_footer(section, sid, meta, theme_tab=text_width)
            return
        _header_footer(section, sid, meta)
        sect = document.element.body.find(qn("w:sectPr"))
        part, rid = document.part.add_header_part()
        el = part.element
        for child in list(el):
            el.remove(child)
        el.append(parse_xml(_header_xml(sid, meta, theme_tab=text_width)))
        plain = [c for c in sect if c.tag in _REFS]
        rest = [c for c in sect if c.tag not in _REFS and c.tag != qn("w:type")]
        # the theme sections' references: the theme header for every header the plain ones have
        themed = []
        for c in plain:
            c = etree.fromstring(etree.tostring(c))
            if c.tag == qn("w:headerReference"):
                c.set(f"{{{_R_NS}}}id", rid)
            themed.append(c)

        def xml(refs):
            out = [_bare(c) for c in refs]
            at = len(out) + sum(1 for c in rest if c.tag in _BEFORE_TYPE)
            body = out + [_bare(c) for c in rest]
            body.insert(at, '<w:type w:val="nextPage"/>')
            return f'<w:sectPr xmlns:r="{_R_NS}">' + "".join(body) + "</w:sectPr>"

        self.xml = {"plain": xml(plain), "theme": xml(themed)}
        if kinds[-1] == "theme":  # the document's last section is a theme table's
            for c in [c for c in sect if c.tag in _REFS]:
                sect.remove(c)
            for c in reversed(themed):
                sect.insert(0, c)

    def end_before(self, unit: int) -> str | None:
        """The sectPr that ends the section before body unit ``unit``, if a section ends there."""
        if not self.xml or unit == 0 or self.kinds[unit] == self.kinds[unit - 1]:
            return None
        return self.xml[self.kinds[unit - 1]]


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


class _Members:
    """Where python-docx's package writer puts each part when it is not given a zip file."""

    def __init__(self):
        self.items: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        self.items.append((pack_uri.membername, blob))


def _members(document) -> list[tuple[str, bytes]]:
    """The package's members (name, bytes), in the order python-docx saves them. Taken from its
    package writer directly rather than from a zip it writes, which the stable zip would then
    read back and compress again (a third of the example's .docx time: its styles part alone
    is 350 KB). A python-docx whose writer is not as expected is saved and read back."""
    package = document.part.package
    out = _Members()
    try:
        from docx.opc.pkgwriter import PackageWriter

        parts = list(package.iter_parts())
        for part in parts:
            part.before_marshal()
        PackageWriter._write_content_types_stream(out, parts)
        PackageWriter._write_pkg_rels(out, package.rels)
        PackageWriter._write_parts(out, parts)
    except (ImportError, AttributeError, TypeError):  # another python-docx: the public way
        buf = io.BytesIO()
        document.save(buf)
        src = zipfile.ZipFile(buf)
        return [(info.filename, src.read(info.filename)) for info in src.infolist()]
    return out.items


def _stable_zip(members: list[tuple[str, bytes]], bodies: dict[str, list[str]]) -> bytes:
    """The package's members zipped, with the body text put in place of its marker paragraph,
    and fixed timestamps and attributes: equal input, equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members:
            zi = zipfile.ZipInfo(name, ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 0
            zi.external_attr = 0
            if name in bodies:
                _write_spliced(z, zi, content, bodies[name])
            else:
                z.writestr(zi, content)
    return out.getvalue()
