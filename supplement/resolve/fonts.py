"""The PDF's font: ``font.family`` found among the installed fonts, or a bundled stand-in.

The Word file names its font (``font.family``) and the reader's Word finds it; a PDF must
embed the font files. Which ones, in this order:

1. ``font.pdf_files``: the four TrueType files a style names (checked in style.py).
2. The bundled Liberation Serif or Sans when ``font.family`` *is* one of them.
3. The installed family of that name, found with fontconfig (``fc-match -f '%{file}\\n%{family}'
   'Name:style=Bold'``), when fontconfig answers with that family and every file is a
   TrueType font reportlab can embed. A style the family lacks (no italic) takes its regular.
4. A metric-compatible stand-in, without a warning, because fontconfig itself substitutes
   it on purpose and lines break in the same places: Times New Roman and Times ->
   Liberation Serif, Arial and Helvetica -> Liberation Sans (both bundled, so the PDF does
   not depend on the machine); Courier New -> Liberation Mono, Calibri -> Carlito, Cambria
   -> Caladea when fontconfig has them installed. A style that sets ``font.pdf`` itself
   gets that bundled face instead of the bundled stand-in.
5. Otherwise the bundled Liberation face ``font.pdf`` names, with one warning that says
   which font was asked for and which is used.

Lookups are cached per process (fontconfig is asked at most four times per family), and
the answer depends only on the fonts installed, so a build is deterministic on a machine.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

FONTS = Path(__file__).resolve().parent.parent / "fonts"
VARIANTS = ("regular", "bold", "italic", "bold_italic")
_FC_STYLE = {"regular": "Regular", "bold": "Bold", "italic": "Italic", "bold_italic": "Bold Italic"}
_STEMS = {"serif": "LiberationSerif", "sans": "LiberationSans"}
_NAMES = {"serif": "Liberation Serif", "sans": "Liberation Sans"}
# family (lower case) -> (the metric-compatible family fontconfig substitutes, bundled face or None)
STAND_INS = {
    "times new roman": ("Liberation Serif", "serif"), "times": ("Liberation Serif", "serif"),
    "arial": ("Liberation Sans", "sans"), "helvetica": ("Liberation Sans", "sans"),
    "courier new": ("Liberation Mono", None), "courier": ("Liberation Mono", None),
    "calibri": ("Carlito", None), "cambria": ("Caladea", None),
}
_BUNDLED = {"liberation serif": "serif", "liberation sans": "sans"}


def bundled(face: str) -> dict[str, Path]:
    """The four files of the bundled Liberation Serif (``serif``) or Sans (``sans``)."""
    names = {"regular": "Regular", "bold": "Bold", "italic": "Italic", "bold_italic": "BoldItalic"}
    return {k: FONTS / f"{_STEMS[face]}-{v}.ttf" for k, v in names.items()}


def _key(family: str) -> str:
    return " ".join(family.split()).lower()


@functools.lru_cache(maxsize=None)
def fc_match(family: str, variant: str) -> tuple[str, tuple[str, ...]] | None:
    """(file, the families fontconfig says it holds) for the family's style, or None when
    fontconfig is not installed or does not answer."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    pattern = family.replace("\\", "\\\\").replace("-", "\\-").replace(":", "\\:").replace(",", "\\,")
    try:
        out = subprocess.run([exe, "-f", "%{file}\n%{family}\n", f"{pattern}:style={_FC_STYLE[variant]}"],
                             capture_output=True, text=True, timeout=20, env={**os.environ, "LC_ALL": "C"})
    except (OSError, ValueError, subprocess.SubprocessError):  # ValueError: a NUL in the name
        return None
    lines = out.stdout.split("\n")
    if out.returncode != 0 or len(lines) < 2 or not lines[0]:
        return None
    return lines[0], tuple(f.strip() for f in lines[1].split(",") if f.strip())


@functools.lru_cache(maxsize=None)
def _usable(path: str) -> str:
    """Why reportlab cannot embed this file ('' if it can)."""
    from supplement.resolve.style import MAX_FONT_BYTES, _unusable_ttf

    try:
        if os.path.getsize(path) > MAX_FONT_BYTES:
            return "the file is too large"
    except OSError as e:
        return e.strerror or "cannot be read"
    if not path.lower().endswith((".ttf", ".otf")):
        return "not a single TrueType font file"
    return _unusable_ttf(Path(path))


def _holds(match, key: str) -> bool:
    return any(_key(f) == key for f in match[1])


def _installed(family: str) -> tuple[dict[str, Path] | None, str]:
    """The family's four files if fontconfig has it (and reportlab can embed them), and what
    fontconfig offered instead (or why the files cannot be used) when not."""
    want = _key(family)
    reg = fc_match(family, "regular")
    if reg is None:
        return None, ""
    if not _holds(reg, want):
        return None, f"it is not installed; fontconfig offers {reg[1][0] if reg[1] else reg[0]}"
    files = {}
    for v in VARIANTS:
        m = fc_match(family, v) if v != "regular" else reg
        files[v] = m[0] if m is not None and _holds(m, want) else reg[0]
    for v, p in files.items():
        problem = _usable(p)
        if problem:
            return None, f"its {v.replace('_', ' ')} file {p} cannot be embedded: {problem}"
    return {v: Path(p) for v, p in files.items()}, ""


@functools.lru_cache(maxsize=None)
def pdf_fonts(family: str, face: str, face_given: bool) -> tuple[tuple[tuple[str, Path], ...], str]:
    """The PDF's four font files for ``font.family`` (as (variant, path) pairs), and a
    warning ('' when none is due). ``face`` is ``font.pdf``; ``face_given``: the style set it."""
    key = _key(family)
    if key in _BUNDLED:
        return tuple(bundled(_BUNDLED[key]).items()), ""
    files, why = _installed(family)
    if files is not None:
        return tuple(files.items()), ""
    stand_in = STAND_INS.get(key)
    if stand_in is not None:
        name, own = stand_in
        if own is not None:
            return tuple(bundled(face if face_given else own).items()), ""
        reg = fc_match(family, "regular")
        if reg is not None and _holds(reg, _key(name)):  # fontconfig maps it so on purpose
            other, _ = _installed(name)
            if other is not None:
                return tuple(other.items()), ""
    if shutil.which("fc-match") is None:
        why = "fontconfig's fc-match is not installed to find it"
    elif not why:
        why = "it is not installed"
    from supplement.reader.declare import _short

    shown = _short("".join(c if c.isprintable() else "?" for c in family), 60)
    return tuple(bundled(face).items()), (
        f"the PDF cannot use the font '{shown}' ({why}); it uses the bundled {_NAMES[face]} instead "
        f"(font.pdf: {face})")


# ---------------------------------------------------------------- registration and measuring


@functools.lru_cache(maxsize=None)
def _register(paths: tuple[str, ...], stamps: tuple) -> dict[str, str]:
    import hashlib  # here, not at the top: check starts without it

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    tag = hashlib.sha1(repr((paths, stamps)).encode()).hexdigest()[:10]
    family = f"Supp{tag}"
    names = {v: f"{family}-{v}" for v in VARIANTS}
    for v, p in zip(VARIANTS, paths):
        try:
            pdfmetrics.registerFont(TTFont(names[v], p))
        except Exception as e:  # reportlab's TTFError and friends: unusable font file
            raise ValueError(f"cannot use '{p}' as the PDF {v.replace('_', ' ')} font: {e}") from None
    pdfmetrics.registerFontFamily(family, normal=names["regular"], bold=names["bold"],
                                  italic=names["italic"], boldItalic=names["bold_italic"])
    return names


def register_fonts(fonts: dict) -> dict[str, str]:
    """Register the four TTF files once per file set; returns variant -> reportlab font name.

    Names are unique per file set (and its files' size and time), so two styles
    with different fonts never share a name.
    """
    paths = tuple(str(Path(fonts[v]).resolve()) for v in VARIANTS)
    stamps = []
    for p in paths:
        try:
            st = os.stat(p)
            stamps.append((st.st_size, st.st_mtime_ns))
        except OSError:
            stamps.append(None)
    return _register(paths, tuple(stamps))


@functools.lru_cache(maxsize=None)
def _accelerated() -> bool:
    """Whether reportlab measures text with rl_accel's C code (it does whenever the
    extension is importable), found without importing reportlab."""
    try:
        from _rl_accel import instanceStringWidthTTF  # noqa: F401
    except ImportError:
        return False
    return True


def text_width(fonts: dict, variant: str, text: str, size: float) -> float:
    """Width in points of ``text`` set in one of the four fonts (``regular``, ``bold`` …).

    Exactly what reportlab's ``pdfmetrics.stringWidth`` answers, summed the same way from the
    same advance widths, but from the stored ones (``resolve/fontmaps.py``), so without loading
    the fonts or importing reportlab. Only text with a glyph whose width is not stored (in a
    bundled font, outside Latin and General Punctuation), or a font that cannot be read, is
    measured by reportlab itself. reportlab's C accelerator (rl_accel) adds and multiplies in
    another order than its Python code, which changes the last bit: the same order is used
    here as the one reportlab uses in this process."""
    return text_widths(fonts, variant, (text,), size)[0]


def text_widths(fonts: dict, variant: str, texts, size: float) -> list[float]:
    """``text_width`` of each of ``texts``, the font's widths looked up once for all of them
    (a participant table's 500 numbers: the font file's path resolved and stat'ed once, not 500 times)."""
    from supplement.resolve import fontmaps

    try:
        advance = fontmaps.widths(fonts[variant]).width
    except (ValueError, OSError):  # FontUnusable and the like: reportlab says why, as before
        advance = None
    accelerated = _accelerated()
    out = []
    for text in texts:
        if advance is not None:
            ws = [advance(ord(c)) for c in text]
            if None not in ws:
                if accelerated:  # as rl_accel's instanceStringWidthTTF: doubles added in turn
                    total = 0.0
                    for w in ws:
                        total += w
                    out.append(total * 0.001 * size)
                else:
                    out.append(0.001 * size * sum(ws))  # as reportlab's _py_instanceStringWidthTTF
                continue
        from reportlab.pdfbase import pdfmetrics

        out.append(pdfmetrics.stringWidth(text, register_fonts(fonts)[variant], size))
    return out
