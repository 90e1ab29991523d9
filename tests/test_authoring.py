"""Issue 12: what an author types that would print wrong is a named check with its fix;
messages that say how to fix. Line numbers refer to ``srcutil.BASE``."""

from __future__ import annotations

import pytest

from srcutil import BASE, edit, load, load_checked, only
from supplement.checks.registry import all_checks
from supplement.pipeline import compile_document
from supplement.resolve.document import ThemeTable
from supplement.study.quotemarks import outer_marks, strip_outer_marks


def _quote_texts(tmp_path, text):
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    doc, report = compile_document(path)
    assert doc is not None, report.text()
    table = next(i for i in doc.items if isinstance(i, ThemeTable))
    return [q.runs[0].text for b in table.blocks for f in b.findings for q in f.quotes], report


def test_the_new_checks_are_registered():
    names = {c.name: c.severity for c in all_checks()}
    for n in ("quote-marks", "typed-number", "typed-mark", "repeat-unmatched"):
        assert names[n] == "warning"


# --- quotation marks typed around a quote -------------------------------------------------

@pytest.mark.parametrize("typed", ['"Hello there"', "“Hello there”", "„Hello there“", '“Hello there"'])
def test_outer_quotation_marks_are_a_located_warning_and_are_not_printed(tmp_path, typed):
    text = edit(BASE, "- text: Hello there", f"- text: '{typed}'")
    d = only(tmp_path, text)
    assert (d.severity, d.pos.line, d.pos.col) == ("warning", 27, 19)
    o, c = typed[0], typed[-1]
    assert d.message == (f"quote is wrapped in its own quotation marks {o}…{c}; they are left out when printing, "
                         "since the style adds its own")
    assert d.hint == f"remove {o} and {c} from the text (set quote-marks: error under checks: to refuse them)"
    texts, _ = _quote_texts(tmp_path, text)
    assert texts[0] == "“Hello there”"  # the default style's marks, once
    sup, _, _ = load_checked(tmp_path, text)
    assert sup.themes[0].findings[0].quotes[0].text == typed  # the model keeps what was written


def test_a_style_without_quotation_marks_keeps_the_typed_ones(tmp_path):
    (tmp_path / "bare.yaml").write_text("extends: default\nquotes: {open: '', close: ''}\n", encoding="utf-8")
    text = edit(BASE, "- text: Hello there", "- text: '“Hello there”'")
    texts, _ = _quote_texts(tmp_path, edit(text, "study:\n", "style: bare.yaml\nstudy:\n"))
    assert texts[0] == "“Hello there”"


def test_quote_marks_as_an_error_refuses_the_source(tmp_path):
    text = edit(BASE, "- text: Hello there", "- text: '\"Hello there\"'") + "checks:\n  quote-marks: error\n"
    sup, report = load(tmp_path, text)
    assert sup is None and [d.severity for d in report.items] == ["error"]


@pytest.mark.parametrize("text", ["‘cause I said so’", '"Yes," she said, "no."', '"', "Plain words"])
def test_marks_that_are_not_one_outer_pair_are_left_alone(text):
    assert outer_marks(text) is None and strip_outer_marks(text) == text


# --- numbers and letters typed into titles, participant numbers typed into cells -------------

@pytest.mark.parametrize("title,typed,rest", [("I. First theme", "I.", "First theme"),
                                              ("Theme 1: First theme", "Theme 1:", "First theme"),
                                              ("3) First theme", "3)", "First theme")])
def test_a_numeral_typed_into_a_theme_title(tmp_path, title, typed, rest):
    d = only(tmp_path, edit(BASE, "title: First theme", f"title: '{title}'"))
    assert (d.severity, d.pos.line, d.pos.col) == ("warning", 23, 12)
    assert d.message == f"theme title starts with '{typed}'; the style numbers themes, so the numeral would print twice"
    assert d.hint == f"write the title without it: 'title: {rest}'"


def test_a_letter_typed_into_a_subtheme_title(tmp_path):
    text = edit(BASE, "  - id: t2\n    title: Second theme\n    findings:\n",
                "  - id: t2\n    title: Second theme\n    subthemes:\n      - id: s1\n        title: A. Sub\n"
                "        findings:\n          - text: Sub finding\n            quotes:\n"
                "              - {text: Sub words, cite: 7}\n    findings:\n")
    d = only(tmp_path, text)
    assert (d.pos.line, d.pos.col) == (35, 16)
    assert d.message == "subtheme title starts with 'A.'; the style numbers subthemes, so the letter would print twice"
    assert d.hint == "write the title without it: 'title: Sub'"


@pytest.mark.parametrize("title", ["A Day in the Life", "U.S. Patients", "Mixed feelings", "Dr. No"])
def test_titles_that_only_look_numbered_pass(tmp_path, title):
    _, report = load(tmp_path, edit(BASE, "title: First theme", f"title: {title}"))
    assert report.items == []


def test_participant_numbers_typed_into_a_column(tmp_path):
    text = edit(BASE, "    - {key: specialty, label: Specialty}\n",
                "    - {key: specialty, label: Specialty}\n    - {key: num, label: No.}\n")
    text = edit(text, "{id: p01, specialty: Surgery,", "{id: p01, num: 1, specialty: Surgery,")
    text = edit(text, "{id: p02, specialty: Oncology}", "{id: p02, num: P2, specialty: Oncology}")
    d = only(tmp_path, text)
    assert (d.severity, d.pos.line, d.pos.col) == ("warning", 8, 7)
    assert d.message == ("column 'num' holds each participant's number; the table prints participant numbers "
                         "in its own first column")
    assert d.hint == "remove this column and its values; for codes that stay with a person (P07), write 'code: P07' in each row"


@pytest.mark.parametrize("cell,typed", [("2. Oncology", "2."), ("P2 Oncology", "P2"), ("Participant 02: Oncology",
                                                                                          "Participant 02:")])
def test_a_participant_number_typed_into_the_first_cell(tmp_path, cell, typed):
    d = only(tmp_path, edit(BASE, "{id: p02, specialty: Oncology}", f"{{id: p02, specialty: '{cell}'}}"))
    assert (d.severity, d.pos.line, d.pos.col) == ("warning", 12, 28)
    assert d.message == (f"cell '{cell}' starts with the participant's number '{typed}'; the table prints it in "
                         "its own first column")
    assert d.hint == "write 'specialty: Oncology'"


@pytest.mark.parametrize("cell", ["3 years abroad", "2nd year resident", "1. Oncology"])
def test_other_numbers_in_a_first_cell_pass(tmp_path, cell):
    _, report = load(tmp_path, edit(BASE, "{id: p02, specialty: Oncology}", f"{{id: p02, specialty: '{cell}'}}"))
    assert report.items == []


def test_a_column_headed_like_the_number_column(tmp_path):
    text = edit(BASE, "label: Specialty}", "label: Participant}")
    d = only(tmp_path, text)
    assert d.message.startswith("column 'specialty' has the number column's header 'Participant';")


# --- mark symbols typed into cells --------------------------------------------------------

def test_a_mark_symbol_typed_into_a_cell(tmp_path):
    d = only(tmp_path, edit(BASE, "{id: p02, specialty: Oncology}", "{id: p02, specialty: Oncology*}"))
    assert (d.severity, d.pos.line, d.pos.col) == ("warning", 12, 28)
    assert d.message == "cell 'Oncology*' holds the mark symbol '*'; the table prints the symbols of marks itself"
    assert d.hint == "write 'specialty: Oncology' and set the mark in the row: 'international: true'"


def test_a_dagger_typed_into_a_cell_without_a_declared_symbol(tmp_path):
    text = edit(BASE, '{key: international, symbol: "*", column:', "{key: international, column:")
    d = only(tmp_path, edit(text, "{id: p02, specialty: Oncology}", "{id: p02, specialty: †Oncology}"))
    assert d.message == "cell '†Oncology' holds the mark symbol '†'; the table prints the symbols of marks itself"


# --- citations with a page word; a missing comma -------------------------------------------

@pytest.mark.parametrize("cite,pages", [("p. 9", "9"), ("pp. 8-9", "8–9"), ("pg 9", "9"), ("pg. 9", "9"),
                                        ("page 9", "9"), ("Pages 8-9", "8–9")])
def test_page_words_in_citations(tmp_path, cite, pages):
    texts, report = _quote_texts(tmp_path, edit(BASE, "cite: 6", f"cite: {cite}"))
    assert report.items == []
    assert texts[0] == "“Hello there”"


def test_a_source_and_page_without_the_comma(tmp_path):
    d = only(tmp_path, edit(BASE, "cite: Non-Op 1, 2", "cite: Non-Op 1 2"))
    assert (d.severity, d.pos.line, d.pos.col) == ("error", 30, 19)
    assert d.message == "unknown source 'Non-Op 1 2'; known: FG, Non-Op 1"
    assert d.hint == "a comma separates the source from the page: 'Non-Op 1, 2'"


# --- repeats that are intended ------------------------------------------------------------

def test_repeat_true_silences_the_duplicate(tmp_path):
    text = edit(BASE, "- text: Third words\n            cite: 8-9",
                "- text: Hello there\n            cite: 8-9\n            repeat: true")
    _, report = load(tmp_path, text)
    assert report.items == []


def test_repeat_true_on_a_first_occurrence(tmp_path):
    text = edit(BASE, "- text: Third words\n            cite: 8-9", "- text: Third words\n            cite: 8-9\n            repeat: true")
    d = only(tmp_path, text)
    assert (d.severity, d.pos.line, d.pos.col) == ("warning", 38, 21)
    assert d.message == "'repeat: true' but these words are not quoted earlier"
    assert d.hint == "remove 'repeat: true', or mark the later of the two quotes instead"


def test_an_unmarked_duplicate_says_how_to_mark_it(tmp_path):
    d = only(tmp_path, edit(BASE, "- text: Third words", "- text: Hello there"))
    assert d.hint == "if the repeat is intended, add 'repeat: true' to this quote; otherwise remove one"


# --- messages that say how to fix --------------------------------------------------------

def test_a_comma_inside_braces_followed_by_words(tmp_path):
    d = only(tmp_path, edit(BASE, "- text: Hello there\n            cite: 6",
                            "- {text: forty minutes by helicopter, if the weather, cite: 6}"))
    assert (d.severity, d.pos.line, d.pos.col) == ("error", 27, 49)
    assert d.message == "unknown key 'if the weather' in quote"
    assert d.hint == "inside { } a comma ends a value: put the value of 'text' in quotes, e.g. text: '…, if the weather'"


def test_a_plain_string_where_a_quote_is_expected(tmp_path):
    d = only(tmp_path, edit(BASE, "- text: Hello there\n            cite: 6", "- Hello there"))
    assert (d.severity, d.pos.line, d.pos.col) == ("error", 27, 13)
    assert d.message == "expected a mapping (quote), found 'Hello there'"
    assert d.hint == "write it as a mapping: {text: 'Hello there', cite: 6}"


def test_a_subtheme_without_id_gets_one_suggested_from_its_title(tmp_path):
    text = edit(BASE, "  - id: t2\n    title: Second theme\n    findings:\n",
                "  - id: t2\n    title: Second theme\n    subthemes:\n      - title: Working Alone at Night\n"
                "        findings:\n          - text: Sub finding\n            quotes:\n"
                "              - {text: Sub words, cite: 7}\n    findings:\n")
    d = only(tmp_path, text)
    assert (d.severity, d.pos.line, d.pos.col) == ("error", 34, 9)
    assert d.message == "subtheme is missing 'id' (stable id, never shown)"
    assert d.hint == ("add 'id: working-alone-at-night' (made from its title), or run 'supplement ids FILE' "
                      "to give every theme and subtheme without an id one")


def test_unused_participants_say_why_and_how(tmp_path):
    d = only(tmp_path, edit(BASE, "- text: Hello there\n", "- speaker: p01\n            text: Hello there\n"))
    assert (d.severity, d.pos.line, d.pos.col) == ("warning", 12, 12)
    assert d.message == "participant 'p02' is not a speaker and not in any source"
    assert d.hint == ("once one quote names a speaker or one source lists participants, every participant is "
                      "expected to be linked: write 'speaker: p02' on their quotes or list p02 in a source's "
                      "participants (or set unused-participant: off under checks:)")


def test_enum_values_are_read_case_insensitively(tmp_path):
    from supplement.diagnostics import Pos
    from supplement.resolve.style import load_style

    style = tmp_path / "midwives.yaml"
    style.write_text("extends: default\npage:\n  size: A4\n  orientation: Portrait\n", encoding="utf-8")
    st = load_style(str(style), Pos("x"), tmp_path)
    assert (st.page.size, st.page.orientation) == ("a4", "portrait")


def test_errors_in_a_style_file_are_counted_under_its_own_path(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from supplement.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "midwives-style.yaml").write_text("extends: default\npage:\n  size: B5\n  margn: 1\n", encoding="utf-8")
    (tmp_path / "midwives.yaml").write_text(edit(BASE, "study:\n", "style: midwives-style.yaml\nstudy:\n"),
                                            encoding="utf-8")
    r = CliRunner().invoke(main, ["check", "midwives.yaml"])
    assert r.exit_code == 1
    assert r.stdout.splitlines()[-2:] == ["midwives.yaml: 0 errors, 0 warnings",
                                          "midwives-style.yaml: 2 errors, 0 warnings"]
    assert "midwives-style.yaml:3:9: error: 'B5' is not one of: letter, a4" in r.stdout


# --- participant codes, structured author names, the built citation --------------------------

def _doc(tmp_path, text, style=None):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    doc, report = compile_document(path, style)
    assert doc is not None, report.text()
    return doc


def test_participant_codes_print_in_the_number_column_and_in_citations_by_speaker(tmp_path):
    from supplement.resolve.document import ParticipantTable

    text = edit(BASE, "{id: p01, specialty: Surgery,", "{id: p01, code: P07, specialty: Surgery,")
    text = edit(text, "- text: Hello there\n", "- speaker: p01\n            text: Hello there\n")
    text = edit(text, "- text: Second words\n", "- speaker: p02\n            text: Second words\n")
    doc = _doc(tmp_path, text)
    table = next(i for i in doc.items if isinstance(i, ParticipantTable))
    assert [row[0].text for row in table.rows] == ["P07", "2."]  # p02 has no code: numbered by position
    quotes = [q.text for b in doc.items[1].blocks for f in b.findings for q in f.quotes]
    assert quotes[0] == "“Hello there” [Participant P07, 6]"
    assert quotes[1] == "“Second words” [Participant 2, Non-Op 1, 2]"


AUTHORS = "  authors: [{family: Müller, given: Zoë Anne}, {family: Peña, given: Jean-Paul}, W. Plain]\n  journal: J Ex\n  year: 2025\n"


def test_structured_authors_print_per_style_and_the_citation_ends_them_with_a_period(tmp_path):
    text = edit(BASE, "  title: A study\n", "  title: A study\n" + AUTHORS)
    jama = _doc(tmp_path, text, "jama")
    assert jama.cover.paragraphs[0].text == "Müller ZA, Peña J-P, W. Plain. A study. J Ex. 2025."
    assert jama.meta.authors == ("Zoë Anne Müller", "Jean-Paul Peña", "W. Plain")
    plain = _doc(tmp_path, edit(text, "style: default\n", "style: nejm\n") if "style: default\n" in text else
                 edit(text, "study:\n", "style: nejm\nstudy:\n"))
    assert "Supplement to: Zoë Anne Müller, Jean-Paul Peña, W. Plain. A study. J Ex. 2025." in [
        p.text for p in plain.cover.paragraphs]


def test_a_build_with_errors_in_its_style_file_counts_them_there(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from supplement.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "midwives-style.yaml").write_text("extends: default\npage:\n  size: B5\n", encoding="utf-8")
    (tmp_path / "midwives.yaml").write_text(edit(BASE, "study:\n", "style: midwives-style.yaml\nstudy:\n"),
                                            encoding="utf-8")
    r = CliRunner().invoke(main, ["build", "midwives.yaml", "--out", "out", "-q"])
    assert r.exit_code == 1 and not (tmp_path / "out" / "midwives.docx").exists()
    assert r.stderr.splitlines()[-2:] == ["midwives.yaml: 0 errors, 0 warnings; nothing written",
                                          "midwives-style.yaml: 1 error, 0 warnings"]


def test_checking_a_style_file_as_a_source_says_so(tmp_path):
    _, report = load(tmp_path, "extends: jama\npage:\n  size: a4\n")
    assert [(d.pos.line, d.pos.col, d.message, d.hint) for d in report.items] == [
        (1, 1, "this looks like a style file (it has 'extends', 'page'), not a source",
         "check the source that names it (style: this-file.yaml); supplement check reports the style's problems "
         "at its own lines")]
