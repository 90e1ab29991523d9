"""A Diff as text for the terminal, Markdown for a response-to-reviewers letter or a
pull request, or JSON for tools."""

from __future__ import annotations

import json

from supplement.recoding.changes import SECTIONS, Change, Diff

SNIPPET = 60  # characters of a quote shown where the whole is not needed
CONTEXT = 4  # words kept on each side of a change in a word diff


def _snip(text: str, n: int = SNIPPET) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class _Text:
    """Plain text: titles in double quotes, word diffs as [-removed-]{+added+}."""

    def title(self, s: str) -> str:
        return f'"{s}"'

    def quote(self, s: str) -> str:
        return f"“{_snip(s)}”"

    def label(self, s: str) -> str:
        return s

    def code(self, s: str) -> str:
        return s

    def removed(self, s: str) -> str:
        return f"[-{s}-]"

    def added(self, s: str) -> str:
        return f"{{+{s}+}}"

    def words(self, ops: list[list[str]]) -> str:
        """The changed words marked, with a few words of context around each change."""
        parts = []
        for i, (op, text) in enumerate(ops):
            if op == "=":
                w = text.split(" ")
                first, last = i == 0, i == len(ops) - 1
                if first and len(w) > CONTEXT + 1:
                    text = "… " + " ".join(w[-CONTEXT - 1:])
                elif last and len(w) > CONTEXT + 1:
                    text = " ".join(w[:CONTEXT + 1]) + " …"
                elif len(w) > 2 * CONTEXT + 2:
                    text = " ".join(w[:CONTEXT + 1]) + " … " + " ".join(w[-CONTEXT - 1:])
                parts.append(self.plain(text))
            else:
                core = text.strip()
                lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
                parts.append(lead + (self.removed(core) if op == "-" else self.added(core)) + trail if core
                             else text)
        return "".join(parts)

    def plain(self, s: str) -> str:
        return s


class _Markdown(_Text):
    def title(self, s: str) -> str:
        return f"*{_md(s)}*"

    def quote(self, s: str) -> str:
        return f"“{_md(_snip(s))}”"

    def label(self, s: str) -> str:
        return f"**{_md(s)}**"

    def code(self, s: str) -> str:
        return f"`{s}`"

    def removed(self, s: str) -> str:
        return f"~~{_md(s)}~~"

    def added(self, s: str) -> str:
        return f"**{_md(s)}**"

    def plain(self, s: str) -> str:
        return _md(s)


def _md(s: str) -> str:
    """Escape what Markdown would read as markup."""
    for ch in "\\`*_[]<>|#":
        s = s.replace(ch, "\\" + ch)
    return s


def _score(c: Change) -> str:
    if c.how is None or c.how.by == "id":
        return ""
    if c.how.by == "text":
        return ""  # quotes without ids are matched by their text: nothing to say
    shown = int(c.how.score * 100) / 100  # rounded down: 0.996 is not shown as a perfect 1.00
    return f" (matched by similarity {shown:.2f})"


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _contents(d: dict) -> str:
    parts = ([_n(d["subthemes"], "subtheme")] if d.get("subthemes") else []) + [
        _n(d["findings"], "finding"), _n(d["quotes"], "quote")]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def describe(c: Change, f: _Text) -> str:
    """One sentence for a change."""
    o, n, d = c.old or {}, c.new or {}, c.detail
    k = c.kind
    if k == "theme-added":
        return f"{d['what']} {f.label(n['label'])} {f.title(n['title'])} added ({_contents(d)})"
    if k == "theme-removed":
        return f"{d['what']} {f.label(o['label'])} {f.title(o['title'])} removed, with its {_contents(d)}"
    if k == "theme-renamed":
        return f"{d['what']} {f.label(n['label'])} renamed: {f.title(o['title'])} → {f.title(n['title'])}{_score(c)}"
    if k == "theme-moved":
        now = f" (was {f.label(o['label'])})" if o["label"] != n["label"] else ""
        return f"{d['what']} {f.label(n['label'])} {f.title(n['title'])}{now} {d['how']}{_score(c)}"
    if k == "theme-merged":
        parts = ", ".join(f"{f.label(x['label'])} {f.title(x['title'])}" for x in d["from"])
        return f"{parts} merged into {d['what']} {f.label(n['label'])} {f.title(n['title'])}"
    if k == "theme-split":
        parts = ", ".join(f"{f.label(x['label'])} {f.title(x['title'])}" for x in d["into"])
        return f"{d['what']} {f.label(o['label'])} {f.title(o['title'])} split into {parts}"
    if k == "finding-added":
        return f"finding added at {f.label(n['place'])}: {f.title(_snip(n['text']))}"
    if k == "finding-removed":
        return f"finding removed from {f.label(o['place'])}: {f.title(_snip(o['text']))}"
    if k == "finding-edited":
        return f"finding {f.label(n['place'])} edited: {f.words(d['words'])}{_score(c)}"
    if k == "finding-moved":
        return f"finding {f.title(_snip(n['text'], 40))} {d['how']} (now {f.label(n['place'])}){_score(c)}"
    if k == "quote-added":
        return f"quote added at {f.label(n['place'])}: {f.quote(n['text'])} {n['citation']}"
    if k == "quote-removed":
        return f"quote removed from {f.label(o['place'])}: {f.quote(o['text'])} {o['citation']}"
    if k == "quote-edited":
        parts = []
        if "words" in d:
            parts.append(f.words(d["words"]))
        if "note" in d["fields"]:
            parts.append(f"note: {f.removed(o.get('note', '')) if o.get('note') else ''}"
                         f"{f.added(n.get('note', '')) if n.get('note') else ''}")
        return f"quote {f.label(n['place'])} edited: " + "; ".join(parts) + _score(c)
    if k == "quote-recited":
        return (f"quote {f.label(n['place'])} {f.quote(_snip(n['text'], 40))} re-cited: "
                f"{f.code(o['citation'] or '(none)')} → {f.code(n['citation'] or '(none)')}{_score(c)}")
    if k == "quote-moved":
        return f"quote {f.quote(_snip(n['text'], 40))} {n['citation']} {d['how']}{_score(c)}"
    if k in ("participant-added", "participant-removed"):
        p = n if k == "participant-added" else o
        cells = ", ".join(v for v in p["cells"].values() if v)
        return f"{f.label(p['label'])} ({f.code(c.id)}{': ' + cells if cells else ''}) {k.split('-')[1]}"
    if k == "participant-renumbered":
        return f"{f.code(c.id)}: {f.label(o['label'])} → {f.label(n['label'])}{_score(c)}"
    if k == "participant-edited":
        changed = ", ".join(f"{key}: {f.removed(o['cells'].get(key, ''))}{f.added(n['cells'].get(key, ''))}"
                            for key in d["fields"] if key != "marks")
        if "marks" in d["fields"]:
            changed += (", " if changed else "") + f"marks: {', '.join(o.get('marks', [])) or 'none'} → " \
                                                   f"{', '.join(n.get('marks', [])) or 'none'}"
        return f"{f.label(n['label'])} ({f.code(c.id)}) edited: {changed}"
    if k == "item-renumbered":
        return f"the {d['what']} is now {f.label(n['label'])} (was {f.label(o['label'])})"
    if k == "caption-changed":
        parts = []
        if "caption" in d["fields"]:
            parts.append(f"caption {f.title(_snip(o['caption'], 80))} → {f.title(_snip(n['caption'], 80))}")
        if "notes" in d["fields"]:
            parts.append("notes changed")
        return f"{f.label(n['label'])} ({d['what']}): " + "; ".join(parts)
    if k == "columns-changed":
        parts = []
        if d["added"]:
            parts.append("added " + ", ".join(f.title(x) for x in d["added"]))
        if d["removed"]:
            parts.append("removed " + ", ".join(f.title(x) for x in d["removed"]))
        for r in d["renamed"]:
            parts.append(f"{f.title(r['old'])} → {f.title(r['new'])}")
        if d["reordered"]:
            parts.append("reordered")
        return f"{f.label(n['label'])} ({d['what']}) columns: " + "; ".join(parts)
    return k  # pragma: no cover


def _where(c: Change, name: str) -> str:
    at = (c.new or c.old or {}).get("line")
    return f"{name}:{at}" if at else ""


def _summary(diff: Diff) -> str:
    counts = diff.counts()
    if diff.empty:
        return "no changes"
    parts = [f"{v} {k}" for k, v in counts.items()]
    total = len(diff.changes)
    out = f"{total} change{'s' * (total != 1)}" + (f" ({', '.join(parts)})" if parts else "")
    if diff.renumbering:
        out += f"; {len(diff.renumbering)} label{'s' * (len(diff.renumbering) != 1)} renumbered"
    return out


def text(diff: Diff) -> str:
    f = _Text()
    lines = [f"--- {diff.old.name}", f"+++ {diff.new.name}"]
    width = max((len(c.kind) for c in diff.changes), default=0)
    for section, heading in SECTIONS:
        group = [c for c in diff.changes if c.section == section]
        if not group:
            continue
        lines.append(heading)
        for c in group:
            where = _where(c, diff.new.name if c.new else diff.old.name)
            lines.append(f"  {c.kind:<{width}}  {describe(c, f)}" + (f"  [{where}]" if where else ""))
    if diff.renumbering:
        lines.append("Renumbering: labels the manuscript may cite")
        w = max(len(r.old) for r in diff.renumbering)
        for r in diff.renumbering:
            lines.append(f"  {r.old:<{w}} → {r.new}")
    lines.append(_summary(diff))
    return "\n".join(lines)


def markdown(diff: Diff) -> str:
    f = _Markdown()
    lines = [f"## Changes from `{diff.old.name}` to `{diff.new.name}`", ""]
    if diff.empty:
        return "\n".join(lines + ["No changes.", ""])
    for section, heading in SECTIONS:
        group = [c for c in diff.changes if c.section == section]
        if not group:
            continue
        lines += [f"### {heading}", ""]
        renumbered = [c for c in group if c.kind == "participant-renumbered"]
        if len(renumbered) > 3 and diff.renumbering:  # the renumbering table below lists them
            group = [c for c in group if c.kind != "participant-renumbered"]
            lines.append(f"- {len(renumbered)} participants renumbered (see the renumbering table).")
        for c in group:
            s = describe(c, f)
            lines.append(f"- {s[:1].upper()}{s[1:]}.")
        lines.append("")
    if diff.renumbering:
        lines += ["### Renumbering", "", "Labels that changed; references in the manuscript must follow.", "",
                  "| Old | New |", "|---|---|"]
        lines += [f"| {_md(r.old)} | {_md(r.new)} |" for r in diff.renumbering]
        lines.append("")
    lines += [f"*{_summary(diff)}*", ""]
    return "\n".join(lines)


def as_json(diff: Diff) -> str:
    return json.dumps(diff.as_dict(), indent=2, ensure_ascii=False)


RENDERERS = {"text": text, "markdown": markdown, "json": as_json}
