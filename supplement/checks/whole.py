"""Checks for the items of a whole supplement: the appendix order, text sections, tables, checklists."""

from __future__ import annotations

import difflib

from supplement.checks.registry import Checker, register
from supplement.study.checklists import CHECKLISTS, item_key
from supplement.study.appendix import items
from supplement.study.model import BUILT_IN_ITEMS, Supplement

APPENDIX_ITEM = register(
    "appendix-item", "error", "The appendix: list names an item that does not exist or names one twice, or "
    "two items share an id.", locked=True)
UNLISTED_ITEM = register(
    "unlisted-item", "warning", "An appendix: list is given and leaves out a declared item, which is then not "
    "printed. Add it to the list, or remove the item.")
ITEM_SHAPE = register(
    "item-shape", "error", "A table row names a column the table does not declare, or a checklist answer names "
    "no item of the checklist.", locked=True)
CHECKLIST_UNANSWERED = register(
    "checklist-unanswered", "warning", "A checklist item has no answer: say where the article reports it (or "
    "'not applicable').")


def check(sup: Supplement, report: Checker) -> None:
    known = items(sup)
    seen: dict = {}
    for it in (*sup.sections, *sup.tables, *sup.checklists):
        if it.id is None:
            continue
        if it.id in BUILT_IN_ITEMS:
            report(APPENDIX_ITEM, it.at("id"), f"'{it.id}' names a built-in item", "choose another id")
        elif it.id in seen:
            report(APPENDIX_ITEM, it.at("id"), f"duplicate item id '{it.id}' (first used at line "
                   f"{seen[it.id].at('id').line})", "ids must be unique; rename one")
        else:
            seen[it.id] = it
    if sup.appendix:
        listed = set()
        for name in sup.appendix:
            if name in listed:
                report(APPENDIX_ITEM, name.pos if hasattr(name, "pos") else sup.at("appendix"),
                       f"'{name}' is listed twice in appendix", "list each item once")
            elif name not in known:
                near = difflib.get_close_matches(name, list(known), 1)
                report(APPENDIX_ITEM, getattr(name, "pos", sup.at("appendix")), f"appendix names unknown item '{name}'",
                       (f"did you mean '{near[0]}'? " if near else "") + "items: " + ", ".join(known))
            listed.add(str(name))
        for name, it in known.items():
            if name not in listed and name != "themes":
                pos = (it.at("id") if name not in BUILT_IN_ITEMS
                       else sup.at("coverage_table" if name == "coverage" else name))
                report(UNLISTED_ITEM, pos, f"item '{name}' is not in the appendix: list, so it is not printed",
                       f"add '{name}' to appendix:, or remove the item")
        if "themes" not in listed:
            report(APPENDIX_ITEM, sup.at("appendix"), "the appendix: list leaves out 'themes'",
                   "add 'themes' where the themes table goes")
    for t in sup.tables:
        keys = {c.key for c in t.columns}
        for row in t.rows:
            for k, _ in row:
                if k not in keys:
                    near = difflib.get_close_matches(k, list(keys), 1)
                    report(ITEM_SHAPE, k.pos if hasattr(k, "pos") else t.pos, f"unknown column '{k}' in table '{t.id}'",
                           f"did you mean '{near[0]}'?" if near else "columns: " + ", ".join(keys))
    for c in sup.checklists:
        d = CHECKLISTS.get(c.checklist)
        if d is None:
            continue
        numbers = {item_key(n): n for n in d.numbers()}
        answered = set()
        for n, where in c.answers:
            k = item_key(n)
            if k not in numbers:
                report(ITEM_SHAPE, getattr(n, "pos", c.pos), f"{d.name.upper()} has no item '{n}'",
                       f"items are numbered {d.numbers()[0]} to {d.numbers()[-1]}")
            elif not str(where).strip():
                continue
            else:
                answered.add(k)
        for k, n in numbers.items():
            if k not in answered:
                topic = next(t for num, _, t, _ in d.items if num == n)
                report(CHECKLIST_UNANSWERED, c.at("answers"), f"{d.name.upper()} item {n} ({topic}) has no answer",
                       f"write where the article reports it under answers: {n}: 'Methods, p. 4' (or 'not applicable')")
