"""Re-import after recoding (`--into`): the author's edits stay, the export's recoding is
applied, and every change is reported."""

from __future__ import annotations

from importutil import assert_checks_and_builds, quotes, run
from qdafixtures import G_SUB2, G_THEME2, Sel, Spec, write_qdpx
from supplement.importers import import_file
from supplement.reader import read_source
from supplement.records import replace

Q1 = "You just know when something is wrong."
Q2 = "I called the doctor anyway, at three in the morning."
Q5 = "How do you decide?"
SEL1 = "9D0E1F20-0000-4000-8000-000000000001"
SEL2 = "9D0E1F20-0000-4000-8000-000000000002"
G_DOUBT = "6F4E9C2A-1B1D-4C43-9E0A-1A2B3C4D5E99"


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _edit(path):
    """What an author does to an imported source: retitle, rewrite a finding, put a theme first,
    add a note, type in a quote of their own, comment."""
    text = path.read_text(encoding="utf-8")
    text = _replace(text, "title: Trusting intuition", "title: Trusting Intuition at the Bedside")
    text = _replace(text, "- text: Knowing without being able to say why.",
                    "- text: Nurses escalate on a sense they cannot explain.")
    text = _replace(text, "                text: You just know when something is wrong.\n",
                    "                text: You just know when something is wrong.\n"
                    "                note: on a night shift\n")
    text = _replace(text, "              - id: q" + SEL1 + "\n",
                    "              - text: A quote the author typed.   # from the paper notes\n"
                    "                cite: Interview 1\n"
                    "              - id: q" + SEL1 + "\n")
    head, themes = text.split("\nthemes:\n")
    first, support = themes.split("  - id: support\n")
    text = head + "\nthemes:\n  # the author put this theme first\n  - id: support\n" + support + first
    path.write_text(text, encoding="utf-8")


def test_reimport_applies_recoding_and_keeps_the_authors_edits(tmp_path):
    write_qdpx(tmp_path / "first.qdpx")
    src = tmp_path / "study.yaml"
    assert run("import", tmp_path / "first.qdpx", "--to", src).returncode == 0
    _edit(src)
    before, report = read_source(src)
    assert before is not None, report.text()
    before_text = src.read_text(encoding="utf-8")

    # in the tool: Q1 recoded from 'Gut feeling' to 'Acting anyway', Q2 uncoded, a new
    # selection under 'Support', a new code 'Doubt' with one selection
    spec = Spec(drop={SEL2}, recode={SEL1: [G_SUB2]},
                extra_codes=f'<Code guid="{G_DOUBT}" name="Doubt" isCodable="true"/>',
                extra_selections=[Sel("9D0E1F20-0000-4000-8000-0000000000B1", Q5, [G_THEME2]),
                                  Sel("9D0E1F20-0000-4000-8000-0000000000B2", "Interviewer:", [G_DOUBT])])
    write_qdpx(tmp_path / "second.qdpx", spec)
    p = run("import", tmp_path / "second.qdpx", "--into", src)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert f"moved quote '{Q1}' from 'Trusting Intuition at the Bedside > Gut feeling' to " \
           "'Trusting Intuition at the Bedside > Acting anyway'" in out
    assert f"removed quote '{Q2[:49]}…' from 'Trusting Intuition at the Bedside > Gut feeling'" in out
    assert f"added quote '{Q5}' to 'Support'" in out
    assert "new theme 'Doubt'" in out
    assert "kept quote 'A quote the author typed.'" in out and "written by hand?" in out
    assert "edited in place (comments and layout kept)" in out and ".before-import" in out
    assert (tmp_path / "study.yaml.before-import").read_text(encoding="utf-8") == before_text
    text = src.read_text(encoding="utf-8")
    # the author's comments, and the importer's review comments on what is still there, stay
    for comment in ("# the author put this theme first", "A quote the author typed.   # from the paper notes",
                    "# finding text is the description of code 'Gut feeling'", "# imported by `supplement import`"):
        assert comment in text
    # nothing the merge did not change was rewritten: every line of the old file that
    # is not part of a removed or moved quote is still there, in order
    import difflib
    removed = [ln[1:] for ln in difflib.unified_diff(before_text.splitlines(), text.splitlines(), lineterm="", n=0)
               if ln.startswith("-") and not ln.startswith("---")]
    assert all(Q1 in ln or Q2 in ln or "id: q" + SEL1 in ln or "id: q" + SEL2 in ln or "cite: Interview 1" in ln
               or "speaker: nurse-a" in ln or "note: on a night shift" in ln or "# memo: said quickly" in ln
               for ln in removed), removed

    after, report = read_source(src)
    assert after is not None, report.text()
    # the author's titles, finding text, order and note stay
    assert [t.title for t in after.themes] == ["Support", "Trusting Intuition at the Bedside", "Doubt"]
    gut = after.themes[1].subthemes[0]
    assert gut.findings[0].text == "Nurses escalate on a sense they cannot explain."
    assert [q.text for q in gut.findings[0].quotes] == ["A quote the author typed."]
    acting = after.themes[1].subthemes[1]
    moved = [q for f in acting.findings for q in f.quotes if q.text == Q1]
    assert len(moved) == 1 and moved[0].note == "on a night shift" and moved[0].id == "q" + SEL1
    assert Q2 not in [q.text for q in quotes(after)]
    assert Q5 in [q.text for q in after.themes[0].findings[0].quotes]
    assert_checks_and_builds(src, tmp_path / "out")


def test_reimport_of_the_same_export_changes_nothing(tmp_path):
    write_qdpx(tmp_path / "p.qdpx")
    src = tmp_path / "study.yaml"
    assert run("import", tmp_path / "p.qdpx", "--to", src).returncode == 0
    text = src.read_text(encoding="utf-8")
    p = run("import", tmp_path / "p.qdpx", "--into", src)
    assert p.returncode == 0 and "nothing to change" in p.stdout
    assert src.read_text(encoding="utf-8") == text


def test_quotes_without_ids_are_matched_by_their_words(tmp_path):
    """A source imported from a table without ids (or typed by hand) still matches on re-import."""
    from supplement.importers.merge import merge
    first = import_file(str(write_qdpx(tmp_path / "p.qdpx"))).sup

    def strip(sup):
        return replace(sup, themes=tuple(replace(t, findings=tuple(
            replace(f, quotes=tuple(replace(q, id=None) for q in f.quotes)) for f in t.findings),
            subthemes=tuple(replace(s, findings=tuple(
                replace(f, quotes=tuple(replace(q, id=None) for q in f.quotes)) for f in s.findings))
                for s in t.subthemes)) for t in sup.themes))
    merged, changes = merge(strip(first), first)
    assert changes == []
    assert [q.id for q in quotes(merged)] == [q.id for q in quotes(first)]  # the tool's ids adopted


def test_into_a_broken_source_merges_nothing(tmp_path):
    write_qdpx(tmp_path / "p.qdpx")
    src = tmp_path / "study.yaml"
    src.write_text("schema: 1\nstudy: {}\n", encoding="utf-8")
    p = run("import", tmp_path / "p.qdpx", "--into", src)
    assert p.returncode == 1 and "nothing merged" in p.stderr
    assert src.read_text(encoding="utf-8") == "schema: 1\nstudy: {}\n"


HAND = """\
# My study, written by hand
schema: 1
study:
  title: Escalation
sources:
- id: int1            # lists at the left margin
  label: Interview 1
  kind: interview
themes:
- id: intuition
  title: Intuition    # the theme's title
  findings:
  - text: Nurses trust a feeling.
    quotes:
    - {text: You just know., cite: Interview 1}     # flow style
    - {text: I called anyway., cite: Interview 1, note: at night}
  - text: A finding the author wrote, with no quotes yet.
- id: support
  title: Support
  findings:
  - text: Colleagues help.
    quotes:
    - id: q3
      text: Ask someone.
      cite: Interview 1
"""

EXPORT = [["id", "document", "tag", "content"],
          ["1", "Interview 1", "intuition", "You just know."],
          ["3", "Interview 1", "support", "Ask someone, please."],
          ["4", "Interview 2", "support", "New from interview 2."],
          ["5", "Interview 1", "intuition\\night", "At night it is worse."]]


def test_in_place_merge_of_a_hand_written_layout(tmp_path):
    import csv
    src = tmp_path / "hand.yaml"
    src.write_text(HAND, encoding="utf-8")
    with open(tmp_path / "h.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(EXPORT)
    p = run("import", tmp_path / "h.csv", "--into", src)
    assert p.returncode == 0, p.stderr
    assert "edited in place (comments and layout kept)" in p.stdout
    assert "changed words of a quote in 'Support': 'Ask someone.' -> 'Ask someone, please.'" in p.stdout
    assert "new subtheme 'Intuition > night'" in p.stdout
    assert "new source 'Interview 2'" in p.stdout
    assert "kept quote 'I called anyway.'" in p.stdout
    text = src.read_text(encoding="utf-8")
    for line in ("# My study, written by hand", "- id: int1            # lists at the left margin",
                 "  title: Intuition    # the theme's title",
                 "    - {id: q1, text: You just know., cite: Interview 1}     # flow style",
                 "    - {text: I called anyway., cite: Interview 1, note: at night}",
                 "  - text: A finding the author wrote, with no quotes yet.",
                 "      text: Ask someone, please."):
        assert line in text.splitlines(), line
    assert "\n- id: interview-2\n" in text or "\n- {id: interview-2" in text  # at the left margin, like its neighbours
    after, report = read_source(src)
    assert after is not None and not report.errors, report.text()
    assert [s.title for s in after.themes[0].subthemes] == ["night"]
    assert_checks_and_builds(src, tmp_path / "out")


def test_when_in_place_editing_cannot_be_done_the_file_is_rewritten_and_says_so(tmp_path, monkeypatch):
    from supplement.importers import inplace
    from supplement.importers.command import run as run_import
    from supplement.importers.outline import Levels
    import csv
    src = tmp_path / "hand.yaml"
    src.write_text(HAND, encoding="utf-8")
    with open(tmp_path / "h.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(EXPORT)
    monkeypatch.setattr(inplace, "edits_for", lambda *a: None)
    out = run_import(tmp_path / "h.csv", None, None, None, Levels(), src, False)
    assert out.ok
    said = "\n".join(out.lines)
    assert "comment line(s) of" in said and "were not carried over" in said
    assert (tmp_path / "hand.yaml.before-import").read_text(encoding="utf-8") == HAND
    after, report = read_source(src)
    assert after is not None and not report.errors


def test_into_with_to_is_a_usage_error(tmp_path):
    write_qdpx(tmp_path / "p.qdpx")
    src = tmp_path / "study.yaml"
    assert run("import", tmp_path / "p.qdpx", "--to", src).returncode == 0
    p = run("import", tmp_path / "p.qdpx", "--into", src, "--to", tmp_path / "other.yaml")
    assert p.returncode == 2 and "--into" in p.stderr
    assert not (tmp_path / "other.yaml").exists()
