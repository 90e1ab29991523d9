"""Editing a source file in place: new text inserted or one value replaced at the places the
YAML parser reports, and every other byte left as it was.

Why not a round-trip YAML library (ruamel.yaml)? It re-emits the whole file from its own
node tree: comments and key order survive, but indentation of sequences, line widths,
spacing inside ``{ }`` and some quoting are normalised, so an author's file comes back
with lines they never touched changed. Inserting at the parser's own positions changes
exactly the lines that must change, and the result is read back and compared with
the original before it replaces the file.

``supplement ids FILE`` gives every theme, subtheme, finding and quote without an
``id`` a short stable one (derived from its title or text, so the same file gets the
same ids). ``replace_values`` is what ``verify --fix-pages`` uses to correct citations.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path

import yaml

from supplement.diagnostics import Pos, Report, SourceError
from supplement.reader.located import YList, YMap, YStr
from supplement.reader.located_yaml import parse, read_text
from supplement.records import Struct


class Edit(Struct, frozen=True):
    start: int  # character offsets into the text
    end: int
    text: str


def apply(text: str, edits: list[Edit]) -> str:
    out, at = [], 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < at:
            raise ValueError("overlapping edits")
        out += [text[at:e.start], e.text]
        at = e.end
    return "".join(out) + text[at:]


class Lines:
    """Character offset of a (line, column) position (both 1-based, as in Pos)."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def offset(self, pos: Pos) -> int:
        return self.starts[pos.line - 1] + pos.col - 1


def scalar_spans(text: str) -> dict[tuple[int, int], tuple[int, int]]:
    """(line, col) where a scalar starts -> its (start, end) character offsets, quotes included."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    spans = {}
    try:
        while True:
            ev = loader.get_event()
            if ev is None:
                break
            if isinstance(ev, yaml.ScalarEvent):
                spans[(ev.start_mark.line + 1, ev.start_mark.column + 1)] = (ev.start_mark.index, ev.end_mark.index)
    finally:
        loader.dispose()
    return spans


def _read(path: Path) -> tuple[bytes, str, str]:
    raw = path.read_bytes()
    bom = raw[:3] if raw.startswith(b"\xef\xbb\xbf") else b""
    return bom, read_text(str(path)), "\r\n" if b"\r\n" in raw else "\n"


def _write(path: Path, bom: bytes, text: str) -> None:
    """Replace the file atomically, keeping its permissions."""
    from supplement.build.atomic import fill, temp_beside

    tmp = temp_beside(path)
    try:
        fill(tmp, bom + text.encode("utf-8"))
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replace_values(path: str | Path, values: dict[Pos, str]) -> None:
    """Replace the scalars that start at the given positions by new YAML text (already quoted
    as needed, e.g. with ``study.emit.scalar``); nothing else in the file changes."""
    path = Path(path)
    bom, text, _ = _read(path)
    spans = scalar_spans(text)
    edits = []
    for pos, new in values.items():
        span = spans.get((pos.line, pos.col))
        if span is None:
            raise ValueError(f"{pos}: no value starts here")
        edits.append(Edit(span[0], span[1], new))
    _write(path, bom, apply(text, edits))


# ---------------------------------------------------------------------------------- ids

def _slug(text: str, limit: int = 24) -> str:
    words = re.findall(r"[a-z0-9]+", text.casefold())
    slug = ""
    for w in words:
        if len(slug) + len(w) + 1 > limit and slug:
            break
        slug = f"{slug}-{w}" if slug else w
    slug = slug[:limit] or "x"
    return slug if slug[0].isalpha() else "t-" + slug


def _digest(text: str) -> str:
    h = hashlib.sha1(" ".join(text.split()).encode("utf-8")).digest()
    return base64.b32encode(h).decode("ascii").lower()


def _new_id(kind: str, text: str, taken: set[str]) -> str:
    if kind in ("theme", "subtheme"):
        base = _slug(text)
        candidates = [base] + [f"{base}-{i}" for i in range(2, 10_000)]
    else:
        d = _digest(text)
        candidates = [f"{kind[0]}-{d[:n]}" for n in range(6, 33)] + [f"{kind[0]}-{d[:6]}-{i}" for i in range(2, 10_000)]
    for c in candidates:
        if c not in taken:
            taken.add(c)
            return c
    raise ValueError("no free id")  # unreachable in practice


def _tree_nodes(tree):
    """(kind, mapping) for every theme, subtheme, finding and quote mapping in a located tree."""
    def items(m, key):
        v = m.get(key) if isinstance(m, YMap) else None
        return [x for x in v if isinstance(x, YMap)] if isinstance(v, YList) else []

    def findings(block):
        for f in items(block, "findings"):
            yield "finding", f
            for q in items(f, "quotes"):
                yield "quote", q

    for t in items(tree, "themes"):
        yield "theme", t
        yield from findings(t)
        for s in items(t, "subthemes"):
            yield "subtheme", s
            yield from findings(s)


def id_edit(text: str, lines: Lines, spans: dict, m: YMap, new_id: str, newline: str = "\n") -> Edit:
    """The edit that gives the mapping ``m`` an ``id``, changing none of the file's lines: inside
    ``{ }`` an ``id: …,`` first; else a line of its own, above the first key when that key starts
    its line, or after the first value when it follows ``- `` (``spans``: ``scalar_spans(text)``)."""
    at = lines.offset(m.pos)
    line_start = lines.starts[m.pos.line - 1]
    own_line = f"{' ' * (m.pos.col - 1)}id: {new_id}{newline}"
    if text.startswith("{", at):  # flow mapping: {id: q-…, text: …}
        return Edit(at + 1, at + 1, f"id: {new_id}" + ("" if text[at + 1:].lstrip().startswith("}") else ", "))
    if not text[line_start:at].strip():  # the first key starts its line: a line above it
        return Edit(line_start, line_start, own_line)
    first = next(iter(m.values()), None)
    span = spans.get((first.pos.line, first.pos.col)) if isinstance(first, YStr) else None
    if span is None:  # the first value is a list or mapping: the id goes before its key
        return Edit(at, at, f"id: {new_id}{newline}{' ' * (m.pos.col - 1)}")
    end = span[1]
    if not text[end - 1:end] == "\n":  # a block scalar ends at the next line's start already
        nl = text.find("\n", end)
        end = len(text) if nl < 0 else nl + 1
    if end == len(text) and not text.endswith("\n"):
        own_line = newline + own_line.rstrip("\r\n")
    return Edit(end, end, own_line)


def add_ids(path: str | Path) -> tuple[int, Report]:
    """Give every theme, subtheme, finding and quote without an id one; returns (how many, report).

    Works on a file with other problems too (they are not this command's business); refuses
    only a file it cannot parse as YAML."""
    path = Path(path)
    try:
        bom, text, newline = _read(path)
        tree = parse(text, str(path))
    except SourceError as e:
        return 0, e.report
    nodes = list(_tree_nodes(tree))
    taken = {str(m["id"]) for _, m in nodes if isinstance(m.get("id"), YStr)}
    lines = Lines(text)
    spans = scalar_spans(text)
    edits = []
    for kind, m in nodes:
        if "id" not in m:
            basis = m.get("title" if kind in ("theme", "subtheme") else "text")
            edits.append(id_edit(text, lines, spans, m, _new_id(kind, str(basis) if isinstance(basis, YStr) else kind,
                                                                taken), newline))
    report = Report()
    if edits:
        new_text = apply(text, edits)
        try:
            parse(new_text, str(path))
        except SourceError as e:  # cannot happen for a file that parsed; never write one that does not
            return 0, e.report
        _write(path, bom, new_text)
    return len(edits), report
