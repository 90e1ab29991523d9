"""Values that remember where they came from: the located YAML tree's strings, mappings and
lists (``located_yaml`` builds them) and the record a schema makes of a mapping (``declare``).

They travel in a Document (a style's records, a caption's located text), which a small build
pickles to its prestarted workers: loading them there imports this module and nothing heavy
(no PyYAML, no schema).
"""

from __future__ import annotations

from typing import Any

from supplement.diagnostics import Pos


class YStr(str):
    """A scalar as typed, with its position. ``plain`` is False when it was quoted."""

    __slots__ = ("pos", "plain")

    def __new__(cls, value: str, pos: Pos, plain: bool = False):
        s = super().__new__(cls, value)
        s.pos, s.plain = pos, plain
        return s

    def __reduce__(self):  # pickled with its position (a small build sends its Document to workers)
        return YStr, (str(self), self.pos, self.plain)

    @property
    def is_null(self) -> bool:
        return self.plain and self in ("", "~", "null", "Null", "NULL")


class YMap(dict):
    """A mapping with its own position and the position of each key."""

    def __init__(self, pos: Pos):
        super().__init__()
        self.pos, self.kpos = pos, {}


class YList(list):
    def __init__(self, pos: Pos):
        super().__init__()
        self.pos = pos


class Rec:
    """A validated mapping: fields as attributes, ``pos`` and ``at(name)`` for positions."""

    def __init__(self, pos: Pos):
        self.pos = pos
        self._at: dict[str, Pos] = {}
        self._extra: dict[str, Any] = {}
        self._bad: set[str] = set()  # keys that were unknown, missing, or (partly) invalid

    @property
    def broken(self) -> bool:
        """True when an error was reported inside this mapping (its record is incomplete)."""
        return bool(self._bad)

    def at(self, name: str) -> Pos:
        return self._at.get(name, self.pos)

    def get(self, name: str, default=None):
        return self.__dict__.get(name, self._extra.get(name, default))

    @property
    def extra(self) -> dict[str, Any]:
        return self._extra

    def __repr__(self):
        fields = {k: v for k, v in self.__dict__.items() if not k.startswith("_") and k != "pos"}
        return f"Rec({fields}, extra={self._extra})"
