"""The items of a supplement and the order they print in."""

from __future__ import annotations

from supplement.study.model import Supplement


def items(sup: Supplement) -> dict:
    """Every item a source can print, by the name an appendix: list uses."""
    out = {}
    if sup.participants is not None:
        out["participants"] = sup.participants
    out["themes"] = sup.themes
    if sup.coverage_table is not None:
        out["coverage"] = sup.coverage_table
    for it in (*sup.sections, *sup.tables, *sup.checklists):
        if it.id is not None and it.id not in out:
            out[it.id] = it
    return out


def order(sup: Supplement) -> list[str]:
    """The names of the items in print order: the appendix: list, or participants, themes and then
    sections, tables and checklists as written."""
    known = items(sup)
    if sup.appendix:
        seen = []
        for name in sup.appendix:
            if name in known and name not in seen:
                seen.append(str(name))
        return seen
    return list(known)
