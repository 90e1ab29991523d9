"""Warm workers for rebuilds (``supplement watch``).

Formats render in workers forked from the build's process (``pool.run_jobs``). A worker
forked from a process that never rendered starts cold: it imports its writer (reportlab,
python-docx and lxml), parses the four TTF fonts for reportlab, compiles the regular
expressions those libraries compile on first use, and only then renders; at 1,000 quotes
that was about a third of a rebuild's CPU time. ``warm`` renders a small sample of the
Document once in this process, for each format, before the workers are forked: they then
inherit all of that, and a rebuild pays only for the rendering itself.

This is done again only when what a warm worker holds could be stale: another writer, or
another style file, font file or Word template (by path, size and time). Whatever the
sample meets (a font that cannot be used, a writer's error) is left to the real build,
which reports it.
"""

from __future__ import annotations

import gc
import os

from supplement.records import replace

_warm: dict[str, tuple] = {}  # format name -> what it was warmed for


def warm(doc, formats) -> list[str]:
    """Render a sample of ``doc`` in each format here (not an external program's), unless done
    already for the same writer and style files; returns the formats warmed now."""
    done = []
    for fmt in formats:
        if getattr(fmt, "external", False):
            continue
        key = (fmt.module, _style_files(doc.style))
        if _warm.get(fmt.name) == key:
            continue
        _warm[fmt.name] = key
        try:
            fmt.render(sample(doc))
        except Exception:  # the real build meets it again, and reports it
            pass
        done.append(fmt.name)
    if done:
        gc.collect(1)  # the sample's cycles, before the build freezes what is left for the workers
    return done


def sample(doc):
    """``doc`` with every item cut to its first two rows (or blocks, findings of one, two
    quotes; or four paragraphs of text): each kind of content a writer meets, little of it."""
    items = []
    for item in doc.items:
        cut = {}
        if getattr(item, "rows", None):
            cut["rows"] = item.rows[:2]
        if getattr(item, "body", None):
            cut["body"] = item.body[:4]
        if getattr(item, "blocks", None):
            cut["blocks"] = tuple(replace(b, findings=tuple(
                replace(f, quotes=f.quotes[:2]) for f in b.findings[:1])) for b in item.blocks[:2])
        items.append(replace(item, **cut))
    return replace(doc, items=tuple(items))


def _style_files(style) -> tuple:
    files = [*getattr(style, "files", ()), *(getattr(style, "fonts", None) or {}).values()]
    template = getattr(style, "word_template", None)
    if template and isinstance(template, (str, os.PathLike)):
        files.append(template)
    stamps = []
    for f in files:
        try:
            st = os.stat(f)
            stamps.append((str(f), st.st_size, st.st_mtime_ns))
        except OSError:
            stamps.append((str(f), None, None))
    return tuple(stamps)
