"""Shared fixtures and options for the test suite.

``--run-slow`` runs the tests marked ``slow`` and switches hypothesis to the long
profile (2,000 examples per property instead of 40, random instead of derandomized):

    pytest --run-slow tests/test_hardening.py
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "source" / "spinal-metastases.yaml"
HOSTILE = Path(__file__).resolve().parent / "hostile"

# A located diagnostic as printed by `check` and `build`: FILE:LINE:COL: severity: message
LOCATED = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): ", re.M)

_QUIET = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large,
          HealthCheck.filter_too_much]
settings.register_profile("supplement-ci", max_examples=40, derandomize=True, deadline=None,
                          suppress_health_check=_QUIET, print_blob=True)
settings.register_profile("supplement-slow", max_examples=2000, derandomize=False, deadline=None,
                          suppress_health_check=_QUIET, print_blob=True)


def pytest_unconfigure(config):
    validator = sys.modules.get("ooxml_validator")  # the Open XML validators the run started
    if validator is not None:
        validator.stop()
    cache = getattr(config, "_supplement_cache", None)
    if cache:
        shutil.rmtree(cache, ignore_errors=True)


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="run slow tests and long hypothesis runs (2,000 examples)")


def pytest_configure(config):
    # Fonts' character maps and the identifier checks' word lists are cached under XDG_CACHE_HOME
    # (user_cache.py): the suite, and the commands it runs, use a cache of their own, never the user's.
    config._supplement_cache = tempfile.mkdtemp(prefix="supplement-test-cache-")
    os.environ["XDG_CACHE_HOME"] = config._supplement_cache
    # An explicit --hypothesis-profile wins; otherwise pick ours.
    if not config.getoption("--hypothesis-profile", default=None):
        settings.load_profile("supplement-slow" if config.getoption("--run-slow") else "supplement-ci")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On CI a test skipped for a missing client (LibreOffice, pandoc, poppler, the validator)
    fails instead: there, a missing install step in .ci/run must not pass as a skip."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and "not installed" in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = f"CI is set but a client is missing: {report.longrepr}; install it in .ci/run"


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# --- the example source ---------------------------------------------------------------

_EXAMPLE_DATA = None


def example_data() -> dict:
    """The reference source as plain data (a fresh deep copy each call)."""
    global _EXAMPLE_DATA
    if _EXAMPLE_DATA is None:
        _EXAMPLE_DATA = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return copy.deepcopy(_EXAMPLE_DATA)


def trimmed_data(themes: int = 2) -> dict:
    """The example cut to its first ``themes`` themes: renders in a fraction of a second."""
    d = example_data()
    d["themes"] = d["themes"][:themes]
    return d


def dump(data) -> str:
    """YAML text for ``data``. Strings PyYAML cannot print raw (NUL, lone surrogates,
    other controls) come out as escapes in double-quoted scalars ("\\0", "\\uD800")."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def write_source(directory: Path, data, name: str = "study.yaml") -> Path:
    path = Path(directory) / name
    path.write_text(data if isinstance(data, str) else dump(data), encoding="utf-8")
    return path


@pytest.fixture
def example_copy(tmp_path) -> Path:
    """The reference source copied into tmp_path (so outputs and styles stay local)."""
    return Path(shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name))


@pytest.fixture
def small_source(tmp_path) -> Path:
    return write_source(tmp_path, trimmed_data(2), "small.yaml")


# --- running the command ----------------------------------------------------------------

def invoke(*args: str):
    """Run ``supplement ARGS`` in-process; returns the click Result (stdout/stderr separate)."""
    from click.testing import CliRunner

    from supplement.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


def assert_orderly(result, *, located_on_failure: bool = True) -> None:
    """The run ended the way a user may see it end: exit 0, 1 or 2, never an exception or a
    traceback; and a failure says where (FILE:LINE:COL) unless ``located_on_failure`` is off."""
    out = result.stdout + result.stderr
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        pytest.fail(f"unexpected exception (the command would exit 70 'internal error'):\n{tb}\n--- output:\n{out[-3000:]}")
    assert result.exit_code in (0, 1, 2), f"exit status {result.exit_code}\n{out[-3000:]}"
    assert "Traceback" not in out, out[-3000:]
    assert "internal error" not in out, out[-3000:]
    if result.exit_code != 0 and located_on_failure:
        assert LOCATED.search(out), f"failed without any FILE:LINE:COL message:\n{out[-3000:]}"


def run_cli(*args: str, located_on_failure: bool = True):
    result = invoke(*args)
    assert_orderly(result, located_on_failure=located_on_failure)
    return result


def parts_left(directory: Path) -> list[Path]:
    """Temporary files of interrupted writes (supplement.build.atomic.temp_beside names them
    .NAME.PID.XXXX.part, and .old for an earlier output kept until all new ones are in place)."""
    return sorted(p for p in Path(directory).rglob("*") if p.name.endswith((".part", ".old")))


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(Path(directory).iterdir()) if p.is_file()}


def _python() -> str:
    return sys.executable
