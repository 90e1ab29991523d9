"""Checks that need the whole source: ids, references, marks, captions, repeats.

Shape and types are checked by the declaration in ``sourcefmt``; this module
checks what only the whole file can tell, collecting every problem.
"""

from __future__ import annotations

import difflib
import string

from .cite import CiteText, source_key
from .diagnostics import Report
from .schema import Bool, Rec

CAPTION_FIELDS = {
    "participants": ("participants",),
    "themes": ("theme_range", "themes", "subthemes", "findings", "quotes"),
}


def caption_fields(text: str) -> list[str] | str:
    """Placeholder names in a caption, or an error message."""
    try:
        return [name for _, name, spec, conv in string.Formatter().parse(text) if name is not None]
    except ValueError as e:
        return f"unbalanced braces ({e}); write {{{{ and }}}} for literal braces"


def check_caption(text, allowed: tuple[str, ...], r: Report) -> None:
    names = caption_fields(text)
    if isinstance(names, str):
        r.error(text.pos, f"caption has {names}")
        return
    for n in names:
        if n not in allowed:
            near = difflib.get_close_matches(n, allowed, 1)
            r.error(text.pos, f"unknown placeholder '{{{n}}}' in caption",
                    (f"did you mean '{{{near[0]}}}'? " if near else "") + "available: " + ", ".join(f"{{{a}}}" for a in allowed))


def _unique(items, what: str, r: Report, seen: dict | None = None) -> dict:
    seen = {} if seen is None else seen
    for it in items:
        if it.id is None:
            continue
        if it.id in seen:
            r.error(it.at("id"), f"duplicate {what} id '{it.id}' (first used at line {seen[it.id].at('id').line})",
                    "ids must be unique; rename one")
        else:
            seen[it.id] = it
    return seen


def check(src: Rec, r: Report) -> None:
    """Cross-reference checks; fills ``quote.source`` and participant cells.

    Runs even when some values failed their shape check (those are None), so that
    every independent problem is reported at once.
    """
    people = _check_participants(src.participants, r) if src.participants else {}
    sources = _unique(src.sources or [], "source", r)
    by_name: dict[str, list] = {}
    for s in sources.values():
        for name in {s.id, s.label} - {None}:
            by_name.setdefault(source_key(name), []).append(s)
        for pid in s.participants:
            if pid not in people:
                _unknown_participant(pid, people, r)
    unlabeled = [s for s in sources.values() if s.label is None]
    for key, ss in by_name.items():
        if len({id(s) for s in ss}) > 1:
            r.error(ss[1].pos, f"sources '{ss[0].id}' and '{ss[1].id}' are both called '{key}' in citations",
                    "give them distinct ids and labels")

    ids: dict = {}
    used_sources: set[str] = set()
    spoken: set[str] = set()
    seen_quotes: dict[str, object] = {}
    for theme in src.themes or []:
        _unique([theme], "theme", r, ids)
        n_quotes = 0
        for block in [theme] + list(theme.subthemes):
            if block is not theme:
                _unique([block], "subtheme", r, ids)
            block_quotes = 0
            for finding in block.findings:
                for q in finding.quotes:
                    block_quotes += 1
                    q.source = _resolve_cite(q, by_name, unlabeled, sources, r) if q.cite is not None else None
                    if q.source is not None:
                        used_sources.add(q.source.id)
                    if q.speaker is not None:
                        spoken.add(q.speaker)
                        if q.speaker not in people:
                            _unknown_participant(q.speaker, people, r)
                    key = " ".join((q.text or "").split()).casefold()
                    if not key:
                        pass
                    elif key in seen_quotes:
                        first = seen_quotes[key]
                        r.warning(q.at("text"), f"this quote also appears at line {first.at('text').line}",
                                  "allowed (the same words can support two findings); check it is intended")
                    else:
                        seen_quotes[key] = q
            if block is not theme and block_quotes == 0:
                r.warning(block.at("title"), f"subtheme '{block.title or block.id}' has no quotes")
            n_quotes += block_quotes
        if n_quotes == 0:
            r.warning(theme.at("title"), f"theme '{theme.title or theme.id}' has no quotes")
    for s in sources.values():
        if s.id not in used_sources and not r.errors:
            r.warning(s.at("id"), f"source '{s.id}' is never cited")
    linked = spoken | {p for s in sources.values() for p in s.participants}
    if linked:  # only meaningful once the study links quotes or sources to participants
        for pid, row in people.items():
            if pid not in linked:
                r.warning(row.at("id"), f"participant '{pid}' is not a speaker and not in any source")
    if src.participants and src.participants.caption is not None:
        check_caption(src.participants.caption, CAPTION_FIELDS["participants"], r)
    if src.theme_table is not None:
        check_caption(src.theme_table.caption, CAPTION_FIELDS["themes"], r)


def _unknown_participant(pid, people, r: Report) -> None:
    near = difflib.get_close_matches(pid, list(people), 1)
    r.error(pid.pos, f"unknown participant '{pid}'",
            f"did you mean '{near[0]}'?" if near else ("known: " + ", ".join(people) if people else "declare participants first"))


def _resolve_cite(q: Rec, by_name: dict, unlabeled: list, sources: dict, r: Report):
    cite = q.cite
    pos = q.at("cite")
    if isinstance(cite, Rec):  # structured form
        q.cite = CiteText(cite.source, cite.pages)
        cite = q.cite
    if cite.source is None:
        if len(unlabeled) == 1:
            return unlabeled[0]
        r.error(pos, "a citation with only a page needs exactly one source without a label (cited by page only)",
                "write the source too, e.g. 'Non-Op 1, 3'" if unlabeled == [] else
                "several sources have no label: " + ", ".join(s.id for s in unlabeled))
        return None
    found = by_name.get(source_key(cite.source))
    if found:
        return found[0]
    known = [s.label or s.id for s in sources.values()]
    near = difflib.get_close_matches(cite.source, known + list(sources), 1)
    r.error(pos, f"unknown source '{cite.source}'",
            (f"did you mean '{near[0]}'? " if near else "") + "known: " + ", ".join(known))
    return None


def _check_participants(p: Rec, r: Report) -> dict:
    columns: dict = {}
    for c in p.columns or []:
        if c.key is None:
            continue
        if c.key in columns:
            r.error(c.at("key"), f"duplicate column key '{c.key}'")
        columns[c.key] = c
    marks: dict = {}
    for m in p.marks:
        if m.key in columns:
            r.error(m.at("key"), f"mark '{m.key}' has the same key as a column", "rename the mark, e.g. 'is_" + m.key + "'")
        elif m.key in marks:
            r.error(m.at("key"), f"duplicate mark '{m.key}'")
        if m.key is None or m.column is None:
            continue
        if m.column not in columns:
            near = difflib.get_close_matches(m.column, list(columns), 1)
            r.error(m.at("column"), f"mark '{m.key}' attaches to unknown column '{m.column}'",
                    f"did you mean '{near[0]}'?" if near else "columns: " + ", ".join(columns))
        marks[m.key] = m
    people = _unique(p.rows or [], "participant", r)
    flag = Bool()
    for row in p.rows or []:
        row.cells, row.marks = {}, []
        for key, value in row.extra.items():
            if key in columns:
                row.cells[key] = value
            elif key in marks:
                if flag.check(value, r, value.pos) is True:
                    row.marks.append(key)
            elif value.plain and value in Bool.TRUE | Bool.FALSE:
                r.error(row.at(key), f"mark '{key}' is used but never declared",
                        f"declare it under participants.marks: {{key: {key}, symbol: '*', column: …, note: …}}")
            else:
                near = difflib.get_close_matches(key, list(columns) + list(marks), 1)
                r.error(row.at(key), f"unknown column '{key}' in participant '{row.id}'",
                        f"did you mean '{near[0]}'?" if near else "columns: " + ", ".join(columns))
    return people

