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
    external: bool = False  # runs another program: rendered in the build's own process, which can stop it

    def render(self, doc, warn=lambda message: None) -> bytes:
        return importlib.import_module(self.module).render(doc, warn)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("docx", "docx", "supplement.writers.docx", "Word document: named styles, header rows that repeat",
           default=True),
    Format("pdf", "pdf", "supplement.writers.pdf", "PDF with embedded fonts, bookmarks and continued labels",
           preflight=("font-coverage",), default=True),
    Format("html", "html", "supplement.writers.html", "one self-contained web page: captions, header cells, contents, "
           "print style sheet"),
    Format("md", "md", "supplement.writers.markdown", "pandoc Markdown: captions above pipe tables, one row per quote"),
    Format("xlsx", "xlsx", "supplement.writers.xlsx", "Excel workbook: a sheet per item, one row per quote with its "
           "source, page and speaker"),
)}


# Other ways to render a format, chosen with --pdf-engine: {format: {engine: Format}}; the one in
# FORMATS is the default engine.
ENGINES: dict[str, dict[str, Format]] = {"pdf": {
    "reportlab": FORMATS["pdf"],
    "libreoffice": Format("pdf", "pdf", "supplement.writers.libreoffice_pdf",
                          "tagged PDF/A-2b with PDF/UA flags, the .docx converted by LibreOffice", external=True),
}}


def format_for(name: str, engine: str | None = None) -> Format:
    """The format ``name`` as rendered by ``engine`` (None: the default engine)."""
    if engine is None:
        return FORMATS[name]
    return ENGINES.get(name, {}).get(engine) or FORMATS[name]


def default_formats() -> list[str]:
    return [f.name for f in FORMATS.values() if f.default]


def renderer(fmt: str):
    """The ``render(doc, warn) -> bytes`` function of a format."""
    return FORMATS[fmt].render
