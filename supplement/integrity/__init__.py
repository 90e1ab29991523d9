"""Research integrity: quotes against transcripts, identifying details, disclosure, coverage.

``supplement verify`` asks "is the evidence sound" where ``check`` asks "is the file
valid". The families of checks live in their own modules:

- ``transcripts``: transcript files (.txt, .docx, .pdf, .vtt/.srt) as pages of words;
- ``matching``: one quote against a transcript (verbatim, ellipses, [brackets]);
- ``identifiers``: names, places, dates, contact details, numbers, ages over 89;
- ``pseudonyms``: the replacement map applied at build time, and its consistency;
- ``disclosure``: participants unique on the columns the table shows;
- ``coverage``: who is quoted how often (``supplement report``);
- ``verify``: runs the families over a source and reports located diagnostics.
"""

from supplement.integrity import checks  # noqa: F401,E402  (registers the named checks)
