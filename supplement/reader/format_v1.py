"""The source format, version 1, declared once: validation and JSON Schema come from here."""

from __future__ import annotations

import re
from datetime import datetime

from supplement.reader.cite import parse_pages, parse_shorthand
from supplement.reader.declare import AnyOf, Bool, Custom, Enum, Field, Int, ListOf, Number, Obj, Scalar, Text, _short

ID = Text(pattern=r"[A-Za-z][A-Za-z0-9_.-]{0,63}",
          pattern_hint="an id starts with a letter and holds letters, digits, '-', '_' or '.' (e.g. p03)")

PAGES = Custom(convert=parse_pages, what="a page or page range such as 3 or 3-4",
               schema={"type": ["integer", "string"], "minimum": 1,
                       # a page word may come first: p. 9, pp. 8-9, pg 9, page 9 (reader.cite.PAGE_WORD)
                       "pattern": r"^\s*(?:[Pp][Aa][Gg][Ee][Ss]?\s+|[Pp][Pp]?\.\s*|[Pp][Gg][Ss]?(?:\.\s*|\s+))?"
                                  r"\d+(\s*[-–—]\s*\d+)?\s*$"})

CITE = AnyOf(what="a citation: 6, 8-9, 'Non-Op 1, 2' or {source: NonOp1, pages: 3-4}", options=(
    Custom(convert=parse_shorthand, what="a citation",
           schema={"type": ["string", "integer"], "description": "6, 8-9, 'Non-Op 1, 2'"}),
    Obj("cite", {
        "source": Field(Text(), True, doc="source id or label"),
        "pages": Field(PAGES, doc="page or page range"),
    }),
))

def _id_from_title(node) -> str:
    from supplement.study.edit import _slug

    title = node.get("title")
    made = f"add 'id: {_slug(str(title))}' (made from its title), or " if isinstance(title, str) and title.strip() else "add one, or "
    return made + "run 'supplement ids FILE' to give every theme and subtheme without an id one"


QUOTE = Obj("quote", {
    "text": Field(Text(), True, doc="the speaker's words, verbatim, without surrounding quotation marks"),
    "cite": Field(CITE, True, doc="source and page(s): 6, 8-9, 'Non-Op 1, 2', {source: NonOp1, pages: 3-4}"),
    "note": Field(Text(), doc="editorial remark printed after the citation, without brackets"),
    "speaker": Field(ID, doc="participant id of the speaker"),
    "id": Field(ID, doc="stable id, never shown (supplement ids adds them)"),
    "repeat": Field(Bool(), default=False,
                    doc="true: these words are quoted earlier too, on purpose (no duplicate-quote warning)"),
}, example="{text: VALUE, cite: 6}")

FINDING = Obj("finding", {
    "text": Field(Text(), True, doc="the finding"),
    "quotes": Field(ListOf(QUOTE), default=list, doc="supporting quotes, in order"),
    "id": Field(ID, doc="stable id, never shown (supplement ids adds them)"),
})

SUBTHEME = Obj("subtheme", {
    "id": Field(ID, True, doc="stable id, never shown", missing_hint=_id_from_title),
    "title": Field(Text(), True, doc="title without its number"),
    "findings": Field(ListOf(FINDING), default=list),
})

THEME = Obj("theme", {
    "id": Field(ID, True, doc="stable id, never shown", missing_hint=_id_from_title),
    "title": Field(Text(), True, doc="title without its numeral"),
    "findings": Field(ListOf(FINDING), default=list),
    "subthemes": Field(ListOf(SUBTHEME), default=list),
})

ALIGN = Enum(choices=("left", "center", "right"))
WIDTH = Number(0.01, 1)

COLUMN = Obj("column", {
    "key": Field(ID, True, doc="the key rows use for this column"),
    "label": Field(Text(), True, doc="header shown in the table"),
    "width": Field(WIDTH, doc="fraction of the text width, e.g. 0.25; omitted: shared by content"),
    "align": Field(ALIGN, doc="left, center or right (e.g. numbers); omitted: left"),
})

MARK = Obj("mark", {
    "key": Field(ID, True, doc="the row flag that sets this mark, e.g. international"),
    "symbol": Field(Text(), doc="symbol such as *; omitted: the style assigns one"),
    "column": Field(ID, True, doc="column key the symbol attaches to"),
    "note": Field(Text(), True, doc="table note, e.g. denotes international training"),
})

ROW = Obj("participant", {"id": Field(ID, True, doc="stable id, e.g. p03; never shown"),
                          "code": Field(Text(), doc="display code such as P07 that stays with the person (reserved key)")},
          extra=Scalar(),
          extra_doc="column values by column key, and mark flags set to true")

PARTICIPANTS = Obj("participants", {
    "caption": Field(Text(), True, doc="table caption; may use {participants}"),
    "number_header": Field(Text(), default="Participant", doc="header of the number column"),
    "number_width": Field(WIDTH, doc="fraction of the text width for the number column; omitted: the style's "
                          "table.number_width, else as wide as its widest entry"),
    "number_align": Field(ALIGN, doc="left, center or right; omitted: the style's table.number_align"),
    "columns": Field(ListOf(COLUMN, 1), True),
    "marks": Field(ListOf(MARK), default=list),
    "notes": Field(ListOf(Text()), default=list, doc="further table notes, e.g. abbreviations"),
    "rows": Field(ListOf(ROW, 1), True),
})

SOURCE = Obj("source", {
    "id": Field(ID, True),
    "label": Field(Text(), doc="label shown in citations; omitted: cited by page only"),
    "kind": Field(Text(), True, doc="focus group, interview, field notes…"),
    "participants": Field(ListOf(ID), default=list, doc="participant ids involved"),
    "transcript": Field(Text(), doc="path of the transcript, relative to this file (for supplement verify)"),
})

THEME_TABLE = Obj("theme_table", {
    "caption": Field(Text(), default="Themes and subthemes with supporting quotes.",
                     doc="may use {theme_range}, {themes}, {subthemes}, {findings}, {quotes}, "
                         "{theme_numbering}, {subtheme_numbering}"),
    "headers": Field(Obj("headers", {
        "theme": Field(Text(), default="Theme or Subtheme"),
        "findings": Field(Text(), default="Findings"),
        "quotes": Field(Text(), default="Supporting Text from Transcripts"),
    }), default=None),
    "notes": Field(ListOf(Text()), default=list, doc="table notes, e.g. abbreviations"),
})

def _date(text: str):
    """A calendar date as YYYY-MM-DD (2024-02-30 has the shape but is no date)."""
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        try:
            datetime.strptime(text, "%Y-%m-%d")
            return text, ""
        except ValueError:
            return None, f"'{text}' is not a date in the calendar; write e.g. 2024-05-31"
    return None, f"'{_short(text)}' is not valid here: a date such as 2024-05-31"


COVERAGE_TABLE = Obj("coverage_table", {
    "by": Field(Enum(choices=("participant", "source")), default="participant",
                doc="columns: one per participant (quotes with a speaker, or from a one-participant source) "
                    "or one per source"),
    "caption": Field(Text(), default="Number of supporting quotes per theme and {by}.",
                     doc="may use {by} (participant or source), {quotes}"),
})

STUDY = Obj("study", {
    "title": Field(Text(), True, doc="article title"),
    "short_title": Field(Text(), doc="running header; defaults to the title"),
    "authors": Field(ListOf(AnyOf(what="an author: a name as written, or {family: Müller, given: Zoë}", options=(
        Text(), Obj("author", {"family": Field(Text(), True, doc="family name"),
                               "given": Field(Text(), doc="given names; the style may print their initials"),
                               })))), default=list,
        doc="names as written ('Z. Müller'), or structured ({family: Müller, given: Zoë}) so that each style "
            "prints them in its own form"),
    "year": Field(Int(1000, 9999)),
    "journal": Field(Text()),
    "doi": Field(Text()),
    "citation": Field(Text(), doc="full article citation for a cover page"),
    "keywords": Field(ListOf(Text()), default=list),
    "language": Field(Text(pattern=r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", pattern_hint="a language tag such as en-US"),
                      default="en-US"),
    "date": Field(Custom(convert=_date, what="a date such as 2024-05-31",
                         schema={"type": "string", "minLength": 1, "pattern": r"^\d{4}-\d\d-\d\d$"}),
                  doc="date written into the files' properties (keeps rebuilds identical)"),
})

TEXT_BLOCK = Obj("text block", {
    "heading": Field(Text(), doc="a heading inside the section"),
    "paragraph": Field(Text(), doc="a paragraph"),
    "numbered": Field(ListOf(Text(), 1), doc="a numbered list (1., 2. …)"),
    "bulleted": Field(ListOf(Text(), 1), doc="a bulleted list"),
}, example="{paragraph: VALUE}")

SECTION = Obj("section", {
    "id": Field(ID, True, doc="the id an appendix: list uses"),
    "title": Field(Text(), True, doc="printed after the item's label, e.g. 'Interview guide'"),
    "content": Field(ListOf(TEXT_BLOCK, 1), True,
                     doc="headings, paragraphs and lists, each one key: {heading: …}, {paragraph: …}, "
                         "{numbered: [...]}, {bulleted: [...]}"),
})

TABLE = Obj("table", {
    "id": Field(ID, True, doc="the id an appendix: list uses"),
    "caption": Field(Text(), True),
    "columns": Field(ListOf(COLUMN, 1), True),
    "rows": Field(ListOf(Obj("row", {}, extra=Scalar(), extra_doc="cell values by column key")), default=list),
    "notes": Field(ListOf(Text()), default=list),
})

CHECKLIST = Obj("checklist", {
    "id": Field(ID, True, doc="the id an appendix: list uses"),
    "checklist": Field(Enum(choices=("coreq", "srqr")), True, doc="COREQ (32 items) or SRQR (21 items)"),
    "caption": Field(Text(), doc="omitted: the checklist's name"),
    "answers": Field(Obj("answers", {}, extra=Scalar(), extra_doc="item number: where it is reported (page or section)"),
                     doc="where the article reports each item, by item number: {1: 'Methods, p. 4', …}"),
})


def _version(text: str):
    if text.strip() == "1":
        return 1, ""
    return None, f"schema version '{text}' is not supported; this version of supplement reads schema 1"


SOURCE_FILE = Obj("source file", {
    "schema": Field(Custom(convert=_version, what="the format version 1", schema={"const": 1}), True,
                    doc="format version; 1"),
    "study": Field(STUDY, True),
    "style": Field(Text(), default="default", doc="style preset name or path to a style file"),
    "participants": Field(PARTICIPANTS),
    "sources": Field(ListOf(SOURCE, 1), True),
    "theme_table": Field(THEME_TABLE, default=None),
    "themes": Field(ListOf(THEME, 1), True),
    "sections": Field(ListOf(SECTION), default=list, doc="text items: an interview guide, methods"),
    "tables": Field(ListOf(TABLE), default=list, doc="further tables of any columns"),
    "checklists": Field(ListOf(CHECKLIST), default=list, doc="reporting checklists (COREQ, SRQR)"),
    "appendix": Field(ListOf(ID), default=list,
                      doc="the items in print order: participants, themes and ids of sections, tables, checklists"),
    "coverage_table": Field(COVERAGE_TABLE, default=None,
                            doc="an extra appendix item: a theme × participant (or × source) matrix of quote counts"),
    "checks": Field(Obj("checks", {}, extra=Enum(choices=("error", "warning", "off")),
                        extra_doc="check name: error, warning or off (supplement check --list)"),
                    doc="severity of named checks for this source"),
})


def json_schema() -> dict:
    d = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "supplement source, version 1"}
    d.update(SOURCE_FILE.json())
    d["description"] = "A study's supplementary appendix: participants, sources, themes, findings and quotes."
    return d
