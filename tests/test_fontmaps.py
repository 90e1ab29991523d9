"""The fonts' character maps the font-coverage check reads instead of the fonts (resolve/fontmaps.py).

The maps must answer exactly as reportlab's parser of the font does (its ``charToGlyph``
keys are what the PDF writer can draw), whether they come from the precomputed file for
the bundled fonts, from the cache, or from the font itself; and a damaged, stale or
unwritable cache is passed over, never an error. ``supplement check`` imports no
rendering library at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfbase.ttfonts import TTFontFile

from supplement.resolve import fontmaps
from supplement.resolve.fontmaps import CharMap, FontUnusable, charmap

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted(fontmaps.FONTS.glob("*.ttf"))
# Every code point of the Basic Multilingual Plane, and a few beyond it (emoji, CJK extension B).
PROBES = list(range(0x10000)) + [0x1F600, 0x20000, 0x10FFFF]


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
    def refuse(path):
        raise AssertionError(f"the font {path} was read; the map should have come from the cache")
    monkeypatch.setattr(fontmaps, "read_charmap", refuse)


@pytest.mark.parametrize("font", BUNDLED, ids=lambda p: p.name)
def test_the_shipped_map_of_each_bundled_font_answers_as_reportlab_does(font, cache, monkeypatch):
    keys = reportlab_keys(font)
    forbid_reading(monkeypatch)  # from fonts/cmaps.json, not from the font
    m = charmap(font)
    assert len(m) == len(keys) > 2000
    assert [c for c in PROBES if (c in m) != (c in keys)] == []
    assert not cache.exists()  # the bundled fonts need no cache


def test_the_shipped_file_is_what_the_generator_writes_now(tmp_path, monkeypatch):
    monkeypatch.setattr(fontmaps, "BUNDLED", tmp_path / "cmaps.json")
    fontmaps.write_bundle()
    assert json.loads((tmp_path / "cmaps.json").read_text()) == json.loads((fontmaps.FONTS / "cmaps.json").read_text())


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
