"""The formats registry: one table that the command line, the build and the docs read.

A writer is a module with ``render(doc, warn) -> bytes``; it is imported only when its
format is built. ``preflight`` names checks (``checks.registry``) run on the resolved
document before that format is rendered.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    module: str
    description: str
    preflight: tuple[str, ...] = ()
    default: bool = False  # built when --format is not given

    def render(self, doc, warn=lambda message: None) -> bytes:
        return importlib.import_module(self.module).render(doc, warn)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("docx", "docx", "supplement.writers.docx", "Word document: named styles, header rows that repeat",
           default=True),
    Format("pdf", "pdf", "supplement.writers.pdf", "PDF with embedded fonts, bookmarks and continued labels",
           preflight=("font-coverage",), default=True),
)}


def default_formats() -> list[str]:
    return [f.name for f in FORMATS.values() if f.default]


def renderer(fmt: str):
    """The ``render(doc, warn) -> bytes`` function of a format."""
    return FORMATS[fmt].render
