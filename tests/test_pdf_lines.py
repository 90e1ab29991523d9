"""LineParagraph against reportlab's Paragraph: the same lines, the same drawing.

Every paragraph the PDF writer makes for the example, in every preset, at the width
the writer wraps it at, is made both ways (reportlab's Paragraph from the writer's
markup, and ``Typesetter.para``): the words on each line, the space left on each line
and the page content drawn must be equal. A property test does the same for
generated paragraphs: mixed bold/italic/superscript runs, citations (no-break
spaces), words longer than the line, entities, line breaks, odd whitespace and
characters outside the font, in every role's style, at widths from very narrow to wide.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph as RLParagraph

from supplement.pipeline import load_document
from supplement.records import replace
from supplement.resolve.document import Paragraph, Run
from supplement.writers import pdf
from supplement.writers.pdf_lines import LineParagraph, Measure, Typesetter, break_simple

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "source" / "spinal-metastases.yaml"
WHOLE = ROOT / "docs" / "examples" / "whole-supplement.yaml"
PRESETS = sorted(p.stem for p in (ROOT / "supplement" / "presets").glob("*.yaml"))


# ---------------------------------------------------------------- the two ways


def reportlab_para(ctx, p: Paragraph, link=None) -> RLParagraph:
    """What the writer made before LineParagraph: reportlab's Paragraph of its markup."""
    text = pdf.markup(p, ctx.nbsp)
    if link:
        text = f"<a href={quoteattr('#' + link)}>{text}</a>"
    return RLParagraph(text, ctx.styles[p.role])


def lines_of(f) -> list:
    """Per line: the space left and what is on it (words; or styled pieces of text)."""
    bl = f.blPara
    if bl.kind == 0:
        return [(round(ws, 9), list(words)) for ws, words in bl.lines]
    if isinstance(f, LineParagraph):
        return [(round(line.extraSpace, 9), [(s.st.fontName, s.st.fontSize, s.st.rise, s.text) for s in line.words])
                for line in bl.lines]
    return [(round(line.extraSpace, 9), [(w.fontName, w.fontSize, w.rise, w.text) for w in line.words])
            for line in bl.lines]


def texts_of(f) -> list:
    """Per line: the space left and its text, styled (empty pieces left out, equal styles joined)."""
    out = []
    for ws, pieces in lines_of(f):
        if pieces and isinstance(pieces[0], str):
            out.append((ws, " ".join(pieces)))
            continue
        merged = []
        for font, size, rise, text in pieces:
            if not text:
                continue
            if merged and merged[-1][:3] == (font, size, rise):
                merged[-1] = (font, size, rise, merged[-1][3] + text)
            else:
                merged.append((font, size, rise, text))
        out.append((ws, merged))
    return out


def drawn(f, width: float, links=()) -> bytes:
    """The PDF of one page with the paragraph drawn on it (links given a destination)."""
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    h = f.wrap(width, 1e9)[1]
    f.drawOn(c, 30, 800 - h)
    for name in links:
        c.bookmarkPage(name)
    c.showPage()
    c.save()
    return buf.getvalue()


def page_code(f, width: float) -> list[str]:
    c = Canvas(io.BytesIO(), invariant=1)
    h = f.wrap(width, 1e9)[1]
    f.drawOn(c, 30, 800 - h)
    return c._code


# ---------------------------------------------------------------- the writer's own paragraphs


def writer_paragraphs(doc):
    """(model paragraph, link, width) of every paragraph the writer makes, at the width it
    is first wrapped at (recorded from a real rendering)."""
    made = {}
    real_para, real_wrap = pdf._Ctx.para, RLParagraph.wrap
    real_lwrap = LineParagraph.wrap

    def para(self, p, link=None, align=None):
        f = real_para(self, p, link, align)
        if align in (None, "left"):  # a centred or right-aligned column is reportlab's own Paragraph
            made[id(f)] = [p, link, None, f]
        return f

    def recording(real):
        def wrap(self, w, h):
            m = made.get(id(self))
            if m is not None and m[2] is None:
                m[2] = w
            return real(self, w, h)
        return wrap

    pdf._Ctx.para, RLParagraph.wrap, LineParagraph.wrap = para, recording(real_wrap), recording(real_lwrap)
    try:
        pdf.render(doc)
    finally:
        pdf._Ctx.para, RLParagraph.wrap, LineParagraph.wrap = real_para, real_wrap, real_lwrap
    return [(p, link, w) for p, link, w, _ in made.values() if w is not None]


@functools.lru_cache(maxsize=None)
def _document(path, style=None):
    return load_document(path, style)


@pytest.mark.parametrize("preset", PRESETS)
def test_every_paragraph_of_the_example_breaks_and_draws_as_reportlab(preset):
    doc = _document(EXAMPLE, preset)
    ctx = pdf._Ctx(doc, lambda m: None)
    ts = Typesetter(ctx.nbsp)
    items = writer_paragraphs(doc)
    assert len(items) > 200
    multi = kinds = 0
    for p, link, width in items:
        ours, theirs = ts.para(p, ctx.styles[p.role], link), reportlab_para(ctx, p, link)
        assert isinstance(ours, LineParagraph), p.text
        assert ours.wrap(width, 1e9) == theirs.wrap(width, 1e9), p.text
        assert lines_of(ours) == lines_of(theirs), p.text
        assert page_code(ours, width) == page_code(theirs, width), p.text
        multi += len(ours.blPara.lines) > 1
        kinds += ours.kind
    assert multi > 100 and kinds > 0  # wrapped quotes, and paragraphs of several fragments (marks, labels)


@pytest.mark.parametrize("path, preset", [(EXAMPLE, None), (EXAMPLE, "plos"), (WHOLE, None), (WHOLE, "jama")])
def test_all_paragraphs_on_one_canvas_give_the_same_pdf_bytes(path, preset):
    """Drawn one after another on one canvas (the word and code caches shared, fonts
    subset as they come), the PDF file is byte for byte reportlab's."""
    doc = _document(path, preset)
    ctx = pdf._Ctx(doc, lambda m: None)
    ts = Typesetter(ctx.nbsp)
    items = writer_paragraphs(doc)
    links = sorted({link for _, link, _ in items if link})
    if preset == "jama" and path == WHOLE:
        assert links  # its cover lists the contents, linked

    def pdf_of(make):
        buf = io.BytesIO()
        c = Canvas(buf, pagesize=ctx.pagesize, invariant=1)
        y = 560
        for p, link, width in items:
            f = make(p, link)
            h = f.wrap(width, 1e9)[1]
            if y - h < 30:
                c.showPage()
                y = 560
            f.drawOn(c, 50, y - h)
            y -= h
        for name in links:
            c.bookmarkPage(name)
        c.showPage()
        c.save()
        return buf.getvalue()

    assert pdf_of(lambda p, link: ts.para(p, ctx.styles[p.role], link)) == \
        pdf_of(lambda p, link: reportlab_para(ctx, p, link))


# ---------------------------------------------------------------- generated paragraphs

WORDS = ["the", "patient", "surgeon’s", "decision", "—", "…", "“quoted”", "[laughter]", "R&D", "<inaudible>",
         "a>b", "&", "Zoë", "Łukasz", "naïve", "x", "I", "it’s,", "—and", "well…", "(p.", "3)", "9;", "ΑΒΓ", "日本",
         "multidisciplinary", "W" * 30, "antidisestablishmentarianism" * 3, "i" * 200, "www.example.org/a/b/c/d/e"]
SPACES = [" ", " ", " ", " ", "  ", "\u00a0", "\t", "\n", " \n ", "\u2003", "\u200b", "\u2009 ", "\r\n", ""]


@st.composite
def runs(draw):
    n = draw(st.integers(1, 6))
    out = []
    for _ in range(n):
        k = draw(st.integers(0, 12))
        parts = []
        for _ in range(k):
            parts.append(draw(st.sampled_from(WORDS)))
            parts.append(draw(st.sampled_from(SPACES)))
        if draw(st.booleans()):
            parts.insert(0, draw(st.sampled_from(SPACES)))
        text = "".join(parts)
        if draw(st.integers(0, 9)) == 0:
            text = draw(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\xad"),
                                max_size=30))
        role = draw(st.sampled_from(["", "", "quote-text", "citation", "label", "note", "mark"]))
        out.append(Run(text, role=role, bold=draw(st.integers(0, 4)) == 0, italic=draw(st.integers(0, 4)) == 0,
                       superscript=draw(st.integers(0, 6)) == 0))
    return tuple(out)


ROLES = ["quote", "finding", "theme", "subtheme", "table-header", "caption", "list-item", "contents-item",
         "cover-heading", "section-text"]


@functools.lru_cache(maxsize=None)
def _ctx(preset):
    return pdf._Ctx(_document(EXAMPLE, preset), lambda m: None)


@settings(max_examples=min(settings.default.max_examples * 4, 2000), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(runs(), st.sampled_from(ROLES), st.floats(8, 700), st.sampled_from([None, "item-3"]),
       st.sampled_from(["jama", "default"]))
def test_generated_paragraphs_break_and_draw_as_reportlab(rs, role, width, link, preset):
    ctx = _ctx(preset)
    p = Paragraph(role, rs)
    ours = Typesetter(ctx.nbsp).para(p, ctx.styles[role], link)
    theirs = reportlab_para(ctx, p, link)
    if any("\xad" in r.text for r in rs):
        assert isinstance(ours, RLParagraph)
        return
    assert isinstance(ours, LineParagraph)
    assert ours.wrap(width, 1e9) == theirs.wrap(width, 1e9)
    assert lines_of(ours) == lines_of(theirs)
    # drawn after its first wrap: reportlab's second wrap of a paragraph of several fragments
    # whose long word it split re-breaks its own split pieces (same text, other pieces)
    assert drawn(ours, width, [link] if link else []) == \
        drawn(reportlab_para(ctx, p, link), width, [link] if link else [])


@settings(max_examples=150, deadline=None)
@given(runs(), st.sampled_from(["quote", "list-item", "section-text"]), st.floats(30, 400), st.floats(0, 200),
       st.booleans())
def test_split_by_whole_lines_as_reportlab(rs, role, width, height, orphans):
    """split decides as reportlab does, and each part has the text of reportlab's on each line.

    (reportlab breaks its parts again from its own split pieces of long words, which can
    move an empty piece of text from one line's end to the next; the text is the same.)"""
    ctx = _ctx("jama")
    p = Paragraph(role, rs)
    ours, theirs = Typesetter(ctx.nbsp).para(p, ctx.styles[role]), reportlab_para(ctx, p)
    if isinstance(ours, RLParagraph):
        return
    for f in (ours, theirs):
        f.allowOrphans = f.allowWidows = int(orphans)
        f.wrap(width, 1e9)
    a, b = ours.split(width, height), theirs.split(width, height)
    assert len(a) == len(b)
    if len(a) == 1:
        assert a[0] is ours and b[0] is theirs
    if len(a) == 2:
        for part, (x, y) in enumerate(zip(a, b)):
            height = y.wrap(width, 1e9)[1]
            x.wrap(width, 1e9)
            mine, rl = texts_of(x), texts_of(y)
            if part == 1 and rl and rl[0][1] == [] and (not mine or mine[0][1] != []) and x.kind == 1:
                # reportlab's second part starts at the <br/> that ended the first part's last
                # line (its sFW points at the break): an empty line more than there should be
                assert lines_of(a[0])[-1][1][-1][3] == ""
                rl, height = rl[1:], height - x.style.leading
            assert x.wrap(width, 1e9)[1] == height
            assert mine == rl


# ---------------------------------------------------------------- details


def test_a_long_word_is_split_across_lines_and_nothing_is_lost():
    ctx = _ctx("jama")
    word = "supercalifragilistic" * 20
    p = Paragraph("quote", (Run(f"see {word} and then more"),))
    ours, theirs = Typesetter().para(p, ctx.styles["quote"]), reportlab_para(ctx, p)
    assert ours.wrap(120, 1e9) == theirs.wrap(120, 1e9)
    assert lines_of(ours) == lines_of(theirs)
    got = [w for _, words in ours.blPara.lines for w in words]
    assert "".join(got) == f"see{word}andthenmore"
    assert len(ours.blPara.lines) > 5
    assert all(ws > -0.05 * 3 for ws, _ in ours.blPara.lines)  # nothing wider than the line (bar the shrink)


def test_part_wrapped_again_at_another_width_keeps_every_word():
    ctx = _ctx("jama")
    text = " ".join(f"word{i}" for i in range(300)) + " " + "z" * 400 + " tail"
    p = Paragraph("quote", (Run(text),))
    ours = Typesetter().para(p, ctx.styles["quote"])
    ours.wrap(200, 1e9)
    first, rest = ours.split(200, 5 * ctx.styles["quote"].leading)
    rest.wrap(350, 1e9)
    words = [w for part in (first, rest) for _, ws in part.blPara.lines for w in ws]
    assert "".join(words) == text.replace(" ", "")
    again = RLParagraph(" ".join(w for _, ws in rest.blPara.lines for w in ws), ctx.styles["quote"])
    again.wrap(350, 1e9)
    assert len(rest.blPara.lines) == len(again.blPara.lines)


@settings(max_examples=100, deadline=None)
@given(runs(), st.floats(20, 300), st.floats(20, 300), st.integers(1, 6))
def test_both_parts_broken_again_at_another_width_keep_their_own_text(rs, width, other, keep):
    ctx = _ctx("jama")
    style = ctx.styles["quote"]
    f = Typesetter(ctx.nbsp).para(Paragraph("quote", rs), style)
    if isinstance(f, RLParagraph):
        return
    f.allowOrphans = f.allowWidows = 1
    f.wrap(width, 1e9)
    parts = f.split(width, keep * style.leading + 0.5)
    if len(parts) != 2:
        return
    whole = "".join(plain(f).split())
    texts = []
    for part in parts:
        part.wrap(other, 1e9)
        texts.append("".join(plain(part).split()))
    assert "".join(texts) == whole


def plain(f) -> str:
    if f.kind == 0:
        return " ".join(w for _, ws in f.blPara.lines for w in ws)
    return " ".join(s.text for line in f.blPara.lines for s in line.words)


def test_soft_hyphens_and_unsupported_styles_are_left_to_reportlab():
    ctx = _ctx("jama")
    ts = Typesetter()
    assert isinstance(ts.para(Paragraph("quote", (Run("hyphen\xadated"),)), ctx.styles["quote"]), RLParagraph)
    from copy import deepcopy
    from reportlab.lib.enums import TA_JUSTIFY

    justified = deepcopy(ctx.styles["quote"])
    justified.alignment = TA_JUSTIFY
    assert isinstance(ts.para(Paragraph("quote", (Run("plain words"),)), justified), RLParagraph)
    assert isinstance(ts.para(Paragraph("quote", (Run("plain words"),)), ctx.styles["quote"]), LineParagraph)


def test_each_word_is_measured_once_per_font_and_size(monkeypatch):
    from supplement.writers import pdf_lines

    calls = []
    real = pdf_lines.stringWidth
    monkeypatch.setattr(pdf_lines, "stringWidth", lambda t, f, s: calls.append((t, f, s)) or real(t, f, s))
    ctx = _ctx("jama")
    ts = Typesetter(ctx.nbsp)
    text = "the cat and the dog and the cat again, the end"
    paras = [ts.para(Paragraph("quote", (Run(text), Run(" "), Run("[Int 3, 4]", role="citation"))), ctx.styles["quote"])
             for _ in range(20)]
    for f in paras:
        f.wrap(100, 1e9)
        f.wrap(60, 1e9)
        f.wrap(100, 1e9)
    assert len(calls) == len(set(calls))  # nothing twice
    assert {t for t, _, _ in calls} == set(text.split()) | {" ", "[Int\xa03,\xa04]"}
    assert ts.measure.calls == len(calls)


def test_break_simple_is_reportlabs_rule_at_the_boundary():
    """A line that fills the width exactly, or overflows by less than the space shrinkage
    reportlab allows (5% of each space), keeps its last word."""
    m = Measure()
    ctx = _ctx("jama")
    f = Typesetter().frag(ctx.styles["quote"], False, False, False, None)
    w = m.table(f.st.fontName, f.st.fontSize)
    words = ["aaa", "bbb", "ccc"]
    exact = w["aaa"] + f.st.space + w["bbb"]
    assert [ws for _, ws in break_simple(words, f.st, [exact, exact], 0.05, 1)] == [["aaa", "bbb"], ["ccc"]]
    assert [ws for _, ws in break_simple(words, f.st, [exact - 0.04 * f.st.space] * 2, 0.05, 1)][0] == ["aaa", "bbb"]
    assert [ws for _, ws in break_simple(words, f.st, [exact - 0.06 * f.st.space] * 2, 0.05, 1)][0] == ["aaa"]


# ---------------------------------------------------------------- in the writer


@pytest.mark.parametrize("path, preset", [(EXAMPLE, None), (EXAMPLE, "lancet"), (WHOLE, "jama")])
def test_the_writer_gives_the_pdf_reportlabs_paragraphs_gave(monkeypatch, path, preset):
    """The whole PDF (tables split across pages, continued labels, contents links,
    outline, header and footer) is byte for byte the one the writer made with reportlab's
    Paragraph for every paragraph."""
    from supplement.writers import pdf_lines

    doc = _document(path, preset)
    ours = pdf.render(doc)
    monkeypatch.setattr(pdf_lines.Typesetter, "para",
                        lambda self, p, style, link=None, markup=None: self._reportlab(p, style, link, markup))
    assert pdf.render(doc) == ours
    monkeypatch.undo()
    assert pdf.render(doc) == ours  # and again: identical rebuilds


# ---------------------------------------------------------------- renders that keep (watch)


def test_a_render_that_keeps_gives_the_bytes_of_a_fresh_render(tmp_path, monkeypatch):
    """``render(keep=True)``, as watch renders again and again in one process, reuses the
    paragraphs (broken lines) and what drawing them wrote. Through an author's edits (the
    title; a character outside ASCII met for the first time in the first quote, which moves
    the codes of every such character met later; a quote removed, which moves every page
    after it; another journal's style; and back) every file is byte for byte the one a fresh
    render writes, and the kept work was used."""
    from conftest import example_data, write_source

    base = example_data()
    edits = [lambda d: None,
             lambda d: d["study"].__setitem__("title", d["study"]["title"] + " (revised)"),
             lambda d: d["themes"][0]["findings"][0]["quotes"][0].__setitem__(
                 "text", "Ørsted’s Œuvre: " + d["themes"][0]["findings"][0]["quotes"][0]["text"]),
             lambda d: d["themes"][0]["findings"][0]["quotes"].pop(0)]
    docs = []
    for i, edit in enumerate(edits):
        data = example_data()
        edit(data)
        docs.append(load_document(write_source(tmp_path, data, f"v{i}.yaml")))
    docs += [load_document(write_source(tmp_path, base, "lancet.yaml"), "lancet"), docs[0], docs[2]]
    monkeypatch.setattr(pdf, "_kept", None)
    reused = replayed = 0
    for doc in docs:
        kept = pdf.render(doc, keep=True)
        ts = pdf._kept.typesetter
        reused, replayed = reused + ts.reused, replayed + ts.replayed
        ts.reused = ts.replayed = 0
        assert kept == pdf.render(doc), doc.meta.title
    assert reused > 1000 and replayed > 1000


def test_a_render_that_does_not_keep_keeps_nothing(monkeypatch):
    """A build renders once: nothing is kept for a next render (its memory is the document's)."""
    monkeypatch.setattr(pdf, "_kept", None)
    doc = _document(EXAMPLE, None)
    pdf.render(doc)
    assert pdf._kept is None
    ts = Typesetter()
    f = ts.para(Paragraph("quote", (Run("Some words"),)), pdf._Ctx(doc, lambda m: None).styles["quote"])
    assert f.wrap(200, 1e9)[1] > 0 and not ts.made.now and not ts.made.before


def test_a_render_that_keeps_still_warns_every_time(monkeypatch):
    """A role without a PDF style is printed as table text, with a warning on every render,
    not only on the one that made the stand-in style."""

    monkeypatch.setattr(pdf, "_kept", None)
    doc = _document(EXAMPLE, None)
    item = doc.items[0]
    cap = replace(item.caption[0], role="mystery")
    doc = replace(doc, items=(replace(item, caption=(cap, *item.caption[1:])), *doc.items[1:]))
    for _ in range(2):
        warnings = []
        pdf.render(doc, warnings.append, keep=True)
        assert warnings == ["no PDF paragraph style for role 'mystery'; printed as table text"]


def test_a_render_that_keeps_lets_each_document_go(monkeypatch):
    """What is kept between renders is paragraphs and text, not the finished PDF document
    (its pages and fonts' state): watch renders for hours in one process."""
    import gc

    from reportlab.pdfbase.pdfdoc import PDFDocument

    def documents() -> int:
        gc.collect()
        return sum(isinstance(o, PDFDocument) for o in gc.get_objects())

    monkeypatch.setattr(pdf, "_kept", None)
    doc = _document(EXAMPLE, None)
    before = documents()
    for _ in range(3):
        pdf.render(doc, keep=True)
    assert pdf._kept.typesetter.replayed > 0 and documents() == before


def test_a_render_that_keeps_frees_what_another_style_replaces(monkeypatch):
    """watch freezes what is alive before every build (build.pool: gc.freeze) and the
    collector never frees frozen cycles: when another style or font set replaces what is
    kept, nothing of the old is left in cycles (word widths and their tables, paragraphs)."""
    import gc
    import weakref

    monkeypatch.setattr(pdf, "_kept", None)
    docs = [_document(EXAMPLE, None), _document(EXAMPLE, "lancet")]
    measures = []
    try:
        for i in range(4):
            gc.freeze()
            pdf.render(docs[i % 2], keep=True)
            measures.append(weakref.ref(pdf._kept.typesetter.measure))
            gc.collect()
        assert [m() is not None for m in measures] == [False, False, False, True]
    finally:
        gc.unfreeze()
