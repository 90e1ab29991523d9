"""`supplement diff`: each change kind, the renumbering map, git revisions, output formats."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import supplement.recoding as recoding
from conftest import EXAMPLE, example_data, write_source
from supplement.cli import main
from supplement.recoding import KINDS, diff_versions
from supplement.recoding.changes import moved_out_of_order, word_diff
from supplement.recoding.versions import Version


def cli(*args, cwd: Path | None = None):
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        return CliRunner().invoke(main, ["diff", *map(str, args)], prog_name="supplement")
    finally:
        os.chdir(old)


def diff(tmp_path, old: dict, new: dict):
    a = write_source(tmp_path, old, "old.yaml")
    b = write_source(tmp_path, new, "new.yaml")
    return diff_versions(Version(a), Version(b))


def kinds(d) -> list[tuple[str, str | None]]:
    return [(c.kind, c.id) for c in d.changes]


def relabels(d) -> list[tuple[str, str]]:
    return [(r.old, r.new) for r in d.renumbering]


def theme(d: dict, tid: str) -> dict:
    for t in d["themes"]:
        if t["id"] == tid:
            return t
        for s in t.get("subthemes", []):
            if s["id"] == tid:
                return s
    raise KeyError(tid)


# --------------------------------------------------------------------------- no changes

def test_same_file_no_changes():
    r = cli(EXAMPLE, EXAMPLE)
    assert r.exit_code == 0, r.output
    assert r.output.strip().endswith("no changes")
    r = cli(EXAMPLE, EXAMPLE, "--format", "json")
    data = json.loads(r.output)
    assert data["changes"] == [] and data["renumbering"] == [] and r.exit_code == 0


def test_layout_of_the_file_is_not_a_change(tmp_path):
    """Comments, key order, quoting and line breaks inside a quote change nothing printed."""
    d = example_data()
    q = d["themes"][0]["findings"][0]["quotes"][0]
    q["text"] = q["text"].replace(" ", "\n    ", 3)
    d = {k: d[k] for k in reversed(list(d))}
    assert diff(tmp_path, example_data(), d).empty


# ------------------------------------------------------------------------------ themes

def test_theme_renamed(tmp_path):
    new = example_data()
    theme(new, "guidelines")["title"] = "Guidelines and Their Limits"
    d = diff(tmp_path, example_data(), new)
    assert kinds(d) == [("theme-renamed", "guidelines")]
    c = d.changes[0]
    assert c.old["title"] == "Guideline-Driven Care" and c.new["title"] == "Guidelines and Their Limits"
    assert c.new["label"] == "II" and relabels(d) == []


def test_theme_added_shifts_the_numbers_after_it(tmp_path):
    new = example_data()
    new["themes"].insert(5, {"id": "cost", "title": "Cost", "findings": [
        {"text": "Cost matters.", "quotes": [{"text": "It costs a lot.", "cite": 3}]}]})
    d = diff(tmp_path, example_data(), new)
    assert kinds(d) == [("theme-added", "cost")]
    assert d.changes[0].detail == {"what": "theme", "findings": 1, "quotes": 1}
    assert relabels(d) == [("VI", "VII"), ("VII", "VIII"), ("VII.A", "VIII.A"), ("VII.B", "VIII.B"),
                           ("VIII", "IX"), ("IX", "X"), ("X", "XI")]


def test_theme_removed_with_its_contents_reported_once(tmp_path):
    new = example_data()
    del new["themes"][8]  # decision-weight: 1 finding, 2 quotes
    d = diff(tmp_path, example_data(), new)
    assert kinds(d) == [("theme-removed", "decision-weight")]
    assert d.changes[0].detail == {"what": "theme", "findings": 1, "quotes": 2}
    assert relabels(d) == [("X", "IX")]


def test_theme_moved_among_themes(tmp_path):
    new = example_data()
    new["themes"].insert(0, new["themes"].pop(5))  # business-pressure from VI to I
    d = diff(tmp_path, example_data(), new)
    assert kinds(d) == [("theme-moved", "business-pressure")]
    assert relabels(d)[:2] == [("I", "II"), ("I.A", "II.A")]
    assert ("VI", "I") in relabels(d) and ("VII", "VII") not in relabels(d)


def test_subtheme_moved_to_another_theme_and_promoted(tmp_path):
    new = example_data()
    sub = theme(new, "team-dynamics")["subthemes"].pop(1)  # team-familiarity, III.B
    theme(new, "guidelines").setdefault("subthemes", []).append(sub)
    fam = theme(new, "team-dynamics")["subthemes"].pop(1)  # team-communication, now III.B
    new["themes"].append(fam)  # a theme of its own
    d = diff(tmp_path, example_data(), new)
    assert sorted(kinds(d)) == [("theme-moved", "team-communication"), ("theme-moved", "team-familiarity")]
    hows = {c.id: c.detail["how"] for c in d.changes}
    assert hows["team-familiarity"] == "moved from theme III to theme II"
    assert hows["team-communication"] == "promoted to a theme"
    assert ("III.B", "II.A") in relabels(d) and ("III.C", "XI") in relabels(d)


def test_theme_merged_into_another(tmp_path):
    new = example_data()
    exp = theme(new, "experience")
    theme(new, "time-pressure")["findings"] += exp["findings"]
    new["themes"].remove(exp)
    d = diff(tmp_path, example_data(), new)
    assert kinds(d) == [("theme-merged", "time-pressure")]
    assert [x["id"] for x in d.changes[0].detail["from"]] == ["time-pressure", "experience"]
    assert ("V", "IV") in relabels(d)  # the merged theme's old label now means IV
    assert ("VI", "V") in relabels(d)


def test_two_themes_merged_into_a_new_one(tmp_path):
    new = example_data()
    a, b = theme(new, "provider-qol"), theme(new, "decision-weight")
    i = new["themes"].index(a)
    new["themes"][i:i + 2] = [{"id": "burden", "title": "The Burden of Deciding",
                               "findings": a["findings"] + b["findings"]}]
    d = diff(tmp_path, example_data(), new)
    assert kinds(d) == [("theme-merged", "burden")]
    assert [x["id"] for x in d.changes[0].detail["from"]] == ["provider-qol", "decision-weight"]
    assert relabels(d) == [("IX", "VIII"), ("X", "IX")]


def test_theme_split(tmp_path):
    new = example_data()
    exp = theme(new, "experience")
    moved = exp["findings"].pop()
    i = new["themes"].index(exp)
    new["themes"].insert(i + 1, {"id": "capabilities", "title": "Provider Capabilities", "findings": [moved]})
    d = diff(tmp_path, example_data(), new)
    assert kinds(d) == [("theme-split", "experience")]
    assert [x["id"] for x in d.changes[0].detail["into"]] == ["experience", "capabilities"]
    assert ("VI", "VII") in relabels(d)


def test_theme_id_changed_is_matched_by_content(tmp_path):
    new = example_data()
    theme(new, "relationship")["id"] = "rapport"
    theme(new, "rapport")["title"] = "Provider–Patient Rapport"
    d = diff(tmp_path, example_data(), new)
    assert kinds(d) == [("theme-renamed", "rapport")]
    how = d.changes[0].how
    assert how.by == "similarity" and 0.6 <= how.score < 1
    assert d.changes[0].as_dict()["matched"]["by"] == "similarity"


# ---------------------------------------------------------------------------- findings

def test_findings_added_removed_edited_moved(tmp_path):
    new = example_data()
    exp = theme(new, "experience")
    exp["findings"][0]["text"] = exp["findings"][0]["text"].replace("experience", "practice", 1)
    exp["findings"].reverse()  # moved within: one of the two
    qol = theme(new, "provider-qol")
    theme(new, "relationship")["findings"].append(qol["findings"].pop())  # moved to another theme
    qol["findings"].append({"text": "A new finding.", "quotes": [{"text": "New words.", "cite": 2}]})
    del theme(new, "business-pressure")["findings"][0]
    theme(new, "business-pressure")["findings"].append({"text": "Replacement.", "quotes": []})
    d = diff(tmp_path, example_data(), new)
    got = sorted(c.kind for c in d.changes if c.kind.startswith("finding"))
    assert got == ["finding-added", "finding-added", "finding-edited", "finding-moved", "finding-moved",
                   "finding-removed"]
    moved = [c for c in d.changes if c.kind == "finding-moved"]
    assert {c.detail["how"] for c in moved} == {"moved within its theme", "moved from VIII to X"}
    edited = next(c for c in d.changes if c.kind == "finding-edited")
    assert ["+", "practice"] in edited.detail["words"]
    # the quotes of the removed finding are not listed again
    assert not [c for c in d.changes if c.kind == "quote-removed"]


# ------------------------------------------------------------------------------ quotes

def test_quote_kinds(tmp_path):
    new = example_data()
    qs = theme(new, "disease")["findings"][0]["quotes"]
    qs[1]["text"] = qs[1]["text"].replace("most indicative", "clearest sign")  # edited
    qs[2]["cite"] = "8-10"  # re-cited: pages
    qs[3]["cite"] = "Non-Op 2, 3"  # re-cited: source and page
    qs[4]["note"] = "asked about frailty"  # edited: note
    moved = qs.pop(5)
    theme(new, "guidelines")["findings"][0]["quotes"].insert(0, moved)  # moved
    del qs[6]  # removed
    qs.append({"text": "A brand new quote about nothing in particular.", "cite": 12})  # added
    qs.insert(0, qs.pop(10))  # moved within its finding
    d = diff(tmp_path, example_data(), new)
    got = sorted(c.kind for c in d.changes)
    assert got == ["quote-added", "quote-edited", "quote-edited", "quote-moved", "quote-moved", "quote-recited",
                   "quote-recited", "quote-removed"]
    edited = [c for c in d.changes if c.kind == "quote-edited"]
    words = next(c for c in edited if "words" in c.detail).detail["words"]
    assert ["-", "most indicative"] in words and ["+", "clearest sign"] in words
    assert next(c for c in edited if "words" not in c.detail).detail["fields"] == ["note"]
    recited = {c.detail["cite"]["new"]["pages"]: c for c in d.changes if c.kind == "quote-recited"}
    assert recited["8-10"].detail["fields"] == ["pages"] and recited["8-10"].new["citation"] == "[8-10]"
    assert recited["3"].detail["fields"] == ["source"] and recited["3"].new["citation"] == "[Non-Op 2, 3]"
    hows = sorted(c.detail["how"] for c in d.changes if c.kind == "quote-moved")
    assert hows == ["moved from I, finding 1 to II, finding 1", "moved within its finding"]


def test_quote_with_id_matched_whatever_its_words(tmp_path):
    old, new = example_data(), example_data()
    for d in (old, new):
        theme(d, "guidelines")["findings"][0]["quotes"][0]["id"] = "q-guide-1"
    theme(new, "guidelines")["findings"][0]["quotes"][0]["text"] = "Entirely different words now."
    d = diff(tmp_path, old, new)
    assert kinds(d) == [("quote-edited", "q-guide-1")]
    assert d.changes[0].how.by == "id"


def test_repeated_quote_edited_in_one_place(tmp_path):
    """The example repeats a quote under two findings; editing one copy edits that copy."""
    old = example_data()
    texts = {}
    for t in old["themes"]:
        for b in [t] + t.get("subthemes", []):
            for fi, f in enumerate(b.get("findings", [])):
                for qi, q in enumerate(f["quotes"]):
                    texts.setdefault(q["text"], []).append((b["id"], fi, qi))
    places = next(v for v in texts.values() if len(v) == 2)
    new = example_data()
    bid, fi, qi = places[1]
    q = theme(new, bid)["findings"][fi]["quotes"][qi]
    q["text"] = q["text"] + " Really."
    d = diff(tmp_path, old, new)
    assert [c.kind for c in d.changes] == ["quote-edited"]
    assert d.changes[0].new["line"] > 0


# ------------------------------------------------------------------------ participants

def test_participants_resorted_renumbered(tmp_path):
    new = example_data()
    rows = new["participants"]["rows"]
    rows.append(rows.pop(2))  # p03 last
    d = diff(tmp_path, example_data(), new)
    assert all(c.kind == "participant-renumbered" for c in d.changes)
    assert [c.id for c in d.changes] == [f"p{i:02d}" for i in range(4, 15)] + ["p03"]
    assert relabels(d)[0] == ("Participant 3", "Participant 14")
    assert ("Participant 4", "Participant 3") in relabels(d)


def test_participants_added_removed_edited(tmp_path):
    new = example_data()
    rows = new["participants"]["rows"]
    rows[0]["rank"] = "Professor"
    rows[1]["international"] = True
    del rows[13]
    rows.append({"id": "p15", "specialty": "Physiatry", "rank": "Professor", "practice": "Ohio", "training": "Ohio"})
    d = diff(tmp_path, example_data(), new)
    assert sorted(kinds(d)) == [("participant-added", "p15"), ("participant-edited", "p01"),
                                ("participant-edited", "p02"), ("participant-removed", "p14")]
    edited = {c.id: c.detail["fields"] for c in d.changes if c.kind == "participant-edited"}
    assert edited == {"p01": ["rank"], "p02": ["marks"]}
    assert relabels(d) == []  # p15 takes number 14, p14 is gone: no label of a kept participant changed


# -------------------------------------------------------------------------- tables

def test_items_renumbered_captions_and_columns(tmp_path):
    new = example_data()
    del new["participants"]
    for s in new["sources"]:
        s.pop("participants", None)
    new["theme_table"]["caption"] = "Themes ({theme_range}) with quotes."
    new["theme_table"]["headers"]["quotes"] = "Quotes"
    d = diff(tmp_path, example_data(), new)
    ks = [c.kind for c in d.changes if not c.kind.startswith("participant")]
    assert ks == ["item-renumbered", "caption-changed", "columns-changed"]
    assert d.changes[0].old["label"] == "Appendix 2" and d.changes[0].new["label"] == "Appendix 1"
    cols = next(c for c in d.changes if c.kind == "columns-changed").detail
    assert cols["renamed"] == [{"old": "Supporting Text from Transcripts", "new": "Quotes"}]
    assert relabels(d)[0] == ("Appendix 2", "Appendix 1")
    assert sum(c.kind == "participant-removed" for c in d.changes) == 14


def test_source_relabelled_in_the_map(tmp_path):
    new = example_data()
    new["sources"][1]["label"] = "Interview 1"
    for t in new["themes"]:
        for b in [t] + t.get("subthemes", []):
            for f in b.get("findings", []):
                for q in f["quotes"]:
                    if isinstance(q["cite"], str) and q["cite"].startswith("Non"):
                        q["cite"] = q["cite"].replace("Non-Op 1", "Interview 1").replace("Non Op 1", "Interview 1")
    d = diff(tmp_path, example_data(), new)
    assert d.changes == []  # every quote still cites the same source and pages
    assert relabels(d) == [("Non-Op 1", "Interview 1")]
    assert cli(write_source(tmp_path, example_data(), "a.yaml"), write_source(tmp_path, new, "b.yaml")).exit_code == 1


def test_another_style_relabels_everything(tmp_path):
    a = write_source(tmp_path, example_data(), "a.yaml")
    new = example_data()
    new["style"] = "jama"
    b = write_source(tmp_path, new, "b.yaml")
    d = diff_versions(Version(a), Version(b))
    assert ("Appendix 1", "eTable 1") in relabels(d)


# ---------------------------------------------------------------------------- helpers

def test_moved_out_of_order_is_the_fewest_moves():
    assert moved_out_of_order([(0, 0), (1, 1), (2, 2)]) == set()
    assert moved_out_of_order([(0, 3), (1, 0), (2, 1), (3, 2)]) == {3}  # the first went last
    assert moved_out_of_order([(3, 0), (0, 1), (1, 2), (2, 3)]) == {0}  # the last went first
    assert len(moved_out_of_order([(1, 0), (0, 1)])) == 1
    assert moved_out_of_order([]) == set()


def test_word_diff():
    assert word_diff("a b c d", "a x c d") == [["=", "a "], ["-", "b"], ["+", "x"], ["=", " c d"]]
    assert word_diff("need more. So", "need more data. So") == [["=", "need more"], ["+", " data"], ["=", ". So"]]
    assert word_diff("one two three", "four five six") == [["-", "one two three"], ["+", "four five six"]]
    assert word_diff("same", "same") == [["=", "same"]]
    for a, b in [("a, b; c", "a b c"), ("x", ""), ("", "y"), ("It’s—well—odd.", "It is—well, odd!")]:
        ops = word_diff(a, b)
        assert "".join(t for op, t in ops if op != "+") == a
        assert "".join(t for op, t in ops if op != "-") == b


# ---------------------------------------------------------------------- formats, exit

@pytest.fixture
def recoded(tmp_path):
    new = example_data()
    theme(new, "guidelines")["title"] = "Guidelines"
    exp = theme(new, "experience")
    theme(new, "time-pressure")["findings"] += exp["findings"]
    new["themes"].remove(exp)
    q = theme(new, "disease")["findings"][0]["quotes"][1]
    q["text"] = q["text"].replace("most indicative", "clearest sign")
    rows = new["participants"]["rows"]
    rows.insert(0, rows.pop(5))
    return write_source(tmp_path, example_data(), "v1.yaml"), write_source(tmp_path, new, "v2.yaml")


def test_text_output(recoded):
    r = cli(*recoded)
    assert r.exit_code == 1
    out = r.output
    assert "theme-renamed" in out and '"Guideline-Driven Care" → "Guidelines"' in out
    assert "IV \"Time Pressure/Urgency\", V \"Provider Experience/Capabilities\" merged into theme IV" in out
    assert "the [-most indicative-]{+clearest sign+}, and" in out
    assert "Renumbering" in out and "Participant 6 → Participant 1" in out
    assert re.search(r"^  VI +→ V$", out, re.M)
    assert "v2.yaml:" in out  # where to look


def test_markdown_output(recoded):
    r = cli(*recoded, "--format", "markdown")
    assert r.exit_code == 1
    md = r.output
    assert md.startswith("## Changes from `")
    assert "### Themes and subthemes" in md and "| Old | New |" in md and "| VI | V |" in md
    assert "~~most indicative~~**clearest sign**, and" in md
    if shutil.which("pandoc"):
        html = subprocess.run(["pandoc", "-f", "markdown", "-t", "html"], input=md, capture_output=True,
                              text=True, check=True).stdout
        assert "<table>" in html and "<del>most indicative</del><strong>clearest sign</strong>" in html


def test_json_output(recoded):
    r = cli(*recoded, "--format", "json")
    assert r.exit_code == 1
    data = json.loads(r.output)
    assert set(data) == {"old", "new", "changes", "renumbering", "counts"}
    assert all(c["kind"] in KINDS for c in data["changes"])
    assert {"old": "VI", "new": "V", "of": "theme", "id": "business-pressure"} in data["renumbering"]
    assert data["counts"]["theme-merged"] == 1
    edited = next(c for c in data["changes"] if c["kind"] == "quote-edited")
    assert edited["matched"]["by"] == "similarity" and edited["old"]["place"] == "I, finding 1, quote 2"


def test_trouble_exits_2(tmp_path):
    good = write_source(tmp_path, example_data(), "good.yaml")
    broken = example_data()
    broken["themes"][0]["findings"][0]["quotes"][0]["cite"] = "Non-Op 9, 2"
    bad = write_source(tmp_path, broken, "bad.yaml")
    r = cli(good, bad)
    assert r.exit_code == 2
    assert "bad.yaml:" in r.output and "unknown source" in r.output and "cannot be compared" in r.output
    r = cli(good, tmp_path / "missing.yaml")
    assert r.exit_code == 2 and "missing.yaml" in r.output
    r = cli(good, good, good, good)
    assert r.exit_code == 2


def test_parallel_read_gives_the_same_result(recoded, monkeypatch):
    seq = diff_versions(Version(recoded[0]), Version(recoded[1])).as_dict()
    monkeypatch.setattr(recoding, "PARALLEL_BYTES", 0)
    par = diff_versions(Version(recoded[0]), Version(recoded[1])).as_dict()
    assert par == seq
    bad = recoded[0].parent / "bad.yaml"
    bad.write_text(recoded[0].read_text().replace("cite: 6", "cite: Non-Op 9, 6", 1))
    r = cli(bad, recoded[1])
    assert r.exit_code == 2 and "bad.yaml:" in r.output and "unknown source" in r.output


# ---------------------------------------------------------------------------------- git

def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})


@pytest.fixture
def repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    root = tmp_path / "proj"
    (root / "source").mkdir(parents=True)
    git(root, "init", "-q")
    src = write_source(root / "source", example_data(), "study.yaml")
    git(root, "add", ".")
    git(root, "commit", "-qm", "v1")
    new = example_data()
    theme(new, "guidelines")["title"] = "Guidelines"
    write_source(root / "source", new, "study.yaml")
    git(root, "commit", "-qam", "v2")
    newer = new
    del newer["themes"][8]
    write_source(root / "source", newer, "study.yaml")  # not committed
    return root, src


def test_git_revisions(repo):
    root, src = repo
    before = src.read_bytes()
    # REV: the project's one source at HEAD against the work tree
    r = cli("HEAD", cwd=root)
    assert r.exit_code == 1, r.output
    assert "--- HEAD:source/study.yaml" in r.output and "theme-removed" in r.output and "renamed" not in r.output
    # REV FILE, from another folder
    r = cli("HEAD~1", src)
    assert r.exit_code == 1 and "theme-renamed" in r.output and "theme-removed" in r.output
    # REV1 REV2 FILE
    r = cli("HEAD~1", "HEAD", "source/study.yaml", "--format", "json", cwd=root)
    data = json.loads(r.output)
    assert [c["kind"] for c in data["changes"]] == ["theme-renamed"]
    assert data["old"] == "HEAD~1:source/study.yaml" and data["new"] == "HEAD:source/study.yaml"
    # git's REV:PATH spelling
    r = cli("HEAD:source/study.yaml", "source/study.yaml", cwd=root)
    assert r.exit_code == 1 and "theme-removed" in r.output
    # the same revision twice
    assert cli("HEAD", "HEAD", src).exit_code == 0
    # nothing was checked out
    assert src.read_bytes() == before
    git_status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
    assert git_status.strip() == "M source/study.yaml"


def test_git_trouble(repo):
    root, src = repo
    r = cli("no-such-rev", src)
    assert r.exit_code == 2 and "git cannot show it" in r.output
    r = cli("HEAD", cwd=root / "source")  # no source/ folder there
    assert r.exit_code == 2 and "no FILE given" in r.output
    outside = root.parent / "elsewhere"
    outside.mkdir()
    shutil.copy(src, outside / "study.yaml")
    r = cli("HEAD", outside / "study.yaml")
    assert r.exit_code == 2 and "git cannot show it" in r.output


# ------------------------------------------------------------------------------- scale

def test_diff_work_grows_linearly(tmp_path):
    """Matching and classifying a recoding round (bench/recode.py) of generated studies of
    300, 600 and 1,200 quotes: the work counted (every call cProfile sees) grows linearly
    (marginal ratio 2; quadratic would be 4). The time for 10,000 quotes is benchmarked
    by bench/run.py (task diff)."""
    import cProfile
    import importlib.util
    import pstats

    def load(name):
        spec = importlib.util.spec_from_file_location(f"bench_{name}", Path(__file__).parent.parent / "bench" / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod

    gen, recode = load("gen"), load("recode")
    work = {}
    for n in (300, 600, 1200):
        a, b = tmp_path / f"a{n}.yaml", tmp_path / f"b{n}.yaml"
        text = gen.generate(n, 3)
        a.write_text(text, encoding="utf-8")
        b.write_text(recode.recode(text, 3), encoding="utf-8")
        sa, sb = recoding.snapshot_of(Version(a)), recoding.snapshot_of(Version(b))
        prof = cProfile.Profile()
        prof.enable()
        result = recoding.compare(sa, sb)
        prof.disable()
        assert sum(c.kind == "quote-edited" for c in result.changes) == n // 100
        work[n] = sum(v[1] for v in pstats.Stats(prof).stats.values())
    growth = (work[1200] - work[600]) / (work[600] - work[300])
    assert growth < 2.6, work


def test_theme_with_subthemes_removed_or_merged_as_a_whole(tmp_path):
    new = example_data()
    new["themes"] = [t for t in new["themes"] if t["id"] != "preference"]  # VII with VII.A, VII.B
    d = diff(tmp_path, example_data(), new)
    assert kinds(d) == [("theme-removed", "preference")]
    assert d.changes[0].detail == {"what": "theme", "findings": 3, "quotes": 12, "subthemes": 2}
    # merged: its subthemes go under another theme, and nothing else is reported
    new = example_data()
    pref = theme(new, "preference")
    theme(new, "team-dynamics")["subthemes"] += pref["subthemes"]
    new["themes"].remove(pref)
    d = diff(tmp_path, example_data(), new)
    assert kinds(d) == [("theme-merged", "team-dynamics")]
    assert ("VII.A", "III.D") in relabels(d) and ("VII", "III") in relabels(d)


def test_after_supplement_ids_quotes_are_matched_by_id(tmp_path):
    """`supplement ids` gives every finding and quote an id: a quote rewritten beyond recognition
    and moved is still one quote, edited and moved."""
    import yaml

    from supplement.study.edit import add_ids

    old = Path(shutil.copy(EXAMPLE, tmp_path / "old.yaml"))
    added, report = add_ids(old)
    assert added > 100 and not report.errors
    d = yaml.safe_load(old.read_text(encoding="utf-8"))
    q = theme(d, "guidelines")["findings"][0]["quotes"].pop(0)
    q["text"] = "Nothing of what was said before."
    theme(d, "relationship")["findings"][0]["quotes"].append(q)
    new = write_source(tmp_path, d, "new.yaml")
    result = diff_versions(Version(old), Version(new))
    assert sorted(c.kind for c in result.changes) == ["quote-edited", "quote-moved"]
    assert {c.id for c in result.changes} == {q["id"]}
    assert all(c.how is None or c.how.by == "id" for c in result.changes)
