"""Workers started before a small source is read (build.pool.prestart): the files are the same
as when the workers are forked after the reading, the Document reaches them whole, and no
worker outlives a build that stopped before rendering."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from supplement.build import pool
from supplement.build.run import build
from supplement.writers import FORMATS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "source" / "spinal-metastases.yaml"
WHOLE = ROOT / "docs" / "examples" / "whole-supplement.yaml"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")


@pytest.fixture
def two_cores(monkeypatch):
    """Two cores, as the benchmark machine has, whatever this one has: one worker is prestarted."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


@pytest.fixture
def started(monkeypatch):
    """The pids of the workers prestart started in this test."""
    pids = []
    real = pool._start

    def spy(fmt, cancel):
        pid, rfd, job = real(fmt, cancel)
        pids.append((fmt.name, pid))
        return pid, rfd, job

    monkeypatch.setattr(pool, "_start", spy)
    return pids


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.mark.parametrize("source,style,formats", [
    (EXAMPLE, None, ["docx", "pdf"]),
    (EXAMPLE, "lancet", ["docx", "pdf", "html"]),
    (WHOLE, None, ["docx", "pdf"]),
])
def test_a_prestarted_worker_writes_the_bytes_of_a_forked_one(tmp_path, monkeypatch, two_cores, started,
                                                              source, style, formats):
    first = build(source, tmp_path / "prestarted", formats, style)
    assert not first.report.errors
    assert [name for name, _ in started] == ["pdf"]  # the slowest import, one core left for the reading
    assert all(_gone(pid) for _, pid in started)
    monkeypatch.setattr(pool, "PRESTART_MAX_BYTES", 0)  # forked after the reading, as a large source's
    assert not build(source, tmp_path / "forked", formats, style).report.errors
    assert len(started) == 1
    assert _files(tmp_path / "prestarted") == _files(tmp_path / "forked")
    assert len(_files(tmp_path / "forked")) == len(formats)


def test_more_cores_prestart_every_format_that_starts_at_once(tmp_path, monkeypatch, started):
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    result = build(EXAMPLE, tmp_path, ["docx", "pdf", "md"])
    assert not result.report.errors
    assert [name for name, _ in started] == ["pdf", "docx", "md"]  # slowest import first
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".docx", ".md", ".pdf"]


def test_no_prestart_when_large_warm_or_one_format(tmp_path, two_cores):
    formats = [FORMATS["docx"], FORMATS["pdf"]]
    large = tmp_path / "large.yaml"
    large.write_bytes(b"#" * (pool.PRESTART_MAX_BYTES + 1))
    for ready in (pool.prestart(large, formats), pool.prestart(EXAMPLE, formats, warm=True),
                  pool.prestart(EXAMPLE, formats[:1]), pool.prestart(tmp_path / "missing.yaml", formats)):
        assert ready.workers == {}
    ready = pool.prestart(EXAMPLE, formats)
    try:
        assert list(ready.workers) == ["pdf"]
    finally:
        ready.close()


@pytest.mark.parametrize("broken", ["study: [\n", "schema: 1\nstudy:\n  title: 3\n"])
def test_a_build_that_stops_before_rendering_stops_its_workers(tmp_path, two_cores, started, broken):
    src = tmp_path / "study.yaml"
    src.write_text(broken, encoding="utf-8")
    result = build(src, tmp_path / "out", ["docx", "pdf"])
    assert result.report.errors and not (tmp_path / "out").exists()
    assert started and all(_gone(pid) for _, pid in started)


def test_strict_with_warnings_stops_its_workers(tmp_path, two_cores, started):
    text = EXAMPLE.read_text(encoding="utf-8").replace("schema: 1\n", "schema: 1\nunknown_key: 1\n", 1)
    src = tmp_path / "study.yaml"
    src.write_text(text, encoding="utf-8")
    result = build(src, tmp_path / "out", ["docx", "pdf"], strict=True)
    assert result.report.warnings or result.report.errors
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    assert started and all(_gone(pid) for _, pid in started)


def test_a_document_that_cannot_be_pickled_goes_to_a_forked_worker(tmp_path, monkeypatch, two_cores, started):
    monkeypatch.setattr(pool, "_pickled", lambda obj: None)
    result = build(EXAMPLE, tmp_path / "a", ["docx", "pdf"])
    assert not result.report.errors and started and all(_gone(pid) for _, pid in started)
    monkeypatch.setattr(pool, "PRESTART_MAX_BYTES", 0)
    build(EXAMPLE, tmp_path / "b", ["docx", "pdf"])
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_what_cannot_be_pickled_is_said_not_raised():
    assert pool._pickled({"f": lambda: 1}) is None
    assert pool._pickled(object) is not None


def test_a_located_string_keeps_its_position_through_pickling():
    from supplement.diagnostics import Pos
    from supplement.reader.located import YStr

    s = YStr("Ørsted", Pos("study.yaml", 3, 9), plain=True)
    back = pickle.loads(pool._pickled([s]))[0]
    assert type(back) is YStr and back == "Ørsted" and back.pos == s.pos and back.plain is True


def test_the_item_types_named_without_the_model_are_the_models():
    import typing

    from supplement.resolve import ITEM_TYPES
    from supplement.resolve.document import Item

    assert ITEM_TYPES == tuple(t.__name__ for t in typing.get_args(Item))


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html", "md", "xlsx"])
def test_a_worker_loads_its_document_with_what_its_writer_imported(tmp_path, fmt):
    """A prestarted worker waits for its Document having imported its writer: loading it then
    imports only the located values (no PyYAML, no schema, no model), so the wait is the
    Document's bytes. The whole-supplement example holds every item type."""
    from supplement.pipeline import compile_document

    doc, report = compile_document(WHOLE, None)
    assert doc is not None and not report.errors
    assert {type(it).__name__ for it in doc.items} == {"ParticipantTable", "ThemeTable", "DataTable", "TextSection"}
    (tmp_path / "doc.pickle").write_bytes(pool._pickled(doc))
    script = (
        "import pickle, sys\n"
        "import supplement.build.pool\n"  # the worker's own code
        "from supplement.writers import FORMATS\n"
        f"FORMATS[{fmt!r}].writer()\n"
        "before = set(sys.modules)\n"
        f"doc = pickle.loads(open({str(tmp_path / 'doc.pickle')!r}, 'rb').read())\n"
        "assert type(doc).__name__ == 'Document', doc\n"
        "print(sorted(set(sys.modules) - before))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    # the located values, and (for a writer that needs none of it) the typography's read-only roles
    assert set(eval(out)) <= {"supplement.reader", "supplement.reader.located", "supplement.resolve.typography"}


def test_a_worker_without_a_job_ends_quietly():
    pid, rfd, job = pool._start(FORMATS["md"], pool.Cancel())
    try:
        pool._close(job)  # the pipe closes before a Document was sent
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert os.read(rfd, 100) == b""
    finally:
        pool._close(rfd)


def test_ctrl_c_reaches_a_waiting_worker():
    """The terminal sends Ctrl-C to the whole group: a worker still waiting for its Document stops."""
    pid, rfd, job = pool._start(FORMATS["md"], pool.Cancel())
    try:
        time.sleep(0.3)
        os.kill(pid, signal.SIGINT)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 130
        assert b"interrupted" in os.read(rfd, 1000)
    finally:
        pool._close(rfd, job)


def test_ctrl_c_while_the_workers_start_stops_those_started(monkeypatch, started):
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    ends = set(pool._ENDS)
    real = pool._start  # the spy, which records each worker it starts

    def second_interrupted(fmt, cancel):
        if started:
            raise KeyboardInterrupt
        return real(fmt, cancel)

    monkeypatch.setattr(pool, "_start", second_interrupted)
    with pytest.raises(KeyboardInterrupt):
        pool.prestart(EXAMPLE, [FORMATS["docx"], FORMATS["pdf"], FORMATS["md"]])
    assert [name for name, _ in started] == ["pdf"]
    assert _gone(started[0][1]) and pool._ENDS == ends


def test_ctrl_c_while_the_document_is_pickled_stops_its_worker(tmp_path, monkeypatch, two_cores, started):
    ends = set(pool._ENDS)

    def interrupted(obj):
        raise KeyboardInterrupt

    monkeypatch.setattr(pool, "_pickled", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(EXAMPLE, tmp_path, ["docx", "pdf"])
    assert started and all(_gone(pid) for _, pid in started)
    assert pool._ENDS == ends
    assert not [p for p in tmp_path.iterdir() if not p.name.startswith(".")]


def test_a_writer_that_cannot_be_imported_is_reported_as_itself(tmp_path, monkeypatch, two_cores, started):
    from supplement.records import replace

    monkeypatch.setitem(FORMATS, "pdf", replace(FORMATS["pdf"], module="supplement.writers.no_such"))
    with pytest.raises(pool.WriterFailed, match="pdf writer failed: ModuleNotFoundError: No module named "
                                               "'supplement.writers.no_such'"):
        build(EXAMPLE, tmp_path, ["docx", "pdf"])
    assert [name for name, _ in started] == ["pdf"]


def test_the_formats_left_for_one_slot_are_rendered_in_this_process(tmp_path, monkeypatch, started):
    """Two cores: the PDF's worker is prestarted and the others, which a second worker would
    render one after another, are rendered by the building process itself (no fork). Four
    cores: three prestarted (slowest imports), the two others here."""
    forked, here = [], []
    real_fork, real_render = pool._fork, pool.render_into

    def fork(doc, fmt, tmp, cancel):
        forked.append(fmt.name)
        return real_fork(doc, fmt, tmp, cancel)

    def render(doc, fmt, tmp, cancel, keep=False):
        here.append((fmt.name, os.getpid()))  # a worker's list is its own copy
        return real_render(doc, fmt, tmp, cancel, keep)

    monkeypatch.setattr(pool, "_fork", fork)
    monkeypatch.setattr(pool, "render_into", render)
    for cores, formats, prestarted, local in ((2, ["docx", "pdf", "md"], ["pdf"], {"docx", "md"}),
                                              (4, ["md", "xlsx", "docx", "pdf", "html"], ["pdf", "docx", "html"],
                                               {"md", "xlsx"})):
        monkeypatch.setattr(os, "cpu_count", lambda: cores)
        started.clear(), here.clear()
        out = tmp_path / str(cores)
        assert not build(EXAMPLE, out, formats).report.errors
        assert [name for name, _ in started] == prestarted and forked == []
        assert {name for name, pid in here if pid == os.getpid()} == local
        assert sorted(p.suffix for p in out.iterdir()) == sorted("." + f for f in formats)


def test_what_is_rendered_here_and_what_in_workers():
    """pool._placed: the prestarted formats go first; the rest is rendered here when one slot
    is left, and forked when none is (this process renders LibreOffice's PDF meanwhile)."""
    from types import SimpleNamespace as F

    docx, pdf, md, lo = F(name="docx"), F(name="pdf"), F(name="md"), F(name="pdf-lo")
    for f in (docx, pdf, md):
        f.external, f.keeps = False, False
    lo.external, lo.keeps = True, False
    jobs = [(docx, 1), (pdf, 2), (md, 3)]
    names = lambda js: [f.name for f, _ in js]  # noqa: E731
    assert tuple(map(names, pool._placed(jobs, 2, False, {"pdf"}))) == (["docx", "md"], ["pdf"])
    assert tuple(map(names, pool._placed(jobs, 2, False, set()))) == ([], ["docx", "pdf", "md"])
    assert tuple(map(names, pool._placed(jobs, 3, False, {"pdf"}))) == ([], ["pdf", "docx", "md"])
    with_lo = [(docx, 1), (lo, 2), (md, 3)]  # two cores: one slot, the prestarted Word worker's
    assert tuple(map(names, pool._placed(with_lo, 1, False, {"docx"}))) == (["pdf-lo"], ["docx", "md"])


def test_a_worker_that_dies_is_named(tmp_path, monkeypatch, two_cores):
    """A worker killed mid-render (out of memory, kill -9) is reported with its format."""
    parent = os.getpid()
    real = pool.render_into

    def dying(doc, fmt, tmp, cancel, keep=False):
        if os.getpid() != parent and fmt.name == "html":
            os._exit(1)  # as a killed process: no result written
        return real(doc, fmt, tmp, cancel, keep)

    monkeypatch.setattr(pool, "render_into", dying)
    monkeypatch.setattr(pool, "PRESTART_MAX_BYTES", 0)  # forked after the reading
    with pytest.raises(pool.WriterFailed, match="the html writer's process ended unexpectedly"):
        build(EXAMPLE, tmp_path / "out", ["md", "html"])
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())  # nothing put in place
