"""Quotes whose words appear earlier in the same supplement: marking them ``repeat: true``.

A published appendix that repeats a quote did so on purpose (the same words support
two findings). An importer that reads such an appendix marks the later copies, so
that the source it writes passes ``supplement check --strict`` as the published
appendix would; an author who repeats a quote by mistake still gets the
``duplicate-quote`` warning.
"""

from __future__ import annotations

from supplement.records import replace
from supplement.study.model import Finding, Quote, Supplement


def quote_key(text: str) -> str:
    """What makes two quotes the same words: whitespace and case aside (as duplicate-quote compares)."""
    return " ".join((text or "").split()).casefold()


def mark_repeats(sup: Supplement) -> Supplement:
    """``sup`` with ``repeat=True`` on every quote whose words were quoted before it."""
    seen: set[str] = set()

    def quote(q: Quote) -> Quote:
        key = quote_key(q.text)
        again = bool(key) and key in seen
        seen.add(key)
        return replace(q, repeat=True) if again and not q.repeat else q

    def findings(fs: tuple[Finding, ...]) -> tuple[Finding, ...]:
        return tuple(replace(f, quotes=tuple(quote(q) for q in f.quotes)) for f in fs)

    themes = tuple(replace(t, findings=findings(t.findings), subthemes=tuple(
        replace(s, findings=findings(s.findings)) for s in t.subthemes)) for t in sup.themes)
    return replace(sup, themes=themes)
