"""Actors: armed and political actors of the Syrian war, with their alignment.

The spaCy component ``conflict_actors_v1`` writes ``doc.spans["actors"]``; each span carries
``span._.conflict = {"canonical", "actor_id", "alignment", "description", "adjectival", "source"}``.

What is matched, in order of preference when two readings overlap (the longer wins, then the
earlier kind in this list):

1. names and aliases from the lexicon ``conflict_lib/data/actors.csv`` (aliases case-blind,
   acronyms case-exact); spaces and hyphens are interchangeable, apostrophes optional;
2. names that are *not* actors (``not_actors`` in ``actor_patterns.json``: USAID, State/PRM,
   the Red Crescent, NGOs, people such as "Bashar al-Assad") — they block any actor reading;
3. context rules (``contextual``): "Russian", "Turkish forces", "government-held", "U.S.-backed";
4. group-like names that are not in the lexicon ("Liwa ...", "Jaysh ...", "... Brigade"),
   kept with alignment ``unknown``;
5. acronyms a document defines itself: "Faylaq ar-Rahman (FAR)" makes a later "FAR" the same actor.

An actor followed by ``-held``, ``-controlled``, ``-backed``, ``-led`` ... ("SDF-held Shaddadi",
"ISIS-controlled Mayadin") and the bare ``pro-X`` forms ("pro-government checkpoint") are kept
with ``adjectival: True``.

Matching runs compiled regular expressions (prefix tries built from the lexicon) over
``doc.text`` and maps the hits to token spans, so the per-token cost is small. The name
expressions (aliases, acronyms, non-actors, context words) are not run over the whole text: each
is tried only where a word its names can begin with stands (:class:`_WordIndex`,
:class:`_WordScan`), which gives the same matches for a fraction of the cost.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable

from spacy.language import Language
from spacy.tokens import Doc

from . import pipeline as _pipeline
from .pipeline import doc_text as _doc_text
from .paths import PACKAGE_DATA

_pipeline.ensure_extensions()

#: The lexicon and the context rules.
LEXICON_PATH = PACKAGE_DATA / "actors.csv"
PATTERNS_PATH = PACKAGE_DATA / "actor_patterns.json"

_SEP = "\x00"  # trie symbol: a space or a hyphen (interchangeable)
_APOS = "\x01"  # trie symbol: an optional apostrophe

# Kinds of hit, by priority on ties (lower wins).
_LEX, _NOT, _CTX, _UNK, _DOC = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Actor:
    """One lexicon row.

    Attributes
    ----------
    actor_id : str
        Stable identifier (snake case).
    canonical : str
        Standard English name.
    alignment : str
        One of :data:`conflict_lib.schema.ALIGNMENTS`.
    description : str
        One line on who this is.
    aliases : tuple of str
        Names matched regardless of case.
    acronyms : tuple of str
        Names matched with exact case.
    source : str
        Where the row comes from.
    """

    actor_id: str
    canonical: str
    alignment: str
    description: str
    aliases: tuple[str, ...]
    acronyms: tuple[str, ...]
    source: str

    def record(self, adjectival: bool = False) -> dict[str, Any]:
        """The ``span._.conflict`` dict for a mention of this actor."""
        return {
            "canonical": self.canonical,
            "actor_id": self.actor_id,
            "alignment": self.alignment,
            "description": self.description,
            "adjectival": bool(adjectival),
            "source": self.source,
        }


# One reading of a stretch of text, a plain tuple (hits are made by the hundred per doc):
# ``(start, end, kind, actor, adjectival, name)``; ``name`` is the canonical of an unknown group.
_Hit = tuple


# --------------------------------------------------------------------------- loading

def load_lexicon(path: str | Path | None = None) -> dict[str, Actor]:
    """Read the actor lexicon.

    Parameters
    ----------
    path : path, optional
        A CSV with columns ``actor_id, canonical, alignment, description, aliases, acronyms,
        source`` (aliases and acronyms separated by ``|``); default the packaged ``actors.csv``.

    Returns
    -------
    dict
        ``actor_id -> Actor``.
    """
    from .schema import ALIGNMENTS

    out: dict[str, Actor] = {}
    with open(path or LEXICON_PATH, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["alignment"] not in ALIGNMENTS:
                raise ValueError(f"actor {row['actor_id']}: unknown alignment {row['alignment']!r}")
            aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
            acronyms = tuple(a.strip() for a in row["acronyms"].split("|") if a.strip())
            out[row["actor_id"]] = Actor(row["actor_id"], row["canonical"].strip(), row["alignment"],
                                         row["description"].strip(), aliases + (row["canonical"].strip(),),
                                         acronyms, row["source"].strip())
    return out


def _load_patterns(path: str | Path | None = None) -> dict[str, Any]:
    with open(path or PATTERNS_PATH, encoding="utf-8") as fh:
        return json.load(fh)


# --------------------------------------------------------------------------- regex building

@lru_cache(maxsize=8192)
def _symbols(name: str, fold_case: bool) -> tuple[str, ...]:
    """A name as trie symbols: characters, separators and optional apostrophes."""
    name = re.sub(r"\s*-\s*|\s+", " ", name.strip())
    syms: list[str] = []
    for ch in name:
        if ch in " -":
            if syms and syms[-1] == _SEP:
                continue
            syms.append(_SEP)
        elif ch == "'":
            syms.append(_APOS)
        else:
            syms.append(ch.lower() if fold_case else ch)
    return tuple(syms)


def _trie_regex(names: Iterable[str], fold_case: bool) -> str:
    """One regular expression matching any of ``names`` (longest first), built as a prefix trie."""
    trie: dict = {}
    for n in names:
        node = trie
        for s in _symbols(n, fold_case):
            node = node.setdefault(s, {})
        node[""] = True

    def emit(node: dict) -> str:
        alts = []
        for sym in sorted(k for k in node if k):
            if sym == _SEP:
                head = r"(?:\s*-\s*|\s+)"
            elif sym == _APOS:
                head = "'?"
            else:
                head = re.escape(sym)
            alts.append(head + emit(node[sym]))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


def _bounded(body: str) -> str:
    # no look-behind: it would defeat the regex engine's fast scan for the first character;
    # the start boundary is checked by ``_at_start`` instead
    return r"(?:" + body + r")(?![\w])"


def _at_start(text: str, i: int) -> bool:
    """True when ``text[i]`` starts a word (nothing alphanumeric or an apostrophe before it)."""
    return i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_'")


def _alt(words: Iterable[str]) -> str:
    """Alternation of literal words, longest first, spaces matching any white space."""
    ws = sorted(set(words), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ws) + ")"


# --------------------------------------------------------------------------- word-start scans
#
# A regular expression over the whole text tries every position; for the big tries (hundreds of
# names) that is most of the matching time, although a name can only begin at a few words. The
# scans below list, once per text, where the words that can begin a name stand (C-level bytes
# operations on a "word view" of the text), and try the very same compiled expressions there.

_WORD_CHAR = re.compile(r"\w")
# ASCII bytes: a word character (``\w``) stays, any other byte becomes a space -- including the
# ``?`` that ``str.encode("ascii", "replace")`` writes for every non-ASCII character
_WORD_BYTES = bytes(c if c < 128 and (chr(c).isalnum() or c == 95) else 32 for c in range(256))


def _word_view(low: str) -> bytes:
    """The lower-cased text as ASCII bytes, one byte per character, every non-word character a
    space, with a space added before and after (the view of ``low[i]`` is ``view[i + 1]``)."""
    return b" " + low.encode("ascii", "replace").translate(_WORD_BYTES) + b" "


def _low_char(c: str) -> str:
    """The character the lower-cased text has for ``c`` (see ``ActorMatcher._hits``)."""
    lc = c.lower()
    return lc if len(lc) == 1 else c


def _view_forms(syms: tuple[str, ...], cased: bool) -> set[bytes] | None:
    """How the word view shows the start of a match of a name, up to two words.

    ``syms`` is the name as ``_symbols`` gives it; ``cased``: the expression runs on the text
    itself (the view shows each matched character lower-cased), else on the lower-cased text.
    Each form begins with the space before the word, maps every symbol as the view maps the
    matched characters (a word character stays, anything else is a space), and stops after its
    second space. A separator (white space or one hyphen, with white space around it) shows as
    one space, or as two or more: the form then ends with two spaces. An optional apostrophe
    shows as a space or not at all. The end of the name shows as a space (the match is followed
    by a non-word character or the end of the text). The space before the word is there because
    the character before a word start is not a word character (or the text starts). None if the
    name does not begin with a character the view shows as an ASCII word character.
    """
    def view_of(sym: str) -> bytes:
        if cased:
            sym = "".join(_low_char(c) for c in sym)
        return sym.encode("ascii", "replace").translate(_WORD_BYTES)

    if not syms or syms[0] in (_SEP, _APOS) or view_of(syms[0][0]) == b" ":
        return None
    out: set[bytes] = set()
    todo = [(0, b" ", 0)]  # (next symbol, form so far, spaces in it after the first)
    while todo:
        i, form, spaces = todo.pop()
        while True:
            if i == len(syms):
                out.add(form + b" ")
                break
            sym = syms[i]
            i += 1
            if sym == _APOS:
                todo.append((i, form, spaces))  # no apostrophe in the text
                sym = "'"
            if sym == _SEP:
                if spaces == 0:
                    out.add(form + b"  ")  # a separator of two or more characters
                sym = " "
            view = view_of(sym)
            cut = -1
            for j, byte in enumerate(view):
                if byte == 32:
                    spaces += 1
                    if spaces == 2:
                        cut = j
                        break
            if cut >= 0:
                out.add(form + view[:cut + 1])
                break
            form += view
    return out


class _WordIndex:
    """Where the words that can begin a name stand in a text's word view.

    Parameters
    ----------
    live_if : dict
        ``first word -> None`` (always look it up) or a set of words: look it up only when the
        text has one of them (the second words of its names).
    extra : iterable of bytes
        More words to list (whether the text has them is asked by others, see ``live``).
    """

    def __init__(self, live_if: dict[bytes, frozenset[bytes] | None], extra: Iterable[bytes] = ()):
        self._always = frozenset(w for w, g in live_if.items() if g is None)
        self._gated = {w: g for w, g in live_if.items() if g is not None}
        self._gated_words = frozenset(self._gated)
        self._listed = frozenset(live_if).union(*self._gated.values(), extra)
        self._pats = {w: b" " + w + b" " for w in live_if}

    def live(self, view: bytes) -> tuple[list[bytes], set[bytes], set[bytes]]:
        """The listed words of ``view`` in text order (first words, the words that gate them and
        the ``extra`` words), the set of first words to look up, and the set of listed words the
        text has."""
        parts = view.split()
        listed = list(compress(parts, map(self._listed.__contains__, parts)))
        present = set(listed)
        live = present.intersection(self._always)  # a set
        gated = self._gated
        for w in self._gated_words.intersection(present):
            if not gated[w].isdisjoint(present):
                live.add(w)
        return listed, live, present

    def __call__(self, view: bytes) -> dict[bytes, list[int]]:
        """``word -> [i, ...]``: ``view[i]`` is the space before the word, which so starts at
        text index ``i``.

        ``split`` and ``compress`` list, in C, the words of interest in text order; each first
        word that is looked up is then found from the end of the one before (every whole
        occurrence of such a word is in the list, so the next occurrence is the next one listed).
        """
        listed, live, _present = self.live(view)
        index: dict[bytes, list[int]] = {w: [] for w in live}
        pats = self._pats
        find = view.find
        i = 0
        for w in compress(listed, map(live.__contains__, listed)):
            i = find(pats[w], i)
            index[w].append(i)
            i += 1  # the next word starts after this one's trailing space
        return index


class _WordScan:
    """The matches of ``rx.finditer(s)`` that start words, trying ``rx`` only at a few words.

    Parameters
    ----------
    rx : re.Pattern
        The expression (``_bounded``: every match is followed by a non-word character), run as is
        with ``rx.match(s, i)``: the same expression at the same place gives the same match.
    names : iterable of symbol tuples, or None
        The names ``rx`` matches (``_symbols``); None: run ``rx.finditer``.
    cased : bool
        ``rx`` runs on the text itself, not on the lower-cased text.
    word_start : bool
        ``rx`` begins with ``\b``: every match starts a word.

    Every place where a name can match at the start of a word shows in the word view as one of
    the name's forms (:func:`_view_forms`): ``rx`` is tried at the places where a form's first
    word stands and the form follows, in text order, skipping places inside the previous match,
    as ``finditer`` resumes after each match. A first word is only looked up when the text has
    the second word of one of its names (``live_if``): that word stands whole wherever the name
    matches. Without ``\b``, a match may also start inside a word; such a match is rejected by
    the start check, and leaving it out changes nothing when its name is a single word (it ends
    where the word ends, so it hides only places inside that word, where again only a
    single-word name can match). A name of several words matching inside a word could hide the
    start of a later word: the scan looks for those places (the view shows its first word and a
    space there) and runs ``rx.finditer`` if ``rx`` matches at one.
    """

    __slots__ = ("rx", "words", "live_if", "_forms", "_mid", "_mid_rxs")

    def __init__(self, rx: re.Pattern, names: Iterable[tuple[str, ...]] | None, cased: bool = False,
                 word_start: bool = False):
        self.rx = rx
        self.words: frozenset[bytes] | None = None
        self._mid_rxs: tuple[re.Pattern, ...] | None = None
        names = list(names) if names is not None else None
        forms: set[bytes] = set()
        mid: set[bytes] = set()
        # form -> the second words of the names it comes from: the form can only lead to a match
        # when the text has one of them (a name's second word stands whole wherever it matches);
        # None: a name of one word, or one whose words an apostrophe may join
        gates: dict[bytes, set[bytes] | None] = {}
        for syms in names if names is not None else [None]:
            f = _view_forms(syms, cased) if syms is not None else None
            if f is None:
                return
            forms |= f
            if not word_start and not all(len(c) == 1 and _WORD_CHAR.match(c) for c in syms):
                mid.update(x[1:x.index(b" ", 1) + 1] for x in f)  # its first word and a space
            second = set() if _APOS in syms else {x.split()[1] for x in f if len(x.split()) > 1}
            for x in f:
                if len(second) != 1:
                    gates[x] = None
                elif gates.get(x, ()) is not None:
                    gates[x] = gates.get(x, set()) | second
        # first word -> the forms (None: every place the word stands); a form that begins with
        # another one is found through it (and is needed whenever that one is)
        by_first: dict[bytes, list[bytes]] = {}
        for f in sorted(forms):
            kept = by_first.setdefault(f.split()[0], [])
            if kept and f.startswith(kept[-1]):
                gates[kept[-1]] = None if gates[kept[-1]] is None or gates[f] is None else gates[kept[-1]] | gates[f]
            else:
                kept.append(f)
        self._forms = {first: None if kept == [b" " + first + b" "] else tuple(kept)
                       for first, kept in by_first.items()}
        self._mid = tuple(m for m in sorted(mid) if not any(m != o and m.startswith(o) for o in mid))
        if self._mid:
            self._mid_rxs = self._mid_regexes(names, cased)
        # first word -> None, or the words one of which the text must have (``_WordIndex``)
        self.live_if: dict[bytes, frozenset[bytes] | None] = {}
        for first, fs in self._forms.items():
            g = [gates[f] for f in fs] if fs is not None else [None]
            self.live_if[first] = None if None in g else frozenset().union(*g)
        self.words = frozenset(self._forms)

    def needs_finditer(self, s: str, view: bytes) -> bool:
        """True when the word scan does not apply to ``s``: no word forms (``words`` is None), or
        a name of several words matches inside a word (see the class docstring)."""
        return self.words is None or (bool(self._mid) and self.mid_inside(s, view))

    def _mid_regexes(self, names: list[tuple[str, ...]], cased: bool) -> tuple[re.Pattern, ...] | None:
        """Expressions finding, in ``s``, every place inside a word where a name whose first word
        (as the view shows it) is one of ``self._mid`` can begin (see ``mid_inside``).

        A name that matches where the view shows one of them has that first word in one of its
        forms (:func:`_view_forms`), and its match begins with the characters of the name up to
        its first separator, apostrophe or character the view shows as a space, exactly as they
        are (``rx`` runs without ``re.IGNORECASE``). One expression per such beginning, which must
        follow a word character: the look-behind comes after the literal, and there is no
        alternation, so that the regex engine scans for the literal at C speed.
        """
        mids = {m[:-1] for m in self._mid}
        lits: set[str] = set()
        for syms in names:
            if any(x.split()[0] in mids for x in _view_forms(syms, cased) or ()):
                lit = ""
                for sym in syms:
                    if sym in (_SEP, _APOS) or (_low_char(sym) if cased else sym).encode(
                            "ascii", "replace").translate(_WORD_BYTES) == b" ":
                        break
                    lit += sym
                lits.add(lit)
        if not lits or "" in lits:
            return None
        return tuple(re.compile(re.escape(x) + r"(?<=\w" + re.escape(x) + ")") for x in sorted(lits))

    def mid_inside(self, s: str, view: bytes) -> bool:
        """True when a name of several words matches inside a word of ``s``.

        That is: the view shows one of ``self._mid`` at a place where ``s`` has a word character
        before and ``rx`` matches. Searching the view for them (a short pattern ending in a space,
        slow to search for) is left to the cases without ``_mid_rxs``; those expressions find, in
        ``s``, a superset of those places (a match cannot begin anywhere else), checked as the
        view search does. Matches of one may overlap, so each search restarts one character on.
        """
        match = self.rx.match
        if self._mid_rxs is not None:
            startswith = view.startswith
            mids = self._mid
            for rx in self._mid_rxs:
                m = rx.search(s)
                while m is not None:
                    q = m.start()  # q > 0, and s[q - 1] is a word character (the look-behind)
                    if startswith(mids, q + 1) and match(s, q) is not None:
                        return True
                    m = rx.search(s, q + 1)
            return False
        for m in self._mid:
            j = view.find(m)
            while j >= 0:
                q = j - 1  # view[j] is the word's first character: text index j - 1
                if q > 0 and (s[q - 1].isalnum() or s[q - 1] == "_") and match(s, q) is not None:
                    return True
                j = view.find(m, j + 1)
        return False

    def matches(self, s: str, view: bytes, index: dict[bytes, list[int]]) -> list[re.Match]:
        """Matches in ``s`` in text order (``view``: :func:`_word_view`; ``index``: a
        :class:`_WordIndex` over (at least) ``self.live_if``)."""
        rx = self.rx
        if self.needs_finditer(s, view):
            return list(rx.finditer(s))
        match = rx.match
        starts: list[int] = []
        forms = self._forms
        for w in self.words.intersection(index):
            f = forms[w]
            if f is None:
                starts += index[w]
            else:
                starts += [i for i in index[w] if view.startswith(f, i)]
        if not starts:
            return []
        starts.sort()
        out: list[re.Match] = []
        last = 0
        for i in starts:
            if i >= last:
                m = match(s, i)
                if m is not None:
                    out.append(m)
                    last = m.end()
        return out


class ActorMatcher:
    """Find actor mentions in a text (no spaCy needed).

    Parameters
    ----------
    lexicon_path, patterns_path : path, optional
        Data files; default the packaged ones.

    Examples
    --------
    >>> m = ActorMatcher()
    >>> [(text, rec["canonical"], rec["adjectival"]) for _, _, text, rec in m.find("SDF-held Shaddadi")]
    [('SDF-held', 'Syrian Democratic Forces', True)]
    """

    def __init__(self, lexicon_path: str | Path | None = None, patterns_path: str | Path | None = None):
        self.lexicon = load_lexicon(lexicon_path)
        pat = _load_patterns(patterns_path)
        self.patterns = pat
        # name key -> actor (case-blind aliases and case-exact acronyms)
        self._by_alias: dict[tuple[str, ...], Actor] = {}
        self._by_acronym: dict[str, Actor] = {}
        for actor in self.lexicon.values():
            for a in actor.aliases:
                self._by_alias.setdefault(_symbols(a, True), actor)
            for a in actor.acronyms:
                self._by_acronym.setdefault(a, actor)
        nocase = [a for a in self._alias_names()]
        # case-blind names are matched on the lower-cased text (faster than re.IGNORECASE)
        self._re_alias = re.compile(r"\b" + _bounded(_trie_regex(nocase, True)))
        self._re_acronym = re.compile(_bounded(_trie_regex(self._by_acronym, False)))
        na = pat["not_actors"]
        cased = set(na.get("cased", []))
        self._re_not_nocase = re.compile(r"\b" + _bounded(_trie_regex([n for n in na["names"] if n not in cased], True)))
        self._re_not_cased = re.compile(_bounded(_trie_regex([n for n in na["names"] if n in cased], False)))
        # context rules
        self._ctx: dict[str, dict] = {}
        ctx_cased, ctx_nocase = [], []
        for rule in pat["contextual"]:
            if rule.get("requires") == "never":
                continue
            self._ctx[rule["text"].lower()] = rule
            (ctx_cased if (rule.get("cased") or rule["text"][:1].isupper()) else ctx_nocase).append(rule["text"])
        self._re_ctx_cased = re.compile(_bounded(_alt(ctx_cased))) if ctx_cased else None
        # lower-cased rule text -> (rule, actor, requirement), looked up for every context match
        self._ctx_rules = {k: (r, self.lexicon[r["actor_id"]], r.get("requires")) for k, r in self._ctx.items()}
        self._re_ctx_nocase = re.compile(_bounded(_alt(w.lower() for w in ctx_nocase))) if ctx_nocase else None
        # the name expressions, tried only where the words they begin with stand (``_WordScan``)
        self._scan_alias = _WordScan(self._re_alias, [_symbols(n, True) for n in nocase], word_start=True)
        self._scan_not = _WordScan(self._re_not_nocase,
                                   [_symbols(n, True) for n in na["names"] if n not in cased], word_start=True)
        self._scan_not_cased = _WordScan(self._re_not_cased, [_symbols(n, False) for n in na["names"] if n in cased],
                                         cased=True)
        self._scan_acronym = _WordScan(self._re_acronym, [_symbols(n, False) for n in self._by_acronym], cased=True)
        self._scan_ctx_cased = None if self._re_ctx_cased is None else _WordScan(
            self._re_ctx_cased, [_symbols(n, False) for n in ctx_cased], cased=True)
        self._scan_ctx = None if self._re_ctx_nocase is None else _WordScan(
            self._re_ctx_nocase, [_symbols(n.lower(), True) for n in ctx_nocase])
        scans = [sc for sc in (self._scan_alias, self._scan_not, self._scan_not_cased, self._scan_acronym,
                               self._scan_ctx_cased, self._scan_ctx) if sc is not None and sc.words is not None]
        # one index per text for all of them: a first word is looked up if any scan needs it
        live_if: dict[bytes, frozenset[bytes] | None] = {}
        for sc in scans:
            for w, g in sc.live_if.items():
                if g is None or (w in live_if and live_if[w] is None):
                    live_if[w] = None
                else:
                    live_if[w] = live_if.get(w, frozenset()) | g
        # an unknown group (``_re_unk_head``) begins with a head; where it starts a word, the view
        # shows the head's first word whole (a head is followed by white space): the index lists
        # those words and ``_hits`` runs the head scan only when the text has one. None (always
        # run it): a head that does not begin with an ASCII word character
        heads = pat["unknown_group"]["heads"]
        head_words = [_word_view(h.lower()).split()[:1] for h in heads]
        self._unk_head_words: frozenset[bytes] | None = None
        if all(hw and _word_view(h.lower())[1:2] != b" " for hw, h in zip(head_words, heads)):
            self._unk_head_words = frozenset(hw[0] for hw in head_words)
        self._word_index = _WordIndex(live_if, self._unk_head_words or ())
        # the six scans in the order their hits are listed (``_hits``), each with whether it runs on
        # the text (else on the lower-cased text); first word -> ((scan number, its forms), ...)
        self._scans = ((self._scan_alias, False), (self._scan_acronym, True), (self._scan_not, False),
                       (self._scan_not_cased, True), (self._scan_ctx_cased, True), (self._scan_ctx, False))
        plan: dict[bytes, list[tuple[int, Any, tuple[bytes, ...] | None]]] = {}
        for k, (sc, _cased) in enumerate(self._scans):
            if sc is not None and sc.words is not None:
                for w in sorted(sc.words):
                    plan.setdefault(w, []).append((k, sc.rx.match, sc._forms[w]))
        # first word -> (its pattern in the view, its tries): one look-up per place
        self._plan = {w: (self._word_index._pats[w], tuple(v)) for w, v in plan.items()}
        # what ``needs_finditer`` asks of each scan, split by what it depends on: the scans without
        # word forms always run ``finditer``; the scans whose names of several words could match
        # inside a word look for that (``mid_inside``); the others never run ``finditer``
        self._finditer_always = tuple(k for k, (sc, _c) in enumerate(self._scans)
                                      if sc is not None and sc.words is None)
        self._mid_checks = tuple((k, sc, cased) for k, (sc, cased) in enumerate(self._scans)
                                 if sc is not None and sc.words is not None and sc._mid)
        # matched (lower-cased) alias -> actor, and actor id -> its two records (see ``find``)
        self._alias_actor: dict[str, Actor | None] = {}
        self._records = {a.actor_id: (a.record(False), a.record(True)) for a in self.lexicon.values()}
        suffix = _alt(pat["adjectival_suffixes"])
        self._re_suffix = re.compile(r"\)?-" + suffix + r"(?![\w])", re.IGNORECASE)
        self._re_force = re.compile(r"(?:'s)?\s+(" + _alt(pat["force_nouns"]) + r")(?![\w-])", re.IGNORECASE)
        self._re_paren = re.compile(r"\s*\(\s*([A-Za-z][\w./-]{0,11})\s*\)")
        self._re_negprefix = re.compile(_alt(pat["negative_prefixes"]) + r"$", re.IGNORECASE)
        self._re_pro = re.compile(pat["pro_prefix"], re.IGNORECASE)
        # the characters a negative prefix can end with right before a name (``$`` also matches before a
        # final line break): a name after any other character needs no search
        neg_last = {p[-1] for p in pat["negative_prefixes"] if p}
        self._neg_last = None if any(not c.isascii() or c.isalnum() or c.isspace() for c in neg_last) \
            else frozenset(neg_last | {"\n"})
        self._re_host = re.compile(pat["host_country_guard"], re.IGNORECASE)
        self._host_guarded = self.lexicon.get("turkey")  # the actor the host-country guard is for
        g = pat["guarded_acronyms"]
        self._nocaps = set(g["nocaps"])
        self._is_before = {w.lower() for w in g["IS_context_before"]}
        self._is_after = [w for w in g["IS_context_after"]]
        # unknown groups
        u = pat["unknown_group"]
        particle = r"(?:" + _alt(p for p in u["particles"] if not p.endswith("-")) + r"(?:\s*-\s*|\s+))"
        word = r"(?:[A-Z][\w']*(?:-[A-Z][\w']*)*)"
        name_part = r"(?:\s+" + particle + r"?" + word + r"|\s*-\s*" + word + r")"
        self._re_unk_head = re.compile(_alt(u["heads"]) + r"(?:\s+" + particle + "?" + word
                                       + r")(?:" + name_part + r"){0,4}")
        # "... Brigade": find the tail word, then read the name backwards from it
        self._re_unk_tail = re.compile(_alt(u["tail_requires_head_words"]) + r"(?![\w])")
        self._re_unk_tail_name = re.compile(word + r"(?:" + name_part + r"){0,3}\s+$")
        self._not_leading = set(u["not_leading"])

    def _alias_names(self) -> list[str]:
        names = []
        for actor in self.lexicon.values():
            names.extend(actor.aliases)
        return names

    # ------------------------------------------------------------------ lookup

    def lookup(self, name: str) -> Actor | None:
        """The lexicon actor a name stands for, or None.

        Exact alias or acronym first; otherwise the longest actor mention found inside the name
        ("U.S. Government (USG)" -> United States).
        """
        name = _fold(name).strip()
        if name in self._by_acronym:
            return self._by_acronym[name]
        key = _symbols(re.sub(r"^the\s+", "", name, flags=re.IGNORECASE), True)
        if key in self._by_alias:
            return self._by_alias[key]
        best = None
        for s, e, _, rec in self.find(name):
            if rec.get("actor_id") in self.lexicon and (best is None or e - s > best[0]):
                best = (e - s, self.lexicon[rec["actor_id"]])
        return best[1] if best else None

    # ------------------------------------------------------------------ matching

    def _scan_matches(self, text: str, low: str, view: bytes) -> tuple[list[list[re.Match]], set[bytes]]:
        """The matches of the six scans (``self._scans``), each as its ``_WordScan.matches`` gives
        them, found in one pass over the looked-up words; and the listed words the text has
        (``_WordIndex.live``).

        ``_WordScan.matches`` tries its expression at the sorted places where one of its first
        words stands and one of its forms follows, skipping places inside its previous match. The
        places of all first words come here in text order (``_WordIndex``), so each scan sees its
        own places in the same order and makes the same tries; a scan that needs ``finditer``
        (``needs_finditer``, asked here in its two parts: ``_finditer_always`` and ``mid_inside``)
        takes no part in the loop.
        """
        out: list[list[re.Match]] = [[], [], [], [], [], []]  # one per scan
        listed, live, present = self._word_index.live(view)
        skip = []  # the scans that run ``finditer``
        for k in self._finditer_always:
            sc, cased = self._scans[k]
            skip.append(k)
            out[k] = list(sc.rx.finditer(text if cased else low))
        for k, sc, cased in self._mid_checks:
            if sc.mid_inside(text if cased else low, view):
                skip.append(k)
                out[k] = list(sc.rx.finditer(text if cased else low))
        if not live:
            return out, present
        subject = [text if cased else low for _sc, cased in self._scans]
        last = [0, 0, 0, 0, 0, 0]
        plan = self._plan
        if skip:  # (rare) leave out the tries of the scans that ran ``finditer``
            plan = {w: (pat, tuple(t for t in tries if t[0] not in skip)) for w, (pat, tries) in plan.items()}
        find = view.find
        startswith = view.startswith
        i = 0
        for w in compress(listed, map(live.__contains__, listed)):
            pat, tries = plan[w]
            i = find(pat, i)
            for k, match, forms in tries:
                if i >= last[k] and (forms is None or startswith(forms, i)):
                    m = match(subject[k], i)
                    if m is not None:
                        out[k].append(m)
                        last[k] = m.end()
            i += 1  # the next word starts after this one's trailing space
        return out, present

    def _hits(self, text: str) -> list[_Hit]:
        hits: list[_Hit] = []
        add = hits.append
        low = text.lower()
        if len(low) != len(text):  # a character whose lower case is longer: fold it away
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        view = _word_view(low)
        scanned, present = self._scan_matches(text, low, view)
        ms_alias, ms_acronym, ms_not, ms_not_cased, ms_ctx_cased, ms_ctx = scanned
        alias_actor = self._alias_actor
        lexicon_hit = self._lexicon_hit
        # ``_at_start`` written out in the loops below: it runs for every match
        for m in ms_alias:
            s = m.start()
            if s and (text[s - 1].isalnum() or text[s - 1] in "_'"):
                continue
            g = m.group()
            actor = alias_actor.get(g, _UNSEEN)
            if actor is _UNSEEN:
                actor = self._by_alias.get(_symbols(g, True))
                if actor is None:  # apostrophe/separator variants: find by normalised key
                    actor = self._resolve_variant(g)
                if len(alias_actor) >= _CACHE_SIZE:
                    alias_actor.clear()
                alias_actor[g] = actor
            if actor is not None:
                add(lexicon_hit(text, s, m.end(), actor))
        nocaps = self._nocaps
        by_acronym = self._by_acronym
        for m in ms_acronym:
            s = m.start()
            if s and (text[s - 1].isalnum() or text[s - 1] in "_'"):
                continue
            acr = m.group()
            if acr in nocaps and not self._guard_ok(text, s, m.end(), acr):
                continue
            add(lexicon_hit(text, s, m.end(), by_acronym[acr]))
        for ms in (ms_not, ms_not_cased):
            for m in ms:
                s = m.start()
                if not s or not (text[s - 1].isalnum() or text[s - 1] in "_'"):
                    add((s, m.end(), _NOT, None, False, None))
        context_hit = self._context_hit
        for ms in (ms_ctx_cased, ms_ctx):
            for m in ms:
                s = m.start()
                if s and (text[s - 1].isalnum() or text[s - 1] in "_'"):
                    continue
                h = context_hit(text, m)
                if h is not None:
                    add(h)
        # a match that starts a word starts with a head standing whole in the word view (a head
        # is followed by white space); without one, no match passes ``_at_start``
        if self._unk_head_words is None or not self._unk_head_words.isdisjoint(present):
            for m in self._re_unk_head.finditer(text):
                if _at_start(text, m.start()):
                    h = self._unknown_hit(text, m.start(), m.end())
                    if h is not None:
                        add(h)
        for m in self._re_unk_tail.finditer(text):
            nm = self._re_unk_tail_name.search(text, max(0, m.start() - 80), m.start())
            if nm and _at_start(text, nm.start()):
                h = self._unknown_hit(text, nm.start(), m.end())
                if h is not None:
                    add(h)
        return hits

    def _resolve_variant(self, matched: str) -> Actor | None:
        key = _symbols(matched.replace("'", ""), True)
        for k, actor in self._by_alias.items():
            if tuple(c for c in k if c != _APOS) == key:
                return actor
        return None

    def _lexicon_hit(self, text: str, start: int, end: int, actor: Actor) -> _Hit:
        # "pro-government": ``_PRO_NAME`` needs a p (only "p" and "P" match it, case-blind)
        adjectival = text[start] in "pP" and bool(_PRO_NAME.match(text, start, end))
        # "Syrian Democratic Forces (SDF)" -> one span; "SDF-held". The parenthesis needs white
        # space or "(" next, the suffix ")" or "-": after anything else both expressions fail
        c = text[end:end + 1]
        if c and (c in "()-" or (c.isspace() and not text[end + 1:end + 2].isalnum())):
            pm = self._re_paren.match(text, end)
            if pm and (self._by_acronym.get(pm.group(1)) is actor or pm.group(1).isupper()):
                end = pm.end()
            sm = self._re_suffix.match(text, end)
            if sm:
                end, adjectival = sm.end(), True
        if start and (self._neg_last is None or text[start - 1] in self._neg_last) \
                and self._re_negprefix.search(text, max(0, start - 6), start):
            return (start, end, _NOT, None, False, None)
        # (``actor.actor_id == "turkey"``: hits only carry actors of this lexicon)
        if actor is self._host_guarded and self._re_host.search(text, max(0, start - 60), start):
            return (start, end, _NOT, None, False, None)
        return (start, end, _LEX, actor, adjectival, None)

    def _context_hit(self, text: str, m: re.Match) -> _Hit | None:
        rule, actor, req = self._ctx_rules[m.group().lower()]
        start, end = m.span()
        # the suffix needs ")" or "-" next, the force noun "'" or white space
        c = text[end:end + 1]
        sm = self._re_suffix.match(text, end) if c and c in ")-" else None
        fm = None if sm or not c or not (c == "'" or c.isspace()) else self._re_force.match(text, end)
        if req == "force_or_suffix" and not (sm or fm):
            return None
        if req == "force_only" and not fm:
            return None
        if req == "suffix_only" and not sm:
            return None
        if start and (((self._neg_last is None or text[start - 1] in self._neg_last)
                       and self._re_negprefix.search(text, max(0, start - 6), start))
                      or self._re_pro.search(text, max(0, start - 6), start)):
            return None
        if sm:
            return (start, sm.end(), _CTX, actor, True, None)
        if fm:
            return (start, fm.end(), _CTX, actor, False, None)
        return (start, end, _CTX, actor, bool(rule.get("adjectival")), None)

    def _unknown_hit(self, text: str, start: int, end: int) -> _Hit | None:
        words = text[start:end].split()
        while words and words[0] in self._not_leading:
            start = text.index(words[1], start + len(words[0])) if len(words) > 1 else end
            words = words[1:]
        if len(words) < 2:
            return None
        name = " ".join(words)
        adjectival = False
        sm = self._re_suffix.match(text, end)
        if sm:
            end, adjectival = sm.end(), True
        return (start, end, _UNK, None, adjectival, name)

    def _guard_ok(self, text: str, start: int, end: int, acr: str) -> bool:
        before = text[max(0, start - 40):start]
        after = text[end:end + 40]
        pw = _WORD_BEFORE.search(before)
        nw = _WORD_AFTER.match(after)
        for w in (pw, nw):
            if w and len(w.group(1)) > 1 and w.group(1).isupper() and w.group(1).isalpha() \
                    and w.group(1) not in self._by_acronym:
                return False
        if acr == "IS":
            prev = pw.group(1).lower() if pw and not _STOP_BEFORE.search(before) else ""
            if prev in self._is_before:
                return True
            rest = after.lstrip()
            return any(rest.startswith(w) if not w[0].isalpha() else re.match(re.escape(w) + r"\b", rest)
                       for w in self._is_after)
        return True

    def find(self, text: str) -> list[tuple[int, int, str, dict[str, Any]]]:
        """Actor mentions in ``text``.

        Returns
        -------
        list of (start, end, text, record)
            Character offsets, the words, and the ``span._.conflict`` record; in text order.
        """
        chosen, taken = self._choose(self._hits(text))
        chosen.extend(self._document_acronyms(text, chosen, taken))
        chosen.sort(key=_hit_start)  # (a C-level key)
        out = []
        records = self._records
        for s, e, _kind, actor, adjectival, name in chosen:
            if actor is not None:
                # a fresh copy of ``actor.record(adjectival)``, made once per actor (hits only
                # carry actors of this lexicon)
                rec = records[actor.actor_id][1 if adjectival else 0].copy()
            else:
                slug = _NON_SLUG.sub("_", name.lower()).strip("_")
                rec = {"canonical": name, "actor_id": f"unknown:{slug}", "alignment": "unknown",
                       "description": "group-like name not in the lexicon", "adjectival": adjectival,
                       "source": "pattern: unknown_group (actor_patterns.json)"}
            out.append((s, e, text[s:e], rec))
        return out

    @staticmethod
    def _choose(hits: list[_Hit]) -> tuple[list[_Hit], list[tuple[int, int]]]:
        """The readings kept among overlapping ones, and the stretches they take.

        The rule: in the order of :func:`_hit_order` (known names before unknown groups, then the
        longest ...), a hit is kept unless it overlaps one kept before; a kept non-actor
        (``_NOT``) takes its characters but is no mention. Whether a hit is kept depends only on
        the hits it overlaps, directly or through others: so the hits are sorted by start (a
        C-level key) and cut into runs that overlap one another; a run of one hit (the common
        case) is kept as is, and the rule runs on each longer run alone, which gives the same
        choice as running it on all hits at once.

        Returns
        -------
        chosen : list
            The kept actor readings (no ``_NOT``), in text order except within a run of overlapping
            hits, where they are in :func:`_hit_order`.
        taken : list of (start, end)
            Every kept stretch, ``_NOT`` included, in text order.
        """
        chosen: list[_Hit] = []
        taken: list[tuple[int, int]] = []
        if not hits:
            return chosen, taken
        hits.sort(key=_hit_start)
        n = len(hits)
        i = 0
        while i < n:
            h = hits[i]
            end = h[1]
            j = i + 1
            while j < n and hits[j][0] < end:
                e = hits[j][1]
                if e > end:
                    end = e
                j += 1
            if j == i + 1:
                taken.append((h[0], h[1]))
                if h[2] != _NOT:
                    chosen.append(h)
            else:
                kept: list[tuple[int, int]] = []
                for h in sorted(hits[i:j], key=_hit_order):
                    s, e = h[0], h[1]
                    for ks, ke in kept:  # (a plain loop: cheaper than ``any`` over a generator)
                        # ``max(start) < min(end)``: the two share a character (an empty hit shares none)
                        if (s if s > ks else ks) < (e if e < ke else ke):
                            break
                    else:
                        kept.append((s, e))
                        if h[2] != _NOT:
                            chosen.append(h)
                kept.sort()
                taken.extend(kept)
            i = j
        return chosen, taken

    def _document_acronyms(self, text: str, chosen: list[_Hit], taken: list[tuple[int, int]]) -> list[_Hit]:
        """Acronyms the text defines in parentheses after a name, found again elsewhere.

        ``taken``: the stretches :meth:`_choose` kept; an acronym found inside one (or inside a
        definition) is no new mention. When two kept hits define the same acronym, the one first
        in :func:`_hit_order` gives its actor.
        """
        defined: dict[str, _Hit] = {}
        definitions: list[tuple[int, int]] = []
        if "(" not in text:  # a definition needs a parenthesis (about half the reports have none)
            return []
        for h in chosen:
            s, e = h[0], h[1]
            # ``_DEFINED_INSIDE`` needs a "(" in the hit, ``_re_paren`` white space or "(" next
            m = _DEFINED_INSIDE.search(text[s:e]) if text.find("(", s, e) >= 0 else None
            if m is None:
                c = text[e:e + 1]
                pm = self._re_paren.match(text, e) \
                    if c and (c == "(" or (c.isspace() and not text[e + 1:e + 2].isalnum())) else None
                m = pm if pm and _ACRONYM_SHAPE.fullmatch(pm.group(1)) else None
                if m is not None:  # the definition itself is not a new mention
                    definitions.append(pm.span())
            if m is not None and m.group(1) not in self._by_acronym:
                old = defined.setdefault(m.group(1), h)
                if old is not h and _hit_order(h) < _hit_order(old):
                    defined[m.group(1)] = h
        extra: list[_Hit] = []
        if not defined:
            return extra
        marks = bytearray(len(text))  # 1 where a kept hit or a definition lies
        for s, e in taken + definitions:
            marks[s:e] = b"\x01" * (e - s)
        rx = re.compile(_bounded(_alt(defined)))
        for m in rx.finditer(text):
            if not _at_start(text, m.start()) or any(marks[m.start():m.end()]):
                continue
            src = defined[m.group()]
            end, adjectival = m.end(), False
            sm = self._re_suffix.match(text, end)
            if sm:
                end, adjectival = sm.end(), True
            extra.append((m.start(), end, _DOC, src[3], adjectival, src[5]))
            marks[m.start():end] = b"\x01" * (end - m.start())
        return extra


def _hit_order(h: _Hit) -> tuple:
    """Sort key of hits: known names before unknown groups, then longest, then kind, then start."""
    return (h[2] == _UNK, h[0] - h[1], h[2], h[0])


_hit_start = itemgetter(0)


_UNSEEN = object()
_CACHE_SIZE = 8192


# compiled once (``re.match(pattern, ...)`` looks its pattern up in a cache on every call)
_PRO_NAME = re.compile(r"pro\s*-?\s*\S+$", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"([\w.'-]+)\W*$")
_WORD_AFTER = re.compile(r"\W*([\w.'-]+)")
_STOP_BEFORE = re.compile(r"[.!?:]\s*$")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_DEFINED_INSIDE = re.compile(r"\(\s*([A-Z][A-Za-z]{1,7})\s*\)\s*(?:\)?-\w+)?$")
_ACRONYM_SHAPE = re.compile(r"[A-Z][A-Za-z]{1,7}")


def _fold(s: str) -> str:
    return (s.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'").replace("\u02bf", "'")
            .replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " "))


@lru_cache(maxsize=2)
def get_matcher() -> ActorMatcher:
    """The packaged matcher, built once per process."""
    return ActorMatcher()


def lookup_actor(name: str) -> Actor | None:
    """Resolve a name ("SAA", "Syrian Arab Army", "the UN") to a lexicon actor, or None."""
    return get_matcher().lookup(name)


# --------------------------------------------------------------------------- spaCy component



class ActorTagger:
    """spaCy component: ``doc.spans["actors"]`` (see module docstring)."""

    def __init__(self, matcher: ActorMatcher):
        self.matcher = matcher

    def __call__(self, doc: Doc) -> Doc:
        text = _doc_text(doc)
        doc.spans["actors"] = _pipeline.char_spans(doc, text, self.matcher.find(text))
        return doc




def make_actor_tagger(nlp: Language, name: str, lexicon_path: str | None, patterns_path: str | None) -> ActorTagger:
    """Factory for ``conflict_actors_v1``.

    Parameters
    ----------
    nlp : Language
        The pipeline.
    name : str
        Component name.
    lexicon_path, patterns_path : str, optional
        Other data files than the packaged ``actors.csv`` / ``actor_patterns.json``.
    """
    if lexicon_path is None and patterns_path is None:
        return ActorTagger(get_matcher())
    return ActorTagger(ActorMatcher(lexicon_path, patterns_path))


Language.factory("conflict_actors_v1", default_config={"lexicon_path": None, "patterns_path": None}, func=make_actor_tagger)


# --------------------------------------------------------------------------- evaluation

def _read_text(path: Path) -> tuple[str, str | None]:
    """Match text and reference date of a report (the ingest module if ready, else a plain read)."""
    try:
        from .reports import read_report  # type: ignore[attr-defined]

        d = read_report(path)
        ref = d.reference_date
        return d.match_text, ref.isoformat() if ref else None
    except Exception:  # noqa: BLE001 - ingest not ready: plain front-matter split
        raw = path.read_text(encoding="utf-8")
        meta: dict[str, str] = {}
        if raw.startswith("---"):
            _, head, raw = raw.split("---", 2)
            for line in head.splitlines():
                if ":" in line:
                    k, v = line.split(":", 1)
                    meta[k.strip()] = v.strip().strip("'\"")
        ref = meta.get("published") or meta.get("period_end") or meta.get("period_start")
        return _fold(raw), ref


def score_actors(nlp: Language | None = None, gold_dir: str | Path | None = None,
                 reports_dir: str | Path | None = None) -> dict[str, Any]:
    """Actor precision, recall, F1 and alignment accuracy against the gold files.

    One object per distinct actor per document on both sides: predictions are deduplicated by
    canonical name; a gold object matches a prediction with the same canonical name or with the
    canonical name its ``text`` resolves to through the lexicon.

    Parameters
    ----------
    nlp : Language, optional
        A pipeline with ``conflict_actors_v1``; default ``sentencizer`` + the component.
    gold_dir, reports_dir : path, optional
        Default ``data/raw/gold`` and ``data/raw/reports``.

    Returns
    -------
    dict
        ``precision, recall, f1, alignment_accuracy, tp, fp, fn`` and ``errors`` (a list of
        ``(doc_id, "fp"|"fn"|"alignment", detail)``).
    """
    import spacy

    from . import paths

    if nlp is None:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("conflict_actors_v1")
    gold_dir = Path(gold_dir) if gold_dir else paths.gold_dir()
    reports_dir = Path(reports_dir) if reports_dir else paths.reports_dir()
    tp_pred = n_pred = tp_gold = n_gold = align_ok = align_n = 0
    errors: list[tuple[str, str, str]] = []
    for gpath in sorted(gold_dir.glob("*.gold.jsonl")):
        doc_id = gpath.name[: -len(".gold.jsonl")]
        rpath = reports_dir / f"{doc_id}.txt"
        if not rpath.exists():
            continue
        gold = [json.loads(line) for line in gpath.read_text(encoding="utf-8").splitlines() if line.strip()]
        gold = [g for g in gold if g.get("kind") == "actor"]
        text, ref = _read_text(rpath)
        doc = nlp.make_doc(text)
        doc._.reference_date = ref
        for _name, proc in nlp.pipeline:
            doc = proc(doc)
        pred: dict[str, str] = {}
        for span in doc.spans["actors"]:
            pred.setdefault(span._.conflict["canonical"], span._.conflict["alignment"])
        matched_pred: set[str] = set()
        for g in gold:
            n_gold += 1
            keys = {g["canonical"]}
            actor = lookup_actor(g["text"])
            if actor is not None:
                keys.add(actor.canonical)
            hit = [k for k in keys if k in pred]
            if hit:
                tp_gold += 1
                matched_pred.update(hit)
                align_n += 1
                if pred[hit[0]] == g["alignment"]:
                    align_ok += 1
                else:
                    errors.append((doc_id, "alignment", f"{g['text']}: gold {g['alignment']} pred {pred[hit[0]]}"))
            else:
                errors.append((doc_id, "fn", f"{g['text']} ({g['canonical']})"))
        for canon in pred:
            n_pred += 1
            if canon in matched_pred:
                tp_pred += 1
            else:
                ex = next(s.text for s in doc.spans["actors"] if s._.conflict["canonical"] == canon)
                errors.append((doc_id, "fp", f"{canon} <- {ex!r}"))
    p = tp_pred / n_pred if n_pred else 0.0
    r = tp_gold / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f,
            "alignment_accuracy": align_ok / align_n if align_n else 0.0,
            "tp": tp_pred, "fp": n_pred - tp_pred, "fn": n_gold - tp_gold, "errors": errors}
