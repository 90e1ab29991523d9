"""ISSUE 7, inputs: no source or style file makes `supplement` crash, hang or leak.

* a property-based test mutates the reference source (deleted keys, swapped types,
  duplicate ids, empty lists, hostile strings) and runs `check` and `build` on it;
* a corpus of hand-written hostile files (tests/hostile/) each gets a fast, specific,
  located error;
* text the PDF font cannot show is reported with its position;
* user text never becomes markup or a file path in either writer.

Default run: 40 derandomized examples per property. Long run (2,000 random examples):

    pytest --run-slow tests/test_hardening.py
"""

from __future__ import annotations

import builtins
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis.control import currently_in_test_context
from hypothesis import strategies as st

from supplement.reader.declare import BAD_CHARS

from conftest import (EXAMPLE, HOSTILE, LOCATED, assert_orderly, dump, invoke, parts_left, run_cli, trimmed_data,
                      write_source)

# --- hostile strings ----------------------------------------------------------------------

ODD = [
    "\x00", "\ud800", "\udfff", "\x07", "\x1b[31m", "\x7f", "\x85", "\u2028", "\ufeff", "\uffff",
    "\u202e", "\u200f", "\u202b", "\u2066",  # RTL overrides and isolates
    "\u0301" * 5, "e\u0301\u0302\u0303", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627",  # combining, Hebrew, Arabic
    "\U0001F600", "\U0001F469\u200d\U0001F469\u200d\U0001F467", "\u4e2d\u6587", "\u2603",  # emoji, CJK
    "W" * 10_000, "word " * 2_000, "9" * 5_000,  # a 10,000-character word; many words; a huge number
    '<img src="/etc/passwd"/>', "<b>", "</b>", "&amp;", "&", "&#0;", "<font name='Courier' size='40'>",
    "<para>", "<br/>", '<a href="http://127.0.0.1:9/x">x</a>', '<onDraw name="showPage"/>', "]]>",
    "</w:t><w:r><w:t>", "<?xml version='1.0'?>", "<!ENTITY x SYSTEM 'file:///etc/passwd'>",
    "{", "}", "{}", "{0}", "{theme_range}", "{x.__class__}", "{number!r}", "%s", "%(x)s",
    "\n", "\t", "   ", "", "-", ": ", " #", "'", '"', "\\", "*a", "&a", "!!python/object:os.system",
    "yes", "no", "~", "null", ".nan", "-.inf", "0x10", "1e9999", "-1", "0", "2-1", "p. 3", "Non-Op 9, 4",
]

odd_text = st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=12)), min_size=1, max_size=3).map("".join)

# hostile text without the characters validation refuses anyway: it reaches the writers
storable_text = odd_text.map(lambda x: BAD_CHARS.sub("", x))

other_value = st.one_of(
    odd_text, st.integers(-10**6, 10**20), st.floats(), st.booleans(), st.none(),
    st.just([]), st.just({}), st.lists(odd_text, max_size=2),
    st.dictionaries(odd_text, odd_text, max_size=2),
)


def _walk(node, path=()):
    yield path, node
    if isinstance(node, dict):
        for k, v in list(node.items()):
            yield from _walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, path + (i,))


def _get(data, path):
    for p in path:
        data = data[p]
    return data


def _pick(draw, data, want=lambda path, node: True):
    found = [p for p, n in _walk(data) if want(p, n)]
    return draw(st.sampled_from(found)) if found else None


def _op_delete(draw, data):
    path = _pick(draw, data, lambda p, n: p != ())
    if path:
        parent = _get(data, path[:-1])
        del parent[path[-1]]


def _op_swap_type(draw, data):
    path = _pick(draw, data, lambda p, n: p != ())
    if path:
        _get(data, path[:-1])[path[-1]] = draw(other_value)


def _op_duplicate_id(draw, data):
    with_id = [p for p, n in _walk(data) if isinstance(n, dict) and "id" in n]
    if len(with_id) >= 2:
        a, b = draw(st.sampled_from(with_id)), draw(st.sampled_from(with_id))
        _get(data, b)["id"] = _get(data, a)["id"]


def _op_duplicate_item(draw, data):
    path = _pick(draw, data, lambda p, n: isinstance(n, list) and n)
    if path is not None:
        seq = _get(data, path)
        i = draw(st.integers(0, len(seq) - 1))
        seq.insert(draw(st.integers(0, len(seq))), yaml.safe_load(yaml.safe_dump(seq[i])))


def _op_empty(draw, data):
    path = _pick(draw, data, lambda p, n: isinstance(n, (list, dict)) and p != ())
    if path is not None:
        _get(data, path).clear()


def _op_odd_string(draw, data):
    path = _pick(draw, data, lambda p, n: p != () and not isinstance(n, (list, dict)))
    if path:
        _get(data, path[:-1])[path[-1]] = draw(odd_text)


def _op_odd_key(draw, data):
    path = _pick(draw, data, lambda p, n: isinstance(n, dict))
    if path is not None:
        _get(data, path)[draw(odd_text)] = draw(other_value)


def _op_rename_key(draw, data):
    path = _pick(draw, data, lambda p, n: isinstance(n, dict) and n)
    if path is not None:
        d = _get(data, path)
        key = draw(st.sampled_from(sorted(d, key=str)))
        d[draw(st.sampled_from([str(key).upper(), str(key) + "s", str(key)[:-1], " " + str(key)]))] = d.pop(key)


OPS = [_op_delete, _op_swap_type, _op_duplicate_id, _op_duplicate_item, _op_empty,
       _op_odd_string, _op_odd_string, _op_odd_string, _op_odd_key, _op_rename_key]


@st.composite
def mutated_source(draw, themes: int = 2) -> str:
    """YAML text of the trimmed example after 1-4 mutations."""
    data = trimmed_data(themes)
    for _ in range(draw(st.integers(1, 4))):
        draw(st.sampled_from(OPS))(draw, data)
    return dump(data)


@st.composite
def odd_text_source(draw) -> str:
    """The trimmed example with hostile text in places that are valid text, so the writers get it."""
    data = trimmed_data(2)
    not_text = {"id", "key", "column", "cite", "schema", "style", "language", "date", "speaker", "year"}
    texts = [p for p, n in _walk(data) if isinstance(n, str) and p and p[-1] not in not_text
             and not (len(p) >= 2 and p[-2] == "participants")]  # a source's participant ids
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(texts))
        _get(data, path[:-1])[path[-1]] = draw(odd_text) + " x"
    return dump(data)


LENGTHS = ["0pt", "0.1in", "0.5in", "1in", "2cm", "30mm", "2.5in", "3.5in", "4in", "5in", "100cm", "72 pt"]
TEMPLATES = ["{n}", "{n}.", "P{n}", "{theme}.{n}", "{number}", "Participant {number}, {specialty}", "{id}",
             "{short_title}", "{title} {citation}", "Page {page} of {pages}", "{page}", "{Kind}, p.", "", " ",
             "{{literal}}", "{", "{nope}"]


@st.composite
def style_settings(draw, obj=None, hostile: bool = False):
    """Settings for a style file, drawn from the declaration of STYLE: valid values (so the
    writers meet every combination), plus, when ``hostile``, some odd ones (reported, located)."""
    from supplement.reader.declare import Bool, Custom, Enum, ListOf, Number, Obj
    from supplement.resolve.style import STYLE

    obj = obj or STYLE

    def odd() -> bool:
        return hostile and draw(st.integers(0, 4)) == 0

    def value(t):
        if isinstance(t, Obj):
            return draw(style_settings(t, hostile))
        if odd():
            return draw(other_value)
        if isinstance(t, Enum):
            return draw(st.sampled_from(t.choices))
        if isinstance(t, Number):
            return draw(st.floats(t.min if t.min is not None else -10, t.max if t.max is not None else 100))
        if isinstance(t, Bool):
            return draw(st.booleans())
        if isinstance(t, ListOf):
            n = draw(st.integers(0, 4) if t.max_items is None else st.integers(t.min_items, t.max_items))
            return [value(t.item) for _ in range(n)]
        if isinstance(t, Custom) and "length" in t.what:
            return draw(st.sampled_from(LENGTHS))
        if isinstance(t, Custom) and "colour" in t.what:
            return draw(st.sampled_from(["D9D9D9", "000000", "FFFFFF"]))
        if isinstance(t, Custom):  # a template: the candidates it accepts, or any text without braces
            ok = [c for c in TEMPLATES if not t.convert(c)[1]]
            return draw(st.sampled_from(ok) | storable_text.filter(lambda x: not t.convert(x)[1]))
        return draw(st.sampled_from(["*", "†", "(continued)", "Arial", "Appendix", "", "—", "“", "”", " "])
                    | storable_text)

    out = {}
    for key, f in obj.fields.items():
        if key in ("extends", "pdf_files", "word_template", "description"):
            continue
        if draw(st.integers(0, 2)) == 0:  # about a third of the settings each time
            out[key] = value(f.type)
    return out


@st.composite
def styled_source(draw) -> tuple[str, str]:
    """(source YAML, style YAML): the trimmed example with a drawn style of its own."""
    data = trimmed_data(2)
    data["style"] = "style.yaml"
    style = {"extends": draw(st.sampled_from(["default"] + _presets()))}
    style.update(draw(style_settings(hostile=draw(st.integers(0, 3)) == 0)))
    return dump(data), dump(style)


def _presets() -> list[str]:
    from supplement.resolve.style import preset_names

    return preset_names()


def _valid_docx(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert "word/document.xml" in z.namelist()


def _valid_pdf(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]


def _check_and_build(text: str, style: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "study.yaml"
        src.write_text(text, encoding="utf-8")
        if style is not None:
            (Path(tmp) / "style.yaml").write_text(style, encoding="utf-8")
        out = Path(tmp) / "out"
        started = time.perf_counter()
        check = run_cli("check", src)
        build = invoke("build", src, "--out", out, "--format", "docx,pdf", "-q")
        assert_orderly(build)
        # a source check refuses is not built; one it passes is built, or refused by a writer that
        # cannot lay it out (found only when rendering), with a position like any error
        assert check.exit_code == 0 or build.exit_code != 0, (check.stdout, build.stderr[-3000:])
        if currently_in_test_context():
            event(f"check exit {check.exit_code}, build exit {build.exit_code}")
        if build.exit_code == 0:
            _valid_docx(out / "study.docx")
            _valid_pdf(out / "study.pdf")
        else:
            assert not out.exists() or not any(out.iterdir()), "a failed build wrote files"
        assert not parts_left(tmp)
        assert time.perf_counter() - started < 60, "one example took more than a minute: a hang?"


@given(mutated_source())
def test_mutated_source_checks_and_builds_or_fails_located(text):
    _check_and_build(text)


@given(odd_text_source())
def test_hostile_text_reaches_the_writers_without_crashing(text):
    _check_and_build(text)


@given(styled_source())
def test_any_style_builds_or_fails_located(source_and_style):
    """Every combination of style settings: the writers lay it out or the style is refused
    with a located error; never a writer crash."""
    _check_and_build(*source_and_style)


@settings(max_examples=min(settings.default.max_examples * 2, 2000))
@given(mutated_source(themes=10))
def test_mutated_full_source_checks_located(text):
    """`check` only (cheap), on the whole example, twice as many examples; json output too."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "study.yaml"
        src.write_text(text, encoding="utf-8")
        run_cli("check", src)
        result = run_cli("check", "--format", "json", src, located_on_failure=False)
        items = json.loads(result.stdout)
        assert all(d["line"] >= 1 and d["col"] >= 1 for d in items if d["severity"] == "error"
                   and d["file"] == str(src)), items
        if result.exit_code:
            assert any(d["severity"] == "error" and d["line"] >= 1 for d in items), items


TEXT_POSITIONS = {
    "title": ("study", "title"), "short_title": ("study", "short_title"),
    "participant caption": ("participants", "caption"), "number header": ("participants", "number_header"),
    "column label": ("participants", "columns", 0, "label"), "cell": ("participants", "rows", 5, "specialty"),
    "mark note": ("participants", "marks", 0, "note"), "theme caption": ("theme_table", "caption"),
    "theme header": ("theme_table", "headers", "quotes"), "theme title": ("themes", 0, "title"),
    "finding": ("themes", 0, "findings", 0, "text"), "quote": ("themes", 0, "findings", 0, "quotes", 1, "text"),
    "quote note": ("themes", 0, "findings", 0, "quotes", 1, "note"), "source label": ("sources", 1, "label"),
}
HARD_TEXT = {"10,000-character word": "W" * 10_000, "2,000 words": "word " * 2_000,
             "RTL and combining": "\u202e\u05e9\u05dc\u05d5\u05dd e\u0301\u0302 \u0645\u0631\u062d\u0628\u0627\u202c",
             "markup and braces": '<img src="/etc/passwd"/> <b>&amp;</b> <font size=40> {theme_range} {{ }}'}


@pytest.mark.parametrize("text", list(HARD_TEXT.values()), ids=list(HARD_TEXT))
@pytest.mark.parametrize("where", list(TEXT_POSITIONS.values()), ids=list(TEXT_POSITIONS))
def test_hard_text_in_every_position(where, text, tmp_path):
    """Each kind of hard text in each place text can go: built, or refused with a position."""
    data = trimmed_data(1)
    node = data
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = text
    if where[-1] == "label":  # a source label is also how quotes cite it
        for q in data["themes"][0]["findings"][0]["quotes"]:
            if str(q["cite"]).startswith("Non-Op 1"):
                q["cite"] = {"source": "NonOp1", "pages": str(q["cite"]).split(",")[-1].strip()}
    _check_and_build(dump(data))


def test_echoed_text_cannot_drive_the_terminal(tmp_path):
    """Messages quote the author's text; an escape sequence, a bidi override or a line break
    in it is printed escaped, never raw."""
    (tmp_path / "style.yaml").write_text('extends: default\npage: {size: "\\e[2J\\e[31mred"}\n')
    data = trimmed_data(1)
    data["style"] = "style.yaml"
    data["participants"]["columns"][0]["key"] = "spec\u202eialty"
    data["themes"][0]["findings"][0]["quotes"][0]["cite"] = "Non-Op 9\nsrc.yaml:1:1: error: fake, 3"
    output = _fast_failure("check", write_source(tmp_path, data))
    output += _fast_failure("check", _with_style(tmp_path, "style.yaml"))  # style read once the source is valid
    assert "\x1b" not in output and "\u202e" not in output, output
    assert "\\x1b[2J" in output and "spec\\u202eialty" in output and "Non-Op 9\\nsrc.yaml" in output, output
    assert not re.search(r"^src\.yaml:1:1", output, re.M)


def test_numbers_too_long_for_int(tmp_path):
    """int() refuses more than 4,300 digits (ValueError): a year or a page that long is an
    error at its position, not an internal error."""
    data = trimmed_data(1)
    data["study"]["year"] = "9" * 5000
    quotes = data["themes"][0]["findings"][0]["quotes"]
    quotes[0]["cite"] = "9" * 5000
    quotes[1]["cite"] = "Non-Op 1, " + "9" * 5000
    quotes[2]["cite"] = {"source": "NonOp1", "pages": "1-" + "9" * 5000}
    src = write_source(tmp_path, data)
    output = _fast_failure("check", src)
    assert len([m for m in LOCATED.finditer(output) if m["sev"] == "error"]) == 4, output
    assert "is out of range (1000 to 9999)" in output and "is not a page number (more than 9 digits)" in output


# --- hostile corpus -------------------------------------------------------------------------

def _located(output: str, file: Path | str, line: int | None = None, col: int | None = None):
    for m in LOCATED.finditer(output):
        if Path(m["file"]).name == Path(file).name and (line is None or int(m["line"]) == line) \
                and (col is None or int(m["col"]) == col):
            return m
    pytest.fail(f"no error at {file}:{line}:{col} in:\n{output[-3000:]}")


def _fast_failure(*args, located: bool = True):
    started = time.perf_counter()
    result = run_cli(*args, located_on_failure=located)
    elapsed = time.perf_counter() - started
    assert result.exit_code == 1, result.stdout + result.stderr
    assert elapsed < 2, f"took {elapsed:.1f} s"
    return result.stdout + result.stderr


CORPUS = [
    # file, wording, line, col
    ("alias_bomb.yaml", r"aliases expand to more than 100,000 values", 8, 10),
    ("alias_amplifier.yaml", r"aliases expand to more than [\d,]+ values", None, None),
    ("deep_nesting.yaml", r"nesting deeper than 64 levels", None, None),
    ("deep_flow.yaml", r"nesting deeper than 64 levels", 3, None),
    ("binary_garbage.yaml", r"byte 0x89 is not valid UTF-8", 1, 1),
    ("utf16_bom.yaml", r"file is UTF-16 or UTF-32 encoded; sources must be UTF-8", 1, 1),
    ("python_tag.yaml", r"YAML tag '.*python/object/apply:os\.system' is not allowed", 4, 10),
]


@pytest.mark.parametrize("name,wording,line,col", CORPUS, ids=[c[0] for c in CORPUS])
@pytest.mark.parametrize("command", ["check", "build"])
def test_hostile_source(name, wording, line, col, command, tmp_path):
    path = HOSTILE / name
    args = (command, path) + (("--out", tmp_path / "out") if command == "build" else ())
    output = _fast_failure(*args)
    m = _located(output, path, line, col)
    assert m["sev"] == "error"
    assert re.search(wording, output), output
    assert not (tmp_path / "out").exists()


def test_python_tag_runs_nothing(tmp_path):
    marker = Path("/tmp/supplement-pwned")
    marker.unlink(missing_ok=True)
    _fast_failure("check", HOSTILE / "python_tag.yaml")
    assert not marker.exists()


def test_fifty_megabyte_file(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.write(b"schema: 1\n")
        f.write((b"# " + b"x" * 1021 + b"\n") * (50 * 1024))
    started = time.perf_counter()
    output = _fast_failure("check", big)
    assert time.perf_counter() - started < 2
    _located(output, big, 1, 1)
    assert "file is 50.0 MiB; the limit is 32 MiB" in output


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_not_a_regular_file(kind, tmp_path):
    """A pipe would block the reader forever and /dev/zero would fill memory: both are refused."""
    if kind == "fifo":
        path = tmp_path / "pipe.yaml"
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    else:
        path = tmp_path / "dir.yaml"
        path.mkdir()
    started = time.perf_counter()
    result = run_cli("check", path, located_on_failure=False)
    assert time.perf_counter() - started < 2
    assert result.exit_code in (1, 2)
    assert re.search(r"not a regular file|is a directory", result.stdout + result.stderr)


# --- hostile style files ------------------------------------------------------------------

def _with_style(tmp_path, style: str | Path) -> Path:
    data = trimmed_data(2)
    data["style"] = str(style)
    return write_source(tmp_path, data)


@pytest.mark.parametrize("via", ["source", "--style"])
def test_style_that_extends_itself(via, tmp_path):
    style = HOSTILE / "style_extends_itself.yaml"
    src = _with_style(tmp_path, style if via == "source" else "default")
    args = ("check", src) + (("--style", style) if via == "--style" else ())
    output = _fast_failure(*args)
    _located(output, style, 2, 10)
    assert "extends itself (style_extends_itself.yaml -> style_extends_itself.yaml)" in output


def test_styles_that_extend_each_other(tmp_path):
    style = HOSTILE / "style_loop_a.yaml"
    output = _fast_failure("check", _with_style(tmp_path, style))
    _located(output, HOSTILE / "style_loop_b.yaml", 2, 10)
    assert "extends itself (style_loop_a.yaml -> style_loop_b.yaml -> style_loop_a.yaml)" in output


@pytest.mark.parametrize("command", ["check", "build"])
def test_style_font_that_is_not_a_font(command, tmp_path):
    style = HOSTILE / "style_not_a_font.yaml"
    args = (command, _with_style(tmp_path, style)) + (("--out", tmp_path / "out") if command == "build" else ())
    output = _fast_failure(*args)
    _located(output, style, 5, 14)
    assert "'not_a_font.ttf' is not a TrueType font file" in output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["check", "build"])
def test_style_font_with_a_font_header_but_garbage(command, tmp_path):
    """Four bytes of TrueType magic then garbage: refused when the style is loaded, not a writer crash."""
    style = HOSTILE / "style_fake_font.yaml"
    args = (command, _with_style(tmp_path, style)) + (("--out", tmp_path / "out") if command == "build" else ())
    output = _fast_failure(*args)
    _located(output, style, 5, 14)
    assert re.search(r"'fake_font.ttf' is not a (usable )?TrueType font", output), output
    assert not (tmp_path / "out").exists()


def test_style_font_that_is_a_pipe(tmp_path):
    os.mkfifo(tmp_path / "font.ttf")
    (tmp_path / "style.yaml").write_text("extends: default\nfont:\n  pdf_files:\n    regular: font.ttf\n"
                                         "    bold: font.ttf\n    italic: font.ttf\n    bold_italic: font.ttf\n")
    output = _fast_failure("check", _with_style(tmp_path, tmp_path / "style.yaml"))
    _located(output, tmp_path / "style.yaml", 4, 14)
    assert "not a regular file" in output


@pytest.mark.parametrize("command", ["check", "build"])
def test_word_template_that_is_not_a_docx(command, tmp_path):
    style = HOSTILE / "style_bad_template.yaml"
    args = (command, _with_style(tmp_path, style)) + (("--out", tmp_path / "out") if command == "build" else ())
    output = _fast_failure(*args)
    _located(output, style, 2, 16)
    assert "is not a Word file" in output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("margin", ["4in", "5in", "100cm"])
def test_style_margins_that_leave_no_room(margin, tmp_path):
    """Margins that leave almost no text area crashed the PDF writer (reportlab LayoutError,
    unlocated); refused by the style at page.margin."""
    (tmp_path / "style.yaml").write_text(f"extends: default\npage: {{orientation: portrait, margin: {margin}}}\n")
    output = _fast_failure("build", _with_style(tmp_path, tmp_path / "style.yaml"), "--out", tmp_path / "out")
    _located(output, tmp_path / "style.yaml", 2)
    assert "leaves a text area of" in output and not (tmp_path / "out").exists()


def test_table_the_pdf_cannot_lay_out_is_a_located_error(tmp_path):
    """A row that cannot fit on an empty page (24 pt type, a 3 in margin, a 5% column): the
    PDF writer reports it at the source position (SourceError through build.py), writes nothing."""
    (tmp_path / "style.yaml").write_text("extends: default\npage: {orientation: portrait, margin: 3in}\n"
                                         "font: {size: 24, table_size: 24}\ntable: {theme_widths: [0.05, 0.05, 0.9]}\n")
    src = _with_style(tmp_path, tmp_path / "style.yaml")
    assert run_cli("check", src).exit_code == 0  # found only when rendering
    output = _fast_failure("build", src, "--out", tmp_path / "out")
    m = _located(output, src)
    assert m["sev"] == "error" and "cannot be laid out in the PDF" in output
    assert not list((tmp_path / "out").iterdir())  # the folder is made before rendering; nothing in it


STYLE_CRASHES = {  # style settings that crashed (exit 70 or an unlocated writer failure), now located errors
    "empty mark sequence": ("notes:\n  symbols: symbols\n  sequence: []\n", 4, r"the list is empty; at least 1 item"),
    "one theme width": ("table:\n  theme_widths: [0.5]\n", 3, r"the list has 1 item; exactly 3 are needed"),
    "six theme widths": ("table:\n  theme_widths: [0.2, 0.2, 0.2, 0.2, 0.2, 0.2]\n", 3,
                         r"the list has 6 items; exactly 3 are needed"),
    "NUL in a template": ('footer: "Page {page}\\0"\n', 2, r"control character U\+0000"),
    "surrogate in a template": ('header: "\\ud800{short_title}"\n', 2, r"invalid Unicode character escape"),
    "style name too long": ("extends: " + "x" * 5000 + "\n", 1, r"unknown style 'x+"),
}


@pytest.mark.parametrize("settings_text,line,wording", list(STYLE_CRASHES.values()), ids=list(STYLE_CRASHES))
def test_style_settings_that_crashed(settings_text, line, wording, tmp_path):
    text = settings_text if settings_text.startswith("extends") else "extends: plos\n" + settings_text
    (tmp_path / "style.yaml").write_text(text, encoding="utf-8")
    output = _fast_failure("build", _with_style(tmp_path, tmp_path / "style.yaml"), "--out", tmp_path / "out")
    m = _located(output, tmp_path / "style.yaml", line)
    assert m["sev"] == "error" and re.search(wording, output), output
    assert not (tmp_path / "out").exists()


def test_word_template_zip_bomb(tmp_path):
    """A 100 KB .docx whose document.xml expands to 20 MiB: python-docx would parse all of
    it (300 MiB took 4 minutes and 23 GB); refused when the style is loaded."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(tmp_path / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                head, tail = data.split(b"<w:body>")
                data = head + b"<w:body>" + b"<w:p/>" * 3_500_000 + tail
            z.writestr(item.filename, data)
    assert (tmp_path / "bomb.docx").stat().st_size < 200_000
    (tmp_path / "style.yaml").write_text("extends: default\nword_template: bomb.docx\n")
    output = _fast_failure("build", _with_style(tmp_path, tmp_path / "style.yaml"), "--out", tmp_path / "out")
    _located(output, tmp_path / "style.yaml", 2, 16)
    assert re.search(r"the Word template 'bomb.docx' expands to \d+ MiB; the limit is 4 MiB", output), output


# --- text no font can show -------------------------------------------------------------------

def _source_with_quote(tmp_path, quote: str) -> tuple[Path, int]:
    data = trimmed_data(1)
    data["themes"][0]["findings"][0]["quotes"][0]["text"] = quote
    path = write_source(tmp_path, data)
    line = next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "Between" in l)
    return path, line


@pytest.mark.parametrize("char", ["\u4e2d", "\U0001F600"], ids=["cjk", "emoji"])
def test_uncovered_character_is_reported_with_position(char, tmp_path):
    src, line = _source_with_quote(tmp_path, f"Between us {char} it was hard.")
    check = run_cli("check", src)
    assert check.exit_code == 0
    m = _located(check.stdout, src, line)
    assert m["sev"] == "warning"
    assert f"U+{ord(char):04X}" in check.stdout
    build = run_cli("build", src, "--out", tmp_path / "out", "-q")
    assert build.exit_code == 0
    _located(build.stderr, src, line)
    assert f"U+{ord(char):04X}" in build.stderr
    strict = run_cli("build", src, "--out", tmp_path / "strict", "--strict", "-q")
    assert strict.exit_code == 1 and not (tmp_path / "strict").exists()


# --- user text never becomes markup or a path -----------------------------------------------

MARKUP = [
    '<img src="/etc/passwd"/>', '<img src="http://127.0.0.1:9/pixel.png" width="40" height="40"/>',
    "<b>not bold</b>", "&amp; stays", '<font name="Courier" size="40" color="red">big</font>',
    '<a href="file:///etc/passwd">link</a>', '<link href="http://127.0.0.1:9/">x</link>',
    '<onDraw name="showPage"/>', '<seq id="s"/>', "<br/>", "</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>",
    "]]>", "<!ENTITY e SYSTEM \"file:///etc/passwd\">&e;",
]


def _markup_source(tmp_path) -> Path:
    data = trimmed_data(2)
    data["study"]["title"] = "Title " + MARKUP[0]
    data["study"]["short_title"] = "Short " + MARKUP[3]
    data["participants"]["caption"] = "Caption " + MARKUP[2]
    data["participants"]["columns"][0]["label"] = "Label " + MARKUP[4]
    data["participants"]["rows"][0]["specialty"] = "Cell " + MARKUP[5]
    data["theme_table"]["caption"] = "Themes " + MARKUP[1]
    data["themes"][0]["title"] = "Theme " + MARKUP[6]
    finding = data["themes"][0]["findings"][0]
    finding["text"] = "Finding " + MARKUP[7]
    for quote, markup in zip(finding["quotes"], MARKUP):
        quote["text"] = f"Quote {markup} end"
    finding["quotes"][0]["note"] = "Note " + MARKUP[8]
    return write_source(tmp_path, data)


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _docx_text(path: Path) -> str:
    import docx

    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                parts.append(cell.text)
    for s in d.sections:
        parts += [p.text for p in s.header.paragraphs]
    return "\n".join(parts)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


class _Recorder:
    """Records every file opened and every network use while active."""

    def __init__(self, monkeypatch):
        self.paths: list[str] = []
        self.net: list[str] = []
        real_open, real_os_open = builtins.open, os.open

        def rec_open(file, *a, **k):
            if isinstance(file, (str, bytes, os.PathLike)):
                self.paths.append(os.fsdecode(file))
            return real_open(file, *a, **k)

        def rec_os_open(path, *a, **k):
            self.paths.append(os.fsdecode(path))
            return real_os_open(path, *a, **k)

        def no_net(*a, **k):
            self.net.append(repr(a[:2]))
            raise OSError("network use during a render")

        monkeypatch.setattr(builtins, "open", rec_open)
        monkeypatch.setattr(io, "open", rec_open)
        monkeypatch.setattr(os, "open", rec_os_open)
        monkeypatch.setattr(urllib.request, "urlopen", no_net)
        monkeypatch.setattr(socket, "create_connection", no_net)
        monkeypatch.setattr(socket.socket, "connect", no_net)


def test_markup_in_user_text_stays_literal_and_opens_nothing(tmp_path, monkeypatch):
    import docx
    import reportlab

    from supplement.build.run import build
    from supplement.pipeline import compile_document
    from supplement.writers import renderer

    src = _markup_source(tmp_path)
    doc, report = compile_document(src)
    assert doc is not None, report.text()
    for fmt in ("docx", "pdf"):  # import the writers (and what they import) before recording
        renderer(fmt)
    out = tmp_path / "out"
    out.mkdir()
    rec = _Recorder(monkeypatch)
    for fmt in ("docx", "pdf"):  # one format per call: rendered in this process, no fork
        result = build(src, out, [fmt])
        assert not result.report.errors, result.report.text()
    monkeypatch.undo()

    from supplement.resolve.style import FONTS, PRESETS

    allowed = [FONTS.resolve(), PRESETS.resolve(),
               Path(docx.__file__).parent / "templates", Path(reportlab.__file__).parent / "fonts",
               out.resolve(), src.resolve()]
    for p in rec.paths:
        rp = Path(p).resolve()
        assert any(rp == a or a in rp.parents for a in allowed), f"a render opened {p}"
    assert not rec.net, rec.net
    assert not any("passwd" in p for p in rec.paths)

    docx_text, pdf_text = _squash(_docx_text(out / "study.docx")), _squash(_pdf_text(out / "study.pdf"))
    for markup in MARKUP:
        assert _squash(markup) in docx_text, f"Word file lost literal {markup!r}"
        assert _squash(markup) in pdf_text, f"PDF lost literal {markup!r}"
    # nothing became a link, an image or a font change: no external relationship or image in the
    # Word file, no image, URI or standard (non-embedded) font in the PDF
    with zipfile.ZipFile(out / "study.docx") as z:
        for name in z.namelist():
            if name.endswith(".rels"):
                rels = z.read(name).decode()
                assert "127.0.0.1" not in rels and "passwd" not in rels and 'TargetMode="External"' not in rels, rels
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
    from pypdf import PdfReader

    for page in PdfReader(str(out / "study.pdf")).pages:
        res = page.get("/Resources") or {}
        xobjects = res.get("/XObject") or {}
        assert not [k for k, v in xobjects.items() if v.get_object().get("/Subtype") == "/Image"]
        for font in (res.get("/Font") or {}).values():
            base = str(font.get_object().get("/BaseFont"))
            assert "Courier" not in base and "Helvetica" not in base, base
        for annot in page.get("/Annots") or []:
            uri = str((annot.get_object().get("/A") or {}).get("/URI", ""))
            assert "127.0.0.1" not in uri and "passwd" not in uri, uri
    # and nothing became formatting: no run in the Word file is in Courier or 40 pt
    d = docx.Document(str(out / "study.docx"))
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    for r in p.runs:
                        assert r.font.name != "Courier" and (r.font.size is None or r.font.size.pt < 30)


def test_fonts_and_template_read_only_from_where_the_style_names(tmp_path, monkeypatch):
    """A style naming its own fonts and Word template: those files are read, and no others
    (no font of the same name from the current folder, no system font)."""
    import shutil

    import supplement
    from supplement.build.run import build
    from supplement.writers import renderer

    fonts = Path(supplement.__file__).parent / "fonts"
    sdir = tmp_path / "styles"
    (sdir / "f").mkdir(parents=True)
    for v, name in (("regular", "Regular"), ("bold", "Bold"), ("italic", "Italic"), ("bold_italic", "BoldItalic")):
        shutil.copy(fonts / f"LiberationSans-{name}.ttf", sdir / "f" / f"{v}.ttf")
    import docx

    docx.Document().save(str(sdir / "base.docx"))
    (sdir / "lab.yaml").write_text(
        "extends: default\nword_template: base.docx\nfont:\n  pdf_files:\n    regular: f/regular.ttf\n"
        "    bold: f/bold.ttf\n    italic: f/italic.ttf\n    bold_italic: f/bold_italic.ttf\n")
    src_dir = tmp_path / "study"
    src_dir.mkdir()
    src = _with_style(src_dir, "../styles/lab.yaml")
    # decoys in the current folder with the same names
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.docx").write_bytes(b"decoy")
    (tmp_path / "f").mkdir()
    for renderer_fmt in ("docx", "pdf"):
        renderer(renderer_fmt)
    out = tmp_path / "out"
    out.mkdir()
    rec = _Recorder(monkeypatch)
    for fmt in ("docx", "pdf"):
        result = build(src, out, [fmt])
        assert not result.report.errors, result.report.text()
    monkeypatch.undo()
    opened = {Path(p).resolve() for p in rec.paths}
    assert (sdir / "base.docx").resolve() in opened
    assert {(sdir / "f" / f"{v}.ttf").resolve() for v in ("regular", "bold", "italic", "bold_italic")} <= opened
    assert (tmp_path / "base.docx").resolve() not in opened
    assert not [p for p in opened if p.suffix.lower() in (".ttf", ".otf", ".ttc") and sdir not in p.parents]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab &<>\"'\n\r\t;#é’\x00")))
def test_the_writers_escaping_is_the_standard_librarys(text):
    """The writers escape text with supplement/writers/escaping.py (xml.sax.saxutils costs a
    PDF or Word worker 30-45 ms of imports): what it makes is what xml.sax.saxutils makes,
    and a worker rendering the example does not import it."""
    from xml.sax import saxutils

    from supplement.writers.escaping import escape, quoteattr

    assert escape(text) == saxutils.escape(text)
    assert escape(text, {'"': "&quot;"}) == saxutils.escape(text, {'"': "&quot;"})
    assert quoteattr(text) == saxutils.quoteattr(text)


def test_rendering_imports_no_web_client():
    code = ("import sys; from supplement.pipeline import load_document; from supplement.writers import FORMATS\n"
            f"d = load_document({str(EXAMPLE)!r})\n"
            "[FORMATS[f].render(d) for f in ('docx', 'pdf')]\n"
            "print(sorted(m for m in sys.modules if m in ('urllib.request', 'http.client', 'email', 'xml.sax')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert eval(out.stdout) == [], out.stdout
