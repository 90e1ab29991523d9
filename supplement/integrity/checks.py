"""The named checks of ``supplement verify``, each with a default severity and its meaning.

A source's ``checks:`` map sets any of them to ``error``, ``warning`` or ``off``.
"""

from __future__ import annotations

from supplement.checks.registry import register as _register


def register(name: str, severity: str, doc: str):
    return _register(name, severity, doc, family="integrity")


# quotes against transcripts
TRANSCRIPT_UNREADABLE = register(
    "transcript-unreadable", "error",
    "A source's transcript cannot be read (missing, unsupported type, corrupt); its quotes are not checked. "
    "Correct the `transcript:` path or re-save the file as .docx, .pdf or .txt.")
TRANSCRIPT_PAGES = register(
    "transcript-pages", "warning",
    "How a transcript was paginated limits what can be checked: no page breaks (pages not checked), "
    "LibreOffice's layout (±1 page near a break). Add form feeds or [Page N] markers, or save from Word.")
QUOTE_WRONG_PAGE = register(
    "quote-wrong-page", "error",
    "The quote is verbatim in the transcript but not on the cited page(s). "
    "`supplement verify --fix-pages` rewrites the citation.")
QUOTE_MISMATCH = register(
    "quote-mismatch", "error",
    "The quote differs from the closest passage of the transcript; the message lists the words that differ. "
    "Correct the quote, or mark omissions with … and insertions with [brackets].")
QUOTE_NOT_FOUND = register(
    "quote-not-found", "error",
    "Nothing in the transcript resembles the quote: wrong source, wrong transcript, or a paraphrase.")
QUOTE_EMPTY = register(
    "quote-no-words", "warning",
    "The quote holds no words to check against its transcript (only … or [brackets]).")
QUOTE_BRACKET = register(
    "quote-bracket-replaces", "warning",
    "A [bracketed] insertion stands for words of the transcript; review that it keeps their meaning.")

# identifying details
SENSITIVE_TERM = register(
    "sensitive-term", "error",
    "A term from the study's private list of sensitive terms (real names, sites) is in a quote. "
    "Replace it in the quote, or give it a pseudonym.")
IDENTIFIER_NAME = register(
    "identifier-name", "warning",
    "A quote may name a person. Replace the name ([colleague]) or add a pseudonym; "
    "add a false alarm to the allow list.")
IDENTIFIER_PLACE = register(
    "identifier-place", "warning",
    "A quote names a place smaller than a state (a city, a county): HIPAA Safe Harbor counts it as an identifier.")
IDENTIFIER_INSTITUTION = register(
    "identifier-institution", "warning",
    "A quote may name an institution (a hospital, a university, an unexplained acronym).")
IDENTIFIER_DATE = register(
    "identifier-date", "warning",
    "A quote holds a date more precise than a year.")
IDENTIFIER_CONTACT = register(
    "identifier-contact", "warning",
    "A quote holds a phone number, an e-mail address or a web address.")
IDENTIFIER_NUMBER = register(
    "identifier-number", "warning",
    "A quote holds a record-like number (medical record, account, identifier).")
IDENTIFIER_AGE = register(
    "identifier-age", "warning",
    "A quote gives an age over 89, which Safe Harbor requires to be grouped as 90 or older.")
PARTICIPANT_DETAIL = register(
    "participant-detail", "warning",
    "A quote repeats a value of the participant table that belongs to one participant only (a place, a "
    "specialty), which can link the quote to a row of the table.")
PSEUDONYM_MAP = register(
    "pseudonym-map", "error",
    "The pseudonym map is inconsistent: one term with two replacements, overlapping terms, or a replacement "
    "that reveals more than the term it replaces.")

# disclosure
SMALL_CELL = register(
    "small-cell", "warning",
    "Participants are unique (or in groups smaller than k) on the columns the table shows: a reader who knows "
    "the field can recognise them. Coarsen a column (region instead of state) or drop one.")
