"""Build orchestration: compile once, render each format (concurrently), write atomically."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Pos, Report
from .model import Document
from .output import atomic_write
from .pipeline import compile_document
from .writers import renderer


@dataclass
class Result:
    report: Report
    written: list[tuple[Path, float]] = field(default_factory=list)  # (file, seconds)
    doc: Document | None = None


class OutputError(Exception):
    """The output directory cannot be used."""


def prepare_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: a file is in the way of the output directory; move it or choose --out")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{out}: cannot create the output directory ({e.strerror})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: the output directory is not writable")


def _render_and_write(doc: Document, fmt: str, out: Path) -> tuple[Path, float, list[str]]:
    start = time.perf_counter()
    warnings: list[str] = []
    data = renderer(fmt)(doc, warnings.append)
    target = out / f"{doc.name}.{fmt}"
    atomic_write(target, data)
    return target, time.perf_counter() - start, warnings


def font_warnings(doc: Document, report: Report) -> None:
    from .fontcheck import uncovered

    for pos, chars in uncovered(doc):
        shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in chars[:5]) + (" …" if len(chars) > 5 else "")
        report.warning(pos or Pos(doc.name), f"the PDF font cannot show {shown}; the PDF would print a blank box",
                       "choose a style whose font covers it (font.pdf_files), or replace the character")


def build(path: Path, out: Path, formats: list[str], style: str | None = None) -> Result:
    """Compile ``path`` and write one file per format into ``out``; nothing is written on errors."""
    doc, report = compile_document(path, style)
    result = Result(report, doc=doc)
    if doc is None:
        return result
    if "pdf" in formats:
        font_warnings(doc, report)
    prepare_out_dir(out)
    jobs = list(formats)
    child = _fork_job(doc, jobs.pop(), out) if len(jobs) > 1 and hasattr(os, "fork") else None
    try:
        for fmt in jobs:
            target, secs, warns = _render_and_write(doc, fmt, out)
            result.written.append((target, secs))
            for w in warns:
                report.warning(Pos(str(path)), w)
        if child:
            target, secs, warns = _join(child)
            result.written.append((target, secs))
            for w in warns:
                report.warning(Pos(str(path)), w)
    except BaseException:
        if child:
            _kill(child)
        raise
    result.written.sort(key=lambda t: formats.index(t[0].suffix[1:]))
    return result


class WriterFailed(Exception):
    pass


def _fork_job(doc: Document, fmt: str, out: Path):
    """Render one format in a forked child (the GIL would serialise threads)."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(rfd)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwinds, so no partial file stays
        code = 0
        try:
            target, secs, warns = _render_and_write(doc, fmt, out)
            msg = {"target": str(target), "secs": secs, "warnings": warns}
        except KeyboardInterrupt:
            msg, code = {"error": "interrupted"}, 130
        except BaseException as e:  # reported by the parent
            msg, code = {"error": f"{fmt} writer failed: {type(e).__name__}: {e}"}, 1
        with os.fdopen(wfd, "w") as f:
            f.write(json.dumps(msg))
        os._exit(code)
    os.close(wfd)
    return pid, rfd


def _join(child) -> tuple[Path, float, list[str]]:
    pid, rfd = child
    with os.fdopen(rfd) as f:
        raw = f.read()
    os.waitpid(pid, 0)
    msg = json.loads(raw) if raw else {"error": "writer process ended unexpectedly"}
    if "error" in msg:
        if msg["error"] == "interrupted":
            raise KeyboardInterrupt
        raise WriterFailed(msg["error"])
    return Path(msg["target"]), msg["secs"], msg["warnings"]


def _kill(child) -> None:
    pid, rfd = child
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except OSError:
        pass
    try:
        os.close(rfd)
    except OSError:
        pass
