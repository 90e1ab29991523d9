"""Reading a source file: text -> located YAML tree -> migrated -> shape-checked -> typed model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from supplement.diagnostics import Pos, Report, SourceError

if TYPE_CHECKING:  # the model is imported when a source is read, not by a module of this package
    from supplement.study.model import Supplement


def read_source(path: str | Path, text: str | None = None) -> tuple[Supplement | None, Report]:
    """Read a source file into the typed model, with every problem found on the way.

    The model is None when the file cannot be read at all; it may be present but
    incomplete (``bad`` keys) when the report has errors: the whole-file checks
    still run on it so that every independent problem is reported at once.

    ``text``, when given, is read instead of the file (a version from git); ``path`` then
    names it in messages and places it, for a style file named relative to it."""
    from supplement.reader.located import Rec
    from supplement.reader.format_v1 import SOURCE_FILE
    from supplement.reader.located_yaml import parse, read_text
    from supplement.reader.to_study import build
    from supplement.reader.versions import upgrade

    path = str(path)
    r = Report()
    try:
        tree = parse(read_text(path) if text is None else text, path)
    except SourceError as e:
        return None, e.report
    if tree is None:
        r.error(Pos(path, 1, 1), "the file is empty", "a source starts with 'schema: 1'; see docs/format.md")
        return None, r
    from supplement.reader.located import YMap

    style_keys = {"extends", "page", "font", "labels", "numbering", "citations", "cover"}
    if isinstance(tree, YMap) and "schema" not in tree and "study" not in tree and style_keys & set(tree):
        r.error(Pos(path, 1, 1), "this looks like a style file (it has "
                + ", ".join(f"'{k}'" for k in sorted(style_keys & set(tree))) + "), not a source",
                "check the source that names it (style: this-file.yaml); supplement check reports the style's "
                "problems at its own lines")
        return None, r
    tree = upgrade(tree, r)
    if tree is None:
        return None, r
    rec = SOURCE_FILE.check(tree, r, Pos(path, 1, 1))
    if not isinstance(rec, Rec):
        return None, r
    return build(rec, r), r
