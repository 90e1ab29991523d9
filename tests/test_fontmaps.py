"""The fonts' character maps and advance widths that the font-coverage check and the sizing of
the participant table's number column read instead of the fonts (resolve/fontmaps.py).

The maps must answer exactly as reportlab's parser of the font does (its ``charToGlyph``
keys are what the PDF writer can draw), and ``fonts.text_width`` exactly as reportlab's
``stringWidth``, whether they come from the precomputed file for the bundled fonts, from
the cache, or from the font itself; and a damaged, stale or unwritable cache is passed
over, never an error. ``supplement check`` imports no rendering library at all.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFile

from supplement.pipeline import load_document
from supplement.resolve import fontmaps, fonts
from supplement.resolve.derive import typography
from supplement.resolve.document import ParticipantTable
from supplement.resolve.fontmaps import CharMap, FontUnusable, Widths, charmap, widths

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted(fontmaps.FONTS.glob("*.ttf"))
# Every code point of the Basic Multilingual Plane, and a few beyond it (emoji, CJK extension B).
PROBES = list(range(0x10000)) + [0x1F600, 0x20000, 0x10FFFF]
# The code points whose widths the shipped file holds.
IN_RANGES = [c for a, b in fontmaps.WIDTH_RANGES for c in range(a, b + 1)]
PRESETS = sorted(p.stem for p in (ROOT / "supplement" / "presets").glob("*.yaml"))


def reportlab_keys(path) -> set[int]:
    return set(TTFontFile(str(path)).charToGlyph)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of this test's own, and no map remembered from other tests."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(fontmaps, "_memo", {})
    return tmp_path / "cache" / "supplement" / "cmaps"


@pytest.fixture
def user_font(tmp_path):
    """A font outside the package (a copy of a bundled one), so it is read and cached."""
    p = tmp_path / "fonts" / "MyFont-Regular.ttf"
    p.parent.mkdir()
    shutil.copy(fontmaps.FONTS / "LiberationSans-Italic.ttf", p)
    return p


def forbid_reading(monkeypatch):
    def refuse(path, covered=None):
        raise AssertionError(f"the font {path} was read; the map should have come from the cache")
    monkeypatch.setattr(fontmaps, "read_font", refuse)


def reportlab_width(face: TTFontFile, c: int) -> float:
    """What reportlab's stringWidth adds for a code point (times size / 1000)."""
    return face.charWidths.get(c, face.defaultWidth)


@pytest.mark.parametrize("font", BUNDLED, ids=lambda p: p.name)
def test_the_shipped_map_of_each_bundled_font_answers_as_reportlab_does(font, cache, monkeypatch):
    keys = reportlab_keys(font)
    forbid_reading(monkeypatch)  # from fonts/cmaps.json, not from the font
    m = charmap(font)
    assert len(m) == len(keys) > 2000
    assert [c for c in PROBES if (c in m) != (c in keys)] == []
    assert not cache.exists()  # the bundled fonts need no cache


@pytest.mark.parametrize("font", BUNDLED, ids=lambda p: p.name)
def test_the_shipped_widths_of_each_bundled_font_are_reportlabs(font, cache, monkeypatch):
    face = TTFontFile(str(font))
    forbid_reading(monkeypatch)  # from fonts/cmaps.json, not from the font
    w = widths(font)
    assert w.default == face.defaultWidth
    assert [c for c in IN_RANGES if w.width(c) != reportlab_width(face, c)] == []
    # outside the ranges: the default width where the font has no glyph, unknown (None) where it has
    outside = [c for c in PROBES if c not in w.covered]
    assert [c for c in outside if w.width(c) != (None if c in face.charToGlyph else face.defaultWidth)] == []
    assert not cache.exists()


def test_the_shipped_file_is_what_the_generator_writes_now(tmp_path, monkeypatch):
    monkeypatch.setattr(fontmaps, "BUNDLED", tmp_path / "cmaps.json")
    fontmaps.write_bundle()
    written = json.loads((tmp_path / "cmaps.json").read_text())
    assert written == json.loads((fontmaps.FONTS / "cmaps.json").read_text())
    assert written["format"] == fontmaps.FORMAT and sorted(written["fonts"]) == [p.name for p in BUNDLED]
    assert all("widths" in f for f in written["fonts"].values())
    # small: the eight maps alone were 18 KB; widths of Latin and punctuation add about 2.5 KB a font
    assert (fontmaps.FONTS / "cmaps.json").stat().st_size < 45_000


def test_widths_are_stored_and_read_back_as_they_were():
    cmap = CharMap([[32, 126], [160, 300]])
    char_widths = {c: float(c % 7) * 100 for c in range(32, 301) if c in cmap}
    w = Widths.of(char_widths, 750.0, CharMap([[0, 400], [0x2000, 0x2010]]), cmap)
    stored = w.stored()
    assert Widths.from_stored(json.loads(json.dumps(stored)), cmap) == w
    assert stored["palette"][0] == 750.0  # the most frequent width first: the small indices
    assert sum(1 if type(r) is int else r[0] for r in stored["runs"]) == len(w.table) == 401 + 17
    assert w.width(65) == 200.0 and w.width(0x2005) == 750.0 and w.width(127) == 750.0
    assert w.width(0x3000) == 750.0  # not mapped: the default, as reportlab
    assert Widths.of({}, 750.0, CharMap([]), CharMap([[0x3000, 0x3000]])).width(0x3000) is None  # mapped, not stored


def test_a_changed_bundled_font_is_read_not_answered_from_the_shipped_map(tmp_path, cache, monkeypatch):
    folder = tmp_path / "pkgfonts"
    folder.mkdir()
    font = folder / "LiberationSerif-Regular.ttf"
    data = bytearray((fontmaps.FONTS / font.name).read_bytes())
    data[12 + 4] ^= 0xFF  # a table's checksum in the table directory: another font as far as the map knows
    font.write_bytes(bytes(data))
    monkeypatch.setattr(fontmaps, "FONTS", folder)
    assert fontmaps._from_bundle(font) is None
    assert fontmaps._from_bundle(fontmaps.FONTS / "missing.ttf") is None


def test_a_user_font_is_read_once_then_answered_from_the_cache(user_font, cache, monkeypatch):
    keys = reportlab_keys(user_font)
    first = charmap(user_font)
    assert [c for c in PROBES if (c in first) != (c in keys)] == []
    entries = list(cache.glob("*.json"))
    assert len(entries) == 1 and json.loads(entries[0].read_text())["key"]["path"] == str(user_font.resolve())

    monkeypatch.setattr(fontmaps, "_memo", {})  # as a new process would
    forbid_reading(monkeypatch)
    assert charmap(user_font) == first


def test_a_user_fonts_widths_are_cached_for_every_code_point_it_maps(user_font, cache, monkeypatch):
    face = TTFontFile(str(user_font))
    first = widths(user_font)
    assert first.covered == charmap(user_font)
    assert [c for c in PROBES if first.width(c) != reportlab_width(face, c)] == []
    monkeypatch.setattr(fontmaps, "_memo", {})
    forbid_reading(monkeypatch)
    assert widths(user_font) == first


def test_a_font_changed_on_disk_is_read_again(user_font, cache, monkeypatch):
    before = charmap(user_font)
    shutil.copy(fontmaps.FONTS / "LiberationSerif-Bold.ttf", user_font)  # another font, same path
    os.utime(user_font, ns=(1, 1))
    monkeypatch.setattr(fontmaps, "_memo", {})
    after = charmap(user_font)
    assert after != before and after == CharMap.of(reportlab_keys(user_font))
    assert len(list(cache.glob("*.json"))) == 2  # one entry per (path, size, mtime)


@pytest.mark.parametrize("damage", [
    b"", b"{not json", b"[]", b'{"format": 1}', b'{"format": 1, "key": null, "ranges": [[1, 2]]}',
    b"\xff\xfe binary",
])
def test_a_damaged_cache_entry_is_passed_over_and_replaced(user_font, cache, monkeypatch, damage):
    good = charmap(user_font)
    (entry,) = cache.glob("*.json")
    entry.write_bytes(damage)
    monkeypatch.setattr(fontmaps, "_memo", {})
    assert charmap(user_font) == good
    assert json.loads(entry.read_text())["ranges"] == good.ranges()


@pytest.mark.parametrize("damage", [
    None, [], {"default": 750}, {"default": -1, "ranges": [[0, 1]], "palette": [1], "runs": [[2, 0]]},
    {"default": 750, "ranges": [[0, 1]], "palette": [1], "runs": [[3, 0]]},  # more widths than code points
    {"default": 750, "ranges": [[0, 1]], "palette": [1], "runs": [0]},  # fewer
    {"default": 750, "ranges": [[0, 1]], "palette": [1], "runs": [1, 1]},  # no such palette entry
    {"default": 750, "ranges": [[0, 1]], "palette": [1], "runs": [[0, 0], [2, 0]]},
    {"default": 750, "ranges": [[0, 1]], "palette": [1], "runs": [[2, 0, 0]]},
    {"default": 750, "ranges": [[0, 1]], "palette": ["1"], "runs": [[2, 0]]},
    {"default": True, "ranges": [[0, 1]], "palette": [1], "runs": [[2, 0]]},
    {"default": 750, "ranges": [[1, 0]], "palette": [1], "runs": []},
])
def test_an_entry_with_damaged_widths_is_passed_over(user_font, cache, monkeypatch, damage):
    good = widths(user_font)
    (entry,) = cache.glob("*.json")
    data = json.loads(entry.read_text())
    data["widths"] = damage
    entry.write_text(json.dumps(data))
    monkeypatch.setattr(fontmaps, "_memo", {})
    assert widths(user_font) == good
    assert json.loads(entry.read_text())["widths"] == good.stored()


def test_an_entry_with_wrong_ranges_is_passed_over(user_font, cache, monkeypatch):
    good = charmap(user_font)
    (entry,) = cache.glob("*.json")
    data = json.loads(entry.read_text())
    for ranges in ([[5, 3]], [[1, 4], [3, 9]], [["a", "b"]], [[0, 0x110000]], "all"):
        data["ranges"] = ranges
        entry.write_text(json.dumps(data))
        monkeypatch.setattr(fontmaps, "_memo", {})
        assert charmap(user_font) == good, ranges


def test_an_unwritable_cache_is_no_error(user_font, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setattr(fontmaps, "_memo", {})
    assert charmap(user_font) == CharMap.of(reportlab_keys(user_font))
    assert blocker.read_text() == "a file where the cache folder would be"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_is_no_error(user_font, cache, monkeypatch):
    cache.mkdir(parents=True)
    cache.chmod(0o500)
    try:
        assert charmap(user_font) == CharMap.of(reportlab_keys(user_font))
        assert list(cache.iterdir()) == []
    finally:
        cache.chmod(0o700)


def test_no_home_and_no_xdg_means_no_cache(user_font, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: (_ for _ in ()).throw(RuntimeError("no home"))))
    monkeypatch.setattr(fontmaps, "_memo", {})
    assert fontmaps.cache_dir() is None
    assert charmap(user_font) == CharMap.of(reportlab_keys(user_font))


def test_an_unusable_font_says_why_and_is_not_cached(tmp_path, cache):
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 60)
    with pytest.raises(FontUnusable) as e:
        charmap(bad)
    assert str(e.value) and str(bad) not in str(e.value)
    assert not cache.exists() or list(cache.glob("*.json")) == []


# ---------------------------------------------------------------- text_width, as reportlab measures


def reportlab_text_width(files: dict, variant: str, text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, fonts.register_fonts(files)[variant], size)


def refuse_reportlab(monkeypatch):
    def refuse(files):
        raise AssertionError("text_width loaded the fonts into reportlab")
    monkeypatch.setattr(fonts, "register_fonts", refuse)


def dejavu_sans() -> dict:
    """DejaVu Sans's four files as fontconfig finds them: an installed font that is not bundled."""
    files = {}
    for v in fonts.VARIANTS:
        m = fonts.fc_match("DejaVu Sans", v)
        if m is None or "DejaVu Sans" not in m[1] or not m[0].endswith(".ttf"):
            pytest.skip("DejaVu Sans is not installed")
        files[v] = Path(m[0])
    return files


FAMILIES = {"serif": lambda: fonts.bundled("serif"), "sans": lambda: fonts.bundled("sans"), "dejavu": dejavu_sans}


@pytest.mark.parametrize("style", PRESETS)
def test_the_examples_labels_and_header_words_measure_as_reportlab_does(style, cache, monkeypatch):
    doc = load_document(ROOT / "source" / "spinal-metastases.yaml", style)
    table = next(i for i in doc.items if type(i) is ParticipantTable)
    t = typography(doc.style)
    text, head = t.roles["table-text"], t.roles["table-header"]
    files = doc.style.fonts
    probes = [(v, p.text, text.size) for p in (r[0] for r in table.rows) for v in fonts.VARIANTS]
    probes += [(v, w, head.size) for h in table.headers for w in h.text.split() for v in fonts.VARIANTS]
    monkeypatch.setattr(fontmaps, "_memo", {})
    with monkeypatch.context() as m:
        refuse_reportlab(m)
        ours = [fonts.text_width(files, v, s, size) for v, s, size in probes]
    assert ours == [reportlab_text_width(files, v, s, size) for v, s, size in probes]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_random_text_from_the_stored_ranges_measures_as_reportlab_does(family, cache, monkeypatch):
    files = FAMILIES[family]()
    rnd = random.Random(f"widths-{family}")
    latin = [chr(c) for c in IN_RANGES]
    probes = [(v, "".join(rnd.choices(latin, k=rnd.randint(0, 40))), rnd.choice([6, 7.5, 8, 9, 9.5, 10, 11, 12, 14.4]))
              for v in fonts.VARIANTS for _ in range(250)]
    with monkeypatch.context() as m:
        refuse_reportlab(m)
        ours = [fonts.text_width(files, v, s, size) for v, s, size in probes]
    assert ours == [reportlab_text_width(files, v, s, size) for v, s, size in probes]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_text_beyond_the_stored_ranges_still_measures_as_reportlab_does(family, cache):
    files = FAMILIES[family]()
    for text in ["Αθήνα", "Москва", "P\u200b07 №12 → ≥ 3", "漢字 😀", "\U0010ffff", "P07 (Ω)"]:
        for v in fonts.VARIANTS:
            assert fonts.text_width(files, v, text, 9.5) == reportlab_text_width(files, v, text, 9.5), (text, v)


def test_check_imports_no_rendering_library(tmp_path):
    """`supplement check` of the example: no reportlab, python-docx or lxml in the process."""
    probe = (
        "import sys\n"
        "from supplement.cli import main\n"
        "try:\n"
        f"    main(['check', {str(ROOT / 'source' / 'spinal-metastases.yaml')!r}])\n"
        "except SystemExit as e:\n"
        "    code = e.code\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'reportlab', 'docx', 'lxml', 'openpyxl', 'xlsxwriter', 'PIL'})\n"
        "print('EXIT', code, 'HEAVY', ','.join(heavy) or '-')\n"
    )
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.stdout.strip().splitlines()[-1] == "EXIT 0 HEAVY -", out.stdout + out.stderr
    assert not (tmp_path / "cache").exists()  # the bundled fonts' maps ship with the package
