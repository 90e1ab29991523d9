"""Broken and hostile inputs: a located error or warning, never a traceback or 'internal error'
(exit 70), and never a half-written source."""

from __future__ import annotations

import io
import zipfile

import pytest

from importutil import run
from qdafixtures import Spec, project_xml, write_qdpx


def _zip(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)
    return buf.getvalue()


XML_OK = project_xml(Spec(inline_text=True))[0]

CASES = {
    "empty.qdpx": b"",
    "random.bin": bytes(range(256)) * 8,
    "truncated.qdpx": None,  # filled below from a real project
    "html.qde": b"<html><body>not a project</body></html>",
    "noqde.qdpx": _zip({"readme.txt": "hello"}),
    "other.zip": _zip({"a/b.txt": "x"}),
    "badpos.qde": XML_OK.replace('startPosition="', 'startPosition="x').encode(),
    "negative.qde": XML_OK.replace('endPosition="', 'endPosition="-').encode(),
    "deep.qde": ("<Project xmlns='urn:QDA-XML:project:1.0'><CodeBook><Codes>" + "<Code guid='g' name='n'>" * 300
                 + "</Code>" * 300 + "</Codes></CodeBook></Project>").encode(),
    "utf16.csv": "id,document,tag,content\r\n1,D,t,Café\r\n".encode("utf-16"),
    "header-only.csv": b"id,document,tag,content\r\n",
    "ragged.csv": b"id,document,tag,content\r\n1,D\r\n2,D,t,words,extra,cells\r\n",
    "quote.csv": b'id,document,tag,content\r\n1,D,t,"never closed\r\n',
    "nul.csv": b"id,document,tag,content\r\n1,D,t,a\x00b\r\n",
    "fake.xlsx": _zip({"xl/workbook.xml": "<not really/>"}),
    "fake.docx": _zip({"word/document.xml": "<w:document/>"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_reported_not_crashed(tmp_path, name):
    data = CASES[name]
    if data is None:
        data = write_qdpx(tmp_path / "whole.qdpx").read_bytes()[:-200]
    f = tmp_path / name
    f.write_bytes(data)
    target = tmp_path / "out.yaml"
    p = run("import", f, "--to", target)  # run() asserts there is no traceback and no internal error
    assert p.returncode in (0, 1), p.stderr
    if p.returncode == 1:
        assert not target.exists()
        assert str(f.name) in p.stderr and "error" in p.stderr
    else:
        assert target.exists()
        check = run("check", target)
        assert check.returncode == 0, check.stdout


def test_a_directory_as_target_is_a_usage_error(tmp_path):
    write_qdpx(tmp_path / "p.qdpx")
    (tmp_path / "dir.yaml").mkdir()
    p = run("import", tmp_path / "p.qdpx", "--to", tmp_path / "dir.yaml")
    assert p.returncode == 2 and "is a directory" in p.stderr


def test_an_entity_bomb_inside_a_workbook_is_refused(tmp_path):
    """openpyxl reads workbooks through defusedxml (a dependency): a sheet that declares
    entities is refused, not expanded."""
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(["id", "document", "tag", "content"])
    wb.active.append(["1", "D", "t", "PLACEHOLDER"])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                decl = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                text = text.replace("?>", "?>" + decl, 1) if text.startswith("<?xml") else decl + text
                data = text.encode("utf-8")
            dst.writestr(item, data)
    p = run("import", bomb, "--to", tmp_path / "s.yaml")
    assert p.returncode == 1 and "bomb.xlsx" in p.stderr
    assert not (tmp_path / "s.yaml").exists()
