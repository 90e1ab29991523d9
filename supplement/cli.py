"""The ``supplement`` command: parse flags, call the pipeline, report. Nothing else."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import click

from . import __version__
from .diagnostics import Report

DEFAULT_SOURCES = Path("source")
# Set by the signal handlers while a command runs: how Ctrl-C or SIGTERM reaches a build.
_CANCEL = None


def _sources(files: tuple[str, ...]) -> list[Path]:
    if files:
        return [Path(f) for f in files]
    found = sorted(DEFAULT_SOURCES.glob("*.yaml")) + sorted(DEFAULT_SOURCES.glob("*.yml"))
    if not found:
        raise click.UsageError(f"no FILE given and no *.yaml in {DEFAULT_SOURCES}/ (run it from the project folder)")
    return found


def _formats(value: str | None) -> list[str]:
    from .writers import FORMATS, default_formats

    if value is None:
        return default_formats()
    out = []
    for f in (x.strip().lower() for x in value.split(",")):
        if f == "all":
            out.extend(n for n in FORMATS if n not in out)
        elif f not in FORMATS:
            raise click.BadParameter(f"unknown format '{f}'; choose from {', '.join(FORMATS)} or all",
                                     param_hint="--format")
        elif f not in out:
            out.append(f)
    return out


def _err(message: str) -> None:
    """A line on stderr; a closed stderr (``supplement build 2>&1 | head``) does not stop the work."""
    try:
        click.echo(message, err=True)
    except OSError:
        pass


def _print_report(report: Report, fmt: str = "text", err: bool = True) -> None:
    if fmt == "json":
        click.echo(report.json())
    elif report.items:
        click.echo(report.text(), err=err)


def _summary(report: Report, path: Path, suffix: str = "") -> str:
    """'FILE: N errors, M warnings', and a line of its own for each other file with problems (a
    style file the source names): its errors are not the source's."""
    own = str(path)
    files = {own: []}
    for d in report.items:
        f = d.pos.file
        files.setdefault(f if f != own and Path(f).is_file() else own, []).append(d)
    lines = []
    for f, ds in files.items():
        e = sum(d.severity == "error" for d in ds)
        w = len(ds) - e
        lines.append(f"{f}: {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}")
    lines[0] += suffix  # the source's line: "; nothing written"
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="supplement")
def main():
    """Build journal-formatted supplementary appendices (Word and PDF) from one YAML source.

    \b
    Quick start (in the project folder):
      supplement build                 build every source/*.yaml into output/
      supplement check my-study.yaml   list every problem with FILE:LINE:COL
    """


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=True),
              help="Directory to write into (created if missing).")
@click.option("--format", "formats", default=None,
              help="Comma-separated formats, or all (supplement formats lists them); default: docx,pdf.")
@click.option("--style", default=None, help="Style preset or style file; overrides the source's 'style:'.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (nothing is written).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
def build(files, out, formats, style, strict, quiet):
    """Render sources into Word and PDF files.

    \b
    Examples:
      supplement build                                  every source/*.yaml -> output/
      supplement build study.yaml --out dist --format pdf
      supplement build study.yaml --style plos          reformat for another journal

    A build with --style other than the source's own 'style:' writes NAME.STYLE.docx,
    so the source's own outputs are not replaced. Earlier outputs stay untouched when a
    build fails; all formats are put in place together. Exit status: 0 built, 1 errors
    in a source or while writing.
    """
    from supplement.build.pool import Cancel
    from supplement.build.run import OutputError, WriterFailed, outputs
    from supplement.build.run import build as run

    def progress(message: str) -> None:
        if not quiet:
            _err(f"  {message}")

    global _CANCEL
    fmts = _formats(formats)
    sources = _sources(files)
    try:
        outputs(sources, Path(out), fmts)
    except OutputError as e:
        _err(f"error: {e}; nothing written")
        sys.exit(1)
    failed = False
    for path in sources:
        start = time.perf_counter()
        _CANCEL = Cancel()
        try:
            if not quiet:
                _err(f"building {path} …")
            result = run(path, Path(out), fmts, style, strict=strict, progress=progress, cancel=_CANCEL)
        except OutputError as e:
            _err(f"error: {e}")
            failed = True
            continue
        except (WriterFailed, OSError) as e:
            _err(f"error: {path}: could not write the output: {e}; earlier outputs are unchanged")
            failed = True
            continue
        finally:
            _CANCEL = None
        _print_report(result.report)
        if result.report.errors or (strict and result.report.warnings):
            _err(_summary(result.report, path, "; nothing written"))
            failed = True
            continue
        if not quiet:
            for target, secs in result.written:
                _err(f"  wrote {target} ({target.stat().st_size / 1024:.0f} KB, {secs:.2f} s)")
            _err(f"  done in {time.perf_counter() - start:.2f} s")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--list", "list_checks", is_flag=True, help="List the named checks, their default severity and meaning.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--style", default=None, help="Check against this style instead of the source's.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one array of {severity, file, line, col, message, hint} for tools.")
def check(files, list_checks, strict, style, fmt):
    """Validate sources and report every problem at once.

    \b
    Example:
      supplement check study.yaml
      study.yaml:239:19: warning: this quote also appears at line 213
          hint: if the repeat is intended, add 'repeat: true' to this quote; otherwise remove one
      supplement check --list          every named check; a source's checks: map sets their severity

    Exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage error.
    """
    if list_checks:
        from .checks.registry import all_checks

        for c in all_checks():
            lock = " (cannot be lowered)" if c.locked else ""
            click.echo(f"{c.name:<22} {c.severity:<8} {c.family:<9} {c.doc}{lock}")
        return
    from .build.run import preflight
    from .pipeline import compile_document
    from .writers import default_formats

    total = Report()
    for path in _sources(files):
        doc, report = compile_document(path, style)
        if doc is not None:  # what a default build would check before rendering
            preflight(doc, default_formats(), report)
        total.extend(report)
        if fmt == "text":
            _print_report(report, err=False)
            click.echo(_summary(report, path))
    if fmt == "json":
        _print_report(total, "json")
    bad = total.errors or (strict and total.warnings)
    sys.exit(1 if bad else 0)


@main.command()
@click.option("--style", "of_style", is_flag=True, help="Print the schema of style files instead.")
def schema(of_style):
    """Print the JSON Schema of source files (for editor completion).

    \b
    Example (VS Code with the YAML extension):
      supplement schema > supplement.reader.declare.json
      # then, first line of your source:  # yaml-language-server: $schema=supplement.reader.declare.json
    """
    if of_style:
        from supplement.resolve.style import style_json_schema
        click.echo(json.dumps(style_json_schema(), indent=2, ensure_ascii=False))
    else:
        from supplement.reader.format_v1 import json_schema
        click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@main.command()
@click.argument("name", required=False)
def styles(name):
    """List the journal style presets, or print one fully resolved.

    \b
    Examples:
      supplement styles            one line per preset
      supplement styles jama       every setting of the jama preset
      supplement styles lab.yaml   a style file of your own, resolved
    """
    from .diagnostics import Pos, SourceError
    from supplement.resolve.style import describe_style, load_style, preset_names

    if name is None:
        for n in preset_names():
            try:
                desc = load_style(n, Pos("templates")).description
            except SourceError as e:
                desc = f"(broken: {e.report.errors[0].message})"
            click.echo(f"{n:<10} {desc}")
        return
    try:
        click.echo(describe_style(load_style(name, Pos("argument NAME"), Path.cwd())))
    except SourceError as e:
        _print_report(e.report)
        sys.exit(1)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def ids(files):
    """Give every theme, subtheme, finding and quote without an id a short stable one.

    The file is changed in place, and only by the added 'id:' lines: comments, key
    order, quoting and blank lines stay as they were. Ids are never printed in the
    outputs; they let diff and re-import tell a moved quote from a new one.

    \b
    Example:
      supplement ids source/my-study.yaml
      source/my-study.yaml: 131 ids added
    """
    from .study.edit import add_ids

    failed = False
    for path in files:
        added, report = add_ids(path)
        _print_report(report)
        if report.errors:
            click.echo(f"{path}: nothing changed", err=True)
            failed = True
        else:
            click.echo(f"{path}: {added} id{'s' * (added != 1)} added" if added else f"{path}: every item has an id")
    sys.exit(1 if failed else 0)


class _Terminated(BaseException):
    """SIGTERM or SIGHUP: unwind like Ctrl-C, so temporary files are removed."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, frame):
    exc = KeyboardInterrupt() if signum == signal.SIGINT else _Terminated(signum)
    if _CANCEL is not None:  # a build is running: it must stop even if a library swallows exc
        _CANCEL.set(exc)
    raise exc


def _exit_now(code: int) -> None:
    """Exit without Python's shutdown: an object an interrupt left half-done (a zip file the
    Word writer was writing) would print 'Exception ignored … Traceback' from its finalizer.
    The build has already removed its temporary files."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)


def run():
    """Entry point: no traceback reaches the user, whatever happens."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:  # nohup, '&' in scripts
            signal.signal(sig, _on_signal)
    try:
        main.main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("interrupted; earlier outputs are unchanged", err=True)
        _exit_now(130)
    except _Terminated as e:
        click.echo("terminated; earlier outputs are unchanged", err=True)
        _exit_now(128 + e.signum)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except Exception as e:  # a bug: say so plainly, with what to report
        click.echo(f"supplement: internal error: {type(e).__name__}: {e}\n"
                   "  this is a bug in supplement, not in your file; please report it with the source", err=True)
        sys.exit(70)
