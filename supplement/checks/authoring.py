"""Checks for what an author types that the tool prints itself: it would print twice.

A quote's own quotation marks, a theme's numeral or a subtheme's letter, a
participant's number, a mark's symbol: the style prints each of them, so typing
them into the text prints them doubled ("““I waited.””", "I. I. Working Alone",
"Neurosurgery**"). Each is a named check with the fix in its hint. Like the other
checks these read the model and never change it; typed quotation marks are left
out when resolve prints the quote (``study.quotemarks``), the rest are only
reported.
"""

from __future__ import annotations

import re

from supplement.checks.registry import Checker, register
from supplement.study.model import Participants, Quote, Subtheme, Supplement, Theme, walk
from supplement.study.quotemarks import outer_marks

QUOTE_MARKS = register(
    "quote-marks", "warning", "A quote's text is wrapped in its own quotation marks. The style prints the marks, "
    "so they are left out when printing (set the check to error to refuse them); remove them from the text.")
TYPED_NUMBER = register(
    "typed-number", "warning", "A theme's numeral or a subtheme's letter typed into its title, or participant "
    "numbers typed into a column: the style prints them, so they would print twice. Remove them.")
TYPED_MARK = register(
    "typed-mark", "warning", "A mark symbol (*, †, …) typed into a participant's cell: the table prints the "
    "symbols of declared marks, so it would print twice or disagree. Remove it and set the mark in the row.")

# "I. ", "IV) ", "a: ", "3. ", "Theme 2: ", "Subtheme B - " at the start of a title.
_NUMERAL = r"(?:[IVXLCDM]{1,7}|[ivxlcdm]{1,7}|\d{1,3}|[A-Za-z])"
_TYPED_TITLE = re.compile(
    rf"^\s*(?:(?:sub)?theme\s+{_NUMERAL}\s*(?:[.):]|\s[-–—])?\s*|{_NUMERAL}\s*(?:[.):]\s+|\s+[-–—]\s+))",
    re.IGNORECASE)
_TYPED_PARTICIPANT = re.compile(r"(?:participant|p|#|no\.?)?\s*0*(\d+)", re.IGNORECASE)
# A participant's number typed at the start of its row's first cell: 'P7 ICU nurse', '7. ICU nurse'.
_ROW_NUMBER = re.compile(r"\s*((?:participant|p)\s*0*(\d+)[.):]?)\s+(?=\S)", re.IGNORECASE)
_ROW_BARE = re.compile(r"\s*(0*(\d+)[.):])\s+(?=\S)")
# Symbols a table note uses (Chicago, AMA, Elsevier): what a typed mark looks like.
NOTE_SYMBOLS = "*†‡§‖¶#"


def check(sup: Supplement, report: Checker) -> None:
    for _, node in walk(sup):
        if isinstance(node, Quote):
            _quote_marks(node, report)
        elif isinstance(node, (Theme, Subtheme)):
            _typed_title(node, report)
    if sup.participants is not None:
        _typed_numbers(sup.participants, report)
        _typed_row_numbers(sup.participants, report)
        _typed_marks(sup.participants, report)


def _quote_marks(q: Quote, report: Checker) -> None:
    if not q.text:
        return
    marks = outer_marks(q.text)
    if marks:
        report(QUOTE_MARKS, q.at("text"),
               f"quote is wrapped in its own quotation marks {marks[0]}…{marks[1]}; they are left out when "
               "printing, since the style adds its own",
               f"remove {marks[0]} and {marks[1]} from the text (set quote-marks: error under checks: to refuse them)")


def typed_title_number(title: str) -> str | None:
    """The numeral or letter an author typed at the start of a title ('I. ', 'Theme 2: '), or None."""
    m = _TYPED_TITLE.match(title or "")
    if not m or not title[m.end():].strip():
        return None
    return m.group()


def _typed_title(node, report: Checker) -> None:
    typed = typed_title_number(node.title)
    if typed is None:
        return
    what, number = ("theme", "numeral") if isinstance(node, Theme) else ("subtheme", "letter")
    rest = node.title[len(typed):].strip()
    report(TYPED_NUMBER, node.at("title"),
           f"{what} title starts with '{typed.strip()}'; the style numbers {what}s, so the {number} would print twice",
           f"write the title without it: 'title: {rest}'")


def _position(value: str) -> int | None:
    m = _TYPED_PARTICIPANT.fullmatch(value.strip())
    return int(m.group(1)) if m else None


def _typed_numbers(p: Participants, report: Checker) -> None:
    header = " ".join((p.number_header or "").split()).casefold()
    for col in p.columns:
        values = [row.cell(col.key) for row in p.rows]
        numbered = len(p.rows) >= 2 and all(
            _position(v) == n or (row.code is not None and v.strip() == row.code.strip())
            for n, (v, row) in enumerate(zip(values, p.rows), 1))
        same_header = bool(header) and " ".join((col.label or "").split()).casefold() == header
        if numbered or same_header:
            why = "holds each participant's number" if numbered else f"has the number column's header '{p.number_header}'"
            report(TYPED_NUMBER, col.pos,
                   f"column '{col.key}' {why}; the table prints participant numbers in its own first column",
                   "remove this column and its values; for codes that stay with a person (P07), write "
                   "'code: P07' in each row")


def _typed_row_numbers(p: Participants, report: Checker) -> None:
    """A row's number (or code) typed at the start of its first cell: '1. ICU nurse', 'P07 Midwife'."""
    if not p.columns:
        return
    first = p.columns[0].key
    for n, row in enumerate(p.rows, 1):
        value = row.cell(first)
        number = str(n)
        # 'P7 …', 'participant 07 …', then the row's own code, then '7. …': as one pattern would
        # try them, with the number compared rather than compiled into a pattern for each row
        m = _ROW_NUMBER.match(value)
        if m is not None and m.group(2).lstrip("0") != number:
            m = None
        if m is None and row.code and row.code.strip():
            m = re.match(rf"\s*({re.escape(row.code.strip())}[.):]?)\s+(?=\S)", value, re.IGNORECASE)
        if m is None:
            m = _ROW_BARE.match(value)
            if m is not None and m.group(2).lstrip("0") != number:
                m = None
        if m:
            rest = value[m.end():].strip()
            report(TYPED_NUMBER, row.at(first),
                   f"cell '{value.strip()}' starts with the participant's number '{m.group(1)}'; the table prints "
                   "it in its own first column", f"write '{first}: {rest}'")


def _typed_marks(p: Participants, report: Checker) -> None:
    if not p.marks:
        return
    declared = {m.symbol: m for m in p.marks if m.symbol}
    symbols = set(NOTE_SYMBOLS) | {ch for s in declared for ch in s}
    for row in p.rows:
        for key, value in row.cells:
            text = value.strip()
            tail = len(text) - len(text.rstrip("".join(symbols)))
            head = len(text) - len(text.lstrip("".join(symbols)))
            typed = text[len(text) - tail:] if tail else text[:head] if head else ""
            if not typed or typed == text:
                continue
            mark = declared.get(typed) or next((m for m in p.marks if m.column == key), p.marks[0])
            report(TYPED_MARK, row.at(key),
                   f"cell '{text}' holds the mark symbol '{typed}'; the table prints the symbols of marks itself",
                   f"write '{key}: {text.strip(''.join(symbols)).strip()}' and set the mark in the row: "
                   f"'{mark.key}: true'")
