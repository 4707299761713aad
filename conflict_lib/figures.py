"""Figures: numbers with their qualifier, range and unit.

The spaCy component ``conflict_figures_v1`` writes ``doc.spans["figures"]``; each span carries
``span._.conflict = {"canonical", "value", "low", "high", "qualifier", "unit", "approximate_word"}``:

- ``value`` (float): the figure; for a range or "up to" the upper bound (GOLD.md convention);
- ``low`` / ``high``: the bounds the words give (``None`` when open): exact -> both = value;
  at_least -> low; nearly / up_to -> high; a range -> both; about -> neither;
- ``qualifier``: ``exact | about | nearly | at_least | up_to`` ("more than" -> at_least,
  "nearly"/"almost" -> nearly, "approximately"/"an estimated"/"around" -> about, "up to" or a
  range -> up_to);
- ``unit``: the counted noun normalised where known (people, civilians, families, IDPs, refugees,
  fighters, households, individuals, residents, children ...), ``percent``, a duration unit for
  "three-year" (``years``), else the next noun as written ("airdrops", "occasions"), else None.
  A bare number followed by "displaced", "fled", "returned" ... counts ``people``;
- ``approximate_word``: True for "dozens", "thousands", "hundreds of thousands" (value = the least
  the words mean, qualifier at_least).

Not figures: years ("2017"), the day of a date (any number inside ``doc.spans["dates"]``, or found
by :func:`conflict_lib.dates.find_dates` when the date component did not run), ordinals ("5th"),
labels ("Fact Sheet #7", "Resolution 2254", "FY 2017"), citation markers ("[40]"), list markers
("1) that fighters ...; 2) that ...", "(1)"), codes glued to letters ("SY0200"), clock times.

The words live in ``conflict_lib/data/figure_words.json``; matching runs compiled regular
expressions over ``doc.text`` and maps hits to token spans.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from . import pipeline as _pipeline
from .pipeline import doc_text as _doc_text
from .dates import _trie
from .paths import PACKAGE_DATA

_pipeline.ensure_extensions()

#: The figure words.
WORDS_PATH = PACKAGE_DATA / "figure_words.json"


def _alt(words) -> str:
    ws = sorted(set(words), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ws) + ")"


def _ci_alt(words) -> str:
    """Alternation matching each word with either case of its first letter (faster than (?i))."""
    ws = sorted(set(words), key=len, reverse=True)
    out = []
    for w in ws:
        first, rest = w[0], re.escape(w[1:]).replace(r"\ ", r"\s+")
        head = f"[{first.upper()}{first.lower()}]" if first.isalpha() else re.escape(first)
        out.append(head + rest)
    return "(?:" + "|".join(out) + ")"


_RX_SPACES = re.compile(r"\s+")
_RX_TWO_WORDS = re.compile(r"[a-z]+-[a-z]+")
_RX_HI_SCALE = re.compile(r"(?i)\s(hundred|thousand|million|billion)$")
_RX_LETTER = re.compile(r"(?i)[a-z]")
_RX_SLASH_DIGIT = re.compile(r"/\d")
_RX_YEAR = re.compile(r"(?:19|20)\d\d")
_RX_LONG_NUMBER = re.compile(r"\d{5,}")
_RX_SHORT_NUMBER = re.compile(r"\d{1,2}")
_RX_WORD_OR_SPACE = re.compile(r"[\w\s]")
#: the bytes of ASCII characters (deleted to leave the others' UTF-8 bytes)
_ASCII_BYTES = bytes(range(128))


def _is_long_number(s: str) -> bool:
    """``_RX_LONG_NUMBER.fullmatch(s)`` (five digits or more), with string tests."""
    return len(s) >= 5 and s.isdecimal()


_start_of = itemgetter(0)

#: the groups of a number match that :meth:`FigureFinder._figure` reads
_FIGURE_GROUPS = ("between", "lo1", "hi1", "lo2", "hi2", "one", "pct", "dur")
#: :meth:`FigureFinder._figure`'s unit when the words after the number give it
_UNIT_AFTER = object()
#: :meth:`FigureFinder._unit_of_first`'s answer when the first word does not decide the unit
_UNDECIDED = object()
_MISSING = object()


def _norm(s: str) -> str:
    return _RX_SPACES.sub(" ", s.strip().lower())


class FigureFinder:
    """Find figures in a text (no spaCy needed).

    Parameters
    ----------
    words_path : path, optional
        The word lists; default the packaged ``figure_words.json``.

    Examples
    --------
    >>> f = FigureFinder()
    >>> [(t, r["value"], r["qualifier"], r["unit"]) for _, _, t, r in f.find("almost 100,000 civilians")]
    [('almost 100,000', 100000.0, 'nearly', 'civilians')]
    """

    def __init__(self, words_path: str | Path | None = None):
        with open(words_path or WORDS_PATH, encoding="utf-8") as fh:
            w = json.load(fh)
        self.words = w
        self._qual = {_norm(k): v for k, v in w["qualifiers"].items()}
        self._numw = {_norm(k): v for k, v in w["number_words"].items()}
        self._scales = w["scales"]
        self._approx = {_norm(k): v for k, v in w["approximate_words"].items() if not k.startswith("_")}
        self._units = {_norm(k): v for k, v in w["units"].items()}
        self._dur = w["duration_units"]
        self._mods = set(w["unit_modifiers"])
        self._verbs = set(w["people_verbs"])
        self._not_units = set(w["not_units"])
        self._blocked = {x.lower().rstrip(".") for x in w["blocked_after"]}
        tens = _ci_alt(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])
        ones = "(?:one|two|three|four|five|six|seven|eight|nine)"
        word_num = r"(?:" + tens + r"(?:-" + ones + r")?|" + _ci_alt(self._numw) + r")"
        # (the look-ahead holds wherever the grouped form matches, and spares the engine its failing
        # tries, three lengths of leading digits, at every number without a thousands comma)
        digits = r"(?:(?=\d{1,3},\d)\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
        scale = r"(?:\s+" + _alt(self._scales) + r")?"
        num = r"(?:" + digits + r"|" + word_num + r")" + scale
        self._re_num_part = re.compile(r"(?i)(?P<n>" + digits + r"|" + word_num + r")(?:\s+(?P<s>"
                                       + _alt(self._scales) + r"))?")
        pct = r"(?P<pct>\s*(?:%|percent\b|per\s+cent\b))?"
        dur = r"(?:-(?P<dur>" + _alt(self._dur) + r")\b)?"
        # the qualifier and the left edge are checked in Python around each hit: a look-behind or an
        # optional prefix here would defeat the regex engine's fast scan for the first character
        self._re = re.compile(
            r"(?:(?P<between>[Bb]etween)\s+(?P<lo1>" + num + r")\s+and\s+(?P<hi1>" + num + r")"
            + r"|(?P<lo2>" + num + r")\s*(?:-|to)\s*(?P<hi2>" + num + r")(?!,?\d)(?![A-Za-z_])"
            + r"|(?P<one>" + num + r")(?!,?\d)(?![A-Za-z_]))" + pct + dur)
        # the same at a digit: a number there starts with a digit, so the leading numbers drop the
        # words (and "between" never matches); the groups are the same. The words can never match at
        # a digit, so the regex engine tries the same paths in the same order, minus failing ones
        lead = r"(?:" + digits + r")" + scale
        #: whether no word (number or approximate) starts with a digit, as ``_re_at_digit`` assumes
        self._words_start_with_letters = not any(w[:1].isdecimal() for w in (*self._numw, *self._approx))
        # The range branch starts with a look-ahead that holds wherever the range can match: its first
        # number ends where the digits, commas and dots end (a character of theirs cannot start the
        # spaces, "-" or "to" that must follow) or after a scale word, so a "-" or "to" comes there. It
        # changes no match, and spares the engine the range's failing paths at most numbers
        range_ahead = r"(?=[\d,.]*+(?:\s+" + _alt(self._scales) + r")?\s*(?:-|to))"
        self._re_at_digit = re.compile(
            r"(?:(?P<between>(?!))(?P<lo1>)(?P<hi1>)"
            + r"|" + range_ahead + r"(?P<lo2>" + lead + r")\s*(?:-|to)\s*(?P<hi2>" + num + r")(?!,?\d)(?![A-Za-z_])"
            + r"|(?P<one>" + lead + r")(?!,?\d)(?![A-Za-z_]))" + pct + dur)
        self._re_approx = re.compile(r"(?P<aw>" + _ci_alt(self._approx) + r")\s+of\b")
        #: the first words of the approximate words: where the lower-cased text starts with none,
        #: ``_re_approx`` cannot match (a cheaper test than the match). That needs both cases of a
        #: word's first letter to lower-case to it (true of ASCII letters, not of "ſ"); else ``""``,
        #: with which every text starts
        self._approx_firsts = tuple(sorted({k.split()[0] for k in self._approx})) if all(
            k[:1].upper().lower() == k[:1] for k in self._approx) else ("",)
        anchor_words = set(self._numw) | set(self._approx) | {
            "between", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
        self._re_anchor = re.compile(r"\b(?:\d|" + "|".join(
            re.escape(w).replace(r"\ ", r"\s+") for w in sorted(anchor_words, key=len, reverse=True)) + ")")
        # the same anchors found faster (``_anchors``): the words as one factored regex, led by a
        # non-word character instead of ``\b``
        words = _trie(anchor_words, r"\s+")
        #: ``_anchors`` needs words of letters and spaces (else it runs ``_re_anchor`` itself)
        self._anchor_words_plain = all(c.isalpha() or c == " " for w in anchor_words for c in w)
        self._re_anchor_led = re.compile(r"\W(?:\d|" + words + ")")
        self._re_anchor_first = re.compile(r"\d|" + words)
        # the same for an ASCII text, on its bytes: there ``\W``, ``\d`` and ``\s`` of a ``str`` pattern are
        # the ASCII sets spelt out here, which the regex engine tests on a table rather than through
        # Unicode categories (``\s``: the characters ``str.isspace`` takes, ``\x1c``-``\x1f`` too)
        self._re_anchor_led_ascii = None
        if self._anchor_words_plain and all(w.isascii() for w in anchor_words):
            self._re_anchor_led_ascii = re.compile((r"[^a-zA-Z0-9_](?:[0-9]|" + _trie(
                anchor_words, r"[ \t\n\r\f\v\x1c-\x1f]+") + ")").encode("ascii"))
            # Faster again (``_anchors``): the regex engine skips ahead to a literal first character far
            # faster than to one of a set, so the bytes are first mapped (``_anchor_classes``) white space
            # to " ", other non-word characters to "#", word characters to themselves, and the anchors
            # led by " " and by "#" are found by two such scans
            classes = bytearray(range(256))
            for i in range(256):
                if not (i < 128 and (chr(i).isalnum() or i == ord("_"))):
                    classes[i] = ord(" ") if chr(i) in " \t\n\r\f\v\x1c\x1d\x1e\x1f" else ord("#")
            self._anchor_classes = bytes(classes)
            words_sp = _trie(anchor_words, " +")
            self._re_anchor_space = re.compile((" (?:[0-9]|" + words_sp + ")").encode("ascii"))
            self._re_anchor_mark = re.compile(("#(?:[0-9]|" + words_sp + ")").encode("ascii"))
            # where "#" leads a word of several: the longest word there then has a space too (a longer
            # word without one would have a letter where the space is)
            self._re_anchor_mark_multi = re.compile(
                ("#" + _trie({w for w in anchor_words if " " in w} or {"\x00"}, " +")).encode("ascii"))
        self._unit_values = frozenset(self._units.values())
        self._qual_last_words = tuple(sorted({q.split()[-1] for q in self._qual}))
        self._blocked_tuple = tuple(sorted(self._blocked))
        #: whether the label words are non-empty and hold no white space, as :meth:`_word_before` assumes
        self._blocked_plain = all(b and not any(ch.isspace() for ch in b) for b in self._blocked)
        self._before_cache: dict[str, tuple[bool, bool]] = {}
        self._re_qual = re.compile(r"(?i)(?<![\w])(?P<q>" + _alt(self._qual) + r")\s+$")
        # the qualifiers reversed, longest first, for :meth:`_qual_start` (which needs them ASCII: under
        # ``(?i)`` some other letters match ASCII ones, "ſ" an "s")
        self._qual_ascii = all(q.isascii() for q in self._qual)
        self._re_qual_rev = re.compile("(?:" + "|".join(
            re.escape(q[::-1]).replace(r"\ ", r"\s+") for q in sorted(self._qual, key=len, reverse=True)) + r")(?!\w)")
        self._re_prev_word = re.compile(r"([#\w.]+)\s*$")
        self._re_next_words = re.compile(r"[\s,]*((?:[A-Za-z][\w'-]*)(?:\s+[A-Za-z][\w'-]*){0,3})")
        self._number_cache: dict[str, float | None] = {}
        self._unit_cache: dict[str, str | None] = {}
        # the first word of ``_re_next_words``' group (the same pattern up to its end)
        self._re_first_word = re.compile(r"[\s,]*([A-Za-z][\w'-]*)")
        #: the starts (a word then a space) of the units of several words
        self._unit_heads = frozenset(k[:i + 1] for k in self._units for i, ch in enumerate(k) if ch == " ")
        self._first_word_cache: dict[str, Any] = {}
        self._figure_cache: dict[tuple, tuple | bool] = {}
        #: whether the number patterns' groups are :data:`_FIGURE_GROUPS` and no other, in that order
        self._groups_in_order = all(rx.groupindex == {g: i + 1 for i, g in enumerate(_FIGURE_GROUPS)}
                                    and rx.groups == len(_FIGURE_GROUPS) for rx in (self._re, self._re_at_digit))

    # ------------------------------------------------------------------ numbers

    def _number(self, s: str) -> float | None:
        """The value of a number as written ("2,000", "twenty-five", "1.5 million"), or None.

        A function of ``s`` alone, so cached per string (the same numbers come back).
        """
        cache = self._number_cache
        if s in cache:
            return cache[s]
        if len(cache) > 100_000:  # a bound for endless streams of new numbers
            cache.clear()
        v = cache[s] = self._parse_number(s)
        return v

    def _parse_number(self, s: str) -> float | None:
        m = self._re_num_part.fullmatch(s.strip())
        if m is None:
            return None
        n = _norm(m.group("n"))
        if n in self._numw:
            v = float(self._numw[n])
        elif _RX_TWO_WORDS.fullmatch(n):
            t, o = n.split("-")
            v = float(self._numw.get(t, 0) + self._numw.get(o, 0))
        else:
            v = float(n.replace(",", ""))
        if m.group("s"):
            v *= self._scales[m.group("s").lower()]
        return v

    def _unit(self, text: str, end: int) -> str | None:
        """The unit counted by the figure ending at ``end``: from the (up to four) words after it.

        A function of those words alone (``_re_next_words``' group), so cached per words. Most often
        the first word alone decides (:meth:`_unit_of` returns at it, see :meth:`_unit_of_first`):
        that word is found by the cheaper ``_re_first_word`` (the same first word: the same start and
        word pattern, the same end of the stretch), and the four only when it does not decide.
        """
        # ``endpos`` past the end of the text means the end of the text, as ``min(len(text), end + 80)``
        m = self._re_first_word.match(text, end, end + 80)
        if not m:
            return None  # no first word: ``_re_next_words`` finds none either
        first = m.group(1)
        unit = self._first_word_cache.get(first, _MISSING)
        if unit is _MISSING:
            unit = self._unit_of_first(first)
        if unit is not _UNDECIDED:
            return unit
        phrase = self._re_next_words.match(text, end, end + 80).group(1)
        cache = self._unit_cache
        if phrase in cache:
            return cache[phrase]
        if len(cache) > 100_000:  # a bound for endless streams of new words
            cache.clear()
        unit = cache[phrase] = self._unit_of(phrase)
        return unit

    def _unit_of_first(self, word: str) -> str | None | object:
        """What :meth:`_unit_of` returns for a phrase of first word ``word`` when that word alone
        decides it, else :data:`_UNDECIDED`: when ``word`` may start a unit of several words, is a
        verb (the words after it decide) or a modifier (skipped). Cached per word.
        """
        cache = self._first_word_cache
        if len(cache) > 100_000:  # a bound for endless streams of new words
            cache.clear()
        low = word.lower()
        lw = low.strip("'")
        if lw not in self._units and "-" in lw:
            lw = lw.split("-")[0]
        if low + " " in self._unit_heads or lw in self._verbs or (lw not in self._units and lw in self._mods):
            out = _UNDECIDED
        else:
            # the rest of :meth:`_unit_of`'s first step
            out = self._units[lw] if lw in self._units else (
                None if lw in self._not_units or not word[0].islower() else lw)
        cache[word] = out
        return out

    def _unit_of(self, phrase: str) -> str | None:
        words = phrase.split()
        lows = [x.lower() for x in words]
        units = self._units
        n = len(words)
        for i, w in enumerate(words):
            lw = lows[i].strip("'")
            if lw not in units and "-" in lw:  # "people-were" (dash lost in the text)
                lw = lw.split("-")[0]
            for k in (3, 2):  # "internally displaced persons"
                if n >= i + k:
                    joined = " ".join(lows[i:i + k])
                    if joined in units:
                        return units[joined]
            if lw in units:
                return units[lw]
            if i == 0 and lw in self._verbs:
                # "2,000 displaced people" -> people; "2,000 displaced" -> people too
                nxt = " ".join(lows[1:3])
                for k in (nxt, nxt.split(" ")[0] if nxt else ""):
                    if k in self._units:
                        return self._units[k]
                return "people"
            if lw in self._mods:
                continue
            if lw in self._not_units or not w[0].islower():
                return None
            return lw
        return None

    # ------------------------------------------------------------------ find

    def find(self, text: str, date_ranges: list[tuple[int, int]] | None = None,
             reference: str | None = None) -> list[tuple[int, int, str, dict[str, Any]]]:
        """Figures in ``text``.

        Parameters
        ----------
        text : str
            The (match) text.
        date_ranges : list of (start, end), optional
            Character ranges of dates, whose numbers are not figures; by default found with
            :func:`conflict_lib.dates.find_dates`.
        reference : str, optional
            Reference date passed to the date finder (only used when ``date_ranges`` is None).

        Returns
        -------
        list of (start, end, text, record)
            In text order.
        """
        if date_ranges is None:
            from .dates import find_dates

            date_ranges = [(s, e) for s, e, _, _ in find_dates(text, reference)]
        out = []
        taken = bytearray(len(text))  # dates and figures already found
        for ds, de in date_ranges:
            taken[ds:de] = b"\x01" * (de - ds)
        low = text.lower()
        if len(low) != len(text):  # keep offsets aligned
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        ascii_text = text.isascii()
        last_end = 0
        approx, number, at_digit = self._re_approx.match, self._re.match, self._re_at_digit.match
        approx_firsts = self._approx_firsts
        number_hit = self._number_hit
        digit_fast = self._words_start_with_letters
        for a in self._anchors(low):
            if a < last_end:
                continue
            if digit_fast and text[a].isdecimal():
                # ``\\d`` is ``str.isdecimal``: no approximate word starts here, and the number is
                # matched by the same regex without its word branches (``_re_at_digit``)
                m = at_digit(text, a)
                if m is None:
                    continue
                last_end = m.end()
                if not taken[a]:
                    number_hit(text, low, ascii_text, m, a, last_end, out, taken)
                continue
            if taken[a]:
                # inside a date: a hit here would cover a taken character, and both ``_approx_hit`` and
                # ``_number_hit`` drop such hits; only where the match ends counts (for ``last_end``)
                m = approx(text, a) or number(text, a)
                if m is not None:
                    last_end = m.end()
                continue
            if low.startswith(approx_firsts, a):
                m = approx(text, a)
                if m is not None:
                    last_end = m.end()
                    self._approx_hit(text, m, out, taken)
                    continue
            m = number(text, a)
            if m is None:
                continue
            last_end = m.end()
            number_hit(text, low, ascii_text, m, a, last_end, out, taken)
        out.sort(key=_start_of)
        return out

    def _anchors(self, low: str) -> list[int]:
        """The starts of the matches of ``_re_anchor`` in ``low``, in order, found faster.

        ``_re_anchor`` is ``\\b`` then a digit or a word (the words are letters and spaces, no digit).
        Before a word character, ``\\b`` means the text starts there or a non-word character comes
        before: ``_re_anchor_led`` is that character then the digit or word, and the regex engine
        tries it only after a non-word character (a fast scan) rather than at every position. Its
        matches do not overlap as ``_re_anchor``'s do not: a word match ends with a letter, so the
        next anchor's leading character lies at or after its end, where ``_re_anchor`` goes on from;
        a digit hides nothing (no anchor starts on the next digits, which follow a word character).
        An anchor at the very start has no character before it and is tried apart; the search goes
        on from its end, as ``_re_anchor``'s. An ASCII text is scanned as bytes (``_re_anchor_led_ascii``,
        the same sets of characters), a space put before it to stand for the start.

        Faster still, the bytes mapped to " " (white space), "#" (other non-word characters) and
        themselves (word characters) are scanned twice, for anchors led by " " and by "#": the
        regex engine finds a literal first character much faster than one of a set. Together the
        two scans find the anchors of one scan: a match ends with a word character, so the only
        leading characters inside a match are the spaces of a word of several words. Those the " "
        scan skips as the one scan does, unless the word is led by "#" (then the one scan is made).
        """
        if self._re_anchor_led_ascii is not None and (low.isascii() or self._plain_outside_ascii(low)):
            # (non-ASCII characters that are neither word characters nor white space scan as "?", as
            # "#": a non-word character that starts no anchor and is no space)
            led = b" " + low.encode("ascii", "replace")
            mapped = led.translate(self._anchor_classes)
            found = [m.start() for m in self._re_anchor_space.finditer(mapped)]
            marked = [m.start() for m in self._re_anchor_mark.finditer(mapped)]
            if marked:
                if self._re_anchor_mark_multi.search(mapped):
                    # a word of several led by "#" ("(a hundred"): the " " scan may have found anchors
                    # inside it, hidden in one scan; rare, so that scan is made instead
                    return [m.start() for m in self._re_anchor_led_ascii.finditer(led)]
                found += marked
                found.sort()
            return found
        if not self._anchor_words_plain:
            return [m.start() for m in self._re_anchor.finditer(low)]
        first = self._re_anchor_first.match(low)
        if first is None:
            return [m.start() + 1 for m in self._re_anchor_led.finditer(low)]
        return [0] + [m.start() + 1 for m in self._re_anchor_led.finditer(low, first.end())]

    @staticmethod
    def _plain_outside_ascii(low: str) -> bool:
        """Whether every non-ASCII character of ``low`` is a non-word character and no white space
        (``\\W`` and ``\\S`` of a ``str`` pattern), so that to the anchor scan it is any such ASCII one.

        The non-ASCII characters are picked out of the UTF-8 bytes (dropping the ASCII ones is one
        fast pass) and tested apart: few in a text, most often punctuation ("’", "•", "–").
        """
        # ("surrogatepass": a lone surrogate, no word character nor space, goes through as any other)
        rest = low.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
        return _RX_WORD_OR_SPACE.search(rest) is None

    def _qualifier(self, text: str, end: int) -> re.Match | None:
        """``_re_qual.search(text, end - 30, end)``: a qualifier then spaces right before ``end``.

        The search runs only when the words before the spaces could end a qualifier: the last
        non-space token of the stretch, lower-cased, ends with a qualifier's last word (ASCII tokens;
        others are always searched).
        """
        if not end or not text[end - 1].isspace():
            return None  # no space right before ``end`` (the check below, without the slices)
        lo = max(0, end - 30)
        head = text[lo:end]
        stripped = head.rstrip()
        if len(stripped) == len(head) or not stripped:
            return None  # the qualifier must be followed by spaces (``\\s+$``)
        token = stripped.rsplit(None, 1)[-1]
        if token.isascii() and not token.lower().endswith(self._qual_last_words):
            return None
        return self._re_qual.search(text, lo, end)

    def _blocked_before(self, text: str, num_start: int) -> bool:
        """Whether the word right before the number is a label word (``blocked_after``): "Route 4"."""
        lo = max(0, num_start - 20)
        head = text[lo:num_start].rstrip().lower().rstrip(".")
        if not head.endswith(self._blocked_tuple):  # ``group(1)`` below ends the stretch (spaces aside)
            return False
        prev = self._re_prev_word.search(text, lo, num_start)
        return bool(prev and prev.group(1).lower().rstrip(".") in self._blocked)

    def _approx_hit(self, text: str, m: re.Match, out: list, taken: bytearray) -> None:
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "-"):
            return
        v = float(self._approx[_norm(m.group("aw"))])
        unit = self._unit(text, m.end())
        rec = {"canonical": f"{v:g}", "value": v, "low": v, "high": None, "qualifier": "at_least",
               "unit": unit, "approximate_word": True}
        qm = self._qualifier(text, m.start())
        start = qm.start() if qm else m.start()
        if qm:
            rec["qualifier"] = self._qual[_norm(qm.group("q"))]
        if taken.find(1, start, m.end()) >= 0:  # ``any(taken[start:m.end()])`` without the copy
            return
        out.append((start, m.end(), text[start:m.end()], rec))
        taken[start:m.end()] = b"\x01" * (m.end() - start)

    def _number_hit(self, text: str, low: str, ascii_text: bool, m: re.Match, s: int, e: int, out: list,
                    taken: bytearray) -> None:
        """Add the figure of the number match ``m`` (``s``, ``e``: its span) to ``out``, unless it is none.

        The words right before the number are looked at once for both the qualifier ("more than") and
        a label word ("Route 4"): the same tests as :meth:`_qualifier` and :meth:`_blocked_before`
        on one slice of the 30 characters before it; the qualifier itself is found by
        :meth:`_qual_start`. Both need white space right before the number (the qualifier's ``\\s+$``;
        the label word's ``([#\\w.]+)\\s*$``, the other characters allowed there being ruled out first).
        What the number's groups and qualifier alone decide is computed once per such pair
        (:meth:`_figure`); only the context is looked at per hit. ``low`` is the lower-cased text
        (offsets aligned), ``ascii_text`` whether ``text`` is ASCII.

        Then the record: the tests on the characters after the number come first (a ":", "]", "/"
        then a digit, or the ")" of a list marker rule it out), then the part its groups and the
        qualifier decide (cached, :meth:`_figure`), then the unit from the words after it (the common
        case of :meth:`_unit` made here, to save calls per hit).
        """
        num_start = s
        qual = None
        if s:
            c = text[s - 1]
            if c.isalnum() or c in "_#/.,:[$-'":
                return
            if c.isspace():
                lo = s - 30 if s > 30 else 0
                stripped = text[lo:s].rstrip()
                if stripped:
                    # what the last word before the number allows (cached per word, :meth:`_word_before`)
                    token = stripped.rsplit(None, 1)[-1]
                    maybe = self._before_cache.get(token)
                    if maybe is None:
                        maybe = self._word_before(token)
                    if maybe[0]:
                        # :meth:`_qualifier`: a qualifier then spaces right before the number
                        qend = lo + len(stripped)
                        q = self._qual_start(text, low, ascii_text, lo, qend, s)
                        if q is not None:
                            qual = text[q:qend]
                            s = q
                    # (a hit is dropped for a label word or a taken character alike: the order of
                    # the two tests does not matter)
                    if maybe[1] and self._blocked_before(text, num_start):
                        return
        if taken.find(1, s, e) >= 0:  # ``any(taken[s:e])`` without the copy
            return
        # the record
        first = text[e:e + 1]
        if first and first in ":]/)":  # the rare characters that may rule the number out
            if first in ":]" or (first == "/" and text[e + 1:e + 2].isdecimal()):  # ``_RX_SLASH_DIGIT``
                return
            if first == ")" and self._is_list_marker(text, num_start, m.group(0)):
                return
        # ``m.groups()`` is ``m.group(*_FIGURE_GROUPS)`` (the pattern's only groups, in that order:
        # ``_groups_in_order``) without looking the names up
        key = (qual, m.groups() if self._groups_in_order else m.group(*_FIGURE_GROUPS))
        cache = self._figure_cache
        part = cache.get(key)
        if part is None:
            if len(cache) > 100_000:  # a bound for endless streams of new numbers
                cache.clear()
            part = cache[key] = self._figure(qual, *key[1])
        if part is False:
            return
        canonical, value, low_, high, qualifier, unit, yearish = part
        if unit is _UNIT_AFTER:
            # :meth:`_unit`'s first steps, inlined: the first word after the number, when it decides.
            # Most often a space then ASCII letters then a space follow: that word is the one
            # ``_re_first_word`` finds (the letters end at the space), found with string methods
            word = None
            if first == " ":
                k = text.find(" ", e + 1, e + 40)
                if k > e + 1:
                    word = text[e + 1:k]
                    if not (word.isalpha() and word.isascii()):
                        word = None
            if word is None:
                wm = self._re_first_word.match(text, e, e + 80)
                if wm is not None:
                    word = wm.group(1)
            if word is None:
                unit = None
            else:
                unit = self._first_word_cache.get(word, _MISSING)
                if unit is _MISSING:
                    unit = self._unit_of_first(word)
                if unit is _UNDECIDED:
                    unit = self._unit(text, e)
            if yearish and unit not in self._unit_values:
                return
        out.append((s, e, text[s:e], {"canonical": canonical, "value": value, "low": low_, "high": high,
                                      "qualifier": qualifier, "unit": unit, "approximate_word": False}))

    def _qual_start(self, text: str, low: str, ascii_text: bool, lo: int, qend: int, end: int) -> int | None:
        """Where ``_re_qual.search(text, lo, end)`` starts, or None; ``text[lo:qend]`` is the stretch
        before ``end`` without its trailing spaces (non-empty, and spaces follow it).

        A qualifier there ends at ``qend`` (its last character is no space), so the search finds the
        longest qualifier ending there with no word character before it. Searching costs a try at
        every place of the stretch; instead the reversed stretch (lower-cased: for ASCII text what
        ``(?i)`` means) is matched once at its start with ``_re_qual_rev``, the reversed qualifiers
        longest first then ``(?!\\w)``: the first that matches is the longest, as ``\\s+`` takes a whole
        run of spaces. Only the character before ``lo`` is out of its sight (the search looks behind
        ``lo``): when the match reaches ``lo`` and a word character comes before, or when the stretch
        is not ASCII, the search itself runs.
        """
        if not (self._qual_ascii and (ascii_text or text[lo:qend].isascii())):
            qm = self._re_qual.search(text, lo, end)
            return qm.start() if qm else None
        rm = self._re_qual_rev.match(low[qend - 1:lo - 1:-1] if lo else low[qend - 1::-1])
        if rm is None:
            return None
        start = qend - rm.end()
        if start == lo and lo and (text[lo - 1].isalnum() or text[lo - 1] == "_"):
            qm = self._re_qual.search(text, lo, end)
            return qm.start() if qm else None
        return start

    def _word_before(self, token: str) -> tuple[bool, bool]:
        """Whether a qualifier, and whether a label word, may end right before a number, from the last
        word (white-space separated, ``token``) of the 30 characters before it, stripped.

        The qualifier: :meth:`_qualifier`'s own test on that word. The label: :meth:`_blocked_before`
        first asks whether the 20 characters before the number, stripped, lower-cased and stripped
        of dots, end with a label word. That holds only if it holds for these 30 (the 20 then end
        the same stripped text, or are all white space), and, the label words holding no white
        space, only if the word itself ends with one (or is all dots: then the text before decides,
        so "maybe"). Both are cached per word (a function of it alone).
        """
        cache = self._before_cache
        if len(cache) > 100_000:  # a bound for endless streams of new words
            cache.clear()
        maybe_qual = not token.isascii() or token.lower().endswith(self._qual_last_words)
        bare = token.lower().rstrip(".")
        maybe_blocked = not self._blocked_plain or not bare or bare.endswith(self._blocked_tuple)
        out = cache[token] = (maybe_qual, maybe_blocked)
        return out

    def _figure(self, qual: str | None, between: str | None, lo1: str | None, hi1: str | None, lo2: str | None,
                hi2: str | None, one: str | None, pct: str | None, dur: str | None) -> tuple | bool:
        """What a number's groups and qualifier words alone decide, for :meth:`_number_hit`.

        ``(canonical, value, low, high, qualifier, unit, yearish)``, the unit :data:`_UNIT_AFTER` when the
        words after the number give it (and ``yearish``: the number looks like a year or a code, no
        figure unless that unit is a known one); False when these groups make no figure.
        """
        qualifier = self._qual.get(_norm(qual)) if qual else "exact"
        if between or lo2:
            lo_s, hi_s = (lo1, hi1) if between else (lo2, hi2)
            lo, hi = self._number(lo_s), self._number(hi_s)
            if lo is None or hi is None:
                return False
            hi_scale = _RX_HI_SCALE.search(hi_s)
            if hi_scale and not _RX_LETTER.search(lo_s):  # "1-2 million": the scale covers both
                scale = self._scales[hi_scale.group(1).lower()]
                if lo * scale <= hi:
                    lo *= scale
            if hi <= lo or self._is_year(lo_s) or self._is_year(hi_s):
                return False
            value, low, high, qualifier = hi, lo, hi, "up_to"
            raw = hi_s
        else:
            raw = one
            value = self._number(raw)
            if value is None:
                return False
            # ``_norm(raw) == "one"`` (no white space inside: the same as the stripped lower-case text)
            if raw.strip().lower() == "one":  # a pronoun far more often than a count
                return False
            low = high = None
            if qualifier == "exact":
                low = high = value
            elif qualifier == "at_least":
                low = value
            elif qualifier in ("nearly", "up_to"):
                high = value
        if dur:
            unit = self._dur[dur.lower()]
        elif pct:
            unit = "percent"
        else:
            unit = _UNIT_AFTER
        yearish = self._is_year(raw) or _is_long_number(raw.strip())
        if yearish and unit is not _UNIT_AFTER and unit not in self._unit_values:
            return False
        canonical = f"{low:g}-{high:g}" if (low is not None and high is not None and low != high) else f"{value:g}"
        return (canonical, float(value), None if low is None else float(low), None if high is None else float(high),
                qualifier, unit, yearish)

    @staticmethod
    def _is_list_marker(text: str, num_start: int, raw: str) -> bool:
        """ "asked for three concessions: 1) that fighters ...; 2) that ...": "1)" and "(1)" number a list.

        A one- or two-digit number closed by ")" is a marker when the parenthesis has no opener (or the
        opener is glued to the number); "(including 3)" keeps its figure.
        """
        if not _RX_SHORT_NUMBER.fullmatch(raw.strip()):
            return False
        before = text[max(0, num_start - 120):num_start]
        if before.endswith("("):
            return num_start < 2 or not text[num_start - 2].isalnum()
        return before.count("(") <= before.count(")")

    @staticmethod
    def _is_year(s: str) -> bool:
        """``_RX_YEAR.fullmatch(s.strip())``, with string tests (``\\d`` is ``str.isdecimal``)."""
        s = s.strip()
        return len(s) == 4 and s[:2] in ("19", "20") and s[2:].isdecimal()


@lru_cache(maxsize=2)
def get_finder() -> FigureFinder:
    """The packaged finder, built once per process."""
    return FigureFinder()


def find_figures(text: str, reference: str | None = None) -> list[tuple[int, int, str, dict[str, Any]]]:
    """Figures in ``text`` (see :meth:`FigureFinder.find`)."""
    return get_finder().find(text, reference=reference)


class FigureTagger:
    """spaCy component: ``doc.spans["figures"]`` (see module docstring)."""

    def __init__(self, finder: FigureFinder):
        self.finder = finder

    def __call__(self, doc: Doc) -> Doc:
        # the dates' offsets: from the doc's hit log when it knows them (no ``Span`` objects), else
        # from the spans (see :class:`conflict_lib.pipeline.HitLog`)
        log = doc.user_data.get(_pipeline.HITS_KEY)
        keys = log.hits(doc, "dates") if log is not None else None
        if keys is not None:
            ranges = [(k[2], k[3]) for k in keys]
        else:
            dates = doc.spans["dates"] if "dates" in doc.spans else None
            ranges = [(s.start_char, s.end_char) for s in dates] if dates is not None else None
        text = _doc_text(doc)
        # the reference date serves only to find the dates here (``doc._`` builds an object per access)
        reference = doc._.reference_date if ranges is None else None
        doc.spans["figures"] = _pipeline.char_spans(doc, text, self.finder.find(text, ranges, reference),
                                                    trim_end=True)
        return doc


def make_figure_tagger(nlp: Language, name: str, words_path: str | None) -> FigureTagger:
    """Factory for ``conflict_figures_v1``.

    Parameters
    ----------
    nlp : Language
        The pipeline.
    name : str
        Component name.
    words_path : str, optional
        Another word list than the packaged ``figure_words.json``.
    """
    return FigureTagger(get_finder() if words_path is None else FigureFinder(words_path))


Language.factory("conflict_figures_v1", default_config={"words_path": None}, func=make_figure_tagger)
