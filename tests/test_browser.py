"""The HTML page in a real browser (Debian's chromium, driven by Playwright from PyPI):
every quote shown, no axe-core violation, and the live preview: an edit shows within
2 s, errors show in the page over the last good rendering. Servers and the browser are
started and stopped here, on 127.0.0.1 only."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import EXAMPLE
from formats_util import checked_example, example_doc, quote_rows, squash
from supplement.build.preview import Preview, serve
from supplement.build.watch import follow
from supplement.writers.html import render

CHROMIUM = os.environ.get("SUPPLEMENT_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def axe_js() -> Path:
    """axe-core's axe.min.js, as .ci/run installs it (npm install -g axe-core)."""
    npm = shutil.which("npm")
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True).stdout.strip() if npm else ""
    path = Path(root) / "axe-core" / "axe.min.js"
    if not root or not path.is_file():
        pytest.skip("axe-core is not installed (npm install -g axe-core)")
    return path


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright; its browser download is not needed)")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"chromium is not installed (apt-get install chromium), looked for {CHROMIUM}")
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield context
        context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


def shown_quotes(page) -> list[str]:
    return page.eval_on_selector_all("#item-2-table td p.quote", "ps => ps.map(p => p.innerText)")


@pytest.fixture(scope="module")
def example_html(tmp_path_factory) -> Path:
    doc = checked_example()
    path = tmp_path_factory.mktemp("html") / "example.html"
    path.write_bytes(render(doc))
    return path


def test_the_browser_shows_every_quote_caption_and_heading(page, example_html):
    page.goto(example_html.as_uri())
    rows = quote_rows(example_doc())
    assert [squash(t) for t in shown_quotes(page)] == [squash(r[4]) for r in rows]
    assert len(rows) == 122
    captions = page.eval_on_selector_all("caption", "cs => cs.map(c => c.innerText)")
    assert [squash(c) for c in captions] == [squash(" ".join(p.text for p in it.caption)) for it in example_doc().items]
    body = page.inner_text("body")
    assert "X. Provider-Patient Relationship" in body and "[Non-Op 1, 2]" in body
    # printed with the print stylesheet: the style's page, each item on new pages, the column
    # heads on every page of the theme table, the running header and "Page n of N" on each
    from pypdf import PdfReader
    import io

    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    texts = [squash(p.extract_text()) for p in pdf.pages]
    n = len(texts)
    assert n > 10 and [round(float(x)) for x in pdf.pages[0].mediabox[2:]] == [792, 612]
    first = next(i for i, t in enumerate(texts) if "Themes are identified by Roman numerals" in t)
    assert texts[first].split("Transcripts")[0].endswith("Appendix 2. Complete list of themes and subthemes with "
                                                         "supporting quotes. Themes are identified by Roman numerals "
                                                         "(I-X) and subthemes are identified by capital letters "
                                                         "subordinated to the theme they fall under. Theme or "
                                                         "Subtheme Findings Supporting Text from ")
    assert "14." in texts[first - 1]  # the participants before it, on pages of their own
    for i, t in enumerate(texts):
        assert f"Page {i + 1} of {n}" in t and "Spinal metastases decision-making — supplement" in t
        if i >= first:  # the heads repeated, and never alone on a page
            assert "Theme or Subtheme Findings Supporting Text from Transcripts" in t, i
            assert t.split("Supporting Text from Transcripts", 1)[1].count("”") >= 2, i


@pytest.mark.parametrize("style", ["default", "jama"])
def test_axe_core_finds_no_violation(page, tmp_path, style):
    path = tmp_path / "page.html"
    path.write_bytes(render(example_doc(style)))
    page.goto(path.as_uri())
    page.add_script_tag(path=str(axe_js()))
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} nodes, e.g. ${v.nodes[0].html.slice(0, 200)}`)""")
    assert violations == []
    passes = page.evaluate("async () => (await axe.run()).passes.map(p => p.id)")
    assert {"document-title", "html-has-lang", "td-headers-attr", "th-has-data-cells"} <= set(passes)


class Served:
    """The preview of a copy of the example, served and followed until the test ends."""

    def __init__(self, source: Path):
        self.source = source
        self.preview = Preview(source)
        self.server = serve(self.preview, 0)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=follow, args=(source, self.preview.rebuild, self.stop), daemon=True)
        self.thread.start()
        end = time.monotonic() + 20
        while self.preview.version < 1 and time.monotonic() < end:
            time.sleep(0.02)
        time.sleep(0.3)  # the watch is set up right after the first build

    def save(self, text: str) -> None:
        tmp = self.source.with_name(f".{self.source.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.source)

    def close(self):
        self.stop.set()
        self.thread.join(10)
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def served(tmp_path):
    src = tmp_path / EXAMPLE.name
    shutil.copy(EXAMPLE, src)
    s = Served(src)
    yield s
    s.close()


def test_preview_shows_an_edit_within_two_seconds_and_errors_over_the_last_good_page(page, served):
    page.goto(served.url)
    assert len(shown_quotes(page)) == 122
    assert page.query_selector("script") is not None  # the served page polls; the HTML file has no script
    text = served.source.read_text(encoding="utf-8")
    edited = text.replace("title: 'Elements of Disease'", "title: 'Elements of Illness'")
    assert edited != text
    page.evaluate("window.scrollTo(0, 3000)")
    saved = time.monotonic()
    served.save(edited)
    page.wait_for_function("() => document.body.innerText.includes('I. Elements of Illness')", timeout=2000)
    took = time.monotonic() - saved
    assert took < 2.0
    page.wait_for_load_state()
    assert len(shown_quotes(page)) == 122
    assert page.evaluate("window.scrollY") > 1000  # the reload kept the reader's place

    # an error: shown at the top with its position, the last good rendering underneath
    broken = edited.replace("    title: 'Elements of Illness'", "    title: [Elements of Illness")
    assert broken != edited
    served.save(broken)
    page.wait_for_selector("#supplement-errors", timeout=2000)
    alert = page.inner_text("#supplement-errors")
    line = next(i for i, l in enumerate(broken.splitlines(), 1) if "[Elements of Illness" in l)
    assert f"{served.source}:{line}:" in alert or f"{served.source}:{line + 1}:" in alert, alert
    assert ": error: " in alert
    assert len(shown_quotes(page)) == 122 and "I. Elements of Illness" in page.inner_text("body")

    # fixed: the panel goes, the fix shows
    served.save(edited.replace("Elements of Illness", "Elements of Sickness"))
    page.wait_for_function("() => document.body.innerText.includes('I. Elements of Sickness')", timeout=2000)
    page.wait_for_load_state()
    assert page.query_selector("#supplement-errors") is None


def test_preview_serves_only_the_page_and_the_version(served):
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(served.url + "version", timeout=5) as r:
        assert r.read().decode().isdigit() and r.headers["Cache-Control"] == "no-store"
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(served.url + "../etc/passwd", timeout=5)
    assert e.value.code == 404
    assert served.server.server_address[0] == "127.0.0.1"
