"""Build orchestration: compile once, run each format's pre-flight checks, render the formats
in workers, and put every output in place together."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from supplement.build.atomic import commit, discard, remove_stale, temp_beside
from supplement.build.pool import Cancel, Prestarted, WriterFailed, prestart, run_jobs
from supplement.collector import no_gc_pauses
from supplement.diagnostics import Pos, Report, SourceError
from supplement.records import Struct, field
from supplement.writers import FORMATS, format_for

if TYPE_CHECKING:
    from supplement.resolve.document import Document

# Reading, checking and the document model are imported by build() itself, after it has started
# the writers' workers (build.pool.prestart): their imports then overlap the reading.

__all__ = ["OutputError", "Result", "WriterFailed", "build", "outputs"]


class Result(Struct):
    """What a build did: its diagnostics, the files written (with seconds each) and the Document."""

    report: Report
    written: list[tuple[Path, float]] = field(default_factory=list)  # (file, seconds)
    doc: Document | None = None


class OutputError(Exception):
    """The output directory or an output name cannot be used."""


def prepare_out_dir(out: Path) -> None:
    import os

    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: a file is in the way of the output directory; move it or choose --out")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{out}: cannot create the output directory ({e.strerror})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: the output directory is not writable")


def output_stem(path: Path) -> str:
    """The outputs' file name without extension: the source's name without its extension."""
    stem = Path(path).stem
    if not stem or stem.startswith("."):
        raise OutputError(f"{path}: the source's name gives no output name (the outputs would be hidden files "
                          f"'{stem}.docx'); rename the file, e.g. study.yaml")
    return stem


def outputs(sources: list[Path], out: Path, formats: list[str]) -> dict[Path, list[Path]]:
    """The files each source would write; refuses two sources writing one file, or an output
    that would replace a source (a source named x.docx built into its own folder)."""
    seen: dict[Path, Path] = {}
    plan = {}
    inputs = {p.resolve(): p for p in sources}
    for src in sources:
        stem = output_stem(src)
        plan[src] = []
        for fmt in formats:
            target = out / f"{stem}.{FORMATS[fmt].extension}"
            key = target.resolve()
            if key in inputs:
                raise OutputError(f"{src}: its {fmt} output {target} would replace the source {inputs[key]}; "
                                  "rename the source (sources end in .yaml) or choose another --out")
            if key in seen:
                raise OutputError(f"{seen[key]} and {src} would both write {target}; rename one of them, "
                                  "or build them one at a time with different --out folders")
            seen[key] = src
            plan[src].append(target)
    return plan


def build(path: Path, out: Path, formats: list[str], style: str | None = None, strict: bool = False,
          progress=lambda message: None, cancel: Cancel | None = None, pdf_engine: str = "reportlab",
          warm: bool = False) -> Result:
    """Compile ``path`` and write one file per format into ``out``; nothing is written on errors
    (with ``strict``, on warnings either). ``progress`` hears what a long build is doing;
    ``cancel`` is how the caller stops it (set from a signal handler). ``pdf_engine``
    'libreoffice' converts the .docx into an accessible PDF (needs LibreOffice). ``warm``: this
    process builds again and again (watch); the workers are forked from it once it is warm."""
    cancel = cancel or Cancel()
    start = time.perf_counter()
    engines = {"pdf": pdf_engine} if "pdf" in formats and pdf_engine != "reportlab" else {}
    if engines.get("pdf") == "libreoffice":  # before any work: a missing LibreOffice is a plain error
        from supplement.writers.libreoffice_pdf import LibreOfficeMissing, soffice
        try:
            soffice()
        except LibreOfficeMissing as e:
            raise OutputError(str(e)) from None
    ready = prestart(path, [format_for(fmt, engines.get(fmt)) for fmt in formats], warm, cancel)
    try:
        with no_gc_pauses():
            from supplement.checks.preflight import preflight
            from supplement.pipeline import compile_document

        doc, report = compile_document(path, style)
        result = Result(report, doc=doc)
        if doc is None:
            return result
        preflight(doc, formats, report, engines)
        if strict and report.warnings:
            return result
        progress(f"{len(doc.items)} items, {doc.quote_count:,} quotes, style '{doc.style.name}': read and "
                 f"checked in {time.perf_counter() - start:.2f} s; rendering {' and '.join(formats)} …")
        output_stem(path)
        prepare_out_dir(out)
        try:
            _write_all(doc, path, out, doc.name, formats, result, cancel, engines, warm, ready)
        except SourceError as e:
            report.extend(e.report)
        return result
    finally:
        ready.close()  # workers not given a document (the build stopped before rendering) are stopped


def _write_all(doc: Document, path: Path, out: Path, stem: str, formats: list[str], result: Result,
               cancel: Cancel, engines: dict[str, str] | None = None, warm: bool = False,
               ready: Prestarted | None = None) -> None:
    engines = engines or {}
    report = result.report
    targets = {fmt: out / f"{stem}.{FORMATS[fmt].extension}" for fmt in formats}
    for target in targets.values():  # found now, not after one output was already replaced
        if target.is_dir():
            raise OutputError(f"{target}: a folder is in the way of the output file; move it or choose --out")
        remove_stale(target)
    tmps: dict[str, Path] = {}
    try:
        # Every format goes to a temporary file first; all are put in place together only when all
        # are complete, so a failed build leaves every earlier output as it was.
        for fmt in formats:
            tmps[fmt] = temp_beside(targets[fmt])
        timings = run_jobs(doc, [(format_for(fmt, engines.get(fmt)), tmps[fmt]) for fmt in formats], cancel, warm,
                           ready)
        for fmt in formats:
            for w in timings[fmt][1]:
                report.warning(Pos(str(path)), w)
        cancel.check()
        commit([(tmps[fmt], targets[fmt]) for fmt in formats])
        tmps.clear()
        result.written.extend((targets[fmt], timings[fmt][0]) for fmt in formats)
    finally:
        discard(tmps.values())
