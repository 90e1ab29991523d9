"""Generate synthetic studies of realistic shape, deterministic for a given seed.

    python bench/gen.py 10000 --seed 1 -o /tmp/study-10000.yaml

A study of N quotes has 5-20 themes (more for bigger studies), 0-4 subthemes per
theme, about 8 quotes a finding (unevenly), quotes of 20-120 words (most near 45)
with citations in every form the format accepts (page only, 'Int 12, 3',
'Int 12, 3-4', a source without page, structured), some editorial notes and
speakers, and 10-500 participants, each interviewed once (so every participant
and every source is linked and cited: `supplement check` reports neither errors
nor warnings).

The text is built from a fixed vocabulary, with the typography real transcripts
have: curly apostrophes and quotation marks, em dashes, ellipses, bracketed
insertions such as [laughter] or [unintelligible 05:03], the odd '&', accented
names, and a few '<' and '>' so that writers must escape markup.
"""

from __future__ import annotations

import argparse
import json
import random
import sys

WORDS = """
patient patients surgery surgeon surgeons radiation oncologist oncologists spine spinal tumor tumors
disease decision decisions treatment treatments plan care team teams board conference family
prognosis pain instability stability fracture deficit deficits neurologic function ambulatory
comorbidities risk risks benefit benefits outcome outcomes recovery guideline guidelines framework
score scores evidence data literature experience practice colleague colleagues partner partners
referral referrals clinic clinics hospital week weeks month months time case cases question questions
always often sometimes usually rarely really actually probably certainly definitely basically
think know feel guess say said talk talked look looked want wanted need needed decide decided
operate operated treat treated manage managed recommend recommended consider considered discuss
discussed offer offered refer referred help helped wait waited start started work worked
very quite pretty much more less most least little big small high low early late acute chronic
the the the the the a a a a an and and and and or but so because if when then that this those
with without for from into onto about after before between during through over under around
we we we I I I you you they they it it it’s we’re they’re don’t can’t that’s there’s I’m
is is are are was were be been have has had do does did would could should might will can
""".split()

FIRST = ["Maria", "José", "Zoë", "Anh", "Søren", "Ingrid", "Kwame", "Łukasz", "Renée", "Chen", "Aoife", "Dmitri"]
INSERTS = ["[laughter]", "[unintelligible {m:02d}:{s:02d}]", "[crosstalk]", "[with]", "[multidisciplinary care]",
           "[inaudible]", "[pause]", "<inaudible>", "[Laughter]"]
SPECIALTIES = ["Orthopaedic Surgery", "Neurosurgery", "Radiation Oncology", "Medical Oncology", "Physiatry",
               "Palliative Care", "Interventional Radiology", "Nursing"]
RANKS = ["Instructor", "Assistant Professor", "Associate Professor", "Professor", "Clinical Fellow"]
PLACES = ["Massachusetts", "North Carolina", "Pennsylvania", "Wisconsin", "Maryland", "Illinois", "New York",
          "Virginia", "Ohio", "Utah", "Washington", "Rhode Island", "Canada", "Québec", "Texas", "California"]
TITLE_WORDS = ["Elements", "Disease", "Guideline-Driven", "Care", "Team", "Dynamics", "Communication",
               "Patient", "Preferences", "Uncertainty", "Timing", "Resources", "Access", "Trust", "Evidence",
               "Goals", "Prognosis", "Family", "Barriers", "Training", "Role", "Expectations", "Risk"]


def q(s: str) -> str:
    """A YAML single-quoted scalar."""
    return "'" + s.replace("'", "''") + "'"


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def words(self, n: int) -> str:
        r = self.r
        out: list[str] = []
        start = True
        for i in range(n):
            w = r.choice(WORDS)
            roll = r.random()
            if roll < 0.004:
                w = r.choice(FIRST)
            elif roll < 0.010:
                w = r.choice(INSERTS).format(m=r.randrange(60), s=r.randrange(60))
            elif roll < 0.012:
                w = "&"
            elif roll < 0.014:
                w = "“" + w + "”"
            if start and w[0].isalpha():
                w = w[0].upper() + w[1:]
            start = False
            if i < n - 1:
                p = r.random()
                if p < 0.06:
                    w += ","
                elif p < 0.09:
                    w += "—"
                    out.append(w)
                    continue
                elif p < 0.10:
                    w += "…"
                    out.append(w)
                    continue
                elif p < 0.16:
                    w += r.choice(".?.")
                    start = True
            out.append(w)
        text = " ".join(out).replace("— ", "—").replace("… ", "…")
        return text.rstrip(",—…") + r.choice("..?.…")

    def title(self) -> str:
        return " ".join(self.r.sample(TITLE_WORDS, self.r.randint(1, 3)))

    def quote_len(self) -> int:
        return max(20, min(120, round(self.r.triangular(20, 120, 30))))


def shape(n_quotes: int, seed: int):
    """Numbers of themes, participants and the quote counts per finding."""
    r = random.Random(seed * 7919 + n_quotes)
    n_themes = max(5, min(20, 4 + n_quotes // 600 + r.randint(0, 2)))
    n_people = max(10, min(500, n_quotes // 20))
    return n_themes, n_people


def generate(n_quotes: int, seed: int = 1) -> str:
    """YAML text of a study with exactly ``n_quotes`` quotes."""
    g = Gen(seed)
    r = g.r
    n_themes, n_people = shape(n_quotes, seed)

    # blocks: (theme index, subtheme index or None); findings per block
    blocks: list[tuple[int, int | None]] = []
    subs_per_theme = []
    for t in range(n_themes):
        ns = r.choice([0, 0, 1, 2, 2, 3, 4])
        subs_per_theme.append(ns)
        own = ns == 0 or r.random() < 0.6  # a theme with subthemes may have no findings of its own
        if own:
            blocks.append((t, None))
        blocks += [(t, s) for s in range(ns)]
    # about 8 quotes a finding (the example has 7), spread unevenly over the blocks
    n_findings = min(n_quotes, max(len(blocks), round(n_quotes / 8)))
    per_block = [1] * len(blocks)
    for i in r.choices(range(len(blocks)), [0.3 + r.random() for _ in blocks], k=n_findings - len(blocks)):
        per_block[i] += 1
    findings: list[tuple[int, int | None]] = []
    for b, k in zip(blocks, per_block):
        findings += [b] * k
    findings = findings[:n_quotes]
    # every finding gets one quote, the rest are spread unevenly
    weights = [0.2 + r.random() for _ in findings]
    counts = [1] * len(findings)
    for i in r.choices(range(len(findings)), weights, k=n_quotes - len(findings)):
        counts[i] += 1

    people = [f"p{i:03d}" for i in range(1, n_people + 1)]
    out: list[str] = []
    w = out.append
    w(f"# Synthetic study: {n_quotes} quotes, seed {seed} (generated by bench/gen.py; not real data)")
    w("schema: 1")
    w("study:")
    w(f"  title: {q('Synthetic study of ' + str(n_quotes) + ' quotes: clinicians’ decisions (benchmark)')}")
    w("  short_title: Synthetic benchmark study — supplement")
    w("  authors: [A. Author, B. Author]")
    w("  year: 2024")
    w("  keywords: [benchmark, qualitative research]")
    w("  date: 2024-05-31")
    w("participants:")
    w("  caption: Clinical background and experience of the {participants} clinicians who took part.")
    w("  number_header: Participant Identification")
    w("  columns:")
    w("    - {key: specialty, label: Specialty}")
    w("    - {key: rank, label: Academic Rank}")
    w("    - {key: practice, label: Practice Location}")
    w("    - {key: training, label: Training Program Location}")
    w("  marks:")
    w("    - {key: international, symbol: '*', column: specialty, note: denotes international training}")
    w("  rows:")
    for i, pid in enumerate(people):
        intl = ", international: true" if r.random() < 0.15 or i == 0 else ""
        w(f"    - {{id: {pid}, specialty: {r.choice(SPECIALTIES)}, rank: {r.choice(RANKS)}, "
          f"practice: {r.choice(PLACES)}, training: {r.choice(PLACES)}{intl}}}")
    w("sources:")
    w("  - id: FG")
    w("    kind: focus group")
    w("    participants: [" + ", ".join(people[: min(12, n_people)]) + "]")
    for i, pid in enumerate(people, 1):
        w(f"  - {{id: Int{i}, label: Int {i}, kind: interview, participants: [{pid}]}}")
    w("theme_table:")
    w("  caption: \"Themes ({theme_range}), subthemes and supporting quotes: {themes} themes, {subthemes} subthemes, "
      "{findings} findings, {quotes} quotes.\"")
    w("  headers: {theme: Theme or Subtheme, findings: Findings, quotes: Supporting Text from Transcripts}")
    w("themes:")

    next_src = iter(range(1, n_people + 1))  # the first citations visit every interview once

    def cite() -> tuple[str, int | None]:
        """A citation line and the interview it cites (None: the focus group)."""
        k = next(next_src, None)
        roll = r.random()
        page = r.randint(1, 40)
        pages = f"{page}-{page + r.randint(1, 2)}" if r.random() < 0.15 else str(page)
        if k is None:
            if roll < 0.40:
                return "cite: " + pages, None
            k = r.randint(1, n_people)
        if roll < 0.88:
            return f"cite: {q(f'Int {k}, {pages}')}", k
        if roll < 0.97:
            return f"cite: {{source: Int{k}, pages: {pages}}}", k
        return f"cite: Int {k}", k

    fi = 0
    for t in range(n_themes):
        w(f"  - id: theme{t + 1}")
        w(f"    title: {q(g.title())}")
        block_list = [b for b in blocks if b[0] == t]
        if (t, None) not in block_list:
            w("    findings: []")
        for b in block_list:
            ind = "    " if b[1] is None else "        "
            if b[1] is not None:
                if b[1] == 0:
                    w("    subthemes:")
                w(f"      - id: theme{t + 1}-sub{b[1] + 1}")
                w(f"        title: {q(g.title())}")
            w(f"{ind}findings:")
            while fi < len(findings) and findings[fi] == b:
                w(f"{ind}  - text: {q(g.words(r.randint(15, 45)))}")
                w(f"{ind}    quotes:")
                for _ in range(counts[fi]):
                    w(f"{ind}      - text: {q(g.words(g.quote_len()))}")
                    c, k = cite()
                    w(f"{ind}        {c}")
                    if r.random() < 0.03:
                        w(f"{ind}        note: {q('re: ' + g.words(r.randint(2, 6)).rstrip('.?…'))}")
                    if k is not None and r.random() < 0.2:
                        w(f"{ind}        speaker: {people[k - 1]}")
                fi += 1
    return "\n".join(out) + "\n"


def replicated(n_quotes: int, copies: int, seed: int = 1) -> str:
    """The ``n_quotes`` study with its themes repeated ``copies`` times (ids and quotes kept unique).

    Work proportional to the content then grows exactly ``copies``-fold in a linear
    implementation: what tests/test_scaling.py compares.
    """
    import yaml

    d = yaml.load(generate(n_quotes, seed), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    themes = []
    for k in range(1, copies + 1):
        for t in d["themes"]:
            t = json.loads(json.dumps(t))
            blocks = [t] + t.get("subthemes", [])
            for b in blocks:
                b["id"] = f"{b['id']}-c{k}"
                for f in b["findings"]:
                    for quote in f["quotes"]:
                        if k > 1:
                            quote["text"] += f" ({k})"
            themes.append(t)
    d["themes"] = themes
    d["study"]["date"] = str(d["study"]["date"])
    return yaml.safe_dump(d, sort_keys=False, allow_unicode=True, width=10**9)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("quotes", type=int, help="number of quotes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--out", help="file to write (default: standard output)")
    a = ap.parse_args(argv)
    text = generate(a.quotes, a.seed)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
