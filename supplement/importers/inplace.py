"""Applying a re-import to the author's file in place, so their comments and layout stay.

Only the lines that must change are touched (``supplement.study.edit`` does the same for
``supplement ids``): a removed quote's lines (with the comment lines right above it) are
cut out; a quote whose words changed gets its text value replaced; a quote matched by its
words gets the tool's ``id:`` line; new and moved quotes, new findings, subthemes,
themes, sources and participants are written by the source writer and inserted at the end
of their list, indented like their neighbours. A moved quote is written anew at its new
place, so comments that were on it stay behind with nothing (they go).

The result is read back and compared with the merged model before anything is written;
when they differ (a layout this module does not handle) the caller falls back to writing
the whole file through the source writer.
"""

from __future__ import annotations

from typing import Optional

from supplement.reader.located import YList, YMap, YStr
from supplement.reader.located_yaml import parse
from supplement.records import replace
from supplement.study import emit as E
from supplement.study.edit import Edit, Lines, apply, id_edit, scalar_spans
from supplement.study.model import Supplement

from .merge import Merged, _B, _F, _theme


class _Text:
    def __init__(self, text: str, path: str):
        self.text = text
        self.lines = Lines(text)
        self.spans = scalar_spans(text)
        self.maps: dict[tuple[int, int], YMap] = {}
        self.tree = parse(text, path)
        self._index(self.tree)

    def _index(self, node) -> None:
        if isinstance(node, YMap):
            self.maps[(node.pos.line, node.pos.col)] = node
            for v in node.values():
                self._index(v)
        elif isinstance(node, YList):
            for v in node:
                self._index(v)

    def ymap(self, node) -> YMap:
        return self.maps[(node.pos.line, node.pos.col)]

    def _last_end(self, node) -> int:
        """Character offset where the last scalar inside ``node`` ends."""
        if isinstance(node, YStr):
            span = self.spans.get((node.pos.line, node.pos.col))
            return span[1] if span else self.lines.offset(node.pos) + len(node)
        ends = [self._last_end(v) for v in (node.values() if isinstance(node, YMap) else node)]
        if isinstance(node, YMap):
            ends += [self.lines.offset(p) for p in node.kpos.values()]
        return max(ends) if ends else self.lines.offset(node.pos)

    def line_end(self, offset: int) -> int:
        """The start of the line after the one ``offset`` is on (``offset`` itself at a line start)."""
        if offset > 0 and self.text[offset - 1] == "\n":
            return offset
        nl = self.text.find("\n", offset)
        return len(self.text) if nl < 0 else nl + 1

    def extent(self, node) -> tuple[int, int]:
        """(start, end) of a list item: its lines, and the comment lines right above it."""
        m = self.ymap(node) if not isinstance(node, YMap) else node
        line = m.pos.line
        while line > 1 and self._line(line - 1).lstrip().startswith("#"):
            line -= 1
        end = self._last_end(m)
        if self.text[end - 1:end] != "\n":
            end = self.line_end(end)
        return self.lines.starts[line - 1], end

    def _line(self, n: int) -> str:
        start = self.lines.starts[n - 1]
        nl = self.text.find("\n", start)
        return self.text[start:nl if nl >= 0 else len(self.text)]

    def item_indent(self, m: YMap) -> int:
        """Spaces before the '- ' of the list item ``m``."""
        return m.pos.col - 3

    def key_indent(self, m: YMap) -> int:
        return m.pos.col - 1


def edits_for(text: str, path: str, old: Supplement, m: Merged) -> Optional[str]:
    """The author's text with the merge applied in place; None when this layout is not handled."""
    t = _Text(text, path)
    edits: list[Edit] = []

    def insert_at(offset: int, chunk: str) -> None:
        if offset == len(text) and text and not text.endswith("\n"):
            chunk = "\n" + chunk
        edits.append(Edit(offset, offset, chunk))

    def quotes_edits(f: _F, fm: YMap) -> None:
        originals = list(f.node.quotes)
        kept = {id(q) for q in f.quotes} | {id(o) for o in f.was.values()}
        for q in originals:
            if id(q) not in kept:
                edits.append(Edit(*t.extent(q), ""))
        for new_q, oq in ((q, f.was[id(q)]) for q in f.quotes if id(q) in f.was):
            if new_q.text != oq.text:
                span = t.spans[(oq.at("text").line, oq.at("text").col)]
                edits.append(Edit(span[0], span[1], E.scalar(new_q.text)))
            if new_q.id and new_q.id != oq.id:
                edits.append(id_edit(t.text, t.lines, t.spans, t.ymap(oq), new_q.id))
        added = [q for q in f.quotes if id(q) not in f.was and all(q is not o for o in originals)]
        append(fm, "quotes", originals, added)

    def append(parent: YMap, key: str, olds: list, items: list, after: Optional[int] = None) -> None:
        """``items`` at the end of ``parent[key]``, indented like its last item; or the key made."""
        if not items:
            return
        if olds:
            last = t.ymap(olds[-1])
            insert_at(t.extent(last)[1], "".join(E.item(x, t.item_indent(last)) for x in items))
        else:
            k = t.key_indent(parent)
            at = after if after is not None else t.extent(parent)[1]
            insert_at(at, " " * k + f"{key}:\n" + "".join(E.item(x, k + 2) for x in items))

    def block_edits(b: _B) -> None:
        bm = t.ymap(b.node)
        old_findings = [f for f in b.findings if not f.new]
        for f in old_findings:
            quotes_edits(f, t.ymap(f.node))
        title = bm.get("title")
        append(bm, "findings", [f.node for f in old_findings],
               [replace(f.node, quotes=tuple(f.quotes)) for f in b.findings if f.new],
               after=t.line_end(t._last_end(title)) if title is not None else None)
        old_subs = [s for s in b.subs if not s.new]
        for s in old_subs:
            block_edits(s)
        append(bm, "subthemes", [s.node for s in old_subs], [_theme(s) for s in b.subs if s.new])

    old_blocks = [b for b in m.blocks if not b.new]
    for b in old_blocks:
        block_edits(b)
    fresh = [_theme(b) for b in m.blocks if b.new]
    if fresh and not old_blocks:
        return None
    append(t.tree, "themes", [b.node for b in old_blocks], fresh)
    # new sources and participants, at the end of their lists, indented like their neighbours
    new_sources = [s for s in m.sup.sources if all(s is not o for o in old.sources)]
    if new_sources:
        last = t.ymap(old.sources[-1])
        insert_at(t.extent(last)[1], "".join(E.item(s, t.item_indent(last)) for s in new_sources))
    if (m.sup.participants is None) != (old.participants is None):
        return None
    if m.sup.participants is not None:
        rows = [r for r in m.sup.participants.rows if all(r is not o for o in old.participants.rows)]
        if rows:
            last = t.ymap(old.participants.rows[-1])
            insert_at(t.extent(last)[1], "".join(E.item(row, t.item_indent(last)) for row in rows))
    try:
        return apply(text, edits)
    except ValueError:  # overlapping edits: a layout not handled here
        return None


