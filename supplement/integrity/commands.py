"""What ``supplement verify`` and ``supplement report`` do, apart from parsing flags."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Optional

from supplement.integrity.verify import Verified, verify


def run_verify(paths: list[Path], fmt: str, strict: bool, fix: bool, private: Optional[Path],
               echo: Callable[..., None]) -> int:
    """Exit status as ``check``: 0 clean, 1 errors (or warnings with ``strict``)."""
    results: list[Verified] = []
    for path in paths:
        v = verify(path, private=private)
        if fix and v.opened.sup is not None:
            _fix(v, echo, fmt)
        results.append(v)
        if fmt == "text":
            report = v.findings.as_report()
            if report.items:
                echo(report.text())
            echo(v.summary())
            for line in v.read:
                echo(f"  transcript {line}")
    if fmt == "json":
        echo(json.dumps([d for v in results for d in v.findings.json_items()], indent=2, ensure_ascii=False))
    bad = any(d.severity == "error" or (strict and d.severity == "warning")
              for v in results for _, d in v.findings.items)
    return 1 if bad else 0


def _fix(v: Verified, echo, fmt: str) -> None:
    from supplement.integrity import checks as C
    from supplement.integrity.fix_pages import rewrite, where

    edits = []
    for r in v.quotes:
        o = r.outcome
        if o.status != "wrong-page" or r.quote.cite is None or not all(x.isdigit() for x in o.found_pages):
            continue
        edits.append((where(r.quote), "-".join(o.found_pages)))
    if not edits:
        return
    failed = set(rewrite(v.opened.path, edits))
    fixed = {pos for pos, _ in edits if pos not in failed}
    fixed_quotes = {r.quote.at("cite") for r in v.quotes if where(r.quote) in fixed}
    # the fixed citations are no longer problems
    v.findings.items = [(n, d) for n, d in v.findings.items
                        if not (n == C.QUOTE_WRONG_PAGE.name and d.pos in fixed_quotes)]
    if fmt == "text":
        echo(f"{v.opened.path}: rewrote {len(fixed)} page citation{'s' * (len(fixed) != 1)}"
             + (f"; {len(failed)} could not be rewritten (they name no page)" if failed else ""))


def run_report(paths: list[Path], fmt: str, echo: Callable[..., None], share: float) -> int:
    from supplement.integrity.coverage import coverage

    out = []
    status = 0
    for path in paths:
        cov, report = coverage(path, share)
        if cov is None:
            echo(report.text())
            status = 1
            continue
        out.append(cov)
        if fmt == "text":
            echo(cov.text())
    if fmt == "json":
        echo(json.dumps([c.as_dict() for c in out], indent=2, ensure_ascii=False))
    return status
