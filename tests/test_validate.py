"""Whole-file checks: ids, references, marks, captions, warnings; citation shorthands.

Line numbers refer to ``srcutil.BASE``.
"""

from __future__ import annotations

import pytest

from srcutil import BASE, edit, load, load_checked, only, problems
from supplement.reader.cite import CiteText, parse_pages, parse_shorthand, source_key
from supplement.study.model import Cite, Pages, Place

# --- duplicate ids --------------------------------------------------------------------------


def test_duplicate_source_id(tmp_path):
    d = only(tmp_path, edit(BASE, "- id: NonOp1", "- id: FG"))
    assert (d.pos.line, d.pos.col) == (16, 9)
    assert d.message == "duplicate source id 'FG' (first used at line 14)"
    assert d.hint == "ids must be unique; rename one"


def test_duplicate_theme_id(tmp_path):
    d = only(tmp_path, edit(BASE, "- id: t2", "- id: t1"))
    assert (d.pos.line, d.pos.col, d.message) == (31, 9, "duplicate theme id 't1' (first used at line 22)")


def test_subtheme_id_shares_the_namespace_of_themes(tmp_path):
    text = edit(BASE, "  - id: t2\n    title: Second theme\n    findings:\n",
                "  - id: t2\n    title: Second theme\n    subthemes:\n      - id: t1\n        title: Sub\n"
                "        findings:\n          - text: Sub finding\n            quotes:\n"
                "              - {text: Sub words, cite: 7}\n    findings:\n")
    assert problems(tmp_path, text) == ["34:13: error: duplicate subtheme id 't1' (first used at line 22)"]


def test_duplicate_participant_id(tmp_path):
    d = only(tmp_path, edit(BASE, "{id: p02, specialty: Oncology}", "{id: p01, specialty: Oncology}"))
    assert (d.pos.line, d.pos.col, d.message) == (12, 12, "duplicate participant id 'p01' (first used at line 11)")


def test_duplicate_column_key(tmp_path):
    text = edit(BASE, "    - {key: specialty, label: Specialty}\n",
                "    - {key: specialty, label: Specialty}\n    - {key: specialty, label: Again}\n")
    assert problems(tmp_path, text) == ["8:13: error: duplicate column key 'specialty'"]


def test_two_sources_cited_by_the_same_name(tmp_path):
    text = edit(BASE, "    kind: interview\n", "    kind: interview\n  - id: NonOp1b\n    label: Non Op 1\n    kind: interview\n")
    d = only(tmp_path, text)
    assert (d.pos.line, d.pos.col) == (19, 5)
    assert d.message == "a citation 'Non Op 1' could mean source 'NonOp1' or 'NonOp1b'"
    assert "ignore case, spaces and punctuation" in d.hint


# --- references ---------------------------------------------------------------------------


def test_unknown_source_lists_the_known_sources(tmp_path):
    d = only(tmp_path, edit(BASE, "cite: Non-Op 1, 2", "cite: Non-Op 3, 2"))
    assert (d.pos.line, d.pos.col) == (30, 19)
    assert d.message == "unknown source 'Non-Op 3'; known: FG, Non-Op 1"
    assert d.hint == "did you mean 'Non-Op 1'?"


def test_unknown_source_without_near_match(tmp_path):
    d = only(tmp_path, edit(BASE, "cite: Non-Op 1, 2", "cite: Interview 7, 2"))
    assert d.message == "unknown source 'Interview 7'; known: FG, Non-Op 1"
    assert d.hint == "declare it under sources, or correct the citation"


def test_unknown_source_in_structured_citation(tmp_path):
    d = only(tmp_path, edit(BASE, "cite: Non-Op 1, 2", "cite: {source: NonOp9, pages: 2}"))
    assert (d.pos.line, d.pos.col) == (30, 19)
    assert d.message == "unknown source 'NonOp9'; known: FG, Non-Op 1"


def test_page_only_citation_needs_exactly_one_unlabelled_source(tmp_path):
    text = edit(BASE, "    label: Non-Op 1\n", "")  # now FG and NonOp1 both lack a label
    _, report = load(tmp_path, text)
    assert [(d.pos.line, d.pos.col) for d in report.errors] == [(27, 19), (36, 19)]
    d = report.errors[0]
    assert d.message == "a citation with only a page needs exactly one source without a label (cited by page only)"
    assert d.hint == "several sources have no label: FG, NonOp1"


def test_page_only_citation_without_an_unlabelled_source(tmp_path):
    text = edit(BASE, "  - id: FG\n    kind: focus group\n", "  - id: FG\n    label: Focus group\n    kind: focus group\n")
    _, report = load(tmp_path, text)
    assert [d.pos.line for d in report.errors] == [29, 38]
    assert report.errors[0].hint == "write the source too, e.g. 'Non-Op 1, 3'"


def test_unknown_speaker(tmp_path):
    text = edit(BASE, "            cite: 6\n", "            cite: 6\n            speaker: p07\n")
    _, report = load(tmp_path, text)
    (d,) = report.errors
    assert (d.pos.line, d.pos.col, d.message) == (29, 22, "unknown participant 'p07'")
    assert d.hint.endswith("known: p01, p02")


def test_unknown_participant_of_a_source(tmp_path):
    text = edit(BASE, "    kind: focus group\n", "    kind: focus group\n    participants: [p01, p9]\n")
    _, report = load(tmp_path, text)
    (d,) = report.errors
    assert (d.pos.line, d.pos.col, d.message, d.hint) == (16, 25, "unknown participant 'p9'", "known: p01, p02")


def test_speaker_without_a_participant_table(tmp_path):
    text = edit(BASE, "            cite: 6\n", "            cite: 6\n            speaker: p01\n")
    start, end = text.index("participants:\n"), text.index("sources:\n")
    d = only(tmp_path, text[:start] + text[end:])
    assert d.message == "unknown participant 'p01'" and d.hint.startswith("declare participants first")


def test_mark_used_but_never_declared(tmp_path):
    d = only(tmp_path, edit(BASE, "{id: p02, specialty: Oncology}", "{id: p02, specialty: Oncology, trainee: yes}"))
    assert (d.pos.line, d.pos.col) == (12, 47)
    assert d.message == "mark 'trainee' is used but never declared"
    assert d.hint == "declare it under participants.marks: {key: trainee, symbol: '*', column: …, note: …}"


def test_mark_without_a_value(tmp_path):
    """{id: p02, international} is 'international: null' in YAML: it must not vanish silently."""
    d = only(tmp_path, edit(BASE, "{id: p02, specialty: Oncology}", "{id: p02, specialty: Oncology, international}"))
    assert (d.pos.line, d.pos.col, d.message, d.hint) == (12, 38, "mark 'international' has no value",
                                                          "write international: true")


def test_stray_value_in_a_row_is_an_unknown_column(tmp_path):
    d = only(tmp_path, edit(BASE, "{id: p02, specialty: Oncology}", "{id: p02, specialty: Oncology, Surgery}"))
    assert (d.pos.line, d.pos.col, d.message) == (12, 38, "unknown column 'Surgery' in participant 'p02'")


def test_empty_cell_is_allowed(tmp_path):
    src, report = load(tmp_path, edit(BASE, "{id: p02, specialty: Oncology}", "{id: p02, specialty: ~}"))
    assert report.items == [] and src.participants.rows[1].cells == ()


def test_unknown_column_in_a_row(tmp_path):
    d = only(tmp_path, edit(BASE, "{id: p02, specialty: Oncology}", "{id: p02, specialty: Oncology, rnak: Professor}"))
    assert (d.pos.line, d.pos.col, d.message, d.hint) == (12, 44, "unknown column 'rnak' in participant 'p02'",
                                                          "columns: specialty")


def test_mark_attached_to_unknown_column(tmp_path):
    d = only(tmp_path, edit(BASE, "column: specialty,", "column: specialy,"))
    assert (d.pos.line, d.pos.col) == (9, 49)
    assert d.message == "mark 'international' attaches to unknown column 'specialy'"
    assert d.hint == "did you mean 'specialty'?"


def test_mark_with_the_key_of_a_column(tmp_path):
    assert problems(tmp_path, edit(BASE, "{key: international,", "{key: specialty,")) == [
        "9:13: error: mark 'specialty' has the same key as a column",
        "11:52: error: mark 'international' is used but never declared",
    ]


@pytest.mark.parametrize("old,new,line,message,hint", [
    ("({participants} clinicians)", "({participant} clinicians)", 5, "unknown placeholder '{participant}' in caption",
     "did you mean '{participants}'? available: {participants}"),
    ("Themes ({theme_range}).", "Themes ({range}).", 20, "unknown placeholder '{range}' in caption",
     "did you mean '{theme_range}'? available: {theme_range}, {themes}"),
    ("Themes ({theme_range}).", "Themes ({theme_range).", 20,
     "caption has unbalanced braces (a lone '{' at character 9); write {{ and }} for literal braces", ""),
])
def test_unknown_caption_placeholder(tmp_path, old, new, line, message, hint):
    d = only(tmp_path, edit(BASE, old, new))
    assert (d.pos.line, d.pos.col, d.message) == (line, 12, message)
    assert d.hint.startswith(hint)


def test_literal_braces_in_a_caption(tmp_path):
    src, report = load(tmp_path, edit(BASE, "Themes ({theme_range}).", "Themes {{sic}} ({theme_range})."))
    assert report.items == []


# --- warnings --------------------------------------------------------------------------------


def test_theme_with_no_quotes(tmp_path):
    text = edit(BASE, "      - text: Another finding\n        quotes:\n          - text: Third words\n            cite: 8-9\n",
                "      - text: Another finding\n")
    d = only(tmp_path, text)
    assert (d.severity, d.pos.line, d.pos.col, d.message) == ("warning", 32, 12, "theme 'Second theme' has no quotes")


def test_subtheme_with_no_quotes(tmp_path):
    text = edit(BASE, "  - id: t2\n    title: Second theme\n",
                "  - id: t2\n    title: Second theme\n    subthemes:\n      - {id: s1, title: Empty sub}\n")
    assert problems(tmp_path, text) == ["34:25: warning: subtheme 'Empty sub' has no quotes"]


def test_theme_whose_quotes_are_all_in_subthemes_has_quotes(tmp_path):
    text = edit(BASE, "  - id: t2\n    title: Second theme\n    findings:\n",
                "  - id: t2\n    title: Second theme\n    subthemes:\n      - id: s1\n        title: Sub\n"
                "        findings:\n")
    text = text.replace("      - text: Another finding\n        quotes:\n          - text: Third words\n            cite: 8-9\n",
                        "          - text: Another finding\n            quotes:\n              - {text: Third words, cite: 8-9}\n")
    assert problems(tmp_path, text) == []


def test_unused_source(tmp_path):
    d = only(tmp_path, edit(BASE, "cite: Non-Op 1, 2", "cite: 2"))
    assert (d.severity, d.pos.line, d.pos.col, d.message) == ("warning", 16, 9, "source 'NonOp1' is never cited")


def test_unused_participant_only_when_the_study_links_participants(tmp_path):
    assert problems(tmp_path, BASE) == []  # no speaker, no source participants: nothing to say
    text = edit(BASE, "            cite: 6\n", "            cite: 6\n            speaker: p01\n")
    assert problems(tmp_path, text) == ["12:12: warning: participant 'p02' is not a speaker and not in any source"]
    text = edit(BASE, "    kind: focus group\n", "    kind: focus group\n    participants: [p02]\n")
    assert problems(tmp_path, text) == ["11:12: warning: participant 'p01' is not a speaker and not in any source"]


def test_repeated_quote(tmp_path):
    """Same words, whatever the spacing and case: a warning at the repeat, naming the first."""
    d = only(tmp_path, edit(BASE, "text: Third words", "text: '  hello   THERE '"))
    assert (d.severity, d.pos.line, d.pos.col) == ("warning", 36, 19)
    assert d.message == "this quote also appears at line 27"
    assert d.hint == "if the repeat is intended, add 'repeat: true' to this quote; otherwise remove one"


def test_warnings_do_not_stop_the_build(tmp_path):
    src, report = load(tmp_path, edit(BASE, "cite: Non-Op 1, 2", "cite: 2"))
    assert src is not None and report.warnings and not report.errors


# --- every problem at once, and no echoes ---------------------------------------------------


def test_five_distinct_errors_give_five_messages(tmp_path):
    text = edit(BASE, "  title: A study\n", "  title: A study\n  year: soon\n")               # line 4 (shape)
    text = edit(text, "{id: p02, specialty: Oncology}", "{id: p02, specialty: Oncology, trainee: yes}")  # 13
    text = edit(text, "            cite: 6\n", "            cite: 6\n            speaker: p07\n")  # 30
    text = edit(text, "cite: Non-Op 1, 2", "cite: Non-Op 3, 2")                                 # 32
    text = edit(text, "cite: 8-9", "cite: 9-8")                                                 # 39 (shape)
    src, report = load(tmp_path, text)
    assert src is None
    assert [f"{d.pos.line}:{d.pos.col}: {d.message}" for d in report.sorted() if d.severity == "error"] == [
        "4:9: expected a whole number, found 'soon'",
        "13:47: mark 'trainee' is used but never declared",
        "30:22: unknown participant 'p07'",
        "32:19: unknown source 'Non-Op 3'; known: FG, Non-Op 1",
        "39:19: page range 9-8 runs backwards; write 8-9",
    ]


@pytest.mark.parametrize("old,new,expected", [
    # a duplicate source id: its label still resolves, no "unknown source"
    ("- id: NonOp1", "- id: FG", "16:9: error: duplicate source id 'FG' (first used at line 14)"),
    # a broken label: the citations of that source are not reported again
    ("label: Non-Op 1", "label: ''", "17:12: error: text is empty"),
    ("label: Non-Op 1", "lable: Non-Op 1", "17:5: error: unknown key 'lable' in source"),
    # a broken column key: the mark and rows using the column are not reported again
    ("{key: specialty, label: Specialty}", "{key: 1specialty, label: Specialty}",
     "7:13: error: '1specialty' is not valid here: an id starts with a letter and holds letters, digits, "
     "'-', '_' or '.' (e.g. p03)"),
    # a broken mark: the rows using it are not reported as undeclared marks
    ("column: specialty,", "column: [specialty],", "9:49: error: expected text, found a list"),
    ("{key: international,", "{key: 'international!',",
     "9:13: error: 'international!' is not valid here: an id starts with a letter and holds letters, digits, "
     "'-', '_' or '.' (e.g. p03)"),
    # a misspelt section: nothing that refers to it is reported again
    ("participants:\n  caption", "participantz:\n  caption", "4:1: error: unknown key 'participantz' in source file"),
])
def test_a_broken_declaration_is_reported_once(tmp_path, old, new, expected):
    text = edit(edit(BASE, old, new), "            cite: 6\n", "            cite: 6\n            speaker: p02\n")
    assert [p for p in problems(tmp_path, text) if ": error: " in p] == [expected]


# --- citation shorthands ---------------------------------------------------------------------

SEED_VARIANTS = [  # as printed in the seed (line breaks collapsed), and what each means
    ("6", None, 6, 6),
    ("8-9", None, 8, 9),
    ("8- 9", None, 8, 9),
    ("8–9", None, 8, 9),
    ("3-4", None, 3, 4),
    ("Non-Op 1, 2", "nonop1", 2, 2),
    ("Non Op 1, 3", "nonop1", 3, 3),
    ("Non- Op 1, 4", "nonop1", 4, 4),
    ("Non-Op 1,4", "nonop1", 4, 4),
    ("Non-Op 2, 3-4", "nonop2", 3, 4),
    ("Non-Op 2, 4–5", "nonop2", 4, 5),
    ("[Non-Op 1, 2]", "nonop1", 2, 2),
    ("NonOp1, 2", "nonop1", 2, 2),
    ("non-op 1, 2", "nonop1", 2, 2),
    ("Non-Op 1, p. 2", "nonop1", 2, 2),
    ("pp. 8-9", None, 8, 9),
]


@pytest.mark.parametrize("text,key,first,last", SEED_VARIANTS)
def test_shorthand_variants_parse_to_one_structured_form(text, key, first, last):
    cite, err = parse_shorthand(text)
    assert err == ""
    assert (source_key(cite.source) if cite.source else None) == key
    assert cite.pages == Pages(first, last)


@pytest.mark.parametrize("cite", ["6", "'6'", "'[6]'", "{source: FG, pages: 6}", "'FG, 6'", "fg, 6"])
def test_page_only_citations_resolve_to_the_unlabelled_source(tmp_path, cite):
    src, index, report = load_checked(tmp_path, edit(BASE, "cite: 6", f"cite: {cite}"))
    assert report.errors == [], report.text()
    q = src.themes[0].findings[0].quotes[0]
    assert index.source_of(Place(1, 0, 1, 1)).id == "FG" and q.cite.pages == Pages(6, 6)


@pytest.mark.parametrize("cite", [
    "Non-Op 1, 2", "Non Op 1, 2", "Non- Op 1, 2", "Non-Op 1,2", "NonOp1, 2", "'[Non-Op 1, 2]'",
    "{source: NonOp1, pages: 2}", "{source: Non-Op 1, pages: 2}", "{source: 'Non Op 1', pages: '2'}",
])
def test_source_spellings_resolve_to_the_same_structured_citation(tmp_path, cite):
    src, index, report = load_checked(tmp_path, edit(BASE, "cite: Non-Op 1, 2", f"cite: {cite}"))
    assert report.errors == [], report.text()
    q = src.themes[0].findings[0].quotes[1]
    assert index.source_of(Place(1, 0, 1, 2)).id == "NonOp1"
    assert q.cite.pages == Pages(2, 2)
    assert isinstance(q.cite, Cite)


@pytest.mark.parametrize("cite", ["3-4", "3–4", "3 - 4", "'3—4'", "{source: NonOp1, pages: 3-4}",
                                  "{source: NonOp1, pages: 3–4}", "Non-Op 1, 3–4"])
def test_ranges_with_hyphen_en_dash_or_em_dash(tmp_path, cite):
    src, report = load(tmp_path, edit(BASE, "cite: Non-Op 1, 2", f"cite: {cite}"))
    assert report.errors == [], report.text()
    assert src.themes[0].findings[0].quotes[1].cite.pages == Pages(3, 4)


def test_a_source_cited_without_a_page():
    assert parse_shorthand("Non-Op 2") == (CiteText("Non-Op 2", None), "")


@pytest.mark.parametrize("text,message", [
    ("", "the citation is empty"),
    ("[]", "the citation is empty"),
    ("9-8", "page range 9-8 runs backwards; write 8-9"),
    ("0", "page 0 does not exist; pages start at 1"),
    ("Non-Op 1, x", "'x' is not a page or page range (write 3 or 3-4)"),
    ("Non-Op 1, 3-", "'3-' is not a page or page range (write 3 or 3-4)"),
    ("Non-Op 1, 3-4-5", "'3-4-5' is not a page or page range (write 3 or 3-4)"),
    ("6-", "'6-' is not a page or page range (write 3 or 3-4)"),
])
def test_shorthand_errors(text, message):
    assert parse_shorthand(text) == (None, message)


def test_parse_pages():
    assert parse_pages("3") == (Pages(3, 3), "")
    assert parse_pages(" 3 – 4 ") == (Pages(3, 4), "")
    assert parse_pages("4-4") == (Pages(4, 4), "") and not Pages(4, 4).is_range


def test_source_key_ignores_case_spaces_and_punctuation():
    assert source_key("Non- Op 1") == source_key("Non-Op 1") == source_key("NonOp1") == source_key("non op 1")
    assert source_key("Non-Op 1") != source_key("Non-Op 2")
