"""Coded-segment tables: each tool's CSV/XLSX layout, the column mapping, and located errors."""

from __future__ import annotations

import csv
import io

import pytest

from importutil import assert_checks_and_builds, messages, quotes, run
from supplement.diagnostics import SourceError
from supplement.importers import import_file
from supplement.importers.segments import parse_columns


def write_csv(path, rows, newline="\r\n", delimiter=",", bom=False):
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline, delimiter=delimiter).writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))
    return path


def write_xlsx(path, rows, title="Sheet1", above=()):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in list(above) + list(rows):
        ws.append(r)
    wb.save(path)
    return path


TAGUETTE = [["id", "document", "tag", "content"],
            ["1", "Interview 1", "intuition\\gut feeling", "You just know."],
            ["1", "Interview 1", "support", "You just know."],          # same highlight, second tag
            ["2", "Interview 1", "intuition", "I called anyway."],
            ["3", "Focus group", "support", "A second opinion helps."]]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_taguette_highlights(tmp_path, kind):
    f = write_csv(tmp_path / "h.csv", TAGUETTE) if kind == "csv" else write_xlsx(tmp_path / "h.xlsx", TAGUETTE)
    imp = import_file(str(f))
    sup = imp.sup
    assert [t.title for t in sup.themes] == ["intuition", "support"]
    assert [s.title for s in sup.themes[0].subthemes] == ["gut feeling"]
    assert [q.text for q in sup.themes[0].subthemes[0].findings[0].quotes] == ["You just know."]
    assert [q.text for q in sup.themes[0].findings[0].quotes] == ["I called anyway."]
    assert [q.text for q in sup.themes[1].findings[0].quotes] == ["You just know.", "A second opinion helps."]
    assert sup.themes[1].findings[0].quotes[0].id == "q1"
    assert [(s.label, s.kind) for s in sup.sources] == [("Interview 1", "interview"), ("Focus group", "focus group")]
    assert "more than one code" in " ".join(imp.review)


def test_taguette_codebook_csv_gives_themes_with_descriptions(tmp_path):
    f = write_csv(tmp_path / "codebook.csv", [["tag", "description", "number of highlights"],
                                             ["intuition", "Acting on a sense", "3"],
                                             ["intuition\\night", "", "1"]])
    sup = import_file(str(f)).sup
    assert [t.title for t in sup.themes] == ["intuition"]
    assert sup.themes[0].subthemes[0].title == "night"


QUALCODER = [["File", "Coder", "Coded", "Id", "Codename", "Coded_Memo", "Category", "Category"],
             ["int1.txt", "default", "You just know.", "17", "gut feeling", "quick", "intuition", "nursing"],
             ["int1.txt", "default", "I called anyway.", "18", "acting", "", "intuition", "nursing"],
             ["fg.txt", "default", "Guidelines help.", "19", "guidelines", "", "", ""]]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_qualcoder_coding_report_categories_nearest_parent_first(tmp_path, kind):
    f = write_csv(tmp_path / "r.csv", QUALCODER) if kind == "csv" else write_xlsx(tmp_path / "r.xlsx", QUALCODER)
    imp = import_file(str(f), levels=__import__("supplement.importers.outline", fromlist=["Levels"]).Levels(2, 3))
    sup = imp.sup
    # tree: nursing > intuition > {gut feeling, acting}; guidelines at the top (no category)
    assert [t.title for t in sup.themes] == ["intuition"]
    assert [s.title for s in sup.themes[0].subthemes] == ["gut feeling", "acting"]
    q = sup.themes[0].subthemes[0].findings[0].quotes[0]
    assert (q.text, q.cite.source, q.id) == ("You just know.", "int1", "q17")
    assert "memo: quick" in q.comment
    assert "guidelines" in messages(imp.report) and "above the theme level" in messages(imp.report)


def test_qualcoder_case_report_sets_speakers(tmp_path):
    rows = [["Case", "Filename", "Coder", "Coded", "Id", "Codename", "Coded_Memo", "Category"],
            ["Nurse A", "int1.txt", "x", "You just know.", "1", "gut feeling", "", "intuition"],
            ["Nurse B", "int2.txt", "x", "Not me.", "2", "gut feeling", "", "intuition"]]
    sup = import_file(str(write_csv(tmp_path / "c.csv", rows))).sup
    assert [r.id for r in sup.participants.rows] == ["nurse-a", "nurse-b"]
    assert [q.speaker for q in quotes(sup)] == ["nurse-a", "nurse-b"]
    assert [s.participants for s in sup.sources] == [("nurse-a",), ("nurse-b",)]


@pytest.mark.parametrize("sep", [" > ", "\\"])
def test_maxqda_coded_segments_both_hierarchy_spellings(tmp_path, sep):
    rows = [["Color", "Document group", "Document name", "Code", "Beginning", "End", "Segment", "Comment",
             "Created by"],
            ["", "Nurses", "Interview 1", f"Intuition{sep}Gut feeling", "3", "3", "You just know.", "", "jb"],
            ["", "Nurses", "Interview 2", "Intuition", "5", "6", "I called anyway.", "check", "jb"]]
    f = write_xlsx(tmp_path / "m.xlsx", rows, "Coded Segments", above=[["Coded Segments"], []])
    sup = import_file(str(f)).sup
    assert [t.title for t in sup.themes] == ["Intuition"]
    assert sup.themes[0].subthemes[0].findings[0].quotes[0].text == "You just know."
    assert sup.themes[0].findings[0].quotes[0].comment == "memo: check"


def test_atlasti_quotations_with_several_codes_per_cell(tmp_path):
    rows = [["ID", "Quotation Content", "Document", "Codes", "Comment", "Reference"],
            ["1:3", "You just know.", "Interview 1", "Intuition\nSupport", "", "12 - 12"],
            ["2:1", "Guidelines help.", "Interview 2", "Support", "memo", "3 - 4"]]
    sup = import_file(str(write_xlsx(tmp_path / "a.xlsx", rows)), fmt="atlasti").sup
    assert [t.title for t in sup.themes] == ["Intuition", "Support"]
    assert [q.text for q in sup.themes[1].findings[0].quotes] == ["You just know.", "Guidelines help."]
    assert sup.themes[0].findings[0].quotes[0].id == "q1-3"


def test_column_mapping_for_any_table(tmp_path):
    rows = [["Excerpt", "Main theme", "Sub", "Transcript", "Who", "Pg"],
            ["You just know.", "Intuition", "Gut", "Int 1", "N1", "4"],
            ["I called anyway.", "Intuition", "", "Int 1", "N1", "5-6"]]
    f = write_csv(tmp_path / "t.csv", rows, delimiter=";", bom=True, newline="\n")
    p = run("import", f, "--to", tmp_path / "s.yaml",
            "--columns", 'text=Excerpt,theme="Main theme",subtheme=Sub,source=Transcript,speaker=Who,page=Pg')
    assert p.returncode == 0, p.stderr
    imp = import_file(str(f), columns=parse_columns("text=Excerpt,theme=Main theme,subtheme=Sub,"
                                                    "source=Transcript,speaker=Who,page=Pg"))
    q = quotes(imp.sup)
    assert [(x.text, x.cite.pages.first, x.cite.pages.last, x.speaker) for x in q] == [
        ("I called anyway.", 5, 6, "n1"), ("You just know.", 4, 4, "n1")]  # the theme's own, then its subtheme's
    assert_checks_and_builds(tmp_path / "s.yaml", tmp_path / "out", imp.sup)


def test_unknown_layout_names_the_headers_and_suggests_a_mapping(tmp_path):
    f = write_csv(tmp_path / "x.csv", [["Foo", "Bar"], ["1", "2"]])
    p = run("import", f, "--to", tmp_path / "s.yaml")
    assert p.returncode == 1
    assert "x.csv:1:1: error: the header row" in p.stderr
    assert "'Foo', 'Bar'" in p.stderr and "--columns" in p.stderr
    assert not (tmp_path / "s.yaml").exists()


def test_mapping_to_a_missing_column_is_located(tmp_path):
    f = write_csv(tmp_path / "x.csv", [["Text", "Code"], ["a", "b"]])
    with pytest.raises(SourceError) as e:
        import_file(str(f), columns={"text": "Text", "code": "Kode"})
    assert "'Kode'" in e.value.report.text()


@pytest.mark.parametrize("spec, says", [("text", "ROLE=HEADER"), ("words=Text", "unknown role"),
                                         ("code=Code", "needs text=")])
def test_bad_column_mapping_is_a_usage_error(tmp_path, spec, says):
    f = write_csv(tmp_path / "x.csv", [["Text", "Code"], ["a", "b"]])
    p = run("import", f, "--columns", spec, "--to", tmp_path / "s.yaml")
    assert p.returncode == 2 and says in p.stderr


def test_rows_without_text_or_code_are_located_warnings(tmp_path):
    rows = [["id", "document", "tag", "content"], ["1", "Int", "a", ""], ["2", "Int", "", "words"],
            ["3", "Int", "a", "kept"]]
    imp = import_file(str(write_csv(tmp_path / "h.csv", rows)))
    said = [(d.pos.line, d.pos.col, d.message) for d in imp.report.items]
    assert (2, 4, "row has no coded text; skipped") in said
    assert (3, 3, "row has no code; its text is not imported") in said
    assert [q.text for q in quotes(imp.sup)] == ["kept"]


def test_latin1_csv_is_read(tmp_path):
    data = "id,document,tag,content\r\n1,Entretien,thème,Café crème\r\n".encode("cp1252")
    (tmp_path / "l.csv").write_bytes(data)
    sup = import_file(str(tmp_path / "l.csv")).sup
    assert quotes(sup)[0].text == "Café crème" and sup.themes[0].title == "thème"


MAXQDA = [["Document group", "Document name", "Code", "Segment", "Comment"],
          ["Nurses", "Interview 1", "Intuition > Gut feeling", "You just know.", ""],
          ["Nurses", "Interview 2", "Intuition", "I called anyway.", "check"]]
ATLAS = [["ID", "Quotation Content", "Document", "Codes", "Comment"],
         ["1:3", "You just know.", "Interview 1", "Intuition\nSupport", ""]]


@pytest.mark.parametrize("name, rows, fmt", [("taguette.csv", TAGUETTE, None), ("qualcoder.xlsx", QUALCODER, None),
                                             ("maxqda.xlsx", MAXQDA, None), ("atlas.xlsx", ATLAS, "atlasti")])
def test_every_layout_gives_a_source_that_checks_and_builds(tmp_path, name, rows, fmt):
    f = write_csv(tmp_path / name, rows) if name.endswith(".csv") else write_xlsx(tmp_path / name, rows)
    target = tmp_path / "s.yaml"
    p = run("import", f, "--to", target, *(["--from", fmt] if fmt else []))
    assert p.returncode == 0, p.stderr
    assert_checks_and_builds(target, tmp_path / "out", import_file(str(f), fmt=fmt).sup)
