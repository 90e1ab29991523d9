"""Watch: from an edit saved to both formats rewritten, with `supplement watch` as a real process.

    python bench/watch_latency.py SOURCE.yaml [--edits 5] [--formats docx,pdf] [--json OUT]

Copies SOURCE into a temporary folder, starts ``supplement watch COPY --out OUT --format
docx,pdf -q`` there, and waits for its first build (every output file present) and a
second more for it to start watching. Then, ``--edits`` times: changes the study's title
(so that every output changes), saves it as an editor does (a temporary file renamed over
the source), and times from the rename until every output file has been replaced (its
inode or modification time changed), polling every 2 ms. Between edits it waits until the
outputs have been quiet for half a second. The watcher is stopped with SIGINT (then
SIGTERM, then SIGKILL), only the process it started.

Prints, or writes as JSON: {"first_build": s, "latencies": [s, …]} (wall seconds).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TIMEOUT = 120.0


def supplement_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("supplement")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("supplement")
    return [found] if found else [sys.executable, "-c", "from supplement.cli import run; run()"]


def signature(p: Path):
    try:
        st = p.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def wait_all_changed(outs: list[Path], before: list, proc, timeout: float = TIMEOUT) -> float | None:
    """Seconds (perf_counter) at which the last of ``outs`` differs from ``before``; None on timeout."""
    deadline = time.perf_counter() + timeout
    pending = set(range(len(outs)))
    while pending:
        now = time.perf_counter()
        if now > deadline or proc.poll() is not None:
            return None
        for i in list(pending):
            s = signature(outs[i])
            if s is not None and s != before[i]:
                pending.discard(i)
        if pending:
            time.sleep(0.002)
    return time.perf_counter()


def wait_quiet(outs: list[Path], quiet: float = 0.5, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    last = [signature(p) for p in outs]
    since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = [signature(p) for p in outs]
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def save_atomically(path: Path, text: str) -> float:
    tmp = path.with_name("." + path.name + ".swp")
    tmp.write_text(text, encoding="utf-8")
    t = time.perf_counter()
    os.replace(tmp, path)
    return t


def edited(text: str, k: int) -> str:
    """The source with its study title changed (every page of every format shows it)."""
    new, n = re.subn(r"(?m)^(  title: )(.*)$", lambda m: f"{m.group(1)}'Edit {k}: watched study'", text, count=1)
    if not n:
        raise SystemExit("no '  title:' line in the source to edit")
    return new


def stop(proc) -> None:
    for sig, wait in ((signal.SIGINT, 5), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            pass


def measure(source: str, edits: int = 5, formats: str = "docx,pdf") -> dict:
    with tempfile.TemporaryDirectory(prefix="supplement-watch-bench-") as tmp:
        d = Path(tmp)
        src = d / "study.yaml"
        text = Path(source).read_text(encoding="utf-8")
        src.write_text(text, encoding="utf-8")
        out = d / "out"
        outs = [out / f"study.{f}" for f in formats.split(",")]
        log = open(d / "watch.log", "w+")
        t0 = time.perf_counter()
        proc = subprocess.Popen(supplement_cmd() + ["watch", str(src), "--out", str(out), "--format", formats, "-q"],
                                cwd=d, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            done = wait_all_changed(outs, [None] * len(outs), proc)
            if done is None:
                log.seek(0)
                raise SystemExit(f"supplement watch: no first build\n{log.read()[-3000:]}")
            first = done - t0
            wait_quiet(outs)
            time.sleep(1.0)  # the watcher starts following the folder after its first build
            latencies = []
            for k in range(1, edits + 1):
                before = [signature(p) for p in outs]
                t = save_atomically(src, edited(text, k))
                done = wait_all_changed(outs, before, proc)
                if done is None:
                    log.seek(0)
                    raise SystemExit(f"supplement watch: edit {k} was not built\n{log.read()[-3000:]}")
                latencies.append(done - t)
                wait_quiet(outs)
        finally:
            stop(proc)
            log.close()
    return {"first_build": first, "latencies": latencies}


def main(argv) -> None:
    source = argv[0]
    edits = int(argv[argv.index("--edits") + 1]) if "--edits" in argv else 5
    formats = argv[argv.index("--formats") + 1] if "--formats" in argv else "docx,pdf"
    res = measure(source, edits, formats)
    if "--json" in argv:
        Path(argv[argv.index("--json") + 1]).write_text(json.dumps(res))
    else:
        print(f"first build {res['first_build']:.2f} s; edit -> both rewritten: "
              + ", ".join(f"{x:.3f}" for x in res["latencies"]) + " s")


if __name__ == "__main__":
    main(sys.argv[1:])
