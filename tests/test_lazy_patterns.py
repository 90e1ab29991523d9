"""Patterns the libraries compile at import, compiled on first use (supplement/lazy_patterns.py)."""

from __future__ import annotations

import re
import subprocess
import sys

from supplement.lazy_patterns import LazyPattern, compiled_on_first_use, costly


def test_a_lazy_pattern_answers_as_the_compiled_one():
    source = "(^(?:[a-z0-9]*)://)([a-z\xa1-\uffff0-9.-]+)"
    lazy, real = LazyPattern(source, re.I), re.compile(source, re.I)
    for text in ("HTTPS://Ørsted.example", "mailto:x", "ftp://δοκιμή.gr/a"):
        a, b = lazy.match(text), real.match(text)
        assert (a and a.groups()) == (b and b.groups())
    assert lazy.sub("<\\1>", "https://x.org") == real.sub("<\\1>", "https://x.org")
    assert lazy.pattern == source and lazy.flags == real.flags


def test_only_costly_patterns_wait_and_re_compile_is_given_back():
    with compiled_on_first_use():
        wide = re.compile("[^\t\n -~\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
        narrow = re.compile("[a-z]+")
    assert isinstance(wide, LazyPattern) and wide._compiled is None
    assert isinstance(narrow, re.Pattern)
    assert wide.search("ok\x07") is not None and isinstance(wide._compiled, re.Pattern)
    assert isinstance(re.compile("[\u2e80-\uffff]"), re.Pattern)  # outside the block: as always
    assert costly("[\u2e80-\uffff]") and not costly("[a-z]") and not costly(b"[\xff]")


def test_the_writers_and_the_reader_import_without_compiling_them():
    """The three patterns (reportlab's URL and CJK splitters, PyYAML's unprintable test) wait;
    reportlab still splits a URL and PyYAML's pure-Python reader still refuses a control
    character. Fails if a new reportlab or PyYAML changes them: then see lazy_patterns.py."""
    script = (
        "import yaml.reader, reportlab.platypus.paragraph as p, reportlab.lib.textsplit as t\n"
        "from supplement.lazy_patterns import LazyPattern\n"
        "waiting = [type(x) is LazyPattern and x._compiled is None\n"
        "           for x in (p.uri_pat, t.rx, yaml.reader.Reader.NON_PRINTABLE)]\n"
        "print(waiting)\n"
        "print(p._uri_split_pairs('https://example.org/a/b')[0])\n"
        "try:\n"
        "    yaml.load('a: \"\\x07\"', Loader=yaml.SafeLoader)\n"
        "except yaml.YAMLError as e:\n"
        "    print(type(e).__name__)\n")
    out = subprocess.run([sys.executable, "-c", "import supplement.writers.pdf, supplement.reader.located_yaml\n" + script],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[True, True, True]"
    assert out[1] == "('https://example.org/a/', 'b')"
    assert out[2] == "ReaderError"


def test_a_lazy_pattern_copies_and_pickles_as_the_compiled_one_and_blocks_nest():
    import copy
    import pickle

    lazy = LazyPattern("[\u2e80-\uffff]+", 0)
    twins = (copy.copy(lazy), copy.deepcopy(lazy), pickle.loads(pickle.dumps(lazy)))
    assert lazy._compiled is None  # copying did not compile it
    for twin in twins:
        assert isinstance(twin, re.Pattern) and twin.pattern == lazy.pattern
    before = re.compile
    with compiled_on_first_use():
        inner = re.compile
        with compiled_on_first_use():
            assert isinstance(re.compile("[\u2e80-\uffff]"), LazyPattern)
        assert re.compile is inner
    assert re.compile is before
