"""Reader side of the pipeline: file -> located tree -> validated source -> Document."""

from __future__ import annotations

from pathlib import Path

from supplement.checks import crossref as validate
from .diagnostics import Pos, Report, SourceError
from supplement.resolve.document import Document
from supplement.resolve.derive import resolve
from supplement.reader.declare import Rec
from supplement.reader.format_v1 import SOURCE_FILE
from supplement.resolve.style import load_style
from supplement.reader.located_yaml import parse, read_text


def load_source(path: str | Path) -> tuple[Rec | None, Report]:
    """Read and validate a source; the record is None when it has errors."""
    path = str(path)
    r = Report()
    try:
        tree = parse(read_text(path), path)
    except SourceError as e:
        return None, e.report
    if tree is None:
        r.error(Pos(path, 1, 1), "the file is empty", "a source starts with 'schema: 1'; see docs/format.md")
        return None, r
    src = SOURCE_FILE.check(tree, r, Pos(path, 1, 1))
    if not isinstance(src, Rec):
        return None, r
    validate.check(src, r)
    return (None if r.errors else src), r


def compile_document(path: str | Path, style: str | None = None) -> tuple[Document | None, Report]:
    """Source file (and optional style override) -> resolved Document plus every diagnostic."""
    src, r = load_source(path)
    if src is None:
        return None, r
    ref, pos, base = (style, Pos("--style"), Path.cwd()) if style else (src.style, src.at("style"), Path(path).parent)
    try:
        st = load_style(ref, pos, base)
    except SourceError as e:
        r.extend(e.report)
        return None, r
    for w in st.warnings:
        r.items.append(w)
    doc = resolve(src, st, Path(path).stem)
    try:  # pseudonyms from FILE.identifiers.yaml, in every writer's output
        from supplement.integrity.pseudonyms import pseudonymise
        return pseudonymise(doc, Path(path)), r
    except SourceError as e:
        r.extend(e.report)
        return None, r


def load_document(path: str | Path, style: str | None = None) -> Document:
    """Like compile_document, but raises SourceError when there are errors."""
    doc, r = compile_document(path, style)
    if doc is None:
        raise SourceError(r)
    return doc
