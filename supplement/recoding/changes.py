"""What changed between two versions: a list of changes, each of one kind, and the
renumbering map of every printed label that changed.

Kinds (``Change.kind``):

    theme-added theme-removed theme-renamed theme-moved theme-merged theme-split
    finding-added finding-removed finding-edited finding-moved
    quote-added quote-removed quote-moved quote-edited quote-recited
    participant-added participant-removed participant-renumbered participant-edited
    item-renumbered caption-changed columns-changed

Themes and subthemes share the theme-* kinds (``what`` says which). Each change
is reported once, at the level that explains it: a removed theme's findings and
quotes are not listed again, quotes that stay in their finding are not "moved"
when the finding moves, and findings that follow their theme into a merge or a
split are not "moved" either.

    theme-renamed   same theme (by id, or by content with a score), new title
    theme-moved     another parent (a subtheme under another theme, promoted to a
                    theme, or made a subtheme), or out of order among its siblings
                    (the fewest moves that explain the new order)
    theme-merged    at least half of each of one or more removed themes went into
                    one theme (an existing or a new one)
    theme-split     at least half of each of one or more new themes came from one
                    old theme
    finding-edited  its text; ``quote-edited`` the quote's words or its note
    quote-recited   the source, pages or speaker (not the printed citation: a
                    participant renumbered shows in the renumbering map instead)
    quote-moved, finding-moved   into another finding or theme, or out of order
    participant-renumbered   its printed number changed; participant-edited: its cells
    item-renumbered  "Appendix 2" is now "Appendix 1"
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from difflib import SequenceMatcher

from supplement.recoding.matching import How, Matching, flows, match, units
from supplement.recoding.snapshot import Snapshot
from supplement.records import Struct, field

KINDS = (
    "theme-added", "theme-removed", "theme-renamed", "theme-moved", "theme-merged", "theme-split",
    "finding-added", "finding-removed", "finding-edited", "finding-moved",
    "quote-added", "quote-removed", "quote-moved", "quote-edited", "quote-recited",
    "participant-added", "participant-removed", "participant-renumbered", "participant-edited",
    "item-renumbered", "caption-changed", "columns-changed",
)
SECTIONS = (("items", "Tables"), ("theme", "Themes and subthemes"), ("finding", "Findings"), ("quote", "Quotes"),
            ("participant", "Participants"), ("caption", "Captions and columns"))


class Change(Struct):
    kind: str
    id: str | None = None
    old: dict | None = None  # {"label", "title" or "text", "place", "line", …}
    new: dict | None = None
    detail: dict = field(default_factory=dict)
    how: How | None = None  # how old and new were found to be the same thing
    order: tuple = ()

    @property
    def section(self) -> str:
        head = self.kind.split("-")[0]
        return {"item": "items", "columns": "caption"}.get(head, head)

    def as_dict(self) -> dict:
        out = {"kind": self.kind}
        if self.id is not None:
            out["id"] = self.id
        if self.old is not None:
            out["old"] = self.old
        if self.new is not None:
            out["new"] = self.new
        out.update(self.detail)
        if self.how is not None and self.how.by != "id":
            out["matched"] = {"by": self.how.by, "score": self.how.score}
        return out


class Relabel(Struct, frozen=True):
    old: str
    new: str
    of: str  # item, theme, subtheme, participant, source
    id: str | None = None

    def as_dict(self) -> dict:
        return {"old": self.old, "new": self.new, "of": self.of, **({"id": self.id} if self.id else {})}


class Diff(Struct):
    old: Snapshot
    new: Snapshot
    changes: list[Change]
    renumbering: list[Relabel]

    @property
    def empty(self) -> bool:
        return not self.changes and not self.renumbering

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.kind] = out.get(c.kind, 0) + 1
        return {k: out[k] for k in KINDS if k in out}

    def as_dict(self) -> dict:
        return {"old": self.old.name, "new": self.new.name, "changes": [c.as_dict() for c in self.changes],
                "renumbering": [r.as_dict() for r in self.renumbering], "counts": self.counts()}


def compare(old: Snapshot, new: Snapshot) -> Diff:
    m = match(old, new)
    d = _Differ(old, new, m)
    return Diff(old, new, d.changes(), d.renumbering())


# -------------------------------------------------------------------------------- helpers

def moved_out_of_order(pairs: list[tuple[int, int]]) -> set[int]:
    """Of (old position, new position) pairs, the new positions to call moved: all but a
    longest run that kept its order (longest increasing subsequence of old positions taken
    in new order; the earliest such run when there are several)."""
    pairs = sorted(pairs, key=lambda p: p[1])
    olds = [o for o, _ in pairs]
    tails: list[int] = []  # tails[k]: smallest old position ending an increasing run of length k+1
    tail_at: list[int] = []
    prev = [-1] * len(olds)
    for i, o in enumerate(olds):
        k = bisect_left(tails, o)
        if k == len(tails):
            tails.append(o)
            tail_at.append(i)
        else:
            tails[k] = o
            tail_at[k] = i
        prev[i] = tail_at[k - 1] if k else -1
    keep = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return {pairs[i][1] for i in range(len(pairs)) if i not in keep}


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def _in_order(pairs: list[tuple[int, int]]) -> bool:
    """Pairs (old, new), in the order they were added: is the old order the new one?"""
    ordered = sorted(pairs, key=lambda p: p[1])
    return all(a[0] < b[0] for a, b in zip(ordered, ordered[1:]))


def word_diff(a: str, b: str) -> list[list[str]]:
    """[["=", same], ["-", removed], ["+", added], …] over words, spaces and punctuation marks:
    the "=" and "-" pieces put together give ``a`` exactly, the "=" and "+" pieces ``b``.
    "more." -> "more data." is [["=", "more"], ["+", " data"], ["=", "."]]."""
    ta, tb = _TOKEN.findall(a), _TOKEN.findall(b)
    runs: list[list[str]] = []  # [kind, old text, new text], kind "=" or "~"
    sm = SequenceMatcher(lambda t: t.isspace(), ta, tb, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        old, new = "".join(ta[i1:i2]), "".join(tb[j1:j2])
        if op == "equal":
            runs.append(["=", old, new])
        elif runs and runs[-1][0] == "~":
            runs[-1][1] += old
            runs[-1][2] += new
        else:
            runs.append(["~", old, new])
    merged: list[list[str]] = []
    for i, run in enumerate(runs):  # a change, only spaces, a change: one change
        if (run[0] == "=" and run[1].isspace() and 0 < i < len(runs) - 1 and merged and merged[-1][0] == "~"
                and runs[i + 1][0] == "~"):
            merged[-1][1] += run[1]
            merged[-1][2] += run[2]
        elif run[0] == "~" and merged and merged[-1][0] == "~":
            merged[-1][1] += run[1]
            merged[-1][2] += run[2]
        else:
            merged.append(list(run))
    out: list[list[str]] = []
    for kind, old, new in merged:
        if kind == "=":
            out.append(["=", old])
        else:
            if old:
                out.append(["-", old])
            if new:
                out.append(["+", new])
    return out


def _pages(p) -> str | None:
    if p is None:
        return None
    return str(p[0]) if p[0] == p[1] else f"{p[0]}-{p[1]}"


class _Differ:
    def __init__(self, old: Snapshot, new: Snapshot, m: Matching):
        self.old, self.new, self.m = old, new, m
        self.flow = flows(old, new, m.findings, m.quotes)
        self.merges: list[tuple[list[int], int]] = []  # (old blocks, new block)
        self.splits: list[tuple[int, list[int]]] = []  # (old block, new blocks)
        self.explained: set[tuple[int, int]] = set()  # (old block, new block) flows a merge or split explains
        self.removed_blocks: set[int] = set()
        self.added_blocks: set[int] = set()
        self._merges_and_splits()

    # ---- themes
    def _scope(self, snap: Snapshot, b: int) -> list[int]:
        """A theme with its subthemes; a subtheme alone."""
        return [b] + snap.blocks[b].children

    def _size(self, snap: Snapshot, b: int) -> int:
        return sum(units(snap, x) for x in self._scope(snap, b))

    def _flow(self, o: int, n: int) -> int:
        """Findings and quotes that went from old block ``o`` (with its subthemes) to new block ``n`` (with its)."""
        return sum(self.flow.get((x, y), 0) for x in self._scope(self.old, o) for y in self._scope(self.new, n))

    def explains(self, ob: int, nb: int) -> bool:
        """Does a merge or split explain content going from old block ``ob`` to new block ``nb``?"""
        olds = {ob, self.old.blocks[ob].parent}
        news = {nb, self.new.blocks[nb].parent}
        return any((o, n) in self.explained for o in olds for n in news)

    def _merges_and_splits(self) -> None:
        old, new, bl = self.old, self.new, self.m.blocks
        gone = [o for o in range(len(old.blocks)) if o not in bl.forward]
        fresh = [n for n in range(len(new.blocks)) if n not in bl.back]
        size_old = {o: self._size(old, o) for o in gone}
        used_old: set[int] = set()
        used_new: set[int] = set()
        for n in range(len(new.blocks)):
            sources = [o for o in gone if o not in used_old and old.blocks[o].parent not in used_old
                       and size_old[o] and 2 * self._flow(o, n) >= size_old[o]]
            sources = [o for o in sources if old.blocks[o].parent not in sources]  # a theme takes its subthemes
            if not sources or (n not in bl.back and len(sources) < 2):
                continue
            self.merges.append((sources, n))
            used_old.update(sources)
            if n not in bl.back:
                used_new.add(n)
            self.explained.update((o, n) for o in sources)
        # the narrowest block that explains a split: subthemes before their themes
        for o in sorted(range(len(old.blocks)), key=lambda o: (-old.blocks[o].level, o)):
            if o in used_old or old.blocks[o].parent in used_old:
                continue
            targets = [n for n in fresh if n not in used_new and new.blocks[n].parent not in used_new
                       and self._size(new, n) and 2 * self._flow(o, n) >= self._size(new, n)]
            if not targets or (o not in bl.forward and len(targets) < 2):
                continue
            self.splits.append((o, ([bl.forward[o]] if o in bl.forward else []) + targets))
            used_new.update(targets)
            if o not in bl.forward:
                used_old.add(o)
            self.explained.update((o, n) for n in targets)
        # a subtheme whose theme was merged or split away went with it
        used_old |= {o for o in gone if old.blocks[o].parent in used_old}
        used_new |= {n for n in fresh if new.blocks[n].parent in used_new}
        self.removed_blocks = {o for o in gone if o not in used_old}
        self.added_blocks = {n for n in fresh if n not in used_new}

    def _block(self, snap: Snapshot, b: int) -> dict:
        blk = snap.blocks[b]
        return {"label": blk.label, "title": blk.title, "line": blk.line}

    def _contents(self, snap: Snapshot, b: int) -> dict:
        scope = self._scope(snap, b)
        fs = [f for x in scope for f in snap.blocks[x].findings]
        out = {"what": self._what(snap, b), "findings": len(fs), "quotes": sum(len(snap.findings[f].quotes) for f in fs)}
        if len(scope) > 1:
            out["subthemes"] = len(scope) - 1
        return out

    def _what(self, snap: Snapshot, b: int) -> str:
        return "subtheme" if snap.blocks[b].level else "theme"

    def theme_changes(self) -> list[Change]:
        old, new, bl = self.old, self.new, self.m.blocks
        out = []
        for o in sorted(self.removed_blocks):
            if old.blocks[o].parent in self.removed_blocks:
                continue  # went with its theme
            out.append(Change("theme-removed", old.blocks[o].id, self._block(old, o),
                              detail=self._contents(old, o), order=(1, o)))
        for n in sorted(self.added_blocks):
            if new.blocks[n].parent in self.added_blocks:
                continue
            out.append(Change("theme-added", new.blocks[n].id, None, self._block(new, n),
                              detail=self._contents(new, n), order=(0, n)))
        for sources, n in self.merges:
            into = ([bl.back[n]] if n in bl.back else [])
            out.append(Change("theme-merged", new.blocks[n].id, None, self._block(new, n), detail={
                "what": self._what(new, n),
                "from": [{"id": old.blocks[o].id, **self._block(old, o)} for o in sorted(into + sources)]},
                order=(0, n)))
        for o, targets in self.splits:
            out.append(Change("theme-split", old.blocks[o].id, self._block(old, o), None, detail={
                "what": self._what(old, o),
                "into": [{"id": new.blocks[n].id, **self._block(new, n)} for n in targets]},
                order=(0, min(targets))))
        moved = self._moved_blocks()
        for o, n in sorted(bl.forward.items(), key=lambda p: p[1]):
            ob, nb = old.blocks[o], new.blocks[n]
            how = bl.how[o]
            if ob.title != nb.title:
                out.append(Change("theme-renamed", nb.id, self._block(old, o), self._block(new, n),
                                  detail={"what": self._what(new, n)}, how=how, order=(0, n)))
            if n in moved:
                out.append(Change("theme-moved", nb.id, self._block(old, o), self._block(new, n),
                                  detail={"what": self._what(new, n), "how": moved[n]},
                                  how=how if ob.title == nb.title else None, order=(0, n)))
        return out

    def _moved_blocks(self) -> dict[int, str]:
        """new block -> how it moved."""
        old, new, bl = self.old, self.new, self.m.blocks
        moved: dict[int, str] = {}
        siblings: dict[tuple, list[tuple[int, int]]] = defaultdict(list)  # (old parent, new parent) -> (old, new)
        for o, n in bl.forward.items():
            ob, nb = old.blocks[o], new.blocks[n]
            if ob.level != nb.level:
                moved[n] = ("promoted to a theme" if nb.level == 0 else
                            f"made a subtheme of {new.blocks[nb.parent].label} {new.blocks[nb.parent].title}")
            elif (ob.level == 1 and bl.forward.get(ob.parent) != nb.parent
                  and (ob.parent, nb.parent) not in self.explained):  # not with its theme into a merge or split
                moved[n] = f"moved from theme {old.blocks[ob.parent].label} to theme {new.blocks[nb.parent].label}"
            else:
                siblings[ob.parent, nb.parent].append((o, n))
        for pairs in siblings.values():
            for n in moved_out_of_order(pairs):
                moved[n] = "moved among its siblings"
        return moved

    # ---- findings
    def _finding(self, snap: Snapshot, f: int) -> dict:
        fd = snap.findings[f]
        return {"place": snap.place(fd.block, f), "text": fd.text, "line": fd.line}

    def _block_image(self, o_block: int) -> int | None:
        return self.m.blocks.forward.get(o_block)

    def finding_changes(self) -> list[Change]:
        old, new, fm = self.old, self.new, self.m.findings
        out = []
        for f in old.findings:
            if f.n not in fm.forward and f.block not in self.removed_blocks:
                out.append(Change("finding-removed", f.id, self._finding(old, f.n),
                                  detail={"quotes": len(f.quotes)}, order=(1, f.n)))
        for f in new.findings:
            if f.n not in fm.back and f.block not in self.added_blocks:
                out.append(Change("finding-added", f.id, None, self._finding(new, f.n),
                                  detail={"quotes": len(f.quotes)}, order=(0, f.n)))
        groups: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        moved: dict[int, str] = {}
        for o, n in fm.forward.items():
            ob, nb = old.findings[o].block, new.findings[n].block
            if self._block_image(ob) == nb or self.explains(ob, nb):
                groups[ob, nb].append((o, n))
            else:
                moved[n] = f"moved from {old.blocks[ob].label} to {new.blocks[nb].label}"
        for pairs in groups.values():
            if len(pairs) > 1 and not _in_order(pairs):
                for n in moved_out_of_order(pairs):
                    moved[n] = "moved within its theme"
        for o, n in sorted(fm.forward.items(), key=lambda p: p[1]):
            of, nf = old.findings[o], new.findings[n]
            if of.text != nf.text:
                out.append(Change("finding-edited", nf.id, self._finding(old, o), self._finding(new, n),
                                  detail={"words": word_diff(of.text, nf.text)}, how=fm.how[o], order=(0, n)))
            if n in moved:
                out.append(Change("finding-moved", nf.id, self._finding(old, o), self._finding(new, n),
                                  detail={"how": moved[n]}, how=fm.how[o] if of.text == nf.text else None,
                                  order=(0, n)))
        return out

    # ---- quotes
    def _quote(self, snap: Snapshot, q: int) -> dict:
        qd = snap.quotes[q]
        out = {"place": snap.quote_place(q), "text": qd.text, "citation": qd.citation, "line": qd.line}
        if qd.note:
            out["note"] = qd.note
        return out

    def quote_changes(self) -> list[Change]:
        old, new, qm, fm = self.old, self.new, self.m.quotes, self.m.findings
        out = []
        for q in old.quotes:
            if q.n not in qm.forward and q.finding in fm.forward:  # else its finding's removal says it
                out.append(Change("quote-removed", q.id, self._quote(old, q.n), order=(1, q.n)))
        for q in new.quotes:
            if q.n not in qm.back and q.finding in fm.back:
                out.append(Change("quote-added", q.id, None, self._quote(new, q.n), order=(0, q.n)))
        groups: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        moved: dict[int, str] = {}
        for o, n in qm.forward.items():
            of, nf = old.quotes[o].finding, new.quotes[n].finding
            if fm.forward.get(of) == nf:
                groups[of, nf].append((o, n))
            else:
                moved[n] = f"moved from {old.place(old.findings[of].block, of)} to {new.place(new.findings[nf].block, nf)}"
        for pairs in groups.values():
            if len(pairs) > 1 and not _in_order(pairs):
                for n in moved_out_of_order(pairs):
                    moved[n] = "moved within its finding"
        for o, n in sorted(qm.forward.items(), key=lambda p: p[1]):
            oq, nq = old.quotes[o], new.quotes[n]
            if (oq.text == nq.text and oq.note == nq.note and oq.source == nq.source and oq.pages == nq.pages
                    and oq.speaker == nq.speaker and n not in moved):
                continue  # the common case, unchanged: nothing to build
            how = qm.how[o]
            if oq.text != nq.text or oq.note != nq.note:
                fields = [k for k in ("text", "note") if getattr(oq, k) != getattr(nq, k)]
                detail: dict = {"fields": fields}
                if oq.text != nq.text:
                    detail["words"] = word_diff(oq.text, nq.text)
                out.append(Change("quote-edited", nq.id, self._quote(old, o), self._quote(new, n), detail=detail,
                                  how=how, order=(0, n)))
            recited = [k for k in ("source", "pages", "speaker") if getattr(oq, k) != getattr(nq, k)]
            if recited:
                out.append(Change("quote-recited", nq.id, self._quote(old, o), self._quote(new, n), detail={
                    "fields": recited,
                    "cite": {"old": {"source": oq.source, "pages": _pages(oq.pages), "speaker": oq.speaker},
                             "new": {"source": nq.source, "pages": _pages(nq.pages), "speaker": nq.speaker}}},
                    how=how if oq.text == nq.text else None, order=(0, n)))
            if n in moved:
                out.append(Change("quote-moved", nq.id, self._quote(old, o), self._quote(new, n),
                                  detail={"how": moved[n]}, how=how if oq.text == nq.text else None, order=(0, n)))
        return out

    # ---- participants, tables
    def participant_changes(self) -> list[Change]:
        old, new, pm = self.old, self.new, self.m.participants
        out = []

        def info(p) -> dict:
            return {"label": p.label, "cells": dict(p.cells), "line": p.line, **({"marks": list(p.marks)}
                                                                                if p.marks else {})}
        for p in old.participants:
            if p.n not in pm.forward:
                out.append(Change("participant-removed", p.id, info(p), order=(1, p.n)))
        for p in new.participants:
            if p.n not in pm.back:
                out.append(Change("participant-added", p.id, None, info(p), order=(0, p.n)))
        for o, n in sorted(pm.forward.items(), key=lambda p: p[1]):
            op, np_ = old.participants[o], new.participants[n]
            if op.label != np_.label:
                out.append(Change("participant-renumbered", np_.id, info(op), info(np_), how=pm.how[o], order=(0, n)))
            if op.cells != np_.cells or op.marks != np_.marks:
                a, b = dict(op.cells), dict(np_.cells)
                fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
                fields += ["marks"] if set(op.marks) != set(np_.marks) else []
                if fields:
                    out.append(Change("participant-edited", np_.id, info(op), info(np_), detail={"fields": fields},
                                      how=pm.how[o], order=(0, n)))
        return out

    def item_changes(self) -> list[Change]:
        out = []
        olds = {i.kind: i for i in self.old.items}
        for k, ni in enumerate(self.new.items):
            oi = olds.get(ni.kind)
            if oi is None:
                continue
            what = {"participants": "participant table", "themes": "theme table"}[ni.kind]
            if oi.label != ni.label:
                out.append(Change("item-renumbered", None, {"label": oi.label}, {"label": ni.label},
                                  detail={"what": what}, order=(0, k)))
            if oi.caption != ni.caption or oi.notes != ni.notes:
                fields = [f for f in ("caption", "notes") if getattr(oi, f) != getattr(ni, f)]
                out.append(Change("caption-changed", None, {"label": oi.label, "caption": oi.caption,
                                                            "notes": list(oi.notes)},
                                  {"label": ni.label, "caption": ni.caption, "notes": list(ni.notes)},
                                  detail={"what": what, "fields": fields}, order=(0, k)))
            if oi.columns != ni.columns:
                a, b = dict(oi.columns), dict(ni.columns)
                out.append(Change("columns-changed", None, {"label": oi.label, "columns": [h for _, h in oi.columns]},
                                  {"label": ni.label, "columns": [h for _, h in ni.columns]}, detail={
                                      "what": what,
                                      "added": [b[k] for k in b if k not in a],
                                      "removed": [a[k] for k in a if k not in b],
                                      "renamed": [{"old": a[k], "new": b[k]} for k in a if k in b and a[k] != b[k]],
                                      "reordered": [k for k in a if k in b] != [k for k in b if k in a]},
                                  order=(0, k)))
        return out

    def changes(self) -> list[Change]:
        out = (self.item_changes() + self.theme_changes() + self.finding_changes() + self.quote_changes()
               + self.participant_changes())
        rank = {name: i for i, (name, _) in enumerate(SECTIONS)}
        kind_rank = {k: i for i, k in enumerate(KINDS)}
        return sorted(out, key=lambda c: (rank[c.section], c.order[1] if c.order else 0, c.order[:1],
                                          kind_rank[c.kind]))

    # ---- renumbering
    def renumbering(self) -> list[Relabel]:
        old, new, m = self.old, self.new, self.m
        out: list[Relabel] = []
        olds = {i.kind: i for i in old.items}
        for ni in new.items:
            oi = olds.get(ni.kind)
            if oi and oi.label != ni.label:
                out.append(Relabel(oi.label, ni.label, "item"))
        merged_into = {o: n for sources, n in self.merges for o in sources}
        for ob in old.blocks:
            n = m.blocks.forward.get(ob.n, merged_into.get(ob.n))
            if n is not None and new.blocks[n].label != ob.label:
                out.append(Relabel(ob.label, new.blocks[n].label, "subtheme" if ob.level else "theme", ob.id))
        for op in old.participants:
            n = m.participants.forward.get(op.n)
            if n is not None and new.participants[n].label != op.label:
                out.append(Relabel(op.label, new.participants[n].label, "participant", op.id))
        for sid, label in old.sources.items():
            nl = new.sources.get(sid)
            if label and nl and nl != label:
                out.append(Relabel(label, nl, "source", sid))
        return out
