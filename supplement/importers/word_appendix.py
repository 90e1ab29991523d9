"""Word appendices (.docx): theme tables and participant tables back into a source.

Reads the tables authors make by hand and the ones this project builds: a theme
table has a theme (or subtheme) column, a findings column and a quotes column —
one row per finding with its quotes as paragraphs, or one row per quote with the
finding merged down or left empty, headings in their own row across the table or in
the first column. Quotes lose their outer quotation marks; the citation after a
quote is parsed in every spelling the citation grammar knows (``[6]``,
``[Non-Op 1, 2]``, ``(Non Op 1,3)``); a bracket after the citation is an editorial
note. A participant table (a number column, then characteristics) gives the
participants; symbols typed after a value ("Neurosurgery*") become marks, explained
by the note below the table ("* denotes international training").

Every problem names the table, row and cell.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from supplement.diagnostics import Pos, Report
from supplement.reader.cite import parse_shorthand, source_key
from supplement.records import Struct, field, replace
from supplement.study.model import (Cite, Column, Finding, Headers, Mark, Pages, Participant, Participants,
                                    Quote, Source, Study, Subtheme, Supplement, Theme, ThemeTableSettings)
from supplement.study.repeats import mark_repeats

from .outline import Ids, clean, document_kind
from .safety import SafeZip, fail

MARK_SYMBOLS = "*†‡§‖¶#"
ROMAN = re.compile(r"(?=[IVXLC])(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
HEADING = re.compile(r"^\s*(?:(?:theme|subtheme)\s+)?([IVXLC]+|[A-Z]|\d+)(?:\.\d+)?[.):]\s+(.+)$", re.I)
LABEL = re.compile(r"^\s*(?:(?:supplementary|supplemental|online)\s+)?(?:appendix|e?table|s\d+\s+table|table\s+s\d+)"
                   r"\s*[A-Za-z]?\d*[.:]?\s+", re.I)
OPEN_Q, CLOSE_Q = "“\"‘«„", "”\"’»“"
_PAGE_WORD = re.compile(r"(^|[\s,])pp?\.?\s+(?=\d)")
# what a style prints for a source cited by page only ('{Kind}, p 6'): such a name is no label
KINDS = ("focus group", "interview", "field notes", "observation", "transcript", "survey", "workshop")


class _Block(Struct):
    title: str
    level: int                     # 0 theme, 1 subtheme
    findings: list = field(default_factory=list)   # [text, [quotes], comment]
    subthemes: list = field(default_factory=list)
    comment: Optional[str] = None


def _roman(s: str) -> int:
    vals = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, ch in enumerate(s):
        v = vals[ch]
        total += -v if i + 1 < len(s) and vals[s[i + 1]] > v else v
    return total


_TAIL = re.compile(r"\s*(\[[^\[\]]*\]|\([^()]*\))")


def _groups(tail: str) -> Optional[list[str]]:
    """'[6] [note]' -> ['6', 'note']; None when the tail is not only bracket groups."""
    out, i = [], 0
    while i < len(tail.rstrip()):
        m = _TAIL.match(tail, i)
        if not m:
            return None
        out.append(m.group(1)[1:-1].strip())
        i = m.end()
    return out


def split_quote(text: str) -> tuple[str, Optional[str], Optional[str]]:
    """'“words.” [Non-Op 1, 2] [note]' -> ('words.', 'Non-Op 1, 2', 'note'). The quote ends at
    the last closing quotation mark that only bracket groups follow; without quotation
    marks, a trailing group that reads as a citation is the citation."""
    s = text.strip()
    q, groups = s, []
    for m in reversed(list(re.finditer(r"[”\"]", s))):
        g = _groups(s[m.end():])
        if g is not None and len(g) <= 2:
            q, groups = s[:m.end()], g
            break
    else:
        m = re.search(r"((?:\s*(?:\[[^\[\]]*\]|\([^()]*\))){1,2})\s*$", s)
        if m:
            g = _groups(m.group(1))
            if g and any(_citation_like(x) for x in g):
                q, groups = s[:m.start()], g
    cite = note = None
    if len(groups) == 2:
        cite, note = groups if _citation_like(groups[0]) or not _citation_like(groups[1]) else groups[::-1]
    elif len(groups) == 1:
        cite = groups[0]
    q = q.strip()
    if len(q) >= 2 and q[0] in OPEN_Q and q[-1] in CLOSE_Q:
        q = q[1:-1]
    return clean(q), cite, note


def _citation_like(s: str) -> bool:
    c, err = parse_shorthand(s)
    return c is not None and (c.pages is not None or len(s) <= 30 and bool(re.search(r"\d", s)))


def read(path: str) -> tuple[Supplement, Report, list[str]]:
    SafeZip(path).close()  # names and sizes checked before python-docx reads it
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    try:
        d = docx.Document(path)
    except Exception as e:  # python-docx raises many kinds for a broken file
        raise fail(Pos(path), f"cannot read the Word file ({type(e).__name__}: {e})",
                   "open it in Word or LibreOffice and save it again as .docx") from None
    r, review = Report(), []
    items = []  # ("p", Paragraph) | ("t", Table)
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            items.append(("p", Paragraph(el, d)))
        elif tag == "tbl":
            items.append(("t", Table(el, d)))
    reader = _Reader(path, r, review)
    tables = [(i, x) for i, (k, x) in enumerate(items) if k == "t"]
    if not tables:
        raise fail(Pos(path), "the Word file holds no tables",
                   "an appendix keeps themes, findings and quotes in a table; see docs/import.md")
    for n, (i, t) in enumerate(tables, 1):
        before = _para_before(items, i)
        after = _paras_after(items, i)
        reader.table(t, n, before, after)
    return reader.result(d), r, review


def _style(p) -> str:
    try:
        return (p.style.name or "") if p.style is not None else ""
    except (KeyError, ValueError):
        return ""


def _para_before(items, i):
    for k, x in reversed(items[:i]):
        if k == "t":
            return None
        if x.text.strip():
            return x
    return None


def _paras_after(items, i):
    out = []
    for k, x in items[i + 1:]:
        if k == "t":
            break
        if x.text.strip():
            out.append(x)
    return out


def _unique(row):
    seen, out = set(), []
    for c in row.cells:
        if id(c._tc) not in seen:
            seen.add(id(c._tc))
            out.append(c)
    return out


class _Reader:
    def __init__(self, path: str, report: Report, review: list[str]):
        self.path, self.r, self.review = path, report, review
        self.blocks: list[_Block] = []
        self.participants: Optional[Participants] = None
        self.caption: Optional[str] = None
        self.headers: Optional[Headers] = None
        self.notes: list[str] = []
        self.cur_theme: Optional[_Block] = None
        self.cur_block: Optional[_Block] = None
        self.cite_sources: dict[str, str] = {}  # source_key -> label as first written
        self.page_only = False
        self.uncited = 0
        self.ours = False  # built by supplement (its paragraph styles are 'Supplement …')

    def pos(self, t: int, row: int = 0, cell: int = 0) -> Pos:
        where = f"table {t}" + (f", row {row}" if row else "") + (f", cell {cell}" if cell else "")
        return Pos(f"{self.path} ({where})")

    # ---- classification
    def table(self, t, n: int, before, after) -> None:
        rows = t.rows
        if not rows:
            return
        head = [clean(c.text) for c in _unique(rows[0])]
        low = " ".join(head).casefold()
        if any(w in low for w in ("quote", "finding", "supporting", "excerpt", "theme", "illustrative")):
            self.theme_table(t, n, head, before, after)
        elif len(head) >= 2 and len(rows) > 1:
            self.participant_table(t, n, head, before, after)
        else:
            self.r.warning(self.pos(n), "a table that is neither a theme table nor a participant table; skipped",
                           "a theme table's header names its columns (Theme, Findings, Quotes)")

    # ---- participants
    def participant_table(self, t, n, head, before, after) -> None:
        if self.participants is not None:
            self.r.warning(self.pos(n), "a second participant table; skipped")
            return
        ids = Ids()
        ids.used.update(("id", "code"))  # keys a participant row reserves
        keys = [ids.make(h or f"column {i}", "c").replace("-", "_") for i, h in enumerate(head[1:], 2)]
        columns = tuple(Column(key=k, label=h) for k, h in zip(keys, head[1:]))
        symbol_note = {}
        notes = []
        for p in after:
            txt = clean(p.text)
            if txt and txt[0] in MARK_SYMBOLS:
                sym = txt[0]
                symbol_note[sym] = re.sub(r"^[\s\-–—:=]+", "", txt[1:]).strip()
            elif _style(p).endswith("Caption") or LABEL.match(txt):
                break
            else:
                notes.append(txt)
        mark_of: dict[str, Mark] = {}
        mark_ids = Ids()
        mark_ids.used.update(k.casefold() for k in keys)
        rows = []
        pids = Ids()
        for ri, row in enumerate(t.rows[1:], 2):
            cells = [clean(c.text) for c in _unique(row)]
            if not any(cells):
                continue
            if len(cells) != len(head):
                self.r.warning(self.pos(n, ri), f"row has {len(cells)} cells, the header {len(head)}; read in order")
            number = cells[0]
            values, marks = [], []
            for ci, (key, val) in enumerate(zip(keys, cells[1:]), 2):
                while val and val[-1] in MARK_SYMBOLS:
                    sym, val = val[-1], val[:-1].rstrip()
                    if sym not in mark_of:
                        note = symbol_note.get(sym)
                        if note is None:
                            self.r.warning(self.pos(n, ri, ci), f"mark '{sym}' has no note below the table",
                                           "write its meaning in the source's participants.marks note")
                            note = "(meaning of the mark)"
                        words = "" if sym not in symbol_note else re.sub(r"^(denotes|indicates|means)\s+", "", note,
                                                                          flags=re.I)
                        words = re.sub(r"\s+(training|experience)$", "", words.strip())
                        mk = mark_ids.make(words[:30] or "mark", "mark").replace("-", "_")
                        mark_of[sym] = Mark(key=mk, column=key, note=note, symbol=sym)
                    marks.append(mark_of[sym].key)
                if val:
                    values.append((key, val))
            code = None if re.fullmatch(r"\d+[.)]?", number) else (number or None)
            pid = pids.make(code or f"p{len(rows) + 1:02d}", "p")
            rows.append(Participant(id=pid, cells=tuple(values), marks=tuple(marks), code=code))
        caption = _caption(before) or "Characteristics of the {participants} participants."
        self.participants = Participants(caption=caption, columns=columns, rows=tuple(rows),
                                         number_header=head[0] or "Participant",
                                         marks=tuple(mark_of.values()), notes=tuple(notes))

    # ---- themes
    def theme_table(self, t, n, head, before, after) -> None:
        low = [h.casefold() for h in head]

        def col(*words):
            for i, h in enumerate(low):
                if any(w in h for w in words):
                    return i
            return None
        qc = col("quote", "supporting", "excerpt", "illustrative", "text from")
        fc = col("finding")
        tc = col("theme")
        if qc is None:
            qc = len(head) - 1
        if fc is None and len(head) >= 3:
            fc = 1 if qc != 1 else None
        if tc is None:
            tc = 0 if 0 not in (qc, fc) else None
        if self.headers is None and len(head) == 3 and None not in (tc, fc):
            self.headers = Headers(theme=head[tc], findings=head[fc], quotes=head[qc])
            self.caption = _caption(before)
        elif self.caption is None:
            self.caption = _caption(before)
        for p in after:
            if _style(p).endswith("Note") or not _style(p):
                txt = clean(p.text)
                if txt and txt not in self.notes and not LABEL.match(txt):
                    self.notes.append(txt)
        prev_f = prev_t = None
        for ri, row in enumerate(t.rows[1:], 2):
            cells = _unique(row)
            texts = [clean(c.text) for c in cells]
            if [x.casefold() for x in texts] == low:
                continue  # the header repeated
            if len(cells) == 1 and len(head) > 1:  # a label row across the table
                self.headings(cells[0], n, ri)
                prev_f = prev_t = None
                continue
            full = list(row.cells)
            tcell = full[tc] if tc is not None and tc < len(full) else None
            fcell = full[fc] if fc is not None and fc < len(full) else None
            qcell = full[qc] if qc < len(full) else None
            if tcell is not None and tcell._tc is not prev_t and clean(tcell.text) and tcell is not qcell:
                self.headings(tcell, n, ri, tc + 1)
                prev_f = None
            prev_t = tcell._tc if tcell is not None else None
            if not any(clean(c.text) for c in (fcell, qcell) if c is not None and c is not tcell):
                prev_f = None
                continue  # a heading alone in its row (a theme whose findings are in its subthemes)
            if self.cur_block is None:
                self.r.warning(self.pos(n, ri), "findings before any theme; put under a theme called 'Untitled theme'")
                self.start(_Block("Untitled theme", 0))
            ftext = clean(fcell.text) if fcell is not None else ""
            same = self.cur_block.findings and self.cur_block.findings[-1][0] == ftext
            if ftext and fcell._tc is not prev_f and not same:  # not merged down, not repeated: a new finding
                self.cur_block.findings.append([ftext, [], None])
            elif not self.cur_block.findings:
                self.cur_block.findings.append(["", [], "the Word table has no finding here: write it"])
            prev_f = fcell._tc if fcell is not None else None
            if qcell is None or qcell._tc is (fcell._tc if fcell is not None else None):
                continue
            for text in _quote_paragraphs(qcell.paragraphs):
                self.quote(text, n, ri, qc + 1)

    def start(self, b: _Block) -> None:
        if b.level == 0:
            self.blocks.append(b)
            self.cur_theme = b
        else:
            if self.cur_theme is None:
                self.cur_theme = _Block("Untitled theme", 0)
                self.blocks.append(self.cur_theme)
            self.cur_theme.subthemes.append(b)
        self.cur_block = b

    def headings(self, cell, n, ri, ci=0) -> None:
        paras = [p for p in cell.paragraphs if clean(p.text)]
        self.ours = self.ours or any(_style(p).startswith("Supplement ") for p in paras)
        for k, p in enumerate(paras):
            txt = clean(p.text)
            st = _style(p).casefold()
            m = HEADING.match(txt)
            title = clean(m.group(2)) if m else txt
            if "subtheme" in st:
                level = 1
            elif "theme" in st:
                level = 0
            elif len(paras) > 1:
                level = 0 if k == 0 else 1
            elif m and ROMAN.fullmatch(m.group(1)) and self._next_theme(m.group(1)):
                level = 0
            elif m and len(m.group(1)) == 1 and m.group(1).isalpha():
                level = 1
            else:
                level = 0
            if level == 0 and self.cur_theme is not None and self.cur_theme.title == title:
                self.cur_block = self.cur_theme  # a subtheme's label repeats its theme
                continue
            if level == 1 and self.cur_theme is not None and self.cur_theme.subthemes \
                    and self.cur_theme.subthemes[-1].title == title:
                self.cur_block = self.cur_theme.subthemes[-1]
                continue
            self.start(_Block(title, level))

    def _next_theme(self, numeral: str) -> bool:
        want = len(self.blocks) + 1
        if _roman(numeral) == want:
            return True
        if len(numeral) == 1 and self.cur_theme is not None:  # 'I', 'V', 'X' may be subtheme letters
            letter = chr(ord("A") + len(self.cur_theme.subthemes))
            return letter != numeral
        return _roman(numeral) == len(self.blocks)

    def quote(self, text: str, n, ri, ci) -> None:
        q, cite_text, note = split_quote(text)
        cite = None
        if cite_text is not None:
            c, err = parse_shorthand(_PAGE_WORD.sub(r"\1p. ", cite_text))  # 'p 6' as 'p. 6'
            if c is None:
                self.r.warning(self.pos(n, ri, ci), f"citation '{cite_text}': {err}",
                               "fix the citation in the source after import")
            else:
                cite = Cite(source=c.source, pages=Pages(c.pages.first, c.pages.last) if c.pages else None)
        if cite is None:
            self.uncited += 1
            if self.uncited <= 5:
                self.r.warning(self.pos(n, ri, ci), f"no citation after the quote '{q[:40]}…'",
                               "it cites the source 'Uncited' until you fix it")
            cite = Cite(source="Uncited")
        if cite.source is None:
            self.page_only = True
        else:
            self.cite_sources.setdefault(source_key(cite.source), cite.source)
        self.cur_block.findings[-1][1].append(Quote(text=q, cite=cite, note=note))

    # ---- the model
    def _unlabel(self, label: str) -> None:
        for b in self.blocks:
            for blk in (b, *b.subthemes):
                for f in blk.findings:
                    f[1][:] = [replace(q, cite=replace(q.cite, source=None)) if q.cite.source == label else q
                               for q in f[1]]

    def result(self, d) -> Supplement:
        if self.uncited > 5:
            self.r.warning(Pos(self.path), f"{self.uncited - 5} more quotes without a citation")
        ids = Ids()
        sources = []
        kindish = [k for k in self.cite_sources if self.cite_sources[k].casefold() in KINDS]
        unlabeled_kind = None
        # this project's output names a page-only source by its kind in some styles ('Focus group, p 6');
        # in a hand-made table 'Focus group' is the author's label and stays one
        if len(kindish) == 1 and not self.page_only and self.ours:
            label = self.cite_sources.pop(kindish[0])
            unlabeled_kind = label.casefold()
            self._unlabel(label)
            self.page_only = True
        if self.page_only:
            kind = unlabeled_kind or "transcript"
            sources.append(Source(id=ids.make(kind), kind=kind,
                                  comment="cited by page only in the Word file: say what it is (kind)"
                                  if unlabeled_kind is None else f"cited as '{kind}' with a page, no label"))
        for label in self.cite_sources.values():
            if self.uncited and label == "Uncited":
                continue
            sources.append(Source(id=ids.make(label, "s"), kind=document_kind(label), label=label,
                                  comment="kind guessed from the label" if document_kind(label) == "transcript" else None))
        tids = Ids()

        def findings(b: _Block):
            return tuple(Finding(text=t or "Finding to be written", quotes=tuple(qs), comment=c)
                         for t, qs, c in b.findings)
        themes = []
        for b in self.blocks:
            subs = tuple(Subtheme(id=tids.make(s.title, "t"), title=s.title, findings=findings(s))
                         for s in b.subthemes)
            themes.append(Theme(id=tids.make(b.title, "t"), title=b.title, findings=findings(b), subthemes=subs))
        caption = self.caption
        if caption and themes:
            from supplement.resolve.numbering import roman
            rng = f"I{{dash}}{roman(len(themes))}"
            for dash in ("-", "–"):
                if rng.format(dash=dash) in caption:
                    caption = caption.replace(rng.format(dash=dash), "{theme_range}", 1)
                    break
        tt = None
        if caption or self.headers or self.notes:
            tt = ThemeTableSettings(caption=caption or "Themes and subthemes with supporting quotes.",
                                    headers=self.headers, notes=tuple(self.notes))
        props = d.core_properties
        title = clean(props.title or "") or Path(self.path).stem
        header = ""
        for s in d.sections:
            header = clean(" ".join(p.text for p in s.header.paragraphs)) if not s.header.is_linked_to_previous else header
            break
        keywords = tuple(k.strip() for k in re.split(r"[;,]", props.keywords or "") if k.strip())
        study = Study(title=title, short_title=header if header and header != title else None, keywords=keywords,
                      comment="from the Word file's properties: check the title")
        if self.uncited:
            sources.append(Source(id=ids.make("uncited"), kind="transcript", label="Uncited",
                                  comment="quotes that had no citation in the Word file cite this source"))
        # a quote the appendix prints twice is repeated on purpose: repeat: true on the later copy
        return mark_repeats(Supplement(study=study, sources=tuple(sources), themes=tuple(themes),
                                       participants=self.participants, theme_table=tt,
                                       comment=f"imported by `supplement import` from {self.path}"))


def _quote_paragraphs(paragraphs) -> list[str]:
    """The quotes in a cell, one a paragraph; a quote the author broke into paragraphs (it opens
    a quotation mark it does not close, and no citation follows) is joined with the next."""
    out, pending = [], ""
    for p in paragraphs:
        text = clean(p.text)
        if not text:
            continue
        text = f"{pending} {text}" if pending else text
        cite = split_quote(text)[1]
        opened = text[0] in OPEN_Q and not re.search(r"[”\"]", text[1:])
        if cite is None and opened:
            pending = text
            continue
        out.append(text)
        pending = ""
    if pending:
        out.append(pending)
    return out


def _caption(p) -> Optional[str]:
    if p is None:
        return None
    txt = clean(p.text)
    return LABEL.sub("", txt, count=1) or None
