"""What ``supplement import`` does, apart from parsing its flags: read, check, write, summarise."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from supplement.diagnostics import Pos, Report, SourceError
from supplement.records import Struct, field

from . import Imported, import_file, source_text, write_source
from .outline import Levels


class Outcome(Struct):
    written: Optional[Path]
    report: Report
    lines: list[str] = field(default_factory=list)  # the summary, for the terminal
    ok: bool = True


def default_target(file: Path) -> Path:
    folder = Path("source")
    return (folder if folder.is_dir() else Path(".")) / (file.stem + ".yaml")


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
    lines.append(f"wrote {target}; next: supplement check {target}")
    review = imp.review + ["the study title, each finding's text and each source's kind (see the # comments)"]
    lines.append("review:")
    lines.extend(f"  - {x}" for x in review)
    return Outcome(target, report, lines, ok=True)
