"""The reference study (source/spinal-metastases.yaml) against the seed it was transcribed from.

tests/data/seed.txt is a copy of the seed (text extracted from the published PDF), so
these tests need nothing outside the repository. PDF line breaks are not text: the
comparisons collapse or ignore whitespace, and otherwise compare characters exactly
(curly quotes, dashes, ellipses, bracketed insertions, odd spellings).
"""

from __future__ import annotations

import re

import pytest

from srcutil import EXAMPLE, SEED, SEED_COUNTS, example_data, load_source
from supplement.pipeline import check_source, load_document
from supplement.reader.cite import parse_shorthand, source_key
from supplement.study.model import quotes as walk_quotes

SEED_TEXT = SEED.read_text(encoding="utf-8")
SEED_SPACED = re.sub(r"\s+", " ", SEED_TEXT)  # line breaks collapsed to one space
SEED_TIGHT = re.sub(r"\s+", "", SEED_TEXT)  # and ignored altogether (hyphenated line ends)

# The one place where the PDF interleaves two cells line by line: the finding of III.A and the
# first quote beside it. The source rejoins each; here each is checked as its two printed pieces.
INTERLEAVED = {
    "Developing a comprehensive treatment plan": (
        "Developing a comprehensive treatment plan necessitates input from a diverse range of disciplines "
        "(spine surgeons, radiation oncologists,", "medical oncologists, and palliative care)."),
    "in terms of multidisciplinary care": (
        "in terms of multidisciplinary care—and I’m putting on my orthopaedic oncologist hat—we work with "
        "radiation and various other services all the time, but I think dealing with spine tumors just takes "
        "that to a whole ‘nother level because it’s such a complex", "decision-making process."),
}


def tight(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def src():
    s, report = load_source(EXAMPLE)
    assert s is not None, report.text()
    return s


@pytest.fixture(scope="module")
def report():
    return load_source(EXAMPLE)[1]


def blocks(s):
    return [b for t in s.themes for b in [t] + list(t.subthemes)]


def quotes(s):
    return [q for b in blocks(s) for f in b.findings for q in f.quotes]


# --- the source is clean ---------------------------------------------------------------------


def test_no_errors(report):
    assert report.errors == [], report.text()


def test_passes_strict_and_marks_the_four_repeats_the_seed_makes(src, report):
    assert report.items == [], report.text()  # supplement check --strict passes
    seen, repeats = {}, []
    for q in quotes(src):
        key = " ".join(q.text.split()).casefold()
        assert q.repeat == (key in seen), q.at("text")  # repeat: true exactly on the later copies
        if q.repeat:
            repeats.append((seen[key].at("text").line, q.at("text").line))
        seen.setdefault(key, q)
    assert len(repeats) == 4


def test_counts_match_the_seed(src):
    assert len(src.participants.rows) == SEED_COUNTS["participants"] == 14
    assert len(src.themes) == SEED_COUNTS["themes"] == 10
    assert sum(len(t.subthemes) for t in src.themes) == SEED_COUNTS["subthemes"] == 6
    assert sum(len(b.findings) for b in blocks(src)) == SEED_COUNTS["findings"] == 17
    assert len(quotes(src)) == SEED_COUNTS["quotes"] == 122


def test_three_participants_trained_internationally(src):
    assert [r.id for r in src.participants.rows if "international" in r.marks] == ["p03", "p04", "p14"]
    (mark,) = src.participants.marks
    assert (mark.key, mark.symbol, mark.column, mark.note) == ("international", "*", "specialty",
                                                              "denotes international training")


def test_specialties_hold_no_typed_mark(src):
    assert not any("*" in v for r in src.participants.rows for _, v in r.cells)


def test_sources(src):
    assert [(s.id, s.label, s.kind) for s in src.sources] == [
        ("FG", None, "focus group"), ("NonOp1", "Non-Op 1", "interview"), ("NonOp2", "Non-Op 2", "interview")]


# --- verbatim against the seed ------------------------------------------------------------------


def test_the_seed_has_122_quotes_with_citations():
    assert len(re.findall(r"”\s*\[", SEED_TEXT)) == SEED_COUNTS["quotes"]


def test_quote_texts_are_verbatim_and_in_the_seed_order(src):
    at = 0
    for q in quotes(src):
        pieces = next((v for k, v in INTERLEAVED.items() if q.text.startswith(k)), (q.text,))
        for piece in pieces:
            i = SEED_TIGHT.find(tight(piece), at)
            assert i >= 0, f"line {q.at('text').line}: not in the seed (after the previous quote): {piece[:80]}"
            at = i + len(tight(piece))
        assert SEED_TIGHT.startswith("”", at), f"line {q.at('text').line}: the seed's quote goes on: " \
                                               f"{SEED_TIGHT[at:at + 40]}"


def test_citations_match_the_seed_in_order(src):
    """Every citation the seed prints — '[8-\\n\\n9]', '[Non Op 1, 3]', '[Non- Op 1, 4]', '[Non-Op 1,4]' —
    means the same source and pages as the structured citation in the source."""
    printed = [" ".join(c.split()) for c in re.findall(r"”\s*\[([^\]]*)\]", SEED_TEXT)]
    assert len(printed) == len(quotes(src)) == 122
    variants = set()
    _, index, _ = check_source(EXAMPLE)
    for (place, q), text in zip(walk_quotes(src), printed):
        cite, err = parse_shorthand(text)
        assert err == "", (text, err)
        source = index.source_of(place)
        expected_source = source.label and source_key(source.label)
        assert (source_key(cite.source) if cite.source else None) == expected_source, (text, q.at("cite"))
        assert cite.pages == q.cite.pages, (text, q.at("cite"))
        variants.add(text)
    # the irregular spellings are among them
    assert {"8- 9", "Non Op 1, 3", "Non- Op 1, 4", "Non-Op 1,4", "Non- Op 1, 2", "Non- Op 2, 10"} <= variants


def test_notes_follow_their_citation_in_the_seed(src):
    noted = [q for q in quotes(src) if q.note]
    assert [q.note for q in noted] == [
        "re: familiarity of team members",
        "when asked how physicians can be more helpful to patients in making treatment decisions"]
    for q in noted:
        # up to the closing bracket: the seed closes the first note with ')' instead of ']'
        assert tight(f"”[{q.cite.pages.first}][{q.note}") in SEED_TIGHT


def test_findings_are_verbatim(src):
    at = 0
    for b in blocks(src):
        for f in b.findings:
            pieces = next((v for k, v in INTERLEAVED.items() if f.text.startswith(k)), (f.text,))
            for piece in pieces:
                i = SEED_TIGHT.find(tight(piece), at)
                assert i >= 0, f"line {f.at('text').line}: finding not in the seed: {piece[:80]}"
            at = SEED_TIGHT.find(tight(pieces[0]), at)


# --- the resolved document reproduces the seed's text --------------------------------------------


@pytest.fixture(scope="module")
def doc():
    return load_document(EXAMPLE)


def test_participant_rows_read_as_in_the_seed(doc):
    for row in doc.items[0].rows:
        line = " ".join(c.text for c in row)
        assert line in SEED_SPACED, line


def test_theme_and_subtheme_headings_in_the_seed_order(doc):
    at = 0
    for b in doc.items[1].blocks:
        i = SEED_SPACED.find(b.heading.text + " ", at)
        assert i >= 0, b.heading.text
        at = i


def test_captions_read_as_in_the_seed(doc):
    for item in doc.items:
        text = " ".join(p.text for p in item.caption)
        assert tight(text) in SEED_TIGHT, text


def test_quote_paragraphs_read_as_in_the_seed(doc):
    """The resolved quote — curly quotes added, citation after a space — is the seed's text."""
    found = 0
    seed = SEED_TIGHT  # compared from after the opening mark: the seed prints one quote with a
    # straight " and one with none (both noted in the source)
    for b in doc.items[1].blocks:
        for f in b.findings:
            for q in f.quotes:
                text = "".join(r.text for r in q.runs if r.role != "note")
                assert text.startswith("“")
                text = text[1:]
                if not any(k in text for k in INTERLEAVED):
                    normalised = re.sub(r"\[(Non-Op \d), ", r"[\1,", text)  # the seed's citation spellings vary
                    assert tight(normalised).replace("Non-Op", "") in seed.replace("Non-Op", "").replace(
                        "NonOp", ""), text[:80]
                    found += 1
    assert found == 121


def test_plain_data_matches_the_located_tree():
    """yaml.safe_load of the example gives the same quote texts (no YAML 1.1 surprises)."""
    data = example_data()
    texts = [q["text"] for t in data["themes"] for b in [t] + (t.get("subthemes") or [])
             for f in b.get("findings") or [] for q in f.get("quotes") or []]
    s, _ = load_source(EXAMPLE)
    assert texts == [str(q.text) for q in quotes(s)]
