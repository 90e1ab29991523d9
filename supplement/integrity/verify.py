"""``supplement verify``: the evidence checks over one source, as located diagnostics.

Three families, each a set of named checks (``checks.py``): quotes against their
transcripts (when sources name one), identifying details, and disclosure. The
result keeps each quote's outcome too, for ``--fix-pages`` and the summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from supplement.diagnostics import Diagnostic, Pos, Report
from supplement.integrity import checks as C
from supplement.integrity.loading import Opened, open_source
from supplement.integrity.matching import Indexed, Outcome, check as check_quote
from supplement.integrity.transcripts import TranscriptError, load
from supplement.records import Struct, field
from supplement.study import model as m


class Findings(Struct):
    """Diagnostics with the check that raised them; severities from the source's ``checks:`` map."""

    overrides: dict = field(default_factory=dict)
    items: list[tuple[str, Diagnostic]] = field(default_factory=list)

    def report(self, check, pos: Optional[Pos], message: str, hint: str = "") -> None:
        severity = self.overrides.get(check.name, check.severity)
        if severity == "off":
            return
        self.items.append((check.name, Diagnostic(severity, pos or Pos("?"), message, hint)))

    def as_report(self) -> Report:
        return Report([d for _, d in self.items])

    def json_items(self) -> list[dict]:
        out = [dict(d.as_dict(), check=name) for name, d in self.items]
        return sorted(out, key=lambda d: (d["file"], d["line"], d["col"]))


class QuoteResult(Struct):
    place: m.Place
    quote: m.Quote
    source: m.Source
    outcome: Outcome


class Verified(Struct):
    opened: Opened
    findings: Findings
    quotes: list[QuoteResult] = field(default_factory=list)
    unchecked: int = 0  # quotes whose source has no (readable) transcript
    read: list[str] = field(default_factory=list)  # how each transcript was read, said to the user

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.quotes:
            out[r.outcome.status] = out.get(r.outcome.status, 0) + 1
        return out

    def summary(self) -> str:
        c = self.counts()
        total = len(self.quotes) + self.unchecked
        parts = [f"{c[k]} {k.replace('-', ' ')}" for k in ("verified", "wrong-page", "mismatch", "not-found", "empty")
                 if c.get(k)]
        if self.unchecked:
            parts.append(f"{self.unchecked} without a transcript")
        e = sum(1 for _, d in self.findings.items if d.severity == "error")
        w = sum(1 for _, d in self.findings.items if d.severity == "warning")
        head = f"{self.opened.path}: {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"
        return head + (f"; {total} quote{'s' * (total != 1)}: " + ", ".join(parts) if total else "")


def verify(path: str | Path, families: tuple[str, ...] = ("quotes", "identifiers", "disclosure"),
           private: Optional[Path] = None) -> Verified:
    opened = open_source(path)
    findings = Findings()
    result = Verified(opened, findings)
    if opened.sup is None:
        for d in opened.report.items:
            findings.items.append(("source", d))
        return result
    from supplement.checks.registry import settings_of

    findings.overrides = settings_of(opened.sup.checks, Report())  # unknown names: reported by check_source
    if "quotes" in families:
        verify_quotes(result)
    if "identifiers" in families or "disclosure" in families:
        from supplement.integrity import disclosure, identifiers, pseudonyms

        settings = pseudonyms.load_settings(opened.path, private, findings)
        if "identifiers" in families:
            identifiers.check_study(opened, settings, findings)
        if "disclosure" in families:
            disclosure.check_study(opened, settings, findings)
    return result


def transcript_path(opened: Opened, source: m.Source) -> Path:
    p = Path(source.transcript)
    return p if p.is_absolute() else opened.base / p


def verify_quotes(result: Verified) -> None:
    opened, findings = result.opened, result.findings
    indexed: dict[str, Optional[Indexed]] = {}
    for s in opened.sup.sources:
        if not s.transcript:
            continue
        path = transcript_path(opened, s)
        pos = s.at("transcript")
        try:
            t = load(path)
        except TranscriptError as e:
            findings.report(C.TRANSCRIPT_UNREADABLE, pos, f"transcript '{s.transcript}' of source '{s.id}': {e}",
                            f"looked for {path}" if str(e) == "not found" else "")
            indexed[s.id] = None
            continue
        for note in t.notes:
            findings.report(C.TRANSCRIPT_PAGES, pos, f"transcript '{s.transcript}': {note}")
        if t.slack:
            findings.report(C.TRANSCRIPT_PAGES, pos,
                            f"transcript '{s.transcript}' paginated by {t.method}: a citation is accepted "
                            f"within {t.slack} words of its page", "save the file from Word to keep its pages")
        indexed[s.id] = Indexed.of(t)
        result.read.append(f"{s.label or s.id}: {s.transcript} ({t.describe_pages()}, by {t.method})")
    for place, q in m.quotes(opened.sup):
        source = opened.source_of.get(place)
        ix = indexed.get(source.id) if source is not None else None
        if ix is None:
            result.unchecked += 1
            continue
        pages = q.cite.pages if q.cite is not None else None
        outcome = check_quote(q.text, ix, pages.first if pages else None, pages.last if pages else None)
        result.quotes.append(QuoteResult(place, q, source, outcome))
        _report_quote(findings, q, source, ix, outcome)


def _where(ix: Indexed, labels: tuple[str, ...]) -> str:
    t = ix.transcript
    if t.timed:
        return "at " + "–".join(labels)
    return ("page " if len(labels) == 1 else "pages ") + "–".join(labels)


def _report_quote(findings: Findings, q: m.Quote, source: m.Source, ix: Indexed, o: Outcome) -> None:
    name = source.label or source.id
    pos = q.at("text")
    if o.status == "wrong-page":
        cited = q.cite.pages
        cited_s = str(cited.first) + (f"-{cited.last}" if cited.is_range else "")
        findings.report(C.QUOTE_WRONG_PAGE, q.at("cite"),
                        f"quote is in {name}'s transcript {'' if ix.transcript.timed else 'on '}"
                        f"{_where(ix, o.found_pages)}, not {'minute' if ix.transcript.timed else 'page'} {cited_s}",
                        "supplement verify --fix-pages rewrites the citation")
    elif o.status == "mismatch":
        findings.report(C.QUOTE_MISMATCH, pos,
                        f"quote differs from {name}'s transcript ({_where(ix, o.found_pages)}, "
                        f"{o.score:.0f}% alike): {o.diff}",
                        f"transcript: \"{_clip(o.passage)}\"")
    elif o.status == "not-found":
        findings.report(C.QUOTE_NOT_FOUND, pos, f"quote not found in {name}'s transcript",
                        "check the source of the citation, and that the quote is verbatim")
    elif o.status == "empty":
        findings.report(C.QUOTE_EMPTY, pos, "quote has no words to check against the transcript")
    for raw, words in o.replaced:
        findings.report(C.QUOTE_BRACKET, pos, f"{raw} stands for \"{words}\" in the transcript",
                        "check the insertion keeps the speaker's meaning")


def _clip(s: str, n: int = 300) -> str:
    return s if len(s) <= n else s[:n - 1] + "…"
