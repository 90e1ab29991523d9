"""Regular expressions a library compiles when imported, compiled on first use instead.

Three patterns of the libraries this program imports cost more to compile than anything
else their imports do, because their character ranges reach the end of the Basic
Multilingual Plane or of Unicode, which the compiler walks (case-folding them when the
pattern ignores case):

- reportlab.platypus.paragraph's URL pattern for splitting long links (35-40 ms);
- PyYAML's pure-Python reader's test for unprintable characters (5-7 ms: the C parser,
  which this program reads with, has its own);
- reportlab.lib.textsplit's CJK splitter (4-5 ms).

The PDF writer breaks its own lines and never calls the first or third. Compiled at import,
they took a tenth of building the example (whose writers are imported in every build). Here
they compile on their first use and then behave as compiled.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

_COMPILE = re.compile


class LazyPattern:
    """Stands for ``re.compile(pattern, flags)``, compiled when an attribute is first used
    (``.match``, ``.search``, ``.sub``: how these libraries use theirs)."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str, flags: int):
        self._args = (pattern, flags)
        self._compiled = None

    def __getattr__(self, name: str):  # only for what the slots do not hold
        if name.startswith("_"):  # copy and pickle look for __reduce_ex__ etc. before _args is set
            raise AttributeError(name)
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _COMPILE(*self._args)
        return getattr(compiled, name)

    def __reduce__(self):  # copied or pickled as the compiled pattern it stands for
        return _COMPILE, self._args

    def __repr__(self) -> str:
        return f"LazyPattern({self._args[0]!r}, {self._args[1]!r})"


def costly(pattern) -> bool:
    """A pattern whose ranges reach U+FFFF or U+10FFFF."""
    return isinstance(pattern, str) and ("\uffff" in pattern or "\U0010ffff" in pattern)


@contextmanager
def compiled_on_first_use():
    """While the block runs (a library's import), ``re.compile`` of a costly pattern returns a
    LazyPattern; every other pattern compiles as ``re.compile`` did before the block, which it
    is again after it."""
    before = re.compile

    def compile_(pattern, flags=0):
        return LazyPattern(pattern, flags) if costly(pattern) else before(pattern, flags)

    re.compile = compile_
    try:
        yield
    finally:
        re.compile = before
