"""Atomic file writes: the old files stay until every new one is complete, and then all
of them are replaced together or none is.

A build writes every format to a temporary file beside its target
(``.NAME.PID.XXXX.part``), flushed to disk. ``commit`` then moves the old outputs
aside, renames the new ones into place, and only when all renames succeeded
removes the old ones; when one rename fails, the ones already done are undone. A
process killed outright (SIGKILL, power loss) can leave a ``.part`` file: the next
build of the same output removes those whose process is gone (the PID in the name).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_NAME_CHARS = 80  # of the target's name in a temporary name: NAME_MAX is 255 bytes


def _prefix(path: Path) -> str:
    name = path.name
    while len(name.encode("utf-8")) > _NAME_CHARS:
        name = name[:-1]
    return f".{name}."


def temp_beside(path: Path, kind: str = "part") -> Path:
    """Create an empty temporary file in ``path``'s folder (so the rename cannot cross disks)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f"{_prefix(path)}{os.getpid()}.", suffix=f".{kind}", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def fill(tmp: Path, data: bytes) -> None:
    """Write ``data`` into the temporary file and flush it to disk."""
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o644)


def discard(tmps) -> None:
    for tmp in tmps:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale(path: Path) -> list[Path]:
    """Remove temporary files of ``path`` left by builds that were killed; returns them."""
    path = Path(path)
    pattern = re.compile(re.escape(_prefix(path)) + r"(\d+)\.[^.]*\.(?:part|old)")
    gone = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return gone
    for e in entries:
        m = pattern.fullmatch(e.name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            try:
                os.unlink(e.path)
                gone.append(Path(e.path))
            except OSError:
                pass
    return gone


class CommitFailed(OSError):
    """Some outputs could not be put in place; every output is as it was before."""


def commit(pairs: list[tuple[Path, Path]]) -> None:
    """Rename each (temporary, target) into place, all or none.

    Each old target first gets a second name (a hard link, so the target itself is
    replaced atomically, never missing); then the new files are renamed in; on any
    failure, what was done is undone, so the targets are either all new or all as before."""
    aside: list[tuple[Path, Path]] = []  # (target, its old file under a second name)
    placed: list[Path] = []
    try:
        for _, target in pairs:
            if target.exists():
                old = temp_beside(target, "old")
                os.unlink(old)  # the name was reserved by creating it; the link takes it
                try:
                    os.link(target, old)
                except OSError:  # a file system without hard links: move it aside instead
                    os.replace(target, old)
                aside.append((target, old))
        for tmp, target in pairs:
            os.replace(tmp, target)
            placed.append(target)
    except BaseException as e:
        had_old = {target for target, _ in aside}
        for target in placed:
            if target not in had_old:  # a new output: removed; an old one is put back below
                try:
                    os.unlink(target)
                except OSError:
                    pass
        for target, old in aside:
            try:
                if target in placed or not target.exists():  # replaced, or moved aside: put it back
                    os.replace(old, target)
                else:  # untouched: its second name goes (a rename onto the same file would do nothing)
                    os.unlink(old)
            except OSError:
                pass
        if isinstance(e, OSError):
            raise CommitFailed(e.errno, f"{e.strerror}; every output is as it was before", e.filename) from None
        raise
    discard(old for _, old in aside)
