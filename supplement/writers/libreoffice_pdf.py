"""Accessible PDF: the .docx converted by LibreOffice into tagged PDF/A-2b with PDF/UA flags.

``supplement build --pdf-engine libreoffice``. The Word writer renders the
Document; LibreOffice (``soffice --headless --convert-to pdf``) lays it out and
writes a tagged PDF: a structure tree (Document, Table, TR, TH, TD, P, Span),
``/MarkInfo /Marked true``, ``/Lang`` from the source's ``study.language`` (the
Word writer sets ``w:lang`` in the document defaults), table header cells as
``TH`` with ``/Scope /Column`` (the header rows carry ``w:tblHeader``), fonts
embedded, and XMP that claims PDF/A-2b (``pdfaid:part 2``, conformance B) and
PDF/UA-1 (``pdfuaid:part 1``).

Then pikepdf mends what LibreOffice 7.4 gets wrong and makes rebuilds identical:
the title and subject are written from the Document (LibreOffice escapes an
apostrophe twice, showing ``&apos;`` in the viewer's title bar) and the keywords
as the source lists them (LibreOffice splits them at every space); every date
(Info, XMP and the generated sRGB profile's header) becomes ``doc.meta.date``,
and the file ID is derived from the content. With the same LibreOffice, equal
Documents give identical bytes.

These are claims LibreOffice makes and checks the tests run with pikepdf; no PDF/A
or PDF/UA validator (veraPDF) can be installed here, so nothing validates them.

Each conversion runs in its own temporary folder with its own LibreOffice profile
(``-env:UserInstallation``) and ``HOME``, so parallel builds and a LibreOffice the
user has open do not meet. soffice runs in its own process group, which is killed
when the build is interrupted.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from supplement.resolve.document import Document

# LibreOffice's PDF export filter: tagged PDF, PDF/UA, PDF/A-2b (SelectPdfVersion 2).
FILTER = ('pdf:writer_pdf_Export:{'
          '"UseTaggedPDF":{"type":"boolean","value":"true"},'
          '"PDFUACompliance":{"type":"boolean","value":"true"},'
          '"SelectPdfVersion":{"type":"long","value":"2"}}')

CANDIDATES = ("soffice", "libreoffice")
MAC_APP = "/Applications/LibreOffice.app/Contents/MacOS/soffice"
TIMEOUT = 1800  # seconds; 10,000 quotes take a few minutes


class LibreOfficeMissing(Exception):
    """soffice cannot be found: the engine cannot run at all."""


class ConversionFailed(Exception):
    """soffice ran but gave no PDF."""


def soffice() -> str:
    """The path of LibreOffice's ``soffice``; ``SUPPLEMENT_SOFFICE`` names one explicitly."""
    explicit = os.environ.get("SUPPLEMENT_SOFFICE")
    if explicit:
        if shutil.which(explicit):
            return shutil.which(explicit)
        raise LibreOfficeMissing(f"SUPPLEMENT_SOFFICE={explicit} is not an executable LibreOffice 'soffice'")
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    if os.path.exists(MAC_APP):
        return MAC_APP
    raise LibreOfficeMissing(
        "--pdf-engine libreoffice needs LibreOffice, and no 'soffice' is on the PATH. Install it "
        "(Debian/Ubuntu: apt-get install libreoffice-writer-nogui; macOS: brew install --cask libreoffice; "
        "Windows: libreoffice.org, then add its program folder to PATH), set SUPPLEMENT_SOFFICE to its "
        "soffice, or build with the default --pdf-engine reportlab (an untagged PDF)")


def render(doc: Document, warn=lambda message: None) -> bytes:
    """The accessible PDF for ``doc``, as bytes."""
    from supplement.writers.docx import render as render_docx

    return convert(render_docx(doc, warn), doc)


def convert(docx: bytes, doc: Document, timeout: float = TIMEOUT) -> bytes:
    """Convert .docx bytes with LibreOffice and mend the metadata from ``doc``."""
    exe = soffice()
    with tempfile.TemporaryDirectory(prefix="supplement-lo-") as tmp:
        work = Path(tmp)
        src = work / "in" / f"{_safe_stem(doc.name)}.docx"
        src.parent.mkdir()
        src.write_bytes(docx)
        out = work / "out"
        home = work / "home"
        home.mkdir()
        cmd = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", "--convert-to", FILTER, "--outdir", str(out), str(src)]
        env = dict(os.environ, HOME=str(home), TMPDIR=str(work), SAL_USE_VCLPLUGIN="svp")
        _run(cmd, env, timeout)
        pdf = out / f"{src.stem}.pdf"
        if not pdf.exists() or pdf.stat().st_size == 0:
            raise ConversionFailed(f"LibreOffice ({exe}) wrote no PDF; it said: {_said(work)}")
        return mend(pdf.read_bytes(), doc)


def _safe_stem(name: str) -> str:
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return stem[:80] or "supplement"


def _run(cmd: list[str], env: dict, timeout: float) -> None:
    log = Path(env["TMPDIR"]) / "soffice.log"
    with open(log, "wb") as f:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ConversionFailed(f"LibreOffice took longer than {timeout:.0f} s and was stopped") from None
        except BaseException:  # Ctrl-C, SIGTERM: soffice and what it started go too
            _kill_group(proc)
            raise
    if code != 0:
        raise ConversionFailed(f"LibreOffice exited with status {code}: {_said(Path(env['TMPDIR']))}")


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.wait(timeout=10)
    except Exception:
        pass


def _said(work: Path) -> str:
    try:
        text = (work / "soffice.log").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    lines = [ln for ln in text.splitlines() if ln.strip() and "javaldx" not in ln]
    return " / ".join(lines[-5:]) or "nothing"


def mend(data: bytes, doc: Document) -> bytes:
    """Title, subject, author, keywords and dates from ``doc``; the ID from the content."""
    import pikepdf

    meta = doc.meta
    when = meta.date if meta.date.tzinfo else meta.date.replace(tzinfo=timezone.utc)
    when = when.astimezone(timezone.utc).replace(microsecond=0)
    xmp_date = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    pdf_date = when.strftime("D:%Y%m%d%H%M%SZ")
    keywords = ", ".join(meta.keywords)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        if meta.language and "/Lang" not in root:
            root.Lang = pikepdf.String(meta.language)
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["dc:title"] = meta.title
            if meta.subject:
                xmp["dc:description"] = meta.subject
            if meta.authors:
                xmp["dc:creator"] = ["; ".join(meta.authors)]  # one entry, equal to Info /Author
            if keywords:
                xmp["pdf:Keywords"] = keywords
            for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
                xmp[key] = xmp_date
        info = pdf.docinfo
        info.Title = pikepdf.String(meta.title)
        _set_or_drop(info, "/Subject", meta.subject)
        _set_or_drop(info, "/Author", "; ".join(meta.authors))
        _set_or_drop(info, "/Keywords", keywords)
        info.CreationDate = pikepdf.String(pdf_date)
        info.ModDate = pikepdf.String(pdf_date)
        for intent in root.get("/OutputIntents", []):
            profile = intent.get("/DestOutputProfile")
            if profile is not None:
                _date_icc(profile, when)
        for key in ("/ID", "/DocChecksum"):  # LibreOffice's differ every run; the ID would hash them in
            if key in pdf.trailer:
                del pdf.trailer[key]
        buf = io.BytesIO()
        pdf.save(buf, deterministic_id=True)
    return buf.getvalue()


def _set_or_drop(info, key: str, value: str) -> None:
    import pikepdf

    if value:
        info[key] = pikepdf.String(value)
    elif key in info:
        del info[key]


def _date_icc(stream, when: datetime) -> None:
    """An ICC profile's header holds its creation time (bytes 24-35, six big-endian
    16-bit numbers); LibreOffice generates the sRGB profile at export time. The header's
    profile ID (bytes 84-99) covers the date, so a profile that has one is left alone."""
    icc = bytearray(stream.read_bytes())
    if len(icc) < 128 or any(icc[84:100]):
        return
    stamp = b"".join(n.to_bytes(2, "big") for n in (when.year, when.month, when.day, when.hour, when.minute,
                                                    when.second))
    if icc[24:36] != stamp:
        icc[24:36] = stamp
        stream.write(bytes(icc))
