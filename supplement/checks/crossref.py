"""Checks that need the whole source: ids, references, marks, captions, repeats.

Shape and types are checked by the declaration in ``sourcefmt``; this module
checks what only the whole file can tell, collecting every problem.
"""

from __future__ import annotations

import difflib

from supplement.resolve import placeholders
from supplement.reader.cite import CiteText, source_key
from supplement.diagnostics import Report
from supplement.reader.declare import Bool, Rec

CAPTION_FIELDS = {
    "participants": ("participants",),
    "themes": ("theme_range", "themes", "subthemes", "findings", "quotes", "theme_numbering", "subtheme_numbering"),
}


def caption_fields(text: str) -> list[str] | str:
    """Placeholder names in a caption, or an error message."""
    return placeholders.names(text)


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
    # A declaration with an error of its own may be incomplete: then a reference it does not
    # resolve is not reported again (the error at the declaration says it all).
    p = src.participants
    people_whole = "participants" not in src._bad and not (p and ("rows" in p._bad or any(
        "id" in row._bad for row in p.rows or [])))
    sources_whole = not ({"sources"} & src._bad or any(s.broken for s in src.sources or []))
    sources = _unique(src.sources or [], "source", r)
    by_name: dict[str, list] = {}
    for s in src.sources or []:  # duplicates too: their labels are still meant to be cited
        for name in {s.id, s.label} - {None}:
            by_name.setdefault(source_key(name), []).append(s)
        for pid in s.participants:
            if pid not in people and people_whole:
                _unknown_participant(pid, people, r)
    unlabeled = [s for s in sources.values() if s.label is None]
    for key, ss in by_name.items():
        distinct = list({id(s): s for s in ss}.values())
        if len(distinct) > 1 and distinct[0].id != distinct[1].id:  # same id: reported as a duplicate id
            a, b = distinct[0], distinct[1]
            name = next(n for n in (b.label, b.id) if n is not None and source_key(n) == key)
            r.error(b.pos, f"a citation '{name}' could mean source '{a.id}' or '{b.id}'",
                    "citations ignore case, spaces and punctuation ('Non-Op 1' = 'Non Op 1' = 'NonOp1'); "
                    "give the sources distinct ids and labels")

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
                    q.source = (_resolve_cite(q, by_name, unlabeled, sources, r if sources_whole else Report())
                                if q.cite is not None else None)
                    if q.source is not None:
                        used_sources.add(q.source.id)
                    if q.speaker is not None:
                        spoken.add(q.speaker)
                        if q.speaker not in people and people_whole:
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
    known = list(people)
    listed = ", ".join(known[:12]) + (f" … ({len(known)} in all)" if len(known) > 12 else "")
    r.error(pid.pos, f"unknown participant '{pid}'",
            ((f"did you mean '{near[0]}'? " if near else "") + "known: " + listed) if people else
            "declare participants first (participants: rows: - {id: …})")


def _resolve_cite(q: Rec, by_name: dict, unlabeled: list, sources: dict, r: Report):
    cite = q.cite
    pos = q.at("cite")
    if isinstance(cite, Rec):  # structured form
        if cite.source is None:  # already reported where it is written
            return None
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
    r.error(pos, f"unknown source '{cite.source}'; known: " + (", ".join(known) or "none"),
            f"did you mean '{near[0]}'?" if near else "declare it under sources, or correct the citation")
    return None


def _check_participants(p: Rec, r: Report) -> dict:
    columns: dict = {}
    for c in p.columns or []:
        if c.key is None:
            continue
        if c.key in columns:
            r.error(c.at("key"), f"duplicate column key '{c.key}'")
        columns[c.key] = c
    # a broken column or mark declaration is reported there, not again where it is used
    cols_whole = "columns" not in p._bad and not any("key" in c._bad for c in p.columns or [])
    marks: dict = {}
    for m in p.marks:
        if m.key in columns:
            r.error(m.at("key"), f"mark '{m.key}' has the same key as a column", "rename the mark, e.g. 'is_" + m.key + "'")
        elif m.key in marks:
            r.error(m.at("key"), f"duplicate mark '{m.key}'")
        if m.key is None:
            continue
        if m.column is not None and m.column not in columns and cols_whole:
            near = difflib.get_close_matches(m.column, list(columns), 1)
            r.error(m.at("column"), f"mark '{m.key}' attaches to unknown column '{m.column}'",
                    f"did you mean '{near[0]}'?" if near else "columns: " + ", ".join(columns))
        marks[m.key] = m
    whole = cols_whole and "marks" not in p._bad and not any("key" in m._bad for m in p.marks)
    people = _unique(p.rows or [], "participant", r)
    flag = Bool()
    for row in p.rows or []:
        row.cells, row.marks = {}, []
        for key, value in row.extra.items():
            if key in columns:
                if value is not None:  # written empty (key: or key: ~): a blank cell
                    row.cells[key] = value
            elif key in marks:
                if value is None:  # {id: p03, international} in a flow mapping is international: null
                    r.error(row.at(key), f"mark '{key}' has no value", f"write {key}: true")
                elif flag.check(value, r, value.pos) is True:
                    row.marks.append(key)
            elif not whole:
                pass
            elif value is not None and value.plain and value in Bool.TRUE | Bool.FALSE:
                r.error(row.at(key), f"mark '{key}' is used but never declared",
                        f"declare it under participants.marks: {{key: {key}, symbol: '*', column: …, note: …}}")
            else:
                near = difflib.get_close_matches(key, list(columns) + list(marks), 1)
                r.error(row.at(key), f"unknown column '{key}' in participant '{row.id}'",
                        f"did you mean '{near[0]}'?" if near else "columns: " + ", ".join(columns))
    return people

