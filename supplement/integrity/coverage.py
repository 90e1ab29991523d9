"""``supplement report``: who is quoted, how often and where (COREQ item 29, SRQR item 17).

Every quote identified by source and page or speaker; participants never quoted;
each participant's and source's share of the quotes, overall and per theme (one
voice carrying more than ``share`` of a theme's quotes is flagged); themes
without quotes. A quote is attributed to its speaker when it names one, otherwise
to its source (a focus group speaks for several participants).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from supplement.diagnostics import Report
from supplement.integrity.loading import open_source
from supplement.records import Struct, asdict, field
from supplement.study import model as m


class Coverage(Struct):
    path: Path
    quotes: int = 0
    themes: list[tuple[str, int]] = field(default_factory=list)  # (title, quotes)
    by_source: dict[str, int] = field(default_factory=dict)
    by_speaker: dict[str, int] = field(default_factory=dict)  # participant label -> quotes
    matrix: dict[str, dict[str, int]] = field(default_factory=dict)  # theme -> participant or source -> quotes
    unidentified: int = 0  # quotes with neither a page nor a speaker
    never_quoted: list[str] = field(default_factory=list)
    dominant: list[str] = field(default_factory=list)  # "theme: voice carries n of m"
    empty_themes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}

    def text(self) -> str:
        lines = [f"{self.path}: {self.quotes} quotes in {len(self.themes)} themes"]
        if self.unidentified:
            lines.append(f"  {self.unidentified} quotes identified neither by page nor by speaker (COREQ 29)")
        else:
            lines.append("  every quote is identified by source and page or by speaker (COREQ 29)")
        lines.append("  quotes per source:")
        lines += [f"    {name:<24} {n:>4}  {_pct(n, self.quotes)}" for name, n in self.by_source.items()]
        if self.by_speaker:
            lines.append("  quotes per participant (by speaker):")
            lines += [f"    {name:<24} {n:>4}  {_pct(n, self.quotes)}" for name, n in self.by_speaker.items()]
        if self.never_quoted:
            lines.append("  participants never quoted: " + ", ".join(self.never_quoted))
        lines.append("  quotes per theme:")
        lines += [f"    {title[:60]:<60} {n:>4}" for title, n in self.themes]
        for d in self.dominant:
            lines.append(f"  one voice: {d}")
        for t in self.empty_themes:
            lines.append(f"  no quotes: {t}")
        return "\n".join(lines)


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.0f}%" if total else ""


def coverage(path: str | Path, share: float = 0.5) -> tuple[Optional[Coverage], Report]:
    opened = open_source(path)
    if opened.sup is None:
        return None, opened.report
    sup = opened.sup
    cov = Coverage(Path(path))
    number = {pid: num for pid, (num, _) in opened.people.items()}
    title = {}
    for place, node in m.walk(sup):
        if isinstance(node, m.Theme):
            title[place.theme] = node.title
            cov.matrix.setdefault(node.title, {})
    for s in sup.sources:
        cov.by_source[s.label or s.id] = 0
    quoted = set()
    voices: dict[str, dict[str, int]] = {}
    for place, q in m.quotes(sup):
        cov.quotes += 1
        source = opened.source_of.get(place)
        sname = (source.label or source.id) if source else "?"
        cov.by_source[sname] = cov.by_source.get(sname, 0) + 1
        voice = None  # one participant's voice, when the quote or its source says whose it is
        if q.speaker:
            quoted.add(q.speaker)
            voice = f"participant {number.get(q.speaker, q.speaker)}"
            cov.by_speaker[voice] = cov.by_speaker.get(voice, 0) + 1
        elif source is not None and len(source.participants) == 1:
            quoted.add(source.participants[0])
            voice = f"participant {number.get(source.participants[0], source.participants[0])}"
        if (q.cite is None or q.cite.pages is None) and not q.speaker:
            cov.unidentified += 1
        row = cov.matrix[title[place.theme]]
        key = voice or sname
        row[key] = row.get(key, 0) + 1
        voices.setdefault(title[place.theme], {})
        if voice:
            voices[title[place.theme]][voice] = voices[title[place.theme]].get(voice, 0) + 1
    linked = {p for s in sup.sources for p in s.participants} | quoted
    if sup.participants and (quoted or linked):
        cov.never_quoted = [f"participant {number.get(r.id, r.id)}" for r in sup.participants.rows
                            if r.id not in quoted and not any(r.id in s.participants for s in sup.sources)]
    for t, row in cov.matrix.items():
        total = sum(row.values())
        cov.themes.append((t, total))
        if total == 0:
            cov.empty_themes.append(t)
            continue
        if voices.get(t):
            voice, n = max(voices[t].items(), key=lambda kv: kv[1])
            if total >= 4 and n / total > share:
                cov.dominant.append(f"{t}: {voice} carries {n} of {total} quotes")
    return cov, opened.report


# ---------------------------------------------------------------------------- the appendix item

def matrix(sup: m.Supplement, cited: dict, people: dict, by: str) -> tuple[list[str], list[tuple[int, list[int]]]]:
    """Column names and, per theme (1-based), the quote count of each column: one column per
    participant ("1", "2" … numbered as in the participant table, and "not attributed" when some
    quote names no speaker and comes from a source of several participants), or per source."""
    if by == "source":
        columns = [s.label or s.id for s in sup.sources]
        key_of = {s.id: i for i, s in enumerate(sup.sources)}
    else:
        columns = [str(num) for num, _ in sorted(people.values(), key=lambda x: x[0])]
        key_of = {pid: num - 1 for pid, (num, _) in people.items()}
    counts = {ti: [0] * (len(columns) + 1) for ti in range(1, len(sup.themes) + 1)}
    for place, q in m.quotes(sup):
        source = cited.get(place)
        if by == "source":
            col = key_of.get(source.id) if source is not None else None
        else:
            pid = q.speaker or (source.participants[0] if source is not None and len(source.participants) == 1
                                else None)
            col = key_of.get(pid) if pid else None
        counts[place.theme][len(columns) if col is None else col] += 1
    rows = [(ti, c) for ti, c in counts.items()]
    if any(c[-1] for _, c in rows):
        columns.append("not attributed")
    else:
        rows = [(ti, c[:-1]) for ti, c in rows]
    return columns, rows
