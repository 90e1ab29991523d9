"""Quotation marks an author typed around a quote's text.

The style prints a quote's own marks; marks typed into the text as well would
print doubled (““I waited.””). The model keeps the text as written (a source file
is never rewritten behind the author's back); resolve prints it without the typed
outer pair, and the check ``quote-marks`` says so at the quote.
"""

from __future__ import annotations

# Opening mark -> the closing marks that pair with it (straight, curly, low-9, guillemets).
_PAIRS = {'"': '"“”', "“": "”“\"", "”": "”", "„": "“”", "«": "»", "»": "«"}
_ALL = set("\"“”„«»")


def outer_marks(text: str) -> tuple[str, str] | None:
    """The typed outer pair of double quotation marks, when the whole text sits inside one pair.

    Only double marks: a single ’ or ‘ at either end is usually an elision ('cause, talkin’).
    Text with further double marks inside ("Yes," she said, "no.") is left alone: its first
    and last marks are not one pair."""
    s = text.strip()
    if len(s) < 3 or s[0] not in _PAIRS or s[-1] not in _PAIRS[s[0]]:
        return None
    if any(ch in _ALL for ch in s[1:-1]):
        return None
    return s[0], s[-1]


def strip_outer_marks(text: str) -> str:
    """The text without a typed outer pair of quotation marks (unchanged when it has none)."""
    return text.strip()[1:-1].strip() if outer_marks(text) else text
