"""Resolution (no writers): what the reference study becomes, and how recoding renumbers it.

Everything derived — participant numbers and marks, theme numerals, subtheme letters,
citations, notes, the caption's theme range — is computed from the source's order at
build time. Recoding the source (moving, merging, deleting) and rebuilding renumbers
everything and changes nothing else.
"""

from __future__ import annotations
import re

import pytest

from srcutil import BASE, EXAMPLE, SEED_COUNTS, dump, edit, example_data
from supplement.records import Struct, replace
from supplement.resolve.document import Document, ParticipantTable, ThemeTable
from supplement.pipeline import compile_document, load_document
from srcutil import load_source
from supplement.resolve.derive import clean, fill

ROMAN = ["I.", "II.", "III.", "IV.", "V.", "VI.", "VII.", "VIII.", "IX.", "X."]


@pytest.fixture(scope="module")
def doc() -> Document:
    return load_document(EXAMPLE)


def tables(d: Document) -> tuple[ParticipantTable, ThemeTable]:
    pt, tt = d.items
    assert isinstance(pt, ParticipantTable) and isinstance(tt, ThemeTable)
    return pt, tt


def build(tmp_path, data, name="study.yaml") -> Document:
    path = tmp_path / name
    path.write_text(dump(data), encoding="utf-8")
    d, report = compile_document(path)
    assert d is not None, report.text()
    assert not report.errors
    return d


def outline(d: Document) -> list[tuple]:
    """(level, number, title, findings, quotes) per block; paragraphs as plain text."""
    return [(b.level, b.number, b.title, tuple(f.text.text for f in b.findings),
             tuple(q.text for f in b.findings for q in f.quotes)) for b in tables(d)[1].blocks]


def content(d: Document) -> list[tuple]:
    """The outline without the numbers: what recoding must not change."""
    return [(lvl, title, fs, qs) for lvl, _, title, fs, qs in outline(d)]


def unplaced(obj):
    """``obj`` with every source position removed (they differ between rebuilt files)."""
    if isinstance(obj, tuple):
        return tuple(unplaced(x) for x in obj)
    if isinstance(obj, Struct):
        changes = {f: unplaced(getattr(obj, f)) for f in obj.__struct_fields__ if f != "style"}
        if "pos" in changes:
            changes["pos"] = None
        return replace(obj, **changes)
    return obj


def caption(d: Document, item: int = 1) -> str:
    return " ".join(p.text for p in d.items[item].caption)


def source_quotes(data) -> list[dict]:
    return [q for t in data["themes"] for b in [t] + list(t.get("subthemes") or [])
            for f in b.get("findings") or [] for q in f.get("quotes") or []]


# --- the participant table ----------------------------------------------------------------------


def test_participant_numbers_in_order(doc):
    pt, _ = tables(doc)
    assert len(pt.rows) == SEED_COUNTS["participants"] == 14
    assert [row[0].text for row in pt.rows] == [f"{n}." for n in range(1, 15)]


def test_participant_marks_follow_the_specialty(doc):
    pt, _ = tables(doc)
    marked = []
    for n, row in enumerate(pt.rows, 1):
        specialty = row[1]
        marks = [r for r in specialty.runs if r.role == "mark"]
        if marks:
            marked.append(n)
            assert [r.text for r in marks] == ["*"]
            assert specialty.runs[-1].role == "mark"  # after the specialty text
            assert not specialty.runs[0].text.endswith("*")  # the symbol is not typed into the text
        for cell in row[2:]:  # no other column carries it
            assert all(r.role != "mark" for r in cell.runs)
    assert marked == [3, 4, 14]
    assert pt.rows[2][1].text == "Orthopaedic Surgery*"
    assert pt.rows[3][1].text == "Neurosurgery*"
    assert pt.rows[13][1].text == "Orthopaedic Surgery*"
    assert [n.text for n in pt.notes] == ["* denotes international training"]


def test_participant_headers_and_caption(doc):
    pt, _ = tables(doc)
    assert [h.text for h in pt.headers] == ["Participant Identification", "Specialty", "Academic Rank",
                                            "Practice Location", "Training Program Location"]
    assert pt.label == "Appendix 1"
    assert caption(doc, 0) == "Appendix 1. Clinical background and experience of the clinicians who participated in this study."
    assert [c.text for c in pt.rows[0]] == ["1.", "Orthopaedic Surgery", "Associate Professor", "Massachusetts", "New York"]
    assert abs(sum(pt.widths) - 1) < 1e-9


# --- the theme table --------------------------------------------------------------------------


def test_theme_numerals_and_subtheme_letters(doc):
    assert [(lvl, num) for lvl, num, *_ in outline(doc)] == [
        (0, "I."), (1, "A."),
        (0, "II."),
        (0, "III."), (1, "A."), (1, "B."), (1, "C."),
        (0, "IV."), (0, "V."), (0, "VI."),
        (0, "VII."), (1, "A."), (1, "B."),
        (0, "VIII."), (0, "IX."), (0, "X."),
    ]
    _, tt = tables(doc)
    themes = [b for b in tt.blocks if b.level == 0]
    assert [b.number for b in themes] == ROMAN
    assert themes[0].heading.text == "I. Elements of Disease"
    assert tt.blocks[1].heading.text == "A. Failure of Initial Treatment"
    assert [p.text for p in themes[0].continued] == ["I. Elements of Disease (continued)"]
    assert [p.text for p in tt.blocks[1].continued] == ["I. Elements of Disease (continued)",
                                                        "A. Failure of Initial Treatment (continued)"]
    assert [p.text for p in tt.blocks[1].headings] == ["I. Elements of Disease", "A. Failure of Initial Treatment"]
    assert [p.text for p in themes[1].headings] == ["II. Guideline-Driven Care"]
    assert [i.outline for i in doc.items] == [
        "Appendix 1. Clinical background and experience of the clinicians who participated in this study.",
        "Appendix 2. Complete list of themes and subthemes with supporting quotes."]


def test_counts_match_the_seed(doc):
    _, tt = tables(doc)
    assert sum(b.level == 0 for b in tt.blocks) == SEED_COUNTS["themes"] == 10
    assert sum(b.level == 1 for b in tt.blocks) == SEED_COUNTS["subthemes"] == 6
    assert sum(len(b.findings) for b in tt.blocks) == SEED_COUNTS["findings"] == 17
    assert doc.quote_count == SEED_COUNTS["quotes"] == 122


def test_caption_theme_range_is_filled_from_the_placeholder(doc):
    assert caption(doc) == (
        "Appendix 2. Complete list of themes and subthemes with supporting quotes. Themes are identified by "
        "Roman numerals (I-X) and subthemes are identified by capital letters subordinated to the theme they "
        "fall under.")
    src, _ = load_source(EXAMPLE)
    assert "({theme_range})" in src.theme_table.caption and "I-X" not in src.theme_table.caption


def test_theme_headers(doc):
    _, tt = tables(doc)
    assert [h.text for h in tt.headers] == ["Theme or Subtheme", "Findings", "Supporting Text from Transcripts"]
    assert tt.label == "Appendix 2"


def test_quotes_in_document_order_with_their_citations(doc):
    data = example_data()
    expected = []
    labels = {s["id"]: s.get("label") for s in data["sources"]}
    for q in source_quotes(data):
        cite = str(q["cite"])
        m = re.fullmatch(r"(?:(.+), )?(\d+(?:-\d+)?)", cite)
        src, pages = m.group(1), m.group(2)
        assert src is None or src in labels.values()
        tail = f" [{src}, {pages}]" if src else f" [{pages}]"
        if q.get("note"):
            tail += f" [{q['note']}]"
        expected.append("“" + clean(q["text"]) + "”" + tail)
    got = [q for *_, qs in outline(doc) for q in qs]
    assert len(got) == 122
    assert got == expected


def test_citation_formats_as_in_the_seed(doc):
    _, tt = tables(doc)
    quotes = [q for b in tt.blocks for f in b.findings for q in f.quotes]
    cites = [r.text for q in quotes for r in q.runs if r.role == "citation"]
    assert len(cites) == 122
    assert cites[:6] == ["[6]", "[6]", "[8-9]", "[3]", "[Non-Op 1, 2]", "[Non-Op 1, 3]"]
    assert "[Non-Op 2, 3-4]" in cites and "[13-14]" in cites
    assert all(re.fullmatch(r"\[(Non-Op [12], )?\d+(-\d+)?\]", c) for c in cites)


def test_quote_runs_and_notes_after_the_citation(doc):
    _, tt = tables(doc)
    quotes = [q for b in tt.blocks for f in b.findings for q in f.quotes]
    first = quotes[0]
    assert [r.role for r in first.runs] == ["quote-text", "", "citation"]
    assert first.runs[0].text.startswith("“Second to that is…extent of disease.")
    assert first.runs[0].text.endswith("multiple sites.”")
    with_notes = [q for q in quotes if any(r.role == "note" for r in q.runs)]
    assert len(with_notes) == 2
    assert [(r.role, r.text) for r in with_notes[0].runs][1:] == [
        ("", " "), ("citation", "[11]"), ("", " "), ("note", "[re: familiarity of team members]")]
    assert [(r.role, r.text) for r in with_notes[1].runs] == [
        ("quote-text", "“Better communications.”"), ("", " "), ("citation", "[34]"), ("", " "),
        ("note", "[when asked how physicians can be more helpful to patients in making treatment decisions]")]


def test_paragraphs_remember_their_source_line(doc):
    _, tt = tables(doc)
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    q = tt.blocks[0].findings[0].quotes[0]
    assert q.pos.file == str(EXAMPLE) and "Second to that is" in lines[q.pos.line - 1]
    assert "Elements of Disease" in lines[tt.blocks[0].heading.pos.line - 1]


def test_every_paragraph_is_clean_text(doc):
    for p in doc.paragraphs():
        assert "\n" not in p.text and "  " not in p.text.strip(), p.text
        assert "{" not in p.text, p.text  # no placeholder left unfilled


def test_meta(doc):
    m = doc.meta
    assert m.title.startswith("Clinicians' decision-making for spinal metastases")
    assert m.short_title == m.header == "Spinal metastases decision-making — supplement"
    assert m.language == "en-US" and "spinal metastases" in m.keywords
    assert m.date.year == 2000  # no date or year in the source: a fixed date, reproducible builds
    assert doc.name == "spinal-metastases"


def test_resolution_is_deterministic():
    a, b = load_document(EXAMPLE), load_document(EXAMPLE)
    assert a.items == b.items and a.meta == b.meta and a.cover == b.cover


# --- small sources ------------------------------------------------------------------------------


def test_single_theme_range(tmp_path):
    text = BASE[:BASE.index("  - id: t2")]
    path = tmp_path / "one.yaml"
    path.write_text(text, encoding="utf-8")
    d = load_document(path)
    assert caption(d) == "Appendix 2. Themes (I)."


def test_participant_caption_count_and_citation_speaker(tmp_path):
    text = edit(BASE, "            cite: 6\n", "            cite: 6\n            speaker: p02\n")
    text = edit(text, "  - id: NonOp1\n", "  - id: NonOp1\n    participants: [p01]\n")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    d = load_document(path)
    assert caption(d, 0) == "Appendix 1. Who took part (2 clinicians)."
    quotes = [q for b in d.items[1].blocks for f in b.findings for q in f.quotes]
    assert [r.text for r in quotes[0].runs if r.role == "citation"] == ["[Participant 2, 6]"]
    assert [r.text for r in quotes[1].runs if r.role == "citation"] == ["[Non-Op 1, 2]"]


def test_without_participants_the_theme_table_is_appendix_1(tmp_path):
    start, end = BASE.index("participants:\n"), BASE.index("sources:\n")
    path = tmp_path / "s.yaml"
    path.write_text(BASE[:start] + BASE[end:], encoding="utf-8")
    d = load_document(path)
    assert len(d.items) == 1 and d.items[0].label == "Appendix 1"


def test_unused_mark_note_is_not_printed(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(edit(BASE, ", international: true}", "}"), encoding="utf-8")
    assert load_document(path).items[0].notes == ()


def test_block_scalars_become_single_spaced_text(tmp_path):
    text = edit(BASE, "          - text: Hello there\n", "          - text: >\n              Hello\n              there,\n\n              again\n")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    src, report = load_source(path)
    assert report.items == [], report.text()
    d = load_document(path)
    assert d.items[1].blocks[0].findings[0].quotes[0].runs[0].text == "“Hello there, again”"


def test_fill_leaves_unknown_placeholders_empty():
    assert fill("a {x} b {n}", n=3) == "a  b 3"


# --- recoding: move, merge, delete, then rebuild ----------------------------------------------------


@pytest.fixture(scope="module")
def before(tmp_path_factory) -> Document:
    return build(tmp_path_factory.mktemp("before"), example_data())


def test_rebuilding_the_data_gives_the_same_document(before, doc):
    """The plain-data round trip the recoding tests use changes nothing by itself."""
    assert outline(before) == outline(doc)
    assert unplaced(tables(before)[0]) == unplaced(tables(doc)[0])


def test_move_a_theme(tmp_path, before):
    data = example_data()
    data["themes"].insert(0, data["themes"].pop(9))  # X. Provider-Patient Relationship first
    after = build(tmp_path, data)
    old, new = content(before), content(after)
    assert new[0] == old[-1] and new[1:] == old[:-1]
    themes = [(num, title) for lvl, num, title, *_ in outline(after) if lvl == 0]
    assert themes[0] == ("I.", "Provider-Patient Relationship")
    assert themes[1] == ("II.", "Elements of Disease")
    assert [num for num, _ in themes] == ROMAN
    assert [num for lvl, num, *_ in outline(after) if lvl == 1] == ["A.", "A.", "B.", "C.", "A.", "B."]
    assert caption(after) == caption(before)  # still I-X
    assert unplaced(tables(after)[0]) == unplaced(tables(before)[0])
    assert after.meta == before.meta


def test_move_a_quote(tmp_path, before):
    data = example_data()
    quote = data["themes"][0]["findings"][0]["quotes"].pop(0)
    data["themes"][4]["findings"][-1]["quotes"].append(quote)  # to the end of V.'s last finding
    after = build(tmp_path, data)
    old, new = outline(before), outline(after)
    assert [b[:4] for b in new] == [b[:4] for b in old]  # numbers, titles, findings unchanged
    moved = old[0][4][0]
    assert new[0][4] == old[0][4][1:]
    v = next(i for i, b in enumerate(old) if b[1] == "V.")
    assert new[v][4][:-1] == old[v][4] and new[v][4][-1] == moved  # identical text and citation
    assert [b[4] for i, b in enumerate(new) if i not in (0, v)] == [b[4] for i, b in enumerate(old) if i not in (0, v)]
    assert after.quote_count == 122
    assert caption(after) == caption(before)


def test_merge_two_themes(tmp_path, before):
    data = example_data()
    themes = data["themes"]
    preference = themes.pop(6)  # VII. Preference – Based Care (subthemes A, B) …
    team = themes[2]  # … into III. Care Team Dynamics (subthemes A, B, C)
    team["findings"] = (team.get("findings") or []) + (preference.get("findings") or [])
    team["subthemes"] = team["subthemes"] + preference["subthemes"]
    after = build(tmp_path, data)
    rows = outline(after)
    assert [num for lvl, num, *_ in rows if lvl == 0] == ROMAN[:9]
    iii = [(lvl, num, title) for lvl, num, title, *_ in rows][3:9]
    assert iii == [(0, "III.", "Care Team Dynamics"),
                   (1, "A.", "Multidisciplinary Care"), (1, "B.", "Knowledge of Team Member Preferences"),
                   (1, "C.", "Communication Among Team Members"),
                   (1, "D.", "Patient Expectations"), (1, "E.", "Patient/Family-Driven Care")]
    later = [(num, title) for lvl, num, title, *_ in rows if lvl == 0][6:]
    assert later == [("VII.", "Provider Perceptions of Quality of Life"), ("VIII.", "Weight of Treatment Decision"),
                     ("IX.", "Provider-Patient Relationship")]
    # the caption's range follows: (I-IX)
    assert "Roman numerals (I-IX) and" in caption(after)
    assert caption(after).replace("(I-IX)", "(I-X)") == caption(before)
    # nothing else changed: same blocks (bar the merged theme's heading), same quotes in the same order
    old = [b for b in content(before) if b[1] != "Preference – Based Care"]
    assert sorted(content(after)) == sorted(old)
    assert [q for *_, qs in content(after) for q in qs] != []
    assert after.quote_count == 122
    assert unplaced(tables(after)[0]) == unplaced(tables(before)[0])


def test_delete_a_subtheme(tmp_path, before):
    data = example_data()
    deleted = data["themes"][2]["subthemes"].pop(0)  # III.A Multidisciplinary Care
    n_deleted = sum(len(f["quotes"]) for f in deleted["findings"])
    after = build(tmp_path, data)
    rows = outline(after)
    assert [(lvl, num, title) for lvl, num, title, *_ in rows][3:6] == [
        (0, "III.", "Care Team Dynamics"),
        (1, "A.", "Knowledge of Team Member Preferences"), (1, "B.", "Communication Among Team Members")]
    assert [num for lvl, num, *_ in rows if lvl == 0] == ROMAN
    assert after.quote_count == 122 - n_deleted == 113
    assert caption(after) == caption(before)
    old = [b for b in content(before) if b[1] != "Multidisciplinary Care"]
    assert content(after) == old


def test_delete_a_theme_renumbers_the_caption_range(tmp_path, before):
    data = example_data()
    del data["themes"][-1]
    after = build(tmp_path, data)
    assert "(I-IX)" in caption(after)
    assert content(after) == content(before)[:-1]


def test_reordering_participants_renumbers_rows_and_speaker_citations(tmp_path):
    text = edit(BASE, "            cite: 6\n", "            cite: 6\n            speaker: p02\n")
    a = tmp_path / "a.yaml"
    a.write_text(text, encoding="utf-8")
    rows = "    - {id: p01, specialty: Surgery, international: true}\n    - {id: p02, specialty: Oncology}\n"
    b = tmp_path / "b.yaml"
    b.write_text(edit(text, rows, "    - {id: p02, specialty: Oncology}\n"
                      "    - {id: p01, specialty: Surgery, international: true}\n"), encoding="utf-8")
    da, db = load_document(a), load_document(b)
    assert [[c.text for c in r] for r in da.items[0].rows] == [["1.", "Surgery*"], ["2.", "Oncology"]]
    assert [[c.text for c in r] for r in db.items[0].rows] == [["1.", "Oncology"], ["2.", "Surgery*"]]

    def first_cite(d):
        return [r.text for r in d.items[1].blocks[0].findings[0].quotes[0].runs if r.role == "citation"]
    assert first_cite(da) == ["[Participant 2, 6]"] and first_cite(db) == ["[Participant 1, 6]"]


def test_clean_collapses_whitespace_as_the_regular_expression_does():
    """clean() joins str.split(); it must equal collapsing \\s+ and stripping, for every
    character either calls whitespace (generated strings mixing them with text)."""
    from hypothesis import given, strategies as st

    spaces = [chr(c) for c in range(0x3100) if chr(c).isspace() or re.fullmatch(r"\s", chr(c))]
    assert len(spaces) >= 25 and all(c.isspace() and re.fullmatch(r"\s", c) for c in spaces)

    @given(st.lists(st.sampled_from(spaces + list("ab ,.;é中\u200b\ufeff")), max_size=20).map("".join))
    def agrees(text):
        assert clean(text) == re.sub(r"\s+", " ", text).strip()

    agrees()
