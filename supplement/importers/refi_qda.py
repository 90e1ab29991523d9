"""REFI-QDA (QDA-XML) projects and codebooks: ``.qdpx``, bare ``.qde`` and ``.qdc``.

The exchange standard of NVivo, ATLAS.ti, MAXQDA, QualCoder and others. Codes
(nested) become the code tree; ``PlainTextSelection`` elements with their codings
become segments, cut from the source text by ``startPosition``/``endPosition``
(code points, first 0, end exclusive); cases and their variables become
participants. Real files depart from the standard in known ways; each is a warning
with its place, never a failure: any ``.qde`` name, a ``Sources/`` folder,
namespace spellings (``:1.0``, ``:1:0``, ``:0:4``), GUIDs that are not GUIDs,
invalid colours, an empty NVivo ``.txt`` whose text is only in the ``.docx`` beside
it, a BOM, and line breaks counted as one character or two.
"""

from __future__ import annotations

import io
import re
from pathlib import Path, PurePosixPath

from supplement.diagnostics import Pos, Report
from supplement.study.model import Pages

from .outline import Case, Code, Project, Segment
from .safety import MAX_MEMBER, SafeZip, child, children, fail, local, parse_xml

NAMESPACES = {"Project": "urn:QDA-XML:project:1.0", "CodeBook": "urn:QDA-XML:codebook:1.0"}
GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
PAGE_MARK = re.compile(r"^[ \t]*(?:\[\s*(?:page|p\.)\s*(\d{1,5})\s*\]|-{2,}\s*page\s+(\d{1,5})\s*-{2,}|page\s+(\d{1,5}))[ \t]*$",
                       re.I | re.M)


class _Archive:
    """Where a project's files come from: a .qdpx zip, or the folder of a bare .qde."""

    def __init__(self, path: str, zf: SafeZip | None):
        self.path, self.zf = path, zf

    def source_file(self, ref: str, where: Pos, report: Report) -> tuple[bytes | None, str]:
        """The bytes of an ``internal://`` file (from ``sources/`` or ``Sources/``)."""
        m = re.match(r"(internal|relative|absolute)://(.*)", ref.strip())
        scheme, name = (m.group(1), m.group(2)) if m else ("internal", ref.strip())
        if not m:
            report.warning(where, f"path '{ref}' has no internal:// prefix; read as an internal file")
        name = PurePosixPath(name).name  # never a path: no way out of the export's folder
        if scheme == "internal" and self.zf is None:  # a bare .qde: its unpacked sources/ beside it
            for folder in ("sources", "Sources"):
                f = Path(self.path).parent / folder / name
                if name and f.is_file() and f.stat().st_size <= MAX_MEMBER:
                    return f.read_bytes(), f"{folder}/{name}"
        if scheme != "internal" or self.zf is None:
            report.warning(where, f"source text '{ref}' is outside the export and was not read",
                           "export the project with its sources embedded (a .qdpx with sources/)")
            return None, ""
        for folder in ("sources/", "Sources/", ""):
            hit = self.zf.find(folder + name)
            if hit:
                if hit.split("/")[0] not in ("sources",) and "/" in hit:
                    report.warning(where, f"source files are in '{hit.split('/')[0]}/' (the standard says sources/)")
                return self.zf.read(hit), hit
        report.warning(where, f"'{name}' is not in the archive's sources/ folder",
                       "the export is incomplete; its selections are imported without text")
        return None, ""


def read(path: str) -> Project:
    """A REFI-QDA project or codebook as a ``Project``; SourceError for an unreadable file."""
    p = Path(path)
    head = p.read_bytes()[:4]
    if head.startswith(b"PK"):
        zf = SafeZip(path)
        try:
            return _from_zip(path, zf)
        finally:
            zf.close()
    data = p.read_bytes()
    return _from_xml(data, path, _Archive(path, None))


def _from_zip(path: str, zf: SafeZip) -> Project:
    qdes = sorted((n for n in zf.names() if n.casefold().endswith(".qde")), key=lambda n: (n.count("/"), n))
    if not qdes:
        raise fail(Pos(path), "the archive holds no .qde project file",
                   "a .qdpx export holds one .qde file and a sources/ folder; is this a REFI-QDA export?")
    project = _from_xml(zf.read(qdes[0]), f"{path}!{qdes[0]}", _Archive(path, zf))
    if qdes[0] != "project.qde":
        project.report.warning(Pos(path), f"the project file is named '{qdes[0]}' (the standard says project.qde); read it")
    if len(qdes) > 1:
        project.report.warning(Pos(path), f"the archive holds {len(qdes)} .qde files; read '{qdes[0]}'")
    return project


def _pos(where: str, el) -> Pos:
    return Pos(where, el.sourceline or 0, 1 if el.sourceline else 0)


def _from_xml(data: bytes, where: str, archive: _Archive) -> Project:
    root = parse_xml(data, where)
    kind = local(root.tag)
    if kind not in NAMESPACES:
        raise fail(_pos(where, root), f"the root element is <{kind}>, not <Project> or <CodeBook>",
                   "this is not a REFI-QDA project (.qdpx/.qde) or codebook (.qdc)")
    project = Project(title=root.get("name", "") or Path(archive.path).stem, origin=root.get("origin", ""),
                      file=archive.path)
    r = project.report
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if ns != NAMESPACES[kind]:
        r.warning(_pos(where, root), f"namespace '{ns or '(none)'}' instead of '{NAMESPACES[kind]}'; read as version 1.0")
    book = root if kind == "CodeBook" else child(root, "CodeBook")
    codes_el = child(book, "Codes") if book is not None else None
    checks = _Checks(where, r)
    if codes_el is not None:
        project.codes = [_code(c, where, checks) for c in children(codes_el, "Code")]
    if project.codes and not any(c.children for c in project.codes) and any("\\" in c.name for c in project.codes):
        project.codes = _nest_paths(project.codes)
        project.review.append("the codebook is flat with 'parent\\child' names (as Taguette writes it); "
                              "nested by those names")
    checks.summarise()
    if book is not None and child(book, "Sets") is not None and len(child(book, "Sets")):
        project.review.append("code groups (Sets) are not imported; group themes by hand if you need them")
    if kind == "Project":
        _ProjectReader(root, where, archive, project, checks).read(root)
        sets = child(root, "Sets")
        if sets is not None and len(sets):
            project.review.append("sets in the project are not imported")
    return project


class _Checks:
    """Warnings that repeat (non-GUIDs, colours) are located once each, up to a few, then counted."""

    LIMIT = 5

    def __init__(self, where: str, report: Report):
        self.where, self.report = where, report
        self.counts: dict[str, int] = {}
        self.guids: set[str] = set()
        self.crlf: dict[str, list[str]] = {}  # how CRLF was counted -> sources read so

    def warn(self, kind: str, el, message: str, hint: str = "") -> None:
        n = self.counts[kind] = self.counts.get(kind, 0) + 1
        if n <= self.LIMIT:
            self.report.warning(_pos(self.where, el), message, hint)

    def guid(self, el, what: str) -> str:
        g = (el.get("guid") or "").strip()
        if not g:
            self.warn("noguid", el, f"{what} without a guid; an id was made up")
            g = f"anon-{id(el)}"
        elif not GUID.fullmatch(g):
            self.warn("guid", el, f"{what} guid '{g[:40]}' is not a GUID; used as it is")
        if g in self.guids:
            self.warn("dupguid", el, f"{what} guid '{g[:40]}' is used twice; the second is renamed")
            g = f"{g}-{len(self.guids)}"
        self.guids.add(g)
        return g

    def summarise(self) -> None:
        for kind, n in self.counts.items():
            if n > self.LIMIT:
                self.report.warning(Pos(self.where), f"{n - self.LIMIT} more warnings like the above ({kind})")
        self.counts.clear()


def _text(el, name: str) -> str:
    c = child(el, name)
    return (c.text or "") if c is not None else ""


def _code(el, where: str, checks: _Checks) -> Code:
    key = checks.guid(el, "code")
    colour = el.get("color")
    if colour is not None and not COLOUR.fullmatch(colour.strip()):
        checks.warn("colour", el, f"code colour '{colour[:20]}' is not #RRGGBB; ignored (colours are not used)")
    name = (el.get("name") or "").strip()
    if not name:
        checks.warn("noname", el, "a code without a name; called 'Unnamed code'")
        name = "Unnamed code"
    codable = (el.get("isCodable") or "true").strip().lower() != "false"
    return Code(key=key, name=name, description=_text(el, "Description"), codable=codable,
                children=[_code(c, where, checks) for c in children(el, "Code")], pos=_pos(where, el))


def _nest_paths(flat: list[Code]) -> list[Code]:
    """Codes named 'a\\b' become b under a (a made up where it is missing)."""
    roots: list[Code] = []
    by_path: dict[str, Code] = {}
    for c in flat:
        parts = [p.strip() for p in c.name.split("\\") if p.strip()] or [c.name]
        parent = None
        for i, name in enumerate(parts):
            path = "\\".join(parts[:i + 1]).casefold()
            node = by_path.get(path)
            if node is None:
                node = c if i == len(parts) - 1 else Code(key=f"path:{path}", name=name, pos=c.pos)
                by_path[path] = node
                (parent.children if parent else roots).append(node)
            elif i == len(parts) - 1:  # declared after its children: keep its own guid and description
                node.key, node.description = c.key, c.description
            if node is c:
                c.name = name
            parent = node
    return roots


class _ProjectReader:
    """The parts of a <Project> after its codebook: variables, notes, cases, sources and their
    coded selections."""

    def __init__(self, root, where: str, archive: _Archive, project: Project, checks: _Checks):
        self.where, self.archive, self.project, self.checks = where, archive, project, checks
        self.r = project.report
        self.codes: dict[str, Code] = {}

        def index(cs):
            for c in cs:
                self.codes[c.key] = c
                index(c.children)
        index(project.codes)
        self.variables = {(v.get("guid") or "").strip(): (v.get("name") or "").strip() or "Variable"
                          for v in _all(root, "Variables", "Variable")}
        self.notes = {(n.get("guid") or "").strip(): _text(n, "PlainTextContent") or (n.get("name") or "")
                      for n in _all(root, "Notes", "Note")}
        self.speaker_of: dict[str, str] = {}
        self.source_cases: dict[str, list[str]] = {}

    def read(self, root) -> None:
        project = self.project
        for c in _all(root, "Cases", "Case"):
            key = self.checks.guid(c, "case")
            project.cases[key] = Case(key, (c.get("name") or "").strip() or f"Case {len(project.cases) + 1}",
                                      _values(c, self.variables, self.where, self.r))
            for ref in children(c, "SourceRef"):
                self.source_cases.setdefault((ref.get("targetGUID") or "").strip(), []).append(key)
            for ref in children(c, "SelectionRef"):
                self.speaker_of[(ref.get("targetGUID") or "").strip()] = key
        skipped: dict[str, int] = {}
        sources_el = child(root, "Sources")
        for s in list(sources_el) if sources_el is not None else []:
            kind = local(s.tag)
            rep = child(s, "Representation") if kind == "PDFSource" else None
            if rep is not None:
                self.text_source(rep, name=s.get("name"), key=s.get("guid"))
            elif kind == "TextSource":
                self.text_source(s)
            elif kind:
                skipped[kind] = skipped.get(kind, 0) + 1
        for how, names in self.checks.crlf.items():
            shown = ", ".join(f"'{x}'" for x in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            self.r.warning(Pos(self.where), f"{len(names)} source(s) have CRLF line breaks ({shown}); positions "
                                            f"read with {how}, which fits their selections best",
                           "check the first and last words of quotes from these sources")
        for kind, n in skipped.items():
            self.r.warning(Pos(self.where), f"{n} {kind} source(s) not imported (only text and PDF text is)",
                           "quotes from audio, video or pictures need a transcript in the tool")
        if not project.cases:  # MAXQDA puts attributes on documents: each such document a participant
            for key, doc in project.documents.items():
                if doc.values:
                    project.cases[key] = Case(key, doc.name, doc.values)
                    doc.cases.append(key)
            if project.cases:
                project.review.append("participants were made from documents that carry variables "
                                      "(one per document)")
        project.variables = list(dict.fromkeys(name for c in project.cases.values() for name, _ in c.values))
        self.checks.summarise()

    def source_text(self, s, name: str) -> str | None:
        """The source's text: inline, from its .txt, or (NVivo) from the .docx beside an empty .txt."""
        pos, text = _pos(self.where, s), None
        inline = child(s, "PlainTextContent")
        if inline is not None:
            text = inline.text or ""
        elif s.get("plainTextPath"):
            data, member = self.archive.source_file(s.get("plainTextPath"), pos, self.r)
            if data is not None:
                text = _decode(data, f"{self.archive.path}!{member}", self.r)
        rich = s.get("richTextPath") or ""
        if (text is None or not text.strip()) and rich.lower().endswith(".docx"):
            data, member = self.archive.source_file(rich, pos, Report())
            if data is not None:
                try:
                    text = _docx_text(data)
                    self.r.warning(pos, f"source '{name}': the plain text is empty; the text was taken from {member}",
                                   "NVivo exports do this; check that the quotes start and end where you coded them")
                except Exception as e:  # a broken .docx: say so, keep going
                    self.r.warning(pos, f"source '{name}': could not read {member} ({type(e).__name__})")
        if text is not None and text.startswith("\ufeff"):
            text = text[1:]
        return text

    def text_source(self, s, name=None, key=None) -> None:
        project, checks, r = self.project, self.checks, self.r
        key = (key or "").strip() or checks.guid(s, "source")
        name = (name or s.get("name") or "").strip() or f"Document {len(project.documents) + 1}"
        doc = project.document(key, name)
        doc.cases.extend(self.source_cases.get(key, []))
        doc.values = _values(s, self.variables, self.where, r)  # MAXQDA, Quirkos: attributes on the document
        pos = _pos(self.where, s)
        text = self.source_text(s, name)
        selections = children(s, "PlainTextSelection")
        if text is None:
            if selections:
                r.warning(pos, f"source '{name}' has no text; its {len(selections)} selection(s) are not imported")
            return
        if children(s, "Coding"):
            r.warning(pos, f"source '{name}' is coded as a whole; such codings are not quotes and are skipped")
        variants = _line_break_variants(text)
        how, body = _choose_variant(variants, selections) if len(variants) > 1 else variants[0]
        if len(variants) > 1 and selections:
            checks.crlf.setdefault(how, []).append(name)
        marks = _page_marks(body)
        for sel in selections:
            self.selection(sel, body, key, name, marks)

    def selection(self, sel, body: str, key: str, name: str, marks) -> None:
        spos, checks = _pos(self.where, sel), self.checks
        try:
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            checks.warn("position", sel, "a selection without numeric startPosition/endPosition; skipped")
            return
        if not 0 <= a < b <= len(body):
            checks.warn("outside", sel, f"selection {a}-{b} lies outside source '{name}' ({len(body)} characters); "
                                        "skipped", "the source text in the export does not match the coded positions")
            return
        sel_codes = []
        for coding in children(sel, "Coding"):
            ref = child(coding, "CodeRef")
            target = (ref.get("targetGUID") or "").strip() if ref is not None else ""
            if target in self.codes:
                sel_codes.append(target)
            else:
                checks.warn("nocode", coding, f"a coding refers to code '{target[:40]}', which is not in the "
                                              "codebook; skipped")
        if not sel_codes:
            return
        guid = (sel.get("guid") or "").strip()
        memo = " ".join(filter(None, [_text(sel, "Description")] + [
            self.notes.get((n.get("targetGUID") or "").strip(), "") for n in children(sel, "NoteRef")]))
        self.project.segments.append(Segment(text=body[a:b], codes=sel_codes, document=key, guid=guid or None,
                                             speaker=self.speaker_of.get(guid), memo=memo,
                                             pages=_pages(marks, a, b), pos=spos))


def _all(root, folder: str, name: str):
    el = child(root, folder)
    return children(el, name) if el is not None else []


def _values(el, variables: dict, where: str, r: Report) -> list[tuple[str, str]]:
    out = []
    for vv in children(el, "VariableValue"):
        ref = child(vv, "VariableRef")
        name = variables.get((ref.get("targetGUID") or "").strip()) if ref is not None else None
        if name is None:
            r.warning(_pos(where, vv), "a variable value refers to no declared variable; skipped")
            continue
        value = ""
        for c in vv:
            if local(c.tag).endswith("Value") and local(c.tag) != "VariableValue":
                value = (c.text or "").strip()
        out.append((name, value))
    return out


def _decode(data: bytes, where: str, r: Report) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        r.warning(Pos(where), f"source text is not UTF-8 (byte {e.start}); read as Windows-1252",
                  "check accented letters in the quotes")
        return data.decode("cp1252", errors="replace")


def _docx_text(data: bytes) -> str:
    import docx
    d = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in d.paragraphs)


def _line_break_variants(text: str) -> list[tuple[str, str]]:
    if "\r\n" not in text:
        return [("as written", text)]
    return [("CRLF as two characters", text), ("CRLF as one character", text.replace("\r\n", "\n"))]


def _choose_variant(variants, selections):
    """Which counting of line breaks makes the selections fit: their names (tools often name a
    selection by its first words), then whether both ends fall on word boundaries."""
    scores = [0] * len(variants)
    for sel in selections[:200]:  # enough to tell; a large project need not be read twice
        try:
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            continue
        hint = " ".join((sel.get("name") or "").split())[:30]
        for i, (_, t) in enumerate(variants):
            if not 0 <= a < b <= len(t):
                scores[i] -= 3
                continue
            cut = " ".join(t[a:b].split())
            if hint and len(hint) >= 4:
                scores[i] += 3 if cut.startswith(hint) else 0
            scores[i] += _boundary(t, a) + _boundary(t, b)
    best = max(range(len(variants)), key=lambda i: (scores[i], -i))
    return variants[best]


def _boundary(t: str, i: int) -> int:
    if i <= 0 or i >= len(t):
        return 1
    return 0 if (t[i - 1].isalnum() and t[i].isalnum()) else 1


def _page_marks(text: str) -> list[tuple[int, int]]:
    """(offset, page) where a page starts: form feeds, or lines such as [Page 3] / Page 3."""
    marks = [(m.end(), int(next(g for g in m.groups() if g))) for m in PAGE_MARK.finditer(text)]
    if marks:
        return marks
    ff = [i for i, c in enumerate(text) if c == "\f"]
    if ff:
        return [(0, 1)] + [(i + 1, n) for n, i in enumerate(ff, 2)]
    return []


def _pages(marks, a: int, b: int):
    if not marks:
        return None

    def page(i):
        n = None
        for off, p in marks:
            if off <= i:
                n = p
            else:
                break
        return n if n is not None else max(marks[0][1] - 1, 1)
    first, last = page(a), page(max(a, b - 1))
    return Pages(first, max(first, last))
