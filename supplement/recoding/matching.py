"""Which theme, finding, quote and participant of the old version is which of the new.

Ids first: themes, subthemes and participants always have one, findings and
quotes may. Where an id is missing or changed, text: the same words (after
whitespace clean-up) are the same quote or finding; failing that, similarity, and
the match carries its score (0-1) so the report can say how sure it is.

    quotes     id; the same text (duplicates go to the copy in the same theme and
               finding); word similarity >= QUOTE_MIN
    findings   id; the same text (preferably in the same theme); similarity of the
               text, helped by the share of quotes they have in common
    themes     id (themes and subthemes share one id space); then, for the ones left,
               the title's similarity with the share of content they have in common
    participants  id; then the same cells

Similarity is difflib's ratio over words (lower case, punctuation dropped).
Candidates for a quote are found through the rare pairs of neighbouring words it
shares with others, so matching stays near linear when almost everything is unchanged.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from difflib import SequenceMatcher

from supplement.recoding.snapshot import Snapshot
from supplement.records import Struct, field

QUOTE_MIN = 0.6  # a quote edited more than this is a removed one and an added one
FINDING_MIN = 0.6
BLOCK_MIN = 0.6
PARTICIPANT_MIN = 0.8
CANDIDATES = 8  # per unmatched quote, the old ones sharing most rare words
RARE = 20  # a pair of words in more unmatched quotes than this does not suggest candidates

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    wa, wb = words(a), words(b)
    if not wa and not wb:
        return 1.0
    return SequenceMatcher(None, wa, wb, autojunk=False).ratio()


class How(Struct, frozen=True):
    by: str  # "id" | "text" | "similarity"
    score: float = 1.0


class Pairing(Struct):
    """old index -> new index, and back, with how each pair was found."""

    forward: dict[int, int] = field(default_factory=dict)
    back: dict[int, int] = field(default_factory=dict)
    how: dict[int, How] = field(default_factory=dict)  # keyed by old index

    def add(self, old: int, new: int, how: How) -> None:
        self.forward[old] = new
        self.back[new] = old
        self.how[old] = how

    def free_old(self, n: int) -> list[int]:
        return [i for i in range(n) if i not in self.forward]

    def free_new(self, n: int) -> list[int]:
        return [i for i in range(n) if i not in self.back]


class Matching(Struct):
    blocks: Pairing
    findings: Pairing
    quotes: Pairing
    participants: Pairing


def match(old: Snapshot, new: Snapshot) -> Matching:
    blocks = _by_id(old.blocks, new.blocks)
    quotes = _quotes(old, new, blocks)
    findings = _findings(old, new, blocks, quotes)
    _blocks_by_content(old, new, blocks, findings, quotes)
    participants = _participants(old, new)
    return Matching(blocks, findings, quotes, participants)


def _by_id(olds, news, pairing: Pairing | None = None) -> Pairing:
    pairing = pairing or Pairing()
    ids = {}
    for x in news:
        if x.id is not None and x.id not in ids:
            ids[x.id] = x.n
    for x in olds:
        if x.id is not None and x.id in ids and ids[x.id] not in pairing.back and x.n not in pairing.forward:
            pairing.add(x.n, ids.pop(x.id), How("id"))
    return pairing


def _greedy(pairing: Pairing, scored: list[tuple[float, int, int]], minimum: float) -> None:
    """Best pairs first; ties in reading order."""
    scored.sort(key=lambda t: (-t[0], t[2], t[1]))
    for score, o, n in scored:
        if score >= minimum and o not in pairing.forward and n not in pairing.back:
            pairing.add(o, n, How("similarity", round(score, 3)))


# ---------------------------------------------------------------------------------- quotes

def _quotes(old: Snapshot, new: Snapshot, blocks: Pairing) -> Pairing:
    pairing = Pairing()
    # 1. ids, only where both versions have one
    _by_id([q for q in old.quotes if q.id], [q for q in new.quotes if q.id], pairing)

    # 2. the same text; where a text is there more than once, the copies in the same
    #    (matched) theme and finding first
    by_text: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for q in old.quotes:
        if q.n not in pairing.forward:
            by_text[q.text][0].append(q.n)
    for q in new.quotes:
        if q.n not in pairing.back and q.text in by_text:
            by_text[q.text][1].append(q.n)
    for olds, news in by_text.values():
        if len(olds) == 1 and len(news) == 1:
            pairing.add(olds[0], news[0], How("text"))
        elif olds and news:
            ranked = sorted(((_closeness(old, new, blocks, o, n), o, n) for o in olds for n in news),
                            key=lambda t: (t[0], -t[2], -t[1]), reverse=True)
            for _, o, n in ranked:
                if o not in pairing.forward and n not in pairing.back:
                    pairing.add(o, n, How("text"))

    # 3. similar words
    free_old = pairing.free_old(len(old.quotes))
    free_new = pairing.free_new(len(new.quotes))
    if free_old and free_new:
        _greedy(pairing, _similar_quotes(old, new, free_old, free_new), QUOTE_MIN)
    return pairing


def _closeness(old: Snapshot, new: Snapshot, blocks: Pairing, o: int, n: int) -> tuple:
    oq, nq = old.quotes[o], new.quotes[n]
    of, nf = old.findings[oq.finding], new.findings[nq.finding]
    return (blocks.forward.get(of.block) == nf.block and of.text == nf.text, of.text == nf.text,
            blocks.forward.get(of.block) == nf.block, -abs(oq.index - nq.index))


def shingles(text: str) -> set:
    """Pairs of neighbouring words: rarer than words, so they point at the few quotes that
    share a passage even when a study's vocabulary is small."""
    ws = words(text)
    return set(zip(ws, ws[1:])) if len(ws) > 1 else set(ws)


def _similar_quotes(old: Snapshot, new: Snapshot, free_old: list[int], free_new: list[int]):
    index: dict = defaultdict(list)
    for o in free_old:
        for sh in shingles(old.quotes[o].text):
            index[sh].append(o)
    scored = []
    for n in free_new:
        text = new.quotes[n].text
        counts: Counter = Counter()
        for sh in shingles(text):
            posting = index.get(sh)
            if posting and len(posting) <= RARE:
                counts.update(posting)
        if not counts and len(free_old) <= RARE:  # only common pairs: few candidates anyway
            counts.update({o: 1 for o in free_old})
        if not counts:
            continue
        nw = words(text)
        sm = SequenceMatcher(None, autojunk=False)
        sm.set_seq2(nw)  # the new quote's word index is built once for all its candidates
        for o, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES]:
            sm.set_seq1(words(old.quotes[o].text))
            if sm.real_quick_ratio() < QUOTE_MIN or sm.quick_ratio() < QUOTE_MIN:
                continue  # upper bounds below the minimum: the full ratio would be too
            score = sm.ratio()
            if score >= QUOTE_MIN:
                scored.append((score, o, n))
    return scored


# -------------------------------------------------------------------------------- findings

def _findings(old: Snapshot, new: Snapshot, blocks: Pairing, quotes: Pairing) -> Pairing:
    pairing = Pairing()
    _by_id([f for f in old.findings if f.id], [f for f in new.findings if f.id], pairing)

    by_text: dict[str, list[int]] = defaultdict(list)
    for f in old.findings:
        if f.n not in pairing.forward:
            by_text[f.text].append(f.n)
    for f in new.findings:
        if f.n in pairing.back or not by_text.get(f.text):
            continue
        cands = by_text[f.text]
        o = max(cands, key=lambda o: (blocks.forward.get(old.findings[o].block) == f.block,
                                      _shared(old.findings[o].quotes, f.quotes, quotes), -o))
        cands.remove(o)
        pairing.add(o, f.n, How("text"))

    free_old = set(pairing.free_old(len(old.findings)))
    free_new = pairing.free_new(len(new.findings))
    if not free_old or not free_new:
        return pairing
    scored = []
    for n in free_new:
        nf = new.findings[n]
        cands = {old.quotes[quotes.back[q]].finding for q in nf.quotes if q in quotes.back} & free_old
        ob = blocks.back.get(nf.block)
        if ob is not None:
            cands |= set(old.blocks[ob].findings) & free_old
        if len(free_old) <= 50:
            cands |= free_old
        for o in cands:
            of = old.findings[o]
            text = similarity(of.text, nf.text)
            if of.quotes or nf.quotes:
                support = _shared(of.quotes, nf.quotes, quotes) / max(len(of.quotes), len(nf.quotes))
                score = max(text, (text + support) / 2)
            else:
                score = text
            if score >= FINDING_MIN:
                scored.append((score, o, n))
    _greedy(pairing, scored, FINDING_MIN)
    return pairing


def _shared(old_quotes: list[int], new_quotes: list[int], quotes: Pairing) -> int:
    news = set(new_quotes)
    return sum(1 for q in old_quotes if quotes.forward.get(q) in news)


# ------------------------------------------------------------------------ themes by content

def units(snap: Snapshot, block: int) -> int:
    """What a theme holds directly: its findings and their quotes (not its subthemes')."""
    return sum(1 + len(snap.findings[f].quotes) for f in snap.blocks[block].findings)


def flows(old: Snapshot, new: Snapshot, findings: Pairing, quotes: Pairing) -> Counter:
    """(old block, new block) -> how many findings and quotes went from one to the other."""
    out: Counter = Counter()
    for o, n in findings.forward.items():
        out[old.findings[o].block, new.findings[n].block] += 1
    for o, n in quotes.forward.items():
        out[old.findings[old.quotes[o].finding].block, new.findings[new.quotes[n].finding].block] += 1
    return out


def _blocks_by_content(old: Snapshot, new: Snapshot, blocks: Pairing, findings: Pairing, quotes: Pairing) -> None:
    free_old = blocks.free_old(len(old.blocks))
    free_new = blocks.free_new(len(new.blocks))
    if not free_old or not free_new:
        return
    flow = flows(old, new, findings, quotes)
    scored = []
    for o in free_old:
        for n in free_new:
            title = similarity(old.blocks[o].title, new.blocks[n].title)
            size = max(units(old, o), units(new, n))
            score = (title + flow[o, n] / size) / 2 if size else title
            if score >= BLOCK_MIN:
                scored.append((score, o, n))
    _greedy(blocks, scored, BLOCK_MIN)


# ---------------------------------------------------------------------------- participants

def _participants(old: Snapshot, new: Snapshot) -> Pairing:
    pairing = _by_id(old.participants, new.participants)
    scored = []
    for o in pairing.free_old(len(old.participants)):
        for n in pairing.free_new(len(new.participants)):
            a, b = dict(old.participants[o].cells), dict(new.participants[n].cells)
            keys = set(a) | set(b)
            same = sum(1 for k in keys if a.get(k) == b.get(k))
            if keys:
                scored.append((same / len(keys), o, n))
    _greedy(pairing, scored, PARTICIPANT_MIN)
    return pairing
