"""Which kind of export a file is, from its content (the extension only breaks ties).

Zip archives are told apart by their members (a ``.qde`` file: REFI-QDA project;
``word/document.xml``: a Word appendix; ``xl/workbook.xml``: a coded-segment
workbook); XML by its root element (``Project`` or ``CodeBook``); anything else that
is text is read as a coded-segment table.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from supplement.diagnostics import Pos

from .safety import fail

FAMILIES = {
    "refi-qda": "REFI-QDA project (.qdpx, .qde) or codebook (.qdc)",
    "segments": "coded-segment table (CSV or XLSX), layout recognised from its header",
    "taguette": "Taguette highlights (CSV or XLSX) or codebook",
    "qualcoder": "QualCoder coding report (CSV or XLSX)",
    "maxqda": "MAXQDA Coded Segments (CSV or XLSX)",
    "atlasti": "ATLAS.ti quotations (CSV or XLSX)",
    "word": "Word appendix (.docx) with theme and participant tables",
}


def detect(path: str) -> str:
    p = Path(path)
    try:
        with open(p, "rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise fail(Pos(path), f"cannot read the file: {e.strerror or e}") from None
    if not head:
        raise fail(Pos(path), "the file is empty", "export it again from the tool")
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(p) as zf:
                names = [n.casefold() for n in zf.namelist()]
        except (zipfile.BadZipFile, OSError) as e:
            raise fail(Pos(path), f"looks like a zip archive but cannot be opened ({e})",
                       "the download may be incomplete; export it again") from None
        if any(n.endswith(".qde") for n in names):
            return "refi-qda"
        if "word/document.xml" in names:
            return "word"
        if "xl/workbook.xml" in names:
            return "segments"
        raise fail(Pos(path), "a zip archive that is neither a REFI-QDA project, a Word file nor a workbook",
                   "supported: " + "; ".join(FAMILIES.values()))
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        if re.search(rb"<(?:\w+:)?(Project|CodeBook)\b", head):
            return "refi-qda"
        raise fail(Pos(path), "an XML or HTML file that is not a REFI-QDA project or codebook",
                   "supported: " + "; ".join(FAMILIES.values()))
    if b"\x00" in head and not head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise fail(Pos(path), "a binary file of unknown kind",
                   "supported: " + "; ".join(FAMILIES.values()))
    return "segments"
