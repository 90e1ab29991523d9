"""{placeholders} in style and caption templates: plain names only, filled without str.format.

A template comes from a style file or a source, so it is untrusted. ``str.format``
would evaluate attribute access, indexing, conversions and nested format specs
(``{number:{id.__new__.__globals__[os].environ}}`` printed the environment), and a
spec such as ``{n:x>1500000000}`` pads to gigabytes. Here a placeholder is ``{name}``
and nothing else; ``{{`` and ``}}`` are literal braces. Both functions are linear.
"""

from __future__ import annotations

import re

# {{, }}, a placeholder, or a lone brace; [^{}]* cannot backtrack
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def names(text: str) -> list[str] | str:
    """The placeholder names in ``text`` in order, or what is wrong (the first problem, a noun
    phrase: "unbalanced braces …", "a placeholder … that is not a plain name …")."""
    out = []
    for m in _TOKEN.finditer(text):
        token = m.group()
        if token in ("{{", "}}"):
            continue
        inner = m.group(1)
        if inner is None and token == "{" and text.find("}", m.end()) >= 0:
            inner = text[m.end():text.find("}", m.end())]  # a nested placeholder: {n:{…}}
        if inner is None:
            return (f"unbalanced braces (a lone '{token}' at character {m.start() + 1}); "
                    "write {{ and }} for literal braces")
        if not _NAME.fullmatch(inner):
            base = _NAME.match(inner)
            return (f"a placeholder '{{{_short(inner)}}}' that is not a plain name (format specs, conversions, "
                    "attribute access and indexing are not allowed)" + (f"; write {{{base.group()}}}" if base else ""))
        out.append(inner)
    return out


def problem(text: str, allowed, open_: bool = False) -> str:
    """'' when every placeholder is one of ``allowed`` (any plain name when ``open_``), else why not."""
    found = names(text)
    if isinstance(found, str):
        return f"'{_short(text)}' has {found}"
    bad = [f for f in found if f not in allowed and not open_]
    if bad:
        return (f"unknown placeholder '{{{_short(bad[0])}}}'; available: "
                + (", ".join(f"{{{n}}}" for n in allowed) or "none"))
    return ""


def fill(template: str, values: dict) -> str:
    """``template`` with each {name} replaced by str(values[name]) ('' when absent). A template
    that ``names`` refuses is never filled: its bad pieces are kept as written."""
    def one(m: re.Match) -> str:
        token = m.group()
        if token in ("{{", "}}"):
            return token[0]
        inner = m.group(1)
        if inner is None or not _NAME.fullmatch(inner):
            return token
        value = values.get(inner, "")
        return value if isinstance(value, str) else str(value)
    return _TOKEN.sub(one, template)


def pieces(template: str):
    """(literal text, placeholder name or None) in order: for templates filled piece by piece."""
    pos, literal = 0, []
    for m in _TOKEN.finditer(template):
        literal.append(template[pos:m.start()])
        pos = m.end()
        token = m.group()
        if token in ("{{", "}}"):
            literal.append(token[0])
        elif m.group(1) is not None and _NAME.fullmatch(m.group(1)):
            yield "".join(literal), m.group(1)
            literal = []
        else:
            literal.append(token)
    literal.append(template[pos:])
    if any(literal):
        yield "".join(literal), None
