"""Reading untrusted exports safely: zip archives and XML.

A QDA export comes from somewhere else and may be hostile or broken. Archives are
read member by member with limits (no ``..`` or absolute paths, no member or total
larger than the limits, no compression ratio a zip bomb needs); XML is parsed with
entity expansion, DTD loading and network access off, keeping line numbers so every
problem can be located.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath

from lxml import etree

from supplement.diagnostics import Pos, Report, SourceError

MAX_MEMBER = 256 * 1024 * 1024      # one file inside an archive
MAX_TOTAL = 1024 * 1024 * 1024      # everything we read from one archive
MAX_RATIO = 200                     # uncompressed / compressed, for members over 1 MiB
MAX_MEMBERS = 100_000


def fail(pos: Pos, message: str, hint: str = "") -> SourceError:
    r = Report()
    r.error(pos, message, hint)
    return SourceError(r)


class SafeZip:
    """A zip archive whose member names and sizes were checked before anything is read."""

    def __init__(self, path: str):
        self.path = path
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise fail(Pos(path), f"not a readable zip archive ({e})",
                       "a .qdpx or .docx is a zip file; export it again from the tool") from None
        infos = self.zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise fail(Pos(path), f"the archive holds {len(infos)} files (limit {MAX_MEMBERS})")
        self.members: dict[str, zipfile.ZipInfo] = {}
        bad = Report()
        total = 0
        for info in infos:
            name = info.filename.replace("\\", "/")
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
                bad.error(Pos(f"{path}!{info.filename}"), "unsafe path inside the archive",
                          "paths with '..' or an absolute path are refused; the archive was not made by a QDA tool")
                continue
            if info.file_size > MAX_MEMBER:
                bad.error(Pos(f"{path}!{info.filename}"),
                          f"member is {info.file_size} bytes uncompressed (limit {MAX_MEMBER})")
                continue
            if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                bad.error(Pos(f"{path}!{info.filename}"),
                          "member expands more than 200 times (a zip bomb?)", "the archive is refused")
                continue
            total += info.file_size
            if not name.endswith("/"):
                self.members[name] = info
        if total > MAX_TOTAL:
            bad.error(Pos(path), f"the archive expands to {total} bytes (limit {MAX_TOTAL})")
        if bad.errors:
            raise SourceError(bad)

    def names(self) -> list[str]:
        return list(self.members)

    def find(self, name: str) -> str | None:
        """The member called ``name``, matched without regard to case or a leading folder's case."""
        if name in self.members:
            return name
        low = name.casefold()
        for m in self.members:
            if m.casefold() == low:
                return m
        return None

    def read(self, name: str) -> bytes:
        info = self.members[name]
        with self.zf.open(info) as f:
            data = f.read(MAX_MEMBER + 1)
        if len(data) > MAX_MEMBER:  # the header lied about the size
            raise fail(Pos(f"{self.path}!{name}"), "member larger than its header says", "the archive is refused")
        return data

    def close(self) -> None:
        self.zf.close()


_PARSER_ARGS = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                    huge_tree=False, remove_comments=True, remove_pis=True)


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse XML with no entity expansion and no network; a syntax error becomes a located error."""
    parser = etree.XMLParser(**_PARSER_ARGS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        line, col = (e.position if e.position else (0, 0))
        msg = e.msg
        if "Excessive depth" in msg:
            msg = "elements nested more than 256 levels deep"
        raise fail(Pos(where, line or 1, (col or 0) + 1), f"not well-formed XML: {msg}",
                   "export the file again from the tool; a hand-edited file may have lost a closing tag") from None
    if root is None:
        raise fail(Pos(where), "empty XML document")
    if root.getroottree().docinfo.internalDTD is not None and _has_entities(root):
        raise fail(Pos(where, 1, 1), "the XML declares entities, which are refused",
                   "REFI-QDA files never declare entities; this file was not written by a QDA tool")
    return root


def _has_entities(root) -> bool:
    dtd = root.getroottree().docinfo.internalDTD
    return dtd is not None and any(True for _ in dtd.iterentities())


def local(tag) -> str:
    """An element's name without its namespace (real files use several namespace spellings)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def children(el, name: str):
    return [c for c in el if local(c.tag) == name]


def child(el, name: str):
    for c in el:
        if local(c.tag) == name:
            return c
    return None
