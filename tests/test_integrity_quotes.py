"""Quotes against transcripts: the acceptance test of issue 15 and each transcript format.

Synthetic transcripts of the example are built here (tests/transcript_fixtures.py):
every quote on its cited page, rendered the way real transcripts differ. Then
misquotes are planted; every one must be caught and no clean quote flagged.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest

import transcript_fixtures as tf
from transcript_fixtures import cli as supplement
from supplement.integrity import matching, transcripts
from supplement.integrity.matching import Indexed
from supplement.integrity.verify import verify


def planted_study(folder: Path, seed: int, per_kind: int = 3):
    data = tf.example_data()
    pages, repeated = tf.build_pages(data, seed, repeat_on=3)
    rng = random.Random(seed)
    taken: set = set()
    planted = {}
    for kind in tf.KINDS * per_kind:
        i, desc = tf.plant(data, pages, kind, rng, taken, repeated)
        planted[i] = (kind, desc)
    names = {s: tf.write_txt(folder, s, pages[s], st).name
             for s, st in zip(tf.SOURCES, ("formfeed", "brackets", "dashes"))}
    return tf.write_source(folder, data, names), planted


def test_clean_transcripts_verify_every_quote(tmp_path):
    built = tf.build(tmp_path, seed=11)
    v = verify(built.source, families=("quotes",))
    assert len(v.quotes) == 122
    assert v.counts() == {"verified": 122}, [(r.quote.text[:60], r.outcome) for r in v.quotes
                                             if r.outcome.status != "verified"]
    # the two insertions that stand for other words are reported for review; the transcript's own
    # [laughter] and [unintelligible …] are not
    brackets = [d.message for n, d in v.findings.items if n == "quote-bracket-replaces"]
    assert sorted(brackets) == ['[multidisciplinary care] stands for "the tumor board people" in the transcript',
                                '[with] stands for "uh" in the transcript']


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_every_planted_misquote_is_caught_and_no_clean_quote_flagged(tmp_path, seed):
    source, planted = planted_study(tmp_path, seed)
    v = verify(source, families=("quotes",))
    assert len(v.quotes) == 122
    missed = [(planted[i], r.quote.text[:80]) for i, r in enumerate(v.quotes)
              if i in planted and r.outcome.status == "verified"]
    false = [(r.quote.text[:80], r.outcome.status) for i, r in enumerate(v.quotes)
             if i not in planted and r.outcome.status != "verified"]
    assert not missed
    assert not false
    assert len(planted) == 18
    for i, (kind, desc) in planted.items():
        status = v.quotes[i].outcome.status
        if kind == "wrong-page":
            assert status == "wrong-page", desc
            original = tf.cite_of(tf.all_quotes(tf.example_data())[i])[1]
            assert v.quotes[i].outcome.found_pages == (str(original),)
        else:
            assert status == "mismatch", (kind, desc, v.quotes[i].outcome)


def test_a_mismatch_names_the_differing_words(tmp_path):
    built = tf.build(tmp_path, seed=5)
    text = built.source.read_text(encoding="utf-8")
    text = text.replace("much more likely to look at their albumin", "much more likely to check their albumin")
    built.source.write_text(text, encoding="utf-8")
    v = verify(built.source, families=("quotes",))
    bad = [d for n, d in v.findings.items if n == "quote-mismatch"]
    assert len(bad) == 1
    assert "quote has 'check' where the transcript has 'look at'" in bad[0].message
    assert bad[0].severity == "error" and bad[0].pos.line > 0
    assert "albumin" in bad[0].hint  # the closest passage, in the transcript's own words


def test_segments_ellipses_and_brackets():
    t = transcripts.Transcript(Path("t.txt"), (transcripts.Page("1", "We saw it, the tumor board people "
                                                                     "said yes [laughter] and then -- well -- they "
                                                                     "went home early."),), "test")
    ix = Indexed.of(t)
    assert matching.check("We saw it…then…they went home", ix, 1, 1).status == "verified"
    # a bracket that stands for words is reported; one that is the transcript's own is not
    o = matching.check("[Clinicians] said yes [laughter] and then", ix, 1, 1)
    assert o.status == "verified" and o.replaced == ()
    o = matching.check("the [multidisciplinary team] said yes", ix, 1, 1)
    assert o.status == "verified" and o.replaced == (("[multidisciplinary team]", "tumor board people"),)
    assert matching.check("the tumor board people said no", ix, 1, 1).status == "mismatch"
    # a gap is bounded
    far = transcripts.Transcript(Path("t.txt"), (transcripts.Page("1", "start " + "word " * 200 + "end"),), "test")
    assert matching.check("start … end", Indexed.of(far), 1, 1).status != "verified"


def test_ten_ellipses_stay_fast():
    """No catastrophic backtracking: a quote with ten ellipses over a long transcript (the issue's
    bound is 0.1 s; bench/run.py measures it; here a generous bound)."""
    rng = random.Random(1)
    vocab = ["the", "and", "a", "of", "to", "we", "it", "that", "is", "in"]
    text = " ".join(rng.choice(vocab) for _ in range(20000))
    ix = Indexed.of(transcripts.Transcript(Path("t.txt"), (transcripts.Page("1", text),), "test"))
    quote = "…".join(["the and a"] * 11) + " zebra"
    start = time.perf_counter()
    assert matching.check(quote, ix, 1, 1).status in ("mismatch", "not-found")
    assert time.perf_counter() - start < 5


# ---------------------------------------------------------------------------- formats

PAGES = {1: "Interviewer: Tell me about the first case.\nP1: It was a Tuesday and the clinic was busy.",
         2: "P1: We decided to oper-\nate the next morning, and it went “well” — mostly.",
         3: "Interviewer: Anything else?\nP1: Nothing at all, thank you."}


def _check_three_pages(path: Path):
    t = transcripts.load(path)
    ix = Indexed.of(t)
    assert matching.check("We decided to operate the next morning, and it went \"well\"—mostly.", ix, 2, 2).status \
        == "verified", (t.method, [p.text for p in t.pages])
    o = matching.check("Nothing at all, thank you.", ix, 2, 2)
    assert o.status == "wrong-page" and o.found_pages == ("3",)
    return t


def test_txt_with_form_feeds_and_markers(tmp_path):
    p = tmp_path / "ff.txt"
    p.write_text("\f".join(PAGES.values()), encoding="utf-8")
    assert _check_three_pages(p).method == "form feeds"
    for style, mark in (("brackets", "[Page {}]"), ("dashes", "--- Page {} ---")):
        p = tmp_path / f"{style}.txt"
        p.write_text("\n".join(mark.format(n) + "\n" + t for n, t in PAGES.items()), encoding="utf-8")
        assert _check_three_pages(p).method == "page markers"
    p = tmp_path / "cp1252.txt"
    p.write_bytes("\f".join(PAGES.values()).replace("“", '"').replace("”", '"').replace("—", "--")
                  .encode("cp1252") + b" caf\xe9")
    assert "Windows-1252" in _check_three_pages(p).notes[0]


def _docx(path: Path, rendered: bool) -> None:
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    for n, text in PAGES.items():
        if not rendered:  # more than the slack LibreOffice's layout gets, so pages can still be told apart
            d.add_paragraph(f"Interviewer: on page {n} " + " ".join(f"word{n}x{i}" for i in range(120)))
        for line in text.split("\n"):
            d.add_paragraph(line.replace("-\n", ""))
        if n < 3:
            d.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    d.save(path)
    if rendered:  # as Word saves it: a rendered page break where each page starts
        with zipfile.ZipFile(path) as z:
            files = {n: z.read(n) for n in z.namelist()}
        xml = files["word/document.xml"].decode()
        xml = xml.replace('<w:br w:type="page"/>', '<w:br w:type="page"/></w:r><w:r><w:lastRenderedPageBreak/>')
        files["word/document.xml"] = xml.encode()
        with zipfile.ZipFile(path, "w") as z:
            for n, data in files.items():
                z.writestr(n, data)


def test_docx_with_word_page_breaks(tmp_path):
    p = tmp_path / "word.docx"
    _docx(p, rendered=True)
    assert _check_three_pages(p).method.startswith("Word's page breaks")


def test_docx_without_page_breaks_goes_through_libreoffice(tmp_path):
    if transcripts.soffice() is None:
        pytest.skip("LibreOffice (soffice) not installed")
    p = tmp_path / "plain.docx"
    _docx(p, rendered=False)
    t = _check_three_pages(p)
    assert t.method.startswith("LibreOffice") and t.slack > 0


def test_pdf_with_page_labels(tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) not installed")
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    raw = tmp_path / "raw.pdf"
    c = canvas.Canvas(str(raw), pagesize=letter)
    for n in (0, *PAGES):  # a cover page first, so that index and printed page differ
        for i, line in enumerate(PAGES.get(n, "Transcript of interview 1").split("\n")):
            c.drawString(72, 700 - 14 * i, line.replace("“", '"').replace("”", '"').replace("—", "--"))
        c.showPage()
    c.save()
    w = PdfWriter(clone_from=PdfReader(str(raw)))
    w.set_page_label(0, 0, "/r")
    w.set_page_label(1, 3, "/D", start=1)
    labelled = tmp_path / "labelled.pdf"
    w.write(str(labelled))
    t = _check_three_pages(labelled)
    assert [p.label for p in t.pages] == ["i", "1", "2", "3"] and "page labels" in t.method


def test_vtt_and_srt_cite_minutes(tmp_path):
    vtt = tmp_path / "i.vtt"
    vtt.write_text("WEBVTT\n\n00:01:05.000 --> 00:01:09.000\n<v Interviewer>How did it go?\n\n"
                   "00:04:31.500 --> 00:04:40.000\n<v P1>We decided to operate the next morning.\n", encoding="utf-8")
    srt = tmp_path / "i.srt"
    srt.write_text("1\n00:01:05,000 --> 00:01:09,000\nInterviewer: How did it go?\n\n"
                   "2\n00:04:31,500 --> 00:04:40,000\nP1: We decided to operate the next morning.\n", encoding="utf-8")
    for p in (vtt, srt):
        t = transcripts.load(p)
        ix = Indexed.of(t)
        assert t.timed and [pg.label for pg in t.pages] == ["01:05", "04:31"]
        assert matching.check("We decided to operate", ix, 4, 4).status == "verified"
        o = matching.check("We decided to operate", ix, 1, 1)
        assert o.status == "wrong-page" and o.found_pages == ("04:31",)


@pytest.mark.parametrize("name, content, expected", [
    ("missing.txt", None, "not found"),
    ("notes.xyz", b"hello", "cannot read '.xyz' transcripts"),
    ("broken.docx", b"PK\x03\x04 not really", "not a readable .docx"),
    ("empty.vtt", b"WEBVTT\n", "no cues found"),
])
def test_unreadable_transcripts_are_located_errors(tmp_path, name, content, expected):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    built = tf.build(tmp_path, seed=0)
    text = built.source.read_text(encoding="utf-8").replace("transcript: NonOp1.txt", f"transcript: {name}")
    built.source.write_text(text, encoding="utf-8")
    r = supplement("verify", built.source, "--format", "json")
    assert r.returncode == 1, r.stderr
    items = json.loads(r.stdout)
    bad = [d for d in items if d["check"] == "transcript-unreadable"]
    assert len(bad) == 1 and expected in bad[0]["message"]
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if f"transcript: {name}" in ln)
    assert bad[0]["line"] == line
    assert not [d for d in items if d["severity"] == "error" and d["check"].startswith("quote-")]  # the rest verify


# ---------------------------------------------------------------------------- the command

def test_verify_command_text_json_and_exit_status(tmp_path):
    built = tf.build(tmp_path, seed=3)
    (tmp_path / "study.identifiers.yaml").write_text("allow: [SINS, NOMS, FCOT]\n", encoding="utf-8")
    r = supplement("verify", built.source)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "122 quotes: 122 verified" in r.stdout
    assert "transcript FG: FG.txt (pages 1–36, by form feeds)" in r.stdout
    assert "transcript Non-Op 1: NonOp1.txt (pages 1–8, by page markers)" in r.stdout
    text = built.source.read_text(encoding="utf-8")
    built.source.write_text(text.replace("much more likely to look", "much more likely to glance"), encoding="utf-8")
    r = supplement("verify", built.source)
    assert r.returncode == 1
    assert re.search(r"study\.yaml:\d+:\d+: error: quote differs from FG's transcript", r.stdout)
    r = supplement("verify", built.source, "--format", "json")
    items = json.loads(r.stdout)
    assert {d["check"] for d in items if d["severity"] == "error"} == {"quote-mismatch"}


def test_fix_pages_rewrites_only_the_page_numbers(tmp_path):
    built = tf.build(tmp_path, seed=4)
    original = built.source.read_text(encoding="utf-8")
    # a comment and a structured citation, as authors write them
    lines = original.splitlines(keepends=True)
    cites = [i for i, ln in enumerate(lines) if re.match(r"\s+cite: ", ln)]
    labelled = [i for i in cites if "Non-Op" in lines[i]]
    a, b, c = cites[1], labelled[3], cites[100]
    wrong = list(lines)
    wrong[a] = re.sub(r"cite: (\d+)", lambda m: f"cite: {int(m.group(1)) + 2}  # checked", wrong[a])
    m_b = re.match(r"(\s+cite: )'?([^,']+), (\d+)'?", wrong[b])
    wrong[b] = f"{m_b.group(1)}{{source: {m_b.group(2).replace(' ', '').replace('-', '')}, pages: 1}}\n"
    wrong[c] = re.sub(r"(\d+)(['\"]?)\s*$", lambda m: "1" + m.group(2) + "\n", wrong[c])
    wrong[0] = "# my notes: keep this comment\n" + wrong[0]
    broken = "".join(wrong)
    built.source.write_text(broken, encoding="utf-8")
    before = verify(built.source, families=("quotes",))
    assert before.counts().get("wrong-page", 0) == 3
    r = supplement("verify", built.source, "--fix-pages")
    assert "rewrote" in r.stdout, r.stdout + r.stderr
    fixed = built.source.read_text(encoding="utf-8")
    assert fixed.startswith("# my notes: keep this comment\n")
    assert "# checked" in fixed
    after = verify(built.source, families=("quotes",))
    assert after.counts() == {"verified": 122}
    # only the digits changed: the same lines, the same text outside the page numbers
    assert len(fixed.splitlines()) == len(broken.splitlines())
    assert re.sub(r"\d+", "#", fixed) == re.sub(r"\d+", "#", broken)


def test_a_quote_without_words_is_a_warning(tmp_path):
    built = tf.build(tmp_path, seed=6)
    text = built.source.read_text(encoding="utf-8")
    first = re.search(r"- text: .*\n(?=\s+cite:)", text)  # a quote's text, not a finding's
    built.source.write_text(text.replace(first.group(0), "- text: '[laughter] …'\n", 1), encoding="utf-8")
    v = verify(built.source, families=("quotes",))
    assert v.counts() == {"verified": 121, "empty": 1}
    assert [(n, d.severity) for n, d in v.findings.items if n == "quote-no-words"] == [("quote-no-words", "warning")]
