"""The formats' pre-flight checks: run on the resolved document before a format is rendered,
by ``build`` and by ``check`` (which runs those of the default formats)."""

from __future__ import annotations

from supplement.checks.registry import CHECKS, Checker
from supplement.diagnostics import Report
from supplement.resolve.document import Document
from supplement.writers import format_for


def preflight(doc: Document, formats: list[str], report: Report, engines: dict[str, str] | None = None) -> None:
    """Each format's pre-flight checks on the resolved document, once each, at the source's severities."""
    checker = Checker(report, dict(doc.checks))
    engines = engines or {}
    names = dict.fromkeys(name for fmt in formats for name in format_for(fmt, engines.get(fmt)).preflight)
    for name in names:
        check = CHECKS.get(name) or _load_check(name)
        if checker.enabled(check):
            check.runner()(doc, checker)


def _load_check(name: str):
    from supplement.checks.registry import all_checks

    return {c.name: c for c in all_checks()}[name]
