"""Property: a scripted recoding of the example is classified exactly.

Each example applies at most one structural change to the themes (rename, move, move
a subtheme under another theme, merge — with its subthemes —, split, add, remove), then up to four changes to
quotes and findings elsewhere (edit, re-cite, move to another finding, add, remove,
edit a finding's text), and perhaps a re-sort of the participants. The script knows
what it did; `supplement diff` must report exactly that — no change missing, none
extra — and a renumbering map equal to the labels worked out here independently.
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from conftest import example_data, write_source
from supplement.recoding import diff_versions
from supplement.recoding.versions import Version

BASE = example_data()
_COUNTER = itertools.count()


def roman(n: int) -> str:
    out = ""
    for value, sym in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out


def labels(d: dict) -> dict[str, str]:
    """Theme and subtheme id -> printed label, worked out here (default style: I, II …; I.A …)."""
    out = {}
    for ti, t in enumerate(d["themes"], 1):
        out[t["id"]] = roman(ti)
        for si, s in enumerate(t.get("subthemes", [])):
            out[s["id"]] = f"{roman(ti)}.{chr(65 + si)}"
    return out


def blocks(d: dict) -> list[dict]:
    return [b for t in d["themes"] for b in [t] + t.get("subthemes", [])]


def parent_of(d: dict, block: dict) -> dict:
    return next(t for t in d["themes"] if t is block or any(s is block for s in t.get("subthemes", [])))


class Script:
    def __init__(self, draw):
        self.draw = draw
        self.d = copy.deepcopy(BASE)
        self.expected: set[tuple[str, str]] = set()
        self.touched_blocks: set[str] = set()
        self.touched_quotes: set[int] = set()  # id() of quote dicts already changed
        self.merged: dict[str, str] = {}  # removed theme id -> the theme it went into

    def pick(self, seq):
        return self.draw(st.sampled_from(list(seq)))

    # --- one structural change
    def structural(self):
        op = self.pick(["none", "rename", "move", "move-sub", "merge", "split", "add", "remove"])
        d = self.d
        if op == "rename":
            b = self.pick(blocks(d))
            b["title"] += " Revisited"
            self._expect("theme-renamed", b["id"])
        elif op == "move":
            n = len(d["themes"])
            i = self.draw(st.integers(0, n - 1))
            j = self.pick([j for j in range(n) if abs(i - j) >= 2])
            t = d["themes"].pop(i)
            d["themes"].insert(j, t)
            self._expect("theme-moved", t["id"])
        elif op == "move-sub":
            t1 = self.pick([t for t in d["themes"] if t.get("subthemes")])
            sub = t1["subthemes"].pop(self.draw(st.integers(0, len(t1["subthemes"]) - 1)))
            t2 = self.pick([t for t in d["themes"] if t is not t1])
            t2.setdefault("subthemes", []).append(sub)
            self._expect("theme-moved", sub["id"])
        elif op == "merge":
            b = self.pick(d["themes"])
            a = self.pick([t for t in d["themes"] if t is not b])
            a.setdefault("findings", []).extend(b.get("findings", []))
            a.setdefault("subthemes", []).extend(b.get("subthemes", []))  # they go with it
            d["themes"].remove(b)
            self.merged[b["id"]] = a["id"]
            self._expect("theme-merged", a["id"], b["id"])
        elif op == "split":
            a = self.pick([b for b in blocks(d) if len(b.get("findings", [])) >= 2])
            k = self.draw(st.integers(1, len(a["findings"]) - 1))
            moved, a["findings"] = a["findings"][-k:], a["findings"][:-k]
            c = {"id": "split-off", "title": "A Theme Split Off", "findings": moved}
            d["themes"].insert(d["themes"].index(parent_of(d, a)) + 1, c)
            self._expect("theme-split", a["id"], "split-off")
        elif op == "add":
            n = next(_COUNTER)
            t = {"id": f"added-{n}", "title": f"An Added Theme {n}", "findings": [
                {"text": f"An added finding {n}.", "quotes": [{"text": f"Words never said before, {n}.", "cite": 4}]}]}
            d["themes"].insert(self.draw(st.integers(0, len(d["themes"]))), t)
            self._expect("theme-added", t["id"])
        elif op == "remove":
            t = self.pick(d["themes"])
            d["themes"].remove(t)
            self._expect("theme-removed", t["id"])

    def _expect(self, kind: str, key: str, *touched: str):
        self.expected.add((kind, key))
        for b in blocks(self.d) + blocks(BASE):  # a theme's subthemes are touched with it
            if b["id"] in (key,) + touched:
                self.touched_blocks.update([b["id"]] + [s["id"] for s in b.get("subthemes", [])])
        self.touched_blocks.update((key,) + touched)

    # --- changes to quotes and findings, each on its own quote, outside the themes changed above
    def free_blocks(self):
        return [b for b in blocks(self.d) if b["id"] not in self.touched_blocks and b.get("findings")]

    def free_quotes(self, min_words: int = 0):
        return [(b, f, q) for b in self.free_blocks() for f in b["findings"] for q in f["quotes"]
                if id(q) not in self.touched_quotes and len(q["text"].split()) >= min_words]

    def detail(self):
        op = self.pick(["edit", "recite", "move", "add", "remove", "finding"])
        if op == "edit":
            cands = self.free_quotes(8)
            b, f, q = self.pick(cands)
            words = q["text"].split()
            i = self.draw(st.integers(0, len(words) - 1))
            words[i] = "REDACTED"
            q["text"] = " ".join(words)
            self._quote("quote-edited", q)
        elif op == "recite":
            b, f, q = self.pick(self.free_quotes())
            q["cite"] = 99
            self._quote("quote-recited", q)
        elif op == "move":
            b, f, q = self.pick(self.free_quotes())
            targets = [g for blk in self.free_blocks() for g in blk["findings"] if g is not f]
            g = self.pick(targets)
            f["quotes"].remove(q)
            g["quotes"].insert(self.draw(st.integers(0, len(g["quotes"]))), q)
            self._quote("quote-moved", q)
        elif op == "add":
            f = self.pick([g for blk in self.free_blocks() for g in blk["findings"]])
            q = {"text": f"A quote added in the recoding, number {next(_COUNTER)}.", "cite": 7}
            f["quotes"].insert(self.draw(st.integers(0, len(f["quotes"]))), q)
            self._quote("quote-added", q)
        elif op == "remove":
            b, f, q = self.pick(self.free_quotes())
            f["quotes"].remove(q)
            self._quote("quote-removed", q)
        elif op == "finding":
            f = self.pick([g for blk in self.free_blocks() for g in blk["findings"]
                           if not g.get("_edited")])
            f["text"] = f["text"].rstrip(".") + ", as the recoding now puts it."
            f["_edited"] = True
            self.expected.add(("finding-edited", f["text"]))

    def _quote(self, kind: str, q: dict):
        self.touched_quotes.add(id(q))
        self.expected.add((kind, " ".join(q["text"].split())))

    def participants(self):
        if not self.draw(st.booleans()):
            return {}
        rows = self.d["participants"]["rows"]
        order = self.draw(st.permutations(range(len(rows))))
        new = [rows[i] for i in order]
        self.d["participants"]["rows"] = new
        moved = {}
        for new_pos, old_pos in enumerate(order):
            if new_pos != old_pos:
                self.expected.add(("participant-renumbered", new[new_pos]["id"]))
                moved[f"Participant {old_pos + 1}"] = f"Participant {new_pos + 1}"
        return moved

    def clean(self):
        for b in blocks(self.d):
            for f in b.get("findings", []):
                f.pop("_edited", None)


def key(c) -> tuple[str, str]:
    if c.kind.startswith("theme") or c.kind.startswith("participant"):
        return c.kind, c.id
    side = c.new if c.new is not None else c.old
    return c.kind, side["text"]


@given(st.data())
def test_scripted_recoding_is_classified_exactly(tmp_path_factory, data):
    s = Script(data.draw)
    s.structural()
    for _ in range(data.draw(st.integers(0, 4))):
        s.detail()
    people = s.participants()
    s.clean()

    tmp = Path(tmp_path_factory.mktemp("recode"))
    old = write_source(tmp, BASE, "old.yaml")
    new = write_source(tmp, s.d, "new.yaml")
    result = diff_versions(Version(old), Version(new))

    got = {key(c) for c in result.changes}
    assert len(got) == len(result.changes), [c.as_dict() for c in result.changes]  # nothing twice
    assert got == s.expected, (sorted(got - s.expected), sorted(s.expected - got))

    before, after = labels(BASE), labels(s.d)
    want = {(before[i], after[s.merged.get(i, i)]) for i in before
            if s.merged.get(i, i) in after and before[i] != after[s.merged.get(i, i)]}
    want |= set(people.items())
    assert {(r.old, r.new) for r in result.renumbering} == want
    assert result.empty == (not s.expected and not want)
