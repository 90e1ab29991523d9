"""``supplement init DIR``: a new project folder that checks and builds straight away.

DIR/
  source/NAME.yaml             commented starter source; first line points editors at the schema
  source/supplement.schema.json  the JSON Schema of sources (a copy of supplement/schema.json)
  .gitignore                   output/
  README.md                    the next steps
"""

from __future__ import annotations

import datetime as _dt
import re
from importlib import resources
from pathlib import Path

from supplement.records import Struct, field


SCHEMA_NAME = "supplement.schema.json"


class InitError(Exception):
    """The folder cannot be set up (not empty, a file in the way, not writable)."""


class Created(Struct):
    root: Path
    source: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # already there, left as they were (--force)


def slug(name: str) -> str:
    """A file stem from a folder name: 'My Study (2025)' -> 'my-study-2025'; 'study' when nothing is left."""
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return s[:60].strip("-") or "study"


def _yaml_str(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def starter_source(title: str, date: _dt.date) -> str:
    return STARTER.format(schema=SCHEMA_NAME, title=_yaml_str(title), date=date.isoformat())


def readme(name: str, title: str) -> str:
    return README.format(name=name, title=title, schema=SCHEMA_NAME)


def schema_text() -> str:
    return resources.files("supplement").joinpath("schema.json").read_text(encoding="utf-8")


def init(directory: str | Path, *, force: bool = False, name: str | None = None, title: str | None = None,
         today: _dt.date | None = None) -> Created:
    """Create the project folder. A folder holding anything is refused unless ``force``;
    with ``force`` no existing file is overwritten (a ``.gitignore`` gains ``output/``)."""
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise InitError(f"{root}: a file is in the way; choose another folder name")
    if root.is_dir() and any(root.iterdir()) and not force:
        raise InitError(f"{root}: the folder is not empty; use --force to add the starter files to it "
                        "(existing files are kept)")
    stem = slug(name or root.resolve().name)
    title = title or "Title of the article this supplement belongs to"
    source = root / "source" / f"{stem}.yaml"
    files = {
        source: starter_source(title, today or _dt.date.today()),
        root / "source" / SCHEMA_NAME: schema_text(),
        root / "README.md": readme(stem, title),
    }
    made = Created(root, source)
    try:
        for path, text in files.items():
            if path.exists():
                made.kept.append(path)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            made.written.append(path)
        ignore = root / ".gitignore"
        if ignore.exists():
            lines = ignore.read_text(encoding="utf-8").splitlines()
            if not {"output/", "output", "/output/", "/output"} & {ln.strip() for ln in lines}:
                with ignore.open("a", encoding="utf-8") as f:
                    f.write(("\n" if lines and lines[-1] else "") + GITIGNORE)
                made.written.append(ignore)
            else:
                made.kept.append(ignore)
        else:
            ignore.write_text(GITIGNORE, encoding="utf-8")
            made.written.append(ignore)
    except OSError as e:
        raise InitError(f"{e.filename or root}: cannot write ({e.strerror})") from None
    return made


GITIGNORE = """\
# built by `supplement build`; rebuild them from source/
output/
"""

README = """\
# {title} — supplementary appendix

Built with `supplement` from one YAML source: `source/{name}.yaml`.

## Next steps

1. Open `source/{name}.yaml` and replace the example study with yours. The comments
   say what each part is for; docs/format.md of supplement has every key.
   Editors with YAML language support (VS Code's YAML extension) complete keys
   and flag mistakes as you type, through the schema named on the file's first line
   (`source/{schema}`; refresh it with `supplement schema > source/{schema}`).
2. `supplement check` lists every problem as `FILE:LINE:COL: message`.
3. `supplement build` writes `output/{name}.docx` and `output/{name}.pdf`.
   `supplement styles` lists the journal styles; set `style:` in the source or
   try one with `supplement build --style jama`.
4. Keep the folder under version control (`git init`; `output/` is ignored).
   After a round of recoding, `supplement diff HEAD source/{name}.yaml` says what
   changed and which labels ("Theme III", "Participant 3") the manuscript must
   now cite differently.
"""

STARTER = """\
# yaml-language-server: $schema={schema}
# The source of a supplementary appendix, built with `supplement build`.
# Everything printed as a number (Appendix 1, theme I., subtheme A., participant 1.)
# and every citation ([Interview 1, 2]) is derived from this file: never type them.
# Move a quote or a theme, rebuild, and everything renumbers.
schema: 1

study:
  title: {title}
  short_title: Supplementary appendix     # the running header
  authors: [A. Author, B. Author]
  keywords: [qualitative research]
  language: en-US                         # the document language of the outputs
  date: "{date}"                      # the files' date: a fixed date keeps rebuilds identical

style: default                            # a journal preset (`supplement styles`) or a style file

# Appendix 1: who took part. Rows are numbered by their order; ids are never shown.
participants:
  caption: Characteristics of the {{participants}} participants.
  number_header: Participant
  columns:
    - {{key: role, label: Role}}
    - {{key: years, label: Years in Practice}}
  marks:                                  # a symbol after a cell, explained below the table
    - {{key: abroad, symbol: "*", column: role, note: denotes training abroad}}
  rows:
    - {{id: p01, role: Nurse, years: "12", abroad: true}}
    - {{id: p02, role: Physician, years: "3"}}

# Where quotes come from. A source without a label is cited by page alone: [4].
sources:
  - id: FG
    kind: focus group
    participants: [p01, p02]
  - id: Int1
    label: Interview 1                    # cited as [Interview 1, 2]
    kind: interview
    participants: [p02]

# Appendix 2: themes (I., II. …), their subthemes (A., B. …), findings and quotes.
theme_table:
  caption: Themes ({{theme_range}}) and subthemes with supporting quotes.

themes:
  - id: first-theme                       # a stable id, never shown: keep it when you rename
    title: First Theme                    # without its numeral
    findings:
      - text: A finding, in one or two sentences.
        quotes:
          - text: The participant's words, verbatim, without quotation marks.
            cite: 4                       # page 4 of the focus group
            speaker: p01
          - text: Another quote that supports the finding.
            cite: Interview 1, 2          # Interview 1, page 2
            note: when asked about their first year   # printed after the citation
    subthemes:
      - id: first-subtheme
        title: A Subtheme
        findings:
          - text: A finding within the subtheme.
            quotes:
              - text: A quote for the subtheme.
                cite: 5-6                 # pages 5 to 6 of the focus group
  - id: second-theme
    title: Second Theme
    findings:
      - text: Another finding.
        quotes:
          - text: A last quote.
            cite: {{source: Int1, pages: 3}}
"""
