"""PDF writer: renders a resolved Document with reportlab, in time linear in its size.

Layout
    Every model paragraph becomes one ``pdf_lines.LineParagraph``: reportlab's
    Paragraph, line breaking and drawing reproduced exactly for the writer's runs,
    with each word measured once per document (pdf_lines.py). What it does not
    reproduce becomes a reportlab Paragraph whose markup is built from the runs;
    all user text goes through ``writers.escaping.escape`` first, so nothing a
    source holds (``<img src=...>``, ``<a href>``, ``&amp;``) is ever read as
    markup. One ParagraphStyle per model role.

Tables
    A reportlab Table is re-measured at every page split (quadratic). Tables
    here are ``_Grid`` flowables instead: the content is a list of *groups*
    (one per finding, or one per participant row), each with a list of
    flowables per column. Every flowable is measured once (height cached). At a
    page break ``split()`` packs the groups that fit below the repeated header
    into a ``_PageTable`` (drawn directly: text, rules, shading) and returns a
    remainder ``_Grid`` that starts where this page stopped: O(what is on the
    page) per page. A group taller than the space left is split between quotes,
    or inside a quote paragraph (never fewer than three lines on either side, so
    a quote of five lines or fewer moves whole);
    a row taller than a whole page is split wherever needed. A page never
    starts with a header alone, and the first row of every continuation page
    shows the theme (and subtheme) being continued in column 1 ("I. Elements of
    Disease (continued)") and, when it continues a finding's quotes, the finding
    in column 2 (``Finding.continued``: "Disease characteristics serve as the
    basis… (continued)"). A theme heading with no finding of its own (only
    subthemes) is never left last on a page. Cell paragraphs are made when first
    measured and dropped once their page is laid out, so the garbage collector's
    work does not grow with the table. A text area too small for even one line
    below the header raises SourceError pointing at the longest column heading.

Page numbers
    ``Page 3 of 12`` needs the total: ``_Canvas`` keeps each finished page and
    draws the running header and footer on all of them when the document is
    saved (one layout pass). The contents' page numbers (``cover.page_numbers``)
    are drawn then too: each entry keeps room for its number and records where
    it ends, each item's bookmark records its page.

Determinism
    ``invariant=1`` is passed to the document template (not set globally); the
    creation date is ``doc.meta.date``. Equal Documents give identical bytes.

Streams
    Page contents and embedded fonts are Flate-compressed binary streams, not also
    ASCII85-encoded as reportlab does by default (``rl_config.useA85``): the file is a
    sixth smaller and encoding took time for nothing (every PDF reader takes binary
    streams). reportlab reads that setting from a module global while it writes,
    so ``binary_streams`` sets it for the one render and puts it back.
"""

from __future__ import annotations

import calendar
import functools
import io
from contextlib import contextmanager
from datetime import timedelta
from supplement.writers.escaping import escape

from supplement.lazy_patterns import compiled_on_first_use

with compiled_on_first_use():  # reportlab compiles two patterns this writer never uses: 40-45 ms
    from reportlab import rl_config
    from reportlab.lib.colors import HexColor, black
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfdoc, pdfmetrics
    from reportlab.pdfbase.pdfdoc import PDFStreamFilterZCompress
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.pdfgen.textobject import bidiShapedText
    from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate
    from reportlab.platypus import Paragraph as RLParagraph

from supplement.diagnostics import Pos, Report, SourceError
from supplement.resolve.document import Document, Paragraph, ParticipantTable, TextSection, ThemeTable
from supplement.resolve.layout import theme_rows
from supplement.resolve.fonts import register_fonts
from supplement.resolve.typography import page_size, variant
from supplement.writers.pdf_lines import LineParagraph, Recent, Typesetter

_BIG = 1e9

# ---------------------------------------------------------------- fonts




# ---------------------------------------------------------------- styles and markup


def _styles(typo, fonts: dict[str, str]) -> dict[str, ParagraphStyle]:
    """One reportlab paragraph style per role, from the document's typography."""
    out = {}
    for role, t in typo.roles.items():
        face = variant(t.bold, t.italic)
        out[role] = ParagraphStyle(
            role, fontName=fonts[face], fontSize=t.size, leading=t.leading,
            spaceBefore=t.space_before, spaceAfter=t.space_after,
            leftIndent=t.indent, firstLineIndent=-t.hanging, keepWithNext=int(t.keep_with_next),
            alignment={"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}[t.align],
            bulletFontName=fonts["regular"], allowWidows=0, allowOrphans=0, splitLongWords=1)
    return out


def markup(p: Paragraph, nbsp: bool = True) -> str:
    """reportlab markup for a paragraph; every piece of text is escaped."""
    out = []
    for r in p.runs:
        t = escape(r.text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").replace("\n", "<br/>")
        if not t:
            continue
        if nbsp and r.role == "citation":  # "[Non-Op 1, 3]" never breaks across lines
            t = t.replace(" ", "\u00a0")
        if r.superscript:
            t = f"<super>{t}</super>"
        if r.italic:
            t = f"<i>{t}</i>"
        if r.bold or r.role == "label":
            t = f"<b>{t}</b>"
        out.append(t)
    return "".join(out)


class _Flate(PDFStreamFilterZCompress):
    """reportlab's Flate filter, for renders that keep: a stream the render before compressed
    (a page that did not change, a font's subset) is not compressed again."""

    def __init__(self):
        self.compressed = Recent()  # text -> its compressed bytes

    def encode(self, text):
        z = self.compressed.get(text)
        if z is None:
            z = super().encode(text)
            self.compressed.put(text, z)
        return z


class _Kept:
    """What a render keeps for the next one in the same process (``render(keep=True)``, as
    ``supplement watch`` renders): the paragraph styles and the Typesetter, with the lines of
    every paragraph it broke and what drawing them wrote; the compressed streams. A
    paragraph the next render makes again, in the same style and column, is then not
    broken, measured or drawn again, and a page that did not change is not compressed again
    (a saved edit changes a few). Kept for one typography and font set; another drops it all."""

    def __init__(self, key, styles: dict, nbsp: bool):
        self.key = key
        self.styles = styles
        self.extra: dict = {}  # (role) stand-ins and (role, align) variants, made when first needed
        self.typesetter = Typesetter(nbsp, keep=True)
        self.flate = _Flate()

    def begin(self) -> None:
        self.typesetter.begin()
        self.flate.compressed.begin()


_kept: _Kept | None = None


def _kept_for(typography, fonts: dict, nbsp: bool) -> _Kept:
    """What the render before kept, begun for this render; anew for another typography or fonts."""
    global _kept
    key = (typography, tuple(sorted(fonts.items())), nbsp)
    if _kept is None or _kept.key != key:
        if _kept is not None:
            _kept.typesetter.forget()
        _kept = _Kept(key, _styles(typography, fonts), nbsp)
    _kept.begin()
    return _kept


class _Ctx:
    """What every part of one rendering shares."""

    def __init__(self, doc: Document, warn, keep: bool = False):
        self.doc = doc
        self.warn = warn
        st = doc.style
        self.pagesize = page_size(st.page)
        self.margin = float(st.page.margin)
        self.frame_width = self.pagesize[0] - 2 * self.margin
        self.frame_height = self.pagesize[1] - 2 * self.margin
        self.fonts = register_fonts(st.fonts)
        self.nbsp = 0xA0 in pdfmetrics.getFont(self.fonts["regular"]).face.charToGlyph
        self.kept = _kept_for(doc.typography, self.fonts, self.nbsp) if keep else None
        if self.kept is not None:
            self.styles, self.extra, self.typesetter = self.kept.styles, self.kept.extra, self.kept.typesetter
        else:
            self.styles = _styles(doc.typography, self.fonts)
            self.extra: dict = {}  # (role) stand-ins and (role, align) variants, made when first needed
            self.typesetter = Typesetter(self.nbsp)  # word widths shared by all paragraphs
        self.stand_ins: set[str] = set()  # roles without a style, named in a warning
        self.typo = doc.typography
        self.rules = self.typo.rules
        shading = st.table.header_shading
        self.shading = HexColor("#" + shading) if shading else None
        self.header = None  # the running header, fitted to the page width once
        self.item_pages: dict[str, int] = {}  # item anchor -> the page its caption is on
        self.contents: list = []  # contents entries: (page, anchor, where the text ends, baseline, right edge)

    def para(self, p: Paragraph, link: str | None = None, align: str | None = None) -> LineParagraph | RLParagraph:
        """``align``: a table column's alignment (left, center, right), else the role's."""
        style = self.styles.get(p.role)
        if style is None:
            if p.role not in self.stand_ins:
                self.stand_ins.add(p.role)
                self.warn(f"no PDF paragraph style for role '{p.role}'; printed as table text")
            style = self.extra.get(p.role)
            if style is None:
                style = self.extra[p.role] = ParagraphStyle(p.role, parent=self.styles["table-text"])
        if align and align != "left":
            key = (p.role, align)
            aligned = self.extra.get(key)
            if aligned is None:
                aligned = self.extra[key] = ParagraphStyle(f"{p.role}-{align}", parent=style,
                                                            alignment={"center": TA_CENTER, "right": TA_RIGHT}[align])
            style = aligned
        return self.typesetter.para(p, style, link, markup)


# ---------------------------------------------------------------- tables


class _Item:
    """A flowable in a table cell, made when first needed and measured once; ``gap`` is
    space above it when it follows another item in the same cell."""

    __slots__ = ("_f", "h", "gap", "src")

    def __init__(self, f=None, gap: float = 0.0, src=None):
        self._f = f
        self.gap = gap
        self.h = None
        self.src = src  # (ctx, model Paragraph) until the flowable is made

    @property
    def f(self):
        if self._f is None:
            ctx, p, *align = self.src  # (ctx, paragraph) or (ctx, paragraph, column alignment)
            self._f, self.src = ctx.para(p, align=align[0] if align else None), None
        return self._f

    def height(self, width: float) -> float:
        if self.h is None:
            self.h = self.f.wrap(width, _BIG)[1]
        return self.h


class _Group:
    """One unit of a table: a finding with its quotes, or a participant row."""

    __slots__ = ("cells", "rule", "marks", "top_new", "top_cont", "keep_next", "cont1")

    def __init__(self, cells, rule="full", marks=(), top_new=(), top_cont=(), keep_next=False, cont1=()):
        self.cells = cells  # tuple (per column) of lists of _Item
        self.keep_next = keep_next  # a heading alone (a theme that only has subthemes): never last on a page
        self.rule = rule  # rule above the group: "full" or "partial" (from column 2 on)
        self.marks = marks  # outline entries (key, title, level) at the group's top
        self.top_new = top_new  # _Items put first in column 1 when the group starts a page
        self.top_cont = top_cont  # the same when the group continues from the page before
        # put in column 2 when the group continues from the page before and its own text there
        # (the finding) is complete: which finding the quotes below support ("… (continued)")
        self.cont1 = cont1


class _Spec:
    """A whole table: column widths, header, groups, rule style. Shared by all its pieces."""

    def __init__(self, ctx: _Ctx, fractions, headers, groups, splittable, name, pos):
        self.ctx = ctx
        t = ctx.typo
        self.PAD_X, self.PAD_TOP, self.PAD_BOTTOM = t.pad_x, t.pad_top, t.pad_bottom
        self.name, self.pos = name, pos  # the item's label, and where to point when it cannot be laid out
        total = ctx.frame_width
        self.col_widths = [f * total for f in fractions]
        self.col_widths[-1] = total - sum(self.col_widths[:-1])
        self.col_x = [sum(self.col_widths[:i]) for i in range(len(self.col_widths))]
        self.inner = [w - 2 * self.PAD_X for w in self.col_widths]
        self.width = total
        self.header = [_Item(h) for h in headers]
        self.header_h = max(it.height(w) for it, w in zip(self.header, self.inner)) + self.PAD_TOP + self.PAD_BOTTOM
        self.groups = groups
        self.splittable = splittable  # columns that may break between pages when the row does not fit
        # Without rules between rows, a little space sets off each theme (or participant).
        self.group_space = t.group_gap
        self.released = 0

    def release(self, gi: int) -> None:
        """Forget the groups before ``gi``: laid out already, never needed again. Keeping
        every paragraph of a long table alive makes Python's garbage collector, and so the
        whole rendering, slower than linear."""
        for i in range(self.released, gi):
            self.groups[i] = None
        self.released = max(self.released, gi)


class _PageTable(Flowable):
    """The part of a table on one page: header row plus rows, drawn directly."""

    def __init__(self, spec: _Spec, rows, height: float):
        super().__init__()
        self.spec = spec
        self.rows = rows  # [(height, space above, rule, marks, [[(_Item, gap), ...] per column])]
        self.height = height
        self.width = spec.width

    def wrap(self, aW, aH):
        return self.width, self.height

    def draw(self):
        s, c = self.spec, self.canv
        ctx = s.ctx
        top = self.height
        hh = s.header_h
        if ctx.shading is not None:
            c.saveState()
            c.setFillColor(ctx.shading)
            c.rect(0, top - hh, s.width, hh, stroke=0, fill=1)
            c.restoreState()
        self._cells(c, top, [[(it, 0.0)] for it in s.header])
        y = top - hh
        row_tops = []
        for h, lead, rule, marks, cols in self.rows:
            for key, title, level in marks:
                c.bookmarkHorizontal(key, 0, y + 2)
                c.addOutlineEntry(title, key, level, closed=False)
            self._cells(c, y - lead, cols)
            row_tops.append((y, rule))
            y -= h
        bottom = y
        c.saveState()
        c.setStrokeColor(black)
        t = ctx.typo
        if ctx.rules == "grid":
            c.setLineWidth(t.rule)
            c.rect(0, bottom, s.width, top - bottom, stroke=1, fill=0)
            for x in s.col_x[1:]:
                c.line(x, bottom, x, top)
            c.line(0, top - hh, s.width, top - hh)
            for i, (ry, rule) in enumerate(row_tops):
                if i == 0:
                    continue
                x0 = s.col_x[1] if rule == "partial" else 0
                if rule in ("full", "partial"):
                    c.line(x0, ry, s.width, ry)
        elif ctx.rules == "horizontal":  # rules above and below the header, below the last row
            c.setLineWidth(t.outer_rule)
            c.line(0, top, s.width, top)
            c.line(0, bottom, s.width, bottom)
            c.setLineWidth(t.rule)
            c.line(0, top - hh, s.width, top - hh)
        c.restoreState()

    def _cells(self, c, top, cols):
        s = self.spec
        for ci, items in enumerate(cols):
            x = s.col_x[ci] + s.PAD_X
            y = top - s.PAD_TOP
            for it, gap in items:
                y -= gap + it.h
                it.f.drawOn(c, x, y)


MIN_LINES = 3  # of a split quote on each side of a page break: a quote of five lines or fewer moves whole


def _split_item(it: _Item, width: float, avail: float, min_lines: int = MIN_LINES):
    """Split a paragraph item so that its first part fits ``avail``: (first, rest) or None.

    Normally at least ``MIN_LINES`` lines stay on each side (no one- or two-line fragment
    alone at a page's top or foot); ``min_lines=1`` allows one, for a page too short for
    anything else.
    """
    f = it.f
    if not isinstance(f, (RLParagraph, LineParagraph)):
        return None
    leading = f.style.leading
    total = round(it.height(width) / leading)  # the lines it has (wrapped once, at this width)
    fit = int((avail + 1e-6) / leading)
    kept = min(fit, total - min_lines)
    if kept < min_lines:  # too few lines would stay on this page, or go on to the next
        return None
    f.allowOrphans = f.allowWidows = 1  # the line count is decided here, not adjusted by reportlab
    parts = f.split(width, (kept + 0.5) * leading)
    if len(parts) != 2:
        if not hasattr(f, "blPara"):  # a refused split drops the layout: restore it
            f.wrap(width, _BIG)
        return None
    p1, p2 = parts
    kept = len(p1.blPara.lines)
    first, rest = _Item(p1, it.gap), _Item(p2, 0.0)
    first.height(width)
    # The rest keeps the lines already broken: wrapping it anew would cost its whole length
    # on every page it runs onto (quadratic: a 400,000-character quote took a minute). Greedy
    # breaking from a line's start gives the same lines, so they are reused as they are.
    lines = f.blPara.lines[kept:]
    if lines and hasattr(lines[0], "sFW"):  # lines that index the paragraph's words: the rest's start at 0
        shift = lines[0].sFW
        for line in lines:
            line.sFW -= shift
    p2.blPara, p2.width = f.blPara.clone(lines=lines), width
    rest.h = p2.height = len(lines) * f.style.leading
    return first, rest


def _take(extra, left, cells, k, room, width, split_ok, min_lines=MIN_LINES):
    """Fill one column of a row with up to ``room`` points.

    The column's pending items are ``extra`` (page-top labels, kept only if whole), then ``left`` (the
    rest of an item split on the page before), then ``cells[k:]``. Returns
    (placed [(item, gap)], used height, new left, new k, done).
    """
    placed = []
    used = 0.0

    def place(it, split_ok=split_ok):
        nonlocal used
        gap = it.gap if placed else 0.0
        h = it.height(width)
        if used + gap + h <= room + 1e-6:
            placed.append((it, gap))
            used += gap + h
            return True, None
        avail = room - used - gap
        if split_ok and avail > 0:
            parts = _split_item(it, width, avail, min_lines)
            if parts:
                placed.append((parts[0], gap))
                used += gap + parts[0].h
                return False, parts[1]
        return False, None

    for it in extra:  # labels are a help, not content: those that do not fit are left out
        if not place(it, split_ok=False)[0]:
            break
    if left is not None:
        ok, rest = place(left)
        if not ok:
            return placed, used, (rest if rest is not None else left), k, False
    while k < len(cells):
        ok, rest = place(cells[k])
        if not ok:
            return (placed, used, rest, k + 1, False) if rest is not None else (placed, used, None, k, False)
        k += 1
    return placed, used, None, k, True


class _Grid(Flowable):
    """A table from a position in its groups on; splits itself page by page."""

    def __init__(self, spec: _Spec, gi: int = 0, state=None, cont: bool = False):
        super().__init__()
        self.spec = spec
        self.cont = cont  # a remainder: it only ever starts at the top of a page
        self.gi = gi
        self.state = state  # None: group gi not started; else per column (leftover _Item or None, next index)
        self._cache = None
        self.width = spec.width

    def _fill(self, aH):
        """The rows that fit in ``aH``: (rows, height, remainder _Grid or None), or None."""
        s = self.spec
        pad = s.PAD_TOP + s.PAD_BOTTOM
        y = s.header_h
        rows = []
        gi, state = self.gi, self.state
        fresh = aH >= s.ctx.frame_height - 1  # at the top of an empty page
        if self.cont and not fresh:
            return None
        if not s.groups:  # an empty table: its header only
            return ([], y, None) if y <= aH or fresh else None
        while gi < len(s.groups):
            grp = s.groups[gi]
            first = fresh and not rows
            starting = state is None
            lead = s.group_space if (rows and starting and grp.rule == "full") else 0.0
            room = aH - y - pad - lead
            if room <= 0:
                if first:
                    self._too_small()
                break
            placed, used, nxt, done, progress = self._row(grp, state, room, first, labels=first, min_lines=MIN_LINES)
            if first and not progress:
                # Not even a line of content fits below the labels on an empty page: drop the
                # '(continued)' labels, then allow a single line at a page foot.
                placed, used, nxt, done, progress = self._row(grp, state, room, first, labels=False, min_lines=MIN_LINES)
                if not progress:
                    placed, used, nxt, done, progress = self._row(grp, state, room, first, labels=False, min_lines=1)
                if not progress:
                    self._too_small()
            row = (max(used) + pad + lead, lead, grp.rule if starting else None, grp.marks if starting else (), placed)
            if done:
                rows.append(row)
                y += row[0]
                gi, state = gi + 1, None
                continue
            # The group does not fit in what is left of the page.
            if not first:
                # Break inside it only where allowed (between or inside quotes), and only if
                # every other column is complete and some quote text goes on this page.
                ok = all(ci in s.splittable or self._complete(grp, ci, nxt[ci]) for ci in range(len(nxt)))
                if not (ok and any(placed[ci] for ci in s.splittable)):
                    break
            rows.append(row)
            y += row[0]
            return rows, y, _Grid(s, gi, tuple(nxt), cont=True)
        if gi < len(s.groups):
            # A theme heading with nothing beside it goes to the next page with its first subtheme.
            while rows and s.groups[gi - 1].keep_next and rows[-1][2] is not None and (len(rows) > 1 or not fresh):
                y -= rows.pop()[0]
                gi, state = gi - 1, None
        if not rows:
            return None
        return rows, y, (_Grid(s, gi, state, cont=True) if gi < len(s.groups) else None)

    @staticmethod
    def _complete(grp, ci, nxt):
        left, k = nxt
        return left is None and k >= len(grp.cells[ci])

    def _row(self, grp, state, room, first, labels, min_lines):
        """Lay out (part of) one group in ``room`` points: (placed, used, next state, done, progress)."""
        s = self.spec
        starting = state is None
        placed, used, nxt, done, progress = [], [], [], True, False
        for ci in range(len(s.col_widths)):
            left, k = (None, 0) if starting else state[ci]
            extra = ()
            if labels and ci == 0:
                extra = grp.top_new if starting else grp.top_cont
            elif labels and ci == 1 and not starting and left is None and k >= len(grp.cells[1]):
                extra = grp.cont1
            p, u, left, k, d = _take(extra, left, grp.cells[ci], k, room, s.inner[ci],
                                     split_ok=first or ci in s.splittable, min_lines=min_lines)
            placed.append(p)
            used.append(u)
            nxt.append((left, k))
            done = done and d
            progress = progress or len(p) > len(extra)
        return placed, used, nxt, done, progress

    def _too_small(self):
        s = self.spec
        r = Report()
        r.error(s.pos or Pos(s.ctx.doc.name), f"{s.name} cannot be laid out in the PDF: its header row, or a row that cannot be "
                "split, is taller than an empty page", "shorten the column headings or very long words "
                "(a word never breaks inside a table cell), or choose a style with smaller margins or type")
        raise SourceError(r)

    def _layout(self, aH):
        if self._cache is None or self._cache[0] != aH:
            self._cache = (aH, self._fill(aH))
        return self._cache[1]

    def wrap(self, aW, aH):
        res = self._layout(aH)
        if res is None or res[2] is not None:
            return self.width, aH + 1  # more than fits here: the frame asks for a split
        return self.width, res[1]

    def split(self, aW, aH):
        res = self._layout(aH)
        if res is None:
            return []  # not even the header and one row: the table starts on the next page
        rows, h, nxt = res
        if nxt is not None:
            self.spec.release(nxt.gi)
        return [_PageTable(self.spec, rows, h)] + ([nxt] if nxt is not None else [])

    def draw(self):
        rows, h, _ = self._cache[1]
        _PageTable(self.spec, rows, h).drawOn(self.canv, 0, 0)


def _where(item) -> Pos | None:
    """The longest column heading's position (the usual culprit), else the caption's."""
    heads = sorted((h for h in item.headers if h.pos), key=lambda h: -len(h.text))
    return heads[0].pos if heads else next((p.pos for p in item.caption if p.pos), None)


def _participant_spec(ctx: _Ctx, item: ParticipantTable) -> _Spec:
    al = [item.column_align(i) for i in range(len(item.headers))]
    groups = [_Group(tuple([_Item(src=(ctx, c, a))] for c, a in zip(row, al)), rule="full") for row in item.rows]
    headers = [ctx.para(h, align=a) for h, a in zip(item.headers, al)]
    return _Spec(ctx, item.widths, headers, groups, splittable=(), name=item.label, pos=_where(item))


def _theme_spec(ctx: _Ctx, item: ThemeTable) -> _Spec:
    """The theme table's groups: one per row of the shared layout (``resolve.layout``)."""
    gap = ctx.typo.quote_gap
    groups = []
    made: dict[int, tuple] = {}  # block -> its label items, made once and shared by its rows

    def items(paras):
        return tuple(_Item(ctx.para(p)) for p in paras)

    for row in theme_rows(item):
        if row.first:
            made[row.block_index] = (items(row.label), items(row.top_new), items(row.top_cont))
        label, top_first, top_cont = made[row.block_index]
        f = row.finding
        col0 = list(label) if row.first else []
        col1 = [_Item(src=(ctx, f.text))] if f is not None else []
        col2 = [_Item(None, gap if qi else 0.0, (ctx, q)) for qi, q in enumerate(row.quotes)]
        cont1 = (_Item(src=(ctx, row.continued)),) if row.continued is not None else ()
        groups.append(_Group((col0, col1, col2), rule=row.rule, marks=(row.mark,) if row.mark else (),
                             top_new=top_first if row.first else top_cont, top_cont=top_cont,
                             keep_next=row.keep_next, cont1=cont1))
    headers = [ctx.para(h) for h in item.headers]
    return _Spec(ctx, item.widths, headers, groups, splittable=(2,), name=item.label, pos=_where(item))


# ---------------------------------------------------------------- pages


class _Mark(Flowable):
    """An outline entry (bookmark) at this point of the text; ``pages`` (if given) records
    the page it falls on under its key, for the contents' page numbers."""

    def __init__(self, key: str, title: str, level: int, pages: dict | None = None):
        super().__init__()
        self.key, self.title, self.level, self.pages = key, title, level, pages
        self.width = self.height = 0

    def wrap(self, aW, aH):
        return 0, 0

    def draw(self):
        if self.pages is not None:
            self.pages[self.key] = self.canv.getPageNumber()
        self.canv.bookmarkHorizontal(self.key, 0, 12)
        self.canv.addOutlineEntry(self.title, self.key, self.level, closed=False)


class _ContentsLine(Flowable):
    """A contents entry with room kept at the right for its item's page number.

    The number is not known when the entry is laid out (the item comes later), so the entry
    records where its last line ends, and ``_Canvas.save`` draws the leader and the number
    there once every page is laid out: one pass, as for "Page n of N". The room kept does
    not depend on the number, so the layout never changes with it."""

    def __init__(self, para: RLParagraph, key: str, ctx: _Ctx):
        super().__init__()
        self.para, self.key, self.ctx = para, key, ctx
        st = para.style
        self.room = pdfmetrics.stringWidth("0000", st.fontName, st.fontSize) + st.fontSize

    def getSpaceBefore(self):
        return self.para.getSpaceBefore()

    def getSpaceAfter(self):
        return self.para.getSpaceAfter()

    def wrap(self, aW, aH):
        self.width = aW
        self.height = self.para.wrap(aW - self.room, aH)[1]
        return aW, self.height

    def split(self, aW, aH):
        """An entry longer than what is left of the page (a caption with no full stop for a
        page): its first lines here, the rest, with the number, on the next page."""
        parts = self.para.split(aW - self.room, aH)
        if len(parts) != 2:
            return []
        return [parts[0], _ContentsLine(parts[1], self.key, self.ctx)]

    def drawOn(self, canvas, x, y, _sW=0):
        para = self.para
        st = para.style
        lines = para.blPara.lines
        last = lines[-1]
        extra = last.extraSpace if hasattr(last, "extraSpace") else last[0]
        end = x + para.width - st.rightIndent - extra  # where the last line's text ends (left-aligned)
        baseline = y + self.height - st.fontSize - (len(lines) - 1) * st.leading
        self.ctx.contents.append((canvas.getPageNumber(), self.key, end, baseline, x + self.width))
        para.drawOn(canvas, x, y)

    def draw(self):  # drawOn does the work
        pass


def _contents_numbers(c: Canvas, ctx: _Ctx) -> None:
    """The page numbers of the contents entries on this page, right-aligned after a dotted leader."""
    page = c.getPageNumber()
    st = ctx.styles["contents-item"]
    for p, key, end, baseline, right in ctx.contents:
        if p != page or key not in ctx.item_pages:
            continue
        number = str(ctx.item_pages[key])
        w = pdfmetrics.stringWidth(number, st.fontName, st.fontSize)
        c.setFont(st.fontName, st.fontSize)
        c.setFillColor(black)
        c.drawRightString(right, baseline, number)
        x0, x1 = end + st.fontSize * 0.5, right - w - st.fontSize * 0.5
        if x1 - x0 > st.fontSize:
            c.saveState()
            c.setLineCap(1)
            c.setLineWidth(max(0.6, st.fontSize / 12))
            c.setDash([0, st.fontSize / 3])
            c.line(x0, baseline + st.fontSize * 0.08, x1, baseline + st.fontSize * 0.08)
            c.restoreState()


class _Stamp:
    """reportlab's TimeStamp, for a given date (the document's), not now."""

    def __init__(self, dt):
        off = dt.utcoffset() if dt.tzinfo else None
        self.t = dt.timestamp() if dt.tzinfo else float(calendar.timegm(dt.timetuple()))
        self.lt = dt.timetuple()
        self.YMDhms = (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)
        mins = int((off or timedelta(0)).total_seconds() // 60)
        self.dhh = (1 if mins >= 0 else -1) * (abs(mins) // 60)
        self.dmm = abs(mins) % 60
        self.tzname = "UTC"


class _Canvas(Canvas):
    """Keeps finished pages until the end, then draws header and "Page n of N" on each."""

    def __init__(self, *args, ctx: _Ctx, **kw):
        super().__init__(*args, **kw)
        self._ctx = ctx
        self._pages = []
        self._doc._timeStamp = _Stamp(ctx.doc.meta.date)
        self.showOutline()

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._doc.pageCounter += 1  # bookmarks made on this page refer to it by number
        self._startPage()

    def save(self):
        pages, self._pages = self._pages, []
        self._doc.pageCounter = 1
        for state in pages:
            self.__dict__.update(state)
            _furniture(self, self._ctx, len(pages))
            if self._ctx.contents:
                _contents_numbers(self, self._ctx)
            Canvas.showPage(self)
        self._pages = []
        Canvas.save(self)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text``, cut with an ellipsis if it is wider than ``width`` (binary search on length)."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdfmetrics.stringWidth(text[:mid].rstrip() + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


def _furniture(c: Canvas, ctx: _Ctx, total: int) -> None:
    w, h = ctx.pagesize
    m = ctx.margin
    meta = ctx.doc.meta
    c.saveState()
    hs = ctx.styles["header"]
    if meta.header:
        if ctx.header is None:
            ctx.header = _fit(meta.header, hs.fontName, hs.fontSize, w - 2 * m)
        c.setFont(hs.fontName, hs.fontSize)
        c.setFillColor(black)
        _draw_string(c, ctx, m, h - m / 2 - hs.fontSize / 3, ctx.header)
    fs = ctx.styles["footer"]
    text = "".join(t if kind == "text" else str(c.getPageNumber()) if kind == "page" else str(total)
                   for kind, t in meta.footer)
    if text.strip():
        c.setFont(fs.fontName, fs.fontSize)
        _draw_string(c, ctx, w / 2, m / 2 - fs.fontSize / 3, _fit(text, fs.fontName, fs.fontSize, w - 2 * m), True)
    c.restoreState()


def _draw_string(c: Canvas, ctx: _Ctx, x: float, y: float, text: str, centred: bool = False) -> None:
    """``c.drawString`` (``drawCentredString`` if ``centred``), the text encoded by the
    typesetter's encoder for the canvas's font: the same operators, without reportlab's
    loop over the characters of every header and footer."""
    text, width = bidiShapedText(text, None, fontName=c._fontname, fontSize=c._fontsize)
    t = c.beginText(x - 0.5 * width if centred else x, y)
    t._code.append(f"{ctx.typesetter.encoders(c)(c._fontname).code(t, text)} T*")
    c.drawText(t)


def _story(ctx: _Ctx) -> list:
    doc = ctx.doc
    story = []
    if doc.cover:
        cv = doc.cover
        story.append(ctx.para(cv.heading))
        story.extend(ctx.para(p) for p in cv.paragraphs)
        if cv.contents_heading:
            story.append(ctx.para(cv.contents_heading))
        numbered = bool(doc.style.cover.page_numbers)
        for p, item in zip(cv.contents, doc.items):
            para = ctx.para(p, link=item.anchor)
            story.append(_ContentsLine(para, item.anchor, ctx) if numbered else para)
        story.extend(ctx.para(p) for p in cv.closing)
    for item in doc.items:
        if story:
            story.append(PageBreak())
        story.append(_Mark(item.anchor, item.outline or item.label, 0, ctx.item_pages))
        story.extend(ctx.para(p) for p in item.caption)
        if isinstance(item, TextSection):
            story.extend(ctx.para(p) for p in item.body)
            continue
        spec = (_participant_spec(ctx, item) if isinstance(item, ParticipantTable)  # and DataTable
                else _theme_spec(ctx, item))
        story.append(_Grid(spec))
        story.extend(ctx.para(p) for p in item.notes)
    return story


@contextmanager
def binary_streams(flate=None):
    """Flate-compressed streams without reportlab's ASCII85 layer, for one render (see Streams);
    compressed by ``flate`` if given (reportlab looks its filter up as a module global too)."""
    was, filt = rl_config.useA85, pdfdoc.PDFZCompress
    rl_config.useA85 = 0
    if flate is not None:
        pdfdoc.PDFZCompress = flate
    try:
        yield
    finally:
        rl_config.useA85, pdfdoc.PDFZCompress = was, filt


def render(doc: Document, warn=lambda message: None, keep: bool = False) -> bytes:
    """The PDF file for ``doc``, as bytes (the caller writes them). ``keep``: this process
    renders again and again (watch); what can serve the next render is kept (``_Kept``),
    and the bytes are the same as without."""
    ctx = _Ctx(doc, warn, keep)
    with binary_streams(ctx.kept.flate if ctx.kept else None):
        return _render(ctx)


def _render(ctx: _Ctx) -> bytes:
    doc = ctx.doc
    meta = doc.meta
    buf = io.BytesIO()
    m = ctx.margin
    tmpl = BaseDocTemplate(
        buf, pagesize=ctx.pagesize, leftMargin=m, rightMargin=m, topMargin=m, bottomMargin=m,
        title=meta.title, author="; ".join(meta.authors), subject=meta.subject,
        keywords=", ".join(meta.keywords), creator="supplement", lang=meta.language or None,
        invariant=1, pageCompression=1, initialFontName=ctx.fonts["regular"],
        initialFontSize=float(doc.style.font.size), initialLeading=float(doc.style.font.size) * 1.2,
    )
    frame = Frame(m, m, ctx.frame_width, ctx.frame_height, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0, id="body", showBoundary=0)
    tmpl.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    try:
        tmpl.build(_story(ctx), canvasmaker=functools.partial(_Canvas, ctx=ctx))
    finally:
        ctx.typesetter.done()  # a kept one would hold the finished document until the next render
    return buf.getvalue()
