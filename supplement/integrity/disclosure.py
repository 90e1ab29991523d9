"""Small cells: participants unique, or in groups smaller than k, on the columns the table shows.

A reader who knows the field can often name the one associate professor of
radiation oncology practising in Maryland. For each group of participants sharing
the same values on the displayed columns (or the columns the author names), a
group smaller than k (default 3) is reported, with what would help most: the
column whose removal leaves the fewest small groups, and for place columns the
coarser region (US Census region instead of state).
"""

from __future__ import annotations

from typing import Optional

from supplement.integrity import checks as C
from supplement.records import Struct

# US Census Bureau regions: a coarser place than a state.
REGIONS = {
    "Northeast": "Connecticut Maine Massachusetts New_Hampshire Rhode_Island Vermont New_Jersey New_York Pennsylvania",
    "Midwest": "Illinois Indiana Michigan Ohio Wisconsin Iowa Kansas Minnesota Missouri Nebraska North_Dakota "
               "South_Dakota",
    "South": "Delaware Florida Georgia Maryland North_Carolina South_Carolina Virginia District_of_Columbia "
             "West_Virginia Alabama Kentucky Mississippi Tennessee Arkansas Louisiana Oklahoma Texas",
    "West": "Arizona Colorado Idaho Montana Nevada New_Mexico Utah Wyoming Alaska California Hawaii Oregon Washington",
}
REGION_OF = {s.replace("_", " "): r for r, states in REGIONS.items() for s in states.split()}


class Cells(Struct, frozen=True):
    columns: tuple[str, ...]
    groups: dict  # values -> participant ids
    k: int

    @property
    def small(self) -> dict:
        return {v: ids for v, ids in self.groups.items() if len(ids) < self.k}

    @property
    def exposed(self) -> int:
        return sum(len(ids) for ids in self.small.values())


def cells(rows, columns: tuple[str, ...], k: int, coarsen: Optional[str] = None) -> Cells:
    groups: dict = {}
    for row in rows:
        key = tuple(_coarse(row.cell(c)) if c == coarsen else row.cell(c) for c in columns)
        groups.setdefault(key, []).append(row.id)
    return Cells(columns, groups, k)


def _coarse(value: str) -> str:
    return REGION_OF.get(value, "outside the US" if value else value)


def suggestions(rows, columns: tuple[str, ...], k: int, labels: dict) -> list[str]:
    """The smallest changes that leave the fewest participants in small groups: keep fewer columns,
    or give a place column as a region."""
    from itertools import combinations

    placey = [c for c in columns if _is_place(rows, c)]
    options = []
    for n in range(len(columns), 0, -1):
        for kept in combinations(columns, n):
            for coarse in [None] + [c for c in placey if c in kept]:
                exposed = cells(rows, kept, k, coarsen=coarse).exposed
                dropped = [labels.get(c, c) for c in columns if c not in kept]
                change = ([f"drop {', '.join(dropped)}"] if dropped else []) + \
                         ([f"give {labels.get(coarse, coarse)} as a US region"] if coarse else [])
                if change:
                    options.append((exposed, len(dropped) + (coarse is not None), " and ".join(change)
                                    + f" ({exposed} left in small groups)"))
    options.sort(key=lambda o: (o[0], o[1]))
    base = cells(rows, columns, k).exposed
    return [text for exposed, _, text in options if exposed < base][:3]


def _is_place(rows, column: str) -> bool:
    values = {row.cell(column) for row in rows if row.cell(column)}
    return bool(values) and sum(v in REGION_OF for v in values) >= len(values) / 2


def check_study(opened, settings, findings) -> None:
    parts = opened.sup.participants
    if parts is None or not parts.rows:
        return
    known = [c.key for c in parts.columns]
    labels = {c.key: c.label for c in parts.columns}
    columns = tuple(settings.columns) if settings.columns else tuple(known)
    unknown = [c for c in columns if c not in known]
    if unknown:
        findings.report(C.SMALL_CELL, settings.columns_pos, "disclosure.columns names unknown column(s): "
                        + ", ".join(unknown), "columns: " + ", ".join(known))
        columns = tuple(c for c in columns if c in known)
    if not columns:
        return
    res = cells(parts.rows, columns, settings.k)
    small = res.small
    if not small:
        return
    n = len(parts.rows)
    unique = sum(1 for ids in small.values() if len(ids) == 1)
    what = ", ".join(labels[c] for c in columns)
    tips = suggestions(parts.rows, columns, settings.k, labels)
    findings.report(C.SMALL_CELL, parts.pos,
                    f"{res.exposed} of {n} participants are in groups smaller than {settings.k} on {what} "
                    f"({unique} unique)", ("try: " + "; ".join(tips)) if tips else "")
    number = {pid: num for pid, (num, _) in opened.people.items()}
    for values, ids in small.items():
        row = next(r for r in parts.rows if r.id == ids[0])
        who = ", ".join(f"participant {number.get(i, i)}" for i in ids)
        findings.report(C.SMALL_CELL, row.pos, f"{who}: the only {'one' if len(ids) == 1 else len(ids)} with "
                        + "; ".join(f"{labels[c]} {v or '(blank)'}" for c, v in zip(columns, values)))
