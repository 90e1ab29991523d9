"""The reading side in order: source file -> typed model -> checks -> (with a style) resolved Document."""

from __future__ import annotations

from pathlib import Path

from supplement.checks import authoring, crossref, whole
from supplement.checks.registry import Checker, settings_of
from supplement.collector import no_gc_pauses
from supplement.diagnostics import Pos, Report, SourceError
from supplement.reader import read_source
from supplement.resolve.document import Document
from supplement.study.index import Index
from supplement.study.model import Supplement


def check_source(path: str | Path, text: str | None = None) -> tuple[Supplement | None, Index | None, Report]:
    """Read a source (or ``text`` as if it were that file) and run the whole-file checks;
    model and index are None when there are errors."""
    with no_gc_pauses():
        return _check_source(path, text)


def _check_source(path, text=None):
    sup, r = read_source(path, text)
    if sup is None:
        return None, None, r
    checker = Checker(r, settings_of(sup.checks, r))
    index = crossref.check(sup, checker)
    authoring.check(sup, checker)
    whole.check(sup, checker)
    if r.errors:
        return None, None, r
    return sup, index, r


def compile_source(path: str | Path, style: str | None = None, text: str | None = None,
                   folder: Path | None = None) -> tuple[Supplement | None, Index | None, Document | None, Report]:
    """Read, check and resolve: the typed model, its index and the resolved Document (None on
    errors), plus every diagnostic. ``text`` is read as if it were the file (a git revision);
    a relative style path is found from ``folder`` (default: the file's folder)."""
    from supplement.resolve.derive import resolve
    from supplement.resolve.style import load_style

    with no_gc_pauses():
        sup, index, r = _check_source(path, text)
        if sup is None:
            return None, None, None, r
        ref, pos, base = ((style, Pos("--style"), Path.cwd()) if style else
                          (sup.style, sup.at("style"), folder or Path(path).parent))
        try:
            st = load_style(ref, pos, base)
        except SourceError as e:
            r.extend(e.report)
            return sup, index, None, r
        r.items.extend(st.warnings)
        return sup, index, resolve(sup, index, st, output_name(path, style, sup.style)), r


def compile_document(path: str | Path, style: str | None = None) -> tuple[Document | None, Report]:
    """Source file (and optional style override) -> the Document the writers render (layout
    limits checked, pseudonyms applied), plus every diagnostic."""
    from supplement.resolve import limits

    _, _, doc, r = compile_source(path, style)
    if doc is not None:
        doc = limits.checked(doc, doc.style, r)
    if doc is None:
        return None, r
    try:  # pseudonyms from FILE.identifiers.yaml, in every writer's output
        from supplement.integrity.pseudonyms import pseudonymise
        return pseudonymise(doc, Path(path)), r
    except SourceError as e:
        r.extend(e.report)
        return None, r


def output_name(path: str | Path, style: str | None, source_style: str) -> str:
    """The outputs' name: the source's, and the style's when a build uses another style than the
    source names, so that it does not replace the source's own outputs (study.plos.docx)."""
    stem = Path(path).stem
    if style and style != source_style:
        tag = Path(style).name
        tag = tag.rsplit(".", 1)[0] if tag.lower().endswith((".yaml", ".yml")) else tag
        stem = f"{stem}.{tag}"
    return stem


def load_document(path: str | Path, style: str | None = None) -> Document:
    """Like compile_document, but raises SourceError when there are errors."""
    doc, r = compile_document(path, style)
    if doc is None:
        raise SourceError(r)
    return doc
