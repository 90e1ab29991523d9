"""Rendering formats in worker processes, at most one per core and one per format.

Each job renders one format of one resolved Document into a temporary file the
parent created. Workers are forked (the Document is shared, not pickled), report
on a pipe as JSON, and die with their parent (Linux: PR_SET_PDEATHSIG), so a
build killed outright leaves no worker running. A ``Cancel`` token, set by the
command's signal handlers, is how Ctrl-C or SIGTERM reaches the build: it is
checked before anything is put in place, whatever a library did with the
exception meanwhile.
"""

from __future__ import annotations

import gc
import json
import os
import selectors
import signal
import sys
import time
from pathlib import Path

from supplement.build.atomic import fill
from supplement.diagnostics import Diagnostic, Report, SourceError


class WriterFailed(Exception):
    pass


class Cancel:
    """Set when the user asked the build to stop; ``check`` raises what stopped it."""

    def __init__(self):
        self.reason: BaseException | None = None

    def set(self, exc: BaseException) -> None:
        if self.reason is None:
            self.reason = exc

    def check(self) -> None:
        if self.reason is not None:
            raise self.reason


_STOP = {signal.SIGINT, signal.SIGTERM} | ({signal.SIGHUP} if hasattr(signal, "SIGHUP") else set())


def render_into(doc, fmt, tmp: Path, cancel: Cancel, keep: bool = False) -> tuple[float, list[str]]:
    """Render one format into its temporary file. A writer's own error becomes WriterFailed;
    a writer that meets something it can place in the source or style raises SourceError.
    ``keep``: this process renders again (watch), a writer may keep work for the next render."""
    start = time.perf_counter()
    warnings: list[str] = []
    try:
        data = fmt.render(doc, warnings.append, keep=keep)
    except SourceError:
        cancel.check()
        raise
    except Exception as e:  # the same in this process and in a worker
        cancel.check()
        raise WriterFailed(f"{fmt.name} writer failed: {type(e).__name__}: {e}") from e
    cancel.check()
    fill(tmp, data)
    return time.perf_counter() - start, warnings


def run_jobs(doc, jobs: list[tuple], cancel: Cancel, warm: bool = False) -> dict[str, tuple[float, list[str]]]:
    """Render each (format, temporary file); returns {format name: (seconds, warnings)}.

    One job, or no fork on this platform: in this process. Otherwise in workers; with
    ``warm`` (a process that builds again and again: watch), a format whose writer ``keeps``
    work between renders is rendered in this process, where what it kept lives on, and the
    workers for the others are forked from this process once it is warm for their formats
    (``build.warm``)."""
    workers = min(len(jobs), os.cpu_count() or 1)
    forking = workers > 1 and len(jobs) > 1 and hasattr(os, "fork")
    if warm and forking:
        from supplement.build.warm import warm as warm_up

        warm_up(doc, [fmt for fmt, _ in jobs if not fmt.keeps])
    # The Document and everything read before are left alone from here on: the cycle collector
    # need not walk them again while the writers run (nor touch, and so copy, the pages a
    # worker shares with this process).
    gc.freeze()
    if not forking:
        return {fmt.name: render_into(doc, fmt, tmp, cancel, warm) for fmt, tmp in jobs}
    # A format rendered by another program (LibreOffice) is rendered here, while the workers run:
    # that program is the second process, and this one can stop it (a killed worker could not).
    # So is, when warm, a format whose writer keeps work for its next render.
    here = [fmt.external or (warm and fmt.keeps) for fmt, _ in jobs]
    local = [job for job, h in zip(jobs, here) if h]
    pending = [job for job, h in zip(jobs, here) if not h]
    running: dict[int, tuple] = {}  # read fd -> (pid, format, bytes so far)
    results = {}
    sel = selectors.DefaultSelector()
    try:
        while pending or running or local:
            while pending and len(running) < max(1, workers - len(local)):  # a render here takes a core
                fmt, tmp = pending.pop(0)
                pid, rfd = _fork(doc, fmt, tmp, cancel)
                running[rfd] = (pid, fmt, [])
                sel.register(rfd, selectors.EVENT_READ)
            if local:
                fmt, tmp = local.pop(0)
                results[fmt.name] = render_into(doc, fmt, tmp, cancel, warm)
                continue
            for key, _ in sel.select():
                rfd = key.fd
                chunk = os.read(rfd, 65536)
                if chunk:
                    running[rfd][2].append(chunk)
                    continue
                sel.unregister(rfd)
                pid, fmt, parts = running.pop(rfd)
                os.close(rfd)
                os.waitpid(pid, 0)
                results[fmt.name] = _outcome(b"".join(parts))
        return results
    except BaseException:
        for rfd, (pid, _, _) in running.items():
            _kill(pid)
            try:
                os.close(rfd)
            except OSError:
                pass
        raise
    finally:
        sel.close()


def _outcome(raw: bytes) -> tuple[float, list[str]]:
    msg = json.loads(raw) if raw else {"error": "writer process ended unexpectedly"}
    if "diagnostics" in msg:
        raise SourceError(Report([Diagnostic.from_dict(d) for d in msg["diagnostics"]]))
    if "error" in msg:
        if msg["error"] == "interrupted":
            raise KeyboardInterrupt
        raise WriterFailed(msg["error"])
    return msg["secs"], msg["warnings"]


def _die_with_parent(parent: int) -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's exit closes the pipe instead
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _fork(doc, fmt, tmp: Path, cancel: Cancel):
    """Start a worker for one format. The parent created ``tmp`` and removes it whatever happens."""
    rfd, wfd = os.pipe()
    parent = os.getpid()
    # Ctrl-C is held back while forking: raised inside an at-fork hook (logging has some),
    # KeyboardInterrupt would be printed and dropped, and the build would carry on.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP)
    pid = os.fork()
    if pid == 0:  # worker
        code = 1
        try:
            os.close(rfd)
            _die_with_parent(parent)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            try:
                secs, warns = render_into(doc, fmt, tmp, cancel)
                msg, code = {"secs": secs, "warnings": warns}, 0
            except KeyboardInterrupt:
                msg, code = {"error": "interrupted"}, 130
            except SourceError as e:
                msg = {"diagnostics": [d.as_dict() for d in e.report.items]}
            except BaseException as e:  # reported by the parent
                msg = {"error": str(e) if isinstance(e, WriterFailed) else f"{type(e).__name__}: {e}"}
            with os.fdopen(wfd, "w") as f:
                f.write(json.dumps(msg))
        finally:
            os._exit(code)
    os.close(wfd)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C that came meanwhile is raised here
    except BaseException:
        _kill(pid)
        os.close(rfd)
        raise
    return pid, rfd


def _kill(pid: int) -> None:
    """Stop a worker at once. SIGKILL: it holds nothing to clean up (the parent owns its
    temporary file), and a library's bare ``except:`` cannot swallow it."""
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass
