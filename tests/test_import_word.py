"""Word appendices back into a source: the example's own .docx (all 122 quotes, citations and
notes equal to the example), and tables authors make by hand."""

from __future__ import annotations

import pytest
import yaml

from conftest import EXAMPLE
from importutil import assert_checks_and_builds, messages, outline, quotes, run
from supplement.importers import import_file
from supplement.importers.word_appendix import split_quote
from supplement.reader.cite import parse_shorthand


def expected_outline(path) -> list[tuple]:
    """The example as a reader sees it, read straight from its YAML (cites through the grammar)."""
    src = yaml.safe_load(path.read_text(encoding="utf-8"))

    def cite(c):
        if isinstance(c, dict):
            p = parse_shorthand(str(c["pages"]))[0].pages if c.get("pages") else None
            return c["source"], ((p.first, p.last) if p else None)
        ct = parse_shorthand(str(c))[0]
        return ct.source, ((ct.pages.first, ct.pages.last) if ct.pages else None)
    rows = []
    for t in src["themes"]:
        rows.append(("Theme", t["title"]))
        for blk in [t] + t.get("subthemes", []):
            if blk is not t:
                rows.append(("Subtheme", blk["title"]))
            for f in blk.get("findings", []):
                rows.append(("Finding", " ".join(f["text"].split())))
                for q in f.get("quotes", []):
                    rows.append(("Quote", " ".join(q["text"].split()), *cite(q["cite"]), q.get("note")))
    return rows, src


@pytest.fixture(scope="module")
def example_docx(tmp_path_factory):
    out = tmp_path_factory.mktemp("built")
    p = run("build", EXAMPLE, "--format", "docx", "--out", out)
    assert p.returncode == 0, p.stderr
    return out / "spinal-metastases.docx"


def test_example_docx_gives_back_the_example(example_docx):
    imp = import_file(str(example_docx))
    assert imp.family == "word"
    want, src = expected_outline(EXAMPLE)
    got = outline(imp.sup)
    assert len([r for r in got if r[0] == "Quote"]) == 122
    assert got == want  # every title, finding, quote, citation and note, in order
    assert not imp.report.items, messages(imp.report)
    sup = imp.sup
    assert sup.study.title == src["study"]["title"] and sup.study.short_title == src["study"]["short_title"]
    assert list(sup.study.keywords) == src["study"]["keywords"]
    p = sup.participants
    assert p.caption == src["participants"]["caption"]
    assert p.number_header == src["participants"]["number_header"]
    assert [c.label for c in p.columns] == [c["label"] for c in src["participants"]["columns"]]
    keys = {c["key"]: c["label"] for c in src["participants"]["columns"]}
    mine = {c.key: c.label for c in p.columns}
    want_rows = [({keys[k]: v for k, v in r.items() if k in keys}, bool(r.get("international")))
                 for r in src["participants"]["rows"]]
    got_rows = [({mine[k]: v for k, v in r.cells}, r.marks == ("international",)) for r in p.rows]
    assert got_rows == want_rows
    (mark,) = p.marks
    assert (mark.symbol, mark.note, mine[mark.column]) == ("*", "denotes international training", "Specialty")
    tt = sup.theme_table
    assert tt.caption == src["theme_table"]["caption"]  # '(I-X)' back to '{theme_range}'
    assert (tt.headers.theme, tt.headers.findings, tt.headers.quotes) == tuple(src["theme_table"]["headers"].values())
    assert sorted(s.label or "" for s in sup.sources) == sorted(s.get("label", "") for s in src["sources"])


def test_example_docx_equals_the_example_as_typed_models(example_docx):
    """The typed models (what `check` reads from the example, what import makes of its .docx)
    are equal theme by theme, ids and positions aside: every Finding and Quote value, with
    its Cite (source as written, pages) and note."""
    from supplement.reader import read_source
    want, report = read_source(EXAMPLE)
    assert want is not None, report.text()
    got = import_file(str(example_docx)).sup
    assert len(got.themes) == len(want.themes) == 10
    for w, g in zip(want.themes, got.themes):
        assert (g.title, g.findings) == (w.title, w.findings)
        assert [(s.title, s.findings) for s in g.subthemes] == [(s.title, s.findings) for s in w.subthemes]
    assert sum(len(f.quotes) for _, f in _findings(got)) == 122
    assert got.participants.rows == tuple(
        type(r)(id=r.id, cells=tuple((_key(got, want, k), v) for k, v in r.cells), marks=r.marks, code=r.code)
        for r in want.participants.rows)
    assert got.participants.marks[0].note == want.participants.marks[0].note
    assert (got.study.title, got.study.short_title, got.study.keywords) == \
        (want.study.title, want.study.short_title, want.study.keywords)


def _findings(sup):
    for t in sup.themes:
        for b in (t, *t.subthemes):
            for f in b.findings:
                yield b, f


def _key(got, want, key):
    """The imported column key for the example's column ``key`` (keys come from the labels)."""
    label = next(c.label for c in want.participants.columns if c.key == key)
    return next(c.key for c in got.participants.columns if c.label == label)


def _table_text(path):
    import docx
    d = docx.Document(str(path))
    return [[c.text for c in row.cells] for t in d.tables for row in t.rows]


def test_imported_example_checks_and_rebuilds_the_same_tables(example_docx, tmp_path):
    p = run("import", example_docx, "--to", tmp_path / "again.yaml")
    assert p.returncode == 0, p.stderr
    assert "10 themes, 6 subthemes, 17 findings, 122 quotes, 14 participants, 3 sources" in p.stdout
    assert_checks_and_builds(tmp_path / "again.yaml", tmp_path / "out", import_file(str(example_docx)).sup)
    assert _table_text(tmp_path / "out" / "again.docx") == _table_text(example_docx)


def test_a_quote_broken_into_paragraphs_is_one_quote():
    from supplement.importers.word_appendix import _quote_paragraphs

    class P:
        def __init__(self, text):
            self.text = text
    cell = [P("“First part of a long answer,"), P("and its end.” [Interview 1, 3]"), P("“Next.” [4]")]
    assert _quote_paragraphs(cell) == ["“First part of a long answer, and its end.” [Interview 1, 3]", "“Next.” [4]"]
    assert split_quote(_quote_paragraphs(cell)[0]) == ("First part of a long answer, and its end.", "Interview 1, 3", None)


@pytest.mark.parametrize("text, want", [
    ("“You just know.” [6]", ("You just know.", "6", None)),
    ("“You just know.” [Non-Op 1, 2] [when asked]", ("You just know.", "Non-Op 1, 2", "when asked")),
    ("“He said “no” [laughter] twice.” (Non Op 1,3)", ("He said “no” [laughter] twice.", "Non Op 1,3", None)),
    ("\"Plain quotes.\" [8-9]", ("Plain quotes.", "8-9", None)),
    ("No marks at all [p. 4]", ("No marks at all", "p. 4", None)),
    ("“A [bracket] inside.” [on rounds] [Int 2, 3]", ("A [bracket] inside.", "Int 2, 3", "on rounds")),
    ("“No citation.”", ("No citation.", None, None)),
])
def test_quote_cells_are_split_into_text_citation_and_note(text, want):
    assert split_quote(text) == want


def _handmade(path, per_quote_rows=False, missing_cite=False):
    import docx
    d = docx.Document()
    d.core_properties.title = "Escalation decisions"
    d.add_paragraph("Table 1. Participant characteristics.")
    t = d.add_table(rows=1, cols=3)
    for c, h in zip(t.rows[0].cells, ["ID", "Role", "Years"]):
        c.text = h
    for row in (["P01", "ICU nurse*", "12"], ["P02", "Ward nurse†", "3"], ["P03", "Ward nurse", "8"]):
        cells = t.add_row().cells
        for c, v in zip(cells, row):
            c.text = v
    d.add_paragraph("* denotes training abroad")
    d.add_paragraph("Table 2. Themes and supporting quotes.")
    t = d.add_table(rows=1, cols=3)
    for c, h in zip(t.rows[0].cells, ["Theme", "Finding", "Illustrative quotes"]):
        c.text = h
    data = [("Intuition", "Nurses act on a sense that something is wrong.",
             ["“You just know.” (Interview 1, p. 4)",
              "“I called anyway.” [Interview 2, 3] [night shift]" if not missing_cite else "“I called anyway.”"]),
            ("", "They also doubt themselves.", ["“Maybe I was wrong.” [Interview 1, 5]"]),
            ("A. Second opinions", "Colleagues confirm the sense.", ["“Ask someone.” [Focus group, 2-3]"])]
    for theme, finding, qs in data:
        if per_quote_rows:
            for i, q in enumerate(qs):
                cells = t.add_row().cells
                cells[0].text = theme if i == 0 else ""
                cells[1].text = finding  # repeated on every row, as some authors do
                cells[2].text = q
        else:
            cells = t.add_row().cells
            cells[0].text, cells[1].text = theme, finding
            cells[2].text = qs[0]
            for q in qs[1:]:
                cells[2].add_paragraph(q)
    if not per_quote_rows:  # the theme cell merged down over its two rows
        a, b = t.rows[1].cells[0], t.rows[2].cells[0]
        a.merge(b)
        a.paragraphs[0].text = "Intuition"
        for p in a.paragraphs[1:]:
            p._element.getparent().remove(p._element)
    d.save(str(path))
    return path


@pytest.mark.parametrize("per_quote_rows", [False, True])
def test_handmade_tables(tmp_path, per_quote_rows):
    f = _handmade(tmp_path / "hand.docx", per_quote_rows)
    imp = import_file(str(f))
    sup = imp.sup
    assert [t.title for t in sup.themes] == ["Intuition"]
    assert [s.title for s in sup.themes[0].subthemes] == ["Second opinions"]
    assert [f.text for f in sup.themes[0].findings] == ["Nurses act on a sense that something is wrong.",
                                                         "They also doubt themselves."]
    got = [(q.text, q.cite.source, (q.cite.pages.first, q.cite.pages.last), q.note) for q in quotes(sup)]
    assert got == [("You just know.", "Interview 1", (4, 4), None),
                   ("I called anyway.", "Interview 2", (3, 3), "night shift"),
                   ("Maybe I was wrong.", "Interview 1", (5, 5), None),
                   ("Ask someone.", "Focus group", (2, 3), None)]
    p = sup.participants
    assert p.number_header == "ID" and [r.code for r in p.rows] == ["P01", "P02", "P03"]
    assert [r.marks for r in p.rows] == [("training_abroad",), ("mark",), ()]
    assert p.marks[0].note == "denotes training abroad"
    assert "mark '†' has no note below the table" in messages(imp.report)
    assert p.caption == "Participant characteristics."
    target = tmp_path / "hand.yaml"
    p = run("import", f, "--to", target)
    assert p.returncode == 0, p.stderr


def test_handmade_source_checks_and_builds(tmp_path):
    f = _handmade(tmp_path / "hand.docx")
    assert run("import", f, "--to", tmp_path / "hand.yaml").returncode == 0
    text = (tmp_path / "hand.yaml").read_text(encoding="utf-8")
    assert "(meaning of the mark)" in text  # the missing note is a visible placeholder
    assert_checks_and_builds(tmp_path / "hand.yaml", tmp_path / "out", import_file(str(f)).sup)


def test_quote_without_citation_is_located_by_table_row_and_cell(tmp_path):
    f = _handmade(tmp_path / "hand.docx", missing_cite=True)
    imp = import_file(str(f))
    d = next(x for x in imp.report.items if "no citation" in x.message)
    assert d.pos.file.endswith("hand.docx (table 2, row 2, cell 3)")
    assert [q.cite.source for q in quotes(imp.sup)][1] == "Uncited"


def test_a_docx_without_tables_or_a_broken_one_is_an_error(tmp_path):
    import docx
    d = docx.Document()
    d.add_paragraph("just text")
    d.save(str(tmp_path / "plain.docx"))
    p = run("import", tmp_path / "plain.docx", "--to", tmp_path / "s.yaml")
    assert p.returncode == 1 and "holds no tables" in p.stderr
    (tmp_path / "broken.docx").write_bytes((tmp_path / "plain.docx").read_bytes()[:300])
    p = run("import", tmp_path / "broken.docx", "--to", tmp_path / "s.yaml")
    assert p.returncode == 1 and "broken.docx" in p.stderr
    assert not (tmp_path / "s.yaml").exists()


def _presets():
    from supplement.resolve.style import preset_names
    return [n for n in preset_names() if n != "default"]


@pytest.mark.parametrize("style", _presets())
def test_the_example_built_in_every_journal_style_imports_back(tmp_path, style):
    """Other styles print the same content differently (eTable 1, 'Focus group, p 6', grid rules,
    letters for marks): the quotes, citations and notes still come back equal."""
    from supplement.reader import read_source
    p = run("build", EXAMPLE, "--format", "docx", "--style", style, "--out", tmp_path)
    assert p.returncode == 0, p.stderr
    (built,) = tmp_path.glob("spinal-metastases*.docx")  # another style's output is named for it
    got = import_file(str(built)).sup
    want, _ = read_source(EXAMPLE)
    assert [(t.title, t.findings, [(s.title, s.findings) for s in t.subthemes]) for t in got.themes] == \
        [(t.title, t.findings, [(s.title, s.findings) for s in t.subthemes]) for t in want.themes]
    assert len(got.participants.rows) == 14


def test_the_examples_docx_merged_into_the_example_changes_nothing(example_docx, tmp_path):
    import shutil
    src = tmp_path / "spinal-metastases.yaml"
    shutil.copy(EXAMPLE, src)
    p = run("import", example_docx, "--into", src)
    assert p.returncode == 0, p.stderr
    assert "nothing to change" in p.stdout
    assert src.read_bytes() == EXAMPLE.read_bytes()


def test_a_quote_added_in_word_merges_into_the_example_in_place(example_docx, tmp_path):
    """The author adds a quote in the Word file; merged back, the example gains exactly that
    quote and keeps every one of its comment lines."""
    import shutil

    import docx
    d = docx.Document(str(example_docx))
    cell = d.tables[1].rows[1].cells[2]  # theme I's first finding: the cell of its quotes
    cell.add_paragraph("“A quote added in Word.” [Non-Op 2, 9]")
    edited = tmp_path / "edited.docx"
    d.save(str(edited))
    src = tmp_path / "spinal-metastases.yaml"
    shutil.copy(EXAMPLE, src)
    p = run("import", edited, "--into", src)
    assert p.returncode == 0, p.stderr
    assert "added quote 'A quote added in Word.' to 'Elements of Disease'" in p.stdout
    assert "edited in place (comments and layout kept)" in p.stdout
    before, after = EXAMPLE.read_text(encoding="utf-8"), src.read_text(encoding="utf-8")
    assert [ln for ln in before.splitlines() if ln.lstrip().startswith("#")] == \
        [ln for ln in after.splitlines() if ln.lstrip().startswith("#")]
    import difflib
    added = [ln[1:] for ln in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
             if ln.startswith("+") and not ln.startswith("+++")]
    removed = [ln for ln in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
               if ln.startswith("-") and not ln.startswith("---")]
    assert removed == [] and [a.strip() for a in added] == ["- text: A quote added in Word.", "cite: Non-Op 2, 9"]
