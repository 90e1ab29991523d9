"""`build --pdf-engine libreoffice`: the .docx converted by LibreOffice into a tagged PDF.

Checked with pikepdf: structure tree, MarkInfo, /Lang from the source, the XMP ids
LibreOffice writes (pdfaid part 2 conformance B, pdfuaid part 1), table header cells
as TH with a Scope, metadata mended from the Document, identical rebuilds. This is
not PDF/A or PDF/UA validation: veraPDF cannot be installed here.
"""

from __future__ import annotations

import io
import shutil
import zipfile
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from conftest import EXAMPLE, trimmed_data, write_source
from supplement.cli import main
from supplement.pipeline import load_document

needs_lo = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")

PDFA = "{http://www.aiim.org/pdfa/ns/id/}"
PDFUA = "{http://www.aiim.org/pdfua/ns/id/}"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="supplement")


def structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element, depth first."""
    out: list = []
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            out.append(node)
            if "/K" in node:
                stack.append(node.K)
    return out


def role(pdf, element) -> str:
    """The standard structure type of an element (through the RoleMap for LibreOffice's style names)."""
    s = str(element.S)
    rolemap = pdf.Root.StructTreeRoot.get("/RoleMap", {})
    return str(rolemap.get(s, s))


def attributes(element) -> list:
    a = element.get("/A")
    if a is None:
        return []
    return list(a) if isinstance(a, pikepdf.Array) else [a]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("lo")
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    r = cli("build", EXAMPLE, "--out", out, "--pdf-engine", "libreoffice")
    assert r.exit_code == 0, r.output
    return out / "spinal-metastases.pdf"


@needs_lo
def test_tagged_with_language_and_pdfa_pdfua_ids(built):
    with pikepdf.open(built) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en-US"
        assert root.ViewerPreferences.DisplayDocTitle is True  # PDF/UA: the title, not the file name
        meta = pdf.open_metadata()
        assert meta[PDFA + "part"] == "2" and meta[PDFA + "conformance"] == "B"
        assert meta[PDFUA + "part"] == "1"
        assert "/OutputIntents" in root
        # every font embedded (PDF/A)
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                desc = font.get("/FontDescriptor")
                assert desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), font


@needs_lo
def test_header_cells_are_th_with_scope(built):
    doc = load_document(EXAMPLE)
    with pikepdf.open(built) as pdf:
        elements = structure(pdf)
        kinds = Counter(role(pdf, e) for e in elements)
        ths = [e for e in elements if role(pdf, e) == "/TH"]
        # every table of the .docx built beside it is a Table, its header rows' cells TH
        docx = built.with_suffix(".docx").read_bytes()
        body = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
        assert kinds["/Table"] == body.count("<w:tbl>") > 1
        assert kinds["/TD"] > 0 and kinds["/TR"] > 0
        # at least the participant table's heads and the three theme-table heads of each table
        participants = doc.items[0]
        assert len(ths) >= len(participants.headers) + 3 * (kinds["/Table"] - 1)
        for th in ths:
            scopes = [a.get("/Scope") for a in attributes(th) if a.get("/O") == "/Table"]
            assert scopes and scopes[0] in ("/Column", "/Row", "/Both"), repr(th.get("/A"))


@needs_lo
def test_metadata_from_the_document(built):
    doc = load_document(EXAMPLE)
    with pikepdf.open(built) as pdf:
        info = pdf.docinfo
        assert str(info.Title) == doc.meta.title  # LibreOffice alone writes "Clinicians&apos; …"
        assert "&apos;" not in str(info.Subject)
        assert str(info.Keywords) == ", ".join(doc.meta.keywords)
        meta = pdf.open_metadata()
        assert meta["dc:title"] == doc.meta.title
        assert meta["xmp:CreateDate"].startswith(doc.meta.date.strftime("%Y-%m-%d"))
        assert str(info.CreationDate).startswith("D:" + doc.meta.date.strftime("%Y%m%d"))


@needs_lo
def test_every_quote_citation_in_the_text(built):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    text = subprocess.run(["pdftotext", str(built), "-"], capture_output=True, text=True, check=True).stdout
    doc = load_document(EXAMPLE)
    assert doc.quote_count == 122
    assert text.count("[Non-Op 1,") + text.count("[Non-Op 2,") > 0
    assert "Appendix 1." in text and "Appendix 2." in text and "X. " in text


@needs_lo
def test_language_from_the_source_and_identical_rebuilds(tmp_path):
    data = trimmed_data(1)
    data["study"]["language"] = "de-DE"
    data["study"]["authors"] = ["A. Autor", "B. Autorin"]
    data["study"]["title"] = "Wie Pflegende entscheiden: \"Eskalation\" & <Pflege>"
    src = write_source(tmp_path, data, "de.yaml")
    outs = []
    for n in (1, 2):
        r = cli("build", src, "--out", tmp_path / f"o{n}", "--format", "pdf", "--pdf-engine", "libreoffice")
        assert r.exit_code == 0, r.output
        outs.append((tmp_path / f"o{n}" / "de.pdf").read_bytes())
    assert outs[0] == outs[1]
    with pikepdf.open(tmp_path / "o1" / "de.pdf") as pdf:
        assert str(pdf.Root.Lang) == "de-DE"
        assert str(pdf.docinfo.Title) == data["study"]["title"]
        assert str(pdf.docinfo.Author) == "A. Autor; B. Autorin"
        assert pdf.open_metadata()["dc:creator"] == ["A. Autor; B. Autorin"]


def test_missing_libreoffice_is_a_clear_error(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("SUPPLEMENT_SOFFICE", raising=False)
    monkeypatch.setattr("supplement.writers.libreoffice_pdf.MAC_APP", str(tmp_path / "nowhere"))
    src = write_source(tmp_path, trimmed_data(1))
    r = cli("build", src, "--out", tmp_path / "out", "--pdf-engine", "libreoffice")
    assert r.exit_code == 1
    assert "needs LibreOffice" in r.output and "apt-get install libreoffice-writer-nogui" in r.output
    assert "--pdf-engine reportlab" in r.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    # the default engine needs no LibreOffice
    r = cli("build", src, "--out", tmp_path / "out", "--format", "pdf")
    assert r.exit_code == 0, r.output


def test_named_soffice_that_does_not_exist(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPPLEMENT_SOFFICE", str(tmp_path / "no-soffice"))
    src = write_source(tmp_path, trimmed_data(1))
    r = cli("build", src, "--out", tmp_path / "out", "--pdf-engine", "libreoffice")
    assert r.exit_code == 1 and "SUPPLEMENT_SOFFICE" in r.output


def test_a_failing_soffice_leaves_earlier_outputs(tmp_path, monkeypatch):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("SUPPLEMENT_SOFFICE", str(fake))
    src = write_source(tmp_path, trimmed_data(1), "s.yaml")
    out = tmp_path / "out"
    out.mkdir()
    (out / "s.pdf").write_bytes(b"earlier")
    r = cli("build", src, "--out", out, "--pdf-engine", "libreoffice")
    assert r.exit_code == 1
    assert "status 1" in r.output and "could not be loaded" in r.output
    assert (out / "s.pdf").read_bytes() == b"earlier"
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]
