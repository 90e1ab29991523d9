"""How long `supplement watch` takes from a save to new outputs (issue 18).

    python bench/watch.py                      # a 1,000-quote study (bench/gen.py, seed 1), 10 saves
    python bench/watch.py --quotes 122 --saves 5 --format docx,pdf
    python bench/watch.py --source study.yaml
    python bench/watch.py --tree ../other-checkout        # the same, another version of supplement

Starts `supplement watch` on a copy of the study in a temporary folder, waits for the
first build, then saves an edited source the way editors do (a temporary file renamed
over it) and measures, for each save, the time until every output file has been
replaced (a new inode for each), polling every 2 ms. It also reports the CPU time the
watch process and its workers used for that rebuild (from /proc: its own time plus
that of the workers it waited for), the figure to compare on a busy machine, and the
timings the watch printed (`changed` is when the watcher handed the save over).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))


def cpu_seconds(pid: int) -> float:
    """User + system time of a process and of the children it has waited for."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quotes", type=int, default=1000, help="size of the generated study (default 1000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--source", type=Path, help="watch a copy of this source instead of a generated one")
    ap.add_argument("--saves", type=int, default=10, help="edits to save (default 10)")
    ap.add_argument("--pause", type=float, default=1.0, help="seconds between a rebuild and the next save")
    ap.add_argument("--format", default="docx,pdf")
    ap.add_argument("--tree", type=Path, default=ROOT, help="the supplement checkout to run (default: this one)")
    a = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="supplement-watch-bench-"))
    try:
        src = work / "study.yaml"
        if a.source:
            shutil.copy(a.source, src)
        else:
            subprocess.run([sys.executable, str(HERE / "gen.py"), str(a.quotes), "--seed", str(a.seed), "-o", str(src)],
                           check=True)
        text = src.read_text(encoding="utf-8")
        if "text: " not in text:
            print("the source has no quote text to edit", file=sys.stderr)
            return 2
        out = work / "out"
        formats = a.format.split(",")
        ext = {"md": "md"}
        targets = [out / f"study.{ext.get(f, f)}" for f in formats]
        env = {**os.environ, "PYTHONPATH": str(a.tree.resolve()) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        proc = subprocess.Popen([sys.executable, "-c", "from supplement.cli import run; run()", "watch", str(src),
                                 "--out", str(out), "--format", a.format], stderr=subprocess.PIPE, text=True, env=env,
                                cwd=work)
        lines: list[tuple[float, str]] = []

        def read():
            for line in proc.stderr:
                lines.append((time.monotonic(), line.rstrip("\n")))
        threading.Thread(target=read, daemon=True).start()

        def inodes():
            try:
                return tuple(os.stat(t).st_ino for t in targets)
            except FileNotFoundError:
                return None

        end = time.monotonic() + 120
        while inodes() is None and time.monotonic() < end and proc.poll() is None:
            time.sleep(0.01)
        if inodes() is None:
            print("the first build wrote nothing:\n" + "\n".join(l for _, l in lines), file=sys.stderr)
            return 1
        time.sleep(a.pause)
        results = []
        for i in range(a.saves):
            before = inodes()
            edited = text.replace("text: ", f"text: Edit {i + 1}, ", 1)
            tmp = src.with_name(".study.yaml.swp")
            tmp.write_text(edited, encoding="utf-8")
            cpu0 = cpu_seconds(proc.pid)
            seen = len(lines)
            t0 = time.monotonic()
            os.replace(tmp, src)
            while True:
                now = inodes()
                if now and all(x != y for x, y in zip(now, before)):
                    break
                if time.monotonic() - t0 > 60:
                    print("no new outputs within 60 s:\n" + "\n".join(l for _, l in lines[seen:]), file=sys.stderr)
                    return 1
                time.sleep(0.002)
            took = time.monotonic() - t0
            time.sleep(0.2)  # the rest of the build's lines, and its workers waited for
            cpu = cpu_seconds(proc.pid) - cpu0
            said = [(t - t0, l.strip()) for t, l in lines[seen:]]
            changed = next((t for t, l in said if l.startswith("changed:")), None)
            written = [l for _, l in said if l.startswith("wrote ")]
            results.append((took, cpu))
            print(f"save {i + 1:>2}: outputs replaced after {took:.3f} s, CPU {cpu:.2f} s"
                  + (f"; watcher handed it over after {changed:.3f} s" if changed is not None else "")
                  + "".join(f"; {w.split('/')[-1]}" for w in written), flush=True)
            time.sleep(a.pause)
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
        walls = [w for w, _ in results]
        cpus = [c for _, c in results]
        print(f"\n{a.saves} saves: save -> outputs replaced median {statistics.median(walls):.3f} s "
              f"(min {min(walls):.3f}, max {max(walls):.3f}); CPU per rebuild median {statistics.median(cpus):.2f} s; "
              f"load average {os.getloadavg()[0]:.2f}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
