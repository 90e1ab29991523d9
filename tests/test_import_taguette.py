"""Taguette for real: the tests start Taguette (from PyPI) on 127.0.0.1 with its own database
in a temporary folder, upload an HTML and a WebVTT transcript, create tags and highlights
through its web API, export the highlights (CSV, XLSX) and the codebook (.qdc, CSV), and
import those files.

Taguette asks msg.taguette.org for news when it starts; the launcher turns that off, so the
server makes no outside connection."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid

import pytest

from importutil import assert_checks_and_builds, quotes, run
from supplement.importers import import_file

LAUNCH = ("import sys, taguette.web.base as b\n"
          "b.Application.check_messages = lambda self: None  # no call to msg.taguette.org\n"
          "from taguette.main import main\n"
          "sys.argv[0] = 'taguette'\n"
          "main()\n")

INTERVIEW = """<html><head><meta charset="utf-8"></head><body>
<p>Interviewer: How do you decide when to call?</p>
<p>Nurse A: You just know when something is wrong.</p>
<p>Nurse A: I called the doctor anyway, at three in the morning — nobody minded.</p>
</body></html>
"""
FOCUS_GROUP = """WEBVTT

00:00:01.000 --> 00:00:04.000
Moderator: What helps you decide?

00:00:05.000 --> 00:00:09.000
Nurse B: A second opinion from a colleague helps most.
"""
Q1 = "You just know when something is wrong."
Q2 = "I called the doctor anyway, at three in the morning — nobody minded."
Q3 = "A second opinion from a colleague helps most."


class Client:
    """A browser's worth of Taguette: cookies, the XSRF token, JSON calls."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  urllib.request.ProxyHandler({}))

    def xsrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "_xsrf")

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=30) as r:
            return r.read()

    def post(self, path: str, body: bytes, ctype: str) -> bytes:
        req = urllib.request.Request(self.base + path, data=body, method="POST",
                                     headers={"Content-Type": ctype, "X-Xsrftoken": self.xsrf()})
        with self.opener.open(req, timeout=60) as r:
            return r.read()

    def form(self, path: str, fields: dict) -> bytes:
        return self.post(path, urllib.parse.urlencode({**fields, "_xsrf": self.xsrf()}).encode(),
                         "application/x-www-form-urlencoded")

    def json(self, path: str, obj: dict) -> dict:
        return json.loads(self.post(path, json.dumps(obj).encode(), "application/json") or b"{}")

    def delete(self, path: str) -> None:
        req = urllib.request.Request(self.base + path, method="DELETE", headers={"X-Xsrftoken": self.xsrf()})
        with self.opener.open(req, timeout=30) as r:
            r.read()

    def upload(self, path: str, fields: dict, filename: str, data: bytes, ctype: str) -> dict:
        boundary = uuid.uuid4().hex
        parts = []
        for k, v in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                     f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return json.loads(self.post(path, b"".join(parts), f"multipart/form-data; boundary={boundary}"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def taguette(tmp_path_factory):
    try:
        import taguette  # noqa: F401
    except ImportError:
        pytest.skip("taguette not installed (pip install taguette, or pip install -e '.[test]')")
    home = tmp_path_factory.mktemp("taguette")
    port = _free_port()
    env = {**os.environ, "HOME": str(home)}
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "--no-browser", "-b", "127.0.0.1", "-p", str(port),
                             "--database", str(home / "taguette.sqlite3")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=home)
    try:
        token, seen, deadline = None, [], time.monotonic() + 90
        while token is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            seen.append(line)
            m = re.search(r"\?token=([0-9a-f]+)", line)
            token = m.group(1) if m else None
        assert token, "Taguette did not start:\n" + "".join(seen[-30:])
        client = Client(f"http://127.0.0.1:{port}")
        client.get(f"/?token={token}")            # single-user login
        client.get("/project/new")                 # sets the XSRF cookie
        yield client, home
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _text_offsets(html: str, part: str) -> tuple[int, int]:
    """Taguette's highlight offsets: UTF-8 bytes into the document's text nodes, in order."""
    from bs4 import BeautifulSoup, NavigableString
    soup = BeautifulSoup(html, "html5lib")
    text = "".join(s for s in soup.descendants if isinstance(s, NavigableString))
    i = text.index(part)
    return len(text[:i].encode("utf-8")), len(text[:i + len(part)].encode("utf-8"))


@pytest.fixture(scope="session")
def exports(taguette):
    """A project coded in Taguette through its API, and its exports on disk."""
    client, home = taguette
    client.form("/project/new", {"name": "Escalation decisions", "description": "import test"})
    pid = 1
    docs = {}
    for name, fname, data, ctype in [("Interview 1", "interview1.html", INTERVIEW, "text/html"),
                                     ("Focus group 1", "focus-group.vtt", FOCUS_GROUP, "text/vtt")]:
        docs[name] = client.upload(f"/api/project/{pid}/document/new",
                                   {"name": name, "description": ""}, fname, data.encode(), ctype)["created"]
    tags = {}
    for path, desc in [("intuition", "Acting on a sense that something is wrong"),
                       ("intuition\\gut feeling", "Knowing without a reason"),
                       ("support", "Help from colleagues")]:
        tags[path] = client.json(f"/api/project/{pid}/tag/new", {"path": path, "description": desc})["id"]
    client.docs, client.tags, client.highlights = docs, tags, {}
    for doc, part, tagged in [("Interview 1", Q1, ["intuition\\gut feeling"]),
                              ("Interview 1", Q2, ["intuition"]),
                              ("Focus group 1", Q3, ["support", "intuition"])]:
        _highlight(client, doc, part, tagged)
    return _export(client, home / "exports")


def _highlight(client, doc: str, part: str, tagged: list[str]) -> None:
    did = client.docs[doc]
    html = json.loads(client.get(f"/api/project/1/document/{did}/contents"))["contents"][0]["contents"]
    a, b = _text_offsets(html, part)
    hid = client.json(f"/api/project/1/document/{did}/highlight/new",
                      {"start_offset": a, "end_offset": b, "tags": [client.tags[t] for t in tagged]})["id"]
    client.highlights[part] = (did, hid)


def _export(client, out):
    pid = 1
    out.mkdir()
    files = {"csv": "/export/highlights/.csv", "xlsx": "/export/highlights/.xlsx",
             "qdc": "/export/codebook.qdc", "codebook.csv": "/export/codebook.csv"}
    paths = {}
    for kind, url in files.items():
        paths[kind] = out / ("highlights." + kind if kind in ("csv", "xlsx") else kind.replace("qdc", "codebook.qdc"))
        paths[kind].write_bytes(client.get(f"/project/{pid}{url}"))
    return paths


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_taguette_highlights_export_imports(exports, kind, tmp_path):
    f = exports[kind]
    assert f.read_bytes()[:2] == (b"PK" if kind == "xlsx" else b"id")  # what Taguette really wrote
    imp = import_file(str(f))
    sup = imp.sup
    assert [t.title for t in sup.themes] == ["intuition", "support"]
    assert [s.title for s in sup.themes[0].subthemes] == ["gut feeling"]
    assert [q.text for q in sup.themes[0].findings[0].quotes] == [Q2, Q3]
    assert [q.text for q in sup.themes[0].subthemes[0].findings[0].quotes] == [Q1]
    assert [q.text for q in sup.themes[1].findings[0].quotes] == [Q3]
    assert sorted(s.label for s in sup.sources) == ["Focus group 1", "Interview 1"]
    ids = {q.text: q.id for q in quotes(sup)}
    assert all(re.fullmatch(r"q\d+", i) for i in ids.values())  # Taguette's highlight ids, kept
    target = tmp_path / "tag.yaml"
    p = run("import", f, "--to", target)
    assert p.returncode == 0, p.stderr
    assert_checks_and_builds(target, tmp_path / "out", sup)


def test_taguette_csv_and_xlsx_give_the_same_source(exports):
    assert import_file(str(exports["csv"])).sup == import_file(str(exports["xlsx"])).sup


def test_taguette_codebook_qdc_imports_with_its_hierarchy(exports, tmp_path):
    imp = import_file(str(exports["qdc"]))
    assert imp.family == "refi-qda"
    titles = [(t.title, [s.title for s in t.subthemes]) for t in imp.sup.themes]
    # Taguette's default tag 'interesting' comes with every project
    assert sorted(titles) == [("interesting", []), ("intuition", ["gut feeling"]), ("support", [])]
    target = tmp_path / "book.yaml"
    assert run("import", exports["qdc"], "--to", target).returncode == 0
    assert_checks_and_builds(target, tmp_path / "out", imp.sup)


def test_taguette_codebook_csv_keeps_descriptions(exports):
    sup = import_file(str(exports["codebook.csv"])).sup
    by = {t.title: t for t in sup.themes}
    assert by["support"].findings[0].text == "Help from colleagues"
    assert by["intuition"].subthemes[0].findings[0].text == "Knowing without a reason"


@pytest.fixture(scope="session")
def recoded(taguette, exports):
    """The same project after recoding in Taguette: Q2 retagged, Q1's highlight deleted, a new one."""
    client, home = taguette
    did, hid = client.highlights[Q2]
    client.json(f"/api/project/1/document/{did}/highlight/{hid}", {"tags": [client.tags["support"]]})
    did, hid = client.highlights[Q1]
    client.delete(f"/api/project/1/document/{did}/highlight/{hid}")
    _highlight(client, "Interview 1", "How do you decide when to call?", ["support"])
    return _export(client, home / "exports-2")


def test_taguette_reimport_after_recoding(exports, recoded, tmp_path):
    src = tmp_path / "study.yaml"
    assert run("import", exports["csv"], "--to", src).returncode == 0
    text = src.read_text(encoding="utf-8")
    assert "title: support\n" in text
    src.write_text(text.replace("title: support\n", "title: Support from colleagues\n"), encoding="utf-8")
    p = run("import", recoded["csv"], "--into", src)
    assert p.returncode == 0, p.stderr
    assert f"moved quote '{Q2[:49]}…' from 'intuition' to 'Support from colleagues'" in p.stdout
    assert f"removed quote '{Q1}' from 'intuition > gut feeling'" in p.stdout
    assert "added quote 'How do you decide when to call?' to 'Support from colleagues'" in p.stdout
    assert "edited in place (comments and layout kept)" in p.stdout
    assert "# imported by `supplement import`" in src.read_text(encoding="utf-8")
    from supplement.reader import read_source
    after, report = read_source(src)
    assert [t.title for t in after.themes] == ["intuition", "Support from colleagues"]
    # the author's quote stays first; moved and new ones follow in the export's order
    assert [q.text for q in after.themes[1].findings[0].quotes] == [Q3, "How do you decide when to call?", Q2]
    assert_checks_and_builds(src, tmp_path / "out")
