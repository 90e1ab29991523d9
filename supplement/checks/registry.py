"""The registry of named checks: what each one means, and how severe it is for a source.

A check is declared once, where it is implemented::

    DUPLICATE_QUOTE = register("duplicate-quote", "warning", "The same words are quoted twice …")

and reports through a ``Checker``, which applies the severity: the registry's
default, or what the source's ``checks:`` map sets (``error``, ``warning`` or
``off``). A ``locked`` check guards something later stages rely on (a citation
that names no source cannot be printed): a source may not lower it.
``supplement check --list`` prints the registry.
"""

from __future__ import annotations

import difflib

from supplement.diagnostics import Pos, Report
from supplement.records import Struct

SEVERITIES = ("error", "warning", "off")


class Check(Struct, frozen=True):
    """A named check: default severity, meaning, family, and for a document check its function."""

    name: str
    severity: str  # the default
    doc: str
    family: str = "source"  # source | output | integrity
    locked: bool = False
    run: str = ""  # "module:function" for a check of the resolved document (a format's pre-flight check)

    def runner(self):
        """The function ``(Document, Checker) -> None`` of a document check."""
        import importlib

        module, _, name = self.run.partition(":")
        return getattr(importlib.import_module(module), name)


CHECKS: dict[str, Check] = {}


def register(name: str, severity: str, doc: str, family: str = "source", locked: bool = False, run: str = "") -> Check:
    if severity not in SEVERITIES or name in CHECKS:
        raise ValueError(f"check '{name}': bad severity or declared twice")
    CHECKS[name] = check = Check(name, severity, doc, family, locked, run)
    return check


def all_checks() -> list[Check]:
    """Every registered check (importing the modules that declare them), by family and name."""
    import supplement.checks.authoring  # noqa: F401
    import supplement.checks.crossref  # noqa: F401
    import supplement.checks.fonts  # noqa: F401
    import supplement.checks.whole  # noqa: F401
    try:  # the integrity checks, where that package is installed with this version
        import supplement.integrity  # noqa: F401
    except ImportError:
        pass
    return sorted(CHECKS.values(), key=lambda c: (c.family, c.name))


class Checker:
    """Collects what checks find into a Report, at the severity the source sets."""

    def __init__(self, report: Report, settings: dict[str, str] | None = None):
        self.report = report
        self.settings = settings or {}

    def severity(self, check: Check) -> str:
        return self.settings.get(check.name, check.severity)

    def __call__(self, check: Check, pos: Pos | None, message: str, hint: str = "") -> None:
        level = self.severity(check)
        if level == "off":
            return
        (self.report.error if level == "error" else self.report.warning)(pos, message, hint)

    def enabled(self, check: Check) -> bool:
        return self.severity(check) != "off"


def settings_of(pairs, report: Report) -> dict[str, str]:
    """A source's ``checks:`` map as {name: severity}, with unknown names and forbidden changes reported."""
    if not pairs:  # most sources set none: the registry's other modules need not be imported
        return {}
    known = {c.name: c for c in all_checks()}
    out = {}
    for name, level in pairs:
        pos = getattr(name, "pos", None)
        check = known.get(name)
        if check is None:
            near = difflib.get_close_matches(name, list(known), 1)
            report.error(pos, f"unknown check '{name}'",
                         (f"did you mean '{near[0]}'? " if near else "") + "supplement check --list shows them all")
        elif check.locked and level != "error":
            report.error(pos, f"check '{name}' cannot be set to {level}: the build needs what it guards",
                         "correct what it reports instead")
        else:
            out[str(name)] = str(level)
    return out
