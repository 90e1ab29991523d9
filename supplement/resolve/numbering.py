"""Number formats: 1 -> I, i, A, a, 1."""

from __future__ import annotations

_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(n: int) -> str:
    out = []
    for value, glyph in _ROMAN:
        count, n = divmod(n, value)
        out.append(glyph * count)
    return "".join(out)


def alpha(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA (spreadsheet style)."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def format_number(n: int, fmt: str) -> str:
    return {
        "upper-roman": roman, "lower-roman": lambda k: roman(k).lower(),
        "upper-alpha": alpha, "lower-alpha": lambda k: alpha(k).lower(),
        "decimal": str,
    }[fmt](n)
