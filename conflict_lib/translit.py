"""Transliteration-blind keys for Arabic place names written in Latin script.

Reports spell the same place many ways: *Deir ez-Zor*, *Deir Ezzor*, *Dayr az Zawr*,
*Deir al-Zour*; *al-Bukamal*, *Abu Kamal*, *Albu Kamal*; *Khan Sheikhoun*, *Khan Shaykhun*.
:func:`match_key` folds all of these to one key, so a dictionary keyed on it finds the place
whatever the spelling. The key is deliberately lossy (vowels collapse to one letter) and is
meant for candidate lookup, not for display.

What does not matter in a key:

- case, diacritics (``ā``, ``ū``, ``ḥ``), apostrophes and ayn/hamza marks (``' ʿ ʾ ’ ` ´``),
  hyphens and spaces;
- Arabic articles (``al-``, ``el-``, ``ad-``, ``ar-``, ``as-``, ``az-``, ``ash-``, ``at-``,
  ``an-`` ...), also when fused with a doubled sun letter (``Ezzor`` = ``ez-Zor``);
- the *Abu* / *Albu* / *al-Bu* / *Bu* prefix;
- doubled letters and the final *-ah* / *-eh* (taa marbuta);
- vowel spellings (``ou``/``u``/``oo``, ``ei``/``ay``/``ai``, ``ee``/``i``/``y``, ``e``/``a``):
  every run of vowels (including ``y``/``w`` used as vowels) becomes ``a``;
- common consonant variants: ``kh``/``h``, ``q``/``k``/``c``/``ck``, ``dh``/``th``/``z``,
  ``sh``/``ch``, ``j``/``dj``/``g``, ``ph``/``f``, ``gh``/``g``.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["ARTICLES", "match_key", "skeleton_key", "token_key", "split_name"]

#: Arabic articles as romanised, dropped from keys (lower case).
ARTICLES = frozenset({
    "al", "el", "il", "ul", "l",
    "ad", "ed", "adh", "edh",
    "ar", "er", "as", "es", "az", "ez",
    "ash", "esh", "ach", "at", "et", "ath", "eth", "an", "en",
})

#: The "father of" prefix spelled many ways; all fold to ``bu``.
_ABU = frozenset({"abu", "abou", "abo", "albu", "bu", "bou", "abū", "ebu"})

_APOSTROPHES = "'\u2018\u2019\u02bc\u02bb\u02be\u02bf\u0060\u00b4\u02b9\u2032\u02c8\u201b"
_APOS_RE = re.compile("[" + re.escape(_APOSTROPHES) + "]")
_SPLIT_RE = re.compile(r"[^0-9a-z]+")
# A fused article before a doubled sun letter: "ezzor" -> "zor", "assuwayda" -> "suwayda".
_FUSED_ARTICLE_RE = re.compile(r"^[ae]l?([tdrzsnl])\1(?=[a-z]{2})")
# "Elhomor" = "el-Homor": a fused al-/el- before a consonant, inside a name only.
_FUSED_AL_RE = re.compile(r"^[ae]l(?=[bcdfghjklmnpqrstvwxz][a-z]{3})")

# Multi-letter consonant spellings, applied in this order, each to one placeholder letter.
# Placeholders are upper-case letters so they cannot be re-matched by later rules.
_DIGRAPHS = (
    ("dj", "J"), ("kh", "H"), ("gh", "G"), ("sh", "S"), ("ch", "S"), ("sch", "S"),
    ("dh", "Z"), ("th", "Z"), ("ph", "F"), ("ck", "K"), ("ts", "C"),
)
_DIGRAPH2 = {dg: rep for dg, rep in _DIGRAPHS if len(dg) == 2}
assert [dg for dg, _ in _DIGRAPHS if len(dg) != 2] == ["sch"] and not any(dg[:2] in _DIGRAPH2 for dg, _ in _DIGRAPHS
                                                                          if len(dg) == 3)
assert not set("".join(dg for dg, _ in _DIGRAPHS)) & set("aeiouyw")  # (the vowel mask never covers them)
_SINGLE = str.maketrans({
    "q": "K", "k": "K", "c": "K", "h": "H", "j": "J", "g": "J", "z": "Z", "x": "K",
    "s": "s", "f": "F",
})
_VOWELS = frozenset("aeiouy")


def _fold_ascii(text: str) -> str:
    """Lower-case, drop diacritics and apostrophes; keep letters, digits and separators."""
    if text.isascii():
        # the common case: no diacritics to decompose and only two of the apostrophes are ASCII
        return text.replace("'", "").replace("`", "").lower()
    text = _APOS_RE.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("ß", "ss").replace("ı", "i").replace("ø", "o").replace("æ", "ae")
    return text.lower()


def split_name(name: str) -> list[str]:
    """Split a name into lower-case ASCII word tokens (apostrophes removed, not split on).

    Parameters
    ----------
    name : str
        A place name as written.

    Returns
    -------
    list of str

    Examples
    --------
    >>> split_name("Deir ez-Zor")
    ['deir', 'ez', 'zor']
    >>> split_name("Al Fu’ah")
    ['al', 'fuah']
    """
    return [t for t in _SPLIT_RE.split(_fold_ascii(name)) if t]


def _vowel_mask(word: str) -> list[bool]:
    """Which letters of ``word`` act as vowels (``y``/``w`` next to a vowel count as vowels)."""
    n = len(word)
    mask = [ch in "aeiou" for ch in word]
    for i, ch in enumerate(word):
        if ch == "y":
            nxt_vowel = i + 1 < n and word[i + 1] in "aeiou"
            # consonantal y: word-initial or between consonant and vowel start ("Yalda", "Yarmouk")
            mask[i] = not (i == 0 and nxt_vowel)
        elif ch == "w":
            prev_vowel = i > 0 and word[i - 1] in "aeiou"
            nxt_vowel = i + 1 < n and word[i + 1] in "aeiouy"
            # vocalic w only as the second half of a diphthong before a consonant ("Zawr", "Hawr")
            mask[i] = prev_vowel and not nxt_vowel
    return mask


@lru_cache(maxsize=200_000)
def token_key(word: str) -> str:
    """Key of one lower-case ASCII word (no articles handling; see :func:`match_key`).

    Parameters
    ----------
    word : str
        A lower-case word as returned by :func:`split_name`.

    Returns
    -------
    str
        Consonant skeleton with every vowel run written ``a``.

    Examples
    --------
    >>> token_key("sheikhoun") == token_key("shaykhun")
    True
    """
    if not word:
        return ""
    if word.isdigit():
        return word
    # taa marbuta: final -ah / -eh / -at(h)? keep -at (construct state is written differently)
    if len(word) > 3 and word[-1] == "h" and word[-2] in "aei":
        word = word[:-1]
    mask = _vowel_mask(word)
    out: list[str] = []
    i, n = 0, len(word)
    while i < n:
        if mask[i]:
            j = i
            while j < n and mask[j]:
                j += 1
            out.append("a")
            i = j
            continue
        # consonant: try digraphs (only when neither letter is a vowel: no digraph letter ever is one,
        # and of the digraphs only "sch" has three letters and no other digraph starts it, so the
        # first of ``_DIGRAPHS`` that matches is the two letters' or else "sch")
        rep = _DIGRAPH2.get(word[i:i + 2])
        if rep is not None:
            out.append(rep)
            i += 2
        elif word.startswith("sch", i):
            out.append("S")
            i += 3
        else:
            if word[i] == "w" and i > 0 and not mask[i - 1]:
                out.append("a")  # "Sweida" = "Suwayda": a consonantal w after a consonant
            out.append(word[i].translate(_SINGLE))
            i += 1
    # collapse doubled letters
    collapsed: list[str] = []
    for ch in out:
        if not collapsed or collapsed[-1] != ch:
            collapsed.append(ch)
    return "".join(collapsed).lower()


def _strip_articles(tokens: list[str]) -> list[str]:
    """Drop article tokens and fused articles; fold the Abu prefix to ``bu``."""
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if tok in ARTICLES and len(tokens) > 1 and i < len(tokens) - 1:
            continue
        if tok in _ABU and i < len(tokens) - 1:
            out.append("bu")
            continue
        if i > 0:
            m = _FUSED_ARTICLE_RE.match(tok)
            if m:
                tok = tok[m.end() - 1:]
            else:
                m = _FUSED_AL_RE.match(tok)
                if m:
                    tok = tok[m.end():]
        if tok.startswith("albu") and len(tok) > 6:
            tok = tok[2:]
        out.append(tok)
    return out


@lru_cache(maxsize=400_000)
def match_key(name: str) -> str:
    """Transliteration-blind key of a place name.

    Parameters
    ----------
    name : str
        A place name in Latin script, as written (any case, with or without articles,
        hyphens, apostrophes or diacritics).

    Returns
    -------
    str
        A lower-case key; two spellings of the same Arabic name give the same key.
        Empty for a name with no letters or digits.

    Examples
    --------
    >>> match_key("Deir ez-Zor") == match_key("Dayr az Zawr") == match_key("Deir Ezzor")
    True
    >>> match_key("al-Bukamal") == match_key("Abu Kamal") == match_key("Albu Kamal")
    True
    >>> match_key("Hmeimim") == match_key("Khmeimim")
    True
    """
    tokens = _strip_articles(split_name(name))
    return "".join(token_key(t) for t in tokens)


@lru_cache(maxsize=200_000)
def skeleton_key(name: str) -> str:
    """Looser key: :func:`match_key` without its vowels (a leading vowel is kept as ``a``).

    Used for candidate lookup of long names only, where vowel insertion differs
    (*Oqeirbat* / *Uqayribat*); too loose for short names.

    Parameters
    ----------
    name : str

    Returns
    -------
    str

    Examples
    --------
    >>> skeleton_key("Oqeirbat") == skeleton_key("Uqayribat")
    True
    """
    key = match_key(name)
    if not key:
        return ""
    return key[0] + key[1:].replace("a", "")
