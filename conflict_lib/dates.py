"""Dates: date expressions resolved against the document's own dating.

The spaCy component ``conflict_dates_v1`` writes ``doc.spans["dates"]``; each span carries
``span._.conflict = {"canonical", "value", "date_start", "date_end", "precision", "relative"}``:

- ``value``: ISO ``"YYYY-MM-DD"`` (precision ``day``), ``"YYYY-MM"`` (``month`` and ``week``: the
  month holding the end of the week) or ``"YYYY"`` (``year`` and ``season``); ``canonical`` is the
  same string;
- ``date_start`` / ``date_end``: the first and last day the words cover (ISO days);
- ``precision``: ``day | week | month | season | year``;
- ``relative``: True when the reference date was needed ("on Tuesday", "last month", "As of
  May 7" with no year).

Conventions (``data/raw/gold/GOLD.md``): relative words resolve against ``doc._.reference_date``
(publication date, else end of period); a month or day without a year takes the latest year that
puts it on or before the reference date, or at most ``forward_slack_days`` after it (a weekly summary
dated at the end of its period mentions the next day), or, after a forward-looking lead ("by",
"until"; ``forward_leads``), at most ``forward_lead_days`` after it ("by September 14" in a summary
for 2017-09-07..13 is 2017-09-14, not 2016-09-14); a weekday is the latest such day on or before it; a
period ("Between June 1 and August 15", "from September 2016 to September 2017") is dated at its
end; a period running up to the present ("since March 9", "since 2015") is dated at the reference
date (``date_start`` keeps its beginning). The span holds the words as written, with a leading
preposition ("On 10 September 2017", "As of May 7", "by 17 November 2017").

The words live in ``conflict_lib/data/date_words.json``; matching runs compiled regular
expressions over ``doc.text`` and maps hits to token spans (:func:`token_spans`: when the last
token runs on past the words with punctuation, "2017.[41][42", the span's ``end_char`` is the end of
the words).
"""
from __future__ import annotations

import calendar
import copy
import datetime as dt
import json
import re
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import pipeline as _pipeline
from .pipeline import doc_text as _doc_text
from .paths import PACKAGE_DATA

_pipeline.ensure_extensions()

#: The date words.
WORDS_PATH = PACKAGE_DATA / "date_words.json"


class _Atom(NamedTuple):
    """A date expression resolved on its own (a tuple: built once per resolved hit, so cheaply)."""

    start: int
    end: int
    first: dt.date | None  # first day covered
    last: dt.date | None  # last day covered
    precision: str
    relative: bool
    needs_lead: bool = False
    bare_day: bool = False  # "17" in "May 7 and 17"


def _alt(words, flags: str = "") -> str:
    ws = sorted(set(words), key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ws)
    return f"(?{flags}:{body})" if flags else f"(?:{body})"


def _trie(words, space: str | None = None) -> str:
    """One regular expression for ``words`` (literal, no spaces), factored by first letters.

    At a position where several words match (one is then a prefix of the other: "mon", "month") it
    takes the longest, as the length-sorted alternation :func:`_alt` does; every branch starts with
    a literal, so the regex engine skips ahead to the possible first characters. ``space``: the
    pattern a space in a word stands for (``r"\\s+"``), default a space.
    """
    groups: dict[str, list[str]] = {}
    empty = False
    for w in words:
        if w:
            groups.setdefault(w[0], []).append(w[1:])
        else:
            empty = True
    alts = [(space if c == " " and space else re.escape(c)) + _trie(sorted(set(rest), key=len, reverse=True), space)
            for c, rest in sorted(groups.items())]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return "(?:" + body + ")?" if empty else body


def _starts_rx(phrases) -> re.Pattern:
    """A regex finding (on plain text, see ``_scan``) every place where a match of an expression starting with one of
    ``phrases`` (case-blind) and ``(?<![\\w.-])`` can start, and few others.

    A match there starts with the first word of one of the phrases: a letter of those words' first
    letters (a character class, so the regex engine skips to such letters without trying a match at
    every place), with no ``[\\w.-]`` before it (``(?<![\\w.-].)`` after it says so), then, case-blind, the
    rest of one of those words (any one: a few places too many do no harm). The regex spans only the
    letters of a word, where no other such place can be.
    """
    first = {p.lower().split()[0] for p in phrases}
    chars = sorted({c for x in first for c in (x[0], x[0].upper())})
    rests = "|".join(re.escape(r) for r in sorted({x[1:] for x in first}, key=len, reverse=True))
    return re.compile("[" + re.escape("".join(chars)) + r"](?<![\w.-].)(?i:" + rests + ")")


_RX_SPACES = re.compile(r"\s+")
_RX_WORD_CHAR = re.compile(r"\w")  # ``\b`` before a word character: no word character before it
_RX_LEFT_EDGE = re.compile(r"[\w.-]")  # the date expressions' ``(?<![\w.-])``
_RX_ALNUM_RUN = re.compile(r"[^\W_]+")  # str.isalnum() characters
_RX_DIGITS = re.compile(r"\d+")
_RX_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_RX_ASCII_LETTER_CI = re.compile(r"(?i)[a-z]")  # on non-ASCII text: the letters matching an ASCII one case-blind
_RX_YEAR = re.compile(r"(?:19|20)\d\d")
_RX_MOD_RANGE = re.compile(r"(?i)(early|mid|late)\s*-?\s*(to|and)\s")
_ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")
_SIZE_START = itemgetter(0, 1)  # a hit's (start - end, start): longest first, then leftmost
_new_atom = tuple.__new__  # ``_new_atom(_Atom, fields)``: an ``_Atom`` without the Python-level ``__new__`` call
_UNSEEN = object()  # not in a memo
#: ``bytes.translate`` table: ASCII word characters (``[a-zA-Z0-9_]``) kept, every other byte a space
_NON_WORD_TO_SPACE = bytes(b if b < 128 and (chr(b).isalnum() or b == 95) else 32 for b in range(256))
_NEAR_RELATIVE, _NEAR_WEEKDAY, _NEAR_SEASON_REL = 1, 2, 4  # ``DateFinder._near_words`` flags


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_days(y: int, m: int) -> int:
    """``calendar.monthrange(y, m)[1]`` (the number of days of the month), without the weekday it also
    computes; a month outside 1..12 raises ``ValueError`` as there."""
    if not 1 <= m <= 12:
        raise ValueError(f"bad month number {m}; must be 1-12")
    return 29 if m == 2 and calendar.isleap(y) else _MONTH_DAYS[m]


_DAYS: dict[int, dt.timedelta] = {}  # ``timedelta(days=n)`` by n (building one with a keyword costs more than the sum)


def _days(n: int) -> dt.timedelta:
    """``dt.timedelta(days=n)``, kept in ``_DAYS`` (a few hundred at most: the look-ahead days are few)."""
    step = dt.timedelta(days=n)
    if len(_DAYS) < 256:
        _DAYS[n] = step
    return step


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, _month_days(y, m))


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _value(first: dt.date | None, last: dt.date | None, precision: str) -> str | None:
    if last is None:
        return None
    if precision == "day":
        return last.isoformat()
    if precision in ("month", "week"):
        return f"{last.year:04d}-{last.month:02d}"
    return f"{last.year:04d}"


@lru_cache(maxsize=4096)
def _record_dates(first: dt.date | None, last: dt.date | None, precision: str) -> tuple[str | None, ...]:
    """A record's ``value``, ``date_start`` and ``date_end`` (pure: kept for the dates seen again)."""
    return _value(first, last, precision), _iso(first), _iso(last)


@lru_cache(maxsize=1024)
def _words(phrase: str) -> str:
    """``phrase`` lower-cased, its spaces made one space: the key of a lead word list."""
    return _RX_SPACES.sub(" ", phrase.lower())


class DateFinder:
    """Find and resolve date expressions in a text (no spaCy needed).

    Parameters
    ----------
    words_path : path, optional
        The word lists; default the packaged ``date_words.json``.

    Examples
    --------
    >>> f = DateFinder()
    >>> [(t, r["value"], r["precision"]) for _, _, t, r in f.find("on Tuesday.", "2017-09-06")]
    [('on Tuesday', '2017-09-05', 'day')]
    """

    def __init__(self, words_path: str | Path | None = None):
        with open(words_path or WORDS_PATH, encoding="utf-8") as fh:
            w = json.load(fh)
        self.words = w
        self._months = w["months"]
        self._weekdays = w["weekdays"]
        self._seasons = w["seasons"]
        self._mods = {k: v for k, v in w["part_modifiers"].items() if not k.startswith("_")}
        self._relative = {k: v for k, v in w["relative"].items() if not k.startswith("_")}
        full = [m for m in self._months if len(m) > 4 or m in ("May", "June", "July")]
        abbr = [m for m in self._months if m not in full]
        month = r"(?:" + _alt(full) + r"\b|" + _alt(abbr) + r"(?:\.|\b(?=\s+\d)))"
        month = r"(?P<m>" + month + r")"
        day = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?![\d,]?\d)"
        year = r"(?P<y>(?:19|20)\d\d)(?![\d])"
        mod = r"(?P<mod>" + _alt(self._mods, "i") + r")"
        season = r"(?P<s>" + _alt(self._seasons, "i") + r")"
        b = r"(?<![\w.-])"
        self._rx: list[tuple[re.Pattern, str]] = [
            (re.compile(b + r"(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?!\d)"), "iso"),
            (re.compile(b + month + r"\s+" + day + r"(?:\s*(?:-|and|to|through)\s*(?P<d2>[0-3]?\d)(?![\d,]?\d))?"
                        + r"(?:,?\s+" + year + r")?"), "md"),
            (re.compile(b + r"(?:(?P<d0>[0-3]?\d)\s*(?:-|and|to)\s*)?" + day + r"\s+" + month
                        + r"(?:,?\s+" + year + r")?"), "dm"),
            (re.compile(b + month + r",?\s+" + year), "my"),
            (re.compile(b + r"(?:(?i:early|mid|late)\s*-?\s*(?:to|and)\s+)?" + mod + r"(?:\s*-\s*|\s+)" + month
                        + r"(?:,?\s+" + year + r")?"), "modm"),
            (re.compile(b + mod + r"(?:\s*-\s*|\s+)" + year), "mody"),
            (re.compile(b + r"(?:(?P<mod>(?i:early|mid|late))\s*-?\s*)?" + season + r"(?:\s+of)?,?\s+" + year),
             "season_y"),
            (re.compile(b + r"(?P<rel>" + _alt(w["season_offsets"], "i") + r")\s+" + season + r"\b"), "season_rel"),
            (re.compile(b + r"(?:(?P<pre>" + _alt(w["weekday_prefixes"], "i") + r")\s+)?(?P<wd>"
                        + _alt(self._weekdays) + r")\b"), "weekday"),
            (re.compile(b + r"(?P<rel>" + _alt(self._relative, "i") + r")\b"), "relative"),
            (re.compile(b + month), "m"),
            (re.compile(b + year), "y"),
        ]
        # cheap anchors: every expression above contains one of these (on the lower-cased text)
        anchors = {m.lower()[:3] for m in self._months} | {d.lower()[:3] for d in self._weekdays} \
            | set(self._seasons) | {"today", "yesterday", "currently", "week", "month", "year", "days"}
        self._re_anchor = re.compile(r"\b(?:" + "|".join(sorted(anchors, key=len, reverse=True)) + r"|(?:19|20)\d\d)")
        # the same anchors, found faster: the words as one factored regex without the leading ``\b``
        # (checked on each hit: a hit not at a word start is dropped, and since every anchor is made of
        # word characters, such a hit cannot hide one that is) and the years on their own
        self._re_anchor_words = re.compile(_trie(anchors))
        # when every anchor is made of word characters, ``\b`` before the factored regex keeps exactly the
        # hits at a word start (no hit inside a word can cover a word start), so no filter is needed
        self._re_anchor_starts = re.compile(r"\b" + _trie(anchors)) \
            if all(re.fullmatch(r"\w+", a) for a in anchors) else None
        # the anchors with the years in one scan, led by the character before them (a space is put
        # before the text so the first word has one): ``[^a-zA-Z0-9_]`` holds every non-word character,
        # so this finds every anchor at a word start, plus hits after a non-ASCII word character, which
        # are dropped (``_anchors``). The regex engine tries a match only after such a character, not at
        # every letter as with ``\b``. A dropped hit hides no anchor: what it spans after its first
        # character is word characters, and an anchor needs a non-word character before it.
        self._re_anchor_led = re.compile(r"[^a-zA-Z0-9_](?:" + _trie(anchors) + r"|(?:19|20)\d\d)") \
            if self._re_anchor_starts is not None else None
        # The same on an ASCII text as bytes with every non-word character made a space (``_scan_text``):
        # led by a literal space, the regex engine skips to the next space at once instead of testing
        # each character against a class (about a third faster). The anchors are word characters, which
        # the translation keeps, so the matches are the same.
        body = "(?:" + _trie(anchors) + r"|(?:19|20)\d\d)"
        self._re_anchor_spaced = re.compile(b" " + body.encode("ascii")) \
            if self._re_anchor_led is not None and body.isascii() else None
        self._month3 = frozenset(m[:3] for m in self._months)  # the month leads, case as written
        # Matching in a window (see ``find``): the expressions led by a month name, a year or a digit run
        # are tried only where such a lead starts; the others only in windows holding their words.
        self._kind_rx = dict((kind, rx) for rx, kind in self._rx)
        self._re_month_lead = re.compile(_trie({m[:3] for m in self._months}))  # case as written
        # Where the expressions searched in a window can start, on plain windows (``_scan``): the first
        # words their matches can start with ("early" of "early to mid-May", "the" of "the end of May")
        parts = {"early", "mid", "late"}  # the optional "early to", "mid-" in front of some expressions
        firsts = {"modm": parts | set(self._mods), "mody": set(self._mods), "season_y": parts | set(self._seasons),
                  "season_rel": set(w["season_offsets"]), "weekday": set(w["weekday_prefixes"]) | set(self._weekdays),
                  "relative": set(self._relative)}
        self._kind_starts = {k: _starts_rx(v) for k, v in firsts.items()}
        self._mod_last = tuple(sorted({x.lower().split()[-1] for x in self._mods}))
        # each modifier's last word with the word before it, if any ("end of": "of", "end")
        tails: dict[str, set[str]] = {}
        for x in self._mods:
            ws = x.lower().split()
            tails.setdefault(ws[-1], set()).add(ws[-2] if len(ws) > 1 else "")
        self._mod_tails = tuple((k, None if "" in v else tuple(sorted(v))) for k, v in sorted(tails.items()))
        # what a window holding a match of the other expressions holds (``_scan``): for "the end of May",
        # a modifier's last words before the month; for the phrases, an anchor with the word before it,
        # or a substring (see ``_near``); for "midsummer 2017", a season's name
        self._near_relative = self._near(self._relative)
        self._near_weekday = self._near(self._weekdays)
        self._near_season_rel = self._near([f"{o} {x}" for o in w["season_offsets"] for x in self._seasons])
        self._keys_season = tuple(x.lower() for x in self._seasons)
        self._re_keys_season = re.compile("|".join(re.escape(k) for k in self._keys_season))  # one "in" the text
        # the three by anchor text, together: ``[(flag, may start a phrase, words before it), ...]``
        self._near_words: dict[str, list[tuple[int, bool, tuple[str, ...]]]] = {}
        for flag, (by_anchor, _) in ((_NEAR_RELATIVE, self._near_relative), (_NEAR_WEEKDAY, self._near_weekday),
                                     (_NEAR_SEASON_REL, self._near_season_rel)):
            for anchor, (initial, before) in by_anchor.items():
                self._near_words.setdefault(anchor, []).append((flag, initial, before))
        # the keys of the three (``_near``), for ``_search_window``: an empty tuple needs no look
        self._keys_season_rel, self._keys_weekday, self._keys_relative = \
            self._near_season_rel[1], self._near_weekday[1], self._near_relative[1]
        self._re_lead = re.compile(r"(?<![\w])(?P<lead>" + _alt(w["leads"], "i") + r")\s+$")
        # the same on lower-cased ASCII text, factored (see ``_lead``)
        leads = {x.lower() for x in w["leads"]}
        self._re_lead_low = re.compile(r"(?<![\w])(?P<lead>" + _trie(leads, r"\s+") + r")\s+$") \
            if all(re.fullmatch(r"[a-z]+(?: [a-z]+)*", x) for x in leads) else None
        # the leads' last words: a lead found there ends with one (``_lead``)
        self._lead_tails = tuple(sorted({x.split()[-1] for x in leads}))
        self._gate = {x.lower() for x in w["leads_for_bare_month_or_year"]} | {"early", "late", "mid"}
        self._openers = {x.lower() for x in w["range_openers"]}
        self._since = {x.lower() for x in w["since_words"]}
        self._re_conn = re.compile(r"\s*(?:" + _alt(w["range_connectors"], "i") + r")\s*")
        self._forward = {x.lower() for x in w.get("forward_leads", [])}
        self._forward_days = int(w.get("forward_lead_days", 0))
        self._slack_days = int(w.get("forward_slack_days", 0))

    def _near(self, phrases) -> tuple[dict[str, tuple[bool, tuple[str, ...]]], tuple[str, ...]]:
        """``(by_anchor, keys)``: what a window holding a match of one of ``phrases`` (case-blind, the
        words apart by ``\\s+``) holds, as ``_scan`` checks it.

        A phrase with an anchor word (a word at whose start the anchor regex matches: the match stays
        inside the word, anchors being made of word characters) puts that anchor at the word's start in
        the window: ``by_anchor`` maps the anchor's text to whether it may start a phrase and to the
        words that may come before it, spaces apart. A phrase without one gives its longest word, which
        the window then holds as a substring (``keys``). Without the fast anchors (``_re_anchor_led``,
        which needs anchors made of word characters) every phrase gives a key.
        """
        by_anchor: dict[str, tuple[bool, set[str]]] = {}
        keys: set[str] = set()
        for p in phrases:
            ws = p.lower().split()
            hit = [(i, m.group()) for i, m in enumerate(map(self._re_anchor_words.match, ws)) if m is not None]
            if hit and self._re_anchor_led is not None:
                i, anchor = hit[0]
                initial, before = by_anchor.get(anchor, (False, set()))
                if i:
                    before.add(ws[i - 1])
                by_anchor[anchor] = (initial or not i, before)
            else:
                keys.add(max(ws, key=len))
        return {k: (v[0], tuple(sorted(v[1]))) for k, v in by_anchor.items()}, tuple(sorted(keys))

    def _mod_before(self, low: str, lo: int, k: int) -> bool:
        """Whether a modifier may end at ``k`` in ``low[lo:]``: one's last word, and before it, spaces
        apart, the word before that in the modifier, if it has one (``str.isspace`` is ``\\s``)."""
        for last, before in self._mod_tails:
            if low.endswith(last, lo, k):
                if before is None:
                    return True
                j = k - len(last)
                i = j
                while i > lo and low[i - 1].isspace():
                    i -= 1
                if i < j and low.endswith(before, lo, i):
                    return True
        return False

    @staticmethod
    def _has_key(near, window: str) -> bool:
        """Whether ``window`` holds one of the keys of ``near`` (:meth:`_near`) as a substring."""
        for k in near[1]:
            if k in window:
                return True
        return False

    # ------------------------------------------------------------------ atoms

    def _month_no(self, s: str) -> int:
        return self._months[s.rstrip(".")]

    @staticmethod
    def _infer_year(month: int, day: int, ref: dt.date, ahead: int = 0) -> int:
        """The latest year that puts ``month``/``day`` on or before ``ref`` + ``ahead`` days.

        Dates are compared as ``(year, month, day)`` tuples, without building them; a day or month no
        date has, or a year out of range, makes no year fit, as ``dt.date`` refusing it did. The
        comparison is taken field by field: a year before the limit's fits, one after it does not, and
        in the limit's year ``(month, min(day, days in month))`` must not pass the limit's month and day
        (the minimum does not when the day or the month's length does not).
        """
        if ahead:
            step = _DAYS.get(ahead)
            if step is None:
                step = _days(ahead)
            limit = ref + step
        else:
            limit = ref
        year = ref.year
        if 1 <= month <= 12 and day >= 1:
            ly = limit.year
            for y in (year + 1, year, year - 1):
                if y > ly or not dt.MINYEAR <= y <= dt.MAXYEAR:
                    continue
                if y < ly or month < limit.month:
                    return y
                if month == limit.month and (day <= limit.day or _month_days(y, month) <= limit.day):
                    return y
        return year - 1

    def _lead(self, text: str, start: int, memo: dict[int, re.Match | None] | None = None,
              low: str | None = None) -> re.Match | None:
        """``_re_lead.search(text, max(0, start - 20), start)``: the lead words before ``start`` (a match
        on ``low``, the lower-cased text, when given: same offsets, the lead's words lower-cased).

        The lead ends with spaces up to ``start`` (``\\s+$``), so without a space (``str.isspace`` is
        ``\\s``) just before ``start`` there is none, and no regex runs. Where the text the regex sees
        (from one character before the window, for ``(?<![\\w])``) is ASCII, the case-blind alternation
        is the same as the lower-case words, factored, on ``low``: the regex engine tries far fewer
        branches at each place. Both find the leftmost place where a lead runs on to the spaces before
        ``start``; at one place all the leads that do so span the same characters, so the group is the
        same too. There a lead ends with one of the leads' last words (letters) just before the spaces
        that end at ``start`` (``\\s+`` takes them all, and a lead does not end with a space), so the
        regex runs only where the text does. ``memo``: the leads found so far in ``text``, by ``start``
        (a hit's lead is wanted to resolve it and again to output it).
        """
        if memo is not None and start in memo:
            return memo[start]
        lead = None
        if start and text[start - 1].isspace():
            lo = start - 20 if start > 20 else 0
            if low is not None and self._re_lead_low is not None and low[lo - 1 if lo else 0:start].isascii():
                j = start - 1  # the lead's last word ends where the spaces before ``start`` begin
                while j > lo and low[j - 1].isspace():
                    j -= 1
                if low.endswith(self._lead_tails, lo, j):
                    lead = self._re_lead_low.search(low, lo, start)
            else:
                lead = self._re_lead.search(text, lo, start)
        if memo is not None:
            memo[start] = lead
        return lead

    def _ahead(self, m: re.Match, memo: dict[int, re.Match | None] | None = None, low: str | None = None) -> int:
        """Days after the reference date a yearless date may lie, given the words before it."""
        lead = self._lead(m.string, m.start(), memo, low)
        if lead and _words(lead.group("lead")) in self._forward:
            return max(self._forward_days, self._slack_days)
        return self._slack_days

    def _atom(self, kind: str, m: re.Match, ref: dt.date | None,
              memo: dict[int, re.Match | None] | None = None, low: str | None = None) -> list[_Atom]:
        """The atoms (none or one) a hit of expression ``kind`` resolves to.

        The common expressions ("12 September 2017", "September 12", "September 2017", a bare month
        or year) come first, read with ``m.group`` (no ``groupdict``), their atoms built with
        ``tuple.__new__`` (the named tuple's own ``__new__`` is a Python function): the same steps in
        the same order, so the same atoms and the same errors.
        """
        s, e = m.span()
        try:
            if kind == "md" or kind == "dm":
                if kind == "md":
                    mt, d, d2, yt = m.group("m", "d", "d2", "y")
                    d0 = None
                else:
                    d0, d, mt, yt = m.group("d0", "d", "m", "y")
                    d2 = None
                mo = self._months[mt.rstrip(".")]
                d1 = int(d)
                if yt:
                    y = int(yt)
                    rel = False
                else:
                    if ref is None:
                        return [_new_atom(_Atom, (s, e, None, None, "day", True, False, False))]
                    rel = True
                    y = self._infer_year(mo, int(d2 or d1), ref, self._ahead(m, memo, low))
                if d2:
                    return [_new_atom(_Atom, (s, e, dt.date(y, mo, d1), dt.date(y, mo, int(d2)), "day", rel,
                                              False, False))]
                if d0:
                    return [_new_atom(_Atom, (s, e, dt.date(y, mo, int(d0)), dt.date(y, mo, d1), "day", rel,
                                              False, False))]
                d = dt.date(y, mo, d1)
                return [_new_atom(_Atom, (s, e, d, d, "day", rel, False, False))]
            if kind == "m":
                mo = self._months[m.group("m").rstrip(".")]
                if ref is None:
                    return [_new_atom(_Atom, (s, e, None, None, "month", True, True, False))]
                ahead = self._ahead(m, memo, low)
                y = self._infer_year(mo, 1, ref, ahead if ahead > self._slack_days else 0)
                return [_new_atom(_Atom, (s, e, dt.date(y, mo, 1), _month_end(y, mo), "month", True, True, False))]
            if kind == "y":
                y = int(m.group("y"))
                return [_new_atom(_Atom, (s, e, dt.date(y, 1, 1), dt.date(y, 12, 31), "year", False, True, False))]
            if kind == "my":
                mt, yt = m.group("m", "y")
                mo, y = self._months[mt.rstrip(".")], int(yt)
                return [_new_atom(_Atom, (s, e, dt.date(y, mo, 1), _month_end(y, mo), "month", False, False, False))]
        except (ValueError, KeyError):
            return []
        g = m.groupdict()
        try:
            if kind == "iso":
                d = dt.date(int(g["y"]), int(g["m"]), int(g["d"]))
                return [_Atom(s, e, d, d, "day", False)]
            if kind in ("md", "dm"):
                mo = self._month_no(g["m"])
                d1 = int(g["d"])
                y = int(g["y"]) if g.get("y") else None
                rel = y is None
                if y is None:
                    if ref is None:
                        return [_Atom(s, e, None, None, "day", True)]
                    last_day = int(g.get("d2") or d1)
                    y = self._infer_year(mo, last_day, ref, self._ahead(m, memo, low))
                if kind == "md" and g.get("d2"):
                    a, b2 = dt.date(y, mo, d1), dt.date(y, mo, int(g["d2"]))
                    return [_Atom(s, e, a, b2, "day", rel)]
                if kind == "dm" and g.get("d0"):
                    a, b2 = dt.date(y, mo, int(g["d0"])), dt.date(y, mo, d1)
                    return [_Atom(s, e, a, b2, "day", rel)]
                d = dt.date(y, mo, d1)
                return [_Atom(s, e, d, d, "day", rel)]
            if kind == "my":
                mo, y = self._month_no(g["m"]), int(g["y"])
                return [_Atom(s, e, dt.date(y, mo, 1), _month_end(y, mo), "month", False)]
            if kind == "modm":
                mo = self._month_no(g["m"])
                part = self._mods[_RX_SPACES.sub(" ", g["mod"].lower())]["days"]
                y = int(g["y"]) if g.get("y") else None
                rel = y is None
                if y is None:
                    if ref is None:
                        return [_Atom(s, e, None, None, "month", True)]
                    y = self._infer_year(mo, part[0], ref, self._ahead(m, memo, low))
                end = _month_end(y, mo)
                first = dt.date(y, mo, part[0])
                last = min(end, dt.date(y, mo, min(part[1], end.day)))
                if _RX_MOD_RANGE.match(m.group()):
                    lead_part = self._mods[m.group().split()[0].rstrip("-").lower()]["days"]
                    first = dt.date(y, mo, lead_part[0])
                return [_Atom(s, e, first, last, "month", rel)]
            if kind == "mody":
                y = int(g["y"])
                part = self._mods[_RX_SPACES.sub(" ", g["mod"].lower())]["months"]
                return [_Atom(s, e, dt.date(y, part[0], 1), _month_end(y, part[1]), "year", False)]
            if kind == "season_y":
                y = int(g["y"])
                return [_Atom(s, e, *self._season(g["s"].lower(), y), "season", False)]
            if kind == "season_rel":
                if ref is None:
                    return [_Atom(s, e, None, None, "season", True)]
                off = self.words["season_offsets"][_RX_SPACES.sub(" ", g["rel"].lower())]
                name = g["s"].lower()
                first, last = self._season(name, ref.year)
                if off == 0 and ref < first and self._seasons[name][0] > self._seasons[name][1]:
                    first, last = self._season(name, ref.year - 1)  # this winter, said in January
                if off < 0:
                    y = ref.year
                    while self._season(name, y)[1] >= ref:
                        y -= 1
                    first, last = self._season(name, y)
                elif off > 0:
                    y = ref.year
                    while self._season(name, y)[0] <= ref:
                        y += 1
                    first, last = self._season(name, y)
                return [_Atom(s, e, first, last, "season", True)]
            if kind == "weekday":
                if ref is None:
                    return [_Atom(s, e, None, None, "day", True)]
                wd = self._weekdays[g["wd"]]
                pre = _RX_SPACES.sub(" ", (g.get("pre") or "this").lower())
                off = self.words["weekday_prefixes"].get(pre, 0)
                back = (ref.weekday() - wd) % 7
                if off < 0 and back == 0:
                    back = 7
                d = ref - dt.timedelta(days=back)
                if off > 0:
                    d = ref + dt.timedelta(days=(wd - ref.weekday()) % 7 or 7)
                return [_Atom(s, e, d, d, "day", True)]
            if kind == "relative":
                if ref is None:
                    return [_Atom(s, e, None, None, "day", True)]
                return [self._relative_atom(s, e, _RX_SPACES.sub(" ", g["rel"].lower()), ref)]
            if kind == "m":
                mo = self._month_no(g["m"])
                if ref is None:
                    return [_Atom(s, e, None, None, "month", True, needs_lead=True)]
                ahead = self._ahead(m, memo, low)
                y = self._infer_year(mo, 1, ref, ahead if ahead > self._slack_days else 0)
                return [_Atom(s, e, dt.date(y, mo, 1), _month_end(y, mo), "month", True, needs_lead=True)]
            if kind == "y":
                y = int(g["y"])
                return [_Atom(s, e, dt.date(y, 1, 1), dt.date(y, 12, 31), "year", False, needs_lead=True)]
        except (ValueError, KeyError):
            return []
        return []

    def _season(self, name: str, year: int) -> tuple[dt.date, dt.date]:
        a, b = self._seasons[name]
        if a <= b:
            return dt.date(year, a, 1), _month_end(year, b)
        return dt.date(year, a, 1), _month_end(year + 1, b)

    def _relative_atom(self, s: int, e: int, phrase: str, ref: dt.date) -> _Atom:
        spec = self._relative[phrase]
        kind, off = spec["kind"], spec["offset"]
        if kind == "day":
            d = ref + dt.timedelta(days=off)
            return _Atom(s, e, d, d, "day", True)
        if kind == "reporting_week":
            return _Atom(s, e, ref - dt.timedelta(days=6), ref, "week", True)
        if kind == "week":
            monday = ref - dt.timedelta(days=ref.weekday()) + dt.timedelta(weeks=off)
            return _Atom(s, e, monday, monday + dt.timedelta(days=6), "week", True)
        if kind == "weekend":
            sunday = ref - dt.timedelta(days=(ref.weekday() + 1) % 7 or 7) if off < 0 \
                else ref + dt.timedelta(days=6 - ref.weekday())
            return _Atom(s, e, sunday - dt.timedelta(days=1), sunday, "week", True)
        if kind == "month":
            y, mo = ref.year, ref.month + off
            while mo < 1:
                y, mo = y - 1, mo + 12
            while mo > 12:
                y, mo = y + 1, mo - 12
            return _Atom(s, e, dt.date(y, mo, 1), _month_end(y, mo), "month", True)
        y = ref.year + off
        return _Atom(s, e, dt.date(y, 1, 1), dt.date(y, 12, 31), "year", True)

    # ------------------------------------------------------------------ find

    def find(self, text: str, reference: str | dt.date | None = None) -> list[tuple[int, int, str, dict[str, Any]]]:
        """Date expressions in ``text``.

        Parameters
        ----------
        text : str
            The (match) text.
        reference : ISO str or date, optional
            The date relative words resolve against; without it they get ``value`` None.

        Returns
        -------
        list of (start, end, text, record)
            Character offsets, the words and the ``span._.conflict`` record, in text order.
        """
        ref = dt.date.fromisoformat(reference) if isinstance(reference, str) else reference
        low = self._lower(text)
        if self._re_anchor_led is not None:
            hits = self._scan_text(text, low)
        else:
            hits = self._scan_windows(text, low, self._windows_anchors(text, low=low))
        # longest first, no overlaps; an atom spans its match, so only the hits that find room are
        # resolved (a hit that resolves to nothing, "February 30", leaves the room to the next)
        hits.sort(key=_SIZE_START)
        chosen: list[_Atom] = []
        taken = bytearray(len(text))
        leads: dict[int, re.Match | None] = {}
        atom = self._atom
        for neg, s, kind, m in hits:
            e = s - neg
            if taken.find(1, s, e) < 0:
                got = atom(kind, m, ref, leads, low)
                if got:
                    taken[s:e] = b"\x01" * (e - s)
                    chosen += got
        chosen.sort()  # by start: the atoms do not overlap
        out: list[tuple[int, int, str, dict[str, Any]]] = []
        append = out.append
        openers, gate, since = self._openers, self._gate, self._since
        conn = self._re_conn.fullmatch
        n = len(chosen)
        i = 0
        while i < n:
            a = chosen[i]
            a_start = a.start
            lead_m = leads.get(a_start, _UNSEEN)
            if lead_m is _UNSEEN:
                lead_m = self._lead(text, a_start, leads, low)
            if lead_m:
                lead = _words(lead_m.group("lead"))
                start = lead_m.start()
            else:
                lead = None
                start = a_start
            # a period: "between A and B", "from A to B"
            if i + 1 < n and lead in openers:
                b = chosen[i + 1]
                if conn(text, a.end, b.start):
                    a2 = self._align_range(a, b)
                    append(self._record(text, start, b.end, a2.first, b.last, b.precision,
                                        a.relative or b.relative))
                    i += 2
                    continue
            i += 1
            if a.needs_lead and lead not in gate:
                continue
            first, last, prec, rel = a.first, a.last, a.precision, a.relative
            if lead in since and ref is not None and first is not None:
                last, prec, rel = ref, "day", True
            # ``_record``, inline, and ``_record_dates`` computed (a memo of it misses for every date
            # resolved against the reference date): ``isoformat`` writes the year with four digits, so
            # the month's and year's values are the first 7 and 4 characters of the last day's
            if last is None:
                value = date_end = None
            else:
                date_end = last.isoformat()
                value = date_end if prec == "day" else date_end[:7] if prec in ("month", "week") else date_end[:4]
            date_start = first.isoformat() if first else None
            end = a.end
            append((start, end, text[start:end], {"canonical": value or "", "value": value, "date_start": date_start,
                                                  "date_end": date_end, "precision": prec, "relative": bool(rel)}))
        return out

    @staticmethod
    def _lower(text: str) -> str:
        low = text.lower()
        if len(low) != len(text):  # a character whose lower case is longer: keep offsets aligned
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        return low

    def _anchors(self, low: str) -> list[tuple[int, int]]:
        """``(start, end)`` of the matches of ``_re_anchor`` in ``low``, in order (found faster)."""
        is_word = _RX_WORD_CHAR.match
        if self._re_anchor_led is not None:
            # offsets in " " + low are one past the hit's leading character: the anchor's own offsets
            out = [(m.start(), m.end() - 1) for m in self._re_anchor_led.finditer(" " + low)]
            if not low.isascii():  # a hit after a non-ASCII word character is not at a word start
                out = [a for a in out if not a[0] or not is_word(low, a[0] - 1)]
            return out
        out = [(m.start(), m.end()) for m in self._re_anchor_words.finditer(low)
               if not m.start() or not is_word(low, m.start() - 1)]
        years = [(m.start(), m.end()) for m in _RX_YEAR.finditer(low)
                 if not m.start() or not is_word(low, m.start() - 1)]
        if years:
            out.extend(years)
            out.sort()
        return out

    def _windows(self, text: str, before: int = 24, after: int = 40, low: str | None = None) -> list[tuple[int, int]]:
        """Stretches of text around date anchors (month and weekday names, years, "week" ...)."""
        return [(lo, hi) for lo, hi, _ in self._windows_anchors(text, before, after, low)]

    def _windows_anchors(self, text: str, before: int = 24, after: int = 40,
                         low: str | None = None) -> list[tuple[int, int, list[tuple[int, int]]]]:
        """:meth:`_windows`, each with the anchors it was built from (all the anchors inside it: the
        windows are apart, and an anchor lies in the window it joins)."""
        out: list[list] = []
        size = len(text)
        isalnum = str.isalnum
        for a in self._anchors(self._lower(text) if low is None else low):
            s, e = a
            hi = e + after
            if hi >= size:
                hi = size
            elif isalnum(text[hi - 1]) and isalnum(text[hi]):  # end windows on a word boundary
                hi = _RX_ALNUM_RUN.match(text, hi).end()
            lo = s - before if s > before else 0
            if out and lo <= out[-1][1] + 120:  # fewer, longer windows: fewer regex calls
                w = out[-1]
                if hi > w[1]:  # (the start moved back below would not change this)
                    w[1] = hi
                w[2].append(a)
                continue
            while lo > 0 and not text[lo - 1].isspace():  # start windows on a word boundary
                lo -= 1
            if out and lo <= out[-1][1] + 120:
                w = out[-1]
                if hi > w[1]:
                    w[1] = hi
                w[2].append(a)
            else:
                out.append([lo, hi, [a]])
        return [(lo, hi, anchors) for lo, hi, anchors in out]

    def _scan(self, text: str, low: str, lo: int, hi: int, hits: list,
              anchors: list[tuple[int, int]] | None = None) -> None:
        """Append ``(start - end, start, kind, match)`` for every expression's matches in ``text[lo:hi]``:
        for each expression in ``_rx`` order, the matches ``rx.finditer(text, lo, hi)`` gives, found with
        fewer regex calls. ``anchors``: the window's anchors (default: found anew).

        An expression led by a month name, a year or a digit is tried (``rx.match``) only where such a
        lead starts, moving on from each match's end as ``finditer`` does. Each opens with
        ``(?<![\\w.-])``, so it starts at a word start, where a month name or a year is an anchor: the
        leads are taken from the window's anchors. Inside a match, the month name of "day month" and
        "mid-month" and the year of "mid-2017" and "summer 2017" follow a space or a hyphen: they are
        anchors too, and without one those expressions are not tried; "day month" is tried only when a
        month name follows a digit, an ordinal suffix and spaces, "2017-09-06" where a hyphen follows
        the year, "May 2017" where the next anchor is a year after spaces. A lead left out is one where
        the expression cannot match, so the matches and the places ``finditer`` moves on from are the
        same.

        The other expressions (case-blind words) are tried only in windows that may hold a match, on
        a window where those words can only match ASCII letters (``plain``: ASCII, or without the few
        other letters that match an ASCII letter case-blind: long s, Kelvin sign; other windows are searched
        whole), judged on the lower-cased text: "mid-May", "the end of 2017" need a modifier's last word
        with spaces or a hyphen before a month name or year; "summer 2017" a year and a season's name;
        the words of the others, an anchor they hold with the word before it (:meth:`_near`). There
        they are tried only where one of their first words starts (:func:`_starts_rx`), as the others.
        Each test is one a window holding a match passes, so no match is lost.
        """
        if anchors is None:
            anchors = [a for a in self._anchors(low) if lo <= a[0] < hi]
        hits.extend(self._scan_windows(text, low, [(lo, hi, anchors)]))

    #: the expressions :meth:`_scan` searches in the windows that may hold them, in ``_rx`` order
    _SEARCHED = ("modm", "mody", "season_y", "season_rel", "weekday", "relative")

    def _scan_windows(self, text: str, low: str, windows: list[tuple[int, int, list[tuple[int, int]]]]) -> list:
        """:meth:`_scan` of every window (``(lo, hi, anchors)``, in text order, apart), in one pass.

        Each expression is tried with one loop over the places it may start in all the windows, each
        place with its own window's end (``rx.match(text, p, hi)``), instead of a loop per window and
        expression: the windows are apart and a match ends inside its window, so moving on from a
        match's end across windows skips no place ``_scan`` would try. The hits come expression by
        expression (``_rx`` order), each expression's in text order: two hits with the same start are
        in one window, in the order :meth:`_scan` gives them, so sorting by size and start (stable)
        orders them as before.
        """
        fast = self._re_anchor_led is not None
        month3 = self._month3
        mod_last = self._mod_last
        near_words = self._near_words
        kind_starts = self._kind_starts
        # where each expression is tried: ``(window end, places)`` by window, in text order
        c_iso: list[tuple[int, list[int]]] = []
        c_md: list[tuple[int, list[int]]] = []
        c_dm: list[tuple[int, list[int]]] = []
        c_my: list[tuple[int, list[int]]] = []
        c_m: list[tuple[int, list[int]]] = []
        c_y: list[tuple[int, list[int]]] = []
        re_season = self._re_keys_season
        keys_season_rel, keys_weekday, keys_relative = \
            self._near_season_rel[1], self._near_weekday[1], self._near_relative[1]
        # the other expressions: the windows they are searched in, each with the places tried there (None:
        # the whole window)
        searched: dict[str, list[tuple[int, int, list[int] | None]]] = {k: [] for k in self._SEARCHED}
        ascii_text = low.isascii()
        for lo, hi, anchors in windows:
            if fast:
                plain = ascii_text or low[lo:hi].isascii() \
                    or not _RX_ASCII_LETTER_CI.search("".join(_RX_NON_ASCII.findall(text, lo, hi)))
            else:  # anchors not all made of word characters: no shortcut taken from them
                anchors = []
                plain = False
            # one pass over the anchors: the month names and years, those of them a year follows (spaces
            # apart: "May 2017", "Sept. 2017"; the next anchor, as none starts inside such a match), and the
            # gates of the other expressions
            months: list[int] = []
            years: list[int] = []
            years_after: list[int] = []  # the month names the next anchor, a year after a space, follows
            mod = False
            near = 0
            prev_month = -1
            for s, e in anchors:
                if low[s].isdigit():
                    years.append(s)
                    if prev_month >= 0 and text[s - 1].isspace():
                        years_after.append(prev_month)
                    prev_month = -1
                    lead = True
                elif text[s:s + 3] in month3:
                    months.append(s)
                    prev_month = s
                    lead = True
                else:
                    prev_month = -1
                    lead = False
                if not plain:
                    continue
                got = near_words.get(low[s:e])
                if got is None and not (lead and not mod):
                    continue
                j = s  # the spaces before the anchor
                while j > lo and low[j - 1].isspace():
                    j -= 1
                if lead and not mod:  # a modifier's last word, then spaces or a hyphen, then the month or year
                    k = j
                    if k > lo and low[k - 1] == "-":
                        k -= 1
                        while k > lo and low[k - 1].isspace():
                            k -= 1
                    mod = k < s and low.endswith(mod_last, lo, k) and self._mod_before(low, lo, k)
                if got is not None:
                    for flag, initial, before in got:
                        if initial or (j < s and low.endswith(before, lo, j)):
                            near |= flag
            if not fast:
                months = years_after = [m.start() for m in self._re_month_lead.finditer(text, lo, hi)]
                years = [m.start() for m in _RX_YEAR.finditer(text, lo, hi)]
            if plain:  # (a key "in" the window: ``_has_key``, asked only when the anchors did not tell)
                gates = (
                    ("modm", bool(months) and mod),
                    ("mody", bool(years) and mod),
                    ("season_y", bool(years) and re_season.search(low, lo, hi) is not None),
                    ("season_rel", bool(near & _NEAR_SEASON_REL)
                     or bool(keys_season_rel) and self._has_key(self._near_season_rel, low[lo:hi])),
                    ("weekday", bool(near & _NEAR_WEEKDAY)
                     or bool(keys_weekday) and self._has_key(self._near_weekday, low[lo:hi])),
                    ("relative", bool(near & _NEAR_RELATIVE)
                     or bool(keys_relative) and self._has_key(self._near_relative, low[lo:hi])),
                )
            else:
                gates = (("modm", bool(months)), ("mody", bool(years)), ("season_y", bool(years)),
                         ("season_rel", True), ("weekday", True), ("relative", True))
            for kind, gate in gates:
                if gate:  # in a plain window, tried where a match can start (see ``_starts_rx``)
                    searched[kind].append((lo, hi, [m.start() for m in kind_starts[kind].finditer(text, lo, hi)]
                                           if plain else None))
            if years:
                c_iso.append((hi, [s for s in years if text.startswith("-", s + 4)]))  # a hyphen after the year
                c_y.append((hi, years))
            if months:
                c_md.append((hi, months))
                for s in months:  # ``_after_day`` of one of them, inline
                    j = s
                    while j > lo and text[j - 1].isspace():
                        j -= 1
                    if j == s or j <= lo:
                        continue
                    if text[j - 2:j] in _ORDINAL_SUFFIXES:
                        j -= 2
                    if j > lo and text[j - 1].isdigit():
                        c_dm.append((hi, [m.start() for m in _RX_DIGITS.finditer(text, lo, hi)]))
                        break
                c_my.append((hi, years_after))
                c_m.append((hi, months))

        rx = self._kind_rx
        hits: list = []
        append = hits.append

        def led(kind: str, starts: list[tuple[int, list[int]]]) -> None:
            match = rx[kind].match
            pos = 0
            for hi, places in starts:
                for p in places:
                    if p >= pos:
                        m = match(text, p, hi)
                        if m is not None:
                            pos = m.end()
                            append((p - pos, p, kind, m))

        led("iso", c_iso)
        led("md", c_md)
        led("dm", c_dm)
        led("my", c_my)
        for kind, where in searched.items():
            rx_kind = rx[kind]
            for lo, hi, starts in where:
                if starts is None:
                    for m in rx_kind.finditer(text, lo, hi):
                        s, e = m.span()
                        append((s - e, s, kind, m))
                    continue
                match = rx_kind.match
                pos = lo
                for p in starts:
                    if p >= pos:
                        m = match(text, p, hi)
                        if m is not None:
                            pos = m.end()
                            append((p - pos, p, kind, m))
        led("m", c_m)
        led("y", c_y)
        return hits

    def _scan_text(self, text: str, low: str) -> list:
        """``self._scan_windows(text, low, self._windows_anchors(text, low=low))`` in one pass (the fast
        anchors only: ``_re_anchor_led`` set), the same hits in an order that sorts the same.

        The anchors are read off the regex as it finds them and the windows built as there; each window
        is searched as soon as it is complete (no later anchor joins it), every expression in ``_rx``
        order, as :meth:`_scan_windows` does. Its hits come window by window instead of expression by
        expression: two hits with the same start and size are in one window, in ``_rx`` order both
        ways, so the stable sort by size and start puts all hits in the same order. A match ends inside
        its window and the windows are apart, so each expression starts afresh in each window (moving on
        from a match's end never reaches the next window). This saves building the lists of anchors,
        windows and places and walking them again. On an ASCII text the anchors are found on its bytes
        (``_re_anchor_spaced``).

        >>> f = get_finder()
        >>> for t in ("In mid-June 2017, last week; on Monday 3-5 May and 1 to 17 September 2017 (2017-09-06).",
        ...           "Spring 2016 \u017fpring, \u212a 20\u0661\u0667 Sept. 3 earlier this spring, as of 7 May"):
        ...     low = f._lower(t)
        ...     one = sorted(f._scan_text(t, low), key=_SIZE_START)
        ...     two = sorted(f._scan_windows(t, low, f._windows_anchors(t, low=low)), key=_SIZE_START)
        ...     print(len(one), [(k, m.span()) for _, _, k, m in one] == [(k, m.span()) for _, _, k, m in two])
        12 True
        8 True
        """
        hits: list = []
        size = len(text)
        isalnum = str.isalnum
        is_word = _RX_WORD_CHAR.match
        ascii_text = low.isascii()
        search = self._search_window
        lo = hi = -1
        anchors: list[tuple[int, int]] = []
        # offsets in " " + low are one past the hit's leading character: ``(start, end + 1)`` of the anchor
        # (listed first: a comprehension reads them faster than the loop below would)
        if ascii_text and self._re_anchor_spaced is not None:
            found = self._re_anchor_spaced.finditer(b" " + low.encode("ascii").translate(_NON_WORD_TO_SPACE))
        else:
            found = self._re_anchor_led.finditer(" " + low)
        for s, e in [am.span() for am in found]:
            if not ascii_text and s and is_word(low, s - 1):  # not at a word start (``_anchors``)
                continue
            e -= 1
            # the window around the anchor (``_windows_anchors``)
            a_hi = e + 40
            if a_hi >= size:
                a_hi = size
            elif isalnum(text[a_hi - 1]) and isalnum(text[a_hi]):
                a_hi = _RX_ALNUM_RUN.match(text, a_hi).end()
            a_lo = s - 24 if s > 24 else 0
            if hi >= 0 and a_lo <= hi + 120:
                if a_hi > hi:
                    hi = a_hi
                anchors.append((s, e))
                continue
            while a_lo > 0 and not text[a_lo - 1].isspace():
                a_lo -= 1
            if hi >= 0 and a_lo <= hi + 120:
                if a_hi > hi:
                    hi = a_hi
                anchors.append((s, e))
                continue
            if hi >= 0:
                search(text, low, lo, hi, anchors, ascii_text, hits)
            lo, hi, anchors = a_lo, a_hi, [(s, e)]
        if hi >= 0:
            search(text, low, lo, hi, anchors, ascii_text, hits)
        return hits

    def _search_window(self, text: str, low: str, lo: int, hi: int, anchors: list[tuple[int, int]],
                       ascii_text: bool, hits: list) -> None:
        """Append the hits of one window (``(lo, hi, anchors)``) to ``hits``, every expression in ``_rx``
        order: the body of :meth:`_scan_windows`'s loop (fast anchors) with its matching, for one window.
        ``ascii_text``: whether the whole (lower-cased) text is ASCII."""
        plain = ascii_text or low[lo:hi].isascii() \
            or not _RX_ASCII_LETTER_CI.search("".join(_RX_NON_ASCII.findall(text, lo, hi)))
        month3 = self._month3
        near_words = self._near_words
        mod_last = self._mod_last
        months: list[int] = []
        years: list[int] = []
        years_after: list[int] = []
        mod = False
        near = 0
        prev_month = -1
        for s, e in anchors:
            if low[s].isdigit():
                years.append(s)
                if prev_month >= 0 and text[s - 1].isspace():
                    years_after.append(prev_month)
                prev_month = -1
                lead = True
            elif text[s:s + 3] in month3:
                months.append(s)
                prev_month = s
                lead = True
            else:
                prev_month = -1
                lead = False
            if not plain:
                continue
            got = near_words.get(low[s:e])
            if got is None and not (lead and not mod):
                continue
            j = s  # the spaces before the anchor
            while j > lo and low[j - 1].isspace():
                j -= 1
            if lead and not mod:  # a modifier's last word, then spaces or a hyphen, then the month or year
                k = j
                if k > lo and low[k - 1] == "-":
                    k -= 1
                    while k > lo and low[k - 1].isspace():
                        k -= 1
                mod = k < s and low.endswith(mod_last, lo, k) and self._mod_before(low, lo, k)
            if got is not None:
                for flag, initial, before in got:
                    if initial or (j < s and low.endswith(before, lo, j)):
                        near |= flag
        rx = self._kind_rx
        append = hits.append
        if years:
            match = rx["iso"].match
            pos = 0
            for p in years:
                if p >= pos and text.startswith("-", p + 4):  # a hyphen after the year
                    m = match(text, p, hi)
                    if m is not None:
                        pos = m.end()
                        append((p - pos, p, "iso", m))
        if months:
            match = rx["md"].match
            pos = 0
            for p in months:
                if p >= pos:
                    m = match(text, p, hi)
                    if m is not None:
                        pos = m.end()
                        append((p - pos, p, "md", m))
            for s in months:  # ``_after_day`` of one of them, inline
                j = s
                while j > lo and text[j - 1].isspace():
                    j -= 1
                if j == s or j <= lo:
                    continue
                if text[j - 2:j] in _ORDINAL_SUFFIXES:
                    j -= 2
                if j > lo and text[j - 1].isdigit():
                    match = rx["dm"].match
                    pos = 0
                    for dg in _RX_DIGITS.finditer(text, lo, hi):
                        p = dg.start()
                        if p >= pos:
                            m = match(text, p, hi)
                            if m is not None:
                                pos = m.end()
                                append((p - pos, p, "dm", m))
                    break
            if years_after:
                match = rx["my"].match
                pos = 0
                for p in years_after:
                    if p >= pos:
                        m = match(text, p, hi)
                        if m is not None:
                            pos = m.end()
                            append((p - pos, p, "my", m))
        # the other expressions, in windows that may hold them (see ``_scan``), in ``_rx`` order; a key
        # "in" the window is looked for with ``find`` within its bounds (no slice, no regex)
        if plain:
            starts = self._search_starts
            if mod:
                if months:
                    starts("modm", text, lo, hi, hits)
                if years:
                    starts("mody", text, lo, hi, hits)
            if years:
                for k in self._keys_season:
                    if low.find(k, lo, hi) >= 0:
                        starts("season_y", text, lo, hi, hits)
                        break
            if near & _NEAR_SEASON_REL or self._keys_season_rel and self._has_key_in(self._near_season_rel, low, lo, hi):
                starts("season_rel", text, lo, hi, hits)
            if near & _NEAR_WEEKDAY or self._keys_weekday and self._has_key_in(self._near_weekday, low, lo, hi):
                starts("weekday", text, lo, hi, hits)
            if near & _NEAR_RELATIVE or self._keys_relative and self._has_key_in(self._near_relative, low, lo, hi):
                starts("relative", text, lo, hi, hits)
        else:
            for kind, gate in (("modm", bool(months)), ("mody", bool(years)), ("season_y", bool(years)),
                               ("season_rel", True), ("weekday", True), ("relative", True)):
                if gate:
                    for m in rx[kind].finditer(text, lo, hi):
                        s, e = m.span()
                        append((s - e, s, kind, m))
        if months:
            match = rx["m"].match
            pos = 0
            for p in months:
                if p >= pos:
                    m = match(text, p, hi)
                    if m is not None:
                        pos = m.end()
                        append((p - pos, p, "m", m))
        if years:
            match = rx["y"].match
            pos = 0
            for p in years:
                if p >= pos:
                    m = match(text, p, hi)
                    if m is not None:
                        pos = m.end()
                        append((p - pos, p, "y", m))

    def _search_starts(self, kind: str, text: str, lo: int, hi: int, hits: list) -> None:
        """Append the hits of expression ``kind`` in the plain window ``text[lo:hi]``, tried where a match
        can start (:func:`_starts_rx`), moving on from each match's end as ``finditer`` does."""
        match = self._kind_rx[kind].match
        append = hits.append
        pos = lo
        for sm in self._kind_starts[kind].finditer(text, lo, hi):
            p = sm.start()
            if p >= pos:
                m = match(text, p, hi)
                if m is not None:
                    pos = m.end()
                    append((p - pos, p, kind, m))

    @staticmethod
    def _has_key_in(near, low: str, lo: int, hi: int) -> bool:
        """``_has_key(near, low[lo:hi])`` without the slice (``find`` within bounds: the same test)."""
        for k in near[1]:
            if low.find(k, lo, hi) >= 0:
                return True
        return False

    @staticmethod
    def _after_day(text: str, s: int, lo: int) -> bool:
        """Whether the month name at ``s`` may end a "day month" match: spaces before it, and before
        them a digit, with or without an ordinal suffix ("3 May", "21st\\nJune"). ``str.isspace`` is
        ``\\s``; ``str.isdigit`` holds for every ``\\d`` (and a few more)."""
        j = s
        while j > lo and text[j - 1].isspace():
            j -= 1
        if j == s or j <= lo:
            return False
        if text[j - 2:j] in _ORDINAL_SUFFIXES:
            j -= 2
        return j > lo and text[j - 1].isdigit()

    @staticmethod
    def _align_range(a: _Atom, b: _Atom) -> _Atom:
        """Put a period's beginning before its end when the beginning's year was inferred."""
        if a.first and b.last and a.relative and a.first > b.last:
            try:
                return a._replace(first=a.first.replace(year=a.first.year - 1),
                                  last=a.last.replace(year=a.last.year - 1) if a.last else None)
            except ValueError:
                return a
        return a

    @staticmethod
    def _record(text: str, start: int, end: int, first: dt.date | None, last: dt.date | None,
                precision: str, relative: bool) -> tuple[int, int, str, dict[str, Any]]:
        value, date_start, date_end = _record_dates(first, last, precision)
        rec = {"canonical": value or "", "value": value, "date_start": date_start, "date_end": date_end,
               "precision": precision, "relative": bool(relative)}
        return start, end, text[start:end], rec


@lru_cache(maxsize=2)
def get_finder() -> DateFinder:
    """The packaged finder, built once per process."""
    return DateFinder()


def find_dates(text: str, reference: str | dt.date | None = None) -> list[tuple[int, int, str, dict[str, Any]]]:
    """Date expressions in ``text`` resolved against ``reference`` (see :meth:`DateFinder.find`)."""
    return get_finder().find(text, reference)


class DateTagger:
    """spaCy component: ``doc.spans["dates"]`` (see module docstring)."""

    def __init__(self, finder: DateFinder):
        self.finder = finder

    def __call__(self, doc: Doc) -> Doc:
        text = _doc_text(doc)
        doc.spans["dates"] = token_spans(doc, text, self.finder.find(text, _reference_date(doc)))
        return doc


#: ``doc.user_data`` key of ``doc._.reference_date`` (where spaCy keeps a plain extension's value)
_REFERENCE_KEY = ("._.", "reference_date", None, None)


def _reference_date(doc: Doc) -> Any:
    """``doc._.reference_date``, read from ``doc.user_data`` without building an ``Underscore`` object
    (a few microseconds a document) when it is a plain extension (a default, no getter, setter or
    method, as :func:`conflict_lib.pipeline.ensure_extensions` registers it) and spaCy keeps such values
    under ``_REFERENCE_KEY`` (checked by :mod:`conflict_lib.pipeline`; otherwise through ``doc._``)."""
    ext = Doc.get_extension("reference_date")
    if ext is not None and ext[1] is None and ext[2] is None and ext[3] is None \
            and getattr(_pipeline, "_FAST_DOC_EXTENSION", False):
        user_data = doc.user_data
        return user_data[_REFERENCE_KEY] if _REFERENCE_KEY in user_data else copy.copy(ext[0])
    return doc._.reference_date


def token_spans(doc: Doc, text: str, found: list[tuple[int, int, str, Any]]) -> list[Span]:
    """Spans over the tokens holding each ``(start, end, text, record)`` hit, records attached, each
    span's ``end_char`` set back to the end of the words when its last token runs on past them with
    punctuation ("2017.[41][42" is one token): :func:`conflict_lib.pipeline.char_spans` with ``trim_end``.
    """
    return _pipeline.char_spans(doc, text, found, trim_end=True)


def make_date_tagger(nlp: Language, name: str, words_path: str | None) -> DateTagger:
    """Factory for ``conflict_dates_v1``.

    Parameters
    ----------
    nlp : Language
        The pipeline.
    name : str
        Component name.
    words_path : str, optional
        Another word list than the packaged ``date_words.json``.
    """
    return DateTagger(get_finder() if words_path is None else DateFinder(words_path))


Language.factory("conflict_dates_v1", default_config={"words_path": None}, func=make_date_tagger)
