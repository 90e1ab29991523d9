"""What every QDA export boils down to, and how it becomes a source.

Each reader (REFI-QDA, coded-segment tables) fills a ``Project``: a code tree, the
coded segments (text, codes, document, speaker), the documents and the cases.
``assemble`` turns it into the typed model ``Supplement``: codes at the chosen
levels become themes and subthemes, deeper codes fold into findings, each coded
segment becomes a quote cited from its document, cases become participants. What
the author should look at is said twice: as a ``comment`` on the node (printed in
the source) and in the ``review`` list the command prints.
"""

from __future__ import annotations

import re
from typing import Optional

from supplement.diagnostics import Pos, Report
from supplement.records import Struct, field
from supplement.study.model import (Cite, Column, Finding, Pages, Participant, Participants, Quote,
                                    Source, Study, Subtheme, Supplement, Theme)

MOJIBAKE = re.compile("â€|Ã[\u0080-\u00bf]|Â[\u00a0-\u00bf]")
ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")


class Code(Struct):
    key: str                      # unique within the project (a GUID, or the code's path)
    name: str
    description: str = ""
    codable: bool = True
    children: list["Code"] = field(default_factory=list)
    pos: Optional[Pos] = None


class Segment(Struct):
    text: str
    codes: list[str]              # code keys
    document: str                 # document key
    guid: Optional[str] = None    # the tool's id of the selection
    speaker: Optional[str] = None  # case key
    memo: str = ""
    pages: Optional[Pages] = None
    pos: Optional[Pos] = None
    comment: Optional[str] = None


class Document(Struct):
    key: str
    name: str
    cases: list[str] = field(default_factory=list)  # case keys
    values: list[tuple[str, str]] = field(default_factory=list)  # variables set on the document itself


class Case(Struct):
    key: str
    name: str
    values: list[tuple[str, str]] = field(default_factory=list)  # (variable name, value)


class Project(Struct):
    title: str
    origin: str
    file: str
    codes: list[Code] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    variables: list[str] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    review: list[str] = field(default_factory=list)

    def document(self, key: str, name: str | None = None) -> Document:
        if key not in self.documents:
            self.documents[key] = Document(key, name or key)
        return self.documents[key]


class Levels(Struct, frozen=True):
    """Which depths of the code tree become themes and subthemes (1 = top)."""

    theme: int = 1
    subtheme: Optional[int] = 2

    @classmethod
    def parse(cls, text: str) -> "Levels":
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts or len(parts) > 2 or not all(p.isdigit() and int(p) >= 1 for p in parts):
            raise ValueError(f"'{text}' is not one or two levels such as 1,2 or 2,3 or 1")
        t = int(parts[0])
        s = int(parts[1]) if len(parts) > 1 else None
        if s is not None and s <= t:
            raise ValueError(f"the subtheme level ({s}) must be deeper than the theme level ({t})")
        return cls(t, s)


def slug(text: str, fallback: str = "x") -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40].strip("-")
    if not s or not s[0].isalpha():
        s = f"{fallback}-{s}" if s else fallback
    return s


class Ids:
    """Unique ids from names: 'Elements of Disease' -> elements-of-disease, then -2, -3 …"""

    def __init__(self):
        self.used: set[str] = set()

    def make(self, name: str, fallback: str = "x") -> str:
        base = slug(name, fallback)
        out, n = base, 2
        while out.casefold() in self.used:
            out, n = f"{base}-{n}", n + 1
        self.used.add(out.casefold())
        return out


def quote_id(guid: str | None) -> str | None:
    """A tool's GUID kept as the quote id (prefixed where it does not start with a letter)."""
    if not guid:
        return None
    g = re.sub(r"[^A-Za-z0-9_.-]", "-", guid.strip())[:62]
    if not g:
        return None
    return g if ID_RE.fullmatch(g) else "q" + g


def clean(text: str) -> str:
    return " ".join(text.split())


def document_label(name: str) -> str:
    base = re.sub(r"\.(txt|docx?|pdf|rtf|html?|odt|vtt|srt|md)$", "", name.strip(), flags=re.I)
    return clean(base) or name


def document_kind(label: str) -> str:
    low = label.casefold()
    if "focus" in low or re.search(r"\bfg\b", low):
        return "focus group"
    if "interview" in low or re.search(r"\bint\b", low):
        return "interview"
    return "transcript"


def assemble(project: Project, levels: Levels = Levels()) -> Supplement:
    """The project as a source model: themes, subthemes, findings and quotes."""
    return _Assembler(project, levels).supplement()


class _Assembler:
    def __init__(self, project: Project, levels: Levels):
        self.p, self.levels = project, levels
        self.review, self.report = project.review, project.report
        part_ids = Ids()
        self.case_id = {key: part_ids.make(c.name, "p") for key, c in project.cases.items()}
        self.by_code: dict[str, list[Segment]] = {}
        for seg in project.segments:
            for c in seg.codes:
                self.by_code.setdefault(c, []).append(seg)
        self.label_of: dict[str, str] = {}
        self.folded: list[str] = []
        self.block_ids = Ids()

    def supplement(self) -> Supplement:
        sources = self.sources()
        multi = sum(1 for s in self.p.segments if len(s.codes) > 1)
        if multi:
            self.review.append(f"{multi} segment(s) carry more than one code and appear under each; "
                               "`supplement check` reports them as repeated quotes")
        themes = self.themes()
        if self.folded:
            self.review.append(f"{len(self.folded)} code(s) deeper than the subtheme level were folded into "
                               f"findings (e.g. '{self.folded[0]}'); choose other levels with --levels")
        if not themes:
            self.report.error(Pos(self.p.file), "nothing to import: the export holds no codes",
                              "export the project with its codebook, or map a code column with --columns")
        title = clean(self.p.title) or "Untitled study"
        study = Study(title=title, comment=f"imported from {self.p.origin or 'a QDA export'}; "
                                           "the title is the project's name: write the article's title")
        return Supplement(study=study, sources=sources, themes=themes, participants=self.participants(),
                          comment=f"imported by `supplement import` from {self.p.file}")

    # ---- documents -> sources
    def sources(self) -> tuple[Source, ...]:
        ids, out = Ids(), []
        cited = {s.document for s in self.p.segments}
        for doc in self.p.documents.values():
            label = document_label(doc.name)
            self.label_of[doc.key] = label
            out.append(Source(id=ids.make(label, "s"), kind=document_kind(label), label=label,
                              participants=tuple(self.case_id[c] for c in doc.cases if c in self.case_id),
                              comment=None if doc.key in cited else "no coded segment cites this document"))
        if not out:  # a codebook: no documents yet, but a source needs one
            out.append(Source(id="transcripts", kind="transcript",
                              comment="the export names no documents: list the transcripts quotes come from"))
            self.review.append("sources: the export holds no documents; list your transcripts under sources")
        elif any(s.kind == "transcript" for s in out):
            self.review.append("source kinds: documents whose name does not say interview or focus group have "
                               "kind 'transcript'; set each source's kind")
        return tuple(out)

    # ---- segments -> quotes, codes -> findings
    def quotes_of(self, code: Code) -> tuple[Quote, ...]:
        out = []
        for seg in self.by_code.get(code.key, ()):
            text = clean(seg.text)
            where = seg.pos or Pos(self.p.file)
            if not text:
                self.report.warning(where, "a coded segment has no text; skipped",
                                    "code the text again in the tool, or delete the empty coding")
                continue
            notes = [seg.comment] if seg.comment else []
            if MOJIBAKE.search(text):
                notes.append("the text looks decoded with the wrong encoding (e.g. 'â€”' for '—'): check it")
                self.report.warning(where, f"quote '{text[:40]}' looks decoded with the wrong encoding",
                                    "the tool read the transcript as Windows-1252; re-upload it as UTF-8 "
                                    "(an HTML file needs <meta charset=\"utf-8\">)")
            if seg.memo.strip():
                notes.append(f"memo: {clean(seg.memo)}")
            out.append(Quote(text=text, cite=Cite(source=self.label_of.get(seg.document, seg.document),
                                                  pages=seg.pages),
                             speaker=self.case_id.get(seg.speaker) if seg.speaker else None,
                             id=quote_id(seg.guid), comment="; ".join(notes) or None))
        return tuple(out)

    def finding(self, code: Code, path: str = "") -> Finding:
        name = path or code.name
        desc = clean(code.description)
        if desc:
            text, comment = desc, f"finding text is the description of code '{name}'; rewrite it as a finding"
        else:
            text, comment = clean(name), f"code '{name}' has no description: write the finding"
        return Finding(text=text, quotes=self.quotes_of(code), comment=comment)

    def block_findings(self, code: Code, deepest: bool) -> tuple[Finding, ...]:
        """The block's own finding (if coded), then, at the deepest level, one finding per deeper
        code (folded); never empty at the deepest level."""
        out = [self.finding(code)] if code.key in self.by_code else []
        if deepest:
            def fold(c: Code, path: str):
                p = f"{path} > {c.name}"
                self.folded.append(p)
                if c.key in self.by_code or not self.p.segments:  # a codebook keeps every code
                    out.append(self.finding(c, p))
                for g in c.children:
                    fold(g, p)
            for ch in code.children:
                fold(ch, code.name)
            if not out:
                out.append(self.finding(code))
        return tuple(out)

    def at_depth(self, codes: list[Code], depth: int, want: int, above: str = ""):
        """(code, its ancestors' names) at depth ``want``; coded codes above it are reported."""
        for c in codes:
            if depth == want:
                yield c, above
                continue
            if c.key in self.by_code:
                self.report.warning(c.pos or Pos(self.p.file),
                                    f"code '{c.name}' sits above the theme level and has "
                                    f"{len(self.by_code[c.key])} segment(s); they are not imported",
                                    "choose --levels so that this code is a theme")
            yield from self.at_depth(c.children, depth + 1, want, f"{above}{c.name} > ")

    def themes(self) -> tuple[Theme, ...]:
        lv, out = self.levels, []
        for code, above in self.at_depth(self.p.codes, 1, lv.theme):
            subs = []
            if lv.subtheme is not None:
                for sc, _ in self.at_depth(code.children, lv.theme + 1, lv.subtheme):
                    subs.append(Subtheme(id=self.block_ids.make(sc.name, "t"), title=clean(sc.name),
                                         findings=self.block_findings(sc, True)))
                own = self.block_findings(code, False)
                if not own and not subs:
                    own = (self.finding(code),)
            else:
                own = self.block_findings(code, True)
            notes = [f"under '{above[:-3]}' in the code tree" if above else None,
                     None if code.codable else "a folder in the tool (not codable)"]
            desc = clean(code.description)
            if desc and not any(f.text == desc for f in own):
                notes.append(f"code description: {desc}")
            out.append(Theme(id=self.block_ids.make(code.name, "t"), title=clean(code.name), findings=own,
                             subthemes=tuple(subs), comment="; ".join(filter(None, notes)) or None))
        return tuple(out)

    # ---- cases -> participants
    def participants(self) -> Optional[Participants]:
        if not self.p.cases:
            return None
        var_ids = Ids()
        var_ids.used.update(("id", "code"))  # keys a participant row reserves
        keys = {v: var_ids.make(v, "v").replace("-", "_") for v in self.p.variables}
        columns = [Column(key=keys[v], label=clean(v) or v) for v in self.p.variables]
        rows = []
        for key, c in self.p.cases.items():
            cells = {keys[v]: clean(val) for v, val in c.values if v in keys and clean(val)}
            if not columns:
                cells = {"name": clean(c.name)}
            pid = self.case_id[key]
            rows.append(Participant(id=pid, cells=tuple(cells.items()),
                                    comment=f"case '{c.name}'" if pid != slug(c.name, "p") else None))
        if not columns:
            columns = [Column(key="name", label="Case")]
            self.review.append("participants: the cases have no variables; the table shows case names — "
                               "replace them with the characteristics you report")
        return Participants(caption="Characteristics of the {participants} participants.",
                            columns=tuple(columns), rows=tuple(rows),
                            comment="from the project's cases; check the caption and columns")
