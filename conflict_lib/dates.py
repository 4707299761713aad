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
import datetime as dt
import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import pipeline as _pipeline
from .pipeline import doc_text as _doc_text
from .paths import PACKAGE_DATA

_pipeline.ensure_extensions()

#: The date words.
WORDS_PATH = PACKAGE_DATA / "date_words.json"


@dataclass(frozen=True)
class _Atom:
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


def _gate_words(phrases) -> dict[str, tuple[frozenset[str], ...]]:
    """The lower-case words of each phrase, by its longest word."""
    out: dict[str, set[frozenset[str]]] = {}
    for p in phrases:
        ws = p.lower().split()
        out.setdefault(max(ws, key=len), set()).add(frozenset(ws))
    return {k: tuple(sorted(v, key=sorted)) for k, v in out.items()}


def _has_phrase(words: set[str], gate: dict[str, tuple[frozenset[str], ...]]) -> bool:
    """Whether ``words`` holds all the words of one of the phrases of ``gate``."""
    for key in words.intersection(gate):
        for ws in gate[key]:
            if ws <= words:
                return True
    return False


_RX_SPACES = re.compile(r"\s+")
_RX_WORD_CHAR = re.compile(r"\w")  # ``\b`` before a word character: no word character before it
_RX_LEFT_EDGE = re.compile(r"[\w.-]")  # the date expressions' ``(?<![\w.-])``
_RX_ALNUM_RUN = re.compile(r"[^\W_]+")  # str.isalnum() characters
_RX_DIGITS = re.compile(r"\d+")
_RX_WORD = re.compile(r"\w+")
_RX_YEAR = re.compile(r"(?:19|20)\d\d")
_RX_MOD_RANGE = re.compile(r"(?i)(early|mid|late)\s*-?\s*(to|and)\s")


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


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
        # Matching in a window (see ``find``): the expressions led by a month name, a year or a digit run
        # are tried only where such a lead starts; the others only in windows holding their words.
        self._kind_rx = dict((kind, rx) for rx, kind in self._rx)
        self._re_month_lead = re.compile(_trie({m[:3] for m in self._months}))  # case as written
        self._gate_mod = _gate_words(self._mods)
        self._gate_season = frozenset(x.lower() for x in self._seasons) | frozenset(
            p + x.lower() for p in ("early", "mid", "late") for x in self._seasons)
        self._gate_season_rel = _gate_words(w["season_offsets"])
        self._gate_weekday = frozenset(x.lower() for x in self._weekdays)
        self._gate_relative = _gate_words(self._relative)
        self._re_lead = re.compile(r"(?<![\w])(?P<lead>" + _alt(w["leads"], "i") + r")\s+$")
        self._gate = {x.lower() for x in w["leads_for_bare_month_or_year"]} | {"early", "late", "mid"}
        self._openers = {x.lower() for x in w["range_openers"]}
        self._since = {x.lower() for x in w["since_words"]}
        self._re_conn = re.compile(r"\s*(?:" + _alt(w["range_connectors"], "i") + r")\s*")
        self._forward = {x.lower() for x in w.get("forward_leads", [])}
        self._forward_days = int(w.get("forward_lead_days", 0))
        self._slack_days = int(w.get("forward_slack_days", 0))

    # ------------------------------------------------------------------ atoms

    def _month_no(self, s: str) -> int:
        return self._months[s.rstrip(".")]

    @staticmethod
    def _infer_year(month: int, day: int, ref: dt.date, ahead: int = 0) -> int:
        """The latest year that puts ``month``/``day`` on or before ``ref`` + ``ahead`` days."""
        limit = ref + dt.timedelta(days=ahead)
        for y in (ref.year + 1, ref.year, ref.year - 1):
            try:
                if dt.date(y, month, min(day, calendar.monthrange(y, month)[1])) <= limit:
                    return y
            except ValueError:
                continue
        return ref.year - 1

    def _ahead(self, m: re.Match) -> int:
        """Days after the reference date a yearless date may lie, given the words before it."""
        lead = self._re_lead.search(m.string, max(0, m.start() - 20), m.start())
        if lead and _RX_SPACES.sub(" ", lead.group("lead").lower()) in self._forward:
            return max(self._forward_days, self._slack_days)
        return self._slack_days

    def _atom(self, kind: str, m: re.Match, ref: dt.date | None) -> list[_Atom]:
        g = m.groupdict()
        s, e = m.start(), m.end()
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
                    y = self._infer_year(mo, last_day, ref, self._ahead(m))
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
                    y = self._infer_year(mo, part[0], ref, self._ahead(m))
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
                ahead = self._ahead(m)
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
        hits: list[tuple[int, int, str, re.Match]] = []
        low = self._lower(text)
        for lo, hi in self._windows(text, low=low):
            self._scan(text, low, lo, hi, hits)
        # longest first, no overlaps; an atom spans its match, so only the hits that find room are
        # resolved (a hit that resolves to nothing, "February 30", leaves the room to the next)
        hits.sort(key=lambda h: (h[0], h[1]))
        chosen: list[_Atom] = []
        taken = bytearray(len(text))
        for neg, s, kind, m in hits:
            e = s - neg
            if taken.find(1, s, e) < 0:
                for a in self._atom(kind, m, ref):
                    taken[s:e] = b"\x01" * (e - s)
                    chosen.append(a)
        chosen.sort(key=lambda a: a.start)
        out: list[tuple[int, int, str, dict[str, Any]]] = []
        i = 0
        while i < len(chosen):
            a = chosen[i]
            lead_m = self._re_lead.search(text, max(0, a.start - 20), a.start)
            lead = _RX_SPACES.sub(" ", lead_m.group("lead").lower()) if lead_m else None
            start = lead_m.start() if lead_m else a.start
            # a period: "between A and B", "from A to B"
            if i + 1 < len(chosen) and lead in self._openers:
                b = chosen[i + 1]
                if self._re_conn.fullmatch(text, a.end, b.start):
                    a2 = self._align_range(a, b)
                    out.append(self._record(text, start, b.end, a2.first, b.last, b.precision,
                                            a.relative or b.relative))
                    i += 2
                    continue
            if a.needs_lead and lead not in self._gate:
                i += 1
                continue
            first, last, prec, rel = a.first, a.last, a.precision, a.relative
            if lead in self._since and ref is not None and first is not None:
                last, prec, rel = ref, "day", True
            out.append(self._record(text, start, a.end, first, last, prec, rel))
            i += 1
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
        if self._re_anchor_starts is not None:
            out = [m.span() for m in self._re_anchor_starts.finditer(low)]
        else:
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
        out: list[list[int]] = []
        size = len(text)
        for s, e in self._anchors(self._lower(text) if low is None else low):
            hi = min(size, e + after)
            if hi < size and text[hi - 1].isalnum() and text[hi].isalnum():  # end windows on a word boundary
                hi = _RX_ALNUM_RUN.match(text, hi).end()
            lo = max(0, s - before)
            if out and lo <= out[-1][1] + 120:  # fewer, longer windows: fewer regex calls
                out[-1][1] = max(out[-1][1], hi)  # (the start moved back below would not change this)
                continue
            while lo > 0 and not text[lo - 1].isspace():  # start windows on a word boundary
                lo -= 1
            if out and lo <= out[-1][1] + 120:
                out[-1][1] = max(out[-1][1], hi)
            else:
                out.append([lo, hi])
        return [(a, b) for a, b in out]

    def _scan(self, text: str, low: str, lo: int, hi: int, hits: list) -> None:
        """Append ``(start - end, start, kind, match)`` for every expression's matches in ``text[lo:hi]``:
        for each expression in ``_rx`` order, the matches ``rx.finditer(text, lo, hi)`` gives, found with
        fewer regex calls.

        An expression led by a month name, a year or a digit is tried (``rx.match``) only where such a
        lead starts, moving on from each match's end as ``finditer`` does. The others are searched only
        in windows holding all the words of one of their phrases as whole words: on a window of ASCII
        text, where the lower-cased words are exactly what their case-blind patterns can match (other
        windows are always searched). In a match each such word is set off by spaces, hyphens, commas or
        the pattern's edges, except a season glued to "mid", "early" or "late" ("midsummer 2017").
        """
        rx = self._kind_rx
        months = [m.start() for m in self._re_month_lead.finditer(text, lo, hi)]
        years = [m.start() for m in _RX_YEAR.finditer(text, lo, hi)]
        window = low[lo:hi]
        if window.isascii():
            words = set(_RX_WORD.findall(window))
            mod = _has_phrase(words, self._gate_mod)
            season = not words.isdisjoint(self._gate_season)
            season_rel = season and _has_phrase(words, self._gate_season_rel)
            weekday = not words.isdisjoint(self._gate_weekday)
            relative = _has_phrase(words, self._gate_relative)
        else:
            mod = season = season_rel = weekday = relative = True

        def led(kind: str, starts: list[int]) -> None:
            pat = rx[kind]
            pos = lo
            for p in starts:
                if p >= pos:
                    m = pat.match(text, p, hi)
                    if m is not None:
                        pos = m.end()
                        hits.append((p - pos, p, kind, m))

        def search(kind: str) -> None:
            for m in rx[kind].finditer(text, lo, hi):
                s, e = m.span()
                hits.append((s - e, s, kind, m))

        if years:
            led("iso", years)
        if months:
            led("md", months)
            led("dm", [m.start() for m in _RX_DIGITS.finditer(text, lo, hi)])
            led("my", months)
            if mod:
                search("modm")
        if years and mod:
            search("mody")
        if years and season:
            search("season_y")
        if season_rel:
            search("season_rel")
        if weekday:
            search("weekday")
        if relative:
            search("relative")
        if months:
            led("m", months)
        if years:
            led("y", years)

    @staticmethod
    def _align_range(a: _Atom, b: _Atom) -> _Atom:
        """Put a period's beginning before its end when the beginning's year was inferred."""
        if a.first and b.last and a.relative and a.first > b.last:
            try:
                return replace(a, first=a.first.replace(year=a.first.year - 1),
                               last=a.last.replace(year=a.last.year - 1) if a.last else None)
            except ValueError:
                return a
        return a

    @staticmethod
    def _record(text: str, start: int, end: int, first: dt.date | None, last: dt.date | None,
                precision: str, relative: bool) -> tuple[int, int, str, dict[str, Any]]:
        value = _value(first, last, precision)
        rec = {"canonical": value or "", "value": value, "date_start": _iso(first), "date_end": _iso(last),
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
        doc.spans["dates"] = token_spans(doc, text, self.finder.find(text, doc._.reference_date))
        return doc


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
