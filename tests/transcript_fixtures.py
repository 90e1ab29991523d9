"""Synthetic transcripts for the example, rendered the way real transcripts differ from quotes.

Every quote is put on its cited page(s) of its source's transcript, written as a
transcriber would have: straight quotes, ``--`` for dashes, lines wrapped at 72
columns with words hyphenated at line ends, what an ellipsis omits filled with
words, a bracketed insertion replaced by the words it stands for (``[laughter]``
and ``[unintelligible 05:03]`` are the transcript's own and stay), speaker labels,
a running header and a "Page N of M" footer. A quote cited on a page range runs
over the page break. Then ``plant`` makes misquotes of the kinds a journal's
checker would catch.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "source" / "spinal-metastases.yaml"


def cli(*args, cwd=None) -> subprocess.CompletedProcess:
    """The command as a user runs it (this worktree's package first on the path)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-c", "from supplement.cli import run; run()", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def write_yaml(folder: Path, data: dict, name: str = "study.yaml") -> Path:
    p = folder / name
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096), encoding="utf-8")
    return p


def example_data() -> dict:
    """The example source as plain data (this module is also used by bench/, without pytest)."""
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))

SOURCES = {"FG": None, "NonOp1": "Non-Op 1", "NonOp2": "Non-Op 2"}
NATIVE = re.compile(r"\[(?:laughter|unintelligible[^\]]*)\]", re.I)  # brackets the transcript has itself
STANDS_FOR = {"[multidisciplinary care]": "the tumor board people", "[with]": "uh"}


def all_quotes(data: dict) -> list[dict]:
    out = []
    for t in data["themes"]:
        for b in [t] + t.get("subthemes", []):
            for f in b.get("findings", []):
                out.extend(f.get("quotes", []))
    return out


def cite_of(q: dict) -> tuple[str, int, int]:
    c = str(q["cite"])
    src = "FG"
    if "," in c:
        label, c = c.rsplit(",", 1)
        src = {v: k for k, v in SOURCES.items() if v}[label.strip()]
    a, _, b = c.strip().partition("-")
    return src, int(a), int(b or a)


def vocabulary(data: dict) -> list[str]:
    words = []
    for t in data["themes"]:
        for b in [t] + t.get("subthemes", []):
            for f in b.get("findings", []):
                words += re.findall(r"[a-z]+", f["text"].lower())
    return sorted(set(w for w in words if len(w) > 2))


def render(text: str, rng: random.Random, vocab: list[str]) -> str:
    """The quote as the transcript has it."""
    for raw, words in STANDS_FOR.items():
        text = text.replace(raw, words)
    text = re.sub(r"\[(?!laughter|unintelligible)[^\]]*\]", lambda m: "some words", text, flags=re.I)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.replace("—", " -- " if rng.random() < 0.5 else "--").replace("–", "-")
    text = re.sub(r"…|\.\.\.", lambda m: " " + " ".join(rng.choice(vocab) for _ in range(rng.randint(2, 12))) + " ",
                  text)
    return " ".join(text.split())


def filler(rng: random.Random, vocab: list[str], n: int) -> str:
    words = [rng.choice(vocab) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def wrap(text: str, rng: random.Random, width: int = 72) -> str:
    """Wrap at ``width``, hyphenating some long words at the line end."""
    lines, line = [], ""
    for w in text.split():
        if len(line) + 1 + len(w) <= width or not line:
            line = f"{line} {w}" if line else w
            continue
        room = width - len(line) - 2
        if w.isalpha() and len(w) >= 8 and room >= 4 and rng.random() < 0.6:
            k = rng.randint(3, min(room, len(w) - 3))
            lines.append(f"{line} {w[:k]}-")
            line = w[k:]
        else:
            lines.append(line)
            line = w
    if line:
        lines.append(line)
    return "\n".join(lines)


@dataclass
class Built:
    folder: Path
    source: Path
    data: dict
    pages: dict = field(default_factory=dict)  # source id -> {page: text}
    repeated: set = field(default_factory=set)  # quote texts the transcript says twice


def build_pages(data: dict, seed: int = 0, repeat_on: int = 0) -> tuple[dict, set]:
    """source id -> {page number: page text}, and the texts of repeated quotes. ``repeat_on``: that many quotes are said again on
    another page too (a transcript repeats itself; the citation must still verify)."""
    rng = random.Random(seed)
    vocab = vocabulary(data)
    body: dict = {s: {} for s in SOURCES}
    heads: dict = {s: {} for s in SOURCES}  # text that opens a page (the end of a quote cited over a break)
    tails: dict = {s: {} for s in SOURCES}  # text that closes a page (the start of such a quote)
    for q in all_quotes(data):
        src, a, b = cite_of(q)
        spoken = render(q["text"], rng, vocab)
        speaker = f"P{rng.randint(1, 14)}:"
        body[src].setdefault(a, [])
        if a == b:
            body[src][a].append(f"{speaker} {filler(rng, vocab, rng.randint(3, 20))} {spoken} "
                                f"{filler(rng, vocab, rng.randint(1, 12)) if rng.random() < .7 else ''}")
        else:
            w = spoken.split()
            cut = max(1, len(w) // 2)
            tails[src][a] = f"{speaker} {filler(rng, vocab, 5)} {' '.join(w[:cut])}"
            heads[src][b] = " ".join(w[cut:]) + " " + filler(rng, vocab, 6)
    for src, pages in body.items():
        for n in range(1, max(list(pages) + list(heads[src])) + 2):
            pages.setdefault(n, [])
            if n != 1 and rng.random() < 0.5:
                pages[n].insert(rng.randint(0, len(pages[n])), f"Interviewer: {filler(rng, vocab, rng.randint(5, 25))}")
    repeated = set()
    if repeat_on:
        qs = [q for q in all_quotes(data) if cite_of(q)[1] == cite_of(q)[2]]
        for q in rng.sample(qs, repeat_on):
            repeated.add(q["text"])
            src, a, _ = cite_of(q)
            other = rng.choice([n for n in body[src] if n != a])
            body[src][other].append("P3: as I said before, " + render(q["text"], rng, vocab))
    out = {}
    for src, pages in body.items():
        total = max(pages)
        out[src] = {}
        for n in sorted(pages):
            paras = [p for p in [heads[src].get(n)] + pages[n] + [tails[src].get(n)] if p]
            head = f"{src} transcript -- confidential"
            out[src][n] = head + "\n\n" + "\n\n".join(wrap(p, rng) for p in paras) + f"\n\nPage {n} of {total}\n"
    return out, repeated


def write_txt(folder: Path, src: str, pages: dict, style: str) -> Path:
    """style: 'formfeed' | 'brackets' ([Page N]) | 'dashes' (--- Page N ---)."""
    p = folder / f"{src}.txt"
    if style == "formfeed":
        text = "\f".join(pages[n] for n in sorted(pages))
    elif style == "brackets":
        text = "\n".join(f"[Page {n}]\n{pages[n]}" for n in sorted(pages))
    else:
        text = "\n".join(f"--- Page {n} ---\n{pages[n]}" for n in sorted(pages))
    p.write_text(text, encoding="utf-8")
    return p


def write_source(folder: Path, data: dict, transcripts: dict) -> Path:
    data = dict(data)
    data["sources"] = [dict(s, transcript=transcripts[s["id"]]) if s["id"] in transcripts else s
                       for s in data["sources"]]
    path = folder / "study.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096), encoding="utf-8")
    return path


def build(folder: Path, seed: int = 0, styles=("formfeed", "brackets", "dashes"), data: dict | None = None,
          repeat_on: int = 3) -> Built:
    data = data or example_data()
    pages, repeated = build_pages(data, seed, repeat_on)
    names = {}
    for src, style in zip(SOURCES, styles):
        names[src] = write_txt(folder, src, pages[src], style).name
    return Built(folder, write_source(folder, data, names), data, pages, repeated)


# ---------------------------------------------------------------------------- misquotes

KINDS = ("substitute", "omit", "insert", "swap", "wrong-page", "near-miss")


def _interior(text: str) -> list[int]:
    """Indices of whitespace-separated words safely inside a segment: plain words, not next to
    an ellipsis or a bracket, not the first or last word."""
    w = text.split()
    ok = []
    for i in range(1, len(w) - 1):
        window = " ".join(w[i - 1:i + 2])
        if re.fullmatch(r"[A-Za-z]+", w[i]) and "…" not in window and "[" not in window and "]" not in window \
                and "..." not in window and "—" not in window:
            ok.append(i)
    return ok


def plant(data: dict, pages: dict, kind: str, rng: random.Random, taken: set, repeated=frozenset()) -> tuple[int, str]:
    """Turn one clean quote into a misquote of ``kind``; returns its index and a description."""
    qs = all_quotes(data)
    vocab = vocabulary(data)
    candidates = [i for i, q in enumerate(qs) if i not in taken and len(_interior(q["text"])) >= 2
                  and q["text"] not in repeated
                  and sum(1 for x in qs if x["text"] == q["text"]) == 1]
    if kind == "near-miss":
        candidates = [i for i in candidates if len(qs[i]["text"].split()) >= 60]
    if kind == "wrong-page":
        candidates = [i for i in candidates if cite_of(qs[i])[1] == cite_of(qs[i])[2]]
    i = rng.choice(candidates)
    taken.add(i)
    q = qs[i]
    w = q["text"].split()
    spots = _interior(q["text"])
    j = rng.choice(spots)
    if kind in ("substitute", "near-miss"):
        new = rng.choice([v for v in vocab if v != w[j].lower()])
        desc = f"'{w[j]}' -> '{new}'"
        w[j] = new
    elif kind == "omit":
        desc = f"dropped '{w[j]}'"
        del w[j]
    elif kind == "insert":
        new = rng.choice(vocab)
        desc = f"inserted '{new}'"
        w.insert(j, new)
    elif kind == "swap":
        k = next((k for k in spots if k + 1 in spots and w[k].lower() != w[k + 1].lower()), None)
        if k is None:
            taken.discard(i)
            return plant(data, pages, kind, rng, taken, repeated)
        w[k], w[k + 1] = w[k + 1], w[k]
        desc = f"swapped '{w[k + 1]}' and '{w[k]}'"
    else:  # wrong page: a page of the same source where the quote is not
        src, a, _ = cite_of(q)
        other = rng.choice([n for n in pages[src] if n != a])
        label = SOURCES[src]
        q["cite"] = f"{label}, {other}" if label else other
        return i, f"cited page {other} instead of {a}"
    q["text"] = " ".join(w)
    return i, desc
