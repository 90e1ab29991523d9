"""Rebuild on save: follow a source and every file its build reads (watchfiles).

Followed: the source, the transcripts its sources name, each style file (the named one
and those it ``extends``), the Word template, the PDF font files a style names, and
every file a diagnostic points at (a broken style file is followed before it has ever loaded). The set is worked out
again after each build, so a source that switches to another style file follows it.

The folders holding those files are watched, not the files: an editor's atomic save
writes a temporary file and renames it over the old one, which replaces the file a
watch on the file itself would hold. Events for other files in the folders (the
editor's temporary file, outputs) are ignored. Changes are gathered until none has
come for ``step`` milliseconds (at most ``debounce``), so one save is one rebuild.

The command builds with ``warm=True``: its workers are forked from this process once it
has rendered a sample in each format (``build/warm.py``), so a rebuild does not import the
writers, register the PDF fonts and compile their patterns again each time.

A build that fails reports and leaves the previous outputs in place (every build
writes atomically); watching goes on, and the next save builds again.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

import watchfiles

from supplement.diagnostics import Report
from supplement.resolve.document import Document

STEP_MS = 50  # quiet time that ends a batch of changes (an atomic save takes a few ms; watchfiles' own default).
# A save is seen between one and two steps after it: 100 ms took a fifth of issue 18's half-second rebuild.
DEBOUNCE_MS = 1600  # longest a batch gathers changes before the rebuild starts anyway


def inputs(source: Path, doc: Document | None, report: Report, previous: frozenset[Path]) -> frozenset[Path]:
    """The files a build of ``source`` depends on, as absolute paths."""
    files = {Path(source)}
    if doc is not None:
        files.update(Path(source).parent / t for t in doc.transcripts)
        st = doc.style
        files.update(getattr(st, "files", ()))
        if st.word_template:
            files.add(Path(st.word_template))
        if st.font.pdf_files is not None:
            files.update(Path(p) for p in st.fonts.values())
    else:  # what the last good build read, as the failed one may not have got that far
        files.update(previous)
    files.update(Path(d.pos.file) for d in report.items if d.pos.line)
    return frozenset(p.resolve() for p in files)


Rebuild = Callable[[], "tuple[Document | None, Report]"]


def follow(source: Path, rebuild: Rebuild, stop: threading.Event | None = None,
           changed: Callable[[list[Path]], None] = lambda paths: None,
           step_ms: int = STEP_MS, debounce_ms: int = DEBOUNCE_MS) -> None:
    """Build once, then again after each batch of changes to the build's inputs, until
    ``stop`` is set (or Ctrl-C). ``rebuild`` builds and reports; it must not raise.
    ``changed`` hears which inputs changed, before each rebuild."""
    doc, report = rebuild()
    files = inputs(source, doc, report, frozenset())
    while not (stop and stop.is_set()):
        folders = sorted({p.parent for p in files if p.parent.is_dir()})
        watching = files
        if not folders:  # the source's folder is gone: wait for it to come back
            if stop is not None and stop.wait(0.5):
                return
            time.sleep(0 if stop is not None else 0.5)
            continue

        def relevant(change, path: str, watching=watching) -> bool:
            return Path(path) in watching

        for batch in watchfiles.watch(*folders, watch_filter=relevant, step=step_ms, debounce=debounce_ms,
                                      stop_event=stop, recursive=False, raise_interrupt=True,
                                      rust_timeout=1000, yield_on_timeout=False):
            changed(sorted({Path(p) for _, p in batch}))
            doc, report = rebuild()
            files = inputs(source, doc, report, files)
            if files != watching:  # another style file, template or folder: watch anew
                break
        else:
            return  # stopped
