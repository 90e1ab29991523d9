"""The characters a TrueType font has glyphs for, and how wide they are, without loading the
font every time.

The font-coverage check (``checks/fonts.py``) and the validation of a style's
``pdf_files`` need only each font's character map: the code points reportlab's
parser maps to a glyph (``TTFontFile.charToGlyph``, whose keys are exactly what the
PDF writer can draw). Sizing the participant table's number column
(``resolve/derive.py``, through ``fonts.text_width``) needs only the glyphs' advance
widths: in 1/1000 em, exactly as the parser reports them (``charWidths``, and
``defaultWidth`` for a code point without a glyph), which is all reportlab's
``stringWidth`` sums. Reading them takes importing reportlab and parsing four font
files, about a fifth of a second, on every ``check`` and ``build``. So:

- the bundled Liberation fonts' maps and widths ship precomputed in
  ``fonts/cmaps.json`` (``python -m supplement.resolve.fontmaps`` writes it; a test
  holds it to the fonts), used when the font's table directory (every table's
  checksum, 300-odd bytes at the start of the file) is the one recorded. To keep the
  file small its widths cover ``WIDTH_RANGES`` (Basic Latin to Latin Extended-B,
  General Punctuation), not every glyph: a width outside them is unknown (None) unless
  the font maps no glyph there (then it is the default width);
- any other font is read once with reportlab, and its map and the widths of every
  code point it maps kept in ``$XDG_CACHE_HOME/supplement/cmaps/`` (``~/.cache/…`` by
  default), keyed by the file's path, size and modification time. A cache that cannot
  be created, read or written, or holds a damaged entry, is passed over: the font is
  read instead.

A map is a few hundred ranges of code points (a Liberation font: about 130). Widths
are stored as a palette of the distinct widths (most frequent first) and, along the
code points of their ranges in order, runs of palette indices: ``i`` for one code
point, ``[n, i]`` for ``n`` in a row (about 6 KB a Liberation font).
"""

from __future__ import annotations

import bisect
import json
import math
import os
import struct
import zlib
from pathlib import Path

FONTS = Path(__file__).resolve().parent.parent / "fonts"
BUNDLED = FONTS / "cmaps.json"
FORMAT = 2  # of the cache entries and of cmaps.json; another number is passed over
# The code points whose widths fonts/cmaps.json holds for the bundled fonts: Basic Latin,
# Latin-1 Supplement, Latin Extended-A and -B; General Punctuation.
WIDTH_RANGES = ((0x0000, 0x024F), (0x2000, 0x206F))


class FontUnusable(ValueError):
    """The PDF writer could not use this file as a font; the message says why."""


class CharMap:
    """A set of code points stored as sorted, disjoint, inclusive ranges."""

    __slots__ = ("starts", "ends")

    def __init__(self, ranges):
        self.starts = [a for a, _ in ranges]
        self.ends = [b for _, b in ranges]

    @classmethod
    def of(cls, codepoints) -> "CharMap":
        ranges: list[list[int]] = []
        for c in sorted(codepoints):
            if ranges and ranges[-1][1] == c - 1:
                ranges[-1][1] = c
            else:
                ranges.append([c, c])
        return cls(ranges)

    def __contains__(self, codepoint: int) -> bool:
        i = bisect.bisect_right(self.starts, codepoint) - 1
        return i >= 0 and codepoint <= self.ends[i]

    def __len__(self) -> int:
        return sum(b - a + 1 for a, b in zip(self.starts, self.ends))

    def __eq__(self, other) -> bool:
        return isinstance(other, CharMap) and (self.starts, self.ends) == (other.starts, other.ends)

    def ranges(self) -> list[list[int]]:
        return [[a, b] for a, b in zip(self.starts, self.ends)]


def _valid_ranges(ranges) -> bool:
    """Sorted, disjoint, non-adjacent pairs of code points: what ``CharMap.of`` writes."""
    if not isinstance(ranges, list):
        return False
    last = -2
    for r in ranges:
        if not (isinstance(r, list) and len(r) == 2 and all(type(x) is int for x in r)
                and last + 1 < r[0] <= r[1] <= 0x10FFFF):
            return False
        last = r[1]
    return True


class Widths:
    """A font's advance widths in 1/1000 em, as reportlab's parser reports them: for every
    code point of ``covered`` (``table``); elsewhere only what the font's map implies."""

    __slots__ = ("default", "covered", "table", "cmap")

    def __init__(self, default: float, covered: CharMap, table: dict[int, float], cmap: CharMap):
        self.default = default  # the width reportlab gives a code point the font has no glyph for
        self.covered = covered
        self.table = table  # every code point of ``covered``
        self.cmap = cmap

    @classmethod
    def of(cls, char_widths: dict, default: float, covered: CharMap, cmap: CharMap) -> "Widths":
        """From a parsed font's ``charWidths`` and ``defaultWidth``, for the code points of ``covered``."""
        table = {c: char_widths.get(c, default)
                 for a, b in zip(covered.starts, covered.ends) for c in range(a, b + 1)}
        return cls(default, covered, table, cmap)

    def width(self, codepoint: int) -> float | None:
        """What reportlab's ``stringWidth`` adds for this code point (times size / 1000), or
        None when it is not stored (a glyph outside ``covered``)."""
        w = self.table.get(codepoint)
        if w is None and codepoint not in self.cmap:
            return self.default
        return w

    def __eq__(self, other) -> bool:
        return isinstance(other, Widths) and (self.default, self.covered, self.table) == (
            other.default, other.covered, other.table)

    def stored(self) -> dict:
        """The JSON form: the default width, the ranges covered, the palette and the runs."""
        order = [self.table[c] for c in sorted(self.table)]
        counts: dict[float, int] = {}
        for w in order:
            counts[w] = counts.get(w, 0) + 1
        palette = sorted(counts, key=lambda w: (-counts[w], w))
        index = {w: i for i, w in enumerate(palette)}
        runs: list[list[int]] = []
        for w in order:
            i = index[w]
            if runs and runs[-1][1] == i:
                runs[-1][0] += 1
            else:
                runs.append([1, i])
        return {"default": self.default, "ranges": self.covered.ranges(), "palette": palette,
                "runs": [i if n == 1 else [n, i] for n, i in runs]}

    @classmethod
    def from_stored(cls, data, cmap: CharMap) -> "Widths | None":
        """The widths ``stored`` wrote; None when ``data`` is anything else (a damaged entry)."""
        if not isinstance(data, dict) or not _valid_ranges(data.get("ranges")):
            return None
        default, palette, runs = data.get("default"), data.get("palette"), data.get("runs")
        if not (_valid_width(default) and isinstance(palette, list) and all(map(_valid_width, palette))
                and isinstance(runs, list)):
            return None
        covered = CharMap(data["ranges"])
        codepoints = (c for a, b in zip(covered.starts, covered.ends) for c in range(a, b + 1))
        table: dict[int, float] = {}
        try:
            for run in runs:
                n, i = (1, run) if type(run) is int else run
                if type(n) is not int or type(i) is not int or n < 1 or not 0 <= i < len(palette):
                    return None
                w = palette[i]
                for _ in range(n):
                    table[next(codepoints)] = w
        except (StopIteration, TypeError, ValueError):  # more widths than code points; not a pair
            return None
        if next(codepoints, None) is not None:  # fewer widths than code points
            return None
        return cls(default, covered, table, cmap)


def _valid_width(w) -> bool:
    return type(w) in (int, float) and math.isfinite(w) and w >= 0


# ---------------------------------------------------------------- reading a font


def read_font(path: str | Path, covered: CharMap | None = None) -> tuple[CharMap, Widths]:
    """The font's map as reportlab reads it, and its widths for the code points of ``covered``
    (None: every code point the font maps); imports reportlab. FontUnusable when it cannot."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    try:
        face = TTFontFile(str(path))
    except Exception as e:  # TTFError and whatever a corrupt table makes the parser raise
        said = str(e).replace(f'"{path}"', "").replace("  ", " ").strip()
        raise FontUnusable(said or type(e).__name__) from None
    cmap = CharMap.of(face.charToGlyph)
    return cmap, Widths.of(face.charWidths, face.defaultWidth, cmap if covered is None else covered, cmap)


def table_directory(path: str | Path) -> str | None:
    """The font's table directory in hex: every table's tag, checksum, offset and length, so a
    different font gives a different directory. None when the file is no TrueType font."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if len(head) < 12:
                return None
            (tables,) = struct.unpack(">H", head[4:6])
            entries = f.read(16 * tables)
    except OSError:
        return None
    if len(entries) < 16 * tables:
        return None
    return (head + entries).hex()


# ---------------------------------------------------------------- the bundled fonts

_bundled: dict | None = None


def _bundled_maps() -> dict:
    global _bundled
    if _bundled is None:
        try:
            data = json.loads(BUNDLED.read_text(encoding="utf-8"))
            _bundled = data["fonts"] if data.get("format") == FORMAT else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            _bundled = {}
    return _bundled


def _maps_of(entry) -> tuple[CharMap, Widths] | None:
    """The map and widths of a stored entry (in cmaps.json or the cache); None when damaged."""
    if not isinstance(entry, dict) or not _valid_ranges(entry.get("ranges")):
        return None
    cmap = CharMap(entry["ranges"])
    widths = Widths.from_stored(entry.get("widths"), cmap)
    return None if widths is None else (cmap, widths)


def _from_bundle(path: Path) -> tuple[CharMap, Widths] | None:
    if path.parent != FONTS:
        return None
    entry = _bundled_maps().get(path.name)
    if not isinstance(entry, dict) or entry.get("directory") != table_directory(path):
        return None  # not a bundled font, or not the font the map was made from
    return _maps_of(entry)


def write_bundle() -> Path:
    """Write fonts/cmaps.json from the bundled fonts (run after changing them)."""
    fonts = {}
    for p in sorted(FONTS.glob("*.ttf")):
        cmap, widths = read_font(p, CharMap([list(r) for r in WIDTH_RANGES]))
        fonts[p.name] = {"directory": table_directory(p), "ranges": cmap.ranges(), "widths": widths.stored()}
    BUNDLED.write_text(json.dumps({"format": FORMAT, "fonts": fonts}, separators=(",", ":")) + "\n",
                       encoding="utf-8")
    return BUNDLED


# ---------------------------------------------------------------- the cache of other fonts


def cache_dir() -> Path | None:
    from supplement.user_cache import folder

    return folder("cmaps")


def _key(path: Path, st: os.stat_result) -> dict:
    return {"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _entry_file(folder: Path, key: dict) -> Path:
    """A name from the key (two keys may share one: the entry holds its key, and a stranger's
    entry is a miss)."""
    k = json.dumps(key, sort_keys=True).encode()
    return folder / f"{zlib.crc32(k):08x}{zlib.adler32(k):08x}.json"


def _from_cache(folder: Path, key: dict) -> tuple[CharMap, Widths] | None:
    try:
        data = json.loads(_entry_file(folder, key).read_text(encoding="utf-8"))
        if data.get("format") == FORMAT and data.get("key") == key:
            return _maps_of(data)
    except (OSError, ValueError, TypeError, AttributeError):  # missing, unreadable or damaged: read the font
        pass
    return None


def _to_cache(folder: Path, key: dict, maps: tuple[CharMap, Widths]) -> None:
    target = _entry_file(folder, key)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    cmap, widths = maps
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"format": FORMAT, "key": key, "ranges": cmap.ranges(), "widths": widths.stored()},
                                  separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, target)  # whole or not at all, for a process reading it meanwhile
    except OSError:  # read-only home, full disk, a file where the folder should be: no cache
        try:
            tmp.unlink()
        except OSError:
            pass


# ---------------------------------------------------------------- the entry points

_memo: dict[tuple, tuple[CharMap, Widths]] = {}


def _maps(path: str | Path) -> tuple[CharMap, Widths]:
    path = Path(path).resolve()
    st = os.stat(path)
    memo_key = (str(path), st.st_size, st.st_mtime_ns)
    maps = _memo.get(memo_key)
    if maps is not None:
        return maps
    maps = _from_bundle(path)
    if maps is None:
        folder, key = cache_dir(), _key(path, st)
        maps = _from_cache(folder, key) if folder is not None else None
        if maps is None:
            maps = read_font(path)
            if folder is not None:
                _to_cache(folder, key, maps)
    _memo[memo_key] = maps
    return maps


def charmap(path: str | Path) -> CharMap:
    """The code points the font at ``path`` has glyphs for; FontUnusable (a ValueError) when
    the PDF writer could not use it, OSError when it cannot be read."""
    return _maps(path)[0]


def widths(path: str | Path) -> Widths:
    """The advance widths of the font at ``path`` (``Widths.width``); raises as ``charmap`` does."""
    return _maps(path)[1]


if __name__ == "__main__":
    print(write_bundle())
