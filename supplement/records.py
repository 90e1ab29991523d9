"""How the package declares its records: as msgspec Structs (not dataclasses).

A build makes the typed model's and the Document's records by the hundred thousand and sends
the Document to the writers' processes, and every run of ``supplement`` defines the classes it
imports. A Struct's class is defined in about 20 µs, where a frozen dataclass takes about
0.8 ms (it compiles six methods from source): a build of the example defined 55 of them, 40 ms
of its start-up. A frozen record of six fields is made in 0.14 µs rather than 1.3 µs, and
pickles in two thirds of the bytes. Structs are immutable with ``frozen=True``, compare and
hash by their fields, ``replace`` makes a changed copy and ``asdict`` a dict of the fields.

Some fields say only where a value was written (``pos``). Two values that say the same thing
are equal wherever their text stood, so such fields take no part in equality, hashing or
the value's repr: a class lists them with ``uncompared``.
"""

from __future__ import annotations

import functools
import operator

from msgspec import Struct, field
from msgspec.structs import asdict, replace

__all__ = ["Struct", "asdict", "field", "replace", "uncompared"]


def uncompared(*names: str):
    """``__eq__``, ``__ne__``, ``__hash__`` and ``__repr__`` for a Struct class (and its
    subclasses) whose fields ``names`` do not count: assign them in the class body."""
    left_out = frozenset(names)

    @functools.cache
    def compared(cls) -> tuple[str, ...]:
        return tuple(f for f in cls.__struct_fields__ if f not in left_out)

    @functools.cache
    def key(cls):
        names = compared(cls)
        return operator.attrgetter(*names) if names else (lambda _: ())

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        k = key(type(self))
        return k(self) == k(other)

    def __ne__(self, other):  # msgspec before 0.18.5 compared every field for !=
        equal = __eq__(self, other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self):
        return hash(key(type(self))(self))

    def __repr__(self):
        shown = ", ".join(f"{f}={getattr(self, f)!r}" for f in compared(type(self)))
        return f"{type(self).__qualname__}({shown})"

    return __eq__, __ne__, __hash__, __repr__
