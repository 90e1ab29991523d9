"""The PDF writer's paragraphs: reportlab's line breaking and drawing, for known simple text, fast.

reportlab's ``Paragraph`` is general: it parses markup with an HTML parser, measures
every word again on every wrap (``stringWidth`` runs a Python loop over the
characters unless the optional C extension rl_accel is installed) and, when it draws,
encodes every line character by character for the font subset. The writer's
paragraphs are much simpler: runs of text that are bold, italic or superscript,
non-breaking spaces, line breaks, left alignment and at most a link around the whole.
``Typesetter.para`` turns a resolved ``Paragraph`` into a ``LineParagraph`` flowable
that

- reproduces reportlab's paragraph *exactly*: the fragments its parser would make
  (whitespace cleaning of the markup, one fragment per piece of text between entities,
  ``<br/>``), its two line breaking algorithms (one fragment, or several) with the
  space shrinkage it allows (``spaceShrinkage``), ``splitLongWords`` and the same
  floating point sums in the same order, so the same words end up on the same lines;
- measures each distinct word once per font and size, in a table shared by the whole
  document (``Measure``), instead of once per wrap;
- draws the prepared lines into one text object per paragraph with the operators
  reportlab's ``drawPara`` writes (``Tf``/``TL``/``Td``/``Tw``/``Ts``/``Tj``/``T*``),
  encoding text through a per-font translation table filled from reportlab's own
  subset assignment (``_Encoder``): the page content is byte for byte what reportlab's
  Paragraph draws.

What it does not reproduce it hands back to reportlab: a paragraph with a soft hyphen
(reportlab hyphenates there) or a style using anything beyond the writer's
(justification, hyphenation, bullets, autoLeading, borders …) is made a reportlab
``Paragraph`` by ``Typesetter.para``.

Where it differs from reportlab, on purpose: ``split`` keeps the lines already broken
for both parts (as the writer's table cells always did) where reportlab breaks each
part again from its words. That gives the same words on the same lines, with three
exceptions, all about what reportlab does on a second break: (1) a paragraph of several
fragments whose long word was split: reportlab's second wrap re-breaks its own pieces,
which can move an empty piece of text to the next line (same text, one empty ``Tj``
string more or less in the page content); (2) a part that starts below a line ended by
``<br/>``: reportlab's second part starts *at* that break (its ``sFW`` points at it)
and so with an empty line, LineParagraph's does not; (3) contrived widths (a word wider
than the later lines but not the first, with a negative first-line indent, at the
break), which reportlab splits in its second part and LineParagraph does not.
"""

from __future__ import annotations

import copy
import re
from string import whitespace as _ASCII_WS
from supplement.writers.escaping import quoteattr

from reportlab import rl_config
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.paragraph import Paragraph as RLParagraph
from reportlab.platypus.paraparser import ParaParser

# ---------------------------------------------------------------- reportlab's whitespace

# reportlab's own list (paragraph._wsc): str.isspace() without NO-BREAK SPACE, with ZERO WIDTH SPACE.
_WSC = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
        "\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000")
_wsc_split = re.compile("[%s]+" % re.escape(_WSC)).split
_wsc_runs = re.compile("[%s]+" % re.escape(_WSC)).sub
_wsc_end = re.compile("[%s]+$" % re.escape(_WSC)).search
_entities = re.compile("([&<>])").split  # the HTML parser hands the text over in pieces around each entity


def _split(text: str) -> list[str]:
    """reportlab's ``paragraph.split``: words, never breaking at a non-breaking space."""
    return _wsc_split(text) if "\xa0" in text else text.split()


# ---------------------------------------------------------------- widths


class Measure:
    """Widths of words per (font, size), shared by every paragraph of a document.

    ``tables[(font, size)]`` maps a word (or a single character, or " ") to its width as
    ``pdfmetrics.stringWidth`` gives it; each is measured once. ``calls`` counts the
    measurements."""

    def __init__(self):
        self.tables: dict[tuple[str, float], dict[str, float]] = {}
        self.calls = 0

    def table(self, font: str, size: float) -> "_Widths":
        t = self.tables.get((font, size))
        if t is None:
            t = self.tables[(font, size)] = _Widths(self, font, size)
        return t


class _Widths(dict):
    """word -> width for one font and size; a missing word is measured (once)."""

    __slots__ = ("measure", "font", "size")

    def __init__(self, measure: Measure, font: str, size: float):
        super().__init__()
        self.measure, self.font, self.size = measure, font, size

    def __missing__(self, word: str) -> float:
        self.measure.calls += 1
        w = self[word] = stringWidth(word, self.font, self.size)
        return w


def stringWidth(text: str, font: str, size: float) -> float:  # the one width function (tests count its calls)
    return pdfmetrics.stringWidth(text, font, size)


# ---------------------------------------------------------------- fragments


class _Style:
    """What reportlab's parser gives one kind of fragment: font, size, rise, colour, link."""

    __slots__ = ("fontName", "fontSize", "rise", "textColor", "link", "widths", "space", "key")

    def __init__(self, measure: Measure, fontName, fontSize, rise, textColor, link):
        self.fontName, self.fontSize, self.rise, self.textColor, self.link = fontName, fontSize, rise, textColor, link
        self.widths = measure.table(fontName, fontSize)
        self.space = self.widths[" "]
        self.key = (fontName, fontSize, rise, textColor, link)


class _Frag:
    """One fragment as reportlab's parser makes it: a piece of text in one style (``brk``:
    a ``<br/>``). Identity matters as in reportlab: parts of one word that come from
    different fragments stay separate pieces of text."""

    __slots__ = ("st", "brk")

    def __init__(self, st: _Style, brk: bool = False):
        self.st, self.brk = st, brk


# Word classes, after reportlab's (paragraph.py): a word is [width, (frag, text), ...].
class _HS(list):
    """a word followed by a space"""


class _Injected(list):
    """a line break put in after the first piece of a split long word"""


class _SplitFrag(list):
    """a piece of a long word split across lines"""


class _SplitFragH(_SplitFrag):
    """the last piece, when the word had no space after it"""


class _SplitFragHS(_SplitFrag, _HS):
    """the last piece, when the word had a space after it"""


class _SplitWord(str):
    """a piece of a long word split across lines (one-fragment paragraphs)"""


class _SplitWordEnd(_SplitWord):
    """its last piece"""


class _Seg:
    """A run of text in one style on a drawn line (reportlab clones a frag for this)."""

    __slots__ = ("st", "text", "brk", "ns")

    def __init__(self, st: _Style, text: str, brk: bool = False):
        self.st, self.text, self.brk = st, text, brk
        self.ns = 0  # text.count(" "): the parts of words never hold a space, only the joins do


class _Line:
    """A line of a paragraph of several fragments (reportlab's FragLine)."""

    __slots__ = ("extraSpace", "wordCount", "words", "fontSize", "start")

    def __init__(self, extraSpace, wordCount, words, fontSize, start):
        self.extraSpace, self.wordCount, self.words, self.fontSize = extraSpace, wordCount, words, fontSize
        self.start = start  # (index of its first word in the paragraph's words, characters of it on earlier lines)


# ---------------------------------------------------------------- line breaking


def _split_word(w: str, lineWidth: float, maxWidths, lineno: int, widths) -> list:
    """reportlab's ``_splitWord``: a word wider than the line, in pieces that fit."""
    R = []
    maxlineno = len(maxWidths) - 1
    maxWidth = maxWidths[min(maxlineno, lineno)]
    maxWidthNext = maxWidths[min(maxlineno, lineno + 1)]  # as in reportlab: not advanced after a piece
    start = 0
    for j, c in enumerate(w):
        cw = widths[c]
        newLineWidth = lineWidth + cw
        if newLineWidth > maxWidth and (j > start or cw <= maxWidthNext):
            R.append(_SplitWord(w[start:j]))
            lineno += 1
            maxWidth = maxWidths[min(maxlineno, lineno)]
            newLineWidth = cw
            start = j
        lineWidth = newLineWidth
    R.append(_SplitWordEnd(w[start:]))
    return R


def break_simple(words: list, st: _Style, maxWidths, shrinkage: float, splitLongWords: bool) -> list:
    """reportlab's ``breakLines`` for a paragraph of one fragment: [(extra space, [words])].

    The same decisions from the same floating point sums in the same order; only the
    widths come from the shared table, and the words are read in order instead of
    popped from the front (reportlab's ``pop(0)`` costs the paragraph's length per word).
    ``words`` are the paragraph's words (never empty); the pieces of a word split
    because it is longer than the line are placed in an inner loop, by reportlab's rules
    for pieces (never split again; an empty first piece ends the line)."""
    widths = st.widths
    spaceWidth = st.space
    dSpaceShrink = shrinkage * spaceWidth
    lines = []
    cLine = []
    k = 0  # len(cLine)
    currentWidth = -spaceWidth
    maxlineno = len(maxWidths) - 1
    lineno = 0
    maxWidth = maxWidths[0]
    for word in words:
        wordWidth = widths[word]
        newWidth = currentWidth + spaceWidth + wordWidth
        if newWidth <= maxWidth + dSpaceShrink * k:
            cLine.append(word)
            k += 1
            currentWidth = newWidth
            continue
        if splitLongWords and wordWidth > maxWidths[min(lineno, maxlineno)]:
            forcedSplit = 1
            for piece in _split_word(word, currentWidth + spaceWidth, maxWidths, lineno, widths):
                if not piece:
                    forcedSplit = 1
                wordWidth = widths[piece]
                newWidth = currentWidth + spaceWidth + wordWidth
                if newWidth <= maxWidth + dSpaceShrink * k or not k or forcedSplit:
                    if piece:
                        cLine.append(piece)
                        k += 1
                    if forcedSplit:
                        forcedSplit = 0
                        lines.append((maxWidth - newWidth, cLine))
                        cLine = []
                        k = 0
                        currentWidth = -spaceWidth
                        lineno += 1
                        maxWidth = maxWidths[min(maxlineno, lineno)]
                    else:
                        currentWidth = newWidth
                else:
                    lines.append((maxWidth - currentWidth, cLine))
                    cLine = [piece]
                    k = 1
                    currentWidth = wordWidth
                    lineno += 1
                    maxWidth = maxWidths[min(maxlineno, lineno)]
            continue
        if not k:  # the first word of a line goes on it, whatever its width
            cLine.append(word)
            k = 1
            currentWidth = newWidth
        else:
            lines.append((maxWidth - currentWidth, cLine))
            cLine = [word]
            k = 1
            currentWidth = wordWidth
            lineno += 1
            maxWidth = maxWidths[min(maxlineno, lineno)]
    if cLine:
        lines.append((maxWidth - currentWidth, cLine))
    return lines


def _words_of_lines(lines: list) -> list:
    """The words of one-fragment lines, the pieces of split words joined again
    (reportlab's ``_yieldBLParaWords``)."""
    out, R = [], []
    for _, words in lines:
        for w in words:
            if isinstance(w, _SplitWord):
                R.append(w)
                if isinstance(w, _SplitWordEnd):
                    out.append("".join(R))
                    R = []
                continue
            if R:
                out.append("".join(R))
                R = []
            out.append(w)
    if R:
        out.append("".join(R))
    return out


def frag_words(frags: list) -> list:
    """reportlab's ``_getFragWords`` for text and ``<br/>`` fragments: [[width, (frag, text), ...], ...]."""
    R = []
    aR = R.append
    W = []
    n = 0
    hangingSpace = False
    hangingStrip = True
    for f, text in frags:
        if f.brk:
            if W:
                W.insert(0, n)
                aR(W)
                W = []
                n = 0
                hangingSpace = False
            aR([0, (f, "")])
            hangingStrip = True
            continue
        if not text:
            continue
        widths = f.st.widths
        if hangingStrip:
            text = text.lstrip(_WSC)
            if not text:
                continue
            hangingStrip = False
        S = _split(text)
        if text[0] in _ASCII_WS or not S:
            if W:
                W.insert(0, n)
                aR(W)
                whs = hangingSpace
                W = []
                hangingSpace = False
                n = 0
            else:
                whs = R and isinstance(R[-1], _HS)
            if not whs:
                S.insert(0, "")
            elif not S:
                continue
        for w in S[:-1]:
            W.append((f, w))
            n += widths[w]
            W.insert(0, n)
            aR(_HS(W))
            W = []
            n = 0
        hangingSpace = False
        w = S[-1]
        W.append((f, w))
        n += widths[w]
        if text and text[-1] in _ASCII_WS:
            W.insert(0, n)
            aR(_HS(W))
            W = []
            n = 0
    if W:
        W.insert(0, n)
        aR(W)
    if not R and frags:
        R = [[0, (frags[0][0], "")]]
    return R


def _split_frag_word(w: list, maxWidth: float, maxWidths, lineno: int) -> list:
    """reportlab's ``_splitFragWord``: a word of several fragments in pieces that fit."""
    R = []
    maxlineno = len(maxWidths) - 1
    maxWidthNext = maxWidths[min(maxlineno, lineno + 1)]
    W = []
    lineWidth = 0
    fragText = ""
    wordWidth = 0
    f = w[1][0]
    for g, s in w[1:]:
        if not s:
            chars = (("", 0),)
        else:
            widths = g.st.widths
            chars = ((c, widths[c]) for c in s)
        for c, cw in chars:
            newLineWidth = lineWidth + cw
            tooLong = newLineWidth > maxWidth and bool(wordWidth or (not wordWidth and cw <= maxWidthNext))
            if g is not f or tooLong:
                W.append((f, fragText))
                if tooLong:
                    W = _SplitFrag([wordWidth] + W)
                    R.append(W)
                    lineno += 1
                    maxWidth = maxWidthNext
                    maxWidthNext = maxWidths[min(maxlineno, lineno + 1)]
                    W = []
                    newLineWidth = cw
                    wordWidth = 0
                fragText = ""
                f = g
            wordWidth += cw
            fragText += c
            lineWidth = newLineWidth
    W.append((f, fragText))
    R.append((_SplitFragHS if isinstance(w, _HS) else _SplitFragH)([wordWidth] + W))
    return R


def break_frags(words: list, maxWidths, shrinkage: float, splitLongWords: bool):
    """reportlab's ``breakLines`` for a paragraph of several fragments: [_Line], as reportlab
    breaks them (same sums, same order), with widths from the shared tables."""
    lines = []
    lineno = 0
    maxlineno = len(maxWidths) - 1
    maxWidth = maxWidths[0]
    segs = []
    g = None
    n = spaceWidth = currentWidth = 0
    maxSize = 0
    pend = []
    i, nw = 0, len(words)
    src, off = 0, 0  # the current word's index in ``words``, characters of it on earlier lines
    start = (0, 0)
    while True:
        if pend:
            w = pend.pop()
        elif i < nw:
            w = words[i]
            src, off = i, 0
            i += 1
        else:
            break
        f = w[-1][0]
        st = f.st
        fontName = st.fontName
        fontSize = st.fontSize
        if not segs:
            n = spaceWidth = currentWidth = 0
            maxSize = fontSize
            start = (src, off)
        wordWidth = w[0]
        f = w[1][0]
        if wordWidth > 0:
            newWidth = currentWidth + spaceWidth + wordWidth
        else:
            newWidth = currentWidth
        lineBreak = f.brk or isinstance(w, _Injected)
        limWidth = maxWidth
        if shrinkage:
            spaceShrink = spaceWidth
            for s in segs:
                if s.ns:
                    spaceShrink += s.ns * s.st.space
            spaceShrink *= shrinkage
            limWidth += spaceShrink
        if not lineBreak and newWidth > limWidth and not isinstance(w, _SplitFragH):
            if splitLongWords and not isinstance(w, _SplitFrag):
                if wordWidth > maxWidths[min(lineno, maxlineno)]:
                    pieces = _split_frag_word(w, maxWidth - spaceWidth - currentWidth, maxWidths, lineno)
                    rest = pieces[1:]
                    pend.extend(reversed(rest))
                    pend.append(_Injected([0, (f, "")]))
                    pend.append(pieces[0])
                    continue
        endLine = (newWidth > limWidth and n > 0) or lineBreak
        if not endLine:
            nText = w[1][1]
            if nText:
                n += 1
            st = f.st
            fontSize = st.fontSize
            if fontSize > maxSize:
                maxSize = fontSize
            if not segs:
                g = _Seg(st, nText)
                segs = [g]
            elif g.brk or g.st is not st:
                if spaceWidth:
                    k = len(segs) - 1
                    while k >= 0:
                        s = segs[k]
                        k -= 1
                        if not s.brk:
                            if not s.text.endswith(" "):
                                s.text += " "
                                s.ns += 1
                            break
                g = _Seg(st, nText)
                segs.append(g)
            elif spaceWidth:
                if not g.text.endswith(" "):
                    g.text += " " + nText
                    g.ns += 1
                else:
                    g.text += nText
            else:
                g.text += nText
            # reportlab measures the space after a word in its last part's font at its first part's size
            spaceWidth = (st.space if fontName == st.fontName else _space(st, fontName)) if isinstance(w, _HS) else 0
            ni = 0
            for part in w[2:]:
                g = _Seg(part[0].st, part[1])
                if g.text:
                    ni = 1
                segs.append(g)
                if g.st.fontSize > maxSize:
                    maxSize = g.st.fontSize
            if not nText and ni:
                n += 1
            currentWidth = newWidth
            if isinstance(w, _SplitFrag):
                off += sum(len(t) for _, t in w[1:])
        else:
            if lineBreak:
                segs.append(_Seg(f.st, "", True))
            lines.append(_Line(maxWidth - currentWidth, n, segs, maxSize, start))
            lineno += 1
            maxWidth = maxWidths[min(maxlineno, lineno)]
            if lineBreak:
                segs = []
                continue
            last = w[-1][0].st
            spaceWidth = last.space if isinstance(w, _HS) else 0
            currentWidth = wordWidth
            n = 1
            start = (src, off)
            st = f.st
            g = _Seg(st, w[1][1])
            maxSize = st.fontSize
            segs = [g]
            for part in w[2:]:
                g = _Seg(part[0].st, part[1])
                segs.append(g)
                if g.st.fontSize > maxSize:
                    maxSize = g.st.fontSize
            if isinstance(w, _SplitFrag):
                off += sum(len(t) for _, t in w[1:])
    if segs:
        lines.append(_Line(maxWidth - currentWidth, n, segs, maxSize, start))
    return lines


def _cut(word: list, start: int, end: int | None) -> list:
    """Characters ``start:end`` of a word of several fragments, measured as reportlab joins
    the pieces of a split word (the sum of its parts' widths)."""
    parts, pos = [], 0
    for f, t in word[1:]:
        a = pos
        pos += len(t)
        lo, hi = max(start, a), pos if end is None else min(end, pos)
        if lo < hi:
            parts.append((f, t[lo - a:hi - a]))
    if not parts:
        parts = [(word[1][0], "")]
    width = 0
    for f, t in parts:
        width += f.st.widths[t]
    return (_HS if end is None and isinstance(word, _HS) else list)([width] + parts)


def _space(st: _Style, fontName: str) -> float:
    return st.widths.measure.table(fontName, st.fontSize)[" "]


# ---------------------------------------------------------------- drawing


_ESC = tuple("\\%03o" % c if c < 32 or c >= 127 else "\\" + chr(c) if chr(c) in "\\()" else chr(c) for c in range(256))


class _Encoder:
    """What reportlab's ``PDFTextObject._formatText`` writes for text in one TrueType font.

    Characters already given a code in the font's first subset are translated with a
    table (``str.translate``), whole words from a cache; any other text goes through
    reportlab's own ``splitString``, which assigns codes exactly as it would have, and
    the table learns them. So codes, subsets and their order are reportlab's."""

    def __init__(self, font, doc):
        self.font, self.doc = font, doc
        self.table: dict[int, str] = {}  # character -> its escaped code, for codes in subset 0
        self.known: set[str] = set()
        self.words: dict[str, str] = {}  # word -> its escaped codes, for words of known characters
        self.space = None  # the escaped code of " ", once known
        self._tf: dict = {}  # (size, leading) -> "/F1+0 10 Tf 12 TL"
        self._readable = None

    def name(self) -> str | None:
        """The font's name in the document, once it has one (``/F2``)."""
        state = self.font.state.get(self.doc)
        return state.internalName if state is not None else None

    def readable(self) -> bool:
        """Whether ASCII characters have their own codes in the first subset (reportlab's
        ``asciiReadable``, its default): then only the others' codes depend on the document."""
        if self._readable is None:
            state = self.font.state.get(self.doc)
            if state is None:
                return False
            a, glyphs = state.assignments, self.font.face.charToGlyph
            self._readable = all(a.get(c) == c for c in range(32, 127) if c in glyphs)
        return self._readable

    def _learn(self, text: str) -> list:
        chunks = self.font.splitString(text, self.doc)
        a = self.font.state[self.doc].assignments
        glyphs = self.font.face.charToGlyph
        for ch in set(text):
            code = ord(ch)
            if code == 0xA0:  # reportlab draws a no-break space as a space
                code = 32
            if code in a:
                c = a[code]
            elif code not in glyphs:
                c = 0
            else:
                continue
            if c < 256:
                self.table[ord(ch)] = _ESC[c]
                self.known.add(ch)
        if self.space is None and " " in self.known:
            self.space = self.table[32]
        return chunks

    def _select(self, tx) -> str:
        """Font and size for subset 0, as reportlab writes them when the subset changes."""
        tx._curSubset = 0
        key = (tx._fontsize, tx._leading)
        tf = self._tf.get(key)
        if tf is None:
            tf = self._tf[key] = (f"{self.font.getSubsetInternalName(0, self.doc)} {fp_str(tx._fontsize)} Tf "
                                  f"{fp_str(tx._leading)} TL ")
        return tf

    def code(self, tx, text: str) -> str:
        """``tx._formatText(text)``, with the same effect on ``tx._curSubset``."""
        if not text:
            return ""
        if self.known.issuperset(text):
            esc = text.translate(self.table)
            if tx._curSubset == 0:
                return f"({esc}) Tj"
            return f"{self._select(tx)}({esc}) Tj"
        R = []
        tmpl = None
        for subset, t in self._learn(text):
            if subset != tx._curSubset:
                if not tmpl:
                    tmpl = f"{fp_str(tx._fontsize)} Tf {fp_str(tx._leading)} TL"
                R.append(f"{self.font.getSubsetInternalName(subset, self.doc)} {tmpl}")
                tx._curSubset = subset
            R.append("(%s) Tj" % "".join(_ESC[b] for b in t))
        return " ".join(R)

    def line(self, tx, words: list) -> str:
        """``code(tx, " ".join(words))``, from the cache of words."""
        if not words:
            return ""
        try:
            esc = self.space.join([self.words[w] for w in words])
        except (KeyError, AttributeError):  # a word not seen yet, or no space yet
            text = " ".join(words)
            out = self.code(tx, text)
            known, table, cache = self.known, self.table, self.words
            for w in words:
                if w not in cache and known.issuperset(w):
                    cache[w] = w.translate(table)
            return out
        if tx._curSubset == 0:
            return f"({esc}) Tj"
        return f"{self._select(tx)}({esc}) Tj"


class _Drawn:
    """What drawing a paragraph's lines of one font wrote to the page, and what it depends on
    besides the lines: the font's name in the document (``/F2``) and the codes of the
    characters outside ASCII, both given in the order of first use in a document. ASCII
    characters keep their own codes in reportlab's first subset (``asciiReadable``); a font
    whose state does not do that, or text outside the first subset, is not recorded."""

    __slots__ = ("font", "name", "extra", "code")

    def __init__(self, font: str, name: str, extra: tuple, code: str):
        self.font, self.name, self.extra, self.code = font, name, extra, code

    @classmethod
    def of(cls, enc, lines, written: list) -> "_Drawn | None":
        if not isinstance(enc, _Encoder) or not enc.readable():
            return None
        table = enc.table
        extra = []
        for ch in {c for _, words in lines for w in words for c in w if not " " <= c <= "~"}:
            esc = table.get(ord(ch))
            if esc is None:  # in another subset
                return None
            extra.append((ord(ch), esc))
        return cls(enc.font.fontName, enc.name(), tuple(extra), "\n".join(written))

    def holds(self, encoders) -> bool:
        """Whether drawing the lines in this document would write ``code`` again."""
        enc = encoders(self.font)
        if not isinstance(enc, _Encoder) or enc.name() != self.name or not enc.readable():
            return False
        table = enc.table
        for o, esc in self.extra:
            if table.get(o) != esc:
                return False
        return True


class _Plain:
    """Fonts that are not TrueType: reportlab formats the text itself."""

    @staticmethod
    def code(tx, text: str) -> str:
        return tx._formatText(text)

    @staticmethod
    def line(tx, words: list) -> str:
        return tx._formatText(" ".join(words))


_scheme = re.compile("^[a-zA-Z][-+a-zA-Z0-9]+$")


def _do_link(canv, link: str, rect) -> None:
    """reportlab's ``_doLink``."""
    if not link:
        return
    if link.startswith("#"):
        canv.linkRect("", link[1:], rect, relative=1)
        return
    parts = link.split(":", 1)
    scheme = len(parts) == 2 and parts[0].lower() or ""
    if scheme == "document":
        canv.linkRect("", parts[1], rect, relative=1)
    elif _scheme.match(scheme):
        kind = scheme.lower() == "pdf" and "GoToR" or "URI"
        canv.linkURL(parts[1] if kind == "GoToR" else link, rect, relative=1, kind=kind)
    else:
        canv.linkURL(link, rect, relative=1, kind="URI")


def _setXPos(tx, dx: float) -> None:
    if dx > 1e-6 or dx < -1e-6:
        tx.setXPos(dx)


# ---------------------------------------------------------------- the flowable


class _BlPara:
    """The broken lines, where reportlab keeps them (``Paragraph.blPara``); ``drawn``, what
    drawing them wrote, when a Typesetter that keeps recorded it (``_Drawn``; False: it
    could not be recorded)."""

    __slots__ = ("kind", "lines", "drawn")

    def __init__(self, kind: int, lines: list):
        self.kind, self.lines = kind, lines
        self.drawn = None

    def clone(self, lines=None):
        return _BlPara(self.kind, self.lines if lines is None else lines)


class LineParagraph(Flowable):
    """One of the writer's paragraphs, broken into lines and drawn as reportlab's Paragraph would.

    ``kind`` 0 (one fragment, style ``st``): lines are (extra space, [words]); kind 1
    (several fragments): lines are ``_Line``s of styled pieces. ``words`` is what the
    lines were broken from; a part made by ``split`` gets it only if it has to be broken
    again at another width."""

    def __init__(self, ts: "Typesetter", style, kind: int, words, st: _Style | None = None, link: tuple = ()):
        super().__init__()
        self.ts = ts
        self.style = style
        self.kind = kind
        self.words = words
        self.st = st
        self.link = link  # ((n, href), ...): the link around the whole paragraph
        self.blPara = None
        self._width = None  # the width the lines were broken for
        self._src = self._end = None  # a part's: the words its lines come from, and where its own end
        self.width = self.height = 0

    def copy(self) -> "LineParagraph":
        """Another flowable of the same paragraph, with the lines already broken."""
        p = LineParagraph(self.ts, self.style, self.kind, self.words, self.st, self.link)
        p.blPara, p._width = self.blPara, self._width
        return p

    # -- layout

    def wrap(self, availWidth, availHeight):
        if availWidth < rl_config._FUZZ:
            return 0, 0x7FFFFFFF
        if self.blPara is None or self._width != availWidth:
            self._break(availWidth)
        self.width = availWidth
        self.height = len(self.blPara.lines) * self.style.leading
        return self.width, self.height

    def _break(self, availWidth):
        s = self.style
        maxWidths = [availWidth - (s.leftIndent + s.firstLineIndent) - s.rightIndent,
                     availWidth - s.leftIndent - s.rightIndent]
        if self.words is None:  # a part of a paragraph, wanted at another width
            self.words = self._rest_words()
            self._end = None
        self.ts.wraps += 1
        if self.kind == 0:
            lines = break_simple(self.words, self.st, maxWidths, s.spaceShrinkage, s.splitLongWords) if self.words else []
        else:
            lines = break_frags(self.words, maxWidths, s.spaceShrinkage, s.splitLongWords)
        self.blPara = _BlPara(self.kind, lines)
        self._width = availWidth

    def _rest_words(self) -> list:
        """The words of this part's lines, to break them again at another width: a word split
        across the part's first or last line is cut where the part starts or ends (as
        reportlab joins the pieces of split words of a part again)."""
        lines = self.blPara.lines
        if self.kind == 0:
            return _words_of_lines(lines)
        (src, off), end = lines[0].start, self._end
        words = self._src
        stop = len(words) if end is None else end[0] + (1 if end[1] else 0)
        out = list(words[src:stop])
        if out and end is not None and end[1]:
            out[-1] = _cut(out[-1], off if src == end[0] else 0, end[1])
        if out and off and (end is None or src != end[0] or not end[1]):
            out[0] = _cut(out[0], off, None)
        return out

    def _part(self, lines: list, rest: bool) -> "LineParagraph":
        p = LineParagraph(self.ts, self.ts.no_indent(self.style) if rest else self.style, self.kind, None,
                          self.st, self.link)
        p.blPara = _BlPara(self.kind, lines)
        p._src = self.words if self.words is not None else self._src
        if self.kind == 1:  # where the part's words end in _src: None, at the end
            p._end = self._end if rest else self.blPara.lines[len(lines)].start
        p._width = self._width
        p.width = self._width
        p.height = len(lines) * self.style.leading
        return p

    def split(self, availWidth, availHeight):
        """By whole lines, deciding as reportlab's Paragraph.split does (orphans, widows);
        both parts keep the lines already broken."""
        if (self.kind == 0 and self.st is None) or availWidth < rl_config._FUZZ or availHeight < rl_config._FUZZ:
            return []  # no fragments at all
        if self.blPara is None or self._width != availWidth:
            self.wrap(availWidth, availHeight)
        style = self.style
        lines = self.blPara.lines
        s = int(availHeight / float(style.leading))
        allowOrphans = getattr(self, "allowOrphans", getattr(style, "allowOrphans", 0))
        if (not allowOrphans and s <= 1) or s == 0:
            return []
        n = len(lines)
        allowWidows = getattr(self, "allowWidows", getattr(style, "allowWidows", 1))
        if n <= s:
            return [self]
        if not allowWidows:
            if n == s + 1:
                if (allowOrphans and n == 3) or n > 3:
                    s -= 1
                else:
                    return []
        return [self._part(lines[:s], False), self._part(lines[s:], True)]

    def getPlainText(self, identify=None):
        if self.blPara is None:
            self.wrap(_BIG, _BIG)
        if self.kind == 0:
            return "\n".join(" ".join(words) for _, words in self.blPara.lines)
        return "\n".join("".join(s.text for s in line.words) for line in self.blPara.lines)

    # -- drawing

    def drawOn(self, canvas, x, y, _sW=0):
        """Flowable's ``drawOn``; lines drawn before (by a render that kept them, ``_Drawn``)
        whose characters have the same codes in this document are not drawn again: what
        drawing them wrote is written, between the state and move ``drawOn`` writes."""
        bl = self.blPara
        d = bl.drawn if bl is not None else None
        if d and d.holds(self.ts.encoders(canvas)) and not getattr(self, "_showBoundary", 0):
            x = self._hAlignAdjust(x, _sW)
            canvas._code.append(f"q\n{fp_str(1, 0, 0, 1, x, y)} cm\n{d.code}\nQ")
            self.ts.replayed += 1
            return
        Flowable.drawOn(self, canvas, x, y, _sW)

    def draw(self):
        lines = self.blPara.lines
        if not lines:
            return
        enc = self.ts.encoders(self.canv)
        if self.kind == 1:
            self._draw_frags(lines, enc)
        elif self.ts.keep and not self.link and self.blPara.drawn is None:
            code = self.canv._code
            n = len(code)
            self._draw_simple(lines, enc)
            self.blPara.drawn = _Drawn.of(enc(self.st.fontName), lines, code[n:]) or False  # False: not again
        else:
            self._draw_simple(lines, enc)

    def _draw_simple(self, lines, enc):
        """reportlab's ``drawPara`` for one fragment, left aligned."""
        canvas = self.canv
        style = self.style
        st = self.st
        leading = style.leading
        leftIndent = style.leftIndent
        canvas.saveState()
        first = style.firstLineIndent
        cur_y = self.height - (st.fontSize if rl_config.paraFontSizeHeightOffset
                               else pdfmetrics.getAscentDescent(st.fontName, st.fontSize)[0])
        canvas.setFillColor(st.textColor)
        tx = canvas.beginText(leftIndent, cur_y)
        tx.preformatted = False
        tx.direction = style.wordWrap
        tx.setFont(st.fontName, st.fontSize, leading)
        line = enc(st.fontName).line
        out = tx._code.append
        link = self.link
        for i, (ws, words) in enumerate(lines):
            if i == 0 and first:
                _setXPos(tx, first)
            if ws > -1e-8:
                out(line(tx, words) + " T*")
            else:
                nSpaces = len(words) + sum(w.count("\xa0") for w in words) - 1
                if nSpaces <= 0:
                    out(line(tx, words) + " T*")
                else:
                    tx.setWordSpace(ws / float(nSpaces))
                    out(line(tx, words) + " T*")
                    tx.setWordSpace(0)
            if i == 0 and first:
                _setXPos(tx, -first)
            if link:
                y = cur_y - i * leading - st.fontSize / 8.0
                x = (first if i == 0 else 0) + leftIndent
                textlen = canvas.stringWidth(" ".join(words), tx._fontname, tx._fontsize)
                for _, href in link:
                    _do_link(canvas, href, (x, y, x + textlen, y + leading))
        canvas.drawText(tx)
        canvas.restoreState()

    def _draw_frags(self, lines, enc):
        """reportlab's ``drawPara``, ``_leftDrawParaLineX``, ``_putFragLine`` and
        ``_do_post_text`` for several fragments (text, line breaks and links only)."""
        canvas = self.canv
        style = self.style
        leading = style.leading
        leftIndent = style.leftIndent
        canvas.saveState()
        first = style.firstLineIndent
        cur_y = self.height - (lines[0].fontSize if rl_config.paraFontSizeHeightOffset else 0)
        tx = canvas.beginText(leftIndent, cur_y)
        tx.preformatted = False
        tx.direction = style.wordWrap
        tx._leading = None
        tx._fontname, tx._fontsize = None, None
        out = tx._code.append
        textColor = None
        rise = 0
        linked = bool(self.link)
        code = None
        for i, line in enumerate(lines):
            offset = first if i == 0 else 0
            _setXPos(tx, offset)
            extraSpace = line.extraSpace
            words = line.words
            simple = extraSpace > -1e-8
            if not simple:
                nSpaces = line.wordCount + sum(s.text.count("\xa0") for s in words) - 1
                simple = nSpaces <= 0
                if not simple:
                    tx.setWordSpace(extraSpace / float(nSpaces))
            if tx._leading != leading:
                tx.setLeading(leading)
            ws = getattr(tx, "_wordSpace", 0)
            cur_x = offset + leftIndent
            spaces = 0
            AL = ()
            links = {}
            last = words[-1]
            for k, s in enumerate(words):
                st = s.st
                if tx._fontname != st.fontName or tx._fontsize != st.fontSize:
                    tx._setFont(st.fontName, st.fontSize)
                    code = None
                if textColor != st.textColor:
                    textColor = st.textColor
                    tx.setFillColor(textColor)
                if rise != st.rise:
                    rise = st.rise
                    tx.setRise(rise)
                if linked and AL != st.link:
                    end_x = cur_x + spaces * ws
                    if k > 0:
                        m = _wsc_end(words[k - 1].text)
                        if m:
                            end_x -= canvas.stringWidth(m.group(), tx._fontname, tx._fontsize)
                    for l in set(AL) - set(st.link):
                        links[l] = links[l], end_x
                if code is None:
                    code = enc(tx._fontname).code
                out(code(tx, s.text) + " T*" if s is last else code(tx, s.text))
                if linked:
                    nlo = st.rise - 0.2 * st.fontSize
                    nhi = st.rise + st.fontSize
                    if AL != st.link:
                        for l in set(st.link) - set(AL):
                            links[l] = (l, cur_x), nlo, nhi
                        AL = st.link
                    for l in AL:
                        l0, lo, hi = links[l]
                        if nlo < lo or nhi > hi:
                            links[l] = l0, min(nlo, lo), max(nhi, hi)
                    cur_x += canvas.stringWidth(s.text, tx._fontname, tx._fontsize)
                    spaces += s.text.count(" ") + s.text.count("\xa0")
            if linked:
                for l in AL:
                    links[l] = links[l], cur_x + (spaces - 1) * ws
            if not simple:
                tx.setWordSpace(0)
            _setXPos(tx, -offset)
            for (((_, href), x1), lo, hi), x2 in sorted(links.values()):
                _do_link(canvas, href, (x1, cur_y + lo, x2, cur_y + hi))
            cur_y -= leading
        canvas.drawText(tx)
        canvas.restoreState()


_BIG = 1e9


# ---------------------------------------------------------------- making paragraphs


class Recent:
    """A memo for renders that keep (watch): what the render before made, kept while the
    next asks for it. ``begin`` starts a render; what the render before did not ask for
    again is dropped then, so what is kept stays the size of one render's."""

    __slots__ = ("now", "before")

    def __init__(self):
        self.now: dict = {}
        self.before: dict = {}

    def begin(self) -> None:
        self.before, self.now = self.now, {}

    def get(self, key):
        value = self.now.get(key)
        if value is None:
            value = self.before.pop(key, None)
            if value is not None:
                self.now[key] = value
        return value

    def put(self, key, value) -> None:
        self.now[key] = value

    def clear(self) -> None:
        self.now, self.before = {}, {}


def _supported(style) -> bool:
    """Whether a style only uses what LineParagraph reproduces."""
    return (style.alignment == TA_LEFT and getattr(style, "bulletText", None) is None and not style.wordWrap
            and not style.endDots and not style.textTransform and not style.hyphenationLang
            and not style.embeddedHyphenation and not style.uriWasteReduce and not style.shaping
            and not style.backColor and not (style.borderWidth and style.borderColor)
            and getattr(style, "autoLeading", "") in ("", "off", None))


class Typesetter:
    """Makes the writer's paragraphs for one document: they share the word widths
    (``measure``), the fragment styles and, when drawn, the text encoders.

    With ``keep``, one Typesetter serves render after render of one process (watch): each
    paragraph made (with the lines it was broken into) is kept, and a later render asking
    for the same runs in the same style object with the same link gets a copy with those
    lines, not a paragraph made, measured and broken again. What a render did not ask for
    again is dropped at the start of the next (``begin``), so what is kept stays the size
    of one document."""

    def __init__(self, nbsp: bool = True, keep: bool = False):
        self.nbsp = nbsp  # citations keep their spaces unbroken (the font has U+00A0)
        self.keep = keep
        self.measure = Measure()
        self.wraps = 0  # line breakings done: once per paragraph and width
        self._frags: dict = {}  # (style, bold, italic, super, link, break) -> (style, _Frag or None)
        self._styles: dict = {}  # _Style.key -> _Style
        self._ok: dict = {}
        self._noindent: dict = {}
        self._enc: dict = {}
        self._enc_doc = None
        self.made = Recent()  # with keep: (runs, id(style), link) -> LineParagraph
        self._get = None  # encoders' getter for _enc_doc
        self.reused = 0  # paragraphs handed out again, and drawn from what was written (tests count them)
        self.replayed = 0

    def begin(self) -> None:
        """A new render: the paragraphs of the one before stay only if this one asks for them."""
        self.made.begin()

    def done(self) -> None:
        """The render is over: let its document go (the encoders hold it)."""
        self._enc, self._enc_doc, self._get = {}, None, None

    def forget(self) -> None:
        """Drop all that is kept. Cycles are broken here (the paragraphs hold this Typesetter,
        each table of widths its Measure): watch freezes what is alive before every build
        (``build.pool``), and the collector never frees frozen cycles."""
        self.made.clear()
        self.measure.tables.clear()
        self._frags, self._styles, self._ok, self._noindent = {}, {}, {}, {}
        self.done()

    def no_indent(self, style):
        """The style of a paragraph's continuation: reportlab drops the first-line indent."""
        if not style.firstLineIndent:
            return style
        s = self._noindent.get(id(style))
        if s is None:
            c = copy.deepcopy(style)
            c.firstLineIndent = 0
            s = self._noindent[id(style)] = (style, c)
        return s[1]

    def frag(self, style, bold: bool, italic: bool, sup: bool, link: str | None, brk: bool = False):
        """The fragment reportlab's parser makes for text in these tags (asked of the parser
        once), or None if it is one LineParagraph does not draw (underlined, coloured behind)."""
        key = (id(style), bold, italic, sup, link, brk)
        k = self._frags.get(key)
        if k is None:
            t = "<br/>" if brk else "x"
            if sup:
                t = f"<super>{t}</super>"
            if italic:
                t = f"<i>{t}</i>"
            if bold:
                t = f"<b>{t}</b>"
            if link:
                t = f"<a href={quoteattr('#' + link)}>{t}</a>"
            _, frags, _ = ParaParser().parse(t, style)
            f = frags[0]
            if getattr(f, "us_lines", None) or getattr(f, "backColor", None) or getattr(f, "cbDefn", None) \
                    or getattr(f, "nobr", None) or len(frags) != 1 or bool(getattr(f, "lineBreak", False)) != brk:
                fr = None
            else:
                st = _Style(self.measure, f.fontName, f.fontSize, f.rise, f.textColor, tuple(f.link))
                st = self._styles.setdefault(st.key, st)
                fr = _Frag(st, brk)
            k = self._frags[key] = (style, fr)
        return k[1]

    def encoders(self, canv):
        """fontName -> the encoder of its text for the canvas's document."""
        doc = canv._doc
        if doc is not self._enc_doc:
            enc = self._enc = {}
            self._enc_doc = doc

            def get(fontName):
                e = enc.get(fontName)
                if e is None:
                    font = pdfmetrics.getFont(fontName)
                    e = enc[fontName] = _Encoder(font, doc) if getattr(font, "_dynamicFont", 0) else _Plain
                return e
            self._get = get
        return self._get

    def para(self, p, style, link: str | None = None, markup=None):
        """The flowable for a resolved Paragraph in ``style``, with a link to an anchor
        around it if ``link``. What LineParagraph does not reproduce (a soft hyphen, where
        reportlab hyphenates; a style or tag it does not draw) is made a reportlab
        Paragraph of ``markup(p, nbsp)``."""
        if not self.keep:
            return self._para(p, style, link, markup)
        key = (p.runs, id(style), link)  # the style is one of the kept ones: its id stays its own
        made = self.made.get(key)
        if made is not None:
            self.reused += 1
            return made.copy()
        f = self._para(p, style, link, markup)
        if type(f) is LineParagraph:
            self.made.put(key, f)
        return f

    def _para(self, p, style, link, markup):
        ok = self._ok.get(id(style))
        if ok is None:
            ok = self._ok[id(style)] = (style, _supported(style))
        if not ok[1] or (link is not None and not _anchor(link)):
            return self._reportlab(p, style, link, markup)
        texts = []  # (frag, text), (break frag, None), or None where a tag stands
        for r in p.runs:
            t = r.text
            if not t:
                continue
            if "\xad" in t:
                return self._reportlab(p, style, link, markup)
            t = t.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
            if self.nbsp and r.role == "citation":  # "[Non-Op 1, 3]" never breaks across lines
                t = t.replace(" ", "\u00a0")
            bold = r.bold or r.role == "label"
            tagged = bold or r.italic or r.superscript
            k = self.frag(style, bold, r.italic, r.superscript, link)
            if k is None:
                return self._reportlab(p, style, link, markup)
            if tagged:
                texts.append(None)
            for j, piece in enumerate(t.split("\n")):
                if j:
                    b = self.frag(style, bold, r.italic, r.superscript, link, brk=True)
                    if b is None:
                        return self._reportlab(p, style, link, markup)
                    texts += (None, (b, None), None)
                if piece:
                    texts.append((k, piece))
            if tagged:
                texts.append(None)
        frags = _fragments(texts, link is not None)
        if not frags:
            return LineParagraph(self, style, 0, [], None)
        f, text = frags[0]
        if len(frags) == 1:
            text = (text or "").strip(_WSC)
            return LineParagraph(self, style, 0, _split(text) if text else [], f.st, f.st.link)
        return LineParagraph(self, style, 1, frag_words(frags), None, f.st.link)

    def _reportlab(self, p, style, link, markup):
        if markup is None:
            from supplement.writers.pdf import markup
        text = markup(p, self.nbsp)
        if link:
            text = f"<a href={quoteattr('#' + link)}>{text}</a>"
        return RLParagraph(text, style)


_anchor = re.compile(r"[A-Za-z0-9_.:-]+").fullmatch


def _collapse(text: str, nbsp: bool) -> str:
    """Every run of whitespace one space: str.split()'s whitespace, or with ``nbsp``
    reportlab's list (which keeps U+00A0 and adds U+200B)."""
    if nbsp:
        return _wsc_runs(" ", text)
    words = text.split()
    if not words:
        return " " if text else ""
    out = " ".join(words)
    if text[0].isspace():
        out = " " + out
    if text[-1].isspace():
        out += " "
    return out


def _fragments(texts: list, linked: bool) -> list:
    """The fragments reportlab's parser makes of the markup: (frag, text), text None for ``<br/>``.

    ``texts`` lists the markup's text in order, None where a tag stands (plain runs have
    no tags: their texts join). reportlab first cleans the whole markup
    (``cleanBlockQuotedText``): it strips its ends and turns every run of whitespace into
    one space: whitespace as ``str.split`` knows it, or, when the markup holds a no-break
    space, as reportlab's own list knows it. Then its HTML parser hands over the text
    between tags in pieces, one at each entity (``&amp;`` ``&lt;`` ``&gt;``), and each
    piece becomes a fragment of its own."""
    segs = []  # [frag, text]; None: a tag; (break frag, None)
    for t in texts:
        if t is None:
            if not segs or segs[-1] is not None:
                segs.append(None)
        elif t[1] is None:
            segs.append(t)
        elif segs and segs[-1] is not None and segs[-1][1] is not None:
            segs[-1] = (segs[-1][0], segs[-1][1] + t[1])  # no tag between: one text (same, plain, kind)
        else:
            segs.append(t)
    nbsp = any(s is not None and s[1] is not None and "\xa0" in s[1] for s in segs)
    # where the markup starts or ends with text (no tag, no link around it) reportlab strips it
    first = 0 if not linked and segs and segs[0] is not None and segs[0][1] is not None else -1
    last = len(segs) - 1 if not linked and segs and segs[-1] is not None and segs[-1][1] is not None else -1
    frags = []
    for i, s in enumerate(segs):
        if s is None:
            continue
        k, text = s
        if text is None:
            frags.append((_Frag(k.st, True), None))
            continue
        text = _collapse(text, nbsp)
        if i == first:
            text = text.lstrip(_WSC)
        if i == last:
            text = text.rstrip(_WSC)
        for piece in _entities(text):
            if piece:
                frags.append((_Frag(k.st), piece))
    return frags
