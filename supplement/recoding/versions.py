"""The two versions ``supplement diff`` compares: files, or a file at git revisions.

    supplement diff OLD.yaml NEW.yaml       two files
    supplement diff REV [FILE]              FILE at REV against FILE as it is now
    supplement diff REV1 REV2 [FILE]        FILE at REV1 against FILE at REV2
    supplement diff REV:PATH NEW.yaml       git's own REV:PATH spelling works too

A revision is read with ``git show REV:./NAME`` run in the file's folder: nothing is
checked out and the work tree is not touched. Without FILE, the one source of the
project (``source/*.yaml``) is meant. A style file the source names by path is read
from the work tree, for both versions.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from supplement.diagnostics import Pos, Report, SourceError
from supplement.records import Struct

DEFAULT_SOURCES = Path("source")


class VersionError(Exception):
    """The arguments do not name two versions, or one cannot be read."""


class Version(Struct, frozen=True):
    path: Path  # the file (in the work tree)
    rev: str | None = None  # None: the file as it is on disk

    @property
    def display(self) -> str:
        return f"{self.rev}:{self.path}" if self.rev else str(self.path)

    def read(self) -> str:
        """The text, refused as the reader refuses files (too big, not text): SourceError."""
        from supplement.reader.located_yaml import MAX_BYTES, decode, read_text

        if self.rev is None:
            return read_text(str(self.path))
        data = git_show(self.rev, self.path)
        if len(data) > MAX_BYTES:
            r = Report()
            r.error(Pos(self.display, 1, 1), f"file is larger than the limit of {MAX_BYTES // 2**20} MiB")
            raise SourceError(r)
        return decode(data, self.display)


def git_show(rev: str, path: Path) -> bytes:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise VersionError(f"{path}: its folder {folder} does not exist here, so git cannot be asked for it")
    try:
        p = subprocess.run(["git", "-C", str(folder), "show", f"{rev}:./{path.name}"], capture_output=True,
                           timeout=60, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise VersionError("git is not installed, so a revision cannot be read; compare two files instead") from None
    except subprocess.TimeoutExpired:
        raise VersionError(f"git show {rev}:{path} took more than 60 s") from None
    if p.returncode != 0:
        said = p.stderr.decode("utf-8", "replace").strip().splitlines()
        raise VersionError(f"{rev}:{path}: git cannot show it ({said[-1] if said else 'no message'})")
    return p.stdout


def _split_spec(arg: str) -> Version | None:
    """``REV:PATH`` (git's spelling) when ``arg`` is not an existing file."""
    if ":" in arg and not Path(arg).exists():
        rev, _, path = arg.partition(":")
        if rev and path:
            return Version(Path(path), rev)
    return None


def _default_source() -> Path:
    found = sorted(DEFAULT_SOURCES.glob("*.yaml")) + sorted(DEFAULT_SOURCES.glob("*.yml"))
    if len(found) == 1:
        return found[0]
    if not found:
        raise VersionError(f"no FILE given and no *.yaml in {DEFAULT_SOURCES}/; name the source file")
    raise VersionError(f"no FILE given and {len(found)} sources in {DEFAULT_SOURCES}/; name one: "
                       + ", ".join(str(f) for f in found))


def versions(args: list[str]) -> tuple[Version, Version]:
    """The old and new version named by the command's arguments."""
    if not 1 <= len(args) <= 3:
        raise VersionError("give two files, or one or two git revisions and optionally the file")
    specs = [_split_spec(a) for a in args]
    if len(args) == 2 and all(specs):
        return specs[0], specs[1]
    if len(args) == 2 and specs[0] and Path(args[1]).is_file():
        return specs[0], Version(Path(args[1]))
    if len(args) == 2 and Path(args[0]).is_file() and Path(args[1]).is_file():
        return Version(Path(args[0])), Version(Path(args[1]))
    if len(args) == 2 and Path(args[0]).is_file() and specs[1]:
        return Version(Path(args[0])), specs[1]
    if len(args) == 2 and Path(args[0]).is_file() and not Path(args[1]).exists():
        raise VersionError(f"{args[1]}: no such file")
    # revisions, then perhaps the file
    *revs, last = args
    if Path(last).is_file() or last.endswith((".yaml", ".yml")):
        path = Path(last)
    else:
        revs, path = args, None
    if not revs or len(revs) > 2:
        raise VersionError(f"'{last}' is not a file; give two files, or one or two git revisions and the file")
    for rev in revs:
        if rev.startswith("-"):
            raise VersionError(f"'{rev}' is not a revision")
        if rev.endswith((".yaml", ".yml")) and not Path(rev).exists():  # meant as a file, not a revision
            raise VersionError(f"{rev}: no such file")
    if path is None:
        path = _default_source()
    if len(revs) == 1:
        if not path.is_file():
            raise VersionError(f"{path}: no such file (to compare {revs[0]} with the work tree, the file must exist)")
        return Version(path, revs[0]), Version(path)
    return Version(path, revs[0]), Version(path, revs[1])


def compile_version(version: Version, style: str | None = None):
    """The version's typed model, its index and the resolved Document; SourceError on errors."""
    from supplement.pipeline import compile_source

    sup, index, doc, r = compile_source(version.display, style, version.read(), version.path.parent)
    if doc is None:
        raise SourceError(r)
    return sup, index, doc
