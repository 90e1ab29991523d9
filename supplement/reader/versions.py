"""Schema versions: an older source is migrated, as a located tree, to the current version.

Each entry of ``MIGRATIONS`` turns a tree of version N into one of version N + 1,
keeping positions, so that problems in a migrated file are still reported where
the author wrote them. Version 1 is the first: there is nothing to migrate yet.
When version 2 comes, ``MIGRATIONS[1]`` says how a version-1 file reads as 2.
"""

from __future__ import annotations

from typing import Callable

from supplement.diagnostics import Report
from supplement.reader.located import YMap, YStr
from supplement.study.model import SCHEMA_VERSION

MIGRATIONS: dict[int, Callable[[YMap, Report], YMap]] = {}


def upgrade(tree, r: Report, current: int = SCHEMA_VERSION):
    """The tree migrated to ``current``; unchanged when it is current or its version is unreadable
    (the shape check then says what is wrong); None, with an error, when it cannot be read."""
    if not isinstance(tree, YMap) or not isinstance(tree.get("schema"), YStr):
        return tree
    raw = tree["schema"]
    text = raw.strip()
    if not text.isdigit() or len(text) > 4:
        return tree
    version = int(text)
    if version > current:
        r.error(raw.pos, f"schema {version} is newer than this version of supplement reads (schema {current})",
                "upgrade supplement (pip install -U supplement), or keep the file at schema 1")
        return None
    while version < current:
        step = MIGRATIONS.get(version)
        if step is None:
            r.error(raw.pos, f"schema {version} cannot be read: no migration from it to schema {version + 1}",
                    "schemas start at 1")
            return None
        tree = step(tree, r)
        version += 1
        mark = YStr(str(version), raw.pos, True)
        tree["schema"] = mark
    return tree
