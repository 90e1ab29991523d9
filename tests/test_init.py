"""`supplement init DIR`: a starter project that checks clean and builds straight away."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from supplement.cli import main
from supplement.pipeline import compile_document
from supplement.scaffold import SCHEMA_NAME, slug


def cli(*args, cwd: Path | None = None):
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        return CliRunner().invoke(main, [str(a) for a in args], prog_name="supplement")
    finally:
        os.chdir(old)


def test_init_writes_a_project_that_checks_clean_and_builds(tmp_path):
    proj = tmp_path / "Nurse Escalation"
    r = cli("init", proj)
    assert r.exit_code == 0, r.output
    src = proj / "source" / "nurse-escalation.yaml"
    assert sorted(p.relative_to(proj).as_posix() for p in proj.rglob("*") if p.is_file()) == [
        ".gitignore", "README.md", "source/nurse-escalation.yaml", f"source/{SCHEMA_NAME}"]
    # editors find the schema through the first line, and the file written beside it is the real one
    first = src.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={SCHEMA_NAME}"
    schema = json.loads((proj / "source" / SCHEMA_NAME).read_text(encoding="utf-8"))
    assert schema == json.loads((Path(__file__).parent.parent / "supplement" / "schema.json").read_text("utf-8"))
    jsonschema.validate(yaml.safe_load(src.read_text(encoding="utf-8")), schema)
    assert "output/" in (proj / ".gitignore").read_text().splitlines()
    readme = (proj / "README.md").read_text()
    assert "supplement check" in readme and "supplement build" in readme and "nurse-escalation.yaml" in readme

    # check: no error, no warning; build with the defaults, from inside the folder
    doc, report = compile_document(src)
    assert doc is not None and not report.items, report.text()
    r = cli("check", cwd=proj)
    assert r.exit_code == 0 and "0 errors, 0 warnings" in r.output, r.output
    r = cli("build", "--strict", cwd=proj)
    assert r.exit_code == 0, r.output
    assert (proj / "output" / "nurse-escalation.docx").stat().st_size > 0
    assert (proj / "output" / "nurse-escalation.pdf").stat().st_size > 0


def test_starter_source_shows_each_part_of_the_format(tmp_path):
    cli("init", tmp_path / "p", "--title", 'A "quoted": title')
    data = yaml.safe_load(next((tmp_path / "p" / "source").glob("*.yaml")).read_text(encoding="utf-8"))
    assert data["study"]["title"] == 'A "quoted": title'
    assert data["participants"]["marks"] and data["themes"][0]["subthemes"]
    cites = [q["cite"] for t in data["themes"] for f in t["findings"] + [f for s in t.get("subthemes", [])
                                                                          for f in s["findings"]]
             for q in f["quotes"]]
    assert {type(c) for c in cites} >= {int, str, dict}  # page, shorthand and structured citations


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / "notes.txt").write_text("mine")
    r = cli("init", proj)
    assert r.exit_code == 1
    assert "not empty" in r.output and "--force" in r.output
    assert sorted(p.name for p in proj.iterdir()) == ["notes.txt"]


def test_force_adds_files_and_keeps_existing_ones(tmp_path):
    proj = tmp_path / "p"
    (proj / "source").mkdir(parents=True)
    (proj / "source" / "p.yaml").write_text("mine", encoding="utf-8")
    (proj / ".gitignore").write_text("*.pyc", encoding="utf-8")
    r = cli("init", proj, "--force")
    assert r.exit_code == 0, r.output
    assert (proj / "source" / "p.yaml").read_text() == "mine"
    assert "kept" in r.output and "p.yaml" in r.output
    assert (proj / ".gitignore").read_text().splitlines()[0] == "*.pyc"
    assert "output/" in (proj / ".gitignore").read_text().splitlines()
    assert (proj / "README.md").exists() and (proj / "source" / SCHEMA_NAME).exists()
    cli("init", proj, "--force")  # twice: .gitignore does not grow
    assert (proj / ".gitignore").read_text().count("output/") == 1


def test_a_file_in_the_way(tmp_path):
    (tmp_path / "f").write_text("x")
    r = cli("init", tmp_path / "f")
    assert r.exit_code in (1, 2) and "Traceback" not in r.output


def test_name_option_and_slugs(tmp_path):
    r = cli("init", tmp_path / "x", "--name", "Ward Study")
    assert r.exit_code == 0
    assert (tmp_path / "x" / "source" / "ward-study.yaml").exists()
    assert slug("Été 2025 / (pilot)") == "t-2025-pilot"
    assert slug("???") == "study"
