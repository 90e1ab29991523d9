"""Helpers for the source-format tests (test_load, test_validate, test_resolve, test_cli, test_example).

BASE is a small valid source whose line numbers the tests rely on: edit it only
together with the positions asserted in those tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from conftest import example_data  # noqa: F401  (re-exported for the source-format tests)
from supplement.diagnostics import Diagnostic, Report
from supplement.pipeline import check_source

def load_source(path):
    """(typed model, report) of a source: None when it has errors."""
    sup, _, report = check_source(path)
    return sup, report


ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = ROOT / "source" / "spinal-metastases.yaml"
SEED = DATA / "seed.txt"  # a copy of the seed the example was transcribed from
SEED_COUNTS = json.loads((DATA / "seed_counts.json").read_text(encoding="utf-8"))

BASE = """\
schema: 1
study:
  title: A study
participants:
  caption: Who took part ({participants} clinicians).
  columns:
    - {key: specialty, label: Specialty}
  marks:
    - {key: international, symbol: "*", column: specialty, note: denotes international training}
  rows:
    - {id: p01, specialty: Surgery, international: true}
    - {id: p02, specialty: Oncology}
sources:
  - id: FG
    kind: focus group
  - id: NonOp1
    label: Non-Op 1
    kind: interview
theme_table:
  caption: Themes ({theme_range}).
themes:
  - id: t1
    title: First theme
    findings:
      - text: A finding
        quotes:
          - text: Hello there
            cite: 6
          - text: Second words
            cite: Non-Op 1, 2
  - id: t2
    title: Second theme
    findings:
      - text: Another finding
        quotes:
          - text: Third words
            cite: 8-9
"""
# BASE lines: 3 study title; 5 participants caption; 7 column; 9 mark; 11-12 rows p01, p02;
# 14 FG; 16-17 NonOp1 and its label; 20 theme caption; 22-23 theme t1; 27-30 quotes of t1;
# 31-32 theme t2; 36-37 its quote.


def edit(text: str, old: str, new: str, count: int = 1) -> str:
    """Replace ``old`` (which must occur exactly ``count`` times) by ``new``."""
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times, expected {count}"
    return text.replace(old, new)


def load_checked(tmp_path: Path, content: str | bytes, name: str = "study.yaml"):
    """Write ``content`` to tmp_path/name and check it; returns (model, index, report)."""
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return check_source(path)


def load(tmp_path: Path, content: str | bytes, name: str = "study.yaml"):
    """Write ``content`` to tmp_path/name and load it; returns (record or None, report)."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return load_source(path)


def short(d: Diagnostic) -> str:
    """'LINE:COL: severity: message' (the file name left out)."""
    return f"{d.pos.line}:{d.pos.col}: {d.severity}: {d.message}"


def problems(tmp_path: Path, content: str | bytes, name: str = "study.yaml") -> list[str]:
    """Every diagnostic for ``content``, as 'LINE:COL: severity: message', sorted by position."""
    _, report = load(tmp_path, content, name)
    return [short(d) for d in report.sorted()]


def only(tmp_path: Path, content: str | bytes) -> Diagnostic:
    """The single diagnostic ``content`` produces (fails if there are none or several)."""
    _, report = load(tmp_path, content)
    assert len(report.items) == 1, report.text()
    return report.items[0]


def hints(report: Report) -> list[str]:
    return [d.hint for d in report.sorted()]




def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
