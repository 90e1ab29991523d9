"""Watch: from an edit saved to every output rewritten, with `supplement watch` as a real process.

    python bench/watch_latency.py SOURCE.yaml [--edits 5] [--formats docx,pdf] [--json OUT]
    python bench/watch_latency.py --quotes 1000 --edits 10     # a generated study (bench/gen.py, --seed 1)
    python bench/watch_latency.py SOURCE.yaml --tree ../other-checkout   # another version of supplement

Copies SOURCE (or a study of ``--quotes`` quotes from gen.py) into a temporary folder,
starts ``supplement watch COPY --out OUT --format docx,pdf -q`` there (``python -c`` with
``--tree``, default this checkout, first on ``PYTHONPATH``, so the watch process is the one
measured), and waits for its first build (every output file present) and ``--pause``
seconds more for it to start watching. Then, ``--edits`` times: changes the study's title
(so that every output changes), saves it as an editor does (a temporary file renamed over
the source), and times from the rename until every output file has been replaced (its
inode or modification time changed), polling every 2 ms. Between edits it waits until the
outputs have been quiet for half a second, and takes the CPU time the watch process and
the workers it waited for used for that rebuild (user + system, from /proc): the figure
to compare on a busy machine, where the wall time also holds the wait for a core. The
watcher is stopped with SIGINT (then SIGTERM, then SIGKILL), only the process it started.

Prints, or writes as JSON: {"first_build": s, "latencies": [s, …], "cpu": [s, …]}
(latencies: wall seconds from save to outputs; cpu: CPU seconds of each rebuild, or null
where /proc is not there).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TIMEOUT = 120.0


def watch_cmd() -> list[str]:
    """`supplement watch` as this Python running the CLI of the checkout on PYTHONPATH."""
    return [sys.executable, "-c", "from supplement.cli import run; run()", "watch"]


def cpu_seconds(pid: int) -> float | None:
    """User + system time of a process and of the children it has waited for (None without /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


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


def measure(text: str, edits: int = 5, formats: str = "docx,pdf", tree: Path = ROOT, pause: float = 1.0) -> dict:
    """Time ``edits`` saves of the source ``text`` under `supplement watch` of the checkout ``tree``."""
    with tempfile.TemporaryDirectory(prefix="supplement-watch-bench-") as tmp:
        d = Path(tmp)
        src = d / "study.yaml"
        src.write_text(text, encoding="utf-8")
        out = d / "out"
        outs = [out / f"study.{f}" for f in formats.split(",")]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(tree.resolve())]
                                            + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        log = open(d / "watch.log", "w+")
        t0 = time.perf_counter()
        proc = subprocess.Popen(watch_cmd() + [str(src), "--out", str(out), "--format", formats, "-q"],
                                cwd=d, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            done = wait_all_changed(outs, [None] * len(outs), proc)
            if done is None:
                log.seek(0)
                raise SystemExit(f"supplement watch: no first build\n{log.read()[-3000:]}")
            first = done - t0
            wait_quiet(outs)
            time.sleep(pause)  # the watcher starts following the folder after its first build
            latencies, cpus = [], []
            for k in range(1, edits + 1):
                before = [signature(p) for p in outs]
                new = edited(text, k)
                cpu0 = cpu_seconds(proc.pid)
                t = save_atomically(src, new)
                done = wait_all_changed(outs, before, proc)
                if done is None:
                    log.seek(0)
                    raise SystemExit(f"supplement watch: edit {k} was not built\n{log.read()[-3000:]}")
                latencies.append(done - t)
                wait_quiet(outs)  # the rebuild's workers exit and are waited for
                cpu1 = cpu_seconds(proc.pid)
                cpus.append(None if cpu0 is None or cpu1 is None else cpu1 - cpu0)
        finally:
            stop(proc)
            log.close()
    return {"first_build": first, "latencies": latencies, "cpu": cpus}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", nargs="?", type=Path, help="the study to watch a copy of (default: a generated one)")
    ap.add_argument("--quotes", type=int, default=1000, help="without SOURCE: quotes of the generated study (1000)")
    ap.add_argument("--seed", type=int, default=1, help="without SOURCE: seed of the generated study (1)")
    ap.add_argument("--edits", "--saves", type=int, default=5, help="edits to save and time (default 5)")
    ap.add_argument("--formats", "--format", default="docx,pdf", help="formats the watch builds (default docx,pdf)")
    ap.add_argument("--tree", type=Path, default=ROOT, help="the supplement checkout to run (default: this one)")
    ap.add_argument("--pause", type=float, default=1.0, help="seconds after the first build before the first save")
    ap.add_argument("--json", type=Path, help="write the measurements here instead of printing them")
    a = ap.parse_args(argv)
    if a.source is not None:
        text = a.source.read_text(encoding="utf-8")
    else:
        sys.path.insert(0, str(HERE))
        import gen

        text = gen.generate(a.quotes, a.seed)
    res = measure(text, a.edits, a.formats, a.tree, a.pause)
    if a.json:
        a.json.write_text(json.dumps(res))
        return 0
    lat, cpu = res["latencies"], [c for c in res["cpu"] if c is not None]
    for k, (w, c) in enumerate(zip(lat, res["cpu"]), 1):
        print(f"edit {k:>2}: outputs replaced after {w:.3f} s" + (f", CPU {c:.2f} s" if c is not None else ""))
    print(f"first build {res['first_build']:.2f} s; {len(lat)} edits: edit -> outputs replaced median "
          f"{statistics.median(lat):.3f} s (min {min(lat):.3f}, max {max(lat):.3f})"
          + (f"; CPU per rebuild median {statistics.median(cpu):.2f} s" if cpu else "")
          + f"; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
