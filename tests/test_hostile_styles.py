"""ISSUE 17: hostile styles and Word templates. Nothing from a style or a template leaks into
the outputs or the messages; each crafted file is refused fast, located, or built clean.

Part of the hostile suite (see tests/test_hardening.py for sources and its helpers).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from conftest import LOCATED, run_cli, trimmed_data, write_source
from test_hardening import _fast_failure, _located, _with_style

SECRET = "s3cr3t-7f1c9e-token"  # put in the environment of every test here: it must never be printed


@pytest.fixture(autouse=True)
def _secret_in_environment(monkeypatch):
    monkeypatch.setenv("SECRET_TOKEN", SECRET)


def _style(tmp_path, text: str) -> Path:
    (tmp_path / "style.yaml").write_text(text, encoding="utf-8")
    return _with_style(tmp_path, tmp_path / "style.yaml")


# --- items 3 and 4: placeholders are plain names ---------------------------------------------

PLACEHOLDERS = {
    "nested spec reads the environment": ("citations:\n  speaker: '{number:{id.__new__.__globals__[os].environ[SECRET_TOKEN]}}'\n", 3, 12),
    "whole environment": ("citations:\n  unlabeled: '{Kind:{id.__new__.__globals__[os].environ}}'\n", 3, 14),
    "attribute access": ("labels:\n  item: '{n.__class__}'\n", 3, 9),
    "indexing": ("citations:\n  speaker: '{id[0]}'\n", 3, 12),
    "conversion": ("labels:\n  item: 'Item {n!r}'\n", 3, 9),
    "unknown conversion": ("table:\n  number_format: '{n!z}'\n", 3, 18),
    "string spec": ("labels:\n  item: '{n:s}'\n", 3, 9),
    "huge padding": ("table:\n  number_format: '{n:x>1500000000}'\n", 3, 18),
    "control character": ("labels:\n  item: 'Item{n:c}'\n", 3, 9),
    "header": ("header: '{short_title.__doc__}'\n", 2, 9),
}


@pytest.mark.parametrize("text,line,col", list(PLACEHOLDERS.values()), ids=list(PLACEHOLDERS))
def test_style_placeholder_is_a_plain_name(text, line, col, tmp_path):
    output = _fast_failure("check", _style(tmp_path, "extends: default\n" + text))
    m = _located(output, "style.yaml", line, col)
    assert m["sev"] == "error" and "that is not a plain name" in output, output
    assert SECRET not in output and "environ(" not in output and "PATH" not in output


CAPTIONS = {
    "participants spec": ("participants", "{participants:s} clinicians"),
    "participants conversion": ("participants", "{participants!z} clinicians"),
    "participants float": ("participants", "{participants:,.2f%} clinicians"),
    "theme range spec": ("theme_table", "Themes {theme_range:d}."),
    "quotes char": ("theme_table", "{quotes:c} quotes."),
    "environment": ("theme_table", "{themes:{themes.__class__.__init__.__globals__[os].environ[SECRET_TOKEN]}}"),
    "padding": ("participants", "{participants:x>1500000000}"),
}


@pytest.mark.parametrize("where,caption", list(CAPTIONS.values()), ids=list(CAPTIONS))
def test_caption_placeholder_is_a_plain_name(where, caption, tmp_path):
    """These exited 70 ('this is a bug'), printed the environment, took 70 s and 3 GB, or put
    control characters in the outline: now an error at the caption."""
    data = trimmed_data(1)
    data[where]["caption"] = caption
    src = write_source(tmp_path, data)
    line = next(i for i, l in enumerate(src.read_text().splitlines(), 1) if l.lstrip().startswith("caption:")
                and caption[:6] in l)
    for command in ("check", "build"):
        output = _fast_failure(command, src, *(("--out", tmp_path / "out") if command == "build" else ()))
        m = _located(output, src, line)
        assert m["sev"] == "error" and "not a plain name" in output, output
        assert SECRET not in output
    assert not (tmp_path / "out").exists()


def test_placeholders_fill_only_names():
    from supplement.resolve import placeholders

    assert placeholders.fill("{a} {{b}} {c}", {"a": 1}) == "1 {b} "
    assert placeholders.fill("{a.__class__}", {"a": 1}) == "{a.__class__}"  # never evaluated
    assert placeholders.problem("x {n} {{y}}", ("n",)) == ""
    assert "unknown placeholder '{m}'" in placeholders.problem("{m}", ("n",))
    assert "unbalanced braces (a lone '}' at character 2)" in placeholders.problem("a}", ("n",))
    assert list(placeholders.pieces("Page {page} of {pages}!")) == [("Page ", "page"), (" of ", "pages"), ("!", None)]
    started = time.perf_counter()
    assert placeholders.names("{" + "a" * 1_000_000) .startswith("unbalanced")
    assert placeholders.names("{a" * 200_000).startswith("unbalanced")
    assert time.perf_counter() - started < 2


# --- item 8: citations parse in linear time ---------------------------------------------------

@pytest.mark.parametrize("cite", ["x" + " " * 100_000 + "y", "Non-Op 1," + " " * 100_000 + "2x",
                                  "1" + " " * 100_000 + "-"], ids=["spaces", "source", "range"])
def test_long_citation_is_refused_fast(cite, tmp_path):
    """'x<100,000 spaces>y' took 20 s in check (the shorthand pattern backtracked)."""
    data = trimmed_data(1)
    data["themes"][0]["findings"][0]["quotes"][0]["cite"] = cite
    output = _fast_failure("check", write_source(tmp_path, data))
    assert re.search(r"the citation is 100,0\d\d characters long; the limit is 200", output), output
    assert len(output) < 2000


def test_citation_patterns_are_linear(monkeypatch):
    from supplement.reader import cite

    monkeypatch.setattr(cite, "MAX_CITE", 10**9)  # the patterns themselves, without the length limit
    started = time.perf_counter()
    for text in ["x" + " " * 200_000 + "y", "A, 1" + " " * 200_000 + "x", "1 " * 100_000 + "x", ", " * 100_000]:
        cite.parse_shorthand(text)
        cite.parse_pages(text)
    assert time.perf_counter() - started < 2


# --- item 10: font files have a size limit ----------------------------------------------------

def test_huge_sparse_font_is_refused_before_reading(tmp_path):
    """A sparse 3 GB file with a TrueType header took 18 s and 3 GB before being refused."""
    with open(tmp_path / "big.ttf", "wb") as f:
        f.write(b"\x00\x01\x00\x00")
        f.truncate(3 * 2**30)
    src = _style(tmp_path, "extends: default\nfont:\n  pdf_files:\n    regular: big.ttf\n    bold: big.ttf\n"
                           "    italic: big.ttf\n    bold_italic: big.ttf\n")
    output = _fast_failure("check", src)
    _located(output, "style.yaml", 4, 14)
    assert "font file 'big.ttf' is 3,072 MiB; the limit is 64 MiB" in output


# --- item 12: a date that is not a date; a chain of 1,000 styles ------------------------------

def test_date_that_is_not_in_the_calendar(tmp_path):
    data = trimmed_data(1)
    data["study"]["date"] = "2024-02-30"
    src = write_source(tmp_path, data)
    line = next(i for i, l in enumerate(src.read_text().splitlines(), 1) if "2024-02-30" in l)
    output = _fast_failure("build", src, "--out", tmp_path / "out")
    _located(output, src, line)
    assert "'2024-02-30' is not a date in the calendar" in output


def test_extends_chain_of_a_thousand_files(tmp_path):
    for i in range(1000):
        (tmp_path / f"s{i}.yaml").write_text(f"extends: s{i + 1}.yaml\n" if i < 999 else "extends: default\n")
    output = _fast_failure("check", _with_style(tmp_path, tmp_path / "s0.yaml"))
    _located(output, "s31.yaml", 1, 10)
    assert "styles extend each other more than 32 deep" in output


# --- item 14: a style that is not a style file; a huge margin ---------------------------------

def test_style_that_is_not_a_yaml_file_is_not_quoted(tmp_path):
    """`supplement styles /etc/shadow` printed lines of the file in "unknown key 'root:*:…'"."""
    secret = tmp_path / "shadow"
    secret.write_text(f"root:{SECRET}:19000:0:99999:7:::\n")
    for args in (("styles", secret), ("check", _with_style(tmp_path, secret))):
        output = _fast_failure(*args, located=args[0] == "check")  # a command-line argument has no line
        assert "is not a style file: a style file's name ends in .yaml or .yml" in output
        assert SECRET not in output and "root:" not in output
    (tmp_path / "s.yaml").write_text(f"extends: {secret}\n")
    output = _fast_failure("styles", tmp_path / "s.yaml")
    _located(output, "s.yaml", 1, 10)
    assert SECRET not in output


def test_huge_margin_reads_as_too_long(tmp_path):
    """A margin of 400 nines read 'a margin of infin'."""
    output = _fast_failure("check", _style(tmp_path, "extends: default\npage: {margin: " + "9" * 400 + "in}\n"))
    _located(output, "style.yaml", 2, 16)
    assert "is too long a length; a page is at most 22in" in output and "inf" not in output.replace("info", "")
