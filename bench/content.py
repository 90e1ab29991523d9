"""The table content of a source, read the fastest way, for the reference writers (floors).

No validation, no style logic: the texts the default style prints (numbers, quote
marks, citations in brackets), laid out in the rows the real writers use, so that
a floor writes the same rows, columns and text as `supplement build`.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from supplement.resolve.numbering import alpha, roman

# The fastest loader PyYAML has: libyaml, no implicit typing (every scalar is a string, as in
# supplement's own reader). Measured on a 10,000-quote study: CBaseLoader 0.81 s, CSafeLoader
# 0.92 s, CLoader 1.04 s. No faster YAML parser is installed here (rapidyaml and yaml-rs exist
# on PyPI but are not dependencies of this project).
Loader = getattr(yaml, "CBaseLoader", None) or getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

_WS = re.compile(r"\s+")
_CITE = re.compile(r"(?:(.*?)\s*,\s*)?(\d+(?:\s*[-–]\s*\d+)?)")


def clean(text) -> str:
    return _WS.sub(" ", str(text)).strip()


def _fill(template: str, **values) -> str:
    return clean(str(template).format(**values))


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def load(path: str, runs: bool = False) -> dict:
    """{'title', 'header', 'participants': (caption, headers, rows, notes), 'themes': (caption,
    headers, blocks), 'cover': dict or None} with plain strings.

    notes: the participant table's notes, one per mark, as (character role, text) runs; with
    ``runs`` a cell with a mark is such runs too.

    blocks: [(level, heading, [(finding, [quote, ...]), ...]), ...]; with ``runs`` each quote
    is a tuple of (character role, text) runs as the writers split it (the quote, its
    citation, its note: roles "quote-text", "citation", "note", "" between them) instead of
    one string.
    """
    with open(path, "rb") as f:
        d = yaml.load(f, Loader=Loader)
    out = {"title": clean(d["study"]["title"]),
           "header": clean(d["study"].get("short_title") or d["study"]["title"]),
           "cover": cover(d, Path(path).parent)}
    p = d.get("participants")
    numbers = {}
    if p:
        cols = p["columns"]
        marks = {m["key"]: (m.get("symbol") or "*", m["column"]) for m in p.get("marks", [])}
        headers = [clean(p.get("number_header", "Participant"))] + [clean(c["label"]) for c in cols]
        rows = []
        for i, row in enumerate(p["rows"], 1):
            numbers[row["id"]] = i
            cells = [f"{i}."]
            for c in cols:
                text = clean(row.get(c["key"], ""))
                syms = [sym for k, (sym, col) in marks.items()
                        if col == c["key"] and row.get(k) in (True, "true", "True", "yes")]
                # with ``runs`` a marked cell is runs: the text, then each mark in its character style
                cells.append(tuple([("", text)] + [("mark", m) for m in syms]) if runs and syms
                             else text + "".join(syms))
            rows.append(cells)
        notes = [(("mark", sym), ("", " " + clean(m["note"])))
                 for m in p.get("marks", []) if m.get("note") for sym in [m.get("symbol") or "*"]]
        out["participants"] = (_fill(p["caption"], participants=len(rows)), headers, rows, notes)
    labels = {}
    for s in d["sources"]:
        for name in (s["id"], s.get("label")):
            if name is not None:
                labels[_key(str(name))] = clean(s["label"]) if s.get("label") is not None else ""
    tt = d.get("theme_table") or {}
    h = tt.get("headers") or {}
    headers = [clean(h.get("theme", "Theme or Subtheme")), clean(h.get("findings", "Findings")),
               clean(h.get("quotes", "Supporting Text from Transcripts"))]
    blocks = []
    for ti, t in enumerate(d["themes"], 1):
        entries = [(0, f"{roman(ti)}. {clean(t['title'])}", t)]
        entries += [(1, f"{alpha(si)}. {clean(s['title'])}", s) for si, s in enumerate(t.get("subthemes") or [], 1)]
        for level, heading, b in entries:
            findings = []
            for f in b.get("findings") or []:
                findings.append((clean(f["text"]), [_quote(q, labels, numbers, runs) for q in f.get("quotes") or []]))
            blocks.append((level, heading, findings))
    n_themes = len(d["themes"])
    counts = {"themes": n_themes, "subthemes": sum(1 for b in blocks if b[0]), "findings": sum(len(b[2]) for b in blocks),
              "quotes": sum(len(f[1]) for b in blocks for f in b[2]),
              "theme_range": "I" if n_themes == 1 else f"I-{roman(n_themes)}"}
    out["themes"] = (_fill(tt.get("caption", "Themes and subthemes with supporting quotes."), **counts), headers, blocks)
    return out


PRESETS = Path(__file__).resolve().parent.parent / "templates"


def _style_tree(ref: str, base: Path, depth: int = 0) -> dict:
    """A style file as a mapping, its ``extends`` chain merged in (no validation)."""
    path = PRESETS / f"{ref}.yaml" if "/" not in ref and not ref.endswith((".yaml", ".yml")) else base / ref
    with open(path, "rb") as f:
        tree = yaml.load(f, Loader=Loader) or {}
    parent = tree.get("extends")
    if parent and depth < 32:
        merged = _style_tree(str(parent), path.parent, depth + 1)
        for k, v in tree.items():
            merged[k] = {**merged[k], **v} if isinstance(v, dict) and isinstance(merged.get(k), dict) else v
        return merged
    return tree


def _true(v) -> bool:
    return v in (True, "true", "True", "yes")


def cover(d: dict, base: Path):
    """The cover the source's style asks for (``cover.enabled``), or None: heading, paragraphs
    (study fields filled as plain text), contents heading, whether the contents are listed and
    with page numbers, closing."""
    c = _style_tree(str(d.get("style") or "default"), base).get("cover") or {}
    if not _true(c.get("enabled", False)):
        return None
    st = d["study"]
    fields = {k: clean(v) for k, v in st.items() if isinstance(v, (str, int))}
    fields.setdefault("citation", clean(st["title"]))

    def fill(t):
        return clean(re.sub(r"\{(\w+)\}", lambda m: fields.get(m.group(1), ""), str(t)))

    return {"heading": clean(c.get("heading", "Supplemental Online Content")),
            "paragraphs": [fill(t) for t in c.get("paragraphs") or []],
            "contents": _true(c.get("contents", True)), "page_numbers": _true(c.get("page_numbers", False)),
            "contents_heading": clean(c.get("contents_heading", "This supplement contains the following items:")),
            "closing": [fill(t) for t in c.get("closing") or []]}


def _quote(q: dict, labels: dict, numbers: dict, runs: bool = False):
    c = q["cite"]
    if isinstance(c, dict):
        src, pages = labels.get(_key(str(c["source"])), ""), c.get("pages")
    else:
        s = str(c).strip().strip("[]")
        m = _CITE.fullmatch(s)
        if m:
            src, pages = (labels.get(_key(m.group(1)), "") if m.group(1) else ""), m.group(2)
        else:
            src, pages = labels.get(_key(s), ""), None
    parts = []
    if q.get("speaker") in numbers:
        parts.append(f"Participant {numbers[q['speaker']]}")
    if src:
        parts.append(src)
    if pages is not None:
        parts.append(re.sub(r"\s*[-–]\s*", "-", str(pages)))
    out = [("quote-text", "“" + clean(q["text"]) + "”")]
    if parts:
        out += [("", " "), ("citation", "[" + ", ".join(parts) + "]")]
    if q.get("note"):
        out += [("", " "), ("note", "[" + clean(q["note"]) + "]")]
    return tuple(out) if runs else "".join(t for _, t in out)


def theme_tables(blocks):
    """The theme table as the Word writer lays it out: one table per theme or subtheme.

    Yields (label, rows): ``label`` is the paragraphs of the row under the column heads that
    names the block (the theme, or the theme and then the subtheme), ``rows`` one per quote,
    each (column 1, column 2, column 3) as lists of paragraphs: column 1 empty, the finding
    on the first row of its quotes, the quote. A theme without findings of its own (its
    subthemes carry them) has no table; it is named in its subthemes' labels.
    """
    theme = ""
    for level, heading, findings in blocks:
        if level == 0:
            theme = heading
        if not findings:
            continue
        rows = []
        for finding, quotes in findings:
            for i, q in enumerate(quotes or [""]):
                rows.append(([], [finding] if i == 0 else [], [q] if q else []))
        yield ([theme, heading] if level else [heading]), rows
