"""Which of a PDF font family's four files draws a run: shared by the PDF writer and the
font-coverage check, which must not import reportlab to know it."""

from __future__ import annotations

from supplement.resolve import typography

VARIANTS = ("regular", "bold", "italic", "bold_italic")


def role_face(role: str, style) -> tuple[bool, bool]:
    """(bold, italic) of a role's paragraph style."""
    return typography.role_face(role, style.table.header_bold)


def run_variant(role: str, run, style) -> str:
    """Which of the four fonts a run of a paragraph with this role is drawn in."""
    bold, italic = role_face(role, style)
    bold = bold or run.bold or run.role == "label"
    italic = italic or run.italic
    return typography.variant(bold, italic)
