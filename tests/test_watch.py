"""supplement watch: one rebuild per atomic save, errors reported and survived, style files
followed; and the command itself, run as a user would, in a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import EXAMPLE, trimmed_data, write_source
from supplement.build.run import build
from supplement.build.watch import follow

ROOT = Path(__file__).resolve().parent.parent


def atomic_save(path: Path, text: str) -> None:
    """As editors save: a temporary file beside it, renamed over it."""
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class Follower:
    """follow() in a thread, counting builds; stopped at the end of the test."""

    def __init__(self, source: Path, out: Path):
        self.source, self.out = source, out
        self.results = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=follow, args=(source, self.rebuild, self.stop),
                                       kwargs={"step_ms": 100}, daemon=True)

    def rebuild(self):
        r = build(self.source, self.out, ["html"])
        self.results.append(r)
        return r.doc, r.report

    def wait(self, n: int, timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while len(self.results) < n and time.monotonic() < end:
            time.sleep(0.02)
        assert len(self.results) >= n, f"{len(self.results)} builds, waited for {n}"

    def settle(self) -> None:
        """Wait past the debounce for builds a change may still cause."""
        time.sleep(0.6)

    def __enter__(self):
        self.thread.start()
        self.wait(1)
        time.sleep(0.3)  # the watch is set up right after the first build
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)
        assert not self.thread.is_alive(), "follow() did not stop"


def test_one_rebuild_per_atomic_save_and_none_for_other_files(tmp_path):
    data = trimmed_data(1)
    src = write_source(tmp_path, data)
    out = tmp_path / "out"
    with Follower(src, out) as f:
        assert not f.results[0].report.errors
        data["themes"][0]["title"] = "Renamed Theme"
        atomic_save(src, write_source(tmp_path, data, "scratch.txt").read_text())
        f.wait(2)
        f.settle()
        assert len(f.results) == 2
        assert "I. Renamed Theme" in (out / "study.html").read_text()
        (tmp_path / "notes.txt").write_text("unrelated")  # the folder's other files do not count
        (out / "other.yaml").write_text("x")
        f.settle()
        assert len(f.results) == 2
        data["themes"][0]["title"] = "Again"
        atomic_save(src, write_source(tmp_path, data, "scratch.txt").read_text())
        f.wait(3)
        f.settle()
        assert len(f.results) == 3


def test_errors_are_reported_and_the_next_save_builds(tmp_path):
    data = trimmed_data(1)
    src = write_source(tmp_path, data)
    good = src.read_text()
    out = tmp_path / "out"
    with Follower(src, out) as f:
        before = (out / "study.html").read_bytes()
        atomic_save(src, good.replace("schema: 1", "schema: 1\nstudy: [broken"))
        f.wait(2)
        errors = f.results[1].report.errors
        assert errors and errors[0].pos.file == str(src) and errors[0].pos.line >= 1
        assert (out / "study.html").read_bytes() == before  # the last good output stays
        atomic_save(src, good.replace("Elements of Disease", "Fixed Elements"))
        f.wait(3)
        assert not f.results[2].report.errors
        assert "I. Fixed Elements" in (out / "study.html").read_text()


def test_style_files_are_followed_even_while_broken(tmp_path):
    data = trimmed_data(1)
    data["style"] = "styles/lab.yaml"
    (tmp_path / "styles").mkdir()
    style = tmp_path / "styles" / "lab.yaml"
    style.write_text("extends: default\nlabels: {item: 'Table S{n}'}\n")
    src = write_source(tmp_path, data)
    out = tmp_path / "out"
    with Follower(src, out) as f:
        assert "Table S2." in (out / "study.html").read_text()
        atomic_save(style, "extends: default\nlabels: {item: [broken\n")
        f.wait(2)
        assert f.results[1].report.errors[0].pos.file.endswith("lab.yaml")
        atomic_save(style, "extends: default\nlabels: {item: 'eTable {n}'}\n")
        f.wait(3)
        f.settle()
        assert len(f.results) == 3 and "eTable 2." in (out / "study.html").read_text()


def test_transcripts_are_followed(tmp_path):
    data = trimmed_data(1)
    (tmp_path / "transcripts").mkdir()
    transcript = tmp_path / "transcripts" / "fg.txt"
    transcript.write_text("page 1\n")
    data["sources"][0]["transcript"] = "transcripts/fg.txt"
    src = write_source(tmp_path, data)
    with Follower(src, tmp_path / "out") as f:
        assert not f.results[0].report.errors
        atomic_save(transcript, "page 1, revised\n")
        f.wait(2)
        f.settle()
        assert len(f.results) == 2


def test_watch_command_rebuilds_the_example_on_save_and_stops_on_ctrl_c(tmp_path):
    src = tmp_path / EXAMPLE.name
    text = EXAMPLE.read_text(encoding="utf-8")
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", "from supplement.cli import run; run()", "watch", str(src),
                             "--out", str(out), "-q"], stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    lines = []

    def read():
        for line in proc.stderr:
            lines.append(line)
    threading.Thread(target=read, daemon=True).start()
    started = time.monotonic()
    try:
        docx, pdf = out / "spinal-metastases.docx", out / "spinal-metastases.pdf"
        end = time.monotonic() + 30
        while not (docx.exists() and pdf.exists()) and time.monotonic() < end:
            time.sleep(0.05)
        assert docx.exists() and pdf.exists(), "".join(lines)
        first_build = time.monotonic() - started  # process start and imports included
        time.sleep(0.5)
        first = pdf.stat().st_mtime_ns, docx.stat().st_mtime_ns
        saved = time.monotonic()
        atomic_save(src, text.replace("title: 'Elements of Disease'", "title: 'Elements of Illness'"))
        while (pdf.stat().st_mtime_ns, docx.stat().st_mtime_ns) <= first and time.monotonic() < saved + 10:
            time.sleep(0.01)
        took = time.monotonic() - saved
        assert pdf.stat().st_mtime_ns > first[0] and docx.stat().st_mtime_ns > first[1], "".join(lines)
        # under a second (0.8 s on a busy 2-core machine); when other work slows everything,
        # still sooner than the first build, which also started the process
        assert took < 1.0 or took < first_build, f"new files {took:.2f} s after the save; first build {first_build:.2f} s"
        atomic_save(src, text.replace("schema: 1", "schema: 1\nthemes: [broken"))
        end = time.monotonic() + 10
        while not any("last good outputs are unchanged" in l for l in lines) and time.monotonic() < end:
            time.sleep(0.05)
        shown = "".join(lines)
        assert f"{src}:" in shown and ": error: " in shown and "Traceback" not in shown, shown
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(10)
    assert code == 130
    assert "Traceback" not in "".join(lines)


def test_preview_command_serves_on_the_port_it_prints_and_stops_on_ctrl_c(tmp_path):
    import re
    import urllib.request

    data = trimmed_data(1)
    src = write_source(tmp_path, data)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", "from supplement.cli import run; run()", "preview", str(src)],
                            stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        line = proc.stderr.readline()
        m = re.search(r"at (http://127\.0\.0\.1:(\d+)/) ", line)
        assert m and int(m.group(2)) > 0, line
        end = time.monotonic() + 20
        while time.monotonic() < end:
            with urllib.request.urlopen(m.group(1) + "version", timeout=5) as r:
                if r.read() != b"0":
                    break
            time.sleep(0.05)
        with urllib.request.urlopen(m.group(1), timeout=5) as r:
            page = r.read().decode()
        assert "I. Elements of Disease" in page and 'fetch("/version"' in page
        assert not list(tmp_path.glob("*.html")) and not (tmp_path / "output").exists()  # nothing written
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(10)
        rest = proc.stderr.read()
    assert code == 130 and "Traceback" not in rest, rest


def test_warm_workers_write_the_same_files_as_a_cold_build(tmp_path):
    """watch forks its workers from a process that rendered a sample first, and renders the
    PDF in its own process, which keeps the paragraphs laid out for the next rebuild (issue
    18): the files are byte for byte those of a plain build, on every rebuild."""
    data = trimmed_data(2)
    data["themes"][0]["findings"][0]["quotes"][0]["text"] += " Ünïcode — “quoted” … ’"
    src = write_source(tmp_path, data)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = ("import sys; from pathlib import Path; from supplement.build.run import build\n"
              "for i in range(2):\n"
              "    r = build(Path(sys.argv[1]), Path(sys.argv[2]) / str(i), ['docx', 'pdf'], warm=sys.argv[3] == '1')\n"
              "    assert not r.report.errors and len(r.written) == 2\n"
              "import supplement.build.warm as w; import supplement.writers.pdf as p\n"
              "print(sorted(w._warm), p._kept is not None and p._kept.typesetter.reused > 0)")
    runs = {}
    for warm in ("0", "1"):
        p = subprocess.run([sys.executable, "-c", script, str(src), str(tmp_path / warm), warm], capture_output=True,
                           text=True, env=env, timeout=120)
        assert p.returncode == 0, p.stderr
        runs[warm] = p.stdout.strip()
    # the Word file's worker forked from a warm process, the PDF rendered in the watching one,
    # the second time from what the first kept; a plain build does neither
    assert runs == {"0": "[] False", "1": "['docx'] True"}
    files = {(w, i, e): (tmp_path / w / str(i) / f"study.{e}").read_bytes()
             for w in ("0", "1") for i in (0, 1) for e in ("docx", "pdf")}
    for e in ("docx", "pdf"):
        assert len({files[(w, i, e)] for w in ("0", "1") for i in (0, 1)}) == 1


def test_warm_again_only_when_a_style_file_changes(tmp_path):
    from supplement.build import warm
    from supplement.pipeline import compile_document
    from supplement.writers import FORMATS

    data = trimmed_data(1)
    data["style"] = "lab.yaml"
    style = tmp_path / "lab.yaml"
    style.write_text("extends: default\nlabels: {item: 'Table S{n}'}\n")
    src = write_source(tmp_path, data)
    fmts = [FORMATS["docx"], FORMATS["pdf"]]
    warm._warm.clear()
    doc, report = compile_document(src)
    assert warm.warm(doc, fmts) == ["docx", "pdf"]
    assert warm.warm(doc, fmts) == []
    sample = warm.sample(doc)
    assert [len(i.rows) if hasattr(i, "rows") else len(i.blocks) for i in sample.items] == [2, 2]
    assert all(len(f.quotes) <= 2 for b in sample.items[1].blocks for f in b.findings)
    style.write_text("extends: default\nlabels: {item: 'eTable {n}'}\n# edited\n")
    doc, report = compile_document(src)
    assert warm.warm(doc, fmts) == ["docx", "pdf"]
