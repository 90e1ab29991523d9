"""The core of issue 10: typed model and walk, ids, schema versions, the checks and formats
registries, and what a build may and may not overwrite."""

from __future__ import annotations
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, invoke, parts_left, run_cli, snapshot
from srcutil import BASE, edit, load, load_checked
from supplement.diagnostics import Report
from supplement.pipeline import check_source
from supplement.reader import read_source
from supplement.reader.located import YStr
from supplement.reader.versions import MIGRATIONS, upgrade
from supplement.records import replace
from supplement.study.model import Finding, Place, Quote, Subtheme, Theme, quotes, walk

RUN = [sys.executable, "-c", "from supplement.cli import run; run()"]


# --- the typed model ----------------------------------------------------------------------------

def test_the_model_is_immutable_and_positions_do_not_count():
    sup, _ = read_source(EXAMPLE)
    q = sup.themes[0].findings[0].quotes[0]
    with pytest.raises(AttributeError):
        q.text = "changed"
    assert q.at("text").line > 1  # it remembers where it was written …
    moved = replace(q, pos=None, where={})
    assert moved == q and not moved != q and hash(moved) == hash(q)  # … but where does not make it another quote
    assert "pos=" not in repr(q) and repr(moved) == repr(q)
    assert replace(q, text="other") != q and replace(q.cite, pages=None) != q.cite


def test_one_walk_visits_the_tree_in_reading_order():
    sup, _ = read_source(EXAMPLE)
    kinds = [type(n).__name__ for _, n in walk(sup)]
    assert kinds.count("Theme") == 10 and kinds.count("Subtheme") == 6
    assert kinds.count("Finding") == 17 and kinds.count("Quote") == 122
    places = [p for p, _ in walk(sup)]
    assert places[0] == Place(1) and places[1] == Place(1, 0, 1) and places[2] == Place(1, 0, 1, 1)
    # a theme's own findings come before its subthemes
    third = [(p, n) for p, n in walk(sup) if p.theme == 3]
    first_sub = next(i for i, (p, n) in enumerate(third) if isinstance(n, Subtheme))
    assert all(p.subtheme == 0 for p, _ in third[:first_sub]) and third[first_sub][0] == Place(3, 1)
    assert [p for p, _ in quotes(sup)] == [p for p, n in walk(sup) if isinstance(n, Quote)]


def test_checks_do_not_write_into_the_model(tmp_path):
    """What the checks resolve (the source a citation means) is in the index beside the model."""
    sup, index, report = load_checked(tmp_path, BASE)
    assert report.items == []
    q = sup.themes[0].findings[0].quotes[1]
    assert not hasattr(q, "source") and q.cite.source == "Non-Op 1"
    assert index.source_of(Place(1, 0, 1, 2)).id == "NonOp1"
    assert index.people["p02"][0] == 2


def test_ids_reach_the_resolved_document_and_never_the_outputs(tmp_path):
    from supplement.pipeline import load_document

    text = edit(BASE, "      - text: A finding\n", "      - id: f-one\n        text: A finding\n")
    text = edit(text, "          - text: Hello there\n", "          - id: q-hello\n            text: Hello there\n")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    doc = load_document(path)
    block = doc.items[1].blocks[0]
    assert block.id == "t1" and block.findings[0].id == "f-one" and block.findings[0].quotes[0].id == "q-hello"
    assert "q-hello" not in "".join(p.text for p in doc.paragraphs())


# --- supplement ids ------------------------------------------------------------------------------

def test_ids_adds_only_id_lines_to_the_example(tmp_path):
    original = EXAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "example.yaml"
    path.write_text(original, encoding="utf-8")
    result = run_cli("ids", path)
    assert result.exit_code == 0 and "139 ids added" in result.output  # 17 findings and 122 quotes
    after = path.read_text(encoding="utf-8")
    diff = [line for line in __import__("difflib").ndiff(original.splitlines(), after.splitlines())
            if line[:1] in "+-?"]
    assert all(line.startswith("+ ") and line.strip()[2:].lstrip().startswith("id: ") for line in diff), diff[:5]
    assert len(diff) == 139
    before, _ = read_source(EXAMPLE)
    now, _, report = check_source(path)
    assert report.items == []  # the four repeated quotes say 'repeat: true'
    def without_ids(sup):
        def findings(fs):
            return tuple(replace(f, id=None, quotes=tuple(replace(q, id=None) for q in f.quotes))
                         for f in fs)
        return tuple(replace(t, findings=findings(t.findings), subthemes=tuple(
            replace(s, findings=findings(s.findings)) for s in t.subthemes)) for t in sup.themes)

    assert without_ids(now) == without_ids(before) and now.participants == before.participants
    ids = [n.id for _, n in walk(now)]
    assert None not in ids and len(set(ids)) == len(ids)
    # run again: nothing to do, nothing changed
    assert "every item has an id" in run_cli("ids", path).output
    assert path.read_text(encoding="utf-8") == after


def test_ids_are_stable_and_fit_every_kind_of_mapping(tmp_path):
    text = BASE.replace("  - id: t2\n", "  - title: Third\n    findings:\n      - {text: Flow finding, quotes: "
                        "[{text: Flow quote, cite: 6}]}\n  - id: t2\n")
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(text, encoding="utf-8")
    b.write_text(text, encoding="utf-8")
    run_cli("ids", a, located_on_failure=False)
    run_cli("ids", b, located_on_failure=False)
    assert a.read_text() == b.read_text()  # same file, same ids
    assert "  - title: Third\n    id: third\n    findings:\n      - {id: f-" in a.read_text()
    assert "quotes: [{id: q-" in a.read_text()
    sup, report = read_source(a)
    assert report.errors == [], report.text()
    assert sup.themes[1].id == "third" and sup.themes[1].findings[0].quotes[0].text == "Flow quote"


def test_ids_keeps_crlf_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.replace("\n", "\r\n").encode("utf-8"))
    run_cli("ids", path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert read_source(path)[1].errors == []


# --- schema versions -----------------------------------------------------------------------------

def test_a_future_schema_2_migrates_a_version_1_file(tmp_path, monkeypatch):
    """The place where version 2 will read version-1 files: a migration renames a key, keeping positions."""
    from supplement.reader.located_yaml import parse

    def rename_short_title(tree, report):
        study = tree["study"]
        if "running_head" in study:
            study["short_title"] = study.pop("running_head")
            study.kpos["short_title"] = study.kpos.pop("running_head")
        return tree

    monkeypatch.setitem(MIGRATIONS, 1, rename_short_title)
    tree = parse(edit(BASE, "  title: A study\n", "  title: A study\n  running_head: Head\n"), "s.yaml")
    r = Report()
    migrated = upgrade(tree, r, current=2)
    assert r.items == [] and migrated["schema"] == "2" and migrated["study"]["short_title"] == "Head"
    assert migrated["study"]["short_title"].pos.line == 4  # still where the author wrote it
    r = Report()
    assert upgrade(parse(edit(BASE, "schema: 1", "schema: 3"), "s.yaml"), r, current=2) is None
    assert r.items[0].message == "schema 3 is newer than this version of supplement reads (schema 2)"


# --- the checks registry -------------------------------------------------------------------------

REPEAT = edit(BASE, "            cite: 8-9", "            cite: 8-9\n          - text: Hello there\n            cite: 7")


def test_a_source_sets_the_severity_of_a_check(tmp_path):
    _, report = load(tmp_path, REPEAT)
    assert [d.severity for d in report.items] == ["warning"]  # duplicate-quote by default
    _, report = load(tmp_path, REPEAT + "checks:\n  duplicate-quote: off\n")
    assert report.items == []
    src, report = load(tmp_path, REPEAT + "checks:\n  duplicate-quote: error\n")
    assert src is None and [d.message for d in report.errors] == ["this quote also appears at line 27"]


def test_unknown_and_locked_checks_are_located_errors(tmp_path):
    _, report = load(tmp_path, BASE + "checks:\n  duplicate-qoute: off\n  unknown-source: warning\n")
    assert [(d.pos.line, d.message, d.hint) for d in report.errors] == [
        (39, "unknown check 'duplicate-qoute'", "did you mean 'duplicate-quote'? supplement check --list shows them all"),
        (40, "check 'unknown-source' cannot be set to warning: the build needs what it guards",
         "correct what it reports instead")]
    _, report = load(tmp_path, BASE + "checks:\n  duplicate-quote: sometimes\n")
    assert report.errors[0].message.startswith("'sometimes' is not one of: error, warning, off")


def test_check_list_prints_every_named_check():
    out = run_cli("check", "--list").output
    for name in ("duplicate-quote", "unused-participant", "unknown-source", "empty-theme", "font-coverage"):
        assert f"\n{name} " in "\n" + out
    assert "unknown-source         error" in out and "cannot be lowered" in out


def test_font_coverage_is_a_check_a_source_can_turn_off(tmp_path):
    text = edit(BASE, "Hello there", "Hello 日本 there")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    assert "the PDF font cannot show" in invoke("check", tmp_path / "s.yaml").output
    (tmp_path / "s.yaml").write_text(text + "checks:\n  font-coverage: off\n", encoding="utf-8")
    assert "cannot show" not in invoke("check", tmp_path / "s.yaml").output


# --- the formats registry ------------------------------------------------------------------------

def test_formats_come_from_one_registry(tmp_path):
    from supplement.writers import FORMATS

    r = invoke("build", EXAMPLE, "--format", "docx,odt", "--out", tmp_path)
    assert r.exit_code == 2 and "unknown format 'odt'; choose from " + ", ".join(FORMATS) + " or all" in r.output
    run_cli("build", BASE_FILE(tmp_path), "--format", "all", "--out", tmp_path / "all", "-q")
    assert sorted(p.suffix for p in (tmp_path / "all").iterdir()) == sorted(f".{f.extension}" for f in FORMATS.values())


def BASE_FILE(tmp_path: Path) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(BASE, encoding="utf-8")
    return path


# --- what a build may overwrite ------------------------------------------------------------------

def test_two_sources_with_one_name_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = tmp_path / "a" / "study.yaml", tmp_path / "b" / "study.yaml"
    a.write_text(BASE, encoding="utf-8")
    b.write_text(BASE, encoding="utf-8")
    r = invoke("build", a, b, "--out", tmp_path / "out")
    assert r.exit_code == 1 and f"{a} and {b} would both write {tmp_path / 'out' / 'study.docx'}" in r.output
    assert "rename one of them" in r.output and not (tmp_path / "out").exists()
    c = tmp_path / "a" / "study.yml"
    c.write_text(BASE, encoding="utf-8")
    r = invoke("build", a, c, "--out", tmp_path / "out")
    assert r.exit_code == 1 and "would both write" in r.output


def test_a_source_is_never_replaced_by_its_own_output(tmp_path):
    src = tmp_path / "x.docx"
    src.write_text(BASE, encoding="utf-8")
    r = invoke("build", src, "--out", tmp_path)
    assert r.exit_code == 1 and "would replace the source" in r.output
    assert src.read_text(encoding="utf-8") == BASE


def test_a_source_named_only_yaml_is_refused(tmp_path):
    src = tmp_path / ".yaml"
    src.write_text(BASE, encoding="utf-8")
    r = invoke("build", src, "--out", tmp_path / "out")
    assert r.exit_code == 1 and "rename the file, e.g. study.yaml" in r.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_long_source_name_builds(tmp_path):
    name = "s" * 240 + ".yaml"  # the outputs' names (245 characters) are legal; temporary names must be too
    src = tmp_path / name
    src.write_text(BASE, encoding="utf-8")
    run_cli("build", src, "--out", tmp_path / "out", "-q")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["s" * 240 + ".docx", "s" * 240 + ".pdf"]


def test_a_failed_rename_puts_back_every_output(tmp_path, monkeypatch):
    """The outputs are replaced together: when the second rename fails, the first is undone."""
    import os

    import supplement.build.atomic as atomic

    src = BASE_FILE(tmp_path)
    out = tmp_path / "out"
    run_cli("build", src, "--out", out, "-q")
    before = snapshot(out)
    (tmp_path / "study.yaml").write_text(edit(BASE, "title: A study", "title: Another study"), encoding="utf-8")
    real = os.replace
    calls = []

    def failing_second(a, b):
        if str(a).endswith(".part"):
            calls.append(b)
            if len(calls) == 2:
                raise OSError(28, "No space left on device", str(b))
        return real(a, b)

    monkeypatch.setattr(atomic.os, "replace", failing_second)
    r = invoke("build", src, "--out", out)
    assert r.exit_code == 1 and "every output is as it was before" in r.output
    assert len(calls) == 2 and snapshot(out) == before and not parts_left(out)


def test_a_closed_stderr_does_not_fail_the_build(tmp_path):
    src = BASE_FILE(tmp_path)
    p = subprocess.Popen(RUN + ["build", str(src), "--out", str(tmp_path / "out")], stderr=subprocess.PIPE,
                         stdout=subprocess.DEVNULL)
    p.stderr.close()  # like `supplement build 2>&1 | head -0`
    assert p.wait(timeout=60) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["study.docx", "study.pdf"]


def test_another_style_does_not_replace_the_sources_own_outputs(tmp_path):
    src = BASE_FILE(tmp_path)
    out = tmp_path / "out"
    run_cli("build", src, "--out", out, "-q")
    own = snapshot(out)
    run_cli("build", src, "--out", out, "--style", "plos", "-q")
    run_cli("build", src, "--out", out, "--style", "default", "-q")  # the source's own style: its own names
    after = snapshot(out)
    assert sorted(after) == ["study.docx", "study.pdf", "study.plos.docx", "study.plos.pdf"]
    assert {k: after[k] for k in own} == own
