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


def _is_long_number(s: str) -> bool:
    """``_RX_LONG_NUMBER.fullmatch(s)`` (five digits or more), with string tests."""
    return len(s) >= 5 and s.isdecimal()


_start_of = itemgetter(0)

#: the groups of a number match that :meth:`FigureFinder._figure` reads
_FIGURE_GROUPS = ("between", "lo1", "hi1", "lo2", "hi2", "one", "pct", "dur")
#: :meth:`FigureFinder._figure`'s unit when the words after the number give it
_UNIT_AFTER = object()


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
        digits = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
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
        self._re_at_digit = re.compile(
            r"(?:(?P<between>(?!))(?P<lo1>)(?P<hi1>)"
            + r"|(?P<lo2>" + lead + r")\s*(?:-|to)\s*(?P<hi2>" + num + r")(?!,?\d)(?![A-Za-z_])"
            + r"|(?P<one>" + lead + r")(?!,?\d)(?![A-Za-z_]))" + pct + dur)
        self._re_approx = re.compile(r"(?P<aw>" + _ci_alt(self._approx) + r")\s+of\b")
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
        self._unit_values = frozenset(self._units.values())
        self._qual_last_words = tuple(sorted({q.split()[-1] for q in self._qual}))
        self._blocked_tuple = tuple(sorted(self._blocked))
        #: whether the label words are non-empty and hold no white space, as :meth:`_word_before` assumes
        self._blocked_plain = all(b and not any(ch.isspace() for ch in b) for b in self._blocked)
        self._before_cache: dict[str, tuple[bool, bool]] = {}
        self._re_qual = re.compile(r"(?i)(?<![\w])(?P<q>" + _alt(self._qual) + r")\s+$")
        self._re_prev_word = re.compile(r"([#\w.]+)\s*$")
        self._re_next_words = re.compile(r"[\s,]*((?:[A-Za-z][\w'-]*)(?:\s+[A-Za-z][\w'-]*){0,3})")
        self._number_cache: dict[str, float | None] = {}
        self._unit_cache: dict[str, str | None] = {}
        self._figure_cache: dict[tuple, tuple | bool] = {}

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

        A function of those words alone (``_re_next_words``' group), so cached per words.
        """
        m = self._re_next_words.match(text, end, min(len(text), end + 80))
        if not m:
            return None
        phrase = m.group(1)
        cache = self._unit_cache
        if phrase in cache:
            return cache[phrase]
        if len(cache) > 100_000:  # a bound for endless streams of new words
            cache.clear()
        unit = cache[phrase] = self._unit_of(phrase)
        return unit

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
        last_end = 0
        approx, number, at_digit = self._re_approx.match, self._re.match, self._re_at_digit.match
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
                    self._number_hit(text, m, out, taken)
                continue
            if taken[a]:
                # inside a date: a hit here would cover a taken character, and both ``_approx_hit`` and
                # ``_number_hit`` drop such hits; only where the match ends counts (for ``last_end``)
                m = approx(text, a) or number(text, a)
                if m is not None:
                    last_end = m.end()
                continue
            m = approx(text, a)
            if m is not None:
                last_end = m.end()
                self._approx_hit(text, m, out, taken)
                continue
            m = number(text, a)
            if m is None:
                continue
            last_end = m.end()
            self._number_hit(text, m, out, taken)
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
        """
        if self._re_anchor_led_ascii is not None and low.isascii():
            return [m.start() for m in self._re_anchor_led_ascii.finditer(b" " + low.encode("ascii"))]
        if not self._anchor_words_plain:
            return [m.start() for m in self._re_anchor.finditer(low)]
        first = self._re_anchor_first.match(low)
        if first is None:
            return [m.start() + 1 for m in self._re_anchor_led.finditer(low)]
        return [0] + [m.start() + 1 for m in self._re_anchor_led.finditer(low, first.end())]

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

    def _number_hit(self, text: str, m: re.Match, out: list, taken: bytearray) -> None:
        """Add the figure of the number match ``m`` to ``out`` (and ``taken``), unless it is none.

        The words right before the number are looked at once for both the qualifier ("more than") and
        a label word ("Route 4"): the same tests as :meth:`_qualifier` and :meth:`_blocked_before`
        on one slice of the 30 characters before it. What the number's groups and qualifier alone
        decide is computed once per such pair (:meth:`_figure`); only the context is looked at per hit.
        """
        s, e = m.span()
        num_start = s
        qm = None
        maybe_blocked = False
        if s:
            c = text[s - 1]
            if c.isalnum() or c in "_#/.,:[$-'":
                return
            lo = max(0, s - 30)
            stripped = text[lo:s].rstrip()
            if stripped:
                # what the last word before the number allows (cached per word, :meth:`_word_before`)
                token = stripped.rsplit(None, 1)[-1]
                maybe = self._before_cache.get(token)
                if maybe is None:
                    maybe = self._word_before(token)
                maybe_qual, maybe_blocked = maybe
                if maybe_qual and c.isspace():
                    # :meth:`_qualifier`: a qualifier then spaces right before the number
                    qm = self._re_qual.search(text, lo, s)
                    if qm:
                        s = qm.start()
        if taken.find(1, s, e) >= 0:  # ``any(taken[s:e])`` without the copy
            return
        if maybe_blocked and self._blocked_before(text, num_start):
            return
        rec = self._record(text, m, num_start, qm.group("q") if qm else None)
        if rec is not None:
            out.append((s, e, text[s:e], rec))

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

    def _record(self, text: str, m: re.Match, num_start: int, qual: str | None) -> dict[str, Any] | None:
        """The record of the number match ``m`` (its label word before already ruled out), or None.

        The tests on the characters after the number come first, then the part its groups and
        ``qual`` decide (cached, :meth:`_figure`), then the unit from the words after it.
        """
        end = m.end()
        after = text[end:end + 2]
        first = after[:1]
        if first in (":", "]") or (first == "/" and after[1:].isdecimal()):  # ``_RX_SLASH_DIGIT``
            return None
        if first == ")" and self._is_list_marker(text, num_start, m.group(0)):
            return None
        key = (qual, m.group(*_FIGURE_GROUPS))
        cache = self._figure_cache
        part = cache.get(key)
        if part is None:
            if len(cache) > 100_000:  # a bound for endless streams of new numbers
                cache.clear()
            part = cache[key] = self._figure(qual, *key[1])
        if part is False:
            return None
        canonical, value, low, high, qualifier, unit, yearish = part
        if unit is _UNIT_AFTER:
            unit = self._unit(text, end)
            if yearish and unit not in self._unit_values:
                return None
        return {"canonical": canonical, "value": value, "low": low, "high": high, "qualifier": qualifier,
                "unit": unit, "approximate_word": False}

    def _figure(self, qual: str | None, between: str | None, lo1: str | None, hi1: str | None, lo2: str | None,
                hi2: str | None, one: str | None, pct: str | None, dur: str | None) -> tuple | bool:
        """What a number's groups and qualifier words alone decide, for :meth:`_record`.

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
