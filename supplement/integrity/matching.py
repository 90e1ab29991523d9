"""One quote against one transcript: verbatim, on the cited page, or how it differs.

Both sides are reduced to word tokens that ignore what transcription varies in:
case, punctuation, curly or straight quote marks and apostrophes, dashes (em, en,
``--``), whitespace and line breaks, a word hyphenated at a line end, hyphens
between letters (at a line end a split word and a compound cannot be told apart,
so ``single-level`` = ``singlelevel`` on both sides), soft hyphens, no-break spaces
and timestamps such as ``04:31``.

A quote is split at each ellipsis (``…``, ``...``) into segments that must appear
in order, each gap at most ``GAP`` words; a ``[bracketed]`` insertion matches its
own words (a transcript's own ``[laughter]``) or stands for up to ``BRACKET`` words
of the transcript, which are reported for review. Matching goes segment by segment
over a word index with a memo, never one regular expression with several gaps
(that backtracks catastrophically), so ten ellipses cost no more than one.

No exact match: the closest passage (``rapidfuzz`` alignment, snapped to words) and
a word-level diff (``difflib``) say how the quote differs.
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from typing import Optional

from supplement.integrity.transcripts import Transcript
from supplement.records import Struct, field

GAP = 80  # words an ellipsis may stand for
BRACKET = 8  # words a [bracketed] insertion may replace
MISMATCH_SCORE = 70  # closest passage at least this similar: a mismatch; below: not found
MAX_MATCHES = 64

_TIME = re.compile(r"(?<![\w:])\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?![\w:])")
_JOINERS = "'’‘ʼ`´\u00ad-‐‑"  # apostrophes, soft hyphen, hyphens: dropped inside a word
_J = re.escape(_JOINERS)
_WORD = re.compile(r"[^\W_]+(?:(?:[" + _J + r"]|[-‐‑\u00ad][ \t]*\n[ \t]*)[^\W_]+)*")
_DROP = re.compile(r"[\s" + _J + r"]+")
_ELLIPSIS = re.compile(r"…|\.\s*\.\s*\.+|\[\s*(?:…|\.\s*\.\s*\.+)\s*\]")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")


class Words(Struct, frozen=True):
    """Tokens of a text and where each came from (character offsets in the text)."""

    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]


def words(text: str) -> Words:
    text = _TIME.sub(lambda m: " " * len(m.group()), text)
    toks, spans = [], []
    for m in _WORD.finditer(text):
        tok = _DROP.sub("", unicodedata.normalize("NFKC", m.group()).casefold())
        if tok:
            toks.append(tok)
            spans.append(m.span())
    return Words(tuple(toks), tuple(spans))


def tokens(text: str) -> list[str]:
    return list(words(text).tokens)


# ---------------------------------------------------------------------------- the quote

class Link(Struct, frozen=True):
    """What lies between two segments of a quote."""

    kind: str  # "ellipsis" | "bracket"
    most: int  # words it may stand for
    own: tuple[str, ...] = ()  # a bracket's own words (it may be the transcript's own [laughter])
    raw: str = ""  # the bracket as written


class Pattern(Struct, frozen=True):
    segments: tuple[tuple[str, ...], ...]
    links: tuple[Link, ...]  # len(segments) - 1

    @property
    def flat(self) -> list[str]:
        return [t for s in self.segments for t in s]


def pattern(quote: str) -> Pattern:
    """Split a quote at ellipses and brackets; a leading or trailing one is dropped (a bracket at
    an end may be the transcript's own words or stand for nothing the quote needs)."""
    parts: list = []  # alternating token lists and Links
    pos = 0
    marks = sorted([(m.start(), m.end(), "e", "") for m in _ELLIPSIS.finditer(quote)] +
                   [(m.start(), m.end(), "b", m.group(1)) for m in _BRACKET.finditer(quote)
                    if not _ELLIPSIS.fullmatch(m.group())])
    for start, end, kind, inner in marks:
        if start < pos:
            continue
        parts.append(tokens(quote[pos:start]))
        parts.append(Link("ellipsis", GAP) if kind == "e" else Link("bracket", BRACKET, tuple(tokens(inner)), f"[{inner}]"))
        pos = end
    parts.append(tokens(quote[pos:]))
    segments: list[tuple[str, ...]] = []
    links: list[Link] = []
    pending: list[Link] = []
    for part in parts:
        if isinstance(part, Link):
            pending.append(part)
        elif part:
            if segments:
                links.append(_merge(pending))
            segments.append(tuple(part))
            pending = []
        # an empty part (two marks in a row) just accumulates links
    return Pattern(tuple(segments), tuple(links))


def _merge(links: list[Link]) -> Link:
    if len(links) == 1:
        return links[0]
    if any(k.kind == "ellipsis" for k in links):
        return Link("ellipsis", sum(k.most for k in links))
    return Link("bracket", sum(k.most for k in links), tuple(t for k in links for t in k.own),
                " ".join(k.raw for k in links))


# ---------------------------------------------------------------------------- the transcript

class Indexed(Struct):
    """A transcript as one stream of words, each knowing its page."""

    transcript: Transcript
    tokens: list[str] = field(default_factory=list)
    page: list[int] = field(default_factory=list)  # page index of each token
    spans: list[tuple[int, int]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # first token of each page
    where: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, t: Transcript) -> "Indexed":
        ix = cls(t)
        for pi, page in enumerate(t.pages):
            ix.starts.append(len(ix.tokens))
            w = words(page.text)
            ix.tokens.extend(w.tokens)
            ix.spans.extend(w.spans)
            ix.page.extend([pi] * len(w.tokens))
        for i, tok in enumerate(ix.tokens):
            ix.where.setdefault(tok, []).append(i)
        return ix

    def page_range(self, pi: int) -> tuple[int, int]:
        end = self.starts[pi + 1] if pi + 1 < len(self.starts) else len(self.tokens)
        return self.starts[pi], end

    def excerpt(self, a: int, b: int) -> str:
        """The transcript's own text of tokens a..b-1 (on one page or across a break)."""
        if a >= b:
            return ""
        parts = []
        i = a
        while i < b:
            pi = self.page[i]
            j = i
            while j < b and self.page[j] == pi:
                j += 1
            text = self.transcript.pages[pi].text
            parts.append(text[self.spans[i][0]:self.spans[j - 1][1]])
            i = j
        return " ".join(" ".join(p.split()) for p in parts)


# ---------------------------------------------------------------------------- matching

class Hit(Struct, frozen=True):
    start: int
    end: int  # token indices, end exclusive
    replaced: tuple[tuple[str, str], ...] = ()  # (bracket as written, transcript words it stands for)


def find(p: Pattern, ix: Indexed, limit: int = MAX_MATCHES) -> list[Hit]:
    """Every place the quote's segments occur in order with bounded gaps (at most ``limit``)."""
    if not p.segments:
        return []
    memo: dict[tuple[int, int], Optional[tuple[int, tuple]]] = {}

    def occurrences(seg: tuple[str, ...], lo: int, hi: int) -> list[int]:
        spots = ix.where.get(seg[0], [])
        out = []
        for i in spots[bisect.bisect_left(spots, lo):bisect.bisect_right(spots, hi)]:
            if tuple(ix.tokens[i:i + len(seg)]) == seg:
                out.append(i)
        return out

    def rest(si: int, at: int) -> Optional[tuple[int, tuple]]:
        """Segment si placed at token ``at``: the end of the whole match and the bracket
        replacements, choosing the earliest way that completes."""
        key = (si, at)
        if key in memo:
            return memo[key]
        end = at + len(p.segments[si])
        result = None
        if si == len(p.segments) - 1:
            result = (end, ())
        else:
            link, nxt = p.links[si], p.segments[si + 1]
            if link.kind == "bracket" and link.own and tuple(ix.tokens[end:end + len(link.own)]) == link.own:
                own_end = end + len(link.own)
                if tuple(ix.tokens[own_end:own_end + len(nxt)]) == nxt:
                    done = rest(si + 1, own_end)
                    if done:
                        result = done
            if result is None:
                for j in occurrences(nxt, end, end + link.most):
                    done = rest(si + 1, j)
                    if done:
                        rep = ((link.raw, " ".join(ix.tokens[end:j])),) if link.kind == "bracket" and j > end else ()
                        result = (done[0], rep + done[1])
                        break
        memo[key] = result
        return result

    hits = []
    for start in occurrences(p.segments[0], 0, len(ix.tokens)):
        done = rest(0, start)
        if done:
            hits.append(Hit(start, done[0], done[1]))
            if len(hits) >= limit:
                break
    return hits


class Outcome(Struct, frozen=True):
    status: str  # "verified" | "wrong-page" | "mismatch" | "not-found" | "empty"
    found_pages: tuple[str, ...] = ()  # labels of the pages the quote (or closest passage) is on
    replaced: tuple[tuple[str, str], ...] = ()
    passage: str = ""  # closest passage, the transcript's own words
    diff: str = ""
    score: float = 0.0
    near_break: bool = False  # verified only thanks to the layout slack
    hit: Optional[Hit] = None


def _pages_of(ix: Indexed, a: int, b: int) -> tuple[str, ...]:
    labels = []
    for pi in sorted({ix.page[a], ix.page[max(a, b - 1)]}):
        labels.append(ix.transcript.pages[pi].label)
    return tuple(labels)


def check(quote: str, ix: Indexed, first: Optional[int], last: Optional[int]) -> Outcome:
    """Verify a quote cited at pages first..last (None: the source as a whole)."""
    p = pattern(quote)
    if not p.segments:
        return Outcome("empty")
    hits = find(p, ix)
    cited: Optional[list[int]] = None
    if first is not None and ix.transcript.paginated:
        cited = ix.transcript.cited(first, last)
    if hits:
        if cited is None:
            h = hits[0]
            return Outcome("verified", _pages_of(ix, h.start, h.end), h.replaced, hit=h)
        ranges = [ix.page_range(pi) for pi in cited]
        for h in hits:
            if any(h.start < b and h.end > a for a, b in ranges):
                return Outcome("verified", _pages_of(ix, h.start, h.end), h.replaced, hit=h)
        slack = ix.transcript.slack
        if slack and ranges:
            lo, hi = min(a for a, _ in ranges) - slack, max(b for _, b in ranges) + slack
            for h in hits:
                if h.start < hi and h.end > lo:
                    return Outcome("verified", _pages_of(ix, h.start, h.end), h.replaced, near_break=True, hit=h)
        h = hits[0]
        return Outcome("wrong-page", _pages_of(ix, h.start, h.end), h.replaced, hit=h)
    return _closest(p, ix, cited)


def _closest(p: Pattern, ix: Indexed, cited: Optional[list[int]]) -> Outcome:
    from rapidfuzz import fuzz

    q = p.flat
    needle = " ".join(q)
    best = (0.0, 0, 0)

    def search(pages: list[int]):
        nonlocal best
        for pi in pages:
            a, _ = ix.page_range(pi)
            # the page and the start of the next: a quote may run over a break
            b = min(len(ix.tokens), ix.page_range(pi)[1] + len(q) + GAP)
            if a >= b:
                continue
            hay_tokens = ix.tokens[a:b]
            hay = " ".join(hay_tokens)
            al = fuzz.partial_ratio_alignment(needle, hay, score_cutoff=best[0])
            if al is None or al.score <= best[0]:
                continue
            ta, tb = _snap(hay_tokens, al.dest_start, al.dest_end)
            best = (al.score, a + ta, a + tb)

    if cited:
        search(cited)
    if best[0] < 95:
        search([pi for pi in range(len(ix.transcript.pages)) if not cited or pi not in cited])
    score, a, b = best
    if score < MISMATCH_SCORE or a >= b:
        return Outcome("not-found", score=score)
    return Outcome("mismatch", _pages_of(ix, a, b), passage=ix.excerpt(a, b), diff=diff(q, ix.tokens[a:b]),
                   score=score)


def _snap(toks: list[str], start: int, end: int) -> tuple[int, int]:
    """Character offsets in ' '.join(toks) -> the tokens they touch."""
    offsets, pos = [], 0
    for t in toks:
        offsets.append(pos)
        pos += len(t) + 1
    a = max(0, bisect.bisect_right(offsets, start) - 1)
    b = bisect.bisect_left(offsets, end)
    return a, max(b, a + 1)


def diff(quote: list[str], passage: list[str], limit: int = 6) -> str:
    """Word-level differences, quote first: "'not' in the quote, 'never' in the transcript"."""
    sm = difflib.SequenceMatcher(a=quote, b=passage, autojunk=False)
    out = []
    for op, a1, a2, b1, b2 in sm.get_opcodes():
        qa, tb = " ".join(quote[a1:a2]), " ".join(passage[b1:b2])
        if op == "replace":
            out.append(f"quote has '{_short(qa)}' where the transcript has '{_short(tb)}'")
        elif op == "delete":
            out.append(f"quote adds '{_short(qa)}'")
        elif op == "insert":
            if a1 in (0, len(quote)):
                continue  # the passage runs on at an end: not a difference
            out.append(f"quote leaves out '{_short(tb)}' (mark it …)")
    more = len(out) - limit
    return "; ".join(out[:limit]) + (f"; and {more} more" if more > 0 else "")


def _short(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[:n - 1] + "…"
