"""What a reader must find in every output of the example, for the HTML, Markdown and
spreadsheet tests: taken from the source file itself where it can be (the quotes), and
from the resolved Document for what the resolver makes (labels, citations)."""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE, example_data, trimmed_data, write_source
from supplement.pipeline import load_document

# Text that means something in HTML, Markdown, CSS, YAML or a spreadsheet; it must come out literally.
HOSTILE = ('<script>alert(1)</script> </style> <b>b</b> &amp; & "q" \'a\' *em* _u_ **s** [l](http://x) '
           '![i](y) | ~s~ ^t^ $m$ @cite `c` \\n # h -- ... <!-- c --> =SUM(A1) end')


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def source_quotes() -> list[str]:
    """Every quote's words in the example source, in reading order (a theme's own findings,
    then its subthemes'), whitespace collapsed: 122 of them."""
    out = []

    def findings(block):
        for f in block.get("findings", []):
            out.extend(squash(q["text"]) for q in f.get("quotes", []))

    for t in example_data()["themes"]:
        findings(t)
        for s in t.get("subthemes", []):
            findings(s)
    return out


def example_doc(style: str | None = None):
    return load_document(EXAMPLE, style)


@functools.lru_cache(maxsize=None)
def checked_example():
    """The example's Document (shared: it is immutable), checked to carry the source's quotes."""
    doc = example_doc()
    check_example_quotes(doc)
    return doc


def quote_rows(doc):
    """(block headings, finding, quote text, citation, the whole quote paragraph) for every
    quote of the theme table."""
    tt = doc.items[-1]
    rows = []
    for b in tt.blocks:
        for f in b.findings:
            for q in f.quotes:
                part = {r.role: r.text for r in q.runs}
                rows.append((tuple(h.text for h in b.headings), f.text.text, part["quote-text"], part.get("citation", ""),
                             q.text))
    return rows


def check_example_quotes(doc) -> None:
    """The Document the tests compare against carries the source's 122 quotes, in order."""
    rows = quote_rows(doc)
    assert [r[2] for r in rows] == [f"“{q}”" for q in source_quotes()]
    assert len(rows) == 122
    cites = {r[3] for r in rows}
    assert {"[6]", "[8-9]", "[Non-Op 1, 2]"} <= cites


def hostile_source(tmp_path: Path) -> Path:
    data = trimmed_data(1)
    data["study"]["title"] = "Title " + HOSTILE
    data["study"]["short_title"] = "Short " + HOSTILE
    data["study"]["keywords"] = ["Key " + HOSTILE]
    data["participants"]["caption"] = "Caption " + HOSTILE
    data["participants"]["columns"][0]["label"] = "Label " + HOSTILE
    data["participants"]["rows"][0]["specialty"] = "Cell " + HOSTILE
    data["theme_table"]["caption"] = "Themes " + HOSTILE
    data["themes"][0]["title"] = "Theme " + HOSTILE
    finding = data["themes"][0]["findings"][0]
    finding["text"] = "Finding " + HOSTILE
    finding["quotes"][0]["text"] = "Quote " + HOSTILE
    finding["quotes"][0]["note"] = "Note " + HOSTILE
    return write_source(tmp_path, data)


def need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} is not installed")
    return path
