"""The HTML writer, read back with lxml as a browser's parser would (the page in a real
browser, axe-core and the live preview: tests/test_browser.py)."""

from __future__ import annotations

import lxml.html
import pytest

from formats_util import HOSTILE, checked_example, example_doc, hostile_source, quote_rows, squash
from supplement.pipeline import load_document
from supplement.records import replace
from supplement.resolve.document import Run
from supplement.writers.html import render


@pytest.fixture(scope="module")
def doc():
    return checked_example()


@pytest.fixture(scope="module")
def page(doc):
    return render(doc)


@pytest.fixture(scope="module")
def tree(page):
    return lxml.html.fromstring(page)


def text(el) -> str:
    return squash(el.text_content())


def test_every_quote_finding_and_heading_in_its_rowgroup(doc, tree):
    table = tree.get_element_by_id("item-2-table")
    seen, finding = [], None
    for tbody in table.findall("tbody"):
        head = tbody.find("tr/th[@scope='rowgroup']")
        headings = tuple(text(p) for p in head.findall("div/p"))
        for tr in tbody.findall("tr"):
            tds = tr.findall("td")
            if len(tds) == 2:
                finding = text(tds[0])
            seen.append((headings, finding, text(tds[-1])))
    want = [(h, squash(f), squash(whole)) for h, f, _, _, whole in quote_rows(doc)]
    assert seen == want
    assert int(head.get("rowspan")) == len(tbody.findall("tr"))
    # the rowgroup headers name every theme (I-X) and subtheme, as printed
    names = [" / ".join(text(p) for p in th.iter("p")) for th in table.iterfind(".//th[@scope='rowgroup']")]
    assert names[:3] == ["I. Elements of Disease", "I. Elements of Disease / A. Failure of Initial Treatment",
                         "II. Guideline-Driven Care"]
    assert names[-1] == "X. Provider-Patient Relationship" and len(names) == 14
    # III has only subthemes: its heading heads each of theirs, and no rows of its own
    assert "III. Care Team Dynamics" not in names and names[3] == "III. Care Team Dynamics / A. Multidisciplinary Care"


def test_caption_thead_scopes_and_widths(doc, tree):
    for item in doc.items:
        table = tree.get_element_by_id(f"{item.anchor}-table")
        assert text(table.find("caption")) == squash(" ".join(p.text for p in item.caption))
        assert table.find("caption/span/span[@class='label']/b").text == f"{item.label}."
        heads = table.findall("thead/tr/th")
        assert [text(h) for h in heads] == [h.text for h in item.headers]
        assert {h.get("scope") for h in heads} == {"col"}
        widths = [float(c.get("style").split(":")[1].rstrip("%")) for c in table.findall("colgroup/col")]
        assert widths == pytest.approx([w * 100 for w in item.widths], abs=0.01)
    people = tree.get_element_by_id("item-1-table").findall("tbody/tr")
    assert [text(tr.find("th")) for tr in people] == [f"{n}." for n in range(1, 15)]
    assert {tr.find("th").get("scope") for tr in people} == {"row"}
    assert [text(c) for c in people[2]] == ["3.", "Orthopaedic Surgery*", "Assistant Professor", "Pennsylvania", "Canada"]
    assert text(tree.get_element_by_id("item-1").find("p[@class='table-note']")) == "* denotes international training"


def test_page_head_language_title_contents_and_no_script(doc, tree, page):
    assert tree.get("lang") == "en-US"
    assert tree.find("head/title").text == doc.meta.title
    assert tree.find(".//h1").text == doc.meta.title
    links = [(a.get("href"), text(a)) for a in tree.iterfind(".//nav[@class='contents']//a")]
    assert links == [("#item-1", "Appendix 1. Clinical background and experience of the clinicians who participated "
                      "in this study."), ("#item-2", "Appendix 2. Complete list of themes and subthemes with "
                                                      "supporting quotes.")]
    assert all(tree.get_element_by_id(h[1:]) is not None for h, _ in links)
    assert b"<script" not in page and b"<link" not in page and b"src=" not in page  # self-contained
    assert text(tree.find("body/header")) == doc.meta.header


def test_print_stylesheet_takes_page_margins_and_furniture_from_the_style(page):
    css = page.decode()
    assert "size: 792pt 612pt; margin: 72pt;" in css  # US Letter landscape, 1 in
    assert 'content: "Page " counter(page) " of " counter(pages);' in css
    assert "break-before: page" in css and ".quote, .finding, .theme, .subtheme, table.participants tr { break-inside: avoid; }" in css
    assert 'font-family: "Times New Roman", "Liberation Serif"' in css


def test_jama_cover_contents_superscript_letters_and_horizontal_rules():
    doc = example_doc("jama")
    page = render(doc)
    tree = lxml.html.fromstring(page)
    assert tree.find(".//h1").text == "Supplemental Online Content"
    assert [text(a) for a in tree.iterfind(".//nav//a")][0].startswith("eTable 1. ")
    assert tree.get_element_by_id("item-1-table").find("tbody/tr[3]/td[1]/span[@class='mark']/sup").text == "a"
    closing = doc.cover.closing[0].text
    assert closing in [text(p) for p in tree.iterfind(".//main/p")]
    assert "border: 0;" in page.decode() and "border-top: 0.8pt solid #000" in page.decode()
    assert text(tree.get_element_by_id("item-2-table").find("tbody/tr/td[2]")).endswith("(Focus group, p 6)")


def test_hostile_text_stays_text(tmp_path):
    doc = load_document(hostile_source(tmp_path))
    page = render(doc).decode()
    tree = lxml.html.fromstring(page)
    assert not tree.findall(".//script") and "<b>b</b>" not in page and "&lt;b&gt;b&lt;/b&gt;" in page
    assert tree.find("head/title").text == "Title " + squash(HOSTILE)
    body = text(tree.find("body"))
    for where in ("Short ", "Caption ", "Label ", "Cell ", "Themes ", "Theme ", "Finding ", "Quote ", "Note "):
        assert where + squash(HOSTILE) in body, where
    assert page.count("</style>") == 1  # the running header's CSS string cannot close the style sheet


def test_characters_html_cannot_hold_become_replacement_marks(doc):
    bad = "a\x00b\x1fc\ud800d\uffffe"
    meta = replace(doc.meta, title=bad, header=bad, footer=(("text", bad),))
    page = render(replace(doc, meta=meta)).decode("utf-8")
    assert "a\ufffdb\ufffdc\ufffdd\ufffde" in page and "\x00" not in page


def test_rebuild_is_byte_identical(page):
    assert render(example_doc()) == page


def test_run_formatting(doc):
    tt = doc.items[-1]
    b = tt.blocks[0]
    f = b.findings[0]
    q = replace(f.quotes[0], runs=(Run("x", bold=True, italic=True, superscript=True, role="mark"),))
    item = replace(tt, blocks=(replace(b, findings=(replace(f, quotes=(q,)),)),))
    page = render(replace(doc, items=(item,))).decode()
    assert '<p class="quote"><span class="mark"><b><i><sup>x</sup></i></b></span></p>' in page
