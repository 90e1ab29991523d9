"""Reading: supplement's located YAML tree against libyaml's bare event parse, same text,
paired and alternating in one process.

    python bench/reading.py SOURCE.yaml [--runs 5] [--json OUT]

A: ``supplement.reader.located_yaml.parse(text, file)`` (the tree of YMap/YList/YStr with
positions that the reader builds from libyaml's events); B: ``yaml.parse(text,
Loader=yaml.CSafeLoader)`` with every event consumed and nothing built. Both get the same
``str``, already read from the file, and run with the cycle collector off, as the pipeline
reads (``supplement.collector.no_gc_pauses``). They alternate A B A B …; each pair's ratio
A / B is reported (CPU seconds of this process, time.process_time, and wall seconds).
One untimed round first warms both up.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections import deque

import yaml

from supplement.reader import located_yaml

LOADER = getattr(yaml, "CSafeLoader", None)


def located(text: str, file: str):
    return located_yaml.parse(text, file)


def events(text: str, file: str):
    deque(yaml.parse(text, Loader=LOADER), maxlen=0)


def timed(f, text, file):
    gc.collect()
    gc.disable()
    try:
        c, w = time.process_time(), time.perf_counter()
        result = f(text, file)
        c, w = time.process_time() - c, time.perf_counter() - w
    finally:
        gc.enable()
    del result
    return c, w


def measure(path: str, runs: int) -> dict:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if LOADER is None:
        raise SystemExit("PyYAML has no libyaml (CSafeLoader): nothing to compare with")
    timed(located, text, path), timed(events, text, path)  # warm-up
    out = {"located_cpu": [], "libyaml_cpu": [], "located_wall": [], "libyaml_wall": [], "bytes": len(text.encode())}
    for _ in range(runs):
        for name, f in (("located", located), ("libyaml", events)):
            c, w = timed(f, text, path)
            out[f"{name}_cpu"].append(c)
            out[f"{name}_wall"].append(w)
    return out


def main(argv) -> None:
    path = argv[0]
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 5
    res = measure(path, runs)
    if "--json" in argv:
        with open(argv[argv.index("--json") + 1], "w") as f:
            json.dump(res, f)
    else:
        ratios = [a / b for a, b in zip(res["located_cpu"], res["libyaml_cpu"]) if b]
        print(f"located {min(res['located_cpu']):.3f} s, libyaml events {min(res['libyaml_cpu']):.3f} s CPU; "
              f"ratio per pair {', '.join(f'{r:.2f}' for r in ratios)}")


if __name__ == "__main__":
    main(sys.argv[1:])
