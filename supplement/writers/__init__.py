"""The formats registry: one table that the command line, the build and the docs read.

A writer is a module with ``render(doc, warn) -> bytes``; it is imported only when its
format is built. One that ``keeps`` also takes ``keep=True``: it keeps what it laid out
for the next render in the same process (``supplement watch`` renders it in its own).
``preflight`` names checks (``checks.registry``) run on the resolved document before that
format is rendered. ``items`` names the item types of the resolved document
(``resolve.ITEM_TYPES``) the writer renders: the others are left out of that format, and
out of its contents list, with a warning that names them, never dropped silently. Word and
PDF render all of them.
"""

from __future__ import annotations

import importlib

from supplement.records import Struct
from supplement.resolve import ITEM_TYPES

# The writers that render a ParticipantTable render a DataTable too (a generic table or a
# checklist has its shape); text sections they do not render yet.
TABLE_ITEMS = ("ParticipantTable", "ThemeTable", "DataTable")


class Format(Struct, frozen=True):
    """An output format: its writer module, file extension, pre-flight checks and the items it renders."""

    name: str
    extension: str
    module: str
    description: str
    preflight: tuple[str, ...] = ()
    default: bool = False  # built when --format is not given
    items: tuple[str, ...] = ("ParticipantTable", "ThemeTable")  # the item types it renders
    external: bool = False  # runs another program: rendered in the build's own process, which can stop it
    keeps: bool = False  # its render(doc, warn, keep=True) keeps work for the next render in the same process
    # How long its writer takes to import, in ms (a 2-core AMD EPYC, the document model included):
    # a small build starts the slowest writers' workers first, while it reads the source
    # (build.pool.prestart). Only the order matters.
    import_ms: int = 0

    def render(self, doc, warn=lambda message: None, keep: bool = False) -> bytes:
        """The file's bytes. ``keep`` (a process that renders again and again: watch): a writer
        that ``keeps`` holds on to what can serve the next render; the bytes are the same."""
        kw = {"keep": True} if keep and self.keeps else {}
        return self.writer().render(self.renderable(doc, warn), warn, **kw)

    def writer(self):
        """The writer module, imported with the cycle collector paused (it would only walk the
        library's classes and tables, which live as long as the process)."""
        from supplement.collector import no_gc_pauses

        with no_gc_pauses():
            return importlib.import_module(self.module)

    def renderable(self, doc, warn=lambda message: None):
        """``doc`` without the items this format cannot render (each named in a warning)."""
        keep = [type(it).__name__ in self.items for it in doc.items]
        if all(keep):
            return doc
        from supplement.records import replace

        for it, k in zip(doc.items, keep):
            if not k:
                warn(f"{it.label} ({type(it).__name__}) is left out of the {self.name} file, which cannot show "
                     f"it yet; it is in the " + " and ".join(f.name for f in FORMATS.values()
                                                            if type(it).__name__ in f.items) + " files")
        cover = doc.cover
        if cover is not None and cover.contents:
            cover = replace(cover, contents=tuple(p for p, k in zip(cover.contents, keep) if k))
        return replace(doc, items=tuple(it for it, k in zip(doc.items, keep) if k), cover=cover)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("docx", "docx", "supplement.writers.docx", "Word document: named styles, header rows that repeat",
           default=True, items=ITEM_TYPES, import_ms=120),
    Format("pdf", "pdf", "supplement.writers.pdf", "PDF with embedded fonts, bookmarks and continued labels",
           preflight=("font-coverage",), default=True, items=ITEM_TYPES, keeps=True, import_ms=200),
    Format("html", "html", "supplement.writers.html", "one self-contained web page: captions, header cells, contents, "
           "print style sheet", items=TABLE_ITEMS, import_ms=60),
    Format("md", "md", "supplement.writers.markdown", "pandoc Markdown: captions above pipe tables, one row per quote",
           items=TABLE_ITEMS, import_ms=10),
    Format("xlsx", "xlsx", "supplement.writers.xlsx", "Excel workbook: a sheet per item, one row per quote with its "
           "source, page and speaker", items=TABLE_ITEMS, import_ms=50),
)}


# Other ways to render a format, chosen with --pdf-engine: {format: {engine: Format}}; the one in
# FORMATS is the default engine.
ENGINES: dict[str, dict[str, Format]] = {"pdf": {
    "reportlab": FORMATS["pdf"],
    "libreoffice": Format("pdf", "pdf", "supplement.writers.libreoffice_pdf",
                          "tagged PDF/A-2b with PDF/UA flags, the .docx converted by LibreOffice", external=True,
                          items=ITEM_TYPES),  # the Word file, converted: every item
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
