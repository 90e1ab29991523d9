"""The study's de-identification settings, and pseudonyms applied at build time.

Two files beside a source ``study.yaml``:

- ``study.identifiers.yaml`` (kept with the source):

  .. code-block:: yaml

     allow: [SINS, NOMS, FCOT]          # the study's own terms: never flagged
     pseudonyms:                        # replaced in every output at build time
       Kristen: "[colleague]"
       MSK: "[Centre A]"
     disclosure: {k: 3, columns: [specialty, rank]}

- ``study.sensitive.txt`` (never committed): one real name, colleague or site per
  line; ``#`` starts a comment. ``verify`` flags them in quotes, fuzzily.

The map is checked: one term, one replacement (case aside); a term inside another
term with a different replacement; a replacement that reveals more than the term
(it holds a sensitive term, another term of the map, or an identifier of its own).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from supplement.diagnostics import Pos, Report, SourceError
from supplement.integrity import checks as C
from supplement.records import Struct, field, replace

K_DEFAULT = 3


class Settings(Struct):
    """A source's de-identification settings (FILE.identifiers.yaml and FILE.sensitive.txt)."""

    allow: list[str] = field(default_factory=list)
    pseudonyms: list[tuple[str, str, Optional[Pos]]] = field(default_factory=list)  # (term, replacement, where)
    sensitive: list[tuple[str, Optional[Pos]]] = field(default_factory=list)
    k: int = K_DEFAULT
    columns: Optional[list[str]] = None  # None: the columns the table displays
    columns_pos: Optional[Pos] = None


def settings_path(source: Path) -> Path:
    return source.with_name(source.stem + ".identifiers.yaml")


def sensitive_path(source: Path) -> Path:
    return source.with_name(source.stem + ".sensitive.txt")


def _present(path: Path) -> bool:
    """A side file is there (a name too long for the file system, or unreadable folder: it is not)."""
    try:
        return path.is_file()
    except OSError:
        return False


def load_settings(source: Path, sensitive: Optional[Path] = None, findings=None) -> Settings:
    """Read the settings (absent files: empty settings). Problems go to ``findings`` (or raise
    ``SourceError`` when there is none, as at build time)."""
    report = Report()
    s = Settings()
    path = settings_path(source)
    if _present(path):
        try:
            _read_settings(path, s, report)
        except SourceError as e:  # not YAML, not UTF-8, too big: located errors like a source's
            report.extend(e.report)
    sp = sensitive or sensitive_path(source)
    if _present(sp):
        from supplement.integrity.transcripts import decode

        text, _ = decode(sp.read_bytes())
        for n, line in enumerate(text.splitlines(), 1):
            term = line.split("#", 1)[0].strip()
            if term:
                s.sensitive.append((term, Pos(str(sp), n, 1)))
    consistency(s, report)
    if findings is not None:
        for d in report.items:
            findings.report(C.PSEUDONYM_MAP, d.pos, d.message, d.hint)
    elif report.errors:
        raise SourceError(report)
    return s


def _read_settings(path: Path, s: Settings, r: Report) -> None:
    from supplement.reader.located import YList, YMap, YStr
    from supplement.reader.located_yaml import parse, read_text

    tree = parse(read_text(str(path)), str(path))  # raises SourceError with the position
    if tree is None:
        return
    if not isinstance(tree, YMap):
        r.error(Pos(str(path), 1, 1), "the identifiers file holds a mapping: allow, pseudonyms, disclosure")
        return
    for key, value in tree.items():
        kpos = tree.kpos[key]
        if key == "allow":
            if isinstance(value, YList) and all(isinstance(v, YStr) for v in value):
                s.allow = [str(v) for v in value]
            else:
                r.error(kpos, "allow is a list of terms, e.g. allow: [SINS, NOMS]")
        elif key == "pseudonyms":
            if isinstance(value, YMap) and all(isinstance(v, YStr) for v in value.values()):
                s.pseudonyms = [(k, str(v), value.kpos[k]) for k, v in value.items()]
            else:
                r.error(kpos, "pseudonyms maps each term to its replacement, e.g. Kristen: '[colleague]'")
        elif key == "disclosure":
            if not isinstance(value, YMap):
                r.error(kpos, "disclosure is a mapping: {k: 3, columns: [specialty, rank]}")
                continue
            for dk, dv in value.items():
                if dk == "k" and isinstance(dv, YStr) and dv.isdigit() and 2 <= int(dv) <= 100:
                    s.k = int(dv)
                elif dk == "columns" and isinstance(dv, YList) and all(isinstance(v, YStr) for v in dv):
                    s.columns, s.columns_pos = [str(v) for v in dv], dv.pos
                else:
                    r.error(value.kpos[dk], f"disclosure.{dk}: expected k (a number from 2 to 100) "
                                            "or columns (a list of column keys)")
        else:
            r.error(kpos, f"unknown key '{key}' in the identifiers file", "known keys: allow, pseudonyms, disclosure")


def consistency(s: Settings, r: Report) -> None:
    from supplement.integrity.identifiers import Context, detect

    seen: dict[str, tuple[str, str, Optional[Pos]]] = {}
    for term, rep, pos in s.pseudonyms:
        key = term.casefold().strip()
        if not key:
            r.error(pos, "an empty term cannot be replaced")
            continue
        if key in seen and seen[key][1] != rep:
            first = seen[key]
            r.error(pos, f"'{term}' has two replacements: '{first[1]}' (line {first[2].line if first[2] else '?'}) "
                         f"and '{rep}'", "one term, one replacement: keep one")
        seen.setdefault(key, (term, rep, pos))
    terms = list(seen.values())
    for term, rep, pos in terms:
        for other, orep, opos in terms:
            if other is not term and re.search(r"(?<!\w)" + re.escape(term) + r"(?!\w)", other, re.I) and orep != rep:
                r.warning(pos, f"'{term}' is part of '{other}', which has another replacement ('{orep}')",
                          "the longer term is replaced first; check both read well")
    ctx = Context.of([], allow=s.allow, sensitive=[(t, p) for t, p in s.sensitive] + [(t, p) for t, _, p in terms])
    for term, rep, pos in terms:
        inner = re.sub(r"[\[\]]", " ", rep)
        revealing = [h for h in detect(inner, ctx) if _fold_eq(h.text, term) is False]
        if revealing:
            h = revealing[0]
            r.error(pos, f"the replacement '{rep}' for '{term}' reveals '{h.text}' ({h.why})",
                    "use a vaguer descriptor in brackets, e.g. [a colleague], [Centre A]")
        elif not (rep.startswith("[") and rep.endswith("]")):
            r.warning(pos, f"the replacement '{rep}' is not in brackets",
                      "brackets tell a reader the words were changed, e.g. [colleague]")


def _fold_eq(a: str, b: str) -> bool:
    return a.casefold().strip() == b.casefold().strip()


def replace_text(text: str, pmap) -> str:
    """Every term of the map replaced (whole words, case aside, longest term first)."""
    if not pmap:
        return text
    items = sorted({(t, r) for t, r, *_ in pmap}, key=lambda x: -len(x[0]))
    rx = re.compile("|".join(r"(?<!\w)" + re.escape(t) + r"(?!\w)" for t, _ in items), re.I)
    table = {t.casefold(): r for t, r in items}
    return rx.sub(lambda m: table.get(m.group().casefold(), m.group()), text)


# ---------------------------------------------------------------------------- at build time

REPLACED_ROLES = ("quote-text", "note")


def apply_to_document(doc, pmap):
    """The resolved Document with the pseudonyms in every quote and note (so every writer shows them)."""
    if not pmap:
        return doc
    from supplement.resolve.document import ThemeTable

    def para(p):
        runs = tuple(replace(r, text=replace_text(r.text, pmap)) if r.role in REPLACED_ROLES else r
                     for r in p.runs)
        return replace(p, runs=runs) if runs != p.runs else p

    items = []
    for item in doc.items:
        if isinstance(item, ThemeTable):
            blocks = tuple(replace(b, findings=tuple(
                replace(f, quotes=tuple(para(q) for q in f.quotes)) for f in b.findings))
                for b in item.blocks)
            item = replace(item, blocks=blocks)
        items.append(item)
    return replace(doc, items=tuple(items))


def pseudonymise(doc, source: Path):
    """The build step: read ``FILE.identifiers.yaml`` beside the source, if any, and apply its map.
    Raises ``SourceError`` when the map is inconsistent (nothing is built)."""
    path = settings_path(Path(source))
    if not _present(path):
        return doc
    s = Settings()
    r = Report()
    _read_settings(path, s, r)
    consistency(s, r)
    if r.errors:
        raise SourceError(r)
    return apply_to_document(doc, s.pseudonyms)
