"""``escape`` and ``quoteattr`` as ``xml.sax.saxutils`` has them, without importing it.

``xml.sax.saxutils`` imports ``urllib.request``, and with it ``http.client`` and the
``email`` package: 30 to 45 ms of every PDF or Word worker's start, for two functions of
a few lines. Same results for every string (``tests/test_hardening.py`` compares them)."""

from __future__ import annotations

__all__ = ["escape", "quoteattr"]


def escape(data: str, entities: dict[str, str] | None = None) -> str:
    """``&``, ``<`` and ``>`` as entities; then each key of ``entities`` as its value."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for key, value in (entities or {}).items():
        data = data.replace(key, value)
    return data


def quoteattr(data: str) -> str:
    """``data`` escaped for an XML attribute value, with the quotes around it: double quotes,
    or single ones if it holds a double quote and no single one."""
    data = escape(data).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' in data:
        if "'" in data:
            return '"%s"' % data.replace('"', "&quot;")
        return "'%s'" % data
    return '"%s"' % data
