"""A REFI-QDA project (.qdpx) with N coded selections, for the import benchmark.

    python bench/gen_qdpx.py 10000 /tmp/big.qdpx [--seed 1]

20 interview transcripts (CRLF text with a BOM, as QualCoder writes them), 14 cases with
two variables, a code tree three levels deep (10 themes, 4 subcodes each, 2 below each of
those), and N selections of one to three sentences, each coded once (one in ten twice),
spread over the transcripts.
"""

from __future__ import annotations

import random
import sys
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

WORDS = ("patient surgery radiation team decision pain spine time family goals risk tumor "
         "outcome question surgeon oncologist plan window choice care").split()


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
    return " ".join(words).capitalize() + "."


def generate(n: int, path: Path, seed: int = 1) -> Path:
    rng = random.Random(seed)
    codes, leaves = [], []
    tree = []
    for t in range(10):
        tg = _guid(rng)
        subs = []
        for s in range(4):
            sg = _guid(rng)
            deep = [(_guid(rng), f"Detail {t + 1}.{s + 1}.{d + 1}") for d in range(2)]
            leaves += [sg] + [g for g, _ in deep]
            subs.append((sg, f"Subcode {t + 1}.{s + 1}", deep))
        tree.append((tg, f"Theme {t + 1}", subs))
        leaves.append(tg)
    for tg, name, subs in tree:
        inner = "".join(
            f'<Code guid="{sg}" name="{sn}" isCodable="true"><Description>What {sn} means.</Description>'
            + "".join(f'<Code guid="{dg}" name="{dn}" isCodable="true"/>' for dg, dn in deep) + "</Code>"
            for sg, sn, deep in subs)
        codes.append(f'<Code guid="{tg}" name="{name}" isCodable="true" color="#3366cc">{inner}</Code>')
    var_role, var_years = _guid(rng), _guid(rng)
    cases_guids = [_guid(rng) for _ in range(14)]
    sources = []
    members = {}
    per_source = [n // 20 + (1 if i < n % 20 else 0) for i in range(20)]
    sel_cases = {c: [] for c in cases_guids}
    src_cases = {}
    for i, count in enumerate(per_source):
        sg = _guid(rng)
        case = cases_guids[i % 14]
        src_cases.setdefault(case, []).append(sg)
        lines, sels, pos = [], [], 0
        for k in range(count):
            filler = _sentence(rng)
            lines.append(f"Interviewer: {filler}")
            pos += len(lines[-1]) + 1  # positions count CRLF as one character (ATLAS.ti style)
            quote = " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))
            line = f"Participant: {quote}"
            a = pos + len("Participant: ")
            b = a + len(quote)
            lines.append(line)
            pos += len(line) + 1
            selg = _guid(rng)
            coded = [rng.choice(leaves)] + ([rng.choice(leaves)] if k % 10 == 0 else [])
            codings = "".join(f'<Coding guid="{_guid(rng)}"><CodeRef targetGUID="{c}"/></Coding>' for c in coded)
            sels.append(f'<PlainTextSelection guid="{selg}" name={quoteattr(quote[:30])} startPosition="{a}" '
                        f'endPosition="{b}">{codings}</PlainTextSelection>')
            sel_cases[case].append(selg)
        members[f"sources/{sg}.txt"] = b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8")
        sources.append(f'<TextSource guid="{sg}" name="Interview {i + 1}.txt" plainTextPath="internal://{sg}.txt">'
                       + "".join(sels) + "</TextSource>")
    cases = "".join(
        f'<Case guid="{c}" name="Participant {j + 1}">'
        f'<VariableValue><VariableRef targetGUID="{var_role}"/><TextValue>{escape(rng.choice(["Surgeon", "Oncologist", "Nurse"]))}</TextValue></VariableValue>'
        f'<VariableValue><VariableRef targetGUID="{var_years}"/><IntegerValue>{rng.randint(1, 30)}</IntegerValue></VariableValue>'
        + "".join(f'<SourceRef targetGUID="{s}"/>' for s in src_cases.get(c, []))
        + "".join(f'<SelectionRef targetGUID="{s}"/>' for s in sel_cases[c]) + "</Case>"
        for j, c in enumerate(cases_guids))
    xml = ('<?xml version="1.0" encoding="utf-8"?>\n'
           f'<Project xmlns="urn:QDA-XML:project:1.0" name="Benchmark study {n}" origin="bench/gen_qdpx.py">'
           f'<CodeBook><Codes>{"".join(codes)}</Codes></CodeBook>'
           f'<Variables><Variable guid="{var_role}" name="Role" typeOfVariable="Text"/>'
           f'<Variable guid="{var_years}" name="Years in practice" typeOfVariable="Integer"/></Variables>'
           f'<Cases>{cases}</Cases><Sources>{"".join(sources)}</Sources></Project>\n')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml.encode("utf-8"))
        for name, data in members.items():
            z.writestr(name, data)
    return path


if __name__ == "__main__":
    args = sys.argv[1:]
    seed = 1
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    generate(int(args[0]), Path(args[1]), seed)
