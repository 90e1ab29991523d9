"""Checks that need the whole source: ids, references, captions, repeats, unused entries.

Shape and types are checked by the declaration in ``reader.format_v1``; these
checks read the typed model in one walk and never change it. What they work out
(which source each citation means, each participant's number) goes into the
``Index`` they return, which resolve uses.
"""

from __future__ import annotations

import difflib
import re

from supplement.checks.registry import Checker, register
from supplement.reader.cite import source_key
from supplement.resolve import placeholders
from supplement.study.index import Index
from supplement.study.model import Quote, Subtheme, Supplement, Theme, walk
from supplement.study.repeats import quote_key

DUPLICATE_ID = register(
    "duplicate-id", "error", "Two themes, subthemes, sources or participants share an id; ids must be unique.",
    locked=True)
AMBIGUOUS_SOURCE = register(
    "ambiguous-source", "error", "A citation could mean two sources: their ids or labels differ only in case, "
    "spaces or punctuation. Give the sources distinct names.", locked=True)
UNKNOWN_SOURCE = register(
    "unknown-source", "error", "A citation names no declared source, or gives only a page while there is not "
    "exactly one source without a label.", locked=True)
UNKNOWN_PARTICIPANT = register(
    "unknown-participant", "error", "A speaker or a source's participants name an undeclared participant id.",
    locked=True)
CAPTION_PLACEHOLDER = register(
    "caption-placeholder", "error", "A caption uses a {placeholder} that does not exist, or unbalanced braces.",
    locked=True)
DUPLICATE_QUOTE = register(
    "duplicate-quote", "warning", "The same words are quoted twice. Allowed (the same words can support two "
    "findings): write 'repeat: true' on the later quote when the repeat is intended.")
REPEAT_UNMATCHED = register(
    "repeat-unmatched", "warning", "A quote says 'repeat: true' but its words are not quoted earlier in the file.")
EMPTY_THEME = register("empty-theme", "warning", "A theme has no quotes, in its findings or its subthemes.")
EMPTY_SUBTHEME = register("empty-subtheme", "warning", "A subtheme has no quotes.")
UNUSED_SOURCE = register("unused-source", "warning", "A declared source is never cited.")
UNUSED_PARTICIPANT = register(
    "unused-participant", "warning", "Once quotes name speakers or sources name participants, a participant "
    "who is neither a speaker nor in any source.")

CAPTION_FIELDS = {
    "coverage": ("by", "quotes"),
    "participants": ("participants",),
    "themes": ("theme_range", "themes", "subthemes", "findings", "quotes", "theme_numbering", "subtheme_numbering"),
}


def caption_fields(text: str) -> list[str] | str:
    """Placeholder names in a caption, or an error message."""
    return placeholders.names(text)


def check_caption(text, allowed: tuple[str, ...], report: Checker) -> None:
    names = caption_fields(text)
    if isinstance(names, str):
        report(CAPTION_PLACEHOLDER, text.pos, f"caption has {names}")
        return
    for n in names:
        if n not in allowed:
            near = difflib.get_close_matches(n, allowed, 1)
            report(CAPTION_PLACEHOLDER, text.pos, f"unknown placeholder '{{{n}}}' in caption",
                   (f"did you mean '{{{near[0]}}}'? " if near else "") + "available: " + ", ".join(f"{{{a}}}" for a in allowed))


def _unique(items, what: str, report: Checker, seen: dict) -> dict:
    for it in items:
        if it.id is None:
            continue
        if it.id in seen:
            report(DUPLICATE_ID, it.at("id"),
                   f"duplicate {what} id '{it.id}' (first used at line {seen[it.id].at('id').line})",
                   "ids must be unique; rename one")
        else:
            seen[it.id] = it
    return seen


def check(sup: Supplement, report: Checker) -> Index:
    """Cross-reference checks over the whole source; returns what they resolved.

    Runs even when some values failed their shape check (those are None), so that
    every independent problem is reported at once."""
    p = sup.participants
    people = _unique(p.rows, "participant", report, {}) if p else {}
    # A declaration with an error of its own may be incomplete: then a reference it does not
    # resolve is not reported again (the error at the declaration says it all).
    people_whole = "participants" not in sup.bad and not (p and ("rows" in p.bad or any(
        "id" in row.bad for row in p.rows)))
    sources_whole = "sources" not in sup.bad and not any(s.bad for s in sup.sources)
    sources = _unique(sup.sources, "source", report, {})
    by_name: dict[str, list] = {}
    for s in sup.sources:  # duplicates too: their labels are still meant to be cited
        for name in {s.id, s.label} - {None}:
            by_name.setdefault(source_key(name), []).append(s)
        for pid in s.participants:
            if pid not in people and people_whole:
                _unknown_participant(pid, people, report)
    unlabeled = [s for s in sources.values() if s.label is None]
    for key, ss in by_name.items():
        distinct = list({id(s): s for s in ss}.values())
        if len(distinct) > 1 and distinct[0].id != distinct[1].id:  # same id: reported as a duplicate id
            a, b = distinct[0], distinct[1]
            name = next(n for n in (b.label, b.id) if n is not None and source_key(n) == key)
            report(AMBIGUOUS_SOURCE, b.pos, f"a citation '{name}' could mean source '{a.id}' or '{b.id}'",
                   "citations ignore case, spaces and punctuation ('Non-Op 1' = 'Non Op 1' = 'NonOp1'); "
                   "give the sources distinct ids and labels")

    cite_report = report if sources_whole else Checker(type(report.report)())
    ids: dict = {}
    cited = {}
    spoken: set[str] = set()
    seen_quotes: dict[str, Quote] = {}
    theme = sub = None  # the theme and subtheme being walked, and the quotes seen in each
    n_theme = n_sub = 0
    for place, node in walk(sup):
        if isinstance(node, (Theme, Subtheme)):
            _empty(sub, n_sub, EMPTY_SUBTHEME, "subtheme", report)
            sub, n_sub = None, 0
            if isinstance(node, Theme):
                _empty(theme, n_theme, EMPTY_THEME, "theme", report)
                theme, n_theme = node, 0
                _unique([node], "theme", report, ids)
            else:
                sub = node
                _unique([node], "subtheme", report, ids)
        elif isinstance(node, Quote):
            n_theme += 1
            n_sub += 1
            q = node
            if q.cite is not None:
                source = _resolve_cite(q, by_name, unlabeled, sources, cite_report)
                if source is not None:
                    cited[place] = source
            if q.speaker is not None:
                spoken.add(q.speaker)
                if q.speaker not in people and people_whole:
                    _unknown_participant(q.speaker, people, report)
            key = quote_key(q.text)
            if not key:
                pass
            elif key in seen_quotes:
                first = seen_quotes[key]
                if not q.repeat:
                    report(DUPLICATE_QUOTE, q.at("text"), f"this quote also appears at line {first.at('text').line}",
                           "if the repeat is intended, add 'repeat: true' to this quote; otherwise remove one")
            else:
                seen_quotes[key] = q
                if q.repeat:
                    report(REPEAT_UNMATCHED, q.at("repeat"), "'repeat: true' but these words are not quoted earlier",
                           "remove 'repeat: true', or mark the later of the two quotes instead")
    _empty(sub, n_sub, EMPTY_SUBTHEME, "subtheme", report)
    _empty(theme, n_theme, EMPTY_THEME, "theme", report)

    used_sources = {s.id for s in cited.values()}
    for s in sources.values():
        if s.id not in used_sources and not report.report.errors:
            report(UNUSED_SOURCE, s.at("id"), f"source '{s.id}' is never cited",
                   f"cite it as '{s.label or s.id}, PAGE', or remove it from sources "
                   "(or set unused-source: off under checks:)")
    linked = spoken | {pid for s in sources.values() for pid in s.participants}
    if linked:  # only meaningful once the study links quotes or sources to participants
        for pid, row in people.items():
            if pid not in linked:
                report(UNUSED_PARTICIPANT, row.at("id"), f"participant '{pid}' is not a speaker and not in any source",
                       f"once one quote names a speaker or one source lists participants, every participant is "
                       f"expected to be linked: write 'speaker: {pid}' on their quotes or list {pid} in a source's "
                       "participants (or set unused-participant: off under checks:)")
    if p and p.caption is not None:
        check_caption(p.caption, CAPTION_FIELDS["participants"], report)
    if sup.theme_table is not None:
        check_caption(sup.theme_table.caption, CAPTION_FIELDS["themes"], report)
    if sup.coverage_table is not None:
        check_caption(sup.coverage_table.caption, CAPTION_FIELDS["coverage"], report)
    numbers = {row.id: (n, row) for n, row in enumerate(p.rows, 1)} if p else {}
    return Index(sources=sources, cited=cited, people=numbers)


def _empty(block, quotes: int, check, what: str, report: Checker) -> None:
    """At the end of a theme or subtheme: say when it had no quotes."""
    if block is not None and quotes == 0:
        report(check, block.at("title"), f"{what} '{block.title or block.id}' has no quotes",
               f"add a finding with quotes under it, or remove the {what}")


def _unknown_participant(pid, people, report: Checker) -> None:
    near = difflib.get_close_matches(pid, list(people), 1)
    known = list(people)
    listed = ", ".join(known[:12]) + (f" … ({len(known)} in all)" if len(known) > 12 else "")
    report(UNKNOWN_PARTICIPANT, pid.pos, f"unknown participant '{pid}'",
           ((f"did you mean '{near[0]}'? " if near else "") + "known: " + listed) if people else
           "declare participants first (participants: rows: - {id: …})")


def _resolve_cite(q: Quote, by_name: dict, unlabeled: list, sources: dict, report: Checker):
    cite = q.cite
    pos = q.at("cite")
    if cite.source is None:
        if len(unlabeled) == 1:
            return unlabeled[0]
        report(UNKNOWN_SOURCE, pos, "a citation with only a page needs exactly one source without a label (cited by page only)",
               "write the source too, e.g. 'Non-Op 1, 3'" if unlabeled == [] else
               "several sources have no label: " + ", ".join(s.id for s in unlabeled))
        return None
    found = by_name.get(source_key(cite.source))
    if found:
        return found[0]
    known = [s.label or s.id for s in sources.values()]
    near = difflib.get_close_matches(cite.source, known + list(sources), 1)
    hint = f"did you mean '{near[0]}'?" if near else "declare it under sources, or correct the citation"
    page = re.fullmatch(r"(?P<src>.*\S)\s+(?P<page>\d+(?:\s*[-–—]\s*\d+)?)", str(cite.source))
    if page and by_name.get(source_key(page["src"])):  # 'Interview Éloïse 10' for 'Interview Éloïse, 10'
        hint = f"a comma separates the source from the page: '{page['src']}, {page['page']}'"
    report(UNKNOWN_SOURCE, pos, f"unknown source '{cite.source}'; known: " + (", ".join(known) or "none"), hint)
    return None
