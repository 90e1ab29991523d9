"""The characters a TrueType font has glyphs for, without loading the font every time.

The font-coverage check (``checks/fonts.py``) and the validation of a style's
``pdf_files`` need only each font's character map: the code points reportlab's
parser maps to a glyph (``TTFontFile.charToGlyph``, whose keys are exactly what the
PDF writer can draw). Reading it takes importing reportlab and parsing four font
files, about a fifth of a second, on every ``check`` and ``build``. So:

- the bundled Liberation fonts' maps ship precomputed in ``fonts/cmaps.json``
  (``python -m supplement.resolve.fontmaps`` writes it; a test holds it to the
  fonts), used when the font's table directory (every table's checksum, 300-odd
  bytes at the start of the file) is the one recorded;
- any other font is read once with reportlab, and its map kept in
  ``$XDG_CACHE_HOME/supplement/cmaps/`` (``~/.cache/…`` by default), keyed by the
  file's path, size and modification time. A cache that cannot be created, read
  or written, or holds a damaged entry, is passed over: the font is read instead.

A map is a few hundred ranges of code points (a Liberation font: about 130).
"""

from __future__ import annotations

import bisect
import json
import os
import struct
import zlib
from pathlib import Path

FONTS = Path(__file__).resolve().parent.parent / "fonts"
BUNDLED = FONTS / "cmaps.json"
FORMAT = 1  # of the cache entries and of cmaps.json; another number is passed over


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


# ---------------------------------------------------------------- reading a font


def read_charmap(path: str | Path) -> CharMap:
    """The font's map as reportlab reads it (imports reportlab); FontUnusable when it cannot."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    try:
        face = TTFontFile(str(path))
    except Exception as e:  # TTFError and whatever a corrupt table makes the parser raise
        said = str(e).replace(f'"{path}"', "").replace("  ", " ").strip()
        raise FontUnusable(said or type(e).__name__) from None
    return CharMap.of(face.charToGlyph)


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


def _from_bundle(path: Path) -> CharMap | None:
    if path.parent != FONTS:
        return None
    entry = _bundled_maps().get(path.name)
    if not isinstance(entry, dict) or not _valid_ranges(entry.get("ranges")):
        return None
    if entry.get("directory") != table_directory(path):  # not the font the map was made from
        return None
    return CharMap(entry["ranges"])


def write_bundle() -> Path:
    """Write fonts/cmaps.json from the bundled fonts (run after changing them)."""
    fonts = {}
    for p in sorted(FONTS.glob("*.ttf")):
        fonts[p.name] = {"directory": table_directory(p), "ranges": read_charmap(p).ranges()}
    BUNDLED.write_text(json.dumps({"format": FORMAT, "fonts": fonts}, separators=(",", ":")) + "\n",
                       encoding="utf-8")
    return BUNDLED


# ---------------------------------------------------------------- the cache of other fonts


def cache_dir() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):  # the XDG spec: a relative path is to be ignored
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no home directory
            return None
    return Path(base) / "supplement" / "cmaps"


def _key(path: Path, st: os.stat_result) -> dict:
    return {"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _entry_file(folder: Path, key: dict) -> Path:
    """A name from the key (two keys may share one: the entry holds its key, and a stranger's
    entry is a miss)."""
    k = json.dumps(key, sort_keys=True).encode()
    return folder / f"{zlib.crc32(k):08x}{zlib.adler32(k):08x}.json"


def _from_cache(folder: Path, key: dict) -> CharMap | None:
    try:
        data = json.loads(_entry_file(folder, key).read_text(encoding="utf-8"))
        if data.get("format") == FORMAT and data.get("key") == key and _valid_ranges(data.get("ranges")):
            return CharMap(data["ranges"])
    except (OSError, ValueError, TypeError, AttributeError):  # missing, unreadable or damaged: read the font
        pass
    return None


def _to_cache(folder: Path, key: dict, cmap: CharMap) -> None:
    target = _entry_file(folder, key)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"format": FORMAT, "key": key, "ranges": cmap.ranges()}, separators=(",", ":")),
                       encoding="utf-8")
        os.replace(tmp, target)  # whole or not at all, for a process reading it meanwhile
    except OSError:  # read-only home, full disk, a file where the folder should be: no cache
        try:
            tmp.unlink()
        except OSError:
            pass


# ---------------------------------------------------------------- the one entry point

_memo: dict[tuple, CharMap] = {}


def charmap(path: str | Path) -> CharMap:
    """The code points the font at ``path`` has glyphs for; FontUnusable (a ValueError) when
    the PDF writer could not use it, OSError when it cannot be read."""
    path = Path(path).resolve()
    st = os.stat(path)
    memo_key = (str(path), st.st_size, st.st_mtime_ns)
    cmap = _memo.get(memo_key)
    if cmap is not None:
        return cmap
    cmap = _from_bundle(path)
    if cmap is None:
        folder, key = cache_dir(), _key(path, st)
        cmap = _from_cache(folder, key) if folder is not None else None
        if cmap is None:
            cmap = read_charmap(path)
            if folder is not None:
                _to_cache(folder, key, cmap)
    _memo[memo_key] = cmap
    return cmap


if __name__ == "__main__":
    print(write_bundle())
