"""Re-import after recoding (``--into``): fold a new export into a source the author has edited.

The author's file leads: its themes, subthemes, findings (text and order), titles, notes,
speakers and hand-added quotes stay. From the export come the quotes: each new quote is
matched to a quote already in the file by the tool's id (a GUID kept as the quote id) or,
failing that, by its words; then

- a matched quote stays where the author put it, unless the export codes it under another
  theme or subtheme (moved there); changed words are taken from the export;
- a quote the export no longer has is removed if it came from the tool (it has an id) and
  kept, with a note in the report, if the author wrote it (no id);
- a new quote goes to the block its code maps to (by title, or where most of that code's
  quotes already are), into the finding holding its code's other quotes, or a new finding;
  a code with no block yet becomes a new theme or subtheme at the end.

Every change is listed. The file is edited in place where possible (``inplace``: comments
and layout stay); otherwise it is rewritten through the source writer and the report says
its comments were not carried over. The previous file is kept beside it
(``NAME.yaml.before-import``) either way.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

from supplement.diagnostics import Pos
from supplement.records import Struct, field, replace
from supplement.study.model import Finding, Quote, Subtheme, Supplement, Theme, quotes

from .outline import Ids, clean


def _key(text: str) -> str:
    return " ".join(clean(text).casefold().split())


class _F(Struct):
    node: Finding
    quotes: list[Quote]
    new: bool = False
    was: dict = field(default_factory=dict)  # id(quote in place) -> the author's quote it replaced


class _B(Struct):
    node: object                # Theme or Subtheme
    findings: list[_F]
    subs: list["_B"] = field(default_factory=list)
    parent: Optional["_B"] = None
    new: bool = False

    @property
    def path(self) -> str:
        return f"{self.parent.node.title} > {self.node.title}" if self.parent else self.node.title


def _blocks(sup: Supplement) -> list[_B]:
    out = []
    for t in sup.themes:
        b = _B(t, [_F(f, list(f.quotes)) for f in t.findings])
        b.subs = [_B(s, [_F(f, list(f.quotes)) for f in s.findings], parent=b) for s in t.subthemes]
        out.append(b)
    return out


def _all(blocks: list[_B]):
    for b in blocks:
        yield b
        yield from b.subs


class Merged(Struct):
    sup: Supplement          # the author's source with the export folded in
    changes: list[str]       # one line per change
    blocks: list[_B]         # the author's blocks (and new ones) with their final findings and quotes


def merge(old: Supplement, new: Supplement) -> tuple[Supplement, list[str]]:
    """The author's source with the export's quotes folded in, and one line per change."""
    m = merge_blocks(old, new)
    return m.sup, m.changes


def merge_blocks(old: Supplement, new: Supplement) -> Merged:
    changes: list[str] = []
    mine = _blocks(old)
    theirs = _blocks(new)

    # each block of the export -> the author's block with its title (under the same theme first)
    titles: dict = {}
    for b in _all(mine):
        titles.setdefault((b.parent.node.title.casefold() if b.parent else None, b.node.title.casefold()), b)
        titles.setdefault(("*", b.node.title.casefold()), b)
    block_of: dict[int, _B] = {}
    for tb in _all(theirs):
        parent_title = tb.parent.node.title.casefold() if tb.parent else None
        hit = titles.get((parent_title, tb.node.title.casefold())) or titles.get(("*", tb.node.title.casefold()))
        if hit is not None and hit not in block_of.values():
            block_of[id(tb)] = hit

    # each quote of the export -> the author's copy: by the tool's id, else by its words; a copy in
    # the block of the same title first (a quote coded twice has a copy in each block)
    copies: dict[str, list[tuple[_B, _F, Quote]]] = {}
    for b in _all(mine):
        for f in b.findings:
            for q in f.quotes:
                for k in ({"id:" + q.id} if q.id else set()) | {"text:" + _key(q.text)}:
                    copies.setdefault(k, []).append((b, f, q))
    matched: dict[int, tuple[_B, _F, Quote]] = {}   # id(new quote) -> the author's copy
    taken: set[int] = set()

    def match(q: Quote, only_in: Optional[_B]) -> None:
        for k in ([f"id:{q.id}"] if q.id else []) + [f"text:{_key(q.text)}"]:
            for hit in copies.get(k, ()):
                if id(hit[2]) not in taken and (only_in is None or hit[0] is only_in):
                    matched[id(q)] = hit
                    taken.add(id(hit[2]))
                    return

    for only_here in (True, False):
        for tb in _all(theirs):
            if only_here and id(tb) not in block_of:
                continue
            for f in tb.findings:
                for q in f.quotes:
                    if id(q) not in matched:
                        match(q, block_of[id(tb)] if only_here else None)

    # blocks with no title match: where most of their quotes are (a block not claimed by a title
    # first), else a new theme or subtheme at the end
    ids = Ids()
    for b in _all(mine):
        ids.used.add(b.node.id.casefold())
    claimed = {id(b) for b in block_of.values()}
    for tb in _all(theirs):
        if id(tb) in block_of:
            continue
        votes: dict[int, list] = {}
        # a theme goes where its (and its subthemes') quotes are; a subtheme where its own are
        for part in ([tb] if tb.parent else [tb, *tb.subs]):
            for f in part.findings:
                for q in f.quotes:
                    if id(q) in matched:
                        ob = matched[id(q)][0]
                        ob = ob if tb.parent else (ob.parent or ob)
                        votes.setdefault(id(ob), [0, ob])[0] += 1
        target = None
        if votes:
            best = max(votes.values(), key=lambda v: (id(v[1]) not in claimed, v[0]))
            target = best[1]
        if target is None:
            node = tb.node
            if tb.parent is not None and id(tb.parent) in block_of:
                parent = block_of[id(tb.parent)]
                target = _B(Subtheme(id=ids.make(node.title, "t"), title=node.title,
                                     comment="new in the export"), [], parent=parent, new=True)
                parent.subs.append(target)
            else:
                target = _B(Theme(id=ids.make(node.title, "t"), title=node.title, comment="new in the export"),
                            [], new=True)
                mine.append(target)
            changes.append(f"new {'subtheme' if target.parent else 'theme'} '{target.path}'")
        block_of[id(tb)] = target
        claimed.add(id(target))

    # quotes: keep, move, update, add
    placed: set[int] = set()
    for tb in _all(theirs):
        target = block_of[id(tb)]
        for tf in tb.findings:
            dest: Optional[_F] = None
            # the finding already holding this finding's quotes in the target block
            for q in tf.quotes:
                hit = matched.get(id(q))
                if hit and hit[0] is target:
                    dest = hit[1]
                    break
            for q in tf.quotes:
                hit = matched.get(id(q))
                if hit is not None:
                    ob, of, oq = hit
                    updated = oq
                    if q.id and oq.id != q.id:
                        updated = replace(updated, id=q.id)
                    if _key(q.text) != _key(oq.text):
                        changes.append(f"changed words of a quote in '{ob.path}': '{_short(oq.text)}' -> "
                                       f"'{_short(q.text)}'")
                        updated = replace(updated, text=q.text)
                    if ob is target:
                        of.quotes[of.quotes.index(oq)] = updated
                        of.was[id(updated)] = oq
                        placed.add(id(updated))
                        continue
                    of.quotes.remove(oq)
                    f = dest or _finding_for(target, tf, changes)
                    f.quotes.append(updated)
                    dest = f
                    placed.add(id(updated))
                    changes.append(f"moved quote '{_short(q.text)}' from '{ob.path}' to '{target.path}'")
                else:
                    f = dest or _finding_for(target, tf, changes)
                    f.quotes.append(q)
                    dest = f
                    placed.add(id(q))
                    changes.append(f"added quote '{_short(q.text)}' to '{target.path}'")

    # the author's quotes the export no longer has
    for b in _all(mine):
        for f in b.findings:
            for q in list(f.quotes):
                if id(q) in placed or id(q) in taken:
                    continue
                if q.id:
                    f.quotes.remove(q)
                    changes.append(f"removed quote '{_short(q.text)}' from '{b.path}' (no longer coded in the export)")
                else:
                    changes.append(f"kept quote '{_short(q.text)}' in '{b.path}': not in the export and without "
                                   "an id (written by hand?)")
            if not f.quotes and (f.node.quotes or f.new):
                changes.append(f"finding '{_short(f.node.text)}' in '{b.path}' has no quotes now")

    merged = replace(old, themes=tuple(_theme(b) for b in mine),
                     sources=_sources(old, new, changes), participants=_participants(old, new, changes))
    return Merged(merged, changes, mine)


def _finding_for(target: _B, tf: _F, changes: list[str]) -> _F:
    """The author's finding with the same text, else a new finding at the end of the block."""
    for f in target.findings:
        if _key(f.node.text) == _key(tf.node.text):
            return f
    if target.new or not target.findings:
        f = _F(tf.node, [], new=True)
        target.findings.append(f)
        return f
    f = _F(replace(tf.node, quotes=(), comment="new in the export: write the finding, or move its quotes"),
           [], new=True)
    target.findings.append(f)
    changes.append(f"new finding '{_short(tf.node.text)}' in '{target.path}'")
    return f


def _theme(b: _B):
    """The block as a model node (a Theme with its subthemes, or a Subtheme)."""
    fs = tuple(replace(f.node, quotes=tuple(f.quotes)) for f in b.findings)
    if isinstance(b.node, Subtheme):
        return replace(b.node, findings=fs)
    return replace(b.node, findings=fs, subthemes=tuple(_theme(s) for s in b.subs))


def _sources(old: Supplement, new: Supplement, changes: list[str]):
    from supplement.reader.cite import source_key
    have = {source_key(x) for s in old.sources for x in (s.id, s.label or "")}
    out = list(old.sources)
    for s in new.sources:
        if source_key(s.label or s.id) not in have and s.label:
            out.append(s)
            changes.append(f"new source '{s.label}'")
    return tuple(out)


def _participants(old: Supplement, new: Supplement, changes: list[str]):
    if new.participants is None or old.participants is None:
        if old.participants is None and new.participants is not None and any(q.speaker for _, q in quotes(new)):
            changes.append("new participants table from the export's cases")
            return new.participants
        return old.participants
    have = {r.id for r in old.participants.rows}
    cols = {c.key for c in old.participants.columns}
    rows = list(old.participants.rows)
    for r in new.participants.rows:
        if r.id not in have:
            rows.append(replace(r, cells=tuple((k, v) for k, v in r.cells if k in cols)))
            changes.append(f"new participant '{r.id}'")
    return replace(old.participants, rows=tuple(rows))


def _short(text: str, n: int = 50) -> str:
    text = clean(text)
    return text if len(text) <= n else text[:n - 1] + "…"


def merge_into(imp, into: Path, force: bool, lines: list[str]):
    """``supplement import NEW --into SOURCE``: merge, keep the author's file as a backup, write
    (in place where possible, so comments stay), report every change."""
    from supplement.pipeline import check_source

    from . import source_text, write_source
    from .command import Outcome
    from .inplace import edits_for
    old, _, report = check_source(into)
    if old is None or report.errors:
        report.error(Pos(str(into)), "the source has errors; nothing merged",
                     "fix them (supplement check) and import again")
        return Outcome(None, report, lines, ok=False)
    m = merge_blocks(old, imp.sup)
    if m.sup == old:
        lines.append(f"{into}: nothing to change")
        return Outcome(into, imp.report, lines, ok=True)
    original = Path(into).read_text(encoding="utf-8")
    text = _in_place(original, str(into), old, m, edits_for)
    kept_comments = text is not None
    if text is None:
        text = source_text(m.sup)
    backup = Path(str(into) + ".before-import")
    try:
        shutil.copy2(into, backup)
        write_source(text, Path(into), force=True)
    except OSError as e:
        imp.report.error(Pos(str(into)), f"cannot write: {e.strerror or e}; the source is unchanged")
        return Outcome(None, imp.report, lines, ok=False)
    lines.append(f"merged into {into}: {len(m.changes)} change(s)")
    lines.extend(f"  - {c}" for c in m.changes)
    comments = sum(1 for line in original.splitlines() if line.lstrip().startswith("#"))
    if kept_comments:
        lines.append(f"edited in place (comments and layout kept); your previous file is {backup}")
    elif comments:
        lines.append(f"note: the {comments} comment line(s) of {into} were not carried over (the file was "
                     f"rewritten); your previous file is {backup}")
    else:
        lines.append(f"your previous file is {backup}")
    return Outcome(Path(into), imp.report, lines, ok=True)


def _in_place(original: str, path: str, old: Supplement, m: Merged, edits_for) -> Optional[str]:
    """The edited text if, read back, it is exactly the merged source; else None."""
    import tempfile

    from supplement.reader import read_source
    try:
        text = edits_for(original, path, old, m)
    except Exception:  # any layout the in-place editor does not handle: the caller rewrites the file
        return None
    if text is None:
        return None
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / Path(path).name
        p.write_text(text, encoding="utf-8")
        back, report = read_source(p)
    return text if back is not None and not report.errors and back == m.sup else None
