"""Atomic file writes: the old file stays until the new one is complete.

A build writes every format to a temporary file beside its target (``.NAME.XXXX.part``),
flushed to disk, and renames them into place only when all of them are complete:
a failure at any point (disk full, a writer error, Ctrl-C) removes the temporary
files and leaves every previous output untouched. Only a process killed outright
(SIGKILL, power loss) can leave a hidden ``.part`` file; never a partial output.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def temp_beside(path: Path) -> Path:
    """Create an empty temporary file in ``path``'s folder (so the rename cannot cross disks)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
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
