"""Transcript files as pages of text, whatever they were saved as.

- ``.txt`` (also ``.md``): pages split at form feeds, or at page markers on a line
  of their own (``[Page 3]``, ``--- Page 3 ---``, ``Page 3 of 12``); neither: one page.
- ``.docx``: Word's rendered page breaks when the file has them (Word writes them
  when it saves), else the file is laid out by LibreOffice when it is installed
  (its layout can differ from Word's by a line or so: citations are then allowed
  ±1 page near a break), else explicit page breaks only. ``.doc``, ``.odt``, ``.rtf``
  go through LibreOffice.
- ``.pdf``: page by page through poppler's ``pdftotext``; printed page labels
  (``iv``, ``12``) are honoured when the file defines them.
- ``.vtt`` / ``.srt``: no pages; one "page" per cue, labelled by its start time. A
  page citation is read as minutes (``Interview 1, 4`` = 04:00–04:59).

Page furniture is removed: speaker labels at line starts (``Interviewer:``, ``P3:``),
line numbers in the margin, running headers and footers repeated on most pages,
and lines holding only a page number. What a reader decided (which pagination, what
it dropped) is kept in ``Transcript.method`` and ``notes`` so that ``verify`` can say so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

from supplement.records import Struct, field


SUFFIXES = (".txt", ".md", ".docx", ".doc", ".odt", ".rtf", ".pdf", ".vtt", ".srt")
OFFICE = (".doc", ".odt", ".rtf")
MAX_BYTES = 64 * 1024 * 1024


class TranscriptError(Exception):
    """A transcript that cannot be read; the message says why and what to do."""


class Page(Struct, frozen=True):
    label: str  # as cited: "3", "iv"; for a timed transcript the cue's start, "04:31"
    text: str
    minute: Optional[int] = None  # timed transcripts: the minute the cue starts in


class Transcript(Struct, frozen=True):
    path: Path
    pages: tuple[Page, ...]
    method: str  # how it was paginated, said to the user
    slack: int = 0  # words either side of a cited page that still count (layout may differ)
    timed: bool = False
    notes: tuple[str, ...] = field(default=())  # things the reader noticed (encoding, no page breaks)

    @property
    def paginated(self) -> bool:
        return self.timed or len(self.pages) > 1

    def cited(self, first: int, last: int) -> list[int]:
        """Indices of the pages a citation of pages first..last means (minutes when timed)."""
        if self.timed:
            return [i for i, p in enumerate(self.pages) if p.minute is not None and first <= p.minute <= last]
        want = {str(n) for n in range(first, min(last, first + 10_000) + 1)}
        return [i for i, p in enumerate(self.pages) if p.label in want]

    def describe_pages(self) -> str:
        if self.timed:
            return f"{len(self.pages)} cues, {self.pages[0].label}–{self.pages[-1].label}" if self.pages else "no cues"
        if not self.pages:
            return "no pages"
        return f"pages {self.pages[0].label}–{self.pages[-1].label}" if len(self.pages) > 1 else "one page"


def load(path: str | Path) -> Transcript:
    """Read a transcript; raises ``TranscriptError`` with a plain reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TranscriptError(f"cannot read '{path.suffix or path.name}' transcripts; "
                              f"use one of {', '.join(SUFFIXES)}")
    try:
        if not path.is_file():
            raise TranscriptError("not found" if not path.exists() else "not a file")
        if path.stat().st_size > MAX_BYTES:
            raise TranscriptError(f"larger than {MAX_BYTES // 2**20} MiB")
        if suffix in (".txt", ".md"):
            return _from_text(path)
        if suffix == ".docx":
            return _from_docx(path)
        if suffix in OFFICE:
            return _through_libreoffice(path, "LibreOffice's layout", [])
        if suffix == ".pdf":
            return _from_pdf(path)
        return _from_cues(path)
    except OSError as e:
        raise TranscriptError(f"cannot read it: {e.strerror or e}") from None


# ---------------------------------------------------------------------------- plain text

_MARKER = re.compile(  # decorated, on a line of its own: [Page 3], --- Page 3 ---, (Page 3 of 12), == Page 3 ==
    r"^[ \t]*(?:[\[(<{]|[-=*_~#]{2,})[ \t]*page[ \t]+(\d{1,6})(?:[ \t]+of[ \t]+\d+)?[ \t]*"
    r"(?:[\])>}]|[-=*_~#]{2,})[ \t]*$", re.I | re.M)


def decode(data: bytes) -> tuple[str, list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), ["not UTF-8: read as Windows-1252"]


def _from_text(path: Path) -> Transcript:
    text, notes = decode(path.read_bytes())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        chunks = text.split("\f")
        if chunks and not chunks[-1].strip():
            chunks.pop()
        return _finish(path, [(str(i), c) for i, c in enumerate(chunks, 1)], "form feeds", notes=notes)
    marks = list(_MARKER.finditer(text))
    if marks:
        pages = []
        head = text[:marks[0].start()]
        if head.strip():
            first = int(marks[0].group(1))
            pages.append((str(first - 1) if first > 1 else "0", head))
        for m, nxt in zip(marks, marks[1:] + [None]):
            pages.append((str(int(m.group(1))), text[m.end():nxt.start() if nxt else len(text)]))
        return _finish(path, pages, "page markers", notes=notes)
    notes.append("no page breaks (form feeds or markers such as [Page 3]): "
                 "each quote is checked against the whole transcript, pages are not checked")
    return _finish(path, [("1", text)], "one page", notes=notes)


# ---------------------------------------------------------------------------- Word

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_pages(path: Path) -> tuple[list[str], bool, bool]:
    """Text split at Word's rendered page breaks (or at explicit breaks when there are none);
    whether rendered breaks and explicit breaks were seen."""
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError) as e:
        raise TranscriptError(f"not a readable .docx ({e}); re-save it from Word") from None
    body = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, huge_tree=False)).find(f"{_W}body")
    if body is None:
        return [""], False, False
    rendered: list[list[str]] = [[]]
    explicit: list[list[str]] = [[]]
    saw_rendered = saw_explicit = False
    for el in body.iter(f"{_W}p", f"{_W}t", f"{_W}br", f"{_W}tab", f"{_W}lastRenderedPageBreak", f"{_W}cr"):
        tag = el.tag[len(_W):]
        if tag == "p":
            rendered[-1].append("\n")
            explicit[-1].append("\n")
        elif tag == "t":
            rendered[-1].append(el.text or "")
            explicit[-1].append(el.text or "")
        elif tag == "lastRenderedPageBreak":
            saw_rendered = True
            rendered.append([])
        elif tag == "br" and el.get(f"{_W}type") == "page":
            saw_explicit = True
            explicit.append([])
        else:  # tab, line break
            rendered[-1].append(" " if tag == "tab" else "\n")
            explicit[-1].append(" " if tag == "tab" else "\n")
    pages = rendered if saw_rendered else explicit
    return ["".join(p) for p in pages], saw_rendered, saw_explicit


def _from_docx(path: Path) -> Transcript:
    pages, rendered, explicit = _docx_pages(path)
    if rendered:
        return _finish(path, [(str(i), t) for i, t in enumerate(pages, 1)], "Word's page breaks (as Word last laid it out)")
    if soffice() is not None:
        return _through_libreoffice(path, "LibreOffice's layout (the file has no page breaks saved by Word)",
                                    [], slack=SLACK_WORDS)
    note = ("LibreOffice is not installed and the file has no page breaks saved by Word: "
            + ("paginated at explicit page breaks only" if explicit else "pages are not checked"))
    return _finish(path, [(str(i), t) for i, t in enumerate(pages, 1)],
                   "explicit page breaks" if explicit else "one page", notes=[note])


SLACK_WORDS = 80  # near a page break, LibreOffice's layout may put a line on the other page


def soffice() -> Optional[str]:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _through_libreoffice(path: Path, method: str, notes: list[str], slack: int = SLACK_WORDS) -> Transcript:
    exe = soffice()
    if exe is None:
        raise TranscriptError(f"reading '{path.suffix}' needs LibreOffice, which is not installed; "
                              "save the transcript as .docx, .pdf or .txt")
    with tempfile.TemporaryDirectory(prefix="supplement-lo-") as tmp:
        profile = Path(tmp, "profile").as_uri()  # own profile: parallel runs do not collide
        try:
            run = subprocess.run([exe, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                                  "--convert-to", "pdf", "--outdir", tmp, str(path.resolve())],
                                 capture_output=True, timeout=180, env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise TranscriptError("LibreOffice took more than 3 minutes to lay it out") from None
        pdf = Path(tmp, path.stem + ".pdf")
        if run.returncode != 0 or not pdf.exists():
            raise TranscriptError("LibreOffice could not lay it out: "
                                  + (run.stderr.decode(errors="replace").strip()[:200] or "no output"))
        t = _from_pdf(pdf, source=path)
    return Transcript(path, t.pages, method, slack, False, tuple(notes) + t.notes)


# ---------------------------------------------------------------------------- PDF

def _from_pdf(path: Path, source: Optional[Path] = None) -> Transcript:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise TranscriptError("reading PDF transcripts needs poppler's pdftotext (Debian: poppler-utils)")
    try:
        run = subprocess.run([exe, "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise TranscriptError("pdftotext took more than 2 minutes") from None
    if run.returncode != 0:
        raise TranscriptError("not a readable PDF: " + run.stderr.decode(errors="replace").strip()[:200])
    chunks = run.stdout.decode("utf-8", errors="replace").split("\f")
    if chunks and not chunks[-1].strip():
        chunks.pop()
    labels, notes = _page_labels(path, len(chunks)), []
    if not "".join(chunks).strip():
        notes.append("the PDF has no text layer (a scan?): run OCR on it first")
    method = "pdftotext" + (", printed page labels" if labels != [str(i) for i in range(1, len(chunks) + 1)] else "")
    return _finish(source or path, list(zip(labels, chunks)), method, notes=notes)


def _page_labels(path: Path, n: int) -> list[str]:
    default = [str(i) for i in range(1, n + 1)]
    try:
        from pypdf import PdfReader

        labels = list(PdfReader(str(path)).page_labels)
    except Exception:  # labels are a refinement: a PDF pypdf cannot read keeps index numbers
        return default
    return labels if len(labels) == n else default


# ---------------------------------------------------------------------------- subtitles

_CUE_TIME = re.compile(r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,]\d{1,3})?\s*-->")
_TAG = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]*)>|<[^>]*>")


def _from_cues(path: Path) -> Transcript:
    text, notes = decode(path.read_bytes())
    pages = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = block.strip("\n").split("\n")
        at = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if at is None:
            continue
        m = _CUE_TIME.search(lines[at])
        if not m:
            notes.append(f"a cue time '{lines[at].strip()[:40]}' could not be read: cue skipped")
            continue
        h, mi, s = int(m.group(1) or 0), int(m.group(2)), int(m.group(3))
        secs = h * 3600 + mi * 60 + s
        words = _TAG.sub(lambda t: (t.group(1) + ": ") if t.group(1) else "", "\n".join(lines[at + 1:]))
        label = f"{h}:{mi:02d}:{s:02d}" if h else f"{mi:02d}:{s:02d}"
        pages.append(Page(label, _strip_furniture([words])[0], secs // 60))
    if not pages:
        raise TranscriptError("no cues found (a cue is a line '00:01:02.000 --> 00:01:05.000' and its text)")
    return Transcript(path, tuple(pages), "cue times", 0, True, tuple(notes))


# ---------------------------------------------------------------------------- furniture

# A speaker label at a line start: one to three capitalised words or a code, then a colon.
_SPEAKER = re.compile(r"^[ \t]*(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])]?[ \t]+)?"
                      r"(?:(?:[A-Z][\w.'’-]*|\d+)(?:[ \t]+(?:[A-Z][\w.'’-]*|\d+)){0,2})[ \t]*:[ \t]+", re.M)
_TIMESTAMP_LINE = re.compile(r"^[ \t]*[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])]?[ \t]*", re.M)
_PAGE_NUMBER_LINE = re.compile(r"^[ \t]*(?:[-–—(\[]?[ \t]*(?:page[ \t]+)?\d{1,5}(?:[ \t]+of[ \t]+\d+)?[ \t]*[-–—)\]]?)[ \t]*$",
                               re.I | re.M)
_LINE_NUMBER = re.compile(r"^([ \t]*)(\d{1,5})(?=[ \t]+\S)", re.M)


def _blank(m: re.Match) -> str:
    """Keep offsets: what is removed becomes spaces."""
    return re.sub(r"[^\n]", " ", m.group())


def _strip_furniture(texts: list[str]) -> list[str]:
    out = []
    for t in texts:
        lines = [ln for ln in t.split("\n") if ln.strip()]
        numbered = sum(1 for ln in lines if _LINE_NUMBER.match(ln))
        if lines and numbered >= 0.6 * len(lines) and len(lines) >= 5:  # line numbers in the margin
            t = _LINE_NUMBER.sub(lambda m: m.group(1) + " " * len(m.group(2)), t)
        t = _PAGE_NUMBER_LINE.sub(_blank, t)
        t = _SPEAKER.sub(_blank, t)
        t = _TIMESTAMP_LINE.sub(_blank, t)
        out.append(t)
    return _strip_running_lines(out)


def _strip_running_lines(texts: list[str]) -> list[str]:
    """Drop a header or footer line repeated (digits aside) at the top or bottom of most pages."""
    if len(texts) < 3:
        return texts
    counts: dict[str, int] = {}
    for t in texts:
        lines = [ln.strip() for ln in t.split("\n") if ln.strip()]
        for ln in {*lines[:2], *lines[-2:]}:
            key = re.sub(r"\d+", "#", ln)
            counts[key] = counts.get(key, 0) + 1
    running = {k for k, c in counts.items() if c >= max(3, len(texts) // 2 + 1)}
    if not running:
        return texts
    out = []
    for t in texts:
        lines = t.split("\n")
        filled = [i for i, ln in enumerate(lines) if ln.strip()]
        edge = set(filled[:2] + filled[-2:])  # only a page's first and last lines can be furniture
        out.append("\n".join(" " * len(ln) if i in edge and re.sub(r"\d+", "#", ln.strip()) in running else ln
                              for i, ln in enumerate(lines)))
    return out


def _finish(path: Path, pages: list[tuple[str, str]], method: str, notes: Optional[list[str]] = None) -> Transcript:
    texts = _strip_furniture([t for _, t in pages])
    return Transcript(path, tuple(Page(label, t) for (label, _), t in zip(pages, texts)), method, 0, False,
                      tuple(notes or ()))
