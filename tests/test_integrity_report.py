"""Coverage (issue 15): `supplement report` and the optional theme × participant (or source) appendix item."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

import transcript_fixtures as tf
from transcript_fixtures import cli as supplement, write_yaml as write
from conftest import example_data


def test_report_command(tmp_path):
    data = example_data()
    quotes = tf.all_quotes(data)
    for q in quotes[:12]:
        q["speaker"] = "p03"
    for q in quotes[12:14]:
        q["speaker"] = "p05"
    source = write(tmp_path, data)
    r = supplement("report", source, "--share", "0.3")
    assert r.returncode == 0, r.stderr
    assert "122 quotes in 10 themes" in r.stdout
    assert "every quote is identified by source and page or by speaker" in r.stdout
    assert "participant 3" in r.stdout and "12" in r.stdout
    assert "participants never quoted: participant 1, participant 2, participant 4" in r.stdout
    assert "one voice: Elements of Disease: participant 3 carries 12 of" in r.stdout
    r = supplement("report", source, "--format", "json")
    cov = json.loads(r.stdout)[0]
    assert cov["by_source"] == {"FG": 83, "Non-Op 1": 13, "Non-Op 2": 26}
    assert cov["by_speaker"] == {"participant 3": 12, "participant 5": 2}
    assert sum(n for _, n in cov["themes"]) == 122


@pytest.mark.parametrize("by", ["participant", "source"])
def test_coverage_table_in_both_writers(tmp_path, by):
    data = example_data()
    for i, q in enumerate(tf.all_quotes(data)):
        if i < 20:
            q["speaker"] = "p03"
    data["coverage_table"] = {"by": by}
    source = write(tmp_path, data)
    r = supplement("build", source, "--out", tmp_path / "out", "-q")
    assert r.returncode == 0, r.stderr
    import docx

    tables = docx.Document(tmp_path / "out" / "study.docx").tables
    matrix = tables[-1]
    header = [c.text for c in matrix.rows[0].cells]
    rows = [[c.text for c in row.cells] for row in matrix.rows[1:]]
    assert header[0] == "Theme" and header[-1] == "Total"
    assert [r[0] for r in rows][:2] == ["I. Elements of Disease", "II. Guideline-Driven Care"]
    assert sum(int(r[-1]) for r in rows) == 122
    for r in rows:  # each row's total is the sum of its cells
        assert sum(int(x) for x in r[1:-1]) == int(r[-1])
    if by == "participant":
        assert header[1:-1] == [str(n) for n in range(1, 15)] + ["not attributed"]
        assert sum(int(r[3]) for r in rows) == 20  # participant 3
    else:
        assert header[1:-1] == ["FG", "Non-Op 1", "Non-Op 2"]
        assert [sum(int(r[i]) for r in rows) for i in (1, 2, 3)] == [83, 13, 26]
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "out" / "study.pdf"), "-"],
                              capture_output=True, text=True).stdout
        assert f"Appendix 3. Number of supporting quotes per theme and {by}." in text


def test_coverage_table_caption_placeholders_are_checked(tmp_path):
    data = example_data()
    data["coverage_table"] = {"by": "people", "caption": "Quotes per {theme}"}
    r = supplement("check", write(tmp_path, data))
    assert r.returncode == 1
    assert "'people' is not one of: participant, source" in r.stdout
    data["coverage_table"] = {"by": "source", "caption": "Quotes per {theme}"}
    r = supplement("check", write(tmp_path, data))
    assert r.returncode == 1
    assert "unknown placeholder '{theme}' in caption" in r.stdout and "{by}, {quotes}" in r.stdout
