"""Located problems found in a source or style file, and how they are printed."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, order=True)
class Pos:
    """A place in a file: 1-based line and column."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}" if self.line else self.file


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error" | "warning"
    pos: Pos
    message: str
    hint: str = ""

    def text(self) -> str:
        out = f"{self.pos}: {self.severity}: {self.message}"
        return out + (f"\n    hint: {self.hint}" if self.hint else "")

    def as_dict(self) -> dict:
        d = asdict(self)
        d.update(d.pop("pos"))
        return d


@dataclass
class Report:
    """Collects every problem; nothing stops at the first one."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, pos: Pos, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic("error", pos, message, hint))

    def warning(self, pos: Pos, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic("warning", pos, message, hint))

    def extend(self, other: "Report") -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.pos, d.severity != "error"))

    def text(self) -> str:
        return "\n".join(d.text() for d in self.sorted())

    def json(self) -> str:
        return json.dumps([d.as_dict() for d in self.sorted()], indent=2, ensure_ascii=False)


class SourceError(Exception):
    """Raised when a file cannot be used; carries the full report."""

    def __init__(self, report: Report):
        super().__init__(report.text())
        self.report = report
