"""The theme table's layout (resolve/layout.py), decided once for every writer."""

from __future__ import annotations

from pathlib import Path

from supplement.pipeline import load_document
from supplement.resolve.layout import block_key, theme_rows

EXAMPLE = Path(__file__).resolve().parent.parent / "source" / "spinal-metastases.yaml"


def test_the_example_rows():
    tt = load_document(EXAMPLE).items[1]
    rows = theme_rows(tt)
    # a row per finding, and one for each of the two themes whose findings are all in subthemes
    assert len(rows) == 17 + 2
    assert [r.finding for r in rows if r.finding is not None] == [f for b in tt.blocks for f in b.findings]
    alone = [r for r in rows if r.finding is None]
    assert [r.block.heading.text for r in alone] == ["III. Care Team Dynamics", "VII. Preference – Based Care"]
    assert all(r.keep_next and r.first and r.quotes == () for r in alone)
    assert not any(r.keep_next for r in rows if r.finding is not None)
    for r in rows:
        b = r.block
        assert b is tt.blocks[r.block_index]
        if r.first:  # the label, the full rule, the outline entry, column 1 spanning the block
            assert r.label == (b.heading,) and r.rule == "full" and r.span == max(1, len(b.findings))
            assert r.mark == (block_key(tt, r.block_index), b.heading.text, b.level + 1)
            # at a page's top a subtheme's first row first names its theme, continued
            assert r.top_new == b.continued[:-1]
        else:
            assert r.label == () and r.rule == "partial" and r.mark is None and r.span == 0
            assert r.top_new == b.continued
        assert r.top_cont == b.continued
        assert r.continued == (r.finding.continued if r.finding else None)
    sub = next(r for r in rows if r.block.level == 1)
    assert [p.text for p in sub.top_new] == ["I. Elements of Disease (continued)"]
    assert [p.text for p in sub.top_cont] == ["I. Elements of Disease (continued)",
                                              "A. Failure of Initial Treatment (continued)"]
    assert block_key(tt, 0) == "item-2-1"
