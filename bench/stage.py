"""A writer's render alone, in CPU seconds: the other side of the floors' ``--times``.

    python bench/stage.py FORMAT SOURCE OUT --times FILE

Reads, checks and resolves the source as ``supplement build`` does (``load_document``),
then renders FORMAT (``supplement.writers.FORMATS[FORMAT].render``) and writes the bytes.
``--times FILE`` gets {"compile": …, "render": …} in CPU seconds of this process, as
bench/floor_pdf.py writes them, so that the writer's render and the floor's compare alone,
without start-up, reading and the pre-flight checks they share.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from supplement.pipeline import load_document
from supplement.writers import FORMATS


def main(argv) -> None:
    fmt, src, out = argv[0], argv[1], argv[2]
    times = argv[argv.index("--times") + 1] if "--times" in argv else None
    t0 = time.process_time()
    doc = load_document(src)
    t1 = time.process_time()
    data = FORMATS[fmt].render(doc)
    t2 = time.process_time()
    Path(out).write_bytes(data)
    if times:
        Path(times).write_text(json.dumps({"compile": t1 - t0, "render": t2 - t1}))


if __name__ == "__main__":
    main(sys.argv[1:])
