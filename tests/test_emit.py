"""The source writer: load(emit(x)) == x for generated models and for the example."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srcutil import EXAMPLE
from supplement.reader import read_source
from supplement.reader.declare import BAD_CHARS
from supplement.records import replace
from supplement.study.emit import emit, scalar
from supplement.study.model import (
    Author,
    Checklist,
    Section,
    Table,
    TextBlock,
    Cite,
    Column,
    DEFAULT_COVERAGE_CAPTION,
    CoverageTableSettings,
    Finding,
    Headers,
    Mark,
    Pages,
    Participant,
    Participants,
    Quote,
    Source,
    Study,
    Subtheme,
    Supplement,
    Theme,
    ThemeTableSettings,
)

# Any text a source may hold: YAML-significant characters, quotes, line breaks, other scripts.
_ALPHABET = st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(
    chr(c) for c in range(0x110) if BAD_CHARS.match(chr(c))) + "\ufffe\uffff")
_TRICKY = st.sampled_from(["no", "yes", "~", "null", "1.10", "08", "- x", "a: b", "a #b", "#c", "'q'", '"q"', "@x",
                           "`x", "[a]", "{a}", "*a", "&a", "!a", "%a", "|", ">", "? x", " lead", "trail ", "a\nb",
                           "x\u2028y", "tab\there", "6", "8-9", "Non-Op 1, 2", "…", "“curly”", "— dash"])
TEXT = st.one_of(_TRICKY, st.text(_ALPHABET, min_size=1, max_size=40)).filter(lambda s: s.strip() != "")
ID = st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,8}", fullmatch=True)
PAGES = st.integers(1, 999).flatmap(lambda a: st.sampled_from([Pages(a, a), Pages(a, a + 3)]))


@st.composite
def cites(draw):
    source = draw(st.one_of(st.none(), TEXT))
    pages = draw(PAGES) if source is None else draw(st.one_of(st.none(), PAGES))
    return Cite(source, pages)


QUOTE = st.builds(Quote, text=TEXT, cite=cites(), note=st.one_of(st.none(), TEXT),
                  speaker=st.one_of(st.none(), ID), id=st.one_of(st.none(), ID),
                  repeat=st.booleans())
FINDING = st.builds(Finding, text=TEXT, quotes=st.lists(QUOTE, max_size=3).map(tuple), id=st.one_of(st.none(), ID))
FINDINGS = st.lists(FINDING, max_size=2).map(tuple)


@st.composite
def participants(draw):
    keys = draw(st.lists(ID.filter(lambda k: k not in ("id", "code")), min_size=1, max_size=3, unique=True))
    columns = tuple(Column(k, draw(TEXT)) for k in keys)
    mark_keys = draw(st.lists(ID.filter(lambda k: k not in keys + ["id", "code"]), max_size=2, unique=True))
    marks = tuple(Mark(k, draw(st.sampled_from(keys)), draw(TEXT), draw(st.one_of(st.none(), TEXT)))
                  for k in mark_keys)
    rows = []
    for pid in draw(st.lists(ID, min_size=1, max_size=3, unique=True)):
        cells = tuple((k, draw(st.text(_ALPHABET, max_size=20))) for k in keys if draw(st.booleans()))
        rows.append(Participant(pid, cells, tuple(k for k in mark_keys if draw(st.booleans())),
                                code=draw(st.one_of(st.none(), TEXT))))
    return Participants(draw(TEXT), columns, tuple(rows), number_header=draw(TEXT), marks=marks,
                        notes=tuple(draw(st.lists(TEXT, max_size=2))))


@st.composite
def supplements(draw):
    themes = []
    for tid in draw(st.lists(ID, min_size=1, max_size=3, unique=True)):
        subs = tuple(Subtheme(sid, draw(TEXT), draw(FINDINGS))
                     for sid in draw(st.lists(ID, max_size=2, unique=True)))
        themes.append(Theme(tid, draw(TEXT), draw(FINDINGS), subs))
    sources = tuple(Source(sid, draw(TEXT), draw(st.one_of(st.none(), TEXT)),
                           tuple(draw(st.lists(ID, max_size=2))), draw(st.one_of(st.none(), TEXT)))
                    for sid in draw(st.lists(ID, min_size=1, max_size=3, unique=True)))
    study = Study(draw(TEXT), short_title=draw(st.one_of(st.none(), TEXT)),
                  authors=tuple(draw(st.lists(st.one_of(TEXT, st.builds(Author, family=TEXT, given=st.one_of(st.none(), TEXT))), max_size=3))), year=draw(st.one_of(st.none(), st.integers(1000, 9999))),
                  journal=draw(st.one_of(st.none(), TEXT)), keywords=tuple(draw(st.lists(TEXT, max_size=2))),
                  language=draw(st.sampled_from(["en-US", "fr", "de-CH"])),
                  date=draw(st.one_of(st.none(), st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}")
                                      .filter(lambda s: not s.startswith("0")))))
    table = draw(st.one_of(st.none(), st.builds(
        ThemeTableSettings, caption=TEXT.filter(lambda s: "{" not in s and "}" not in s),
        headers=st.one_of(st.none(), st.builds(Headers, TEXT, TEXT, TEXT)), notes=st.lists(TEXT, max_size=2).map(tuple))))
    ids = draw(st.lists(ID.filter(lambda k: k not in ("participants", "themes")), max_size=3, unique=True))
    sections, tables, checklists = [], [], []
    for i, iid in enumerate(ids):
        if i % 3 == 0:
            blocks = draw(st.lists(st.one_of(
                st.builds(TextBlock, kind=st.sampled_from(["heading", "paragraph"]), text=TEXT),
                st.builds(TextBlock, kind=st.sampled_from(["numbered", "bulleted"]),
                          items=st.lists(TEXT, min_size=1, max_size=2).map(tuple))), min_size=1, max_size=3))
            sections.append(Section(iid, draw(TEXT), tuple(blocks)))
        elif i % 3 == 1:
            keys = draw(st.lists(ID, min_size=1, max_size=2, unique=True))
            rows = draw(st.lists(st.lists(st.tuples(st.sampled_from(keys), TEXT), max_size=2,
                                          unique_by=lambda t: t[0]).map(tuple), max_size=2))
            tables.append(Table(iid, draw(TEXT), tuple(Column(k, draw(TEXT)) for k in keys), tuple(rows),
                                tuple(draw(st.lists(TEXT, max_size=1)))))
        else:
            answers = draw(st.lists(st.tuples(st.sampled_from([str(n) for n in range(1, 33)]), TEXT), max_size=3,
                                    unique_by=lambda t: t[0]))
            checklists.append(Checklist(iid, "coreq", tuple(answers), draw(st.one_of(st.none(), TEXT))))
    appendix = tuple(draw(st.permutations(["themes"] + ids))) if draw(st.booleans()) else ()
    return Supplement(study, sources, tuple(themes), style=draw(st.sampled_from(["default", "jama", "my style.yaml"])),
                      participants=draw(st.one_of(st.none(), participants())), theme_table=table,
                      sections=tuple(sections), tables=tuple(tables), checklists=tuple(checklists), appendix=appendix,
                      coverage_table=draw(st.one_of(st.none(), st.builds(
                          CoverageTableSettings, by=st.sampled_from(["participant", "source"]),
                          caption=st.one_of(st.just(DEFAULT_COVERAGE_CAPTION),
                                            TEXT.filter(lambda s: "{" not in s and "}" not in s))))),
                      checks=tuple(draw(st.lists(st.tuples(st.sampled_from(["duplicate-quote", "unused-source"]),
                                                           st.sampled_from(["error", "warning", "off"])),
                                                 max_size=2, unique_by=lambda t: t[0]))))


def _reload(tmp_path, text: str):
    path = tmp_path / "emitted.yaml"
    path.write_text(text, encoding="utf-8")
    return read_source(path)


@settings(max_examples=min(settings.default.max_examples * 2, 2000), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(supplements())
def test_load_of_emit_is_the_model(tmp_path, sup):
    text = emit(sup)
    back, report = _reload(tmp_path, text)
    assert report.errors == [], report.text() + "\n" + text
    assert back == sup, text
    assert emit(back) == text  # deterministic


def test_the_whole_supplement_example_round_trips(tmp_path):
    sup, report = read_source(EXAMPLE.parent.parent / "docs" / "examples" / "whole-supplement.yaml")
    assert sup is not None and report.errors == [] and sup.sections and sup.tables and sup.checklists
    back, report = _reload(tmp_path, emit(sup))
    assert report.errors == [] and back == sup


def test_the_example_round_trips(tmp_path):
    sup, report = read_source(EXAMPLE)
    assert sup is not None and report.errors == []
    text = emit(sup)
    back, report = _reload(tmp_path, text)
    assert report.errors == [] and back == sup
    # quoting only where YAML needs it: plain titles, page citations as typed
    assert "  - id: disease\n    title: Elements of Disease\n" in text
    assert re.search(r"\n +cite: 8-9\n", text) and re.search(r"\n +cite: Non-Op 1, 2\n", text)


def test_quoting_only_where_yaml_needs_it():
    assert scalar("Elements of Disease") == "Elements of Disease"
    assert scalar("Spinal metastases — supplement") == "Spinal metastases — supplement"
    assert scalar("no") == "'no'" and scalar("1.10") == "'1.10'" and scalar("~") == "'~'"
    assert scalar("He said: yes") == "'He said: yes'" and scalar("it's") == "it's"
    assert scalar("a #b") == "'a #b'" and scalar("- x") == "'- x'"
    assert scalar("6", number=True) == "6" and scalar("6") == "'6'"
    assert scalar("Non-Op 1, 2") == "Non-Op 1, 2" and scalar("Non-Op 1, 2", flow=True) == "'Non-Op 1, 2'"
    assert scalar("two\nlines") == '"two\\nlines"' and scalar("x\u2028y") == '"x\\Ly"'


def test_comments_from_a_producer_are_printed_above_their_value(tmp_path):
    sup, _ = read_source(EXAMPLE)
    theme = sup.themes[0]
    q = theme.findings[0].quotes[0]
    q2 = replace(q, comment="NVivo: coded by two coders\nreview the page")
    f2 = replace(theme.findings[0], quotes=(q2,) + theme.findings[0].quotes[1:])
    sup2 = replace(sup, themes=(replace(theme, findings=(f2,) + theme.findings[1:]),) + sup.themes[1:],
                   comment="imported from project.qdpx")
    text = emit(sup2)
    assert text.startswith("# imported from project.qdpx\nschema: 1\n")
    assert "          # NVivo: coded by two coders\n          # review the page\n          - text: Second to that" in text
    back, _ = _reload(tmp_path, text)
    assert back == sup  # comments are for the author, not part of the model's meaning


@settings(max_examples=min(settings.default.max_examples * 25, 5000), deadline=None, derandomize=True)
@given(st.text(st.sampled_from("aZ9é ., ;:!?()’'…–—/+=%$&*@-#[]{}\"`|>\t"), min_size=1, max_size=12),
       st.booleans())
def test_the_fast_path_for_prose_agrees_with_yamls_own_analysis(text, flow):
    """Prose skips PyYAML's scalar analysis (most of the writer's time at 10,000 quotes); it may
    only ever call plain what the analysis calls plain."""
    from supplement.study.emit import _ANALYZER, _prose

    if _prose(text, flow):
        a = _ANALYZER.analyze_scalar(text)
        assert a.allow_flow_plain if flow else a.allow_block_plain
