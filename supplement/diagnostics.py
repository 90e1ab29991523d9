"""Located problems found in a source or style file, and how they are printed."""

from __future__ import annotations

import json
import re

from supplement.records import Struct, field

# Echoed user text must not drive the terminal: an escape sequence ("\x1b[2J"), a line break
# that fakes another diagnostic, a bidi override that reorders the line. Shown escaped instead.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _visible(text: str) -> str:
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class Pos(Struct, frozen=True, order=True):
    """A place in a file: 1-based line and column."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}" if self.line else self.file


class Diagnostic(Struct, frozen=True):
    """One problem: error or warning, where, what, and how to fix it."""

    severity: str  # "error" | "warning"
    pos: Pos
    message: str
    hint: str = ""

    def text(self) -> str:
        out = f"{_visible(str(self.pos))}: {self.severity}: {_visible(self.message)}"
        return out + (f"\n    hint: {_visible(self.hint)}" if self.hint else "")

    def as_dict(self) -> dict:
        """The JSON form; ``hint`` is left out when there is none."""
        d = {"severity": self.severity, "message": self.message, "hint": self.hint,
             "file": self.pos.file, "line": self.pos.line, "col": self.pos.col}
        if not d["hint"]:
            del d["hint"]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Diagnostic":
        return cls(d["severity"], Pos(d["file"], d["line"], d["col"]), d["message"], d.get("hint", ""))


class Report(Struct):
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
