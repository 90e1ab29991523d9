"""The same tables as Markdown grid tables, for timing pandoc (the .md is made beforehand).

    python bench/to_markdown.py SOURCE.yaml OUT.md
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from content import load, theme_tables  # noqa: E402

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+\-.!|~^$@&])")


def esc(s: str) -> str:
    return _SPECIAL.sub(r"\\\1", s)


def grid(headers, rows, widths) -> str:
    """rows: lists of cells, each cell a list of paragraphs."""
    escaped = [[[esc(h)] for h in headers]] + [[[esc(p) for p in cell] for cell in r] for r in rows]
    for i in range(len(widths)):  # a word longer than its column would break the grid
        longest = max((len(w) for r in escaped for p in r[i] for w in p.split()), default=0)
        widths[i] = max(widths[i], longest)

    def lines(cell, w):
        out = []
        for k, p in enumerate(cell):
            if k:
                out.append("")
            out += textwrap.wrap(p, w, break_long_words=False, break_on_hyphens=False) or [""]
        return out

    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    hsep = sep.replace("-", "=")
    out = [sep]
    for n, r in enumerate(escaped):
        cols = [lines(c, w) for c, w in zip(r, widths)]
        for k in range(max(len(c) for c in cols)):
            out.append("|" + "|".join(" " + (c[k] if k < len(c) else "").ljust(w) + " " for c, w in zip(cols, widths)) + "|")
        out.append(hsep if n == 0 else sep)
    return "\n".join(out)


def markdown(c: dict) -> str:
    parts = []
    if "participants" in c:
        caption, headers, rows = c["participants"][:3]
        parts.append(esc("Appendix 1. " + caption))
        parts.append(grid(headers, [[[x] for x in r] for r in rows], [20] * len(headers)))
    caption, headers, blocks = c["themes"]
    parts.append(esc(f"Appendix {1 + ('participants' in c)}. " + caption))
    for label, rows in theme_tables(blocks):  # pandoc 2.17 grid tables cannot span: the label fills column 1
        parts.append(grid(headers, [(label, [], [])] + rows, [22, 36, 64]))
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(markdown(load(sys.argv[1])), encoding="utf-8")
