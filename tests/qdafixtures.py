"""REFI-QDA projects built in the tests, following the QDA-XML 1.0 schema (Project.xsd),
with switches for the ways real files depart from it."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

NS_PROJECT = "urn:QDA-XML:project:1.0"

G_THEME = "6F4E9C2A-1B1D-4C43-9E0A-1A2B3C4D5E01"
G_SUB1 = "6F4E9C2A-1B1D-4C43-9E0A-1A2B3C4D5E02"
G_SUB2 = "6F4E9C2A-1B1D-4C43-9E0A-1A2B3C4D5E03"
G_DEEP = "6F4E9C2A-1B1D-4C43-9E0A-1A2B3C4D5E04"
G_THEME2 = "6F4E9C2A-1B1D-4C43-9E0A-1A2B3C4D5E05"
G_SRC1 = "0A5D3C1E-7777-4A1B-8C2D-000000000001"
G_SRC2 = "0A5D3C1E-7777-4A1B-8C2D-000000000002"
G_VAR = "0A5D3C1E-8888-4A1B-8C2D-000000000001"
G_CASE1 = "0A5D3C1E-9999-4A1B-8C2D-000000000001"
G_CASE2 = "0A5D3C1E-9999-4A1B-8C2D-000000000002"

LINES1 = ["Interviewer: How do you decide?",
          "Nurse A: You just know when something is wrong.",
          "Nurse A: I called the doctor anyway, at three in the morning."]
LINES2 = ["Moderator: What helps?",
          "Nurse B: A second opinion from a colleague helps most.",
          "Nurse B: Guidelines are a starting point, not the answer."]


def text_of(lines, newline="\n") -> str:
    return newline.join(lines) + newline


def span(text: str, part: str) -> tuple[int, int]:
    a = text.index(part)
    return a, a + len(part)


@dataclass
class Sel:
    guid: str
    part: str            # the words coded (located in the text as the positions count it)
    codes: list[str]
    name: str | None = None
    memo: str = ""


@dataclass
class Spec:
    """What goes into the project file; the switches are the real-file quirks."""
    namespace: str = NS_PROJECT
    qde_name: str = "project.qde"
    folder: str = "sources"
    newline: str = "\n"
    positions_count_crlf_as: int = 2      # what the producer counted a CRLF as
    bom: bool = False
    colour: str = "#ff8800"
    source_guid: str = G_SRC1
    nvivo_empty_txt: bool = False
    cases: bool = True
    code_tree: str | None = None           # replaces the default codebook XML
    extra_selections: list[Sel] = field(default_factory=list)
    inline_text: bool = False
    text1: list[str] = field(default_factory=lambda: list(LINES1))
    drop: set = field(default_factory=set)          # selection guids left out (uncoded in the tool)
    recode: dict = field(default_factory=dict)      # selection guid -> its codes now
    extra_codes: str = ""                           # more <Code> elements at the top level


def default_codes(colour: str) -> str:
    return f"""
  <Codes>
   <Code guid="{G_THEME}" name="Trusting intuition" isCodable="false" color={quoteattr(colour)}>
    <Description>Nurses act on a sense that something is wrong.</Description>
    <Code guid="{G_SUB1}" name="Gut feeling" isCodable="true">
     <Description>Knowing without being able to say why.</Description>
     <Code guid="{G_DEEP}" name="Night shifts" isCodable="true"/>
    </Code>
    <Code guid="{G_SUB2}" name="Acting anyway" isCodable="true"/>
   </Code>
   <Code guid="{G_THEME2}" name="Support" isCodable="true" color="#00ff00"/>{{extra}}
  </Codes>"""


def selections(spec: Spec, text_counted: str, text_as_written: str) -> list[Sel]:
    base = [Sel("9D0E1F20-0000-4000-8000-000000000001", "You just know when something is wrong.", [G_SUB1],
                memo="said quickly"),
            Sel("9D0E1F20-0000-4000-8000-000000000002", "I called the doctor anyway, at three in the morning.",
                [G_DEEP])]
    out = []
    for s in base + spec.extra_selections:
        if s.guid in spec.drop:
            continue
        out.append(Sel(s.guid, s.part, spec.recode.get(s.guid, s.codes), s.name, s.memo))
    return out


def project_xml(spec: Spec) -> tuple[str, dict[str, bytes]]:
    """(project.qde text, {member: bytes}) for the spec."""
    t1 = text_of(spec.text1, spec.newline)
    t2 = text_of(LINES2, "\n")
    counted = t1.replace("\r\n", "\n") if spec.positions_count_crlf_as == 1 else t1
    sels1 = []
    for s in selections(spec, counted, t1):
        a, b = span(counted, s.part)
        codings = "".join(f'<Coding guid="C{i}-{s.guid}"><CodeRef targetGUID="{c}"/></Coding>'
                          for i, c in enumerate(s.codes))
        desc = f"<Description>{escape(s.memo)}</Description>" if s.memo else ""
        name = quoteattr(s.name if s.name is not None else s.part[:20])
        sels1.append(f'<PlainTextSelection guid="{s.guid}" name={name} startPosition="{a}" endPosition="{b}">'
                     f'{desc}{codings}</PlainTextSelection>')
    a, b = span(t2, "A second opinion from a colleague helps most.")
    c, d = span(t2, "Guidelines are a starting point, not the answer.")
    sels2 = [f'<PlainTextSelection guid="9D0E1F20-0000-4000-8000-000000000003" name="A second" startPosition="{a}" '
             f'endPosition="{b}"><Coding guid="C9"><CodeRef targetGUID="{G_THEME2}"/></Coding></PlainTextSelection>',
             f'<PlainTextSelection guid="9D0E1F20-0000-4000-8000-000000000004" name="Guidelines" startPosition="{c}" '
             f'endPosition="{d}"><Coding guid="C10"><CodeRef targetGUID="{G_SUB2}"/></Coding></PlainTextSelection>']
    members = {}
    enc = (b"\xef\xbb\xbf" if spec.bom else b"")
    if spec.inline_text:
        src1 = (f'<TextSource guid="{spec.source_guid}" name="Interview 1.txt">'
                f'<PlainTextContent>{escape(t1)}</PlainTextContent>{"".join(sels1)}</TextSource>')
    elif spec.nvivo_empty_txt:
        members[f"{spec.folder}/{spec.source_guid}.txt"] = b"\n"
        members[f"{spec.folder}/{spec.source_guid}.docx"] = docx_bytes(spec.text1)
        src1 = (f'<TextSource guid="{spec.source_guid}" name="Interview 1" plainTextPath="internal://{spec.source_guid}.txt" '
                f'richTextPath="internal://{spec.source_guid}.docx">{"".join(sels1)}</TextSource>')
    else:
        members[f"{spec.folder}/{spec.source_guid}.txt"] = enc + t1.encode("utf-8")
        src1 = (f'<TextSource guid="{spec.source_guid}" name="Interview 1.txt" '
                f'plainTextPath="internal://{spec.source_guid}.txt">{"".join(sels1)}</TextSource>')
    members[f"{spec.folder}/{G_SRC2}.txt"] = t2.encode("utf-8")
    src2 = (f'<TextSource guid="{G_SRC2}" name="Focus group 2.txt" plainTextPath="internal://{G_SRC2}.txt">'
            f'{"".join(sels2)}</TextSource>')
    cases = ""
    if spec.cases:
        cases = f"""
 <Variables><Variable guid="{G_VAR}" name="Ward" typeOfVariable="Text"/></Variables>
 <Cases>
  <Case guid="{G_CASE1}" name="Nurse A">
   <VariableValue><VariableRef targetGUID="{G_VAR}"/><TextValue>ICU</TextValue></VariableValue>
   <SourceRef targetGUID="{spec.source_guid}"/>
   <SelectionRef targetGUID="9D0E1F20-0000-4000-8000-000000000001"/>
  </Case>
  <Case guid="{G_CASE2}" name="Nurse B">
   <VariableValue><VariableRef targetGUID="{G_VAR}"/><TextValue>Ward 3</TextValue></VariableValue>
   <SourceRef targetGUID="{G_SRC2}"/>
  </Case>
 </Cases>"""
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{spec.namespace}" name="Escalation decisions" origin="Fixture 1.0">
 <Users><User guid="0A5D3C1E-0000-4A1B-8C2D-000000000001" name="tester"/></Users>
 <CodeBook>{spec.code_tree if spec.code_tree is not None else default_codes(spec.colour).replace("{extra}", spec.extra_codes)}
 </CodeBook>{cases}
 <Sources>
  {src1}
  {src2}
 </Sources>
</Project>
"""
    return xml, members


def docx_bytes(lines) -> bytes:
    import docx
    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def write_qdpx(path: Path, spec: Spec = Spec()) -> Path:
    xml, members = project_xml(spec)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(spec.qde_name, xml.encode("utf-8"))
        for name, data in members.items():
            z.writestr(name, data)
    return path
