"""A source opened for ``verify`` and ``report``: the typed model and what its references mean.

``Opened.source_of[place]`` is the source a quote cites, ``people[pid]`` a participant's
displayed number and row, both from the core's cross-reference checks (the index).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from supplement.diagnostics import Report
from supplement.records import Struct, field
from supplement.study import model as m


class Opened(Struct):
    path: Path
    sup: Optional[m.Supplement]
    report: Report
    source_of: dict = field(default_factory=dict)  # Place -> Source
    people: dict = field(default_factory=dict)  # pid -> (number, Participant)

    @property
    def base(self) -> Path:
        return self.path.parent


def open_source(path: str | Path) -> Opened:
    from supplement.pipeline import check_source

    path = Path(path)
    sup, index, report = check_source(path)
    if sup is None:
        return Opened(path, None, report)
    return Opened(path, sup, report, dict(index.cited), dict(index.people))
