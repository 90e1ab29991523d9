"""Importers: QDA exports and Word appendices into a source (the typed model ``Supplement``).

``import_file`` detects the format from the content (``detect``), reads it with the
module for its family (``refi_qda``, ``segments``, ``word_appendix``), and returns
the model with every problem located and a list of what the author should review.
``write_source`` writes it atomically and never over an existing file unless told.
``merge`` (``--into``) folds a new export into a source the author has edited.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from supplement.diagnostics import Pos, Report, SourceError
from supplement.records import Struct, field
from supplement.study.model import Quote, Subtheme, Supplement, Theme, walk

from .detect import detect
from .outline import Levels

FORMATS = ("refi-qda", "segments", "taguette", "qualcoder", "maxqda", "atlasti", "word")


class Imported(Struct):
    sup: Supplement
    report: Report
    review: list[str] = field(default_factory=list)
    family: str = ""

    def counts(self) -> dict[str, int]:
        n = {"themes": 0, "subthemes": 0, "findings": 0, "quotes": 0}
        for _, node in walk(self.sup):
            key = {Theme: "themes", Subtheme: "subthemes", Quote: "quotes"}.get(type(node), "findings")
            n[key] += 1
        n["participants"] = len(self.sup.participants.rows) if self.sup.participants else 0
        n["sources"] = len(self.sup.sources)
        return n

    def summary(self) -> str:
        c = self.counts()
        return ", ".join(f"{v} {k if v != 1 else k[:-1]}" for k, v in c.items())


def import_file(path: str, fmt: Optional[str] = None, columns: Optional[dict[str, str]] = None,
                levels: Levels = Levels()) -> Imported:
    """Read ``path`` into a model; SourceError (with every problem located) when it cannot be."""
    family = fmt or ("segments" if columns else detect(path))
    if family == "word":
        from . import word_appendix
        sup, report, review = word_appendix.read(path)
        if not sup.themes:
            report.error(Pos(path), "no theme table found: nothing to import",
                         "a theme table's header names its columns, e.g. Theme | Findings | Quotes")
        if report.errors:
            raise SourceError(report)
        return Imported(sup, report, review, family)
    if family == "refi-qda":
        from . import refi_qda
        project = refi_qda.read(path)
    elif family in ("segments", "taguette", "qualcoder", "maxqda", "atlasti"):
        from . import segments
        want = None if family == "segments" else family
        if want == "taguette":
            want = None  # highlights or codebook: the header decides
        project = segments.read(path, columns, want)
    else:
        raise ValueError(f"unknown format {family}")
    from .outline import assemble
    sup = assemble(project, levels)
    if project.report.errors:
        raise SourceError(project.report)
    return Imported(sup, project.report, project.review, family)


def source_text(sup: Supplement) -> str:
    """The model as a version-1 source, through the core's source writer."""
    from supplement.study.emit import emit
    return emit(sup)


def write_source(text: str, target: Path, force: bool = False) -> None:
    """Write atomically (temporary file beside the target, then rename); refuse to replace an
    existing file unless ``force``. FileExistsError when it exists."""
    from supplement.build.atomic import discard, fill, temp_beside
    target = Path(target)
    if target.exists() and not force:
        raise FileExistsError(str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(target)
    try:
        fill(tmp, text.encode("utf-8"))
        if not force:
            try:  # a file that appeared meanwhile is not replaced either
                os.link(tmp, target)
            except FileExistsError:
                raise
            except OSError:  # no hard links on this file system
                if target.exists():
                    raise FileExistsError(str(target)) from None
                os.replace(tmp, target)
        else:
            os.replace(tmp, target)
    finally:
        discard([tmp])
