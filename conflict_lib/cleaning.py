"""Clean the text of a report while keeping an exact map back to the raw text.

Every change is an *edit* (``start, end, replacement``) over the text of the previous step;
the steps compose, so ``offsets[i]`` of the result is the raw index of cleaned character ``i``.
Each cleaned character is one of

- copied: ``raw[offsets[i]] == text[i]``;
- normalised: ``text[i]`` is the normal form of the raw character(s) at ``offsets[i]``
  (NFC composition, tab -> space, lone CR -> newline);
- synthesised: made by cleaning (a space joining two lines, a repaired letter, a paragraph
  break); these spans are listed in :attr:`CleanResult.synthetic` and point at the raw
  position of the text they replace.

Steps, in order (each change is reported as a :class:`~conflict_lib.schema.CleaningNote`
with raw offsets):

1. Unicode (``unicode_normalised``): CRLF/CR -> LF, tabs -> space, zero-width characters and
   soft hyphens and stray control characters removed, NFC composition.
2. PDF content-stream garbage (``pdf_garbage_removed``): runs of operators and operands.
3. Page furniture (``page_furniture_dropped``): page numbers, "1 of 4", "Page 3",
   end markers, running headers/footers repeated on several pages.
4. Structure: paragraphs (blank-line separated), wrapped lines, headings, captions.
   Hyphenated words broken at a line or page break are rejoined (``hyphen_rejoined``);
   paragraphs broken mid-sentence by a *known* page break are joined (``page_break_joined``);
   fragments that start or end mid-sentence and cannot be joined are flagged (``truncated``).
5. Whitespace: runs of spaces collapsed, line-edge spaces dropped, ``"\\n\\n"`` between paragraphs.
6. Digits inside words repaired (``digit_repaired``); emptied place slots flagged
   (``empty_place_slot``).

A page break is *known* when the text has a form feed (PDF input: the reader puts one
between pages) or page furniture was dropped between the two paragraphs. A blank line alone
is not evidence of a page break: in the Carter Center seed "In Daraa governorate, rumors"
is followed by "renewed pro-government offensive ... near Jobar", and joining them would
make a false sentence (the text between them is missing), so both are flagged ``truncated``.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from .schema import Caption, CleaningNote, Section

# --------------------------------------------------------------------------------------------
# Folding for matching
# --------------------------------------------------------------------------------------------

_APOSTROPHES = "\u2018\u2019\u201a\u201b\u02bc\u02bb\u02bf\u02be`\u00b4\u2032"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_SPACES = "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"

#: One-to-one character folding used by :func:`fold_for_matching`.
FOLD_TABLE = str.maketrans(
    {**{c: "'" for c in _APOSTROPHES}, **{c: '"' for c in _DOUBLE_QUOTES},
     **{c: "-" for c in _DASHES}, **{c: " " for c in _SPACES}}
)


def fold_for_matching(text: str) -> str:
    """Fold typographic variants to ASCII, keeping the length.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        Same length as ``text``: curly quotes, primes and transliteration modifier letters
        (``ʼ ʻ ʿ ʾ ` ´``) become ``'``, curly double quotes ``"``, dashes, minus and
        non-breaking hyphen ``-``, non-breaking and thin spaces a plain space.

    Examples
    --------
    >>> fold_for_matching("al-Fu’ah – “Qaboun”")
    'al-Fu\\'ah - "Qaboun"'
    """
    return text.translate(FOLD_TABLE)


# --------------------------------------------------------------------------------------------
# Patterns (module constants so they can be read and tuned in one place)
# --------------------------------------------------------------------------------------------

#: Characters removed outright (zero-width, BOM, soft hyphen, bidi marks, word joiner).
ZERO_WIDTH = "\u200b\u200c\u200d\ufeff\u00ad\u200e\u200f\u2060"

#: Figure/map/table captions: "Figure 4 - Situation around ...", "Map 2: ...".
FIGURE_CAPTION_RE = re.compile(
    r"^(?:Figure|Fig\.|Map|Chart|Graph|Table|Image|Infographic|Graphic)\s*\d+[a-z]?\s*[-\u2013\u2014:.]\s*\S",
    re.IGNORECASE,
)
#: Photo/video captions: "Photo: ...", "Footage of ...:", "Video: ...".
PHOTO_CAPTION_RE = re.compile(
    r"^(?:(?:Photo|Photograph|Picture|Image|Video|Credit|Source)\s*(?:credit)?\s*:"
    r"|(?:Footage|Video|Photos?|Pictures?|Images?)\s+(?:of|from|shows?|showing)\b.*:$)",
    re.IGNORECASE,
)
#: Lines that are page furniture: "1 of 4", "Page 3", "3", "- 3 -", "3/4", "- END -".
FURNITURE_RE = re.compile(
    r"^\s*(?:(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r"|[-\u2013\u2014]\s*\d{1,4}\s*[-\u2013\u2014]"
    r"|[-\u2013\u2014#\s]*(?:END|###|-30-)[-\u2013\u2014#\s]*)\s*$",
    re.IGNORECASE,
)
#: PDF content-stream operators (text, graphics state, marked content).
PDF_OPERATORS = frozenset(
    "Tf Tj TJ Td TD T* Tm Tc Tw Tz TL Tr Ts BT ET re cm gs Do BDC EMC BMC rg RG Tz"
    " sc SC scn SCN cs CS BI ID EI".split()
)
_STRONG_TOKEN_RE = re.compile(
    r"""^(?:\[?\((?:[^()\s]{0,4})\)\S*      # (rm)87'  (di'y)  [(t)  ()
        |\S*[\[\]]\S*\(\S*               # tokens with [ and (
        |/?[TF]\d{1,3}                   # font resources T8, /F1
        |[A-Za-z]{1,2}-\d*\.\d+          # I-0.2 (kerning glued to a letter)
        )$""",
    re.VERBOSE,
)
_WEAK_TOKEN_RE = re.compile(
    r"^(?:-?\d*\.\d+|-?\d+|\(\S{0,3}|\S{0,3}\)|\([^()\s]*\)|[^\sA-Za-z]{1,3})$")
_COMMON_SHORT = frozenset(
    "a i an as at be by do go he if in is it me my no of on or so to up us we am".split()
)
#: Terminal punctuation (after stripping closing quotes/brackets and citation marks).
_TERMINAL = ".!?:;\u2026"
_CLOSERS = "\"'\u2019\u201d)]\u00bb*"
_CITATION_RE = re.compile(r"(?:\[\d+\])+$")
_FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for from with and or but as that which who whose than into"
    " towards toward near between over under after before during against about".split()
)
_STOPWORDS = _FUNCTION_WORDS | frozenset("is are was were be its their his her de".split())
#: Prefixes whose hyphen is kept when a word is broken right after it ("pro-\ngovernment").
HYPHEN_PREFIXES = frozenset(
    "al el ad ar as at ash az an pro anti non de co ex self post pre semi multi counter well"
    " cross inter intra mid neo pan quasi sub super ultra vice full half long short all".split()
)
#: Digit -> letter readings for ``digit_repaired`` (1 is ambiguous: l or i).
DIGIT_READINGS = {"0": ("o",), "1": ("l", "i"), "5": ("s",), "3": ("e",)}
_DIGIT_WORD_RE = re.compile(r"(?<![\w\-])[A-Za-z]*[0135][A-Za-z0-9]*(?![\w\-])")
#: Place slots emptied by extraction: "town of .", "towards .", "in 's east".
EMPTY_SLOT_RES = (
    re.compile(r"\b(?:town|city|village|district|province|governorate|neighbou?rhood|area|region"
               r"|camp|suburb|countryside|outskirts)\s+of\s*(?=[.,;:)])", re.IGNORECASE),
    re.compile(r"\b(?:in|at|from|to|towards|toward|near|into|around|outside|inside|via|of|the)"
               r"\s+(?=[.,;:](?:\s|$))", re.IGNORECASE),
    re.compile(r"(?:^|(?<=\s))['\u2019]s\b"),
)
_LINE_RE = re.compile(r"[^\n]*\n?")
FF = "\f"


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass
class CleanResult:
    """The cleaned text with its map to the raw text.

    Attributes
    ----------
    text : str
        Cleaned text (original characters kept, paragraphs separated by ``"\\n\\n"``).
    match_text : str
        ``fold_for_matching(text)``: same length, same offsets.
    offsets : list of int
        ``offsets[i]`` is the raw index of cleaned character ``i``; ``len(text) + 1`` entries.
    sections, captions : list
        :class:`~conflict_lib.schema.Section` and :class:`~conflict_lib.schema.Caption`
        with offsets into ``text``.
    warnings : list of CleaningNote
        What cleaning did or noticed, with raw offsets.
    synthetic : list of (int, int)
        Cleaned ``[start, end)`` spans made by cleaning rather than copied from the raw text.
    """

    text: str
    match_text: str
    offsets: list[int]
    sections: list[Section] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)
    warnings: list[CleaningNote] = field(default_factory=list)
    synthetic: list[tuple[int, int]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Edit machinery
# --------------------------------------------------------------------------------------------

_COPY, _NORM, _SYNTH = 0, 1, 2


@dataclass
class _State:
    text: str
    offsets: list[int]
    flags: list[int]

    def raw(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` of a current span."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


def _apply(state: _State, edits: list[tuple[int, int, str, int]]) -> _State:
    """Apply non-overlapping edits ``(start, end, replacement, flag)`` to ``state``."""
    if not edits:
        return state
    edits = sorted(edits, key=lambda e: (e[0], e[1]))
    chars: list[str] = []
    offs: list[int] = []
    flags: list[int] = []
    pos = 0
    for start, end, repl, flag in edits:
        if start < pos:
            raise ValueError(f"overlapping edits at {start}")
        chars.append(state.text[pos:start])
        offs.extend(state.offsets[pos:start])
        flags.extend(state.flags[pos:start])
        anchor = state.offsets[start]
        chars.append(repl)
        offs.extend([anchor] * len(repl))
        flags.extend([flag] * len(repl))
        pos = end
    chars.append(state.text[pos:])
    offs.extend(state.offsets[pos:])  # includes the final raw-end entry
    flags.extend(state.flags[pos:])
    return _State("".join(chars), offs, flags)


def _note(state: _State, code: str, message: str, start: int, end: int) -> CleaningNote:
    raw_start, raw_end = state.raw(start, end)
    return CleaningNote(code, message, raw_start, raw_end)


def _short(s: str, n: int = 60) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "\u2026"


# --------------------------------------------------------------------------------------------
# Step 1: Unicode
# --------------------------------------------------------------------------------------------


def _unicode_step(state: _State) -> tuple[_State, list[CleaningNote]]:
    text = state.text
    edits: list[tuple[int, int, str, int]] = []
    counts: Counter[str] = Counter()
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\r":
            if i + 1 < n and text[i + 1] == "\n":
                edits.append((i, i + 1, "", _COPY))
            else:
                edits.append((i, i + 1, "\n", _NORM))
            counts["carriage returns"] += 1
        elif ch == "\t":
            edits.append((i, i + 1, " ", _NORM))
        elif ch in ZERO_WIDTH:
            end = i + 1
            if ch == "\u00ad":  # a soft hyphen at a line end joins the word across the break
                m = re.compile(r"[ ]*\n[ ]*(?=[a-z])").match(text, end)
                if m:
                    end = m.end()
                counts["soft hyphens"] += 1
            else:
                counts[f"U+{ord(ch):04X}"] += 1
            edits.append((i, end, "", _COPY))
            i = end
            continue
        elif (ord(ch) < 32 and ch not in "\n\f") or 0x7F <= ord(ch) < 0xA0:
            edits.append((i, i + 1, "", _COPY))
            counts["control characters"] += 1
        elif ord(ch) > 0x7F or (i + 1 < n and unicodedata.combining(text[i + 1])):
            # a cluster: this character and the combining marks after it
            j = i + 1
            while j < n and unicodedata.combining(text[j]):
                j += 1
            cluster = text[i:j]
            nfc = unicodedata.normalize("NFC", cluster)
            if nfc != cluster:
                edits.append((i, j, nfc, _NORM))
                counts["NFC compositions"] += 1
            i = j
            continue
        i += 1
    notes = []
    if edits:
        counted = {k: v for k, v in counts.items() if k != "carriage returns"}
        if counted or counts["carriage returns"]:
            detail = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
            notes.append(CleaningNote("unicode_normalised", f"unicode normalised: {detail}",
                                      state.offsets[0], state.offsets[-1]))
    return _apply(state, edits), notes


# --------------------------------------------------------------------------------------------
# Step 2: PDF content-stream garbage
# --------------------------------------------------------------------------------------------


def _token_score(tok: str) -> int:
    """2 for a token that is PDF syntax, 1 for one that could be, 0 for prose."""
    if tok in PDF_OPERATORS or _STRONG_TOKEN_RE.match(tok):
        return 2
    if _WEAK_TOKEN_RE.match(tok):
        return 1
    if len(tok) <= 2 and tok.isalpha() and tok.lower() not in _COMMON_SHORT:
        return 1
    return 0


def _garbage_runs(text: str) -> list[tuple[int, int, int]]:
    """Runs ``(start, end, n_tokens)`` of PDF operator garbage in ``text``.

    A run is a sequence of tokens scoring > 0, not crossing a blank line, with at least two
    strong tokens (operators, parenthesised short strings, brackets) and at least four tokens,
    of which at least half strong. Ordinary prose with numbers ("0.2 percent") never has two
    strong tokens together.
    """
    runs = []
    toks = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    i = 0
    while i < len(toks):
        if _token_score(toks[i][2]) == 0:
            i += 1
            continue
        j = i
        strong = 0
        while j < len(toks) and _token_score(toks[j][2]) > 0:
            if j > i and "\n\n" in text[toks[j - 1][1]:toks[j][0]]:
                break
            strong += _token_score(toks[j][2]) == 2
            j += 1
        count = j - i
        if strong >= 2 and count >= 4 and strong * 3 >= count:
            runs.append((toks[i][0], toks[j - 1][1], count))
        i = j
    return runs


def _garbage_step(state: _State) -> tuple[_State, list[CleaningNote], set[int]]:
    text = state.text
    edits, notes, cut_raw = [], [], set()
    for start, end, count in _garbage_runs(text):
        # take the whitespace before the run with it (the paragraph then ends cleanly)
        s = start
        while s > 0 and text[s - 1] in " ":
            s -= 1
        e = end
        if e < len(text) and text[e] == " " and s == start:
            e += 1
        notes.append(_note(state, "pdf_garbage_removed",
                           f"removed {count} tokens of PDF content-stream operators "
                           f"'{_short(text[start:end], 50)}'", start, end))
        edits.append((s, e, "", _COPY))
        cut_raw.add(state.offsets[s] if s < len(text) else state.offsets[-1])
    return _apply(state, edits), notes, cut_raw


# --------------------------------------------------------------------------------------------
# Step 3: page furniture
# --------------------------------------------------------------------------------------------


def _lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line, without its newline."""
    out = []
    for m in _LINE_RE.finditer(text):
        if m.start() == len(text):
            break
        end = m.end() - 1 if m.group().endswith("\n") else m.end()
        out.append((m.start(), end))
    return out


def _furniture_step(state: _State) -> tuple[_State, list[CleaningNote]]:
    text = state.text
    lines = _lines(text)
    # page index of each line (form feeds split pages; a form feed may sit inside a line)
    page_of, page = [], 0
    for s, e in lines:
        page_of.append(page)
        page += text.count("\f", s, e)
    drop: dict[int, str] = {}
    n_pages = page + 1
    if n_pages >= 2:
        edges: dict[str, set[int]] = {}
        by_page: dict[int, list[int]] = {}
        for k, (s, e) in enumerate(lines):
            if text[s:e].strip(" \f"):
                by_page.setdefault(page_of[k], []).append(k)
        for p, ks in by_page.items():
            for k in set(ks[:2] + ks[-2:]):
                line = text[lines[k][0]:lines[k][1]].strip(" \f")
                if len(line) <= 100:
                    key = re.sub(r"\d+", "#", line.lower())
                    edges.setdefault(key, set()).add(p)
        repeated = {key for key, pages in edges.items()
                    if len(pages) >= 2 and len(pages) * 2 >= min(n_pages, len(by_page))}
        for p, ks in by_page.items():
            for k in set(ks[:2] + ks[-2:]):
                line = text[lines[k][0]:lines[k][1]].strip(" \f")
                if re.sub(r"\d+", "#", line.lower()) in repeated:
                    drop[k] = "running header/footer"
    for k, (s, e) in enumerate(lines):
        line = text[s:e].strip(" \f")
        if k not in drop and line and FURNITURE_RE.match(line):
            drop[k] = "page number" if any(c.isdigit() for c in line) else "end marker"
    edits, notes = [], []
    for k in sorted(drop):
        s, e = lines[k]
        ff = "\f" * text.count("\f", s, e)
        # the line is replaced by a form feed: evidence of a page break for the join step
        edits.append((s, e, ff or "\f", _SYNTH))
        notes.append(_note(state, "page_furniture_dropped",
                           f"dropped {drop[k]} line '{_short(text[s:e].replace(FF, ' '))}'", s, e))
    return _apply(state, edits), notes


# --------------------------------------------------------------------------------------------
# Step 4: structure
# --------------------------------------------------------------------------------------------


def _ends_terminal(s: str) -> bool:
    s = _CITATION_RE.sub("", s.rstrip()).rstrip(_CLOSERS + " ")
    return bool(s) and s[-1] in _TERMINAL


def _starts_lower(s: str) -> bool:
    s = s.lstrip(" \"'\u2018\u201c(\u00ab")
    return bool(s) and s[0].islower() and not re.match(r"(?:al|el|ad|ar|as|ash|az|an)-", s)


def _words(s: str) -> list[str]:
    return [w.strip(_CLOSERS + "\"'\u2018\u201c(,") for w in s.split()]


def _is_heading(line: str) -> bool:
    """A short title-like line: the shape of a heading, not of a sentence."""
    line = line.strip()
    line = re.sub(r"^(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+", "", line)  # numbering
    words = [w for w in _words(line) if w]
    if not words or len(words) > 10 or len(line) > 80 or "\n" in line:
        return False
    if line[-1] in ".,;:!?" or any(c in line for c in ",:|") or not line[0].isupper():
        return False
    digits = sum(c.isdigit() for c in line)
    if digits * 10 > 3 * len(line.replace(" ", "")):
        return False
    if words[-1].lower() in _FUNCTION_WORDS:
        return False  # "Forces advanced towards the": a cut sentence
    content = [w for w in words if w[0].isalpha() and w.lower() not in _STOPWORDS]
    if not content:
        return False
    capped = sum(w[0].isupper() for w in content)
    return capped * 2 >= len(content)


def _caption_kind(line: str) -> str | None:
    """``"figure"`` / ``"photo"`` for a caption line, else None."""
    line = line.strip()
    if "\n" in line or not line:
        return None
    if FIGURE_CAPTION_RE.match(line):
        return "figure"
    if PHOTO_CAPTION_RE.match(line):
        return "photo"
    letters = [c for c in line if c.isalpha()]
    words = line.split()
    if (letters and all(c.isupper() for c in letters) and 3 <= len(words) <= 15
            and (any(c.isdigit() for c in line) or len(words) >= 5) and line[-1] not in "."):
        return "photo"
    return None


def _classify(par: str, index: int) -> str:
    """Kind of a paragraph on its own: title, heading, figure, photo or prose."""
    flat = " ".join(par.split())
    if not flat:
        return "empty"
    single = "\n" not in par.strip()
    cap = _caption_kind(flat) if single else None
    if cap:
        return cap
    if index == 0 and single and not _ends_terminal(flat) and len(flat.split()) <= 25:
        return "title"
    if single and _is_heading(flat):
        return "heading"
    return "prose"


def _is_body(par: str) -> bool:
    """A paragraph of running text (a sentence or a long line), as found under a heading."""
    flat = " ".join(par.split())
    return _ends_terminal(flat) or len(flat.split()) >= 12


def _classify_all(pars: list[str], forced: list[bool] | None = None) -> list[str]:
    """Kinds of consecutive paragraphs.

    A heading-like line counts as a heading only when running text or a caption follows it
    (the next heading-like line is skipped over); otherwise it is a ``line`` (a name, a
    dateline, a signature block: "Heather Nauert" / "Department Spokesperson").
    ``forced[i]`` marks lines known to be headings from markup (Markdown ``#``).
    """
    kinds = [_classify(p, i) for i, p in enumerate(pars)]
    for i, kind in enumerate(kinds):
        if forced and forced[i] and kind == "prose":
            kinds[i] = "heading"
        elif kind == "heading" and not (forced and forced[i]):
            nxt = i + 1
            ok = nxt < len(pars) and (kinds[nxt] in ("figure", "photo")
                                      or (kinds[nxt] == "prose" and _is_body(pars[nxt])
                                          and not _starts_lower(pars[nxt])))
            if not ok:
                kinds[i] = "line"
    return kinds


@dataclass
class _Unit:
    start: int
    end: int
    kind: str = "prose"
    mark_end: int | None = None  # end of a Markdown heading marker ("## ")


@dataclass
class _Vocab:
    """Words of the document itself, the evidence for rejoining and repairs."""

    words: Counter  # standalone words (lowercase), a word broken at a line end counts its pieces
    compounds: set[str]  # hyphenated words (lowercase)

    @classmethod
    def of(cls, text: str) -> _Vocab:
        tokens = re.findall(r"[A-Za-z\u00c0-\u024f]+(?:-[A-Za-z\u00c0-\u024f]+)*", text)
        words = Counter(t.lower() for t in tokens if "-" not in t)
        return cls(words, {t.lower() for t in tokens if "-" in t})


def _hyphen_choice(left: str, right: str, vocab: _Vocab) -> tuple[bool, str]:
    """Keep the hyphen of ``left-`` + ``right`` broken at a line end? With the reason."""
    joined = (left + right).lower()
    if f"{left}-{right}".lower() in vocab.compounds:
        return True, f"'{left}-{right}' occurs elsewhere in the document"
    if vocab.words[joined]:
        return False, f"'{left}{right}' occurs elsewhere in the document"
    if right[:1].isupper():
        return True, "the second part is capitalised"
    if left.lower() in HYPHEN_PREFIXES:
        return True, f"'{left}-' is a prefix written with a hyphen"
    if len(left) >= 4 and vocab.words[left.lower()] >= 2:
        return True, f"'{left}' is a word of its own elsewhere in the document"
    return False, "an ordinary word broken at a line end"


def _word_before(text: str, end: int) -> str:
    m = re.search(r"[A-Za-z\u00c0-\u024f]+$", text[:end])
    return m.group() if m else ""


def _word_after(text: str, start: int) -> str:
    m = re.match(r"[A-Za-z\u00c0-\u024f]+", text[start:])
    return m.group() if m else ""


def _block_units(text: str, s: int, e: int, pdf: bool, md: bool, first: bool,
                 edits: list, state: _State, notes: list, vocab: _Vocab) -> list[_Unit]:
    """Split one blank-line block into paragraph units; add in-block line edits."""
    lines = [(a + s, b + s) for a, b in _lines(text[s:e])]
    lines = [(a, b) for a, b in lines if text[a:b].strip(" \f")]
    units: list[_Unit] = []
    max_len = max((b - a for a, b in lines), default=0)
    for k, (a, b) in enumerate(lines):
        line = text[a:b].strip(" \f")
        prev = text[lines[k - 1][0]:lines[k - 1][1]].strip(" \f") if k else ""
        own = _caption_kind(line) is not None
        mark = re.match(r"\s*#{1,6}\s+", text[a:b]) if md else None
        if mark:
            edits.append((a, a + mark.end(), "", _COPY))
            own = True
        if pdf and not own and _is_heading(line) and (not prev or _ends_terminal(prev)
                                                     or _caption_kind(prev) or _is_heading(prev)):
            own = True
        if pdf and first and k == 0 and len(lines) > 1 and not _ends_terminal(line) \
                and not _starts_lower(text[lines[1][0]:lines[1][1]]):
            own = True  # the document's title line
        if k == 0 or own or units[-1].kind == "own":
            units.append(_Unit(a, b, "own" if own else "prose", a + mark.end() if mark else None))
            continue
        prev_unit = units[-1]
        if pdf and _ends_terminal(prev) and (b - a) and (lines[k - 1][1] - lines[k - 1][0]) < 0.8 * max_len:
            units.append(_Unit(a, b))  # a short line ending a sentence closes a paragraph
            continue
        # the line continues the paragraph: handle the line break between them
        gap_s, gap_e = lines[k - 1][1], a
        while gap_s > lines[k - 1][0] and text[gap_s - 1] == " ":
            gap_s -= 1
        left = _word_before(text, gap_s - 1) if text[gap_s - 1:gap_s] == "-" else ""
        right = _word_after(text, a)
        if left and right and not text[gap_s - 2:gap_s - 1].isspace():
            keep, why = _hyphen_choice(left, right, vocab)
            edits.append((gap_s if keep else gap_s - 1, gap_e, "", _COPY))
            notes.append(_note(state, "hyphen_rejoined",
                               f"rejoined '{left}-' + '{right}' at a line break as "
                               f"'{left}{'-' if keep else ''}{right}' ({why})", gap_s - 1, gap_e))
        elif pdf:
            edits.append((gap_s, gap_e, " ", _SYNTH))
        prev_unit.end = b
    return units


def _structure_step(state: _State, fmt: str,
                    cut_raw: set[int]) -> tuple[_State, list[CleaningNote], set[int]]:
    text = state.text
    pdf, md = fmt == "pdf", fmt == "md"
    vocab = _Vocab.of(text)
    edits: list = []
    notes: list[CleaningNote] = []
    units: list[_Unit] = []
    # blocks: separated by blank lines or form feeds
    for m in re.finditer(r"[^\n\f]*(?:\n(?![ ]*\n)[^\n\f]*)*", text):
        if m.group().strip():
            units.extend(_block_units(text, m.start(), m.end(), pdf, md, not units,
                                      edits, state, notes, vocab))
    kinds = _classify_all([text[u.start:u.end] for u in units], [u.mark_end is not None for u in units])
    forced_raw = {state.offsets[u.mark_end] for u in units if u.mark_end is not None}
    for u, kind in zip(units, kinds):
        u.kind = kind
    joined_from_prev = set()
    for i, u in enumerate(units):
        par = text[u.start:u.end]
        nxt = units[i + 1] if i + 1 < len(units) else None
        gap = text[u.end:nxt.start] if nxt else ""
        page_break = "\f" in gap
        flat = " ".join(par.split())
        if nxt is not None:
            npar = text[nxt.start:nxt.end]
            both_prose = u.kind == "prose" and nxt.kind == "prose"
            left = _word_before(text, u.end - 1) if par.endswith("-") else ""
            right = _word_after(text, nxt.start)
            if both_prose and page_break and left and right[:1].islower():
                keep, why = _hyphen_choice(left, right, vocab)
                edits.append((u.end if keep else u.end - 1, nxt.start, "", _COPY))
                notes.append(_note(state, "hyphen_rejoined",
                                   f"rejoined '{left}-' + '{right}' across a page break as "
                                   f"'{left}{'-' if keep else ''}{right}' ({why})", u.end - 1, nxt.start))
                joined_from_prev.add(i + 1)
            elif both_prose and page_break and not _ends_terminal(par) and _starts_lower(npar):
                edits.append((u.end, nxt.start, " ", _SYNTH))
                notes.append(_note(state, "page_break_joined",
                                   f"joined '\u2026{_short(par[-30:], 30)}' + '{_short(npar, 30)}' "
                                   "across a page break", u.start, nxt.end))
                joined_from_prev.add(i + 1)
            else:
                edits.extend(_gap_edits(text, u.end, nxt.start))
        if u.kind != "prose":
            continue
        # truncation flags
        if i not in joined_from_prev and _starts_lower(par):
            notes.append(_note(state, "truncated",
                               f"paragraph starts mid-sentence: '{_short(par, 50)}'",
                               u.start, min(u.end, u.start + 60)))
        if i + 1 in joined_from_prev or _ends_terminal(par):
            continue
        last_word = flat.split()[-1] if flat else ""
        raw_end = state.offsets[u.end - 1] + 1
        raw_next = state.offsets[nxt.start] if nxt is not None else state.offsets[-1]
        cut = any(raw_end <= r <= raw_next for r in cut_raw)
        reason = None
        if flat.endswith("-"):
            reason = "ends mid-word"
        elif flat.endswith(","):
            reason = "ends on a comma"
        elif cut:
            reason = "text after it was PDF garbage"
        elif last_word.lower() in _FUNCTION_WORDS:
            reason = f"ends on '{last_word}'"
        elif nxt is not None and nxt.kind == "prose" and _starts_lower(text[nxt.start:nxt.end]):
            reason = "the next paragraph starts mid-sentence but no page break joins them"
        elif nxt is None and last_word[:1].islower() and len(flat.split()) >= 4:
            reason = "the document ends mid-sentence"
        if reason:
            notes.append(_note(state, "truncated",
                               f"paragraph ends mid-sentence ({reason}): "
                               f"'\u2026{_short(par[-50:], 50)}'", max(u.start, u.end - 60), u.end))
    if units:  # leading and trailing whitespace of the whole text
        if units[0].start > 0:
            edits.append((0, units[0].start, "", _COPY))
        if units[-1].end < len(text):
            edits.append((units[-1].end, len(text), "", _COPY))
    else:
        edits.append((0, len(text), "", _COPY))
    return _apply(state, edits), notes, forced_raw


def _gap_edits(text: str, s: int, e: int) -> list[tuple[int, int, str, int]]:
    """Edits making the gap between two paragraphs exactly ``"\\n\\n"`` (raw newlines kept)."""
    gap = text[s:e]
    k = gap.find("\n\n")
    if k < 0:
        return [(s, e, "\n\n", _SYNTH)]
    out = []
    if k > 0:
        out.append((s, s + k, "", _COPY))
    if s + k + 2 < e:
        out.append((s + k + 2, e, "", _COPY))
    return out


# --------------------------------------------------------------------------------------------
# Step 5: whitespace
# --------------------------------------------------------------------------------------------


def _whitespace_step(state: _State) -> _State:
    text = state.text
    edits = []
    for m in re.finditer(r"[ \f]{2,}|(?<=\n)[ \f]+|[ \f]+(?=\n)|\f|\n{3,}", text):
        s, e = m.start(), m.end()
        g = m.group()
        if g.startswith("\n"):
            edits.append((s + 2, e, "", _COPY))
        elif (s == 0 or text[s - 1] == "\n") or (e == len(text) or text[e] == "\n"):
            edits.append((s, e, "", _COPY))
        elif g[0] == " ":
            edits.append((s + 1, e, "", _COPY))
        else:
            edits.append((s, e, " ", _SYNTH))
    return _apply(state, edits)


# --------------------------------------------------------------------------------------------
# Step 6: digits in words, empty place slots
# --------------------------------------------------------------------------------------------


def _digit_step(state: _State) -> tuple[_State, list[CleaningNote]]:
    text = state.text
    vocab = Counter(w.lower() for w in re.findall(r"[A-Za-z]+", text))
    edits, notes = [], []
    for m in _DIGIT_WORD_RE.finditer(text):
        tok = m.group()
        digits = [k for k, c in enumerate(tok) if c.isdigit()]
        letters = sum(c.isalpha() for c in tok)
        if letters < 3 or len(digits) > 2 or any(tok[k] not in DIGIT_READINGS for k in digits):
            continue
        if any(k == 0 or k == len(tok) - 1 or not tok[k - 1].isalpha() or not tok[k + 1].isalpha()
               for k in digits):
            continue  # only digits inside a word: not V2, 5th, T72
        options = [""]
        for c in tok:
            options = [o + r for o in options for r in (DIGIT_READINGS.get(c) or (c,))]
        shaped = [o for o in options if re.fullmatch(r"[A-Z]?[a-z]+|[A-Z]+", o)]
        if not shaped:
            continue
        seen = [o for o in shaped if vocab.get(o.lower(), 0) > 0]
        if seen:
            fixed, why = seen[0], f"'{seen[0]}' occurs elsewhere in the document"
        elif len(shaped) == 1:
            fixed, why = shaped[0], "the only letter reading"
        else:
            notes.append(_note(state, "digit_in_word",
                               f"'{tok}' has a digit inside a word; readings "
                               f"{', '.join(shaped)} are ambiguous, left as is", m.start(), m.end()))
            continue
        for k in digits:
            edits.append((m.start() + k, m.start() + k + 1, fixed[k], _SYNTH))
        notes.append(_note(state, "digit_repaired", f"'{tok}' -> '{fixed}' ({why})",
                           m.start(), m.end()))
    return _apply(state, edits), notes


def _empty_slot_notes(state: _State) -> list[CleaningNote]:
    notes = []
    taken: list[tuple[int, int]] = []
    for rx in EMPTY_SLOT_RES:
        for m in rx.finditer(state.text):
            if any(m.start() < e and s < max(m.end(), m.start() + 1) for s, e in taken):
                continue  # one note per slot
            taken.append((m.start(), max(m.end(), m.start() + 1)))
            s = max(0, m.start() - 30)
            ctx = state.text[s:min(len(state.text), m.end() + 10)]
            notes.append(_note(state, "empty_place_slot",
                               f"a place name seems missing here: '\u2026{_short(ctx, 60)}\u2026'",
                               m.start(), max(m.end(), m.start() + 1)))
    return sorted(notes, key=lambda n: n.raw_start or 0)


# --------------------------------------------------------------------------------------------
# Sections and captions
# --------------------------------------------------------------------------------------------


def _layout(text: str, offsets: list[int], forced_raw: set[int]) -> tuple[list[Section], list[Caption]]:
    pars = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text)]
    heads: list[tuple[int, str]] = []
    captions: list[Caption] = []
    kinds = _classify_all([text[s:e] for s, e in pars], [offsets[s] in forced_raw for s, _ in pars])
    for (s, e), kind in zip(pars, kinds):
        if kind == "heading":
            heads.append((s, text[s:e].strip()))
        elif kind in ("figure", "photo"):
            captions.append(Caption(kind, text[s:e], s, e))
    sections = [Section(title, s, heads[k + 1][0] if k + 1 < len(heads) else len(text))
                for k, (s, title) in enumerate(heads)]
    return sections, captions


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def clean_text(raw: str, *, fmt: str = "txt") -> CleanResult:
    """Clean a report's text, keeping an exact offset map to ``raw``.

    Parameters
    ----------
    raw : str
        The body as read (front matter removed). Pages may be separated by form feeds.
    fmt : str
        ``"txt"``, ``"md"``, ``"html"`` or ``"pdf"``. With ``"pdf"`` single line breaks are
        wrapped lines (joined with a space) and heading/caption lines become paragraphs;
        otherwise single line breaks are kept. ``"md"`` drops ``#`` heading markers.

    Returns
    -------
    CleanResult
        ``text``, ``match_text`` (folded, same length), ``offsets`` (``len(text) + 1``
        raw indices), ``sections``, ``captions``, ``warnings`` and ``synthetic`` spans.

    Examples
    --------
    >>> r = clean_text("Clashes near Qab0un and Qaboun.\\n\\nFighting on the out-\\nskirts.")
    >>> r.text
    'Clashes near Qaboun and Qaboun.\\n\\nFighting on the outskirts.'
    >>> [n.code for n in r.warnings]
    ['digit_repaired', 'hyphen_rejoined']
    """
    state = _State(raw, list(range(len(raw) + 1)), [_COPY] * len(raw))
    state, notes = _unicode_step(state)
    state, garbage_notes, cut_raw = _garbage_step(state)
    notes += garbage_notes
    state, furniture_notes = _furniture_step(state)
    notes += furniture_notes
    state, structure_notes, forced_raw = _structure_step(state, fmt, cut_raw)
    notes += structure_notes
    state = _whitespace_step(state)
    state, digit_notes = _digit_step(state)
    notes += digit_notes
    notes += _empty_slot_notes(state)
    if not state.text:
        state = _State("", [len(raw)], [])
    sections, captions = _layout(state.text, state.offsets, forced_raw)
    synthetic: list[tuple[int, int]] = []
    for i, f in enumerate(state.flags):
        if f == _SYNTH:
            if synthetic and synthetic[-1][1] == i:
                synthetic[-1] = (synthetic[-1][0], i + 1)
            else:
                synthetic.append((i, i + 1))
    order = {"unicode_normalised": 0}
    notes.sort(key=lambda n: (order.get(n.code, 1), n.raw_start if n.raw_start is not None else -1))
    return CleanResult(state.text, fold_for_matching(state.text), state.offsets,
                       sections, captions, notes, synthetic)
