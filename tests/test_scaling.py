"""Builds stay linear in the size of the study: work is counted, not timed.

A study of N quotes is built from one of n quotes whose themes are repeated 1, 2
and 4 times (bench/gen.py ``replicated``), so the content grows exactly
proportionally. For each stage (reading and checking, the Word writer, the PDF
writer) the work is counted — every function call cProfile sees, plus the
primitives known to go quadratic:

- paragraph line breakings (reportlab ``Paragraph.wrap``, the writer's
  ``LineParagraph._break``): one big reportlab Table is re-measured at every page
  break, so its wraps grow with pages × rows;
- lxml moves: moving an element that still has a parent (for instance out of a
  parsed fragment whose root declares the namespaces) costs time quadratic in the
  size of its subtree (measured with lxml 6.1.3 / libxml2 2.14.6: a table of 4,000
  quote rows moved in one `addprevious` took 8 s; the same rows moved one by one
  0.2 s; the table parsed with its own xmlns declaration and inserted as the root
  of its fragment, a millisecond). So the largest subtree moved in one call must
  not grow with the study.

Linear work gives (W(4x) - W(2x)) / (W(2x) - W(x)) = 2 (constant start-up cost
cancels out); quadratic work gives 4. ``test_the_measure_catches_quadratic_writers``
checks that the same measure flags known quadratic implementations.
"""

from __future__ import annotations

import cProfile
import importlib.util
import pstats
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE_QUOTES = 24
LINEAR_LIMIT = 2.6  # marginal growth; linear 2.0, quadratic 4.0


def _gen():
    spec = importlib.util.spec_from_file_location("bench_gen", ROOT / "bench" / "gen.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    gen = _gen()
    d = tmp_path_factory.mktemp("scaling")
    out = {}
    for k in (1, 2, 4):
        p = d / f"study-x{k}.yaml"
        p.write_text(gen.replicated(BASE_QUOTES, k, seed=5), encoding="utf-8")
        out[k] = p
    return out


@pytest.fixture(scope="module")
def documents(studies):
    from supplement.pipeline import compile_document

    docs = {}
    for k, p in studies.items():
        doc, report = compile_document(p)
        assert doc is not None, report.text()
        assert doc.quote_count == BASE_QUOTES * k
        docs[k] = doc
    return docs


# ---------------------------------------------------------------- counting


class Moves:
    """Largest subtree moved in one call into a python-docx element tree out of another tree
    (an element with a parent: its namespaces are declared on an ancestor it leaves)."""

    METHODS = ("append", "insert", "extend", "addprevious", "addnext", "replace")

    def __init__(self):
        self.largest = 0
        self.saved = {}

    def __enter__(self):
        from docx.oxml.xmlchemy import BaseOxmlElement

        def wrap(name, original):
            def method(this, *args):
                for a in (args[1:] if name == "replace" else args):  # replace(old, new): new moves in
                    for el in (a if isinstance(a, (list, tuple)) else [a]):
                        if hasattr(el, "iter") and el.getparent() is not None:
                            self.largest = max(self.largest, sum(1 for _ in el.iter()))
                return original(this, *args)
            return method

        for name in self.METHODS:
            self.saved[name] = BaseOxmlElement.__dict__.get(name)
            setattr(BaseOxmlElement, name, wrap(name, getattr(BaseOxmlElement, name)))
        return self

    def __exit__(self, *exc):
        from docx.oxml.xmlchemy import BaseOxmlElement

        for name, original in self.saved.items():
            if original is None:
                delattr(BaseOxmlElement, name)
            else:
                setattr(BaseOxmlElement, name, original)


def work(fn, *args) -> dict:
    """Counts of what ``fn(*args)`` does."""
    prof = cProfile.Profile()
    with Moves() as moves:
        prof.enable()
        try:
            fn(*args)
        finally:
            prof.disable()
    stats = pstats.Stats(prof).stats
    wraps = sum(v[1] for (file, _, name), v in stats.items()
                if (name, file.replace("\\", "/").rsplit("/", 3)[-3:]) in (
                    ("wrap", ["reportlab", "platypus", "paragraph.py"]),
                    ("_break", ["supplement", "writers", "pdf_lines.py"])))
    return {"calls": sum(v[1] for v in stats.values()), "paragraph wraps": wraps, "largest insert": moves.largest}


def measure(fn, inputs: dict) -> dict[int, dict]:
    """Counts per size; a first, uncounted call takes the one-time costs (imports, caches, fonts)."""
    fn(inputs[1])
    return {k: work(fn, x) for k, x in inputs.items()}


def marginal_growth(counts: dict[int, dict], key: str) -> float:
    a, b, c = counts[1][key], counts[2][key], counts[4][key]
    return (c - b) / max(b - a, 1)


def assert_linear(counts: dict[int, dict], stage: str) -> None:
    for key in ("calls", "paragraph wraps"):
        if counts[4][key] == 0:
            continue
        g = marginal_growth(counts, key)
        assert g <= LINEAR_LIMIT, (
            f"{stage}: {key} grow faster than the study: {counts[1][key]}, {counts[2][key]}, {counts[4][key]} "
            f"for {BASE_QUOTES}, {2 * BASE_QUOTES}, {4 * BASE_QUOTES} quotes (marginal growth {g:.2f}; "
            f"linear 2, quadratic 4). Profile the stage with bench/ (see docs/performance.md).")
    big = counts[4]["largest insert"]
    small = counts[1]["largest insert"]
    assert big <= 1.5 * small + 50, (
        f"{stage}: the largest subtree moved into the document in one call grows with the study ({small} elements "
        f"at {BASE_QUOTES} quotes, {big} at {4 * BASE_QUOTES}); lxml takes time quadratic in the size of a subtree "
        "moved out of another tree: parse each table with its own xmlns declaration and insert it as a root, "
        "move rows one by one, or splice the serialized XML")


# ---------------------------------------------------------------- the stages


def test_reading_and_checking_is_linear(studies):
    from supplement.pipeline import compile_document

    counts = measure(compile_document, studies)
    assert_linear(counts, "reading and checking")


def test_word_writer_is_linear(documents):
    from supplement.writers import renderer

    render = renderer("docx")
    counts = measure(render, documents)
    assert_linear(counts, "Word writer")


def test_pdf_writer_is_linear(documents):
    from supplement.writers import renderer

    render = renderer("pdf")
    counts = measure(render, documents)
    assert counts[1]["paragraph wraps"] > 0, "no paragraph line breakings counted: update this test"
    assert_linear(counts, "PDF writer")


def test_spreadsheet_writer_is_linear(documents):
    from supplement.writers import renderer

    counts = measure(renderer("xlsx"), documents)
    assert_linear(counts, "Excel writer")


# ---------------------------------------------------------------- the measure itself


def _quotes(doc):
    for item in doc.items:
        for b in getattr(item, "blocks", ()):
            for f in b.findings:
                yield from (q.text for q in f.quotes)


def _remeasure_every_page(doc) -> None:
    """The quadratic a table layout falls into: measuring every remaining row again at each page
    break (what one big reportlab Table does on every split)."""
    import io
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

    class Rows(Flowable):
        def __init__(self, paras):
            super().__init__()
            self.paras = paras

        def wrap(self, aw, ah):
            self.heights = [p.wrap(aw, 1e9)[1] for p in self.paras]  # all of them, every time
            return aw, sum(self.heights)

        def split(self, aw, ah):
            self.wrap(aw, ah)
            used, n = 0.0, 0
            while n < len(self.paras) and used + self.heights[n] <= ah:
                used += self.heights[n]
                n += 1
            return [Rows(self.paras[:n]), Rows(self.paras[n:])] if 0 < n < len(self.paras) else []

        def draw(self):
            y = sum(self.heights)
            for p, h in zip(self.paras, self.heights):
                y -= h
                p.drawOn(self.canv, 0, y)

    style = getSampleStyleSheet()["Normal"]
    rows = [Paragraph(escape(t), style) for t in _quotes(doc)]
    SimpleDocTemplate(io.BytesIO(), pagesize=landscape(letter)).build([Rows(rows)])


def _python_docx_cell_loop(doc) -> None:
    """The known quadratic of python-docx: Table.cell() rebuilds the list of every cell."""
    import docx

    quotes = list(_quotes(doc))
    d = docx.Document()
    table = d.add_table(rows=0, cols=3)
    for _ in quotes:
        table.add_row()
    for i, t in enumerate(quotes):
        table.cell(i, 2).text = t


def _whole_table_move(doc) -> None:
    """Build the body as one fragment, then move the whole table into the document in one call."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from xml.sax.saxutils import escape

    rows = "".join(f"<w:tr><w:tc><w:p><w:r><w:t>{escape(t)}</w:t></w:r></w:p></w:tc></w:tr>" for t in _quotes(doc))
    d = docx.Document()
    frag = parse_xml(f"<w:body {nsdecls('w')}><w:tbl>{rows}</w:tbl></w:body>")
    d.element.body.find(qn("w:sectPr")).addprevious(frag[0])


@pytest.mark.parametrize("impl, key", [
    (_remeasure_every_page, "paragraph wraps"),
    (_python_docx_cell_loop, "calls"),
    (_whole_table_move, "largest insert"),
])
def test_the_measure_catches_quadratic_writers(documents, impl, key):
    counts = measure(impl, documents)
    with pytest.raises(AssertionError):
        assert_linear(counts, impl.__name__)
    if key != "largest insert":
        assert marginal_growth(counts, key) > LINEAR_LIMIT


# ---------------------------------------------------------------- the PDF writer's line breaker


class Traced:
    """Lines of supplement/writers/pdf_lines.py executed (``sys.settrace``): the line breaker's
    work word by word, which cProfile's call counts do not see (its loops make no calls)."""

    def __init__(self):
        self.lines = 0

    def __enter__(self):
        import sys

        from supplement.writers import pdf_lines

        target = pdf_lines.__file__

        def local(frame, event, arg):
            if event == "line":
                self.lines += 1
            return local

        def glob(frame, event, arg):
            return local if frame.f_code.co_filename == target else None

        self._old = sys.gettrace()
        sys.settrace(glob)
        return self

    def __exit__(self, *exc):
        import sys

        sys.settrace(self._old)


def _typeset(doc, fresh_widths: bool = False) -> dict:
    """Make and break every paragraph of ``doc`` with one Typesetter, at two widths (a table
    column and a page), counting the width function's calls and the lines executed."""
    from supplement.writers import pdf, pdf_lines

    ctx = pdf._Ctx(doc, lambda m: None)
    ts = pdf_lines.Typesetter(ctx.nbsp)
    measured = []
    real = pdf_lines.stringWidth
    pdf_lines.stringWidth = lambda text, font, size: measured.append((text, font, size)) or real(text, font, size)
    words = 0
    try:
        with Traced() as traced:
            for p in doc.paragraphs():
                if fresh_widths:  # what reportlab does: every wrap measures its words again
                    ts.measure = pdf_lines.Measure()
                    ts._frags.clear()
                    ts._styles.clear()
                f = ts.para(p, ctx.styles[p.role])
                f.wrap(250.0, 1e9)
                f.wrap(600.0, 1e9)
                words += len(p.text.split())
    finally:
        pdf_lines.stringWidth = real
    return {"words": words, "measured": len(measured), "distinct": len(set(measured)), "lines": traced.lines,
            "tables": sum(len(t) for t in ts.measure.tables.values())}


def test_pdf_line_breaker_is_linear_in_words_and_measures_each_word_once(documents):
    _typeset(documents[1])
    counts = {k: _typeset(doc) for k, doc in documents.items()}
    for k, c in counts.items():
        # each distinct (word, font, size) measured once, whatever the number of paragraphs and wraps
        assert c["measured"] == c["distinct"] == c["tables"], c
    words = [counts[k]["words"] for k in (1, 2, 4)]
    measured = [counts[k]["measured"] for k in (1, 2, 4)]
    # the study grows 4-fold; its vocabulary hardly at all (each copy adds its "(k)" mark)
    assert words[2] > 3.5 * words[0]
    assert measured[2] - measured[0] < 0.02 * (words[2] - words[0]), (words, measured)
    g = marginal_growth(counts, "lines")
    assert g <= LINEAR_LIMIT, (
        f"the PDF line breaker's work grows faster than the words: {[counts[k]['lines'] for k in (1, 2, 4)]} "
        f"lines executed for {words} words (marginal growth {g:.2f}; linear 2, quadratic 4)")
    per_word = [counts[k]["lines"] / counts[k]["words"] for k in (1, 2, 4)]
    assert max(per_word) < 1.25 * min(per_word), per_word


def test_the_measure_catches_a_line_breaker_that_measures_every_wrap(documents):
    """Measuring the words again for every paragraph (reportlab's way) is what the first
    test rules out: the width calls then grow with the words, not the vocabulary."""
    once = {k: _typeset(doc) for k, doc in documents.items()}
    again = {k: _typeset(doc, fresh_widths=True) for k, doc in documents.items()}
    for k in (1, 2, 4):
        assert again[k]["measured"] > 2 * once[k]["measured"]
    words = [again[k]["words"] for k in (1, 2, 4)]
    measured = [again[k]["measured"] for k in (1, 2, 4)]
    assert not measured[2] - measured[0] < 0.02 * (words[2] - words[0])
