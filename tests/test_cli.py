"""`supplement check`, `supplement schema` and the help texts.

Exit status of `check`: 0 clean (warnings allowed), 1 errors (or warnings with --strict),
2 usage error (unknown option, missing file).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from srcutil import BASE, EXAMPLE, edit, example_data

import supplement
from supplement.cli import main

LOCATED = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<msg>.+)$", re.M)


def cli(*args):
    """``supplement ARGS`` in-process (click's runner: exit status and separate stdout/stderr)."""
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, [str(a) for a in args], prog_name="supplement")


def real(*args, cwd=None) -> subprocess.CompletedProcess:
    """The installed entry point (supplement.cli:run), as a user runs it."""
    return subprocess.run([sys.executable, "-c", "from supplement.cli import run; run()", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=60)


@pytest.fixture
def clean(tmp_path):
    path = tmp_path / "clean.yaml"
    path.write_text(BASE, encoding="utf-8")
    return path


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "broken.yaml"
    text = edit(BASE, "cite: Non-Op 1, 2", "cite: Non-Op 3, 2")
    path.write_text(edit(text, "  title: A study\n", "  title: A study\n  year: soon\n"), encoding="utf-8")
    return path


@pytest.fixture
def warned(tmp_path):
    path = tmp_path / "warned.yaml"
    path.write_text(edit(BASE, "cite: Non-Op 1, 2", "cite: 2"), encoding="utf-8")  # NonOp1 never cited
    return path


# --- check: exit status and text output ----------------------------------------------------------


def test_check_clean_file(clean):
    r = cli("check", clean)
    assert r.exit_code == 0, r.output
    assert r.stdout == f"{clean}: 0 errors, 0 warnings\n"


def test_check_the_example_has_no_errors():
    r = cli("check", EXAMPLE)
    assert r.exit_code == 0, r.stdout + r.stderr
    assert LOCATED.findall(r.stdout) == []  # its four repeated quotes say 'repeat: true'
    assert r.stdout.rstrip() == f"{EXAMPLE}: 0 errors, 0 warnings"


def test_check_errors_exit_1_with_every_problem_located(broken):
    r = cli("check", broken)
    assert r.exit_code == 1
    assert r.stdout == (
        f"{broken}:4:9: error: expected a whole number, found 'soon'\n"
        f"{broken}:31:19: error: unknown source 'Non-Op 3'; known: FG, Non-Op 1\n"
        "    hint: did you mean 'Non-Op 1'?\n"
        f"{broken}: 2 errors, 0 warnings\n")


def test_check_warnings_exit_0_or_1_with_strict(warned):
    r = cli("check", warned)
    assert r.exit_code == 0
    assert f"{warned}:16:9: warning: source 'NonOp1' is never cited" in r.stdout
    assert r.stdout.endswith(f"{warned}: 0 errors, 1 warning\n")
    assert cli("check", "--strict", warned).exit_code == 1


def test_strict_on_a_clean_file_exits_0(clean):
    assert cli("check", "--strict", clean).exit_code == 0


def test_strict_on_the_example_passes():
    assert cli("check", "--strict", EXAMPLE).exit_code == 0


def test_strict_exits_1_on_a_warning(warned):
    assert cli("check", "--strict", warned).exit_code == 1


def test_several_files_are_all_checked(clean, broken, warned):
    r = cli("check", clean, broken, warned)
    assert r.exit_code == 1
    assert [line for line in r.stdout.splitlines() if line.endswith(("warning", "warnings"))] == [
        f"{clean}: 0 errors, 0 warnings", f"{broken}: 2 errors, 0 warnings", f"{warned}: 0 errors, 1 warning"]


def test_check_without_files_reads_source_folder(tmp_path):
    (tmp_path / "source").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "source" / "study.yaml")
    r = real("check", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "source/study.yaml: 0 errors" in r.stdout


def test_check_style_override(clean):
    r = cli("check", "--style", "no-such-style", clean)
    assert r.exit_code == 1
    assert "--style: error: unknown style 'no-such-style'" in r.stdout


# --- check: usage errors exit 2 --------------------------------------------------------------------


@pytest.mark.parametrize("args,says", [
    (["check", "--bogus", "x.yaml"], "No such option '--bogus'"),
    (["check", "missing.yaml"], "'missing.yaml' does not exist"),
    (["check", "--format", "xml", "x.yaml"], "'xml' is not one of 'text', 'json'"),
    (["check", "."], "is a directory"),
    (["check"], "no FILE given and no *.yaml in source/"),
    (["frobnicate"], "No such command 'frobnicate'"),
])
def test_usage_errors_exit_2(tmp_path, args, says):
    r = real(*args, cwd=tmp_path)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert says in r.stderr
    assert "Traceback" not in r.stderr


def test_usage_error_in_process(tmp_path):
    assert cli("check", tmp_path / "missing.yaml").exit_code == 2
    assert cli("check", "--nope").exit_code == 2


# --- check --format json -----------------------------------------------------------------------------


def test_json_output_is_parseable_with_every_field(broken):
    r = cli("check", "--format", "json", broken)
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data == [
        {"severity": "error", "file": str(broken), "line": 4, "col": 9,
         "message": "expected a whole number, found 'soon'"},  # no hint: no "hint" key
        {"severity": "error", "file": str(broken), "line": 31, "col": 19,
         "message": "unknown source 'Non-Op 3'; known: FG, Non-Op 1", "hint": "did you mean 'Non-Op 1'?"},
    ]


def test_json_output_for_a_warning(warned):
    r = cli("check", "--format", "json", warned)
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data and {d["severity"] for d in data} == {"warning"}
    for d in data:
        assert set(d) == {"severity", "file", "line", "col", "message", "hint"}
        assert d["file"] == str(warned) and d["line"] > 0 and d["col"] > 0 and d["hint"]


def test_json_output_for_a_clean_file_is_an_empty_list(clean):
    r = cli("check", "--format", "json", clean)
    assert r.exit_code == 0 and json.loads(r.stdout) == []


def test_json_output_of_several_files_is_one_array(clean, broken, warned):
    r = cli("check", "--format", "json", clean, broken, warned)
    data = json.loads(r.stdout)
    assert [(d["file"], d["severity"]) for d in data] == [
        (str(broken), "error"), (str(broken), "error"), (str(warned), "warning")]


def test_json_output_of_an_unreadable_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(edit(BASE, "A study", "Café study").encode("latin-1"))
    r = real("check", "--format", "json", path)
    assert r.returncode == 1
    (d,) = json.loads(r.stdout)
    assert (d["line"], d["col"], d["message"]) == (3, 13, "byte 0xe9 is not valid UTF-8; sources must be UTF-8 text")


# --- schema --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source_schema():
    r = cli("schema")
    assert r.exit_code == 0
    return json.loads(r.stdout)


def test_schema_structure(source_schema):
    s = source_schema
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["type"] == "object" and s["additionalProperties"] is False
    assert s["required"] == ["schema", "study", "sources", "themes"]
    assert s["properties"]["schema"] == {"const": 1, "description": "format version; 1"}
    theme = s["properties"]["themes"]["items"]
    assert theme["required"] == ["id", "title"]
    quote = theme["properties"]["findings"]["items"]["properties"]["quotes"]["items"]
    assert quote["required"] == ["text", "cite"]
    assert quote["additionalProperties"] is False
    assert "anyOf" in quote["properties"]["cite"]


def test_shipped_schema_file_is_what_the_command_prints(source_schema):
    """supplement/schema.json (for editors, e.g. docs/examples/minimal.yaml points at it) is
    regenerated with `supplement schema > supplement/schema.json` whenever the format changes."""
    shipped = json.loads((Path(supplement.__file__).parent / "schema.json").read_text(encoding="utf-8"))
    assert shipped == source_schema


def test_schema_is_valid_json_schema_and_accepts_the_example(source_schema):
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(source_schema)
    validator = jsonschema.Draft202012Validator(source_schema)
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(data)] == []
    assert [e.message for e in validator.iter_errors(yaml.safe_load(BASE))] == []
    whole = yaml.safe_load((EXAMPLE.parent.parent / "docs" / "examples" / "whole-supplement.yaml").read_text(
        encoding="utf-8"))
    whole["study"]["date"] = str(whole["study"]["date"])  # PyYAML reads it as a date; editors see the text
    assert [e.message for e in validator.iter_errors(whole)] == []


@pytest.mark.parametrize("mutate", [
    lambda d: d["study"].update(titel="x"),
    lambda d: d["study"].pop("title"),
    lambda d: d.update(schema=2),
    lambda d: d["themes"][0]["findings"][0]["quotes"][0].pop("cite"),
    lambda d: d["themes"][0].update(id="1st"),
    lambda d: d.update(themes=[]),
    lambda d: d["participants"]["rows"][0].update(id="p 1"),
])
def test_schema_rejects_what_check_rejects(source_schema, tmp_path, mutate):
    jsonschema = pytest.importorskip("jsonschema")
    data = example_data()
    mutate(data)
    assert list(jsonschema.Draft202012Validator(source_schema).iter_errors(data))
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert cli("check", path).exit_code == 1


def test_style_schema_is_json():
    pytest.importorskip("jsonschema").Draft202012Validator.check_schema(json.loads(cli("schema", "--style").stdout))


# --- help ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], *[[name] for name in sorted(main.commands)]])
def test_help_includes_an_example(command):
    r = cli(*command, "--help")
    assert r.exit_code == 0
    assert re.search(r"\bExamples?\b|Quick start", r.stdout), r.stdout
    assert r.stdout.startswith(f"Usage: supplement {' '.join(command)}".rstrip())
    assert "supplement " in r.stdout  # the example is a command line


def test_check_help_documents_exit_status_and_json():
    out = cli("check", "--help").stdout
    assert "Exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage error." in " ".join(out.split())
    assert "json" in out


def test_version():
    r = cli("--version")
    assert r.exit_code == 0 and re.fullmatch(r"supplement, version \d+\.\d+\.\d+\n", r.stdout)
