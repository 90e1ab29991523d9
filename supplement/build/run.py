"""Build orchestration: compile once, render each format (concurrently), write atomically."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from supplement.diagnostics import Diagnostic, Pos, Report, SourceError
from supplement.resolve.document import Document
from supplement.build.atomic import discard, fill, temp_beside
from supplement.pipeline import compile_document
from supplement.writers import EXTERNAL, renderer


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


# Ctrl-C or SIGTERM seen by the command's signal handlers (supplement.cli.run). A library
# may swallow the exception the handler raises (a bare ``except:``; zipfile turns it into
# ValueError when it closes an archive); the build checks here before it puts anything in place.
_stop: list[BaseException] = []


def note_stop(exc: BaseException) -> None:
    _stop.append(exc)


def _check_stop() -> None:
    if _stop:
        raise _stop[0]


def _render_into(doc: Document, fmt: str, tmp: Path, engine: str | None = None) -> tuple[float, list[str]]:
    """Render one format into its temporary file; a writer's own error becomes WriterFailed.

    A writer that meets something it cannot lay out raises SourceError with located
    diagnostics (a paragraph's position, the style setting); the build reports them
    like the source's own errors and writes nothing."""
    start = time.perf_counter()
    warnings: list[str] = []
    try:
        data = renderer(fmt, engine)(doc, warnings.append)
    except SourceError:  # the writer found a problem it can place in the source or style
        _check_stop()
        raise
    except Exception as e:  # the same in this process and in a forked one
        _check_stop()
        raise WriterFailed(f"{fmt} writer failed: {type(e).__name__}: {e}") from e
    _check_stop()
    fill(tmp, data)
    return time.perf_counter() - start, warnings


def font_warnings(doc: Document, report: Report) -> None:
    from supplement.checks.fonts import uncovered

    for pos, chars in uncovered(doc):
        shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in chars[:5]) + (" …" if len(chars) > 5 else "")
        report.warning(pos or Pos(doc.name), f"the PDF font cannot show {shown}; the PDF would print a blank box",
                       "choose a style whose font covers it (font.pdf_files), or replace the character")


def build(path: Path, out: Path, formats: list[str], style: str | None = None, strict: bool = False,
          progress=lambda message: None, pdf_engine: str = "reportlab") -> Result:
    """Compile ``path`` and write one file per format into ``out``; nothing is written on errors
    (with ``strict``, on warnings either). ``progress`` hears what a long build is doing.
    ``pdf_engine`` 'libreoffice' converts the .docx into an accessible PDF (needs LibreOffice)."""
    _stop.clear()
    start = time.perf_counter()
    engines = {"pdf": pdf_engine} if "pdf" in formats and pdf_engine != "reportlab" else {}
    if engines.get("pdf") == "libreoffice":  # before any work: a missing LibreOffice is a plain error
        from supplement.writers.libreoffice_pdf import LibreOfficeMissing, soffice
        try:
            soffice()
        except LibreOfficeMissing as e:
            raise OutputError(str(e)) from None
    doc, report = compile_document(path, style)
    result = Result(report, doc=doc)
    if doc is None:
        return result
    if "pdf" in formats and "pdf" not in engines:  # LibreOffice picks fonts that cover the text itself
        font_warnings(doc, report)
    if strict and report.warnings:
        return result
    progress(f"{len(doc.items)} items, {doc.quote_count:,} quotes, style '{doc.style.name}': read and checked "
             f"in {time.perf_counter() - start:.2f} s; rendering {' and '.join(formats)} …")
    prepare_out_dir(out)
    try:
        _write_all(doc, path, out, formats, result, engines)
    except SourceError as e:
        report.extend(e.report)
    return result


def _write_all(doc: Document, path: Path, out: Path, formats: list[str], result: Result,
               engines: dict[str, str] | None = None) -> None:
    engines = engines or {}
    report = result.report
    targets = {fmt: out / f"{doc.name}.{fmt}" for fmt in formats}
    for target in targets.values():  # found now, not after one output was already replaced
        if target.is_dir():
            raise OutputError(f"{target}: a folder is in the way of the output file; move it or choose --out")
    tmps: dict[str, Path] = {}
    child = None
    try:
        # Every format goes to a temporary file first; all are renamed into place only when all
        # are complete, so a failed build leaves every earlier output as it was.
        for fmt in formats:
            tmps[fmt] = temp_beside(targets[fmt])
        jobs = list(formats)
        forkable = [f for f in jobs if (f, engines.get(f)) not in EXTERNAL]
        if len(jobs) > 1 and forkable and hasattr(os, "fork"):
            fmt = forkable[-1]
            jobs.remove(fmt)
            child = fmt, _fork_job(doc, fmt, tmps[fmt], engines.get(fmt))
        timings, warnings = {}, []
        for fmt in jobs:
            timings[fmt], warns = _render_into(doc, fmt, tmps[fmt], engines.get(fmt))
            warnings += warns
        if child:
            (fmt, job), child = child, None  # from here _join reaps it, whatever happens
            timings[fmt], warns = _join(job)
            warnings += warns
        for w in warnings:
            report.warning(Pos(str(path)), w)
        _check_stop()
        for fmt in formats:
            os.replace(tmps[fmt], targets[fmt])
            del tmps[fmt]
            result.written.append((targets[fmt], timings[fmt]))
    except BaseException:
        if child:
            pid, rfd = child[1]
            _kill(pid)
            os.close(rfd)
        discard(tmps.values())
        raise


class WriterFailed(Exception):
    pass


_STOP = {signal.SIGINT, signal.SIGTERM} | ({signal.SIGHUP} if hasattr(signal, "SIGHUP") else set())


def _fork_job(doc: Document, fmt: str, tmp: Path, engine: str | None = None):
    """Render one format in a forked child (the GIL would serialise threads). The parent
    created ``tmp`` and removes it whatever happens to the child."""
    rfd, wfd = os.pipe()
    # Ctrl-C is held back while forking: raised inside an at-fork hook (logging has some),
    # KeyboardInterrupt would be printed and dropped, and the build would carry on.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP)
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(rfd)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            try:
                secs, warns = _render_into(doc, fmt, tmp, engine)
                msg, code = {"secs": secs, "warnings": warns}, 0
            except KeyboardInterrupt:
                msg, code = {"error": "interrupted"}, 130
            except SourceError as e:
                msg = {"diagnostics": [d.as_dict() for d in e.report.items]}
            except BaseException as e:  # reported by the parent
                msg = {"error": str(e) if isinstance(e, WriterFailed) else f"{type(e).__name__}: {e}"}
            with os.fdopen(wfd, "w") as f:
                f.write(json.dumps(msg))
        finally:
            os._exit(code)
    os.close(wfd)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C that came meanwhile is raised here
    except BaseException:
        _kill(pid)
        os.close(rfd)
        raise
    return pid, rfd


def _join(child) -> tuple[float, list[str]]:
    pid, rfd = child
    try:
        with os.fdopen(rfd) as f:
            raw = f.read()
    except BaseException:  # Ctrl-C while waiting: stop the child too
        _kill(pid)
        raise
    os.waitpid(pid, 0)
    msg = json.loads(raw) if raw else {"error": "writer process ended unexpectedly"}
    if "diagnostics" in msg:
        raise SourceError(Report([Diagnostic.from_dict(d) for d in msg["diagnostics"]]))
    if "error" in msg:
        if msg["error"] == "interrupted":
            raise KeyboardInterrupt
        raise WriterFailed(msg["error"])
    return msg["secs"], msg["warnings"]


def _kill(pid: int) -> None:
    """Stop a writer child at once. SIGKILL: it holds nothing to clean up (the parent owns
    its temporary file), and a library's bare ``except:`` cannot swallow it."""
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass
