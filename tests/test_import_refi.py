"""REFI-QDA import: projects built here after the QDA-XML 1.0 schema, with each quirk real
files show (any .qde name, Sources/, namespace spellings, non-GUID guids, invalid colours,
an empty NVivo .txt beside its .docx, CRLF counted as one or two characters, a BOM)."""

from __future__ import annotations

import zipfile

import pytest

from importutil import assert_checks_and_builds, messages, outline, quotes, run
from qdafixtures import (G_DEEP, G_SUB1, G_THEME2, LINES1, Sel, Spec, project_xml, write_qdpx)
from supplement.diagnostics import SourceError
from supplement.importers import import_file
from supplement.importers.outline import Levels

Q1 = "You just know when something is wrong."
Q2 = "I called the doctor anyway, at three in the morning."
Q3 = "A second opinion from a colleague helps most."
Q4 = "Guidelines are a starting point, not the answer."


def imported(tmp_path, spec=Spec(), **kw):
    return import_file(str(write_qdpx(tmp_path / "p.qdpx", spec)), **kw)


def test_project_becomes_themes_subthemes_findings_and_quotes(tmp_path):
    imp = imported(tmp_path)
    sup = imp.sup
    assert [t.title for t in sup.themes] == ["Trusting intuition", "Support"]
    assert [s.title for s in sup.themes[0].subthemes] == ["Gut feeling", "Acting anyway"]
    gut = sup.themes[0].subthemes[0]
    # the subtheme's own finding (its description), then the folded deeper code as a finding
    assert [f.text for f in gut.findings] == ["Knowing without being able to say why.",
                                              "Gut feeling > Night shifts"]
    assert [q.text for q in gut.findings[0].quotes] == [Q1]
    assert [q.text for q in gut.findings[1].quotes] == [Q2]
    assert "folded" in " ".join(imp.review) and "Night shifts" in " ".join(imp.review)
    # the top code is a folder: its description is kept as a comment for the author
    assert "Nurses act on a sense" in sup.themes[0].comment and "folder" in sup.themes[0].comment
    q1 = gut.findings[0].quotes[0]
    assert q1.cite.source == "Interview 1" and q1.cite.pages is None
    assert q1.id == "q9D0E1F20-0000-4000-8000-000000000001"  # the tool's GUID, kept as the quote id
    assert "said quickly" in q1.comment
    assert q1.speaker == "nurse-a"
    assert [(s.label, s.kind) for s in sup.sources] == [("Interview 1", "interview"), ("Focus group 2", "focus group")]
    assert sup.sources[0].participants == ("nurse-a",)
    p = sup.participants
    assert [c.label for c in p.columns] == ["Ward"]
    assert [(r.id, r.cells) for r in p.rows] == [("nurse-a", (("ward", "ICU"),)), ("nurse-b", (("ward", "Ward 3"),))]
    assert imp.counts() == {"themes": 2, "subthemes": 2, "findings": 4, "quotes": 4, "participants": 2, "sources": 2}


def test_imported_project_checks_and_builds(tmp_path):
    write_qdpx(tmp_path / "p.qdpx")
    p = run("import", tmp_path / "p.qdpx", "--to", tmp_path / "study.yaml")
    assert p.returncode == 0, p.stderr
    assert "2 themes, 2 subthemes, 4 findings, 4 quotes, 2 participants, 2 sources" in p.stdout
    assert "review:" in p.stdout and "folded" in p.stdout
    text = (tmp_path / "study.yaml").read_text(encoding="utf-8")
    assert "# code 'Acting anyway' has no description: write the finding" in text
    assert_checks_and_builds(tmp_path / "study.yaml", tmp_path / "out", import_file(str(tmp_path / "p.qdpx")).sup)


def test_levels_choose_which_depths_become_themes(tmp_path):
    sup = imported(tmp_path, levels=Levels.parse("2,3")).sup
    assert [t.title for t in sup.themes] == ["Gut feeling", "Acting anyway"]
    assert [s.title for s in sup.themes[0].subthemes] == ["Night shifts"]
    assert "under 'Trusting intuition'" in sup.themes[0].comment
    flat = imported(tmp_path, levels=Levels.parse("1")).sup
    assert [t.title for t in flat.themes] == ["Trusting intuition", "Support"]
    assert not flat.themes[0].subthemes
    assert [q.text for q in quotes(flat)] == [Q1, Q2, Q4, Q3]


@pytest.mark.parametrize("bad", ["0", "2,1", "1,2,3", "a"])
def test_bad_levels_are_a_usage_error(tmp_path, bad):
    write_qdpx(tmp_path / "p.qdpx")
    p = run("import", tmp_path / "p.qdpx", "--to", tmp_path / "s.yaml", "--levels", bad)
    assert p.returncode == 2 and "--levels" in p.stderr
    assert not (tmp_path / "s.yaml").exists()


@pytest.mark.parametrize("counted", [1, 2])
def test_crlf_counted_as_one_or_two_characters(tmp_path, counted):
    spec = Spec(newline="\r\n", positions_count_crlf_as=counted)
    imp = imported(tmp_path, spec)
    assert [q.text for q in quotes(imp.sup)][:2] == [Q1, Q2]
    said = messages(imp.report)
    assert f"CRLF as {'one character' if counted == 1 else 'two characters'}" in said


def test_crlf_detected_from_word_boundaries_when_names_do_not_help(tmp_path):
    sels = [Sel("9D0E1F20-0000-4000-8000-0000000000A1", "at three in the morning.", [G_SUB1], name="")]
    spec = Spec(newline="\r\n", positions_count_crlf_as=1, extra_selections=sels)
    imp = imported(tmp_path, spec)
    assert "at three in the morning." in [q.text for q in quotes(imp.sup)]


def test_bom_is_stripped_before_counting(tmp_path):
    imp = imported(tmp_path, Spec(bom=True))
    assert [q.text for q in quotes(imp.sup)][:2] == [Q1, Q2]


def test_inline_plain_text_content(tmp_path):
    imp = imported(tmp_path, Spec(inline_text=True))
    assert [q.text for q in quotes(imp.sup)][:2] == [Q1, Q2]


@pytest.mark.parametrize("ns", ["urn:QDA-XML:project:1:0", "urn:QDA-XML:project:0:4", "urn:QDA-XML:codebook:1:0"])
def test_namespace_variants_are_read_with_a_warning(tmp_path, ns):
    imp = imported(tmp_path, Spec(namespace=ns))
    assert len(quotes(imp.sup)) == 4
    assert f"namespace '{ns}'" in messages(imp.report)


def test_qde_with_any_name_and_sources_folder_capitalised(tmp_path):
    imp = imported(tmp_path, Spec(qde_name="My Study 2024.qde", folder="Sources"))
    assert len(quotes(imp.sup)) == 4
    said = messages(imp.report)
    assert "named 'My Study 2024.qde'" in said
    assert "'Sources/'" in said


def test_non_guid_guids_and_invalid_colours_warn_with_their_line(tmp_path):
    imp = imported(tmp_path, Spec(source_guid="source-one", colour="rgb(1,2,3)"))
    said = messages(imp.report)
    assert "source guid 'source-one' is not a GUID" in said
    assert "colour 'rgb(1,2,3)' is not #RRGGBB" in said
    colour = next(d for d in imp.report.items if "colour" in d.message)
    xml, _ = project_xml(Spec(source_guid="source-one", colour="rgb(1,2,3)"))
    line = next(i for i, t in enumerate(xml.splitlines(), 1) if "rgb(1,2,3)" in t)
    assert colour.pos.file.endswith("p.qdpx!project.qde") and colour.pos.line == line
    assert len(quotes(imp.sup)) == 4


def test_nvivo_empty_txt_takes_the_text_from_the_docx_beside_it(tmp_path):
    imp = imported(tmp_path, Spec(nvivo_empty_txt=True))
    assert [q.text for q in quotes(imp.sup)][:2] == [Q1, Q2]
    assert "plain text is empty; the text was taken from sources/" in messages(imp.report)


def test_page_markers_give_quote_pages(tmp_path):
    lines = ["[Page 1]", "Interviewer: How do you decide?", "[Page 2]",
             "Nurse A: You just know when something is wrong.",
             "Nurse A: I called the doctor anyway, at three in the morning."]
    imp = imported(tmp_path, Spec(text1=lines))
    q = {x.text: x for x in quotes(imp.sup)}
    assert (q[Q1].cite.pages.first, q[Q1].cite.pages.last) == (2, 2)


def test_bare_qde_and_codebook(tmp_path):
    xml, _ = project_xml(Spec(inline_text=True))
    (tmp_path / "p.qde").write_text(xml, encoding="utf-8")
    imp = import_file(str(tmp_path / "p.qde"))
    assert imp.family == "refi-qda" and len(quotes(imp.sup)) == 2  # source 2's text is in no sources/ folder
    assert "is outside the export and was not read" in messages(imp.report)
    _, members = project_xml(Spec())
    for name, data in members.items():  # an unpacked .qdpx: the .qde with sources/ beside it
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(data)
    assert len(quotes(import_file(str(tmp_path / "p.qde")).sup)) == 4
    qdc = tmp_path / "book.qdc"
    qdc.write_text('<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:0:4" origin="ATLAS.ti">'
                   '<Codes><Code guid="A" name="Parent" isCodable="true"><Description>About parents.</Description>'
                   '<Code guid="B" name="Child" isCodable="true"/></Code></Codes><Sets/></CodeBook>',
                   encoding="utf-8")
    book = import_file(str(qdc))
    assert [t.title for t in book.sup.themes] == ["Parent"]
    assert [s.title for s in book.sup.themes[0].subthemes] == ["Child"]
    assert quotes(book.sup) == []
    p = run("import", qdc, "--to", tmp_path / "book.yaml")
    assert p.returncode == 0, p.stderr
    assert_checks_and_builds(tmp_path / "book.yaml", tmp_path / "out", book.sup)


# ---------------------------------------------------------------------------- hostile and broken files

def test_entity_expansion_is_refused(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Project name="&b;"/>')
    (tmp_path / "x.qde").write_text(bomb, encoding="utf-8")
    with pytest.raises(SourceError) as e:
        import_file(str(tmp_path / "x.qde"))
    assert "entities" in e.value.report.text()


def test_external_entities_are_never_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    xml = (f'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>')
    (tmp_path / "x.qde").write_text(xml, encoding="utf-8")
    try:
        imp = import_file(str(tmp_path / "x.qde"))
        assert "TOPSECRET" not in imp.sup.study.title
    except SourceError as e:
        assert "TOPSECRET" not in e.report.text()


def test_dotdot_paths_and_zip_bombs_are_refused(tmp_path):
    evil = tmp_path / "evil.qdpx"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("project.qde", project_xml(Spec(inline_text=True))[0])
        z.writestr("../escape.txt", "x")
    p = run("import", evil, "--to", tmp_path / "s.yaml")
    assert p.returncode == 1 and "unsafe path inside the archive" in p.stderr
    assert not (tmp_path / "s.yaml").exists()
    bomb = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", project_xml(Spec(inline_text=True))[0])
        z.writestr("sources/big.txt", b"\0" * (20 * 1024 * 1024))
    p = run("import", bomb, "--to", tmp_path / "s.yaml")
    assert p.returncode == 1 and "zip bomb" in p.stderr
    assert not (tmp_path / "s.yaml").exists()


def test_broken_xml_is_located_and_nothing_is_written(tmp_path):
    xml, _ = project_xml(Spec(inline_text=True))
    broken = xml.replace("</CodeBook>", "", 1)
    (tmp_path / "b.qde").write_text(broken, encoding="utf-8")
    target = tmp_path / "s.yaml"
    target.write_text("keep me\n", encoding="utf-8")
    p = run("import", tmp_path / "b.qde", "--to", target, "--force")
    assert p.returncode == 1
    assert "b.qde:" in p.stderr and "not well-formed XML" in p.stderr and "hint:" in p.stderr
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_selection_outside_the_text_and_unknown_code_are_warnings(tmp_path):
    xml, members = project_xml(Spec(inline_text=True))
    xml = xml.replace('startPosition="0"', 'startPosition="0"', 1)
    bad = ('<PlainTextSelection guid="X1" name="x" startPosition="5" endPosition="99999">'
           f'<Coding guid="c"><CodeRef targetGUID="{G_THEME2}"/></Coding></PlainTextSelection>'
           '<PlainTextSelection guid="X2" name="x" startPosition="0" endPosition="5">'
           '<Coding guid="d"><CodeRef targetGUID="NO-SUCH-CODE"/></Coding></PlainTextSelection></TextSource>')
    xml = xml.replace("</TextSource>", bad, 1)
    (tmp_path / "p.qde").write_text(xml, encoding="utf-8")
    imp = import_file(str(tmp_path / "p.qde"))
    said = messages(imp.report)
    assert "selection 5-99999 lies outside source 'Interview 1.txt'" in said
    assert "code 'NO-SUCH-CODE', which is not in the codebook" in said
    assert len(quotes(imp.sup)) == 2


def test_existing_target_is_not_overwritten_without_force(tmp_path):
    write_qdpx(tmp_path / "p.qdpx")
    target = tmp_path / "s.yaml"
    target.write_text("mine\n", encoding="utf-8")
    p = run("import", tmp_path / "p.qdpx", "--to", target)
    assert p.returncode == 1 and "the file exists; nothing written" in p.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"
    p = run("import", tmp_path / "p.qdpx", "--to", target, "--force")
    assert p.returncode == 0 and "Trusting intuition" in target.read_text(encoding="utf-8")
    assert not [f for f in tmp_path.iterdir() if f.name.endswith(".part")]


def test_outline_is_what_a_reader_sees(tmp_path):
    rows = outline(imported(tmp_path).sup)
    assert rows[0] == ("Theme", "Trusting intuition")
    assert ("Quote", Q1, "Interview 1", None, None) in rows
    assert LINES1[1].endswith(Q1)
    assert G_DEEP and G_SUB1  # the fixture's codes are the ones coded


def test_a_project_without_codes_is_an_error_and_writes_nothing(tmp_path):
    (tmp_path / "blank.qde").write_text('<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" '
                                        'name="blank"><Users/></Project>', encoding="utf-8")
    p = run("import", tmp_path / "blank.qde", "--to", tmp_path / "s.yaml")
    assert p.returncode == 1 and "nothing to import: the export holds no codes" in p.stderr
    assert not (tmp_path / "s.yaml").exists()
