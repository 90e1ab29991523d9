"""The loader fed broken files: every message with its exact line, column and wording.

Positions are 1-based (``FILE:LINE:COL``) and point at the offending token: the value
for a wrong value, the key for an unknown or duplicate key, the start of an
unfinished construct. The line numbers refer to ``srcutil.BASE``.
"""

from __future__ import annotations

import time

import pytest

from srcutil import BASE, edit, load, only, problems
from supplement.diagnostics import Pos, Report, SourceError
from srcutil import load_source
from supplement.reader.located import YList, YMap, YStr
from supplement.reader.located_yaml import MAX_DEPTH, parse


def test_base_is_clean(tmp_path):
    src, report = load(tmp_path, BASE)
    assert report.items == []
    assert src is not None and src.study.title == "A study"


# --- message format --------------------------------------------------------------------


def test_message_format_is_file_line_col_severity_message_then_hint(tmp_path):
    _, report = load(tmp_path, edit(BASE, "  title: A study", "  titel: A study"))
    path = str(tmp_path / "study.yaml")
    assert report.text() == (f"{path}:3:3: error: unknown key 'titel' in study\n"
                             "    hint: did you mean 'title'?")


def test_diagnostic_as_dict_has_the_json_fields():
    d = Report()
    d.error(Pos("f.yaml", 3, 9), "boom", "do this")
    assert d.items[0].as_dict() == {"severity": "error", "file": "f.yaml", "line": 3, "col": 9,
                                    "message": "boom", "hint": "do this"}


def test_a_position_without_line_prints_only_the_file():
    assert str(Pos("f.yaml")) == "f.yaml"
    assert str(Pos("f.yaml", 2, 5)) == "f.yaml:2:5"


# --- YAML syntax -------------------------------------------------------------------------


def test_unclosed_flow_sequence_points_at_where_it_was_noticed_and_names_its_start(tmp_path):
    d = only(tmp_path, edit(BASE, "title: A study", "title: [A study"))
    assert (d.pos.line, d.pos.col) == (4, 13)
    assert d.message == ("invalid YAML: did not find expected ',' or ']' "
                         "(while parsing a flow sequence that starts at line 3, column 10)")
    assert "not closed" in d.hint


def test_unclosed_flow_mapping(tmp_path):
    d = only(tmp_path, edit(BASE, "- {key: specialty, label: Specialty}", "- {key: specialty, label: Specialty"))
    assert (d.pos.line, d.pos.col) == (8, 8)
    assert d.message == ("invalid YAML: did not find expected ',' or '}' "
                         "(while parsing a flow mapping that starts at line 7, column 7)")


def test_unclosed_quote_points_at_the_opening_quote(tmp_path):
    d = only(tmp_path, edit(BASE, "text: Third words", "text: 'Third words"))
    assert (d.pos.line, d.pos.col, d.message) == (36, 19, "invalid YAML: this quoted text is never closed")
    assert "closing quote" in d.hint


def test_colon_space_in_a_plain_value(tmp_path):
    d = only(tmp_path, edit(BASE, "text: Hello there", "text: He said: hello"))
    assert (d.pos.line, d.pos.col) == (27, 26)
    assert d.message == "invalid YAML: mapping values are not allowed in this context"
    assert d.hint == ("a value containing ': ' must be quoted, e.g. text: 'He said: yes'; "
                      "reading stops at a YAML syntax error: problems after it show once it is fixed")


def test_unknown_escape_in_double_quotes(tmp_path):
    d = only(tmp_path, edit(BASE, "text: Hello there", 'text: "Hello \\q there"'))
    assert (d.pos.line, d.pos.col, d.message) == (27, 26, "invalid YAML: found unknown escape character")
    assert "backslash" in d.hint


@pytest.mark.parametrize("old,new,line", [
    ("  title: A study", "\ttitle: A study", 3),
    ("    title: First theme", "\ttitle: First theme", 23),
    ("    title: First theme", "  \t  title: First theme", 23),
])
def test_tab_indentation(tmp_path, old, new, line):
    d = only(tmp_path, edit(BASE, old, new))
    assert d.pos.line == line
    assert d.message == "invalid YAML: a tab character cannot indent YAML"
    assert d.hint == "indent with spaces; reading stops at a YAML syntax error: problems after it show once it is fixed"


def test_every_indenting_tab_is_reported_at_once(tmp_path):
    text = edit(edit(BASE, "  title: A study", "\ttitle: A study"), "    title: First theme", "  \t  title: First theme")
    _, report = load(tmp_path, text)
    assert [(d.pos.line, d.pos.col, d.message, d.hint) for d in report.sorted()] == [
        (3, 1, "invalid YAML: a tab character cannot indent YAML",
         "indent with spaces; reading stops at a YAML syntax error: problems after it show once it is fixed"),
        (23, 3, "invalid YAML: a tab character cannot indent YAML", "indent with spaces")]


def test_a_tab_inside_a_value_is_fine(tmp_path):
    src, report = load(tmp_path, edit(BASE, "text: Hello there", 'text: "Hello\\tthere"'))
    assert report.items == [] and src.themes[0].findings[0].quotes[0].text == "Hello\tthere"


# --- encoding and characters --------------------------------------------------------------


def test_control_character_in_the_file(tmp_path):
    d = only(tmp_path, edit(BASE, "Hello there", "Hello\x07there"))
    assert (d.pos.line, d.pos.col) == (27, 24)
    assert d.message == "control character U+0007 is not allowed in a source"
    assert "delete it" in d.hint


def test_every_control_character_is_reported(tmp_path):
    text = edit(edit(BASE, "Hello there", "Hello\x07there\x1b"), "Third words", "Third\x7fwords")
    assert problems(tmp_path, text) == [
        "27:24: error: control character U+0007 is not allowed in a source",
        "27:30: error: control character U+001B is not allowed in a source",
        "36:24: error: control character U+007F is not allowed in a source",
    ]


def test_escaped_control_character_in_a_value(tmp_path):
    d = only(tmp_path, edit(BASE, "text: Hello there", 'text: "Hello\\u0007there"'))
    assert (d.pos.line, d.pos.col) == (27, 19)
    assert d.message == ('text contains the control character U+0007 at character 6 ("…Hello"), '
                         "which cannot be stored in a Word or PDF file")


def test_nul_byte_means_a_binary_file(tmp_path):
    d = only(tmp_path, BASE.encode().replace(b"Hello there", b"Hello\x00there"))
    assert (d.pos.line, d.pos.col, d.message) == (27, 24, "file contains a NUL byte; is it a binary file?")


def test_non_utf8_file(tmp_path):
    d = only(tmp_path, edit(BASE, "A study", "Café study").encode("latin-1"))
    assert (d.pos.line, d.pos.col) == (3, 13)
    assert d.message == "byte 0xe9 is not valid UTF-8; sources must be UTF-8 text"
    assert "UTF-8" in d.hint


def test_utf16_file(tmp_path):
    d = only(tmp_path, b"\xff\xfe" + BASE.encode("utf-16-le"))
    assert (d.pos.line, d.pos.col) == (1, 1)
    assert d.message == "file is UTF-16 or UTF-32 encoded; sources must be UTF-8"


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    src, report = load(tmp_path, b"\xef\xbb\xbf" + BASE.encode())
    assert report.items == [] and src is not None


def test_non_ascii_text_keeps_columns_in_characters(tmp_path):
    # 'é' is two bytes; the column of the error after it still counts characters
    d = only(tmp_path, edit(BASE, "text: Hello there", "text: Héllo: there"))
    assert (d.pos.line, d.pos.col) == (27, 24)


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n", b""])
def test_empty_file(tmp_path, content):
    d = only(tmp_path, content)
    assert (d.pos.line, d.pos.col, d.message) == (1, 1, "the file is empty")
    assert "schema: 1" in d.hint


def test_missing_file(tmp_path):
    src, report = load_source(tmp_path / "nope.yaml")
    assert src is None
    assert [d.message for d in report.items] == ["cannot read file: No such file or directory"]


def test_a_directory_is_refused_not_crashed_on(tmp_path):
    src, report = load_source(tmp_path)
    assert src is None
    assert [d.message for d in report.items] == [
        "not a regular file (a directory, pipe or device); give the path of a .yaml file"]


# --- resource limits ------------------------------------------------------------------------


def test_deeply_nested_file(tmp_path):
    d = only(tmp_path, edit(BASE, "title: A study", "title: " + "[" * 70 + "]" * 70))
    # the root mapping and 'study' are two levels; the 63rd '[' (column 10 + 62) is level 65
    assert (d.pos.line, d.pos.col) == (3, 72)
    assert d.message == f"nesting deeper than {MAX_DEPTH} levels"


def test_deep_block_nesting(tmp_path):
    text = "schema: 1\nstudy:\n" + "".join("  " * i + "  -\n" for i in range(80))
    d = only(tmp_path, text)
    # line 3 holds level 2 (root mapping, then the list under 'study'); line 66 would be level 65
    assert d.pos.line == 2 + MAX_DEPTH and d.message == f"nesting deeper than {MAX_DEPTH} levels"


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    start = time.perf_counter()
    d = only(tmp_path, "\n".join(lines) + "\n")
    assert time.perf_counter() - start < 5
    # the limit itself is the hardening tests' business; here: refused, located, explained
    assert "alias" in d.message and "expand" in d.message
    assert 2 <= d.pos.line <= 9 and d.pos.col > 1  # at the reference that passes the limit
    assert "alias" in d.hint


def test_small_aliases_are_allowed(tmp_path):
    text = edit(BASE, "    kind: focus group", "    kind: &k focus group")
    text = edit(text, "    kind: interview", "    kind: *k")
    src, report = load(tmp_path, text)
    assert report.items == [] and src.sources[1].kind == "focus group"


def test_undefined_alias(tmp_path):
    d = only(tmp_path, edit(BASE, "    kind: interview", "    kind: *nope"))
    assert d.pos.line == 18 and "nope" in d.message


# --- YAML features that are refused ---------------------------------------------------------


def test_duplicate_key(tmp_path):
    d = only(tmp_path, edit(BASE, "  title: A study\n", "  title: A study\n  title: Again\n"))
    assert (d.pos.line, d.pos.col, d.message) == (4, 3, "duplicate key 'title' (first at line 3)")
    assert "only one of them" in d.hint


def test_duplicate_key_in_a_quote(tmp_path):
    d = only(tmp_path, edit(BASE, "            cite: 6\n", "            cite: 6\n            cite: 7\n"))
    assert (d.pos.line, d.pos.col, d.message) == (29, 13, "duplicate key 'cite' (first at line 28)")


def test_python_tag_is_refused(tmp_path):
    d = only(tmp_path, edit(BASE, "schema: 1", "schema: !!python/name:os.system 1"))
    assert (d.pos.line, d.pos.col) == (1, 9)
    assert d.message == "YAML tag 'tag:yaml.org,2002:python/name:os.system' is not allowed"


def test_second_document_is_refused(tmp_path):
    d = only(tmp_path, BASE + "---\nschema: 1\n")
    assert (d.pos.line, d.pos.col, d.message) == (38, 1, "a source holds one YAML document; found a second '---'")


def test_top_level_must_be_a_mapping(tmp_path):
    d = only(tmp_path, "- schema\n- 1\n")
    assert (d.pos.line, d.pos.col, d.message) == (1, 1, "expected a mapping (source file), found a list")


def test_scalars_stay_the_text_typed(tmp_path):
    """No YAML 1.1 surprises: 'no' is not False, '1.10' is not 1.1, '08' is not 8."""
    text = edit(BASE, "title: A study", "title: no")
    text = edit(text, "label: Non-Op 1", "label: 1.10")
    text = edit(text, "{id: p02, specialty: Oncology}", "{id: p02, specialty: 08}")
    text = edit(text, "cite: Non-Op 1, 2", "cite: '1.10, 2'")
    src, report = load(tmp_path, text)
    assert report.errors == [], report.text()
    assert src.study.title == "no" and src.sources[1].label == "1.10"
    assert src.participants.rows[1].cell("specialty") == "08"


def test_parse_keeps_positions_of_values_and_keys():
    tree = parse("a:\n  - x\n  - {b: 'y'}\n", "f.yaml")
    assert isinstance(tree, YMap) and tree.kpos["a"] == Pos("f.yaml", 1, 1)
    seq = tree["a"]
    assert isinstance(seq, YList) and seq.pos == Pos("f.yaml", 2, 3)
    assert isinstance(seq[0], YStr) and seq[0].pos == Pos("f.yaml", 2, 5) and seq[0].plain
    assert seq[1]["b"] == "y" and not seq[1]["b"].plain and seq[1]["b"].pos == Pos("f.yaml", 3, 9)


def test_parse_raises_source_error_with_the_report():
    with pytest.raises(SourceError) as e:
        parse("a: [\n", "f.yaml")
    assert e.value.report.errors[0].pos.file == "f.yaml"


# --- shape: types, keys, required values ---------------------------------------------------


def test_wrong_type_number(tmp_path):
    d = only(tmp_path, edit(BASE, "  title: A study\n", "  title: A study\n  year: soon\n"))
    assert (d.pos.line, d.pos.col, d.message) == (4, 9, "expected a whole number, found 'soon'")


def test_number_out_of_range(tmp_path):
    d = only(tmp_path, edit(BASE, "  title: A study\n", "  title: A study\n  year: 99\n"))
    assert (d.pos.line, d.pos.col, d.message) == (4, 9, "99 is out of range (1000 to 9999)")


def test_wrong_type_list_expected(tmp_path):
    d = only(tmp_path, edit(BASE, "  columns:\n    - {key: specialty, label: Specialty}\n", "  columns: specialty\n"))
    assert (d.pos.line, d.pos.col, d.message) == (6, 12, "expected a list, found 'specialty'")


def test_wrong_type_mapping_where_a_list_is_expected(tmp_path):
    text = edit(BASE, "    findings:\n      - text: Another finding\n        quotes:\n          - text: Third words\n"
                      "            cite: 8-9\n", "    findings: {text: Another finding}\n")
    assert "33:15: error: expected a list, found a mapping" in problems(tmp_path, text)


def test_wrong_type_flag(tmp_path):
    d = only(tmp_path, edit(BASE, "{id: p02, specialty: Oncology}", "{id: p02, specialty: Oncology, international: maybe}"))
    assert (d.pos.line, d.pos.col, d.message) == (12, 53, "expected true or false, found 'maybe'")


def test_wrong_type_citation(tmp_path):
    d = only(tmp_path, edit(BASE, "cite: 8-9", "cite: [8, 9]"))
    assert (d.pos.line, d.pos.col) == (37, 19)
    assert d.message == ("expected a citation: 6, 8-9, 'Non-Op 1, 2' or {source: NonOp1, pages: 3-4}, "
                         "found a list")


def test_unknown_key_with_did_you_mean(tmp_path):
    """A misspelt required key is one error, not also 'missing'."""
    d = only(tmp_path, edit(BASE, "  title: A study", "  titel: A study"))
    assert (d.pos.line, d.pos.col, d.message, d.hint) == (3, 3, "unknown key 'titel' in study", "did you mean 'title'?")


def test_unknown_key_in_a_finding(tmp_path):
    _, report = load(tmp_path, edit(BASE, "        quotes:\n          - text: Third", "        qoutes:\n          - text: Third"))
    (d,) = report.errors
    assert (d.pos.line, d.pos.col, d.message, d.hint) == (35, 9, "unknown key 'qoutes' in finding", "did you mean 'quotes'?")


def test_unknown_key_without_a_near_match_lists_the_known_keys(tmp_path):
    d = only(tmp_path, edit(BASE, "  title: A study", "  title: A study\n  zzz: 1"))
    assert (d.pos.line, d.pos.col, d.message) == (4, 3, "unknown key 'zzz' in study")
    assert d.hint.startswith("known keys: title, short_title, authors, year")


def test_unknown_key_in_a_structured_citation(tmp_path):
    d = only(tmp_path, edit(BASE, "cite: 8-9", "cite: {source: NonOp1, page: 8-9}"))
    assert (d.pos.line, d.pos.col, d.message, d.hint) == (37, 36, "unknown key 'page' in cite", "did you mean 'pages'?")


def test_missing_required_key(tmp_path):
    d = only(tmp_path, edit(BASE, "    kind: interview\n", ""))
    assert (d.pos.line, d.pos.col, d.message) == (16, 5, "source is missing 'kind' (focus group, interview, field notes…)")


def test_missing_source_in_structured_citation(tmp_path):
    d = only(tmp_path, edit(BASE, "cite: 8-9", "cite: {pages: 8-9}"))
    assert (d.pos.line, d.pos.col, d.message) == (37, 19, "cite is missing 'source' (source id or label)")


def test_bad_page_range(tmp_path):
    d = only(tmp_path, edit(BASE, "cite: 8-9", "cite: 9-8"))
    assert (d.pos.line, d.pos.col, d.message) == (37, 19, "page range 9-8 runs backwards; write 8-9")


@pytest.mark.parametrize("cite,message", [
    ("0", "page 0 does not exist; pages start at 1"),
    ("Non-Op 1, 9-8", "page range 9-8 runs backwards; write 8-9"),
    ("'Non-Op 1, 9–8'", "page range 9-8 runs backwards; write 8-9"),
    ("{source: NonOp1, pages: 9-8}", "page range 9-8 runs backwards; write 8-9"),
    ("{source: NonOp1, pages: x}", "'x' is not a page or page range (write 3 or 3-4)"),
    ("''", "the citation is empty"),
])
def test_bad_pages(tmp_path, cite, message):
    d = only(tmp_path, edit(BASE, "cite: 8-9", f"cite: {cite}"))
    assert d.pos.line == 37 and d.message == message


def test_empty_title(tmp_path):
    d = only(tmp_path, edit(BASE, "title: A study", "title: ''"))
    assert (d.pos.line, d.pos.col, d.message) == (3, 10, "text is empty")


def test_blank_title(tmp_path):
    d = only(tmp_path, edit(BASE, "title: A study", "title: '   '"))
    assert (d.pos.line, d.pos.col, d.message) == (3, 10, "text is empty")


def test_null_title(tmp_path):
    d = only(tmp_path, edit(BASE, "title: A study", "title:"))
    assert (d.pos.line, d.pos.col, d.message) == (3, 9, "expected text, found nothing (null)")


def test_bad_id(tmp_path):
    d = only(tmp_path, edit(BASE, "- id: t1", "- id: 1st"))
    assert (d.pos.line, d.pos.col) == (22, 9)
    assert d.message == ("'1st' is not valid here: an id starts with a letter and holds letters, digits, "
                         "'-', '_' or '.' (e.g. p03)")


def test_unsupported_schema_version(tmp_path):
    d = only(tmp_path, edit(BASE, "schema: 1", "schema: 2"))
    assert (d.pos.line, d.pos.col) == (1, 9)
    assert d.message == "schema 2 is newer than this version of supplement reads (schema 1)"


def test_schema_version_1_0_is_not_1(tmp_path):
    d = only(tmp_path, edit(BASE, "schema: 1", "schema: '1.0'"))
    assert d.message == "schema version '1.0' is not supported; this version of supplement reads schema 1"


def test_missing_schema_version(tmp_path):
    d = only(tmp_path, edit(BASE, "schema: 1\n", ""))
    assert (d.pos.line, d.pos.col, d.message) == (1, 1, "source file is missing 'schema' (format version; 1)")


def test_missing_everything(tmp_path):
    assert problems(tmp_path, "schema: 1\n") == [
        "1:1: error: source file is missing 'study'",
        "1:1: error: source file is missing 'sources'",
        "1:1: error: source file is missing 'themes'",
    ]


def test_empty_required_list(tmp_path):
    text = edit(BASE, "  rows:\n    - {id: p01, specialty: Surgery, international: true}\n"
                      "    - {id: p02, specialty: Oncology}\n", "  rows: []\n")
    assert problems(tmp_path, text) == ["10:9: error: the list is empty; at least 1 item is needed"]


def test_a_single_value_where_a_list_of_text_is_expected_is_one_item(tmp_path):
    src, report = load(tmp_path, edit(BASE, "  title: A study\n", "  title: A study\n  authors: A. Author\n"))
    assert report.items == [] and src.study.authors == ("A. Author",)


def test_every_shape_problem_is_reported_at_once(tmp_path):
    text = edit(BASE, "  title: A study\n", "  title: ''\n  year: soon\n")          # lines 3, 4
    text = edit(text, "    kind: focus group", "    knd: focus group")             # line 16
    text = edit(text, "- id: t1", "- id: 1st")                                      # line 23
    text = edit(text, "cite: 8-9", "cite: 9-8")                                     # line 38
    assert problems(tmp_path, text) == [
        "3:10: error: text is empty",
        "4:9: error: expected a whole number, found 'soon'",
        "16:5: error: unknown key 'knd' in source",
        "23:9: error: '1st' is not valid here: an id starts with a letter and holds letters, digits, "
        "'-', '_' or '.' (e.g. p03)",
        "38:19: error: page range 9-8 runs backwards; write 8-9",
    ]


def test_an_alias_may_stand_for_a_plain_key_but_not_for_a_list_or_mapping():
    tree = parse("a: &k name\n*k : 1\n", "f.yaml")
    assert tree == {"a": "name", "name": "1"} and tree.kpos["name"] == Pos("f.yaml", 1, 4)  # the anchored value
    for text, message in (("a: &k [1]\n? *k\n: 2\n", "a mapping key must be a plain value, not a list or mapping"),
                          ("name: 0\na: &k name\n*k : 1\n", "duplicate key 'name' (first at line 1)")):
        with pytest.raises(SourceError) as e:
            parse(text, "f.yaml")
        (d,) = e.value.report.errors
        assert (d.message, d.pos.line) == (message, 3 if "duplicate" in message else 2), d


def test_every_value_of_a_larger_tree_keeps_its_type_and_position():
    text = "".join(f"k{i}:\n  - {{t: 'q{i}', n: {i}}}\n  - [x, &a{i} y, *a{i}]\n" for i in range(300))
    tree = parse(text, "f.yaml")
    assert list(tree) == [f"k{i}" for i in range(300)]
    for i in range(300):
        m, seq = tree[f"k{i}"]
        assert tree.kpos[f"k{i}"] == Pos("f.yaml", 3 * i + 1, 1)
        assert isinstance(m, YMap) and m.pos == Pos("f.yaml", 3 * i + 2, 5)
        assert m["t"] == f"q{i}" and not m["t"].plain and m["n"].plain and m["n"].pos == Pos("f.yaml", 3 * i + 2, 17 + len(str(i)))
        assert isinstance(seq, YList) and seq == ["x", "y", "y"] and seq[2] is seq[1]
        assert seq.pos == Pos("f.yaml", 3 * i + 3, 5) and seq[1].pos == Pos("f.yaml", 3 * i + 3, 9)  # at its anchor
