"""Helpers for the import tests: run the command as a user does, and hold what it wrote to
`check` and `build`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from supplement.study.model import Quote, Subtheme, Theme, walk


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    """`supplement ARGS` through the real entry point (no traceback may ever reach the user)."""
    p = subprocess.run([sys.executable, "-c", "from supplement.cli import run; run()", *map(str, args)],
                       capture_output=True, text=True, cwd=cwd, timeout=120)
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr
    return p


def assert_checks_and_builds(source: Path, out: Path, model=None) -> None:
    """The imported source passes `supplement check` (no errors) and builds a .docx; read back,
    it is the model the importer made (``model``), ids included."""
    from supplement.build.run import build
    from supplement.pipeline import compile_document
    from supplement.reader import read_source
    if model is not None:
        back, report = read_source(source)
        assert back == model, report.text()
    doc, report = compile_document(source)
    assert doc is not None and not report.errors, report.text()
    result = build(source, out, ["docx"])
    assert not result.report.errors, result.report.text()
    assert (out / (source.stem + ".docx")).stat().st_size > 5000


def outline(sup) -> list[tuple]:
    """(kind, title or text, cite) in reading order: what a reader of the appendix sees."""
    rows = []
    for _, n in walk(sup):
        if isinstance(n, (Theme, Subtheme)):
            rows.append((type(n).__name__, n.title))
        elif isinstance(n, Quote):
            c = n.cite
            pages = (c.pages.first, c.pages.last) if c and c.pages else None
            rows.append(("Quote", n.text, c.source if c else None, pages, n.note))
        else:
            rows.append(("Finding", n.text))
    return rows


def quotes(sup) -> list:
    return [n for _, n in walk(sup) if isinstance(n, Quote)]


def messages(report) -> str:
    return "\n".join(d.text() for d in report.items)
