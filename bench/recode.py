"""A recoding round applied to a study, for benchmarking `supplement diff`.

    python bench/recode.py study.yaml -o study-recoded.yaml [--seed 1]

Deterministic for a seed: the last theme becomes the first, one theme is renamed,
the second theme is merged into the first, one theme is split, 1% of the quotes get
one word changed, 1% are re-cited, 1% move to another finding, 1% are removed, a
few are added, and the participants are re-sorted (reversed). The result passes
`supplement check` when the study did.
"""

from __future__ import annotations

import argparse
import random
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _blocks(d):
    return [b for t in d["themes"] for b in [t] + t.get("subthemes", [])]


def _quotes(d):
    return [(f, q) for b in _blocks(d) for f in b.get("findings", []) for q in f["quotes"]]


def recode(text: str, seed: int = 1) -> str:
    rnd = random.Random(seed)
    d = yaml.load(text, Loader=Loader)
    themes = d["themes"]
    themes.insert(0, themes.pop())
    themes[2]["title"] += " (revised)"
    if len(themes) > 3 and not themes[2].get("subthemes"):
        a, b = themes[1], themes.pop(2)
        a.setdefault("findings", []).extend(b.get("findings", []))
    big = max(_blocks(d), key=lambda b: len(b.get("findings", [])))
    if len(big.get("findings", [])) >= 2:
        k = len(big["findings"]) // 2
        moved, big["findings"] = big["findings"][k:], big["findings"][:k]
        themes.append({"id": "split-off", "title": "A Theme Split Off", "findings": moved})
    quotes = _quotes(d)
    n = max(1, len(quotes) // 100)
    picked = rnd.sample(range(len(quotes)), min(len(quotes), 4 * n))
    edit, recite, move, remove = (picked[i * n:(i + 1) * n] for i in range(4))
    for i in edit:
        words = quotes[i][1]["text"].split()
        words[rnd.randrange(len(words))] = "REVISED"
        quotes[i][1]["text"] = " ".join(words)
    for i in recite:
        quotes[i][1]["cite"] = 999
    findings = [f for b in _blocks(d) for f in b.get("findings", [])]
    for i in move:
        f, q = quotes[i]
        f["quotes"].remove(q)
        rnd.choice(findings)["quotes"].append(q)
    for i in sorted(remove, reverse=True):
        f, q = quotes[i]
        if q in f["quotes"]:
            f["quotes"].remove(q)
    for k in range(n):
        rnd.choice(findings)["quotes"].append({"text": f"A quote added in the recoding round, number {k}.",
                                               "cite": 1})
    if d.get("participants"):
        d["participants"]["rows"].reverse()
    return yaml.dump(d, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    with open(a.source, encoding="utf-8") as f:
        out = recode(f.read(), a.seed)
    with open(a.output, "w", encoding="utf-8") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
