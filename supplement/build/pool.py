"""Rendering formats in worker processes, at most one per core and one per format.

Each job renders one format of one resolved Document into a temporary file the
parent created. Workers are forked (the Document is shared, not pickled), report
on a pipe as JSON, and die with their parent (Linux: PR_SET_PDEATHSIG), so a
build killed outright leaves no worker running. A ``Cancel`` token, set by the
command's signal handlers, is how Ctrl-C or SIGTERM reaches the build: it is
checked before anything is put in place, whatever a library did with the
exception meanwhile.

A small source's workers are started before it is read (``prestart``): each imports
its writer (reportlab, python-docx: most of a small build's time) while this process
reads and checks the source, and is then sent the Document, pickled, on a pipe of its
own, before anything else happens. The formats left (on two cores: all but the PDF)
are then rendered by this process, which would otherwise only wait. Pickling a Document
costs far more than sharing it by forking once it is large, so only sources up to
PRESTART_MAX_BYTES are read this way.
"""

from __future__ import annotations

import copyreg
import gc
import io
import json
import os
import pickle
import selectors
import signal
import struct
import sys
import time
from pathlib import Path
from types import MappingProxyType

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

# A source up to this size starts its workers before it is read. Measured on a 2-core AMD EPYC:
# at 1,000 quotes (490 KB) the Document pickles in 25-35 ms and loads in 25-60 ms, against the
# 0.1-0.15 s of the PDF writer's imports it lets overlap the reading; at 10,000 quotes it takes
# 0.5-1 s, far more than forking after the reading (which shares it for nothing). The example
# (65 KB): 3-5 ms.
PRESTART_MAX_BYTES = 512 * 1024
# A prestarted worker's job pipe: the example's Document pickles to 90 KB (a pipe holds 64 KB).
# Linux lets any process make its pipes up to 1 MB (/proc/sys/fs/pipe-max-size).
JOB_PIPE_BYTES = 1 << 20

# This process's ends of the workers' pipes: a worker forked later closes them, so that it holds
# no other worker's pipe open.
_ENDS: set[int] = set()


def _proxy(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


class _Pickler(pickle.Pickler):
    """Pickles a Document: its read-only mappings (typography's roles) as well."""

    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[MappingProxyType] = lambda m: (_proxy, (dict(m),))


def _pickled(obj) -> bytes | None:
    """``obj`` pickled, or None when something in it cannot be (the worker is then forked)."""
    buf = io.BytesIO()
    try:
        _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError):
        return None
    return buf.getvalue()


class _Ready:
    """A worker started before the source was read, waiting for its job on ``job`` (a pipe)."""

    def __init__(self, pid: int, rfd: int, job: int):
        self.pid, self.rfd, self.job = pid, rfd, job

    def stop(self) -> None:
        _kill(self.pid)
        _close(self.rfd, self.job)


class Prestarted:
    """The workers ``prestart`` started, by format name, until ``run_jobs`` takes them."""

    def __init__(self):
        self.workers: dict[str, _Ready] = {}

    def take(self, name: str) -> _Ready | None:
        return self.workers.pop(name, None)

    def close(self) -> None:
        """Stop the workers no job was given (the build ended before rendering: errors, Ctrl-C)."""
        while self.workers:
            self.workers.pop(next(iter(self.workers))).stop()


def _close(*fds: int) -> None:
    for fd in fds:
        _ENDS.discard(fd)
        try:
            os.close(fd)
        except OSError:
            pass


def _here(fmt, warm: bool) -> bool:
    """Whether ``run_jobs`` renders this format in this process while the workers run: one
    rendered by another program (LibreOffice), which this process can stop (a killed worker
    could not); when warm, one whose writer keeps work for its next render."""
    return fmt.external or (warm and fmt.keeps)


def _slots(formats: list, warm: bool = False) -> int:
    """How many workers ``run_jobs`` runs at once for these formats (0: it renders them all in
    this process); a render in this process takes a core."""
    workers = min(len(formats), os.cpu_count() or 1)
    if workers <= 1 or not hasattr(os, "fork"):
        return 0
    return max(1, workers - sum(1 for fmt in formats if _here(fmt, warm)))


def prestart(source: Path, formats: list, warm: bool = False, cancel: Cancel | None = None) -> Prestarted:
    """Start workers for a small source's formats now, before it is read, each importing its
    writer meanwhile: as many as ``run_jobs`` would run at once, less one core for the reading,
    for the slowest imports (``Format.import_ms``). ``run_jobs`` sends them the Document first
    and renders the other formats in this process. No workers when the source is large
    (PRESTART_MAX_BYTES), in a process that builds again and again (``warm``: watch forks its
    workers once warm), or when every format would be rendered in this process."""
    ready = Prestarted()
    at_once = _slots(formats)
    slots = min(at_once, (os.cpu_count() or 1) - 1)
    if warm or slots <= 0:
        return ready
    try:
        if os.stat(source).st_size > PRESTART_MAX_BYTES:
            return ready
    except OSError:  # reading it will say what is wrong
        return ready
    workers = [f for f in formats if not _here(f, warm)]  # run_jobs sends these their Document first
    try:
        for fmt in sorted(workers, key=lambda f: -f.import_ms)[:slots]:
            try:
                pid, rfd, job = _start(fmt, cancel or Cancel())
            except OSError:  # no more processes or pipes: forked after the reading, as usual
                break
            ready.workers[fmt.name] = _Ready(pid, rfd, job)
    except BaseException:  # Ctrl-C while starting them: those started go too
        ready.close()
        raise
    return ready


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


def run_jobs(doc, jobs: list[tuple], cancel: Cancel, warm: bool = False,
             ready: Prestarted | None = None) -> dict[str, tuple[float, list[str]]]:
    """Render each (format, temporary file); returns {format name: (seconds, warnings)}.

    One job, or no fork on this platform: in this process. Otherwise in workers; with
    ``warm`` (a process that builds again and again: watch), a format whose writer ``keeps``
    work between renders is rendered in this process, where what it kept lives on, and the
    workers for the others are forked from this process once it is warm for their formats
    (``build.warm``). A format with a worker in ``ready`` (``prestart``) is sent the Document
    instead of forking one."""
    slots = _slots([fmt for fmt, _ in jobs], warm)
    forking = slots > 0
    if warm and forking:
        from supplement.build.warm import warm as warm_up

        warm_up(doc, [fmt for fmt, _ in jobs if not fmt.keeps])
    # The Document and everything read before are left alone from here on: the cycle collector
    # need not walk them again while the writers run (nor touch, and so copy, the pages a
    # worker shares with this process).
    gc.freeze()
    if not forking:
        return {fmt.name: render_into(doc, fmt, tmp, cancel, warm) for fmt, tmp in jobs}
    local, pending = _placed(jobs, slots, warm, set(ready.workers) if ready is not None else set())
    running: dict[int, tuple] = {}  # read fd -> (pid, format, bytes so far)
    sending: dict[int, memoryview] = {}  # a prestarted worker's job pipe -> what is left to send it
    # The Document pickled once for the prestarted workers, while they are still the caller's
    # to stop; one that cannot be pickled stops them, and their formats' workers are forked.
    pickled = _pickled(doc) if ready is not None and ready.workers else None
    if pickled is None and ready is not None:
        ready.close()
    results = {}
    sel = selectors.DefaultSelector()
    try:
        while pending or running or local:
            while pending and len(running) < slots:
                fmt, tmp = pending.pop(0)
                w = ready.take(fmt.name) if pickled is not None else None
                if w is None:
                    pid, rfd = _fork(doc, fmt, tmp, cancel)
                    running[rfd] = (pid, fmt, [])
                else:
                    rfd = w.rfd
                    running[rfd] = (w.pid, fmt, [])
                    sending[w.job] = memoryview(_job(tmp, pickled))
                    sel.register(w.job, selectors.EVENT_WRITE)
                    _send(sel, sending, w.job)  # a small source's job fits in the pipe (JOB_PIPE_BYTES)
                sel.register(rfd, selectors.EVENT_READ)
            if local and not sending:  # a prestarted worker has all of its Document first
                fmt, tmp = local.pop(0)
                results[fmt.name] = render_into(doc, fmt, tmp, cancel, warm)
                continue
            for key, _ in sel.select():
                fd = key.fd
                if fd in sending:
                    _send(sel, sending, fd)
                    continue
                chunk = os.read(fd, 65536)
                if chunk:
                    running[fd][2].append(chunk)
                    continue
                sel.unregister(fd)
                pid, fmt, parts = running.pop(fd)
                _close(fd)
                os.waitpid(pid, 0)
                results[fmt.name] = _outcome(b"".join(parts), fmt.name)
        return results
    except BaseException:
        for rfd, (pid, _, _) in running.items():
            _kill(pid)
            _close(rfd)
        raise
    finally:
        _close(*sending)
        sel.close()


def _placed(jobs: list[tuple], slots: int, warm: bool, prestarted: set[str]) -> tuple[list, list]:
    """The jobs this process renders, and those for workers in the order they get one.

    A small build's prestarted workers are sent the Document before anything else. When they
    leave one slot, the formats without a worker would be rendered one at a time in it: this
    process, which would only wait, renders them itself (no fork). When they leave none, this
    process is rendering another program's format (LibreOffice's): the others are forked as
    the prestarted workers finish, not queued behind it."""
    local = [job for job in jobs if _here(job[0], warm)]
    pending = [job for job in jobs if not _here(job[0], warm)]
    if prestarted:
        pending.sort(key=lambda job: job[0].name not in prestarted)
        if slots - sum(1 for fmt, _ in pending if fmt.name in prestarted) == 1:
            local += [job for job in pending if job[0].name not in prestarted]
            pending = [job for job in pending if job[0].name in prestarted]
    return local, pending


def _send(sel, sending: dict[int, memoryview], fd: int) -> None:
    """Write what the pipe takes now of a prestarted worker's job; close the pipe once it is all sent
    (or the worker is gone: its result pipe then says so)."""
    try:
        n = os.write(fd, sending[fd][:1 << 20])
    except BlockingIOError:
        return
    except OSError:  # the worker died (broken pipe)
        n = len(sending[fd])
    sending[fd] = sending[fd][n:]
    if not len(sending[fd]):
        sel.unregister(fd)
        del sending[fd]
        _close(fd)


def _outcome(raw: bytes, name: str) -> tuple[float, list[str]]:
    if not raw:  # the worker ended without a word: killed, or out of memory
        raise WriterFailed(f"the {name} writer's process ended unexpectedly (killed, or out of memory?)")
    msg = json.loads(raw)
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
    pid, rfd, _ = _spawn(fmt, cancel, (doc, tmp))
    return pid, rfd


def _start(fmt, cancel: Cancel):
    """Start a worker for one format before the Document exists: it imports the format's writer,
    then waits for (temporary file, Document) on the job pipe (``_job``)."""
    return _spawn(fmt, cancel, None)


def _job(tmp: Path, pickled_doc: bytes) -> bytes:
    """What a prestarted worker is sent: its temporary file and the pickled Document, with their length."""
    head = pickle.dumps(str(tmp), protocol=pickle.HIGHEST_PROTOCOL)
    return struct.pack("<Q", len(head) + len(pickled_doc)) + head + pickled_doc


def _read_job(fd: int) -> tuple | None:
    """The (Document, temporary file) a prestarted worker was sent; None when the pipe closed first."""
    def read(n: int) -> bytes:
        parts = []
        while n:
            chunk = os.read(fd, min(n, 1 << 20))
            if not chunk:
                return b""
            parts.append(chunk)
            n -= len(chunk)
        return b"".join(parts)

    head = read(8)
    if len(head) < 8:
        return None
    body = read(struct.unpack("<Q", head)[0])
    if not body:
        return None
    f = io.BytesIO(body)
    tmp = Path(pickle.load(f))
    doc = pickle.load(f)  # from this worker's own parent, through a pipe only the two of them hold
    gc.freeze()  # as a forked worker's Document is: not walked again by the collector
    return doc, tmp


def _spawn(fmt, cancel: Cancel, work: tuple | None):
    """Fork a worker: it renders ``work`` (Document, temporary file), or, without it, imports the
    writer and reads the work from a job pipe. Returns (pid, result pipe, job pipe or -1)."""
    rfd, wfd = os.pipe()
    try:
        jr, jw = os.pipe() if work is None else (-1, -1)
    except OSError:
        _close(rfd, wfd)
        raise
    parent = os.getpid()
    # Ctrl-C is held back while forking: raised inside an at-fork hook (logging has some),
    # KeyboardInterrupt would be printed and dropped, and the build would carry on.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP)
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        _close(rfd, wfd, jr, jw)
        raise
    if pid == 0:  # worker
        code = 1
        try:
            for fd in [rfd, jw, *_ENDS]:
                if fd >= 0:
                    os.close(fd)
            _die_with_parent(parent)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            try:
                if work is None:
                    broken = None
                    try:
                        fmt.writer()  # what the reading overlaps
                    except Exception as e:  # reported once there is a Document to render
                        broken = e
                    work = _read_job(jr)
                    if work is None:  # the build stopped before rendering
                        os._exit(0)
                    if broken is not None:
                        raise WriterFailed(f"{fmt.name} writer failed: {type(broken).__name__}: {broken}")
                doc, tmp = work
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
    if jr >= 0:
        os.close(jr)
        _widen(jw)
        os.set_blocking(jw, False)  # written as the worker reads it, between the other pipes' events
        _ENDS.add(jw)
    _ENDS.add(rfd)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C that came meanwhile is raised here
    except BaseException:
        _kill(pid)
        _close(rfd, jw)
        raise
    return pid, rfd, jw


def _widen(fd: int) -> None:
    """A job pipe that holds a small source's whole Document (JOB_PIPE_BYTES), so that it is sent in
    one write rather than as the worker reads it (Linux; elsewhere, and where the system's limit is
    lower, the pipe keeps its size and the job is sent in parts)."""
    try:
        import fcntl
    except ImportError:
        return
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        try:
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, JOB_PIPE_BYTES)
        except OSError:  # above the system's limit
            pass


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
