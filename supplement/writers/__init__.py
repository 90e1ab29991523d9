"""Writers render a resolved Document to bytes; each is imported only when used."""

from __future__ import annotations

import importlib

WRITERS = {"docx": "supplement.writers.docx", "pdf": "supplement.writers.pdf", "html": "supplement.writers.html",
           "md": "supplement.writers.markdown", "xlsx": "supplement.writers.xlsx"}


def renderer(fmt: str):
    """The ``render(doc, warn) -> bytes`` function of a format."""
    return importlib.import_module(WRITERS[fmt]).render
