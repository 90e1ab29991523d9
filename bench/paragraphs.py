"""The PDF writer's paragraphs alone: reportlab's Paragraph against supplement's LineParagraph.

    python bench/paragraphs.py SOURCE.yaml --pairs 5        # paired alternating runs, CPU time
    python bench/paragraphs.py SOURCE.yaml --impl lines     # one run of one implementation
    python bench/paragraphs.py SOURCE.yaml --impl reportlab --profile
    python bench/paragraphs.py SOURCE.yaml --save P && valgrind --tool=callgrind \
        python bench/paragraphs.py SOURCE.yaml --child P --impl lines     # and reportlab, none

The paragraphs are the writer's own: every paragraph ``pdf._Ctx.para`` makes while
rendering SOURCE, with its role's style, its link and the width it is first wrapped at
(recorded once, in the parent process, and handed to the runs as a pickle). A run
makes each paragraph from its model paragraph (reportlab: the markup, then
``Paragraph``; lines: ``Typesetter.para``), wraps it once and draws it once on a canvas
of the document's page size, a new page when one is full: the honest floor of the
writer's text, nothing else. Each run is its own process; the CPU time of that loop is
measured (``time.process_time``). ``--pairs N`` runs reportlab, lines, reportlab,
lines … N times each, alternating which goes first, and reports the per-pair ratios
and their median.
"""

from __future__ import annotations

import argparse
import io
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def collect(doc) -> list:
    """(model paragraph, link, width) of every paragraph the writer makes and wraps."""
    from reportlab.platypus import Paragraph as RLParagraph

    from supplement.writers import pdf
    from supplement.writers.pdf_lines import LineParagraph

    made = {}
    real_para = pdf._Ctx.para

    def para(self, p, link=None):
        f = real_para(self, p, link)
        made[id(f)] = [p, link, None, f]  # f kept alive: ids stay unique
        return f

    def recording(real):
        def wrap(self, w, h):
            m = made.get(id(self))
            if m is not None and m[2] is None:
                m[2] = w
            return real(self, w, h)
        return wrap

    classes = (RLParagraph, LineParagraph)
    saved = [c.wrap for c in classes]
    pdf._Ctx.para = para
    for c, real in zip(classes, saved):
        c.wrap = recording(real)
    try:
        pdf.render(doc)
    finally:
        pdf._Ctx.para = real_para
        for c, real in zip(classes, saved):
            c.wrap = real
    return [(p, link, w) for p, link, w, _ in made.values() if w is not None]


def run(doc, items, impl: str) -> float:
    """CPU seconds to make, wrap and draw every paragraph once."""
    from reportlab.pdfgen.canvas import Canvas

    from supplement.writers import pdf
    from supplement.writers.pdf_lines import Typesetter

    ctx = pdf._Ctx(doc, lambda m: None)
    styles = ctx.styles
    if impl == "none":  # everything but the loop: a baseline for instruction counts
        return 0.0
    if impl == "reportlab":
        from reportlab.platypus import Paragraph as RLParagraph
        from xml.sax.saxutils import quoteattr

        def make(p, link):
            text = pdf.markup(p, ctx.nbsp)
            if link:
                text = f"<a href={quoteattr('#' + link)}>{text}</a>"
            return RLParagraph(text, styles[p.role])
    else:
        ts = Typesetter(ctx.nbsp)

        def make(p, link):
            return ts.para(p, styles[p.role], link)
    top = ctx.pagesize[1] - ctx.margin
    t0 = time.process_time()
    c = Canvas(io.BytesIO(), pagesize=ctx.pagesize, invariant=1)
    y = top
    for p, link, w in items:
        f = make(p, link)
        h = f.wrap(w, 1e9)[1]
        if y - h < ctx.margin and y < top:
            c.showPage()
            y = top
        f.drawOn(c, ctx.margin, y - h)
        y -= h
    c.showPage()
    return time.process_time() - t0


def _plain(items) -> list:
    """Paragraphs as plain data (the model's located strings do not pickle)."""
    return [(p.role, tuple((str(r.text), str(r.role), r.bold, r.italic, r.superscript) for r in p.runs),
             link and str(link), w) for p, link, w in items]


def _model(plain) -> list:
    from supplement.resolve.document import Paragraph, Run

    return [(Paragraph(role, tuple(Run(*r) for r in runs)), link, w) for role, runs, link, w in plain]


def _child(source: str, pickle_path: str, impl: str, profile: bool) -> None:
    from supplement.pipeline import load_document

    doc = load_document(source)
    with open(pickle_path, "rb") as fh:
        items = _model(pickle.load(fh))
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.runcall(run, doc, items, impl)
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)
        return
    print(f"{run(doc, items, impl):.4f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source")
    ap.add_argument("--impl", choices=("reportlab", "lines", "none"))
    ap.add_argument("--pairs", type=int, default=0)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--save", help="write the recorded paragraphs to this file and stop (for --child runs "
                    "under valgrind --tool=callgrind)")
    a = ap.parse_args(argv)
    if a.child:
        _child(a.source, a.child, a.impl, a.profile)
        return 0
    from supplement.pipeline import load_document

    doc = load_document(a.source)
    items = collect(doc)
    if a.save:
        with open(a.save, "wb") as fh:
            pickle.dump(_plain(items), fh)
        return 0
    with tempfile.TemporaryDirectory() as d:
        pk = os.path.join(d, "items.pickle")
        with open(pk, "wb") as fh:
            pickle.dump(_plain(items), fh)
        words = sum(len(p.text.split()) for p, _, _ in items)
        print(f"{len(items)} paragraphs, {words} words", flush=True)

        def one(impl):
            out = subprocess.run([sys.executable, __file__, a.source, "--impl", impl, "--child", pk]
                                 + (["--profile"] if a.profile else []), capture_output=True, text=True, check=True)
            return out.stdout

        if not a.pairs:
            print(one(a.impl or "lines"), end="")
            return 0
        ratios, rl, ln = [], [], []
        for i in range(a.pairs):
            order = ("reportlab", "lines") if i % 2 == 0 else ("lines", "reportlab")
            t = {impl: float(one(impl)) for impl in order}
            rl.append(t["reportlab"])
            ln.append(t["lines"])
            ratios.append(t["lines"] / t["reportlab"])
            print(f"pair {i + 1}: reportlab {t['reportlab']:.3f} s, lines {t['lines']:.3f} s, "
                  f"ratio {ratios[-1]:.3f}", flush=True)
        print(f"median: reportlab {statistics.median(rl):.3f} s, lines {statistics.median(ln):.3f} s CPU; "
              f"median ratio {statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
