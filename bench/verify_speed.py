"""Speed of quote verification (issue 15), in-process: a quote with ten ellipses against a
20,000-word transcript, and the example's 122 quotes against synthetic transcripts built as
the tests build them (tests/transcript_fixtures.py). Median of five runs each.

    python bench/verify_speed.py
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

TEN_ELLIPSES_MAX = 0.1  # seconds
EXAMPLE_MAX = 2.0  # seconds, the example's 122 quotes


def _median(f, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure() -> dict:
    import transcript_fixtures as tf
    from supplement.integrity import matching, transcripts
    from supplement.integrity.verify import verify

    rng = random.Random(1)
    vocab = ["the", "and", "a", "of", "to", "we", "it", "that", "is", "in"]
    page = transcripts.Page("1", " ".join(rng.choice(vocab) for _ in range(20000)))
    ix = matching.Indexed.of(transcripts.Transcript(Path("t.txt"), (page,), "bench"))
    quote = "…".join(["the and a"] * 11) + " zebra"  # ten ellipses over common words, and no match
    ten = _median(lambda: matching.check(quote, ix, 1, 1))
    with tempfile.TemporaryDirectory() as tmp:
        built = tf.build(Path(tmp), seed=0)
        example = _median(lambda: verify(built.source, families=("quotes",)))
        counts = verify(built.source, families=("quotes",)).counts()
    return {"ten_ellipses": ten, "example": example, "counts": counts}


def targets() -> list[tuple[str, bool, str]]:
    m = measure()
    return [(f"a quote with ten ellipses verifies in < {TEN_ELLIPSES_MAX} s (20,000-word transcript)",
             m["ten_ellipses"] < TEN_ELLIPSES_MAX, f"{m['ten_ellipses'] * 1000:.1f} ms"),
            (f"supplement verify, the example's 122 quotes against their transcripts < {EXAMPLE_MAX} s "
             "(in-process, transcripts read included)", m["example"] < EXAMPLE_MAX,
             f"{m['example']:.2f} s ({m['counts']})")]


if __name__ == "__main__":
    for name, ok, detail in targets():
        print(f"{'ok ' if ok else 'NO '} {name}: {detail}")
