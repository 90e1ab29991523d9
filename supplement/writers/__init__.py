"""Writers render a resolved Document to bytes; each is imported only when used."""

from __future__ import annotations

import importlib

WRITERS = {"docx": "supplement.writers.docx", "pdf": "supplement.writers.pdf"}
# Formats with more than one way to render them: {format: {engine: module}}; the first is the default.
ENGINES = {"pdf": {"reportlab": "supplement.writers.pdf", "libreoffice": "supplement.writers.libreoffice_pdf"}}
# Engines that run another program: their format is rendered in the build's own process
# (the program is the second process), never in a forked one that could not stop it.
EXTERNAL = {("pdf", "libreoffice")}


def renderer(fmt: str, engine: str | None = None):
    """The ``render(doc, warn) -> bytes`` function of a format (and engine)."""
    module = ENGINES[fmt][engine] if engine and fmt in ENGINES else WRITERS[fmt]
    return importlib.import_module(module).render
