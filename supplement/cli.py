"""The ``supplement`` command: parse flags, call the pipeline, report. Nothing else."""

from __future__ import annotations

import gc
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
# Set by a command whose objects need no tidying (diff): exit without freeing them one by one.
_EXIT_WITHOUT_FREEING = False


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
      supplement preview my-study.yaml see it in the browser as you edit
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
@click.option("--pdf-engine", type=click.Choice(["reportlab", "libreoffice"]), default="reportlab", show_default=True,
              help="libreoffice: convert the .docx with LibreOffice into a tagged, accessible PDF "
                   "(PDF/A-2b, PDF/UA flags); needs LibreOffice installed.")
def build(files, out, formats, style, strict, quiet, pdf_engine):
    """Render sources into Word, PDF, HTML, Markdown and Excel files.

    \b
    Examples:
      supplement build                                  every source/*.yaml -> output/
      supplement build study.yaml --out dist --format pdf
      supplement build study.yaml --style plos          reformat for another journal
      supplement build --pdf-engine libreoffice         accessible (tagged) PDF via LibreOffice

    A build with --style other than the source's own 'style:' writes NAME.STYLE.docx,
    so the source's own outputs are not replaced. Earlier outputs stay untouched when a
    build fails; all formats are put in place together. Exit status: 0 built, 1 errors
    in a source or while writing.
    """
    from supplement.build.run import OutputError, outputs

    fmts = _formats(formats)
    sources = _sources(files)
    try:
        outputs(sources, Path(out), fmts)
    except OutputError as e:
        _err(f"error: {e}; nothing written")
        sys.exit(1)
    failed = False
    for path in sources:
        failed = _build_one(path, Path(out), fmts, style, strict, quiet, pdf_engine)[0] or failed
    sys.exit(1 if failed else 0)


def _build_one(path: Path, out: Path, fmts: list[str], style, strict: bool, quiet: bool,
               pdf_engine: str = "reportlab", warm: bool = False):
    """Build one source and say how it went: (failed, the Document or None, its report)."""
    from supplement.build.pool import Cancel
    from supplement.build.run import OutputError, WriterFailed
    from supplement.build.run import build as run

    def progress(message: str) -> None:
        if not quiet:
            _err(f"  {message}")

    global _CANCEL
    start = time.perf_counter()
    _CANCEL = Cancel()
    try:
        if not quiet:
            _err(f"building {path} …")
        result = run(path, out, fmts, style, strict=strict, progress=progress, cancel=_CANCEL,
                     pdf_engine=pdf_engine, warm=warm)
    except OutputError as e:
        _err(f"error: {e}")
        return True, None, Report()
    except (WriterFailed, OSError) as e:
        _err(f"error: {path}: could not write the output: {e}; earlier outputs are unchanged")
        return True, None, Report()
    finally:
        _CANCEL = None
    _print_report(result.report)
    if result.report.errors or (strict and result.report.warnings):
        _err(_summary(result.report, path, "; nothing written"))
        return True, result.doc, result.report
    if not quiet:
        for target, secs in result.written:
            _err(f"  wrote {target} ({target.stat().st_size / 1024:.0f} KB, {secs:.2f} s)")
        _err(f"  done in {time.perf_counter() - start:.2f} s")
    return False, result.doc, result.report


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
    from .collector import no_gc_pauses

    with no_gc_pauses():  # imports: many objects that live as long as the process, no garbage
        from .checks.preflight import preflight
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


def _one_source(file: str | None) -> Path:
    if file:
        return Path(file)
    found = _sources(())
    if len(found) > 1:
        raise click.UsageError(f"{len(found)} sources in {DEFAULT_SOURCES}/; name the one to follow")
    return found[0]


def _changed(paths: list[Path]) -> None:
    _err(f"changed: {', '.join(p.name for p in paths)}")


@main.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=True),
              help="Directory to write into (created if missing).")
@click.option("--format", "formats", default=None,
              help="Comma-separated formats, or all (supplement formats lists them); default: docx,pdf.")
@click.option("--style", default=None, help="Style preset or style file; overrides the source's 'style:'.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and what changed.")
def watch(file, out, formats, style, quiet):
    """Build, then rebuild whenever the source, its style or template is saved.

    \b
    Examples:
      supplement watch                          the one source/*.yaml -> output/
      supplement watch study.yaml --format html,pdf --out dist

    Follows the source, the transcripts its sources name, its style file (and
    those it extends), the Word template and font files the style names. An
    editor's save rebuilds once. A build with
    errors reports them and leaves the last good outputs in place; the next save
    builds again. Ctrl-C stops.
    """
    from supplement.build.watch import follow

    from supplement.build.run import OutputError, outputs

    fmts = _formats(formats)
    path = _one_source(file)
    try:
        outputs([path], Path(out), fmts)  # refused now rather than at every save
    except OutputError as e:
        _err(f"error: {e}; nothing written")
        sys.exit(1)

    def rebuild():
        failed, doc, report = _build_one(path, Path(out), fmts, style, False, quiet, warm=True)
        if failed:
            _err("  the last good outputs are unchanged; watching for the next save (Ctrl-C stops)")
        # The PDF is rendered in this process (build.pool), which leaves reportlab's cycles behind:
        # collected now, while waiting for a save, not frozen for good by the next build.
        gc.collect()
        return doc, report

    _err(f"watching {path} and what it uses (Ctrl-C stops)")
    follow(path, rebuild, changed=_changed)


@main.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--port", default=0, type=click.IntRange(0, 65535), show_default="a free port",
              help="Port on 127.0.0.1 to serve on.")
@click.option("--style", default=None, help="Style preset or style file; overrides the source's 'style:'.")
def preview(file, port, style):
    """Serve the HTML rendering on 127.0.0.1 and reload it in the browser on save.

    \b
    Example:
      supplement preview study.yaml --port 8000     then open http://127.0.0.1:8000/

    Opens nothing by itself: open the address it prints. The page reloads when the
    source, its style or template changes; errors are shown at the top of the
    page with their FILE:LINE:COL, over the last good rendering. Nothing is
    written to disk. Ctrl-C stops.
    """
    from supplement.build.preview import Preview, serve
    from supplement.build.watch import follow

    path = _one_source(file)
    pv = Preview(path, style)
    try:
        server = serve(pv, port)
    except OSError as e:
        raise click.UsageError(f"cannot serve on 127.0.0.1:{port}: {e.strerror}; choose another --port") from None

    def rebuild():
        doc, report = pv.rebuild()
        _print_report(report)
        state = "errors shown in the page" if report.errors else "page updated"
        _err("  " + _summary(report, path, f"; {state}"))
        return doc, report

    _err(f"serving {path} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        follow(path, rebuild, changed=_changed)
    finally:
        server.shutdown()


@main.command("formats")
def formats_command():
    """List the output formats: name, file extension, what it is; * marks the defaults.

    \b
    Example:
      supplement build study.yaml --format html,xlsx
    """
    from .writers import FORMATS

    for f in FORMATS.values():
        click.echo(f"{f.name:<6} .{f.extension:<6} {'*' if f.default else ' '} {f.description}")


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

@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--to", "to", type=click.Path(dir_okay=False), default=None,
              help="Source file to write (default: source/NAME.yaml, or ./NAME.yaml without a source/ folder).")
@click.option("--from", "fmt", type=click.Choice(["refi-qda", "segments", "taguette", "qualcoder", "maxqda",
                                                   "atlasti", "word"]), default=None,
              help="The export's format; default: detected from the content.")
@click.option("--columns", default=None, help='Map a table\'s columns: text=Segment,theme=Code,source="Document name".')
@click.option("--levels", default="1,2", show_default=True,
              help="Code-tree levels that become themes and subthemes (e.g. 2,3; 1 for themes only).")
@click.option("--into", "into", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Merge into this existing source (keeps its findings, titles, order, notes).")
@click.option("--force", is_flag=True, help="Replace an existing --to file.")
def import_(file, to, fmt, columns, levels, into, force):
    """Turn a QDA export or a Word appendix into a source.

    \b
    Reads REFI-QDA (.qdpx, .qde, .qdc), coded-segment tables (CSV, XLSX) from
    Taguette, QualCoder, MAXQDA and ATLAS.ti, and Word appendices (.docx).
    Examples:
      supplement import project.qdpx --to source/study.yaml
      supplement import highlights.csv
      supplement import segments.xlsx --columns text=Segment,code=Code,source="Document name"
      supplement import new.qdpx --into source/study.yaml

    Exit status: 0 written, 1 nothing written (the problems are listed), 2 usage.
    """
    from supplement.importers.command import run as run_import
    from supplement.importers.outline import Levels
    from supplement.importers.segments import parse_columns

    if into and (to or force):
        raise click.UsageError("--into merges into an existing source; it takes no --to or --force")
    try:
        lv = Levels.parse(levels)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--levels")
    mapping = None
    if columns:
        try:
            mapping = parse_columns(columns)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--columns")
    out = run_import(Path(file), Path(to) if to else None, fmt, mapping, lv, Path(into) if into else None, force)
    _print_report(out.report)
    for line in out.lines:
        click.echo(line, err=not out.ok)
    sys.exit(0 if out.ok else 1)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one array of {severity, file, line, col, message, hint, check} for tools.")
@click.option("--fix-pages", "fix", is_flag=True,
              help="Rewrite citations whose quote is on another page of the transcript (in place, comments kept).")
@click.option("--sensitive", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Private list of sensitive terms, one a line (default: FILE's stem + .sensitive.txt beside it).")
def verify(files, strict, fmt, fix, sensitive):
    """Check the evidence: quotes against transcripts, identifying details, small cells.

    \b
    Examples:
      supplement verify source/study.yaml
      study.yaml:131:13: error: quote differs from FG's transcript (page 8, 96% alike): …
      supplement verify study.yaml --fix-pages      rewrite wrong page citations

    A source names its transcript with 'transcript: transcripts/fg.txt' (.txt, .docx,
    .pdf, .vtt, .srt). The allow list and pseudonyms live in FILE.identifiers.yaml,
    real names to look for in FILE.sensitive.txt (keep that one out of version
    control); see docs/integrity.md.
    Exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage error.
    """
    from supplement.integrity.commands import run_verify

    sys.exit(run_verify(_sources(files), fmt, strict, fix, Path(sensitive) if sensitive else None, click.echo))


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--share", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Flag a participant or source carrying more than this share of a theme's quotes.")
def report(files, fmt, share):
    """Coverage of the quotes (COREQ 29, SRQR 17): who is quoted, how often, where.

    \b
    Example:
      supplement report source/study.yaml

    Quotes per participant and per source, participants never quoted, one voice
    carrying much of a theme, themes without quotes.
    """
    from supplement.integrity.commands import run_report

    sys.exit(run_report(_sources(files), fmt, click.echo, share))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Add the starter files to a folder that is not empty (existing files are kept).")
@click.option("--name", default=None, help="File name of the source (default: the folder's name).")
@click.option("--title", default=None, help="The article's title, for the starter source and README.")
def init(directory, force, name, title):
    """Start a new project folder that checks and builds straight away.

    \b
    Example:
      supplement init my-study && cd my-study && supplement build

    \b
    Writes source/NAME.yaml (a commented starter source whose first line points
    YAML editors at source/supplement.schema.json, written beside it), a
    .gitignore for output/ and a README of the next steps. Exit status: 0 done,
    1 the folder is not empty (without --force) or cannot be written.
    """
    from supplement.scaffold import InitError
    from supplement.scaffold import init as run

    try:
        made = run(directory, force=force, name=name, title=title)
    except InitError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    for path in made.written:
        click.echo(f"  wrote {path}", err=True)
    for path in made.kept:
        click.echo(f"  kept  {path} (already there)", err=True)
    import shlex

    click.echo(f"next: cd {shlex.quote(str(made.root))} && supplement check && supplement build  (see README.md)", err=True)


@main.command(name="diff")
@click.argument("args", nargs=-1, required=True, metavar="OLD NEW | REV [REV2] [FILE]")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="markdown: for a response to reviewers or a pull request; json: for tools.")
@click.option("--style", default=None, help="Label both versions in this style instead of their own.")
def diff_command(args, fmt, style):
    """What changed between two versions of a source, and which labels were renumbered.

    \b
    Examples:
      supplement diff old.yaml new.yaml            two files
      supplement diff HEAD                         the project's source at HEAD vs. now
      supplement diff HEAD~3 study.yaml            that file three commits ago vs. now
      supplement diff v1 v2 study.yaml             between two revisions (git show; no checkout)
      supplement diff v1 v2 study.yaml --format markdown > changes.md

    \b
    Themes, findings, quotes and participants are matched by id, and by their text
    where ids are missing or changed (with a similarity score). Kinds: theme-added,
    -removed, -renamed, -moved, -merged, -split; finding-added, -removed, -edited,
    -moved; quote-added, -removed, -moved, -edited, -recited; participant-added,
    -removed, -renumbered, -edited; item-renumbered; caption-changed; columns-changed.
    The renumbering map lists every printed label that changed ("III.B" -> "III.A",
    "Participant 3" -> "Participant 6"): what the manuscript must follow.

    Exit status as diff(1): 0 no changes, 1 changes, 2 trouble.
    """
    from supplement.diagnostics import SourceError
    from supplement.recoding import diff_versions
    from supplement.recoding.render import RENDERERS
    from supplement.recoding.versions import VersionError, versions

    from supplement.collector import no_gc_pauses

    global _EXIT_WITHOUT_FREEING
    keep: list = []  # both compiled models, freed by the exit rather than object by object
    try:
        old, new = versions(list(args))
        with no_gc_pauses():
            result = diff_versions(old, new, style, keep)
            # Reading and comparing made millions of small objects and no cycles: the collector,
            # back on, would walk them all once (0.15 s at 10,000 quotes) for nothing.
            gc.freeze()
    except VersionError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    except SourceError as e:
        _print_report(e.report)
        click.echo("error: a version has errors, so it cannot be compared; fix them (supplement check) first",
                   err=True)
        sys.exit(2)
    _EXIT_WITHOUT_FREEING = True
    click.echo(RENDERERS[fmt](result))
    sys.exit(0 if result.empty else 1)


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
    global _EXIT_WITHOUT_FREEING
    _EXIT_WITHOUT_FREEING = False
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:  # nohup, '&' in scripts
            signal.signal(sig, _on_signal)
    try:
        main.main(standalone_mode=False)
    except SystemExit as e:
        if _EXIT_WITHOUT_FREEING:  # output flushed, nothing to tidy: skip freeing every object
            _exit_now(e.code if isinstance(e.code, int) else (0 if e.code is None else 1))
        raise
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
