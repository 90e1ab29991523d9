"""What ``supplement import`` does, apart from parsing its flags: read, check, write, summarise."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from supplement.diagnostics import Pos, Report, SourceError

from . import Imported, import_file, source_text, write_source
from .outline import Levels


@dataclass
class Outcome:
    written: Optional[Path]
    report: Report
    lines: list[str] = field(default_factory=list)  # the summary, for the terminal
    ok: bool = True


def default_target(file: Path) -> Path:
    folder = Path("source")
    return (folder if folder.is_dir() else Path(".")) / (file.stem + ".yaml")


def check_text(text: str, name: str) -> Report:
    """``supplement check`` on the text about to be written (in a temporary file)."""
    from supplement.pipeline import compile_document
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / Path(name).name
        p.write_text(text, encoding="utf-8")
        _, report = compile_document(p)
    out = Report()
    for item in report.items:  # name the target, not the temporary file
        out.items.append(type(item)(item.severity, Pos(name, item.pos.line, item.pos.col), item.message, item.hint))
    return out


def run(file: Path, to: Optional[Path], fmt: Optional[str], columns: Optional[dict[str, str]],
        levels: Levels, into: Optional[Path], force: bool) -> Outcome:
    try:
        imp: Imported = import_file(str(file), fmt, columns, levels)
    except SourceError as e:
        return Outcome(None, e.report, ["nothing written"], ok=False)
    lines = [f"read {file} as {imp.family}: {imp.summary()}"]
    if into is not None:
        from .merge import merge_into
        return merge_into(imp, into, force, lines)
    target = to or default_target(file)
    text = source_text(imp.sup)
    checked = check_text(text, str(target))
    report = imp.report
    try:
        write_source(text, target, force)
    except FileExistsError:
        report.error(Pos(str(target)), "the file exists; nothing written",
                     "choose another --to, use --into to merge into it, or --force to replace it")
        return Outcome(None, report, lines, ok=False)
    except OSError as e:
        report.error(Pos(str(target)), f"cannot write: {e.strerror or e}; nothing written")
        return Outcome(None, report, lines, ok=False)
    lines.append(f"wrote {target}")
    e, w = len(checked.errors), len(checked.warnings)
    lines.append(f"supplement check {target}: {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"
                 + (" (run it to see them)" if e or w else ""))
    review = imp.review + ["the study title, each finding's text and each source's kind (see the # comments)"]
    lines.append("review:")
    lines.extend(f"  - {x}" for x in review)
    return Outcome(target, report, lines, ok=True)
