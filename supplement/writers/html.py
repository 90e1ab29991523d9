"""HTML writer: a resolved Document as one self-contained page (inline CSS, no script).

Structure
    ``<html lang>`` from the source; a ``<main>`` holding the cover (when the style has
    one), a contents list (the cover's entries, else each item's outline text), and one
    ``<section>`` per item: a ``<table>`` whose ``<caption>`` is the item's label and
    caption, ``<thead>`` with ``<th scope="col">`` column heads, and the notes below.
    Participant rows are headed by their number (``<th scope="row">``). The theme table
    has one ``<tbody>`` per theme or subtheme, headed by a ``<th scope="rowgroup">`` in
    column 1 that spans the block's rows and holds its headings (a subtheme's: its
    theme's and its own, as the Word file labels it); each finding spans the rows of its
    quotes; one row per quote. A theme without findings of its own gets no rows: its
    heading heads each of its subthemes' groups.

Look
    The style's fonts and sizes (the Word font first, the PDF's bundled Liberation
    family as the fallback), rules, header shading and column widths. On screen the
    column heads and the block headings stick to the top while their rows scroll by.
    The print stylesheet uses the style's page size and margins, the running header
    and "Page n of N" footer in the page margins, starts each item on a new page,
    repeats the column heads on every page, and never splits a participant row, a
    finding or a quote across pages (a theme's rows do break between pages: a row of
    the theme table is kept whole only by its cells, as Chromium keeps a row with a
    cell spanning rows below it whole, pushing the table off the page). A page that
    continues a theme shows the column heads but not the theme: browsers repeat a
    table's head, not a row group's header; the PDF and Word files label every page.

Safety and determinism
    Every piece of text is escaped (``html.escape``); characters HTML cannot hold are
    shown as U+FFFD; text put into CSS strings is escaped for CSS. Equal Documents give
    identical bytes: nothing depends on the time or the machine.
"""

from __future__ import annotations

import html
import re

from supplement.resolve.document import Document, Paragraph, ParticipantTable, ThemeTable
from supplement.resolve.typography import page_size

# Controls (other than tab and line breaks), lone surrogates and non-characters.
_NOT_HTML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
# After the style's Word font: the PDF's bundled family (metric-compatible), then the usual names.
_FALLBACK = {"serif": ("Liberation Serif", "Times New Roman", "Times", "serif"),
             "sans": ("Liberation Sans", "Arial", "Helvetica", "sans-serif")}


def esc(text: str) -> str:
    return html.escape(_NOT_HTML.sub("\ufffd", str(text)), quote=True)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: everything but letters, digits and spaces escaped."""
    safe = _NOT_HTML.sub("\ufffd", str(text))
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in safe) + '"'


def runs(p: Paragraph) -> str:
    out = []
    for r in p.runs:
        if not r.text:
            continue
        t = esc(r.text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
        if r.superscript:
            t = f"<sup>{t}</sup>"
        if r.italic:
            t = f"<i>{t}</i>"
        if r.bold:
            t = f"<b>{t}</b>"
        out.append(f'<span class="{r.role}">{t}</span>' if r.role else t)
    return "".join(out)


def para(p: Paragraph, tag: str = "p", attrs: str = "") -> str:
    return f'<{tag} class="{p.role}"{attrs}>{runs(p)}</{tag}>'


def _css(doc: Document) -> str:
    st = doc.style
    generic = _FALLBACK[st.font.pdf][-1]
    family = ", ".join([css_string(st.font.family)] + [css_string(f) for f in _FALLBACK[st.font.pdf][:-1]
                                                       if f.casefold() != st.font.family.casefold()] + [generic])
    t = doc.typography
    body, tsize = t.role("cover-text").size, t.role("table-text").size
    w, h = page_size(st.page)
    margin = float(st.page.margin)
    grid, ruled = t.rules == "grid", t.rules == "horizontal"
    rule = f"{t.rule}pt solid #000"
    cell_border = f"border: {rule};" if grid else "border: 0;"
    table_border = f"border-top: {t.outer_rule}pt solid #000; border-bottom: {t.outer_rule}pt solid #000;" if ruled else ""
    head_rule = f"border-bottom: {rule};" if ruled else ""
    shade = f"background: #{st.table.header_shading};" if st.table.header_shading else "background: #fff;"
    weight = "bold" if st.table.header_bold else "normal"
    footer = " ".join(css_string(t) if kind == "text" else f"counter({kind})" for kind, t in doc.meta.footer) or '""'
    header = css_string(doc.meta.header)
    return f"""
html {{ font-family: {family}; font-size: {body}pt; line-height: 1.3; color: #000; background: #fff; }}
body {{ margin: 0 auto; padding: 1em 1.5em 3em; max-width: 80em; }}
header.running {{ font-size: {max(5.0, min(body - 1.5, 9.0))}pt; border-bottom: 1px solid #999; margin-bottom: 1.5em; }}
a {{ color: #0645ad; }}
.cover-heading {{ font-size: {body + 6}pt; font-weight: bold; margin: 0 0 1em; }}
.contents ol {{ list-style: none; padding-left: 1.8em; }}
.contents li {{ margin: 0 0 .4em; }}
section.item {{ margin: 3em 0 0; }}
table {{ border-collapse: collapse; width: 100%; font-size: {tsize}pt; line-height: 1.2; {table_border} }}
caption {{ caption-side: top; text-align: left; font-size: {body}pt; padding-bottom: .8em; }}
th, td {{ {cell_border} padding: {t.pad_top}pt {t.pad_x}pt {t.pad_bottom}pt; text-align: left; vertical-align: top; }}
thead th {{ {shade} font-weight: {weight}; {head_rule} position: sticky; top: 0; z-index: 2; }}
tbody th {{ font-weight: normal; }}
th.block > div {{ position: sticky; top: 2.5em; }}
.theme {{ font-weight: bold; margin: 0; }}
.subtheme {{ font-style: italic; margin: 0 0 0 .8em; }}
.finding {{ margin: 0; }}
.quote {{ margin: 0 0 .4em; }}
tr.first > * {{ {"" if grid else "padding-top: 5pt;"} }}
.table-note {{ font-size: {max(5.0, tsize - 1)}pt; margin: .5em 0 0; }}
.label {{ font-weight: bold; }}
.citation {{ white-space: nowrap; }}
sup {{ font-size: 75%; line-height: 0; position: relative; top: -0.45em; vertical-align: baseline; }}
@page {{ size: {w:g}pt {h:g}pt; margin: {margin:g}pt;
  @top-left {{ content: {header}; font-family: {family}; font-size: 8pt; }}
  @bottom-center {{ content: {footer}; font-family: {family}; font-size: 8pt; }} }}
@media print {{
  body {{ padding: 0; max-width: none; }}
  header.running {{ display: none; }}
  a {{ color: inherit; text-decoration: none; }}
  section.item {{ break-before: page; margin: 0; }}
  caption {{ break-after: avoid; }}
  thead {{ display: table-header-group; }}
  thead th, th.block > div {{ position: static; }}
  .quote, .finding, .theme, .subtheme, table.participants tr {{ break-inside: avoid; }}
}}
"""


def _head(doc: Document) -> str:
    m = doc.meta
    metas = [("author", "; ".join(m.authors)), ("description", m.subject), ("keywords", ", ".join(m.keywords)),
             ("generator", "supplement"), ("dcterms.date", m.date.strftime("%Y-%m-%d"))]
    tags = "".join(f'<meta name="{n}" content="{esc(v)}">\n' for n, v in metas if v)
    return (f'<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(m.title)}</title>\n{tags}<style>{_css(doc)}</style>\n</head>\n")


def _cover(doc: Document) -> list[str]:
    """The cover, and the contents list (the cover's, or the items' outline text)."""
    out = []
    cv = doc.cover
    if cv is not None:
        out.append(para(cv.heading, "h1"))
        out += [para(p) for p in cv.paragraphs]
    else:
        out.append(f'<h1 class="title">{esc(doc.meta.title)}</h1>')
    if cv is None:  # no cover: the items' outline text, as the PDF's bookmarks show it
        entries = [esc(item.outline or item.label) for item in doc.items]
    else:
        entries = [runs(p) for p in cv.contents]
    if entries:
        heading = cv.contents_heading if cv is not None else None
        label = ' aria-labelledby="contents-heading"' if heading else ""
        out.append(f'<nav class="contents"{label}>')
        if heading:
            out.append(para(heading, "p", ' id="contents-heading"'))
        out.append("<ol>")
        out += [f'<li><a href="#{esc(item.anchor)}">{e}</a></li>' for e, item in zip(entries, doc.items)]
        out.append("</ol></nav>")
    if cv is not None:
        out += [para(p) for p in cv.closing]
    return out


def _table_start(item, cols: int, kind: str) -> list[str]:
    widths = "".join(f'<col style="width: {w * 100:.2f}%">' for w in item.widths)
    caption = "".join(para(p, "span" if len(item.caption) == 1 else "div") for p in item.caption)
    heads = "".join(f'<th scope="col"{_align(item, i)}>{runs(h)}</th>' for i, h in enumerate(item.headers[:cols]))
    return [f'<table id="{esc(item.anchor)}-table" class="{kind}">', f'<caption id="{esc(item.anchor)}-caption">{caption}</caption>',
            f"<colgroup>{widths}</colgroup>", f"<thead><tr>{heads}</tr></thead>"]


def _align(item, i: int) -> str:
    """A participant (or data) table column's alignment, when it is not left."""
    a = item.column_align(i) if isinstance(item, ParticipantTable) else "left"
    return f' style="text-align: {a}"' if a != "left" else ""


def _participants(item: ParticipantTable) -> list[str]:
    out = _table_start(item, len(item.headers), "participants")
    out.append("<tbody>")
    for row in item.rows:
        cells = [f'<th scope="row"{_align(item, 0)}>{runs(row[0])}</th>'] if row else []
        cells += [f"<td{_align(item, i)}>{runs(c)}</td>" for i, c in enumerate(row[1:], 1)]
        cells += ["<td></td>"] * (len(item.headers) - len(row))
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return out


def _themes(item: ThemeTable) -> list[str]:
    out = _table_start(item, 3, "themes")
    for b in item.row_blocks():
        rows = [(f, qi, q) for f in b.findings for qi, q in enumerate(f.quotes or (None,))] or [(None, 0, None)]
        heading = "".join(para(p) for p in b.headings)
        out.append(f'<tbody class="level-{b.level}">')
        for n, (f, qi, q) in enumerate(rows):
            cells = []
            if n == 0:
                cells.append(f'<th scope="rowgroup" rowspan="{len(rows)}" class="block"><div>{heading}</div></th>')
            if f is None:
                cells.append('<td colspan="2"></td>')
            else:
                if qi == 0:
                    span = f' rowspan="{len(f.quotes)}"' if len(f.quotes) > 1 else ""
                    cells.append(f"<td{span}>{para(f.text)}</td>")
                cells.append(f"<td>{para(q) if q is not None else ''}</td>")
            first = ' class="first"' if n == 0 else ""
            out.append(f"<tr{first}>" + "".join(cells) + "</tr>")
        out.append("</tbody>")
    out.append("</table>")
    return out


def render(doc: Document, warn=lambda message: None) -> bytes:
    """The HTML page for ``doc``, as UTF-8 bytes."""
    body = [f'<header class="running"><p>{esc(doc.meta.header)}</p></header>'] if doc.meta.header else []
    body.append("<main>")
    body += _cover(doc)
    for item in doc.items:
        a = esc(item.anchor)
        body.append(f'<section class="item" id="{a}" aria-labelledby="{a}-caption">')
        body += _participants(item) if isinstance(item, ParticipantTable) else _themes(item)
        body += [para(p) for p in item.notes]
        body.append("</section>")
    body.append("</main>")
    page = (f'<!DOCTYPE html>\n<html lang="{esc(doc.meta.language)}">\n{_head(doc)}<body>\n'
            + "\n".join(body) + "\n</body>\n</html>\n")
    return page.encode("utf-8")
