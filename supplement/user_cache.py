"""The user's cache: what is slow to work out and the same every time, kept between runs.

Under ``$XDG_CACHE_HOME/supplement/`` (``~/.cache/supplement/`` by default), one folder
per kind: ``cmaps`` (fonts' character maps, resolve/fontmaps.py), ``wordlists`` (the word
lists of the identifier checks, integrity/identifiers.py). An entry holds the key it was
made for (the files it was worked out from, by path, size and modification time, and the
format of the code that made it), so a stale or foreign entry is a miss. A cache that
cannot be used (no home, a read-only or full disk, a damaged entry) is never an error: the
value is worked out again.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path


def folder(kind: str) -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):  # the XDG spec: a relative path is to be ignored
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no home directory
            return None
    return Path(base) / "supplement" / kind


def file_key(paths) -> list:
    """The files a value is worked out from, as a key: [path, size, modification time] each
    (None for a file that is not there)."""
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append([str(p), st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([str(p), None, None])
    return out


def _entry(kind_folder: Path, name: str, key) -> Path:
    k = json.dumps(key, sort_keys=True).encode()
    return kind_folder / f"{name}-{zlib.crc32(k):08x}{zlib.adler32(k):08x}.json"


def load(kind: str, name: str, key):
    """The value stored for ``key``, or None."""
    where = folder(kind)
    if where is None:
        return None
    try:
        data = json.loads(_entry(where, name, key).read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("key") == key:
            return data.get("value")
    except (OSError, ValueError):  # missing, unreadable or damaged: work it out again
        pass
    return None


def store(kind: str, name: str, key, value) -> None:
    """Keep ``value`` (JSON) for ``key``; written whole or not at all."""
    where = folder(kind)
    if where is None:
        return
    target = _entry(where, name, key)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        where.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"key": key, "value": value}, separators=(",", ":"), ensure_ascii=False),
                       encoding="utf-8")
        os.replace(tmp, target)  # a process reading it meanwhile sees the old entry or the new
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
