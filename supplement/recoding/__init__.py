"""Recoding support: what changed between two versions of a source (``supplement diff``).

    versions   which two versions the arguments name (files or git revisions) and loading them
    snapshot   one version flattened: ids, text, and the labels the resolved Document prints
    matching   which old theme, finding, quote, participant is which new one (ids, then text)
    changes    the classification into kinds, and the renumbering map
    render     text, Markdown and JSON
"""

from __future__ import annotations

import os
import pickle
import signal

from supplement.diagnostics import Diagnostic, Report, SourceError
from supplement.recoding.changes import KINDS, Diff, compare  # noqa: F401

# Above this size (both versions together) the old version is read in a forked process
# while this one reads the new: reading and resolving is most of a diff's time.
PARALLEL_BYTES = 2_000_000


def snapshot_of(version, style: str | None = None, keep: list | None = None):
    """``keep``, when given, receives the compiled model: freeing it object by object costs a
    tenth of a second at 10,000 quotes, wasted when the process is about to exit."""
    from supplement.recoding.snapshot import build
    from supplement.recoding.versions import compile_version

    from supplement.collector import no_gc_pauses

    with no_gc_pauses():  # the snapshot adds many small objects and no cycles to the model's
        sup, index, doc = compile_version(version, style)
        if keep is not None:
            keep.append((sup, index, doc))
        return build(sup, index, doc, version.display)


def diff_versions(old, new, style: str | None = None, keep: list | None = None) -> Diff:
    """Compare two ``versions.Version``s; SourceError or VersionError when one cannot be used.
    When both versions have errors, the report holds both. ``keep``: as in ``snapshot_of``."""
    from supplement.collector import no_gc_pauses

    # Both versions, their snapshots and the comparison are many small objects and no cycles:
    # the cycle collector would walk them again and again (a tenth of a diff's time at 10,000 quotes).
    with no_gc_pauses():
        return _diff_versions(old, new, style, keep)


def _diff_versions(old, new, style, keep=None):
    if hasattr(os, "fork") and _size(old) + _size(new) > PARALLEL_BYTES:
        job = _fork(old, style)
        try:
            new_snap, new_err = _attempt(new, style, keep)
        except BaseException:
            _kill(job[0])
            raise
        old_snap, old_err = _join(job)
    else:
        old_snap, old_err = _attempt(old, style, keep)
        new_snap, new_err = _attempt(new, style, keep)
    for err in (old_err, new_err):
        if err is not None and not isinstance(err, SourceError):
            raise err
    if old_err or new_err:
        report = Report()
        for err in (old_err, new_err):
            if err is not None:
                report.extend(err.report)
        raise SourceError(report)
    return compare(old_snap, new_snap)


def _attempt(version, style, keep=None):
    from supplement.recoding.versions import VersionError

    try:
        return snapshot_of(version, style, keep), None
    except (SourceError, VersionError) as e:
        return None, e


def _size(version) -> int:
    try:
        return version.path.stat().st_size  # a revision is about as big as the file
    except OSError:
        return 0


def _fork(version, style):
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: read the version, send the snapshot (or what went wrong) back
        code = 0
        try:
            os.close(rfd)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            keep: list = []  # the compiled model, freed by os._exit below rather than object by object
            snap, err = _attempt(version, style, keep)
            if err is None:
                msg = ("ok", snap)
            elif isinstance(err, SourceError):
                msg = ("source", [d.as_dict() for d in err.report.items])
            else:
                msg = ("version", str(err))
            with os.fdopen(wfd, "wb") as f:
                pickle.dump(msg, f, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as e:  # noqa: BLE001 - reported by the parent
            code = 1
            try:
                with os.fdopen(wfd, "wb") as f:
                    pickle.dump(("bug", f"{type(e).__name__}: {e}"), f)
            except BaseException:
                pass
        finally:
            os._exit(code)
    os.close(wfd)
    return pid, rfd


def _join(job):
    from supplement.recoding.versions import VersionError

    pid, rfd = job
    try:
        with os.fdopen(rfd, "rb") as f:
            raw = f.read()
    except BaseException:
        _kill(pid)
        raise
    os.waitpid(pid, 0)
    if not raw:
        raise RuntimeError("the process reading the old version ended unexpectedly")
    kind, value = pickle.loads(raw)
    if kind == "ok":
        return value, None
    if kind == "source":
        return None, SourceError(Report([Diagnostic.from_dict(d) for d in value]))
    if kind == "version":
        return None, VersionError(value)
    raise RuntimeError(value)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
