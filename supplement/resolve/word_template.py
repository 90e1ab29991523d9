"""A Word template, taken apart and rebuilt: only what a template is for.

A template often comes from someone else (a journal, a co-author, a pull request
built on CI), so it is read like a source: untrusted. Python-docx would carry every
part of it into the output: an external ``attachedTemplate`` that Word fetches on
opening, hyperlinks and images, comments, macros, company and custom properties.
Instead a new package is built from

* the styles (style ids Word could not have written are replaced by our own),
* the numbering definitions (without picture bullets),
* the theme (its fonts and colours),
* the font table (without embedded fonts),
* the layout settings (a list of known ones: tab stops, even and odd headers,
  hyphenation, compatibility ...),
* the page setup of the last section, its numbers checked and written anew,
* empty header and footer parts for the variants the template has (first page,
  even pages): their content is the running header and footer of the style.

Every relationship is new; nothing else is copied. What was left out that holds
content is named in one warning; what every Word file carries (properties that the
writer sets anew, web settings, a preview picture, revision ids) goes silently.
Parts are parsed without DTDs, entities or network access.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from posixpath import dirname, join, normpath

from lxml import etree

from supplement.records import Struct, field

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships")
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument."
MAIN = CT + "wordprocessingml.document.main+xml"

# relationship type (after REL) -> (root element, part name in the new package, content type)
KEPT = {
    "styles": (f"{{{W}}}styles", "word/styles.xml", CT + "wordprocessingml.styles+xml"),
    "numbering": (f"{{{W}}}numbering", "word/numbering.xml", CT + "wordprocessingml.numbering+xml"),
    "settings": (f"{{{W}}}settings", "word/settings.xml", CT + "wordprocessingml.settings+xml"),
    "fontTable": (f"{{{W}}}fonts", "word/fontTable.xml", CT + "wordprocessingml.fontTable+xml"),
    "theme": ("{http://schemas.openxmlformats.org/drawingml/2006/main}theme", "word/theme/theme1.xml",
              CT + "theme+xml"),
}
# Settings that shape the layout; the rest of settings.xml is left out.
SETTINGS = frozenset(
    "defaultTabStop evenAndOddHeaders mirrorMargins gutterAtTop bordersDoNotSurroundHeader "
    "bordersDoNotSurroundFooter autoHyphenation consecutiveHyphenLimit hyphenationZone doNotHyphenateCaps "
    "characterSpacingControl compat themeFontLang clrSchemeMapping decimalSymbol listSeparator "
    "defaultTableStyle noPunctuationKerning strictFirstAndLastChars noLineBreaksAfter noLineBreaksBefore "
    "drawingGridHorizontalSpacing drawingGridVerticalSpacing displayHorizontalDrawingGridEvery "
    "displayVerticalDrawingGridEvery doNotUseMarginsForDrawingGridOrigin".split())
# Settings every Word file has that say nothing about the content: left out without a warning
# (attachedTemplate names Normal.dotm on the author's disk; a remote one is named as an external link).
SETTINGS_QUIET = frozenset(
    "attachedTemplate zoom proofState rsids savePreviewPicture doNotAutoCompressPictures shapeDefaults "
    "hdrShapeDefaults view "
    "doNotTrackMoves doNotTrackFormatting footnotePr endnotePr embedSystemFonts saveSubsetFonts "
    "embedTrueTypeFonts doNotValidateAgainstSchema doNotDemarcateInvalidXml".split())
# Parts every Word file has, whose content the output sets anew or does not need.
QUIET_PARTS = re.compile(r"(\[Content_Types\]\.xml|(.*/)?_rels/.*\.rels|docProps/(core|app)\.xml|"
                         r"docProps/thumbnail\.\w+|word/(webSettings|stylesWithEffects)\.xml|"
                         r"word/(header|footer)\d*\.xml)")
# Core and extended properties that are more than bookkeeping: named when left out.
PROPERTIES_NAMED = frozenset("category contentStatus identifier version lastPrinted Company Manager "
                             "HyperlinkBase".split())

# An attached template on a local disk ("file:///C:/Users/…/Normal.dotm"), which Word writes
# into nearly every file: dropped quietly. A web address or a network share (\\server) is named.
_LOCAL_TEMPLATE = re.compile(r"(file:///)?[A-Za-z]:[\\/]|[^:/\\]+$")
MAX_TEMPLATE_XML = 4 * 2**20  # the XML parsed: a real template has well under 1 MiB; 4 MiB parse in ~2 s
MAX_TEMPLATE_BYTES = 128 * 2**20  # everything, images and embedded fonts included
MAX_PARTS = 2000  # zip entries: a template has about 15
_BLOBS = ("word/media/", "word/embeddings/", "word/fonts/")
PAGE_MAX = 31680  # twips: Word's largest page, 22 in
_TWIPS = re.compile(r"-?\d{1,6}")
_STYLE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")


class TemplateError(Exception):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


class Template(Struct):
    package: bytes  # the rebuilt .docx
    page: tuple[int, int]  # width, height in twips
    text_area: tuple[int, int]  # width, height in twips, within the margins
    dropped: list[str] = field(default_factory=list)  # what was left out, for the warning


def _short(text: str, n: int = 60) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True, remove_pis=True)


def _xml(z: zipfile.ZipFile, name: str):
    try:
        root = etree.fromstring(z.read(name), _parser())
    except etree.XMLSyntaxError as e:
        raise TemplateError(f"has a part, {_short(name)}, that is not well-formed XML ({_short(e, 100)})",
                            "save the template from Word again") from None
    if root.getroottree().docinfo.doctype:
        raise TemplateError(f"has a part, {_short(name)}, that declares a DOCTYPE (Word never writes one)",
                            "save the template from Word again")
    return root


def _rels(z: zipfile.ZipFile, part: str) -> list[tuple[str, str, bool]]:
    """(type, target part name or URL, external) for each relationship of ``part`` ('': the package)."""
    name = join(dirname(part), "_rels", os.path.basename(part) + ".rels")
    if name not in z.NameToInfo:
        return []
    out = []
    for rel in _xml(z, name).iter(f"{{{PKG}}}Relationship"):
        target, external = rel.get("Target") or "", rel.get("TargetMode") == "External"
        if not external:
            target = normpath(target.lstrip("/") if target.startswith("/") else join(dirname(part), target))
        out.append((rel.get("Type") or "", target, external))
    return out


def read(path) -> Template:
    """The template at ``path`` rebuilt (see the module docstring); TemplateError says why not."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise TemplateError("is not a regular file")
        if info.st_size > MAX_TEMPLATE_BYTES:
            raise TemplateError(f"is {info.st_size / 2**20:,.0f} MiB; the limit is {MAX_TEMPLATE_BYTES // 2**20} MiB",
                                "use a template that holds styles and page setup, not a whole document")
        with zipfile.ZipFile(path) as z:
            return _read(z)
    except OSError as e:
        raise TemplateError(f"cannot be read: {e.strerror or e}") from None
    except zipfile.BadZipFile:
        raise TemplateError("is not a Word file (a .docx document)",
                            "save the template from Word as a .docx document (not .doc or .dotx)") from None
    except (RuntimeError, NotImplementedError, EOFError, zipfile.LargeZipFile) as e:  # encrypted, odd compression
        raise TemplateError(f"cannot be unpacked ({_short(e, 80)})", "save the template from Word again, "
                            "without a password") from None


def _read(z: zipfile.ZipFile) -> Template:
    infos = z.infolist()
    xml = sum(i.file_size for i in infos if not i.filename.startswith(_BLOBS))
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_PARTS:
        raise TemplateError(f"has {len(infos):,} parts; the limit is {MAX_PARTS:,}",
                            "use a template that holds styles and page setup, not a whole document")
    if xml > MAX_TEMPLATE_XML or total > MAX_TEMPLATE_BYTES:
        raise TemplateError(f"expands to {max(xml, total) / 2**20:.0f} MiB; the limit is "
                            f"{MAX_TEMPLATE_XML // 2**20} MiB of text and {MAX_TEMPLATE_BYTES // 2**20} MiB in all",
                            "use a template that holds styles and page setup, not a whole document")
    if any(i.flag_bits & 1 for i in infos):
        raise TemplateError("is encrypted (password-protected)", "save the template from Word without a password")
    types = z.read("[Content_Types].xml") if "[Content_Types].xml" in z.NameToInfo else b""
    main = next((t for kind, t, ext in _rels(z, "") if kind == REL + "officeDocument" and not ext), None)
    if b"wordprocessingml.document.main" not in types or main not in z.NameToInfo:
        raise TemplateError("is not a Word file (a .docx document)",
                            "save the template from Word as a .docx document (not .doc or .dotx)")
    dropped: list[str] = []
    used = {main}
    parts: dict[str, bytes] = {}
    for kind, target, external in _rels(z, main):
        short = kind.rsplit("/", 1)[-1]
        if external:
            dropped.append(f"external {short} {_short(target)}")
        elif kind[len(REL):] in KEPT and kind.startswith(REL) and target in z.NameToInfo:
            root_tag, name, _ = KEPT[kind[len(REL):]]
            root = _xml(z, target)
            if root.tag != root_tag or name in parts:
                continue  # not what it claims to be: left out (named below with the unused parts)
            used.add(target)
            parts[name] = root
            dropped += [f"external {k.rsplit('/', 1)[-1]} {_short(t)}" for k, t, ext in _rels(z, target)
                        if ext and not _LOCAL_TEMPLATE.match(t)]
    ids = _style_ids(parts.get("word/styles.xml"))
    for name, root in list(parts.items()):
        if name == "word/settings.xml":
            _settings(root, dropped)
        _unlink(root, name, dropped)
        _rename(root, ids)
        parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    page, margins, variants = _page_setup(_xml(z, main))
    dropped += _properties(z)
    dropped += [n for n in z.namelist() if n not in used and not n.endswith("/") and not QUIET_PARTS.fullmatch(n)
                and not _boilerplate(z, n)]
    width, height = page[0], page[1]
    area = (width - margins["left"] - margins["right"] - margins["gutter"],
            height - abs(margins["top"]) - abs(margins["bottom"]))
    return Template(_package(parts, page, margins, variants), (width, height), area, dropped)


def _style_ids(styles) -> dict[str, str]:
    """Style id -> our id, for each id Word could not have written (it writes letters and
    digits): the writer puts style ids in attributes, so an id is never raw template text."""
    if styles is None:
        return {}
    ids = {s.get(f"{{{W}}}styleId") for s in styles.iter(f"{{{W}}}style")}
    out, n = {}, 0
    for sid in sorted(i for i in ids if i is not None and not _STYLE_ID.fullmatch(i)):
        n += 1
        while f"TemplateStyle{n}" in ids:
            n += 1
        out[sid] = f"TemplateStyle{n}"
    return out


_STYLE_REFS = {f"{{{W}}}{t}" for t in ("basedOn", "next", "link", "pStyle", "rStyle", "tblStyle", "styleLink",
                                        "numStyleLink", "defaultTableStyle")}


def _rename(root, ids: dict[str, str]) -> None:
    if not ids:
        return
    for el in root.iter(f"{{{W}}}style"):
        sid = el.get(f"{{{W}}}styleId")
        if sid in ids:
            el.set(f"{{{W}}}styleId", ids[sid])
    for el in root.iter(*_STYLE_REFS):
        if el.get(f"{{{W}}}val") in ids:
            el.set(f"{{{W}}}val", ids[el.get(f"{{{W}}}val")])


def _settings(root, dropped: list[str]) -> None:
    for child in list(root):
        if not isinstance(child.tag, str):
            continue
        ns, _, local = child.tag[1:].partition("}")
        if ns == W and local in SETTINGS:
            continue
        root.remove(child)
        if ns == W and local not in SETTINGS_QUIET:
            dropped.append(f"setting {local}")


def _unlink(root, name: str, dropped: list[str]) -> None:
    """Remove every element that refers to another part (a picture bullet's image, an embedded
    font): the new package has no such part."""
    found = []
    for el in root.iter():
        if isinstance(el.tag, str) and any(a.startswith(("{" + R_NS[0], "{" + R_NS[1])) for a in el.attrib):
            found.append(el)
    for el in found:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
            dropped.append(f"{etree.QName(el).localname} in {name}")


def _twips(el, attr: str, default: int | None = None) -> int:
    value = el.get(f"{{{W}}}{attr}") if el is not None else None
    if value is None and default is not None:
        return default
    if value is None or not _TWIPS.fullmatch(value.strip()):
        what = "missing" if value is None else f"'{_short(value, 20)}', not a number of twips"
        tag = "pgSz" if attr in ("w", "h") else "pgMar"
        raise TemplateError(f"has a broken page setup: w:{tag} w:{attr} is {what}",
                            "open the template in Word, set the page size and margins (Layout > Margins), save it")
    return int(value)


def _page_setup(document):
    """(width, height, landscape), margins and the header/footer variants of the last section."""
    body = document.find(f"{{{W}}}body")
    sect = body.find(f"{{{W}}}sectPr") if body is not None else None
    if sect is None:
        raise TemplateError("has no page setup (no w:sectPr at the end of its body)",
                            "open the template in Word, check Layout > Size and Margins, and save it")
    size, mar = sect.find(f"{{{W}}}pgSz"), sect.find(f"{{{W}}}pgMar")
    width, height = _twips(size, "w"), _twips(size, "h")
    margins = {k: _twips(mar, k) for k in ("top", "right", "bottom", "left")}
    margins.update({k: _twips(mar, k, 0) for k in ("header", "footer", "gutter")})
    if not (0 < width <= PAGE_MAX and 0 < height <= PAGE_MAX):
        raise TemplateError(f"has a page of {width / 1440:.2f} × {height / 1440:.2f} in; "
                            f"a page is at most {PAGE_MAX / 1440:.0f} in on each side",
                            "set a real paper size in the template (Layout > Size)")
    if min(margins["left"], margins["right"], margins["header"], margins["footer"], margins["gutter"]) < 0:
        raise TemplateError("has a negative left or right margin, gutter or header distance",
                            "set the margins in the template (Layout > Margins)")
    variants = sorted({(ref.tag.rsplit("}", 1)[1][:6], ref.get(f"{{{W}}}type") or "default")
                       for ref in sect if ref.tag in (f"{{{W}}}headerReference", f"{{{W}}}footerReference")}
                      & {(k, t) for k in ("header", "footer") for t in ("default", "first", "even")})
    title = sect.find(f"{{{W}}}titlePg")
    first = title is not None and (title.get(f"{{{W}}}val") or "1") not in ("0", "false", "off")
    landscape = (size.get(f"{{{W}}}orient") == "landscape")
    return (width, height, landscape, first), margins, variants


def _parsed(z: zipfile.ZipFile, name: str):
    """A part that is left out anyway, parsed to see what it holds; None when it is not XML."""
    try:
        return _xml(z, name)
    except TemplateError:
        return None


def _properties(z: zipfile.ZipFile) -> list[str]:
    """Core and extended properties that say something (a category, a company), named."""
    out = []
    for name in ("docProps/core.xml", "docProps/app.xml"):
        root = _parsed(z, name) if name in z.NameToInfo else ()
        if root is None:  # not XML: named as a part left out
            out.append(name)
            continue
        for el in root:
            local = etree.QName(el).localname if isinstance(el.tag, str) else ""
            if local in PROPERTIES_NAMED and (el.text or "").strip():
                out.append(f"property {local}")
    return out


def _boilerplate(z: zipfile.ZipFile, name: str) -> bool:
    """Parts that Word writes into most files and that hold nothing of the author's: footnote
    separators without footnotes, an empty bibliography."""
    if re.fullmatch(r"word/(footnotes|endnotes)\.xml", name):
        root = _parsed(z, name)
        return root is not None and all(n.get(f"{{{W}}}type") for n in root if isinstance(n.tag, str))
    if re.fullmatch(r"customXml/item(Props)?\d+\.xml", name):
        root = _parsed(z, name)
        return root is not None and etree.QName(root).localname in ("Sources", "datastoreItem") and not [
            c for c in root if isinstance(c.tag, str) and etree.QName(c).localname != "schemaRefs"]
    return False


def _package(parts: dict[str, bytes], page, margins, variants) -> bytes:
    """The new .docx: our own content types, relationships, document and header/footer parts."""
    width, height, landscape, first = page
    w = f"{{{W}}}"
    r = f"{{{R_NS[0]}}}"
    rels = [(kind, name) for kind, (_, name, _) in KEPT.items() if name in parts]
    document = etree.Element(w + "document", nsmap={"w": W, "r": R_NS[0]})
    sect = etree.SubElement(etree.SubElement(document, w + "body"), w + "sectPr")
    types = [("/word/document.xml", MAIN)] + [("/" + name, KEPT[kind][2]) for kind, name in rels]
    for i, (kind, variant) in enumerate(variants, 1):
        name = f"word/{kind}{i}.xml"
        root = "hdr" if kind == "header" else "ftr"
        parts[name] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{root} xmlns:w="{W}">'
                       f"<w:p/></w:{root}>").encode()
        rels.append((kind, name))
        types.append(("/" + name, CT + f"wordprocessingml.{kind}+xml"))
        etree.SubElement(sect, w + f"{kind}Reference", {w + "type": variant, r + "id": f"rId{len(rels)}"})
    size = {w + "w": str(width), w + "h": str(height)}
    if landscape:
        size[w + "orient"] = "landscape"
    etree.SubElement(sect, w + "pgSz", size)
    etree.SubElement(sect, w + "pgMar", {w + k: str(margins[k]) for k in
                                         ("top", "right", "bottom", "left", "header", "footer", "gutter")})
    if first:
        etree.SubElement(sect, w + "titlePg")
    parts["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["word/_rels/document.xml.rels"] = _relationships(
        (f"rId{i}", REL + kind, name[len("word/"):]) for i, (kind, name) in enumerate(rels, 1))
    parts["_rels/.rels"] = _relationships([("rId1", REL + "officeDocument", "word/document.xml")])
    ct = etree.Element("{http://schemas.openxmlformats.org/package/2006/content-types}Types",
                       nsmap={None: "http://schemas.openxmlformats.org/package/2006/content-types"})
    ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    etree.SubElement(ct, ns + "Default", Extension="rels", ContentType="application/vnd.openxmlformats-package."
                                                                        "relationships+xml")
    etree.SubElement(ct, ns + "Default", Extension="xml", ContentType="application/xml")
    for name, content_type in types:
        etree.SubElement(ct, ns + "Override", PartName=name, ContentType=content_type)
    parts["[Content_Types].xml"] = etree.tostring(ct, xml_declaration=True, encoding="UTF-8", standalone=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        first = ["[Content_Types].xml", "_rels/.rels"]
        for name in first + sorted(set(parts) - set(first)):
            out.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), parts[name], zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _relationships(items) -> bytes:
    root = etree.Element(f"{{{PKG}}}Relationships", nsmap={None: PKG})
    for rid, kind, target in items:
        etree.SubElement(root, f"{{{PKG}}}Relationship", Id=rid, Type=kind, Target=target)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
