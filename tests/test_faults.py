"""ISSUE 7, faults: a bad output folder, a full disk, a failing writer, Ctrl-C, a kill or a
second build at the same time never loses an earlier output or leaves a partial file.

Tests run as root here and in CI, where chmod 0o500 does not stop anyone writing. An
unwritable output folder is therefore tested three ways: chmod when not root (skipped
as root), ``os.access`` monkeypatched to say no (the check before anything is rendered),
and a real refusal by the kernel that binds root too: ``/proc`` exists but cannot hold
a new file, and nothing can be created under ``/proc/self``.
"""

from __future__ import annotations

import copy
import errno
import importlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import (example_data, invoke, parts_left, run_cli, snapshot, trimmed_data,
                      write_source)

RUN = [sys.executable, "-c", "from supplement.cli import run; run()"]


def _valid(out: Path, name: str = "study") -> None:
    import docx
    from pypdf import PdfReader

    d = docx.Document(str(out / f"{name}.docx"))
    assert d.paragraphs or d.tables
    with zipfile.ZipFile(out / f"{name}.docx") as z:
        assert z.testzip() is None
    reader = PdfReader(str(out / f"{name}.pdf"), strict=True)
    assert len(reader.pages) >= 1
    assert reader.pages[0].extract_text()


@pytest.fixture
def earlier(tmp_path):
    """A source and a complete earlier build of it: (source, out dir, bytes of the outputs)."""
    data = trimmed_data(2)
    src = write_source(tmp_path, data)
    out = tmp_path / "out"
    run_cli("build", src, "--out", out, "-q")
    before = snapshot(out)
    assert set(before) == {"study.docx", "study.pdf"}
    # a changed source: a build that completed, even partly, would show in the outputs' bytes
    data["study"]["title"] = "Revised: " + data["study"]["title"]
    write_source(tmp_path, data)
    return src, out, before


def _failed_cleanly(result, out: Path, before: dict, *wording: str) -> str:
    """Exit 1 with a clear message, earlier outputs byte-for-byte unchanged, no temporary file."""
    text = result.stdout + result.stderr
    assert result.exit_code == 1, text
    for w in wording:
        assert w in text, text
    assert "Traceback" not in text and "internal error" not in text, text
    if out.exists():
        assert snapshot(out) == before, "an earlier output changed"
        assert not parts_left(out), parts_left(out)
    return text


# --- the output folder ------------------------------------------------------------------------

def test_missing_output_folder_is_created(small_source, tmp_path):
    out = tmp_path / "a" / "b" / "c"
    result = run_cli("build", small_source, "--out", out, "-q")
    assert result.exit_code == 0
    _valid(out, "small")


def test_file_in_the_way_of_the_output_folder(small_source, tmp_path):
    out = tmp_path / "out"
    out.write_bytes(b"not a folder")
    result = run_cli("build", small_source, "--out", out, located_on_failure=False)
    _failed_cleanly(result, tmp_path / "none", {}, "a file is in the way of the output directory")
    assert out.read_bytes() == b"not a folder"


def test_file_in_the_way_of_a_parent_folder(small_source, tmp_path):
    (tmp_path / "f").write_bytes(b"x")
    result = run_cli("build", small_source, "--out", tmp_path / "f" / "out", located_on_failure=False)
    _failed_cleanly(result, tmp_path / "none", {}, "cannot create the output directory")


def test_folder_in_the_way_of_an_output_file(earlier):
    """out/study.pdf is a folder: nothing is renamed, so the earlier Word file stays too."""
    src, out, before = earlier
    (out / "study.pdf").unlink()
    (out / "study.pdf").mkdir()
    before.pop("study.pdf")
    result = run_cli("build", src, "--out", out, located_on_failure=False)
    _failed_cleanly(result, out, before, "a folder is in the way of the output file")


def test_output_file_that_is_a_symlink_is_replaced_not_followed(small_source, tmp_path):
    """out/small.pdf links to a file elsewhere: the build replaces the link, the file it
    pointed at is not written through."""
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"keep me")
    (out / "small.pdf").symlink_to(victim)
    run_cli("build", small_source, "--out", out, "-q")
    assert victim.read_bytes() == b"keep me"
    assert not (out / "small.pdf").is_symlink()
    _valid(out, "small")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="chmod does not stop root")
def test_output_folder_not_writable_chmod(earlier):
    src, out, before = earlier
    out.chmod(0o500)
    try:
        result = run_cli("build", src, "--out", out, located_on_failure=False)
    finally:
        out.chmod(0o755)
    _failed_cleanly(result, out, before, "not writable")


def test_output_folder_not_writable_access(earlier, monkeypatch):
    """As root chmod changes nothing; os.access is what the command asks first."""
    src, out, before = earlier
    real = os.access
    monkeypatch.setattr(os, "access",
                        lambda p, mode, **k: False if Path(p) == out and mode & os.W_OK else real(p, mode, **k))
    result = run_cli("build", src, "--out", out, located_on_failure=False)
    _failed_cleanly(result, out, before, "the output directory is not writable")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_output_folder_the_kernel_refuses(small_source):
    """/proc is a folder nobody, root included, can create a file in."""
    result = run_cli("build", small_source, "--out", "/proc", located_on_failure=False)
    _failed_cleanly(result, Path("/nonexistent"), {}, "could not write the output")
    result = run_cli("build", small_source, "--out", "/proc/self/supplement-out", located_on_failure=False)
    _failed_cleanly(result, Path("/nonexistent"), {}, "cannot create the output directory")


# --- disk full, writer failures -------------------------------------------------------------

def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_disk_full_at_fsync(earlier, monkeypatch):
    src, out, before = earlier
    monkeypatch.setattr(os, "fsync", _enospc)  # inherited by the forked PDF writer
    result = invoke("build", src, "--out", out)
    _failed_cleanly(result, out, before, "No space left on device", "earlier outputs are unchanged")


class _HalfWriter:
    """A file whose write stores half the data and then finds the disk full."""

    def __init__(self, f):
        self.f = f

    def write(self, data):
        self.f.write(data[: len(data) // 2])
        self.f.flush()
        _enospc()

    def __getattr__(self, name):
        return getattr(self.f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()


@pytest.mark.parametrize("failing", ["docx", "pdf", "both"])
def test_disk_full_halfway_through_a_write(earlier, monkeypatch, failing):
    """Half of a file is on disk when the disk fills. With one format failing, the other
    (complete) one is not put in place either: a build replaces all its outputs or none."""
    import supplement.build.atomic

    src, out, before = earlier
    seen = []

    def fake_open(file, mode="r", *a, **k):
        f = open(file, mode, *a, **k)
        if "w" in mode and (failing == "both" or f".{failing}." in Path(file).name):
            seen.append(Path(file))
            return _HalfWriter(f)
        return f

    monkeypatch.setattr(supplement.build.atomic, "open", fake_open, raising=False)
    result = invoke("build", src, "--out", out)
    _failed_cleanly(result, out, before, "No space left on device", "earlier outputs are unchanged")
    # both formats render in worker processes, whose calls are not seen here; _failed_cleanly
    # checks that no temporary file is left


@pytest.mark.parametrize("exc", [RuntimeError("boom"), OSError(errno.ENOSPC, "No space left on device"),
                                 MemoryError(), ValueError("layout")], ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_writer_fails_partway(earlier, monkeypatch, fmt, exc):
    """The renderer raises after it started (docx runs in this process, pdf in a forked one):
    exit 1 naming the writer, every earlier output unchanged, no temporary file."""
    from supplement.writers import FORMATS

    src, out, before = earlier
    module = importlib.import_module(FORMATS[fmt].module)
    real = module.render

    def failing(doc, warn=lambda m: None):
        real(doc, warn)  # do the work, then fail: as late as a renderer can
        raise exc

    monkeypatch.setattr(module, "render", failing)
    result = invoke("build", src, "--out", out)
    _failed_cleanly(result, out, before, f"{fmt} writer failed: {type(exc).__name__}", "earlier outputs are unchanged")


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_writer_reports_a_located_problem(earlier, monkeypatch, fmt):
    """A writer that cannot lay something out raises SourceError with a position (the
    contract in supplement.build.run): reported like a source error, nothing written."""
    from supplement.diagnostics import Pos, Report, SourceError
    from supplement.writers import FORMATS

    src, out, before = earlier
    module = importlib.import_module(FORMATS[fmt].module)

    def too_small(doc, warn=lambda m: None):
        r = Report()
        r.error(Pos(str(src), 12, 3), "the page's text area is too small for this table", "reduce the margins")
        raise SourceError(r)

    monkeypatch.setattr(module, "render", too_small)
    result = run_cli("build", src, "--out", out)
    text = _failed_cleanly(result, out, before, "nothing written")
    assert f"{src}:12:3: error: the page's text area is too small for this table" in text


def test_source_errors_write_nothing(earlier):
    src, out, before = earlier
    text = src.read_text(encoding="utf-8").replace("schema: 1", "schema: 7")
    src.write_text(text, encoding="utf-8")
    result = run_cli("build", src, "--out", out)
    _failed_cleanly(result, out, before, "nothing written")


# --- signals and concurrency (real processes) -----------------------------------------------

def _big_source(directory: Path, copies: int) -> Path:
    """The example with its themes repeated (and its quotes varied, so that they are not
    reported as repeats). 60 copies: 7,000 quotes, a 3 MB source, a build of about 3 s
    (0.6 s reading, the Word file by 1 s, the PDF by 3 s)."""
    d = example_data()
    themes = []
    for k in range(copies):
        for t in copy.deepcopy(d["themes"]):
            t["id"] = f"{t['id']}-{k}"
            for s in t.get("subthemes", []):
                s["id"] = f"{s['id']}-{k}"
            for block in [t] + t.get("subthemes", []):
                for f in block.get("findings", []):
                    for q in f.get("quotes", []):
                        q["text"] += f" ({k})"
            themes.append(t)
    d["themes"] = themes
    return write_source(directory, d, "study.yaml")


@pytest.fixture(scope="session")
def big_text(tmp_path_factory) -> str:
    return _big_source(tmp_path_factory.mktemp("big"), 60).read_text(encoding="utf-8")


@pytest.fixture
def big_after_small(tmp_path, big_text):
    """Earlier outputs of a small 'study', then a big 'study.yaml' whose build takes seconds."""
    src = write_source(tmp_path, trimmed_data(1), "study.yaml")
    out = tmp_path / "out"
    run_cli("build", src, "--out", out, "-q")
    before = snapshot(out)
    src.write_text(big_text, encoding="utf-8")
    return src, out, before


@pytest.mark.parametrize("how,delay", [("SIGINT", 0.3), ("SIGINT-group", 1.0), ("SIGINT", 2.0), ("SIGTERM", 1.5)])
def test_interrupted_build(big_after_small, how, delay):
    """Ctrl-C (to the process, or to its whole group as a terminal sends it) or SIGTERM:
    the build stops within seconds, says so without a traceback, leaves no temporary file
    and every earlier output as it was."""
    src, out, before = big_after_small
    p = subprocess.Popen(RUN + ["build", str(src), "--out", str(out)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert p.stderr.readline().startswith("building")  # the command has started (not still importing)
    time.sleep(delay)
    assert p.poll() is None, "the build finished before it could be interrupted; make the source bigger"
    sig = signal.SIGTERM if how == "SIGTERM" else signal.SIGINT
    sent = time.perf_counter()
    if how.endswith("group"):
        os.killpg(p.pid, sig)
    else:
        p.send_signal(sig)
    try:
        _, err = p.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        pytest.fail("the build did not stop within 5 s of the signal")
    assert time.perf_counter() - sent < 3, "stopping took more than 3 s"
    assert p.returncode == (143 if how == "SIGTERM" else 130), err
    assert "Traceback" not in err and "internal error" not in err, err
    assert ("terminated" if how == "SIGTERM" else "interrupted") + "; earlier outputs are unchanged" in err
    time.sleep(0.2)  # a forked writer is reaped by the parent; give the kernel a moment anyway
    assert not parts_left(out)
    assert snapshot(out) == before


def test_killed_outright_leaves_earlier_outputs_intact(big_after_small):
    """SIGKILL cannot be caught: a hidden .part file may stay behind (documented), but the
    outputs themselves are the earlier, complete ones."""
    src, out, before = big_after_small
    p = subprocess.Popen(RUN + ["build", str(src), "--out", str(out), "-q"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(1.5)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait(timeout=5)
    assert snapshot(out).keys() - {p.name for p in parts_left(out)} == before.keys()
    assert {k: v for k, v in snapshot(out).items() if k in before} == before
    _valid(out)


def _processes_with(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text in (entry / "cmdline").read_bytes().decode("utf-8", "replace"):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc to list processes")
def test_workers_die_with_a_killed_build_and_the_next_build_cleans_up(big_after_small):
    """kill -9 of the build process alone: its format workers stop too (they would otherwise
    render to the end for nothing), and the next build removes the temporary files it left."""
    src, out, before = big_after_small
    p = subprocess.Popen(RUN + ["build", str(src), "--out", str(out)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert p.stderr.readline().startswith("building")
    deadline = time.monotonic() + 20
    while len(_processes_with(str(src))) < 2:  # the workers have started
        assert time.monotonic() < deadline and p.poll() is None, "no worker process seen"
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=5)
    deadline = time.monotonic() + 3
    while _processes_with(str(src)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_with(str(src)) == [], "a worker outlived the build"
    assert {k: v for k, v in snapshot(out).items() if k in before} == before
    result = subprocess.run(RUN + ["build", str(src), "--out", str(out), "-q"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert not parts_left(out)
    _valid(out)


def test_two_builds_at_once(tmp_path):
    """Two builds of the same source into the same folder: both finish, and the files are
    complete and valid (each is one build's, never a mix of two)."""
    src = _big_source(tmp_path, copies=2)
    out = tmp_path / "out"
    procs = [subprocess.Popen(RUN + ["build", str(src), "--out", str(out), "-q"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert "Traceback" not in err
    assert not parts_left(out)
    assert sorted(snapshot(out)) == ["study.docx", "study.pdf"]
    _valid(out)
