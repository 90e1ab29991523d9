"""A small declarative schema for located YAML trees.

One declaration serves three purposes: it validates a file (every problem, with
its position), it converts the tree into plain records, and it produces the JSON
Schema that editors use for completion. Source files and style files both use it.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Callable

from supplement.diagnostics import Pos, Report
from supplement.reader.located import Rec, YList, YMap, YStr
from supplement.records import Struct, field

INVALID = object()

# Characters that cannot be stored in a Word (XML 1.0) or PDF text: C0 controls
# other than tab/newline/CR, DEL and C1 controls, surrogates, U+FFFE/U+FFFF.
BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def describe(node) -> str:
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YList):
        return "a list"
    if node is None or (isinstance(node, YStr) and node.is_null):
        return "nothing (null)"
    return f"'{_short(node)}'"


def _short(s: str, n: int = 40) -> str:
    s = str(s).replace("\n", " ")
    return s if len(s) <= n else s[: n - 1] + "…"


class Type(Struct):
    doc = ""

    def check(self, node, r: Report, pos: Pos):  # -> value or INVALID
        raise NotImplementedError

    def json(self) -> dict:
        raise NotImplementedError

    def expected(self) -> str:
        return "a value"

    def wrong(self, node, r: Report, pos: Pos):
        r.error(getattr(node, "pos", pos), f"expected {self.expected()}, found {describe(node)}")
        return INVALID


def is_null(node) -> bool:
    return node is None or (isinstance(node, YStr) and node.is_null)


def has_bad_char(node: "YStr", r: Report) -> bool:
    """Report a character no Word or PDF file can hold (a NUL written as "\\0", a lone surrogate)."""
    bad = BAD_CHARS.search(node)
    if bad:
        r.error(node.pos, f"text contains the control character U+{ord(bad.group()):04X} at character "
                f"{bad.start() + 1} (\"…{_short(node[max(0, bad.start() - 20):bad.start()], 20)}\"), "
                "which cannot be stored in a Word or PDF file",
                "delete it; it often comes from copying out of a PDF or a QDA export")
    return bad is not None


class Text(Type):
    """A string. Scalars are taken as typed, so a number written here is its text."""

    nonempty: bool = True
    pattern: str | None = None
    pattern_hint: str = ""

    def expected(self):
        return "text"

    def check(self, node, r, pos):
        if not isinstance(node, YStr) or is_null(node):
            return self.wrong(node, r, pos)
        if self.nonempty and not node.strip():
            r.error(node.pos, "text is empty", "write the text, or remove the key")
            return INVALID
        if has_bad_char(node, r):
            return INVALID
        if self.pattern and not re.fullmatch(self.pattern, node):
            r.error(node.pos, f"'{_short(node)}' is not valid here: {self.pattern_hint}")
            return INVALID
        return node

    def json(self):
        d: dict = {"type": "string"}
        if self.nonempty:
            d["minLength"] = 1
        if self.pattern:
            d["pattern"] = f"^{self.pattern}$"
        return d


class Int(Type):
    """A whole number, within bounds."""

    min: int | None = None
    max: int | None = None

    def expected(self):
        return "a whole number"

    def check(self, node, r, pos):
        if not isinstance(node, YStr) or not re.fullmatch(r"[+-]?\d+", node.strip()):
            return self.wrong(node, r, pos)
        if len(node.strip().lstrip("+-")) > 18:  # int() refuses more than 4,300 digits; no field needs 19
            r.error(node.pos, f"{_short(node)} is out of range ({self.min} to {self.max})")
            return INVALID
        v = int(node)
        if (self.min is not None and v < self.min) or (self.max is not None and v > self.max):
            r.error(node.pos, f"{v} is out of range ({self.min} to {self.max})")
            return INVALID
        return v

    def json(self):
        d: dict = {"type": "integer"}
        if self.min is not None:
            d["minimum"] = self.min
        if self.max is not None:
            d["maximum"] = self.max
        return d


class Number(Type):
    """A number, within bounds."""

    min: float | None = None
    max: float | None = None

    def expected(self):
        return "a number"

    def check(self, node, r, pos):
        try:
            v = float(node) if isinstance(node, YStr) and node.plain else None
        except ValueError:
            v = None
        if v is None or v != v:
            return self.wrong(node, r, pos)
        if (self.min is not None and v < self.min) or (self.max is not None and v > self.max):
            r.error(node.pos, f"{node} is out of range ({self.min} to {self.max})")
            return INVALID
        return v

    def json(self):
        d: dict = {"type": "number"}
        if self.min is not None:
            d["minimum"] = self.min
        if self.max is not None:
            d["maximum"] = self.max
        return d


class Bool(Type):
    TRUE = {"true", "True", "TRUE", "yes", "Yes", "YES"}
    FALSE = {"false", "False", "FALSE", "no", "No", "NO"}

    def expected(self):
        return "true or false"

    def check(self, node, r, pos):
        if isinstance(node, YStr) and node.plain and (node in self.TRUE or node in self.FALSE):
            return node in self.TRUE
        return self.wrong(node, r, pos)

    def json(self):
        return {"type": "boolean"}


class Enum(Type):
    """One of a fixed set of words (a case-insensitive match is accepted)."""

    choices: tuple[str, ...] = ()

    def expected(self):
        return "one of " + ", ".join(self.choices)

    def check(self, node, r, pos):
        if isinstance(node, YStr) and node in self.choices:
            return str(node)
        folded = [c for c in self.choices if isinstance(node, YStr) and c.casefold() == node.casefold()]
        if len(folded) == 1:  # size: A4 means a4
            return folded[0]
        if isinstance(node, YStr):
            near = difflib.get_close_matches(node, self.choices, 1)
            r.error(node.pos, f"'{_short(node)}' is not one of: {', '.join(self.choices)}",
                    f"did you mean '{near[0]}'?" if near else "")
            return INVALID
        return self.wrong(node, r, pos)

    def json(self):
        return {"enum": list(self.choices)}


class Custom(Type):
    """A scalar converted by a function that returns (value, error message)."""

    convert: Callable[[str], tuple[Any, str]] = None  # type: ignore[assignment]
    what: str = "a value"
    schema: dict = field(default_factory=dict)
    hint: str = ""

    def expected(self):
        return self.what

    def check(self, node, r, pos):
        if not isinstance(node, YStr) or is_null(node):
            return self.wrong(node, r, pos)
        if has_bad_char(node, r):  # templates become text in the outputs
            return INVALID
        value, err = self.convert(str(node))
        if err:
            r.error(node.pos, err, self.hint)
            return INVALID
        return value

    def json(self):
        return dict(self.schema)


class Scalar(Type):
    """Any single value, kept as typed (a table cell, or a true/false flag)."""

    def expected(self):
        return "a single value"

    def check(self, node, r, pos):
        if not isinstance(node, YStr):
            return self.wrong(node, r, pos)
        return Text(nonempty=False).check(node, r, pos)

    def json(self):
        return {"type": ["string", "number", "boolean"]}


class ListOf(Type):
    """A list of one type of item, with a number of items allowed."""

    item: Type = None  # type: ignore[assignment]
    min_items: int = 0
    max_items: int | None = None

    def expected(self):
        return "a list"

    def check(self, node, r, pos):
        if isinstance(node, YStr) and not is_null(node) and isinstance(self.item, (Text, Custom, Enum, AnyOf)):
            node_list = YList(node.pos)  # a single value where a list is expected: accept it as one item
            node_list.append(node)
            node = node_list
        if not isinstance(node, YList):
            return self.wrong(node, r, pos)
        n = len(node)
        if n < self.min_items and self.max_items != self.min_items:
            r.error(node.pos, f"the list is empty; at least {self.min_items} item is needed" if n == 0 else
                    f"the list has {n} item{'s' * (n != 1)}; at least {self.min_items} are needed")
        elif self.max_items is not None and not self.min_items <= n <= self.max_items:
            r.error(node.pos, f"the list has {n} item{'s' * (n != 1)}; " + (
                f"exactly {self.min_items} are needed" if self.min_items == self.max_items
                else f"at most {self.max_items} are allowed"))
        out = [self.item.check(x, r, getattr(x, "pos", node.pos)) for x in node]
        return [x for x in out if x is not INVALID]

    def json(self):
        d = {"type": "array", "items": self.item.json()}
        if self.min_items:
            d["minItems"] = self.min_items
        if self.max_items is not None:
            d["maxItems"] = self.max_items
        return d


class AnyOf(Type):
    """The first alternative whose shape matches the node (scalar, list, mapping)."""

    options: tuple[Type, ...] = ()
    what: str = ""

    def expected(self):
        return self.what

    def check(self, node, r, pos):
        for t in self.options:
            if isinstance(t, Obj) and isinstance(node, YMap):
                return t.check(node, r, pos)
            if isinstance(t, ListOf) and isinstance(node, YList):
                return t.check(node, r, pos)
            if not isinstance(t, (Obj, ListOf)) and isinstance(node, YStr) and not is_null(node):
                return t.check(node, r, pos)
        return self.wrong(node, r, pos)

    def json(self):
        return {"anyOf": [t.json() for t in self.options]}


class Field(Struct):
    """A declared key of a mapping: its type, whether it is required, and its default."""

    type: Type
    required: bool = False
    default: Any = None
    doc: str = ""
    missing_hint: Callable[[Any], str] | None = None  # (the mapping) -> how to add the key when it is missing


class Obj(Type):
    """A mapping with declared keys. ``extra`` admits other keys of that type."""

    name: str = ""
    fields: dict[str, Field] = field(default_factory=dict)
    extra: Type | None = None
    extra_doc: str = ""
    example: str = ""  # the mapping form, shown when a plain value is written instead; VALUE: that value

    def expected(self):
        return f"a mapping ({self.name})" if self.name else "a mapping"

    def check(self, node, r, pos):
        if not isinstance(node, YMap):
            if self.example and isinstance(node, YStr) and not node.is_null:
                value = "'" + _short(node, 30).replace("'", "''") + "'"
                r.error(node.pos, f"expected {self.expected()}, found {describe(node)}",
                        "write it as a mapping: " + self.example.replace("VALUE", value))
                return INVALID
            return self.wrong(node, r, pos)
        rec = Rec(node.pos)
        suggested = set()  # a misspelt key already reported; its field is not also "missing"
        prev = None  # the key before, for a value cut at a comma
        # the hot loop of reading (once per key of every mapping): names looked up once
        fields, extra, kposes = self.fields, self.extra, node.kpos
        values, at, bad = rec.__dict__, rec._at, rec._bad
        for key, value in node.items():
            f = fields.get(key)
            kpos = kposes[key]
            if f is None and extra is None:
                near = difflib.get_close_matches(key, list(self.fields), 1, 0.6)
                suggested.update(near)
                rec._bad.update([key, *near])  # the field it was probably meant for is missing too
                hint = f"did you mean '{near[0]}'?" if near else "known keys: " + ", ".join(self.fields)
                if key.strip().isdigit():
                    hint = "inside { } a comma separates keys: quote a value that holds one, e.g. cite: 'Non-Op 1, 2'"
                elif is_null(value) and len(key.split()) > 1 and prev is not None:  # {text: a, b c, cite: 6}
                    hint = (f"inside {{ }} a comma ends a value: put the value of '{prev}' in quotes, "
                            f"e.g. {prev}: '…, {_short(key, 24)}'")
                r.error(kpos, f"unknown key '{_short(key)}' in {self.name or 'mapping'}", hint)
                prev = key
                continue
            prev = key
            t = f.type if f else extra
            if is_null(value) and (f is None or not f.required):
                if f is None:  # kept as None: only the whole-file checks know what an extra key means
                    rec._extra[key], at[key] = None, kpos
                continue  # an explicit null means "not given"
            vpos = getattr(value, "pos", kpos)
            v = t.check(value, r, vpos)
            if v is INVALID:
                bad.add(key)
                continue
            if isinstance(value, YList) and isinstance(v, list) and len(v) < len(value):
                bad.add(key)  # some items were invalid and left out
            if f:
                values[key] = v
            else:
                rec._extra[key] = v
            at[key] = vpos
        for key, f in fields.items():
            if key not in values:
                if f.required:
                    rec._bad.add(key)
                if f.required and key not in node and key not in suggested:
                    r.error(node.pos, f"{self.name or 'mapping'} is missing '{key}'" + (f" ({f.doc})" if f.doc else ""),
                            f.missing_hint(node) if f.missing_hint else "")
                setattr(rec, key, f.default() if callable(f.default) else f.default)
        return rec

    def json(self):
        props = {}
        for k, f in self.fields.items():
            p = f.type.json()
            if f.doc:
                p["description"] = f.doc
            if f.default is not None and not callable(f.default):
                p["default"] = f.default
            props[k] = p
        d: dict = {"type": "object", "properties": props,
                   "additionalProperties": self.extra.json() if self.extra else False}
        req = [k for k, f in self.fields.items() if f.required]
        if req:
            d["required"] = req
        if self.doc:
            d["description"] = self.doc
        return d
