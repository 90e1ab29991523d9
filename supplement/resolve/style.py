"""Journal styles: declared once with their defaults (the seed's look), loaded from YAML.

A style file may ``extends:`` a preset or another file and override only what
differs. Presets live in ``templates/``; a path is read relative to the file
that names it. Both writers read the same resolved style.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from pathlib import Path

from supplement.diagnostics import Pos, Report, SourceError
from supplement.resolve import placeholders
from supplement.resolve.typography import ROLE_KEYS, page_size
from supplement.reader.declare import Bool, Custom, Enum, Field, ListOf, Number, Obj, Text, _short
from supplement.reader.located import Rec, YMap
from supplement.reader.located_yaml import parse, read_text

PRESETS = Path(__file__).resolve().parent.parent / "presets"
FONTS = Path(__file__).resolve().parent.parent / "fonts"
UNITS = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4}


def _length(text: str):
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(pt|in|cm|mm)\s*", text)
    if not m:
        return None, f"'{_short(text)}' is not a length; write e.g. 1in, 2.5cm, 25mm or 72pt"
    if len(m.group(1)) > 12:  # 10**400 would be inf, printed "a margin of infin"
        return None, f"'{_short(text)}' is too long a length; a page is at most 22in"
    return float(m.group(1)) * UNITS[m.group(2)], ""


def _color(text: str):
    if re.fullmatch(r"[0-9A-Fa-f]{6}", text):
        return text.upper(), ""
    return None, f"'{text}' is not a colour; write six hex digits such as D9D9D9"


LENGTH = Custom(convert=_length, what="a length such as 1in or 25mm",
                schema={"type": "string", "pattern": r"^\d+(\.\d+)?\s*(pt|in|cm|mm)$"})
COLOR = Custom(convert=_color, what="a colour such as D9D9D9", schema={"type": "string", "pattern": "^[0-9A-Fa-f]{6}$"})


def _bounded(max_points: float) -> Custom:
    """A length of at most ``max_points``: a style may set it, not make a page of it."""
    def convert(text: str):
        v, err = _length(text)
        if v is not None and v > max_points:
            return None, f"'{_short(text)}' is more than {max_points:g}pt"
        return v, err
    return Custom(convert=convert, what=f"a length up to {max_points:g}pt, such as 4pt or 1.5mm",
                  schema=LENGTH.schema)


NUMBER_FORMAT = Enum(choices=("upper-roman", "lower-roman", "upper-alpha", "lower-alpha", "decimal"))
T = Text(nonempty=False)


def template(*names: str, open_: bool = False) -> Custom:
    """Text with {placeholders}, limited to ``names`` (any plain name when ``open_``)."""
    def convert(text: str):
        err = placeholders.problem(text, names, open_)
        return (None, err) if err else (text, "")
    return Custom(convert=convert, what="text", schema={"type": "string"})


STUDY_FIELDS = ("title", "short_title", "authors", "journal", "year", "doi", "citation")


def _sub(name: str, fields: dict) -> Field:
    return Field(Obj(name, fields), default=None)


STYLE = Obj("style", {
    "description": Field(Text(), default="", doc="one line shown by 'supplement styles'"),
    "extends": Field(Text(), doc="preset name or path of the style this one changes"),
    "page": _sub("page", {
        "size": Field(Enum(choices=("letter", "a4")), default="letter"),
        "orientation": Field(Enum(choices=("portrait", "landscape")), default="landscape"),
        "margin": Field(LENGTH, default=72.0, doc="all four margins"),
    }),
    "font": _sub("font", {
        "family": Field(Text(), default="Times New Roman",
                        doc="the font of both formats: named in the Word file; in the PDF the installed font of "
                            "that name (found with fontconfig) is embedded, else a bundled stand-in (font.pdf)"),
        "pdf": Field(Enum(choices=("serif", "sans")), default="serif",
                     doc="bundled PDF font when font.family cannot be embedded: Liberation Serif (Times metrics) "
                         "or Sans (Arial metrics)"),
        "pdf_files": _sub("pdf_files", {
            "regular": Field(Text(), True), "bold": Field(Text(), True),
            "italic": Field(Text(), True), "bold_italic": Field(Text(), True),
        }),
        "size": Field(Number(5, 24), default=10.0, doc="body text size in points"),
        "table_size": Field(Number(5, 24), doc="table text size in points; omitted: the body size"),
    }),
    "table": _sub("table", {
        "rules": Field(Enum(choices=("grid", "horizontal", "none")), default="grid",
                       doc="grid: all borders; horizontal: rules above and below the header and below the last "
                           "row; none: no rules"),
        "header_shading": Field(COLOR, doc="header row fill, e.g. D9D9D9; omitted: none"),
        "header_bold": Field(Bool(), default=True),
        "theme_widths": Field(ListOf(Number(0.05, 1), 3, 3), default=lambda: [0.18, 0.3, 0.52],
                              doc="fractions of the text width for the theme, findings and quotes columns"),
        "number_format": Field(template("n"), default="{n}.", doc="participant number, e.g. '{n}.' or 'P{n}'"),
        "number_width": Field(Number(0.01, 0.5), doc="fraction of the text width for the participant table's "
                              "number column; omitted: as wide as its widest entry (a source's "
                              "participants.number_width wins)"),
        "number_align": Field(Enum(choices=("left", "center", "right")), default="left",
                              doc="alignment of the participant table's number column (a source's "
                                  "participants.number_align wins)"),
        "continued": Field(T, default="(continued)", doc="added to a theme, subtheme or finding carried onto a new page"),
    }),
    "labels": _sub("labels", {
        "item": Field(template("n"), default="Appendix {n}", doc="label of the n-th item: 'eTable {n}', 'S{n} Table'"),
        "text_item": Field(template("n"), default="", doc="label of a text item (an interview guide), counted on its "
                           "own: 'eAppendix {n}', 'S{n} Text'; empty: labelled and counted like the tables"),
        "separator": Field(T, default=". ", doc="between label and caption"),
        "caption_bold": Field(Enum(choices=("none", "first-sentence", "all")), default="none"),
        "caption_position": Field(Enum(choices=("inline", "below-label")), default="inline",
                                  doc="caption on the label's line, or on its own line below"),
    }),
    "numbering": _sub("numbering", {
        "theme": Field(NUMBER_FORMAT, default="upper-roman"),
        "theme_template": Field(template("n"), default="{n}.", doc="how a theme number prints"),
        "subtheme": Field(NUMBER_FORMAT, default="upper-alpha"),
        "subtheme_template": Field(template("n", "theme"), default="{n}.", doc="may use {theme}: '{theme}.{n}'"),
        "range_dash": Field(T, default="-", doc="dash in {theme_range}"),
    }),
    "citations": _sub("citations", {
        "open": Field(T, default="["), "close": Field(T, default="]"),
        "separator": Field(T, default=", "),
        "order": Field(ListOf(Enum(choices=("speaker", "source", "pages"))),
                       default=lambda: ["speaker", "source", "pages"]),
        "page_prefix": Field(T, default="", doc="before one page, e.g. 'p. '"),
        "pages_prefix": Field(T, default="", doc="before a range, e.g. 'pp. '"),
        "range_dash": Field(T, default="-"),
        "unlabeled": Field(template("kind", "Kind", "id"), default="",
                           doc="names a source that has no label (cited by page only): '' prints the page alone "
                               "([6]); '{Kind}' prints e.g. 'Focus group, p. 6'. {kind} is the source's kind, "
                               "{Kind} the same with a capital, {id} its id"),
        "speaker": Field(template("number", "id", open_=True), default="Participant {number}",
                         doc="speaker attribution; may use {number}, {id} and participant column keys, "
                             "e.g. 'Participant {number}, {specialty}'"),
        "note_open": Field(T, default="["), "note_close": Field(T, default="]"),
        "note_position": Field(Enum(choices=("after", "before")), default="after",
                               doc="editorial note after or before the citation"),
    }),
    "quotes": _sub("quotes", {
        "open": Field(T, default="“"), "close": Field(T, default="”"),
        "italic": Field(Bool(), default=False),
    }),
    "notes": _sub("notes", {
        "symbols": Field(Enum(choices=("author", "symbols", "letters")), default="author",
                         doc="author: the source's symbols; symbols: *, †, ‡…; letters: a, b, c (AMA)"),
        "superscript": Field(Bool(), default=False),
        "sequence": Field(ListOf(Text(), 1), default=lambda: ["*", "†", "‡", "§", "‖", "¶", "#"]),
    }),
    "author_names": Field(Enum(choices=("given-family", "family-initials")), default="given-family",
                          doc="how structured author names print in {authors} and {citation}: 'Zoë Müller' or "
                              "'Müller Z' (AMA, Vancouver); names written as plain text print as written"),
    "header": Field(template(*STUDY_FIELDS), default="{short_title}", doc="running header; may use study fields"),
    "footer": Field(template("page", "pages"), default="Page {page} of {pages}"),
    "cover": _sub("cover", {
        "enabled": Field(Bool(), default=False),
        "heading": Field(T, default="Supplemental Online Content"),
        "paragraphs": Field(ListOf(template(*STUDY_FIELDS)), default=list, doc="may use {citation}, {title}, {authors}, {journal}, {year}, {doi}"),
        "contents": Field(Bool(), default=True, doc="list the items"),
        "page_numbers": Field(Bool(), default=False, doc="give each listed item its page number (PDF: the "
                              "page itself; Word: a PAGEREF field to the item's bookmark, updated when the file opens)"),
        "contents_heading": Field(T, default="This supplement contains the following items:",
                                  doc="line above the list of items; may be empty"),
        "closing": Field(ListOf(template(*STUDY_FIELDS)), default=list,
                         doc="paragraphs after the list of items, e.g. that the authors provided the material"),
    }),
    "typography": _sub("typography", {
        "cell_padding_top": Field(_bounded(36), doc="space inside a table cell above its text (default 3pt)"),
        "cell_padding_bottom": Field(_bounded(36), doc="space inside a table cell below its text (default 4pt)"),
        "cell_padding_x": Field(_bounded(36), doc="space inside a table cell left and right of its text (default 4pt)"),
        "rule": Field(_bounded(6), doc="width of the rules inside a table, and around it with grid rules "
                                       "(default 0.5pt)"),
        "outer_rule": Field(_bounded(6), doc="width of the rules above and below a table with horizontal rules "
                                             "(default 0.8pt)"),
        "quote_gap": Field(_bounded(72), doc="space between two quotes in one cell (default three quarters of "
                                             "the quote's leading)"),
        "group_gap": Field(_bounded(72), doc="space above each theme or participant row when rows are not ruled "
                                             "(default 3pt; 0 with grid rules)"),
        "roles": _sub("roles", {key: _sub(key, {
            "size": Field(Number(5, 48), doc="points"),
            "leading": Field(Number(1, 3), doc="baseline to baseline, as a multiple of the size"),
            "space_before": Field(_bounded(72)), "space_after": Field(_bounded(72)),
            "indent": Field(_bounded(144)), "hanging": Field(_bounded(144)),
            "align": Field(Enum(choices=("left", "center", "right"))),
        }) for key in ROLE_KEYS}),
    }),
    "word_template": Field(Text(), doc="a .docx whose styles and page setup the Word file uses; a path is read "
                                        "relative to the style file that names it"),
})


def _fill_defaults(obj: Obj, rec: Rec) -> Rec:
    """Sub-sections absent from every file still get their declared defaults."""
    for key, f in obj.fields.items():
        if isinstance(f.type, Obj) and key != "pdf_files" and rec.get(key) is None:
            setattr(rec, key, _fill_defaults(f.type, f.type.check(YMap(rec.pos), Report(), rec.pos)))
        elif isinstance(f.type, Obj) and rec.get(key) is not None:
            _fill_defaults(f.type, rec.get(key))
    return rec


def _merge(base: YMap, over: YMap) -> YMap:
    out = YMap(over.pos)
    for src in (base, over):
        for k, v in src.items():
            if isinstance(v, YMap) and isinstance(out.get(k), YMap):
                v = _merge(out[k], v)
            out[k] = v
            out.kpos[k] = src.kpos[k]
    return out


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESETS.glob("*.yaml"))


def _locate(ref: str, relative_to: Path | None) -> Path | None:
    if "/" not in ref and "\\" not in ref and not ref.endswith((".yaml", ".yml")):
        p = PRESETS / f"{ref}.yaml"
        return p if _is_file(p) else None
    p = Path(ref)
    if not p.is_absolute() and relative_to is not None:
        p = relative_to / p
    return p


def _is_file(p: Path) -> bool:
    try:
        return p.is_file()
    except OSError:  # a name too long for the file system, say
        return False


def _exists(p: Path) -> bool:
    try:
        return p.exists()
    except OSError:
        return False


MAX_EXTENDS = 32  # files in one chain of 'extends'; a deeper chain is a mistake (or ran out of stack)


def _load_tree(ref: str, pos: Pos, relative_to: Path | None, chain: tuple[Path, ...], r: Report,
               read: list[Path] | None = None):
    path = _locate(ref, relative_to)
    if path is None:
        near = difflib.get_close_matches(ref, preset_names(), 1)
        r.error(pos, f"unknown style '{ref}'", (f"did you mean '{near[0]}'? " if near else "")
                + "presets: " + ", ".join(preset_names()) + "; or give a path to a .yaml file")
        return None, None
    path = path.resolve()
    if len(chain) >= MAX_EXTENDS:
        r.error(pos, f"styles extend each other more than {MAX_EXTENDS} deep",
                f"extend a preset or a file that extends one; the chain starts at {chain[0].name}")
        return None, None
    if path in chain:
        r.error(pos, f"style '{ref}' extends itself (" + " -> ".join(p.name for p in chain + (path,)) + ")",
                "remove the 'extends' that closes the loop")
        return None, None
    if not _is_file(path):
        r.error(pos, f"style file '{_short(ref)}' " + ("is not a regular file" if _exists(path) else "does not exist"),
                f"looked for {_short(str(path), 200)}")
        return None, None
    if path.suffix.lower() not in (".yaml", ".yml"):  # nor will its lines be quoted in messages
        r.error(pos, f"'{_short(ref)}' is not a style file: a style file's name ends in .yaml or .yml",
                "name a preset (" + ", ".join(preset_names()) + ") or a .yaml style file")
        return None, None
    if read is not None:
        read.append(path)
    try:
        tree = parse(read_text(str(path)), _display(path))
    except SourceError as e:
        r.extend(e.report)
        return None, None
    if tree is None:
        tree = YMap(Pos(_display(path), 1, 1))
    if not isinstance(tree, YMap):
        r.error(tree.pos, "a style file is a mapping of settings", "see docs/styles.md")
        return None, None
    parent = tree.get("extends")
    if parent is not None and isinstance(parent, str) and str(parent).strip():
        base, _ = _load_tree(str(parent), parent.pos, path.parent, chain + (path,), r, read)
        if base is None:
            return None, None
        tree = _merge(base, tree)
    return tree, path


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_style(ref: str, pos: Pos, relative_to: Path | None = None) -> Rec:
    """Resolve a preset name or style path into a complete, validated style."""
    r = Report()
    read: list[Path] = []
    tree, path = _load_tree(ref, pos, relative_to, (), r, read)
    if tree is None:
        raise SourceError(r)
    style = STYLE.check(tree, r, tree.pos)
    if r.errors:
        raise SourceError(r)
    style = _fill_defaults(STYLE, style)
    style.name = ref
    style.files = tuple(read)  # every style file read, the named one first (watch follows them)
    _check_text_area(style.page, r)
    style.fonts = _font_files(style, path.parent, r)
    if style.word_template is not None:
        style.word_template = _word_template(style.word_template, path.parent, style, r)
    if r.errors:
        raise SourceError(r)
    style.warnings = r.warnings
    return style


MIN_TEXT_AREA = 144.0  # 2 in: room for a table of three narrow columns


def _check_text_area(page: Rec, r: Report) -> None:
    """Refuse margins that leave no room to lay out a table."""
    width, height = page_size(page)
    tw, th = width - 2 * page.margin, height - 2 * page.margin
    if min(tw, th) < MIN_TEXT_AREA:
        r.error(page.at("margin"), f"a margin of {page.margin / 72:.2f}in leaves a text area of "
                f"{max(tw, 0) / 72:.2f} × {max(th, 0) / 72:.2f} in on a {page.orientation} {page.size} page; "
                f"tables need at least {MIN_TEXT_AREA / 72:.0f} × {MIN_TEXT_AREA / 72:.0f} in",
                "reduce page.margin")


MAX_FONT_BYTES = 64 * 2**20  # the largest common TrueType fonts (full CJK) are about 30 MiB


def _font_files(style: Rec, base: Path, r: Report) -> dict[str, Path]:
    """The four TTF files of the PDF font family, checked to be fonts."""
    files = style.font.pdf_files
    if files is None:  # font.family, if installed and embeddable, else a bundled face (resolve/fonts.py)
        from supplement.resolve import fonts

        pairs, warning = fonts.pdf_fonts(str(style.font.family), str(style.font.pdf), "pdf" in style.font._at)
        if warning:
            r.warning(style.font.at("family"), warning,
                      "install the font (fc-list lists what is installed), name four .ttf files in "
                      "font.pdf_files, or choose the bundled face with font.pdf: serif or sans")
        return dict(pairs)
    out = {}
    for key in ("regular", "bold", "italic", "bold_italic"):
        value = getattr(files, key)
        p = _relative(value, base)
        try:
            info = os.stat(p)
            if not stat.S_ISREG(info.st_mode):  # a pipe would block open(), a device never end
                r.error(value.pos, f"font file '{value}' is not a regular file", f"looked for {p}")
                continue
            if info.st_size > MAX_FONT_BYTES:  # reportlab reads a font whole, into memory
                r.error(value.pos, f"font file '{value}' is {info.st_size / 2**20:,.0f} MiB; the limit is "
                        f"{MAX_FONT_BYTES // 2**20} MiB", "point pdf_files at the .ttf files of one font family")
                continue
            with open(p, "rb") as f:
                head = f.read(4)
        except OSError as e:
            r.error(value.pos, f"cannot read font file '{value}': {e.strerror}", f"looked for {p}")
            continue
        if head not in (b"\x00\x01\x00\x00", b"true", b"OTTO"):
            r.error(value.pos, f"'{value}' is not a TrueType font file", "point pdf_files at .ttf files")
            continue
        problem = _unusable_ttf(p)
        if problem:
            r.error(value.pos, f"'{value}' is not a usable TrueType font: {problem}",
                    "point pdf_files at .ttf files with TrueType outlines")
            continue
        out[key] = p
    return out


def _unusable_ttf(path: Path) -> str:
    """Why the PDF writer could not use this font file ('' if it can): the magic number alone
    lets through truncated files and CFF-outline OpenType, which reportlab refuses. A font
    read once is not read again (its character map is cached: resolve/fontmaps.py)."""
    from supplement.resolve.fontmaps import FontUnusable, charmap

    try:
        charmap(path)
    except FontUnusable as e:
        return str(e)
    except OSError as e:
        return e.strerror or type(e).__name__
    return ""


def _relative(value, base: Path) -> Path:
    """A path written in a style file, read relative to the file that wrote it (an
    inherited setting keeps its own file's folder)."""
    p = Path(value)
    if p.is_absolute():
        return p
    pos = getattr(value, "pos", None)
    if pos is not None and pos.line:
        return Path(pos.file).resolve().parent / p
    return base / p


def _word_template(value, base: Path, style: Rec, r: Report):
    """The Word template, rebuilt from what a template is for (resolve/word_template.py) and
    checked to leave room for tables; what was left out is named in a warning."""
    from supplement.resolve import word_template  # lxml: only for a style that names a template

    p = _relative(value, base)
    try:
        t = word_template.read(p)
    except word_template.TemplateError as e:
        r.error(value.pos, f"the Word template '{_short(value)}' {e.message}", e.hint or f"looked for {p}")
        return None
    tw, th = (x / 20 for x in t.text_area)
    if min(tw, th) < MIN_TEXT_AREA:
        r.error(value.pos, f"the Word template '{_short(value)}' leaves a text area of {max(tw, 0) / 72:.2f} × "
                f"{max(th, 0) / 72:.2f} in on its {t.page[0] / 1440:.2f} × {t.page[1] / 1440:.2f} in page; "
                f"tables need at least {MIN_TEXT_AREA / 72:.0f} × {MIN_TEXT_AREA / 72:.0f} in",
                "reduce the template's margins or enlarge its page (Layout > Margins, Size)")
        return None
    if t.dropped:
        shown = ", ".join(t.dropped[:20]) + (f" and {len(t.dropped) - 20} more" if len(t.dropped) > 20 else "")
        r.warning(value.pos, f"left out of the Word template '{_short(value)}': {shown}",
                  "a template gives only styles, numbering, page setup, theme fonts and header and footer layout")
    style.template = t
    return str(p)


def style_json_schema() -> dict:
    d = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "supplement style"}
    d.update(STYLE.json())
    return d


def _plain(value, obj: Obj | None = None):
    """A resolved style as plain data, keys in declaration order (so every style prints alike)."""
    if isinstance(value, Rec):
        keys = list(obj.fields) if obj is not None else [k for k in vars(value) if not k.startswith("_")]
        out = {}
        for k in keys:
            v = value.get(k)
            if v is None or k in ("pos", "name", "fonts", "warnings", "template", "files"):
                continue
            f = obj.fields.get(k) if obj is not None else None
            if f is not None and isinstance(f.type, Custom) and f.type.schema == LENGTH.schema:
                out[k] = f"{round(v, 2):g}pt"  # as a style file would write it
                continue
            out[k] = _plain(v, f.type if f is not None and isinstance(f.type, Obj) else None)
        return out
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        return round(value, 2)
    return value


def describe_style(style: Rec) -> str:
    """The fully resolved style as YAML (lengths in points), valid as a style file itself."""
    import yaml

    return yaml.safe_dump(_plain(style, STYLE), sort_keys=False, allow_unicode=True, width=100).rstrip()
