"""`supplement build --format`: the new formats from the command line, and 'all'."""

from __future__ import annotations

from conftest import run_cli, snapshot


def test_format_all_writes_every_format_and_rebuilds_identically(small_source, tmp_path):
    out = tmp_path / "out"
    run_cli("build", small_source, "--out", out, "--format", "all", "-q")
    files = snapshot(out)
    assert sorted(files) == ["small.docx", "small.html", "small.md", "small.pdf", "small.xlsx"]
    assert files["small.html"].startswith(b"<!DOCTYPE html>") and files["small.md"].startswith(b"---\n")
    assert files["small.xlsx"][:2] == b"PK"
    run_cli("build", small_source, "--out", out, "--format", "html,md,xlsx", "-q")
    again = snapshot(out)
    assert {k: again[k] for k in ("small.html", "small.md", "small.xlsx")} == {
        k: files[k] for k in ("small.html", "small.md", "small.xlsx")}


def test_unknown_format_names_the_choices(small_source, tmp_path):
    result = run_cli("build", small_source, "--out", tmp_path, "--format", "html,odt", located_on_failure=False)
    assert result.exit_code == 2
    assert "unknown format 'odt'; choose from docx, pdf, html, md, xlsx or all" in result.stderr


def test_formats_command_lists_the_registry():
    from supplement.writers import FORMATS

    lines = run_cli("formats").stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(FORMATS) == ["docx", "pdf", "html", "md", "xlsx"]
    assert [line.split()[2] == "*" for line in lines] == [True, True, False, False, False]
    assert "one row per quote" in lines[4]


def test_watch_refuses_an_output_that_would_replace_its_source(tmp_path):
    from conftest import EXAMPLE

    src = tmp_path / "study.html"
    src.write_bytes(EXAMPLE.read_bytes())
    result = run_cli("watch", src, "--out", tmp_path, "--format", "html", located_on_failure=False)
    assert result.exit_code == 1 and "would replace the source" in result.stderr
    assert src.read_bytes() == EXAMPLE.read_bytes()


def test_hard_text_everywhere_renders_in_every_new_format(tmp_path):
    """The hardening suite's hard texts (a 10,000-character word, 2,000 words, RTL with
    combining marks, markup) in every place text goes at once: each new format renders,
    and the quote comes out whole (in the XLSX cell, the HTML text, the Markdown)."""
    import io

    import lxml.html
    import openpyxl

    from conftest import trimmed_data, write_source
    from formats_util import squash
    from supplement.pipeline import compile_document
    from supplement.writers import renderer
    from test_hardening import HARD_TEXT, TEXT_POSITIONS

    for name, text in HARD_TEXT.items():
        data = trimmed_data(1)
        for where in TEXT_POSITIONS.values():
            if where[-1] == "label" or ("{" in text and where[-1] == "caption"):
                continue  # a label is also how quotes cite it; a caption's braces are placeholders
            node = data
            for key in where[:-1]:
                node = node[key]
            node[where[-1]] = text
        doc, report = compile_document(write_source(tmp_path, data, f"{len(name)}.yaml"))
        if doc is None:  # a text so long that the style's page leaves a column no width: a located error
            assert "a column needs at least 9 pt" in report.text() and name == "10,000-character word", report.text()
            continue
        warnings = []
        html = renderer("html")(doc, warnings.append).decode()
        md = renderer("md")(doc, warnings.append).decode()
        book = openpyxl.load_workbook(io.BytesIO(renderer("xlsx")(doc, warnings.append)))
        quote = squash(text)
        assert f"“{quote}”" in squash(lxml.html.fromstring(html).text_content()), name
        assert book.worksheets[1]["D4"].value == f"“{quote}”", name  # the second quote's row
        if name != "markup and braces":  # there the Markdown escapes the markup
            assert f"“{quote}”" in md, name
        assert not warnings
