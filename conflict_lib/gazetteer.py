"""Places: a transliteration-blind gazetteer and the ``conflict_places_v1`` spaCy component.

Sources (read from :func:`conflict_lib.paths.geo_dir`, see ``data/raw/geo`` and
``conflict_lib/data/README.md``):

- ``syr_places_gazetteer.csv`` -- 10,583 populated places with variant spellings (WOF/GeoNames);
- ``syr_admin_names_ocha.csv`` -- OCHA governorates (adm1), districts (adm2), sub-districts (adm3)
  and city neighbourhoods, with P-codes;
- ``conflict_lib/data/curated_places.csv`` -- camps, airbases, border crossings, regions, dams,
  roads, the country and directional regions the gazetteer lacks, each row with its coordinate
  source;
- ``conflict_lib/data/place_patterns.json`` -- context cues, stopwords, blocked phrases.

Every name is indexed under :func:`conflict_lib.translit.match_key`, so candidate generation
is one dictionary look-up per n-gram. :meth:`Gazetteer.resolve` ranks the candidates of a name
with what the context says (a "governorate"/"district"/"city" cue, the governorates and cities
named nearby) and returns a :class:`PlaceMatch` recording how the match was made.
"""
from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import pickle
import tempfile
import unicodedata
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import re
from bisect import bisect_left
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz
from spacy.attrs import IDX, LENGTH, ORTH, SENT_START
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import paths
from . import pipeline as _pipeline
from .pipeline import doc_text, ensure_extensions, seed_token_bounds, set_record
from .translit import ARTICLES, match_key, skeleton_key, split_name

__all__ = [
    "Place", "PlaceMatch", "ResolveContext", "Gazetteer", "PlaceTagger",
    "gazetteer_feature", "fold_name", "make_place_tagger",
]

CURATED_PATH = paths.PACKAGE_DATA / "curated_places.csv"
PATTERNS_PATH = paths.PACKAGE_DATA / "place_patterns.json"
#: Common English names (Wikipedia article titles) for places whose gazetteer name is a
#: transliteration analysts do not use ("Ar Raqqah" -> "Raqqa"); each row cites its source.
ENGLISH_NAMES_PATH = paths.PACKAGE_DATA / "english_names.csv"

#: Minimum key length for a village matched by transliteration only (not a listed spelling).
MIN_TRANSLIT_KEY = 6
#: Minimum key length for any village match.
MIN_VILLAGE_KEY = 4
#: Minimum key length (and rapidfuzz ratio) for fuzzy matching on the consonant skeleton.
MIN_FUZZY_KEY = 7
FUZZY_THRESHOLD = 88.0

_FEATURE_PRIOR = {
    "PPLC": 95.0, "PPLA": 85.0, "PPLA2": 60.0, "PPLA3": 40.0, "PPL": 20.0, "PPLL": 12.0,
    "PPLF": 10.0, "PPLS": 10.0, "PPLW": 5.0, "PPLH": 5.0, "PPLQ": 2.0, "STLMT": 0.0, "WAD": 0.0,
}
_LEVEL_FEATURE = {"adm1": "governorate", "adm2": "district", "adm3": "district",
                  "neighbourhood": "neighbourhood"}
_METHOD_BONUS = {"exact": 15.0, "alias": 10.0, "curated": 12.0, "admin": 10.0,
                 "neighbourhood": 8.0, "translit": 0.0, "fuzzy": -10.0, "override": 100.0}


# --------------------------------------------------------------------------- records

@dataclass(frozen=True)
class Place:
    """One place the gazetteer knows (a gazetteer row, an OCHA unit or a curated entry)."""

    place_id: str
    name: str
    feature: str
    lat: float | None
    lon: float | None
    adm1_pcode: str | None = None
    adm1_name: str | None = None
    adm2_pcode: str | None = None
    adm2_name: str | None = None
    adm3_pcode: str | None = None
    adm3_name: str | None = None
    source: str = ""
    kind: str = "gazetteer"  # gazetteer | admin | neighbourhood | curated
    level: str | None = None  # adm1 | adm2 | adm3 | neighbourhood | None
    prior: float = 0.0
    population: int = 0
    city_key: str | None = None  # neighbourhoods: key of their city; curated airbases: key of the city served
    lowercase_ok: bool = False
    names: frozenset[str] = field(default_factory=frozenset)  # folded spellings
    primary: str = ""  # folded primary name


@dataclass
class PlaceMatch:
    """A resolved place with how it was found."""

    place: Place
    text: str
    match_method: str
    match_score: float

    @property
    def canonical(self) -> str:
        """The standard English name."""
        return self.place.name

    def attrs(self) -> dict[str, Any]:
        """The ``Mention.attrs`` of a place (see :class:`conflict_lib.schema.Mention`)."""
        p = self.place
        return {
            "place_id": p.place_id, "lat": p.lat, "lon": p.lon, "feature": p.feature,
            "adm1_pcode": p.adm1_pcode, "adm1_name": p.adm1_name,
            "adm2_pcode": p.adm2_pcode, "adm2_name": p.adm2_name,
            "adm3_pcode": p.adm3_pcode, "adm3_name": p.adm3_name,
            "match_method": self.match_method, "match_score": round(float(self.match_score), 3),
            "source": p.source,
        }


@dataclass
class ResolveContext:
    """What the text around a name says about it.

    Attributes
    ----------
    cue : str or None
        ``governorate`` | ``governorate_weak`` | ``district`` | ``subdistrict`` | ``city`` |
        ``camp`` | ``neighbourhood`` | ``province`` | None.
    adm1 : set of str
        Governorate P-codes named nearby (same sentence).
    doc_adm1 : set of str
        Governorate P-codes named anywhere in the document.
    cities : set of str
        Keys of cities named nearby (same sentence).
    doc_cities : set of str
        Keys of cities named anywhere in the document.
    sentence_start : bool
        The name is the first word of its sentence (capitalisation says nothing).
    """

    cue: str | None = None
    adm1: set[str] = field(default_factory=set)
    doc_adm1: set[str] = field(default_factory=set)
    cities: set[str] = field(default_factory=set)
    doc_cities: set[str] = field(default_factory=set)
    sentence_start: bool = False


# --------------------------------------------------------------------------- helpers

def fold_name(name: str) -> str:
    """Lower-case, diacritic-free, apostrophe-free form of a name with single spaces.

    Parameters
    ----------
    name : str

    Returns
    -------
    str

    Examples
    --------
    >>> fold_name("Al Fū‘ah")
    'al fuah'
    """
    return " ".join(split_name(name))


#: :func:`fold_name` cached, for the tagger's hot path (names in reports repeat).
_fold = lru_cache(maxsize=100_000)(fold_name)


def gazetteer_feature(feature_code: str | None, population: int, placetype: str | None = None) -> str:
    """Map a GeoNames feature code (and population) to the project's feature type.

    Parameters
    ----------
    feature_code : str or None
        GeoNames code (PPLC, PPLA, PPLA2, PPLA3, PPL, ...).
    population : int
    placetype : str, optional
        Who's On First placetype (``neighbourhood``, ``campus``).

    Returns
    -------
    str
        ``city`` | ``town`` | ``village`` | ``neighbourhood`` | ``airbase``.
    """
    if placetype == "neighbourhood":
        return "neighbourhood"
    if placetype == "campus":
        return "airbase"
    if feature_code in ("PPLC", "PPLA") or feature_code == "PPLA2" or population >= 50_000:
        return "city"
    if feature_code == "PPLA3" or population >= 5_000:
        return "town"
    return "village"


def _num(value: str | None) -> float | None:
    try:
        f = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return None if f is None or math.isnan(f) else f


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _file_sig(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_size, int(st.st_mtime))


def _cache_dir() -> Path:
    """Folder for the pickled index: ``$CONFLICT_LIB_CACHE`` or ``<repo>/.cache/gazetteer`` (git-ignored)."""
    env = os.environ.get("CONFLICT_LIB_CACHE")
    return Path(env) if env else paths.repo_root() / ".cache" / "gazetteer"


def _content_hash(files: list[Path]) -> str:
    """Hash of the input files and of the code that builds the index."""
    h = hashlib.sha256()
    code = [Path(__file__), Path(__file__).with_name("translit.py")]
    for f in [*files, *code]:
        h.update(f.name.encode())
        h.update(f.read_bytes() if f.exists() else b"-")
    return h.hexdigest()[:20]


# --------------------------------------------------------------------------- the gazetteer

_CACHE: dict[tuple, "Gazetteer"] = {}


class Gazetteer:
    """All known places indexed by transliteration-blind key.

    Build with :meth:`load` (cached per process and ``geo_dir``).

    Attributes
    ----------
    places : list of Place
    by_key : dict
        ``match_key`` -> list of place indexes.
    by_skeleton : dict
        :func:`~conflict_lib.translit.skeleton_key` -> place indexes (long names only).
    governorates : dict
        key -> adm1 P-code, for names that are also a governorate ("Idlib", "Dayr az Zawr").
    """

    def __init__(self, places: list[Place], patterns: dict[str, Any]):
        self.places = places
        self.patterns = patterns
        self.by_key: dict[str, list[int]] = {}
        self.by_skeleton: dict[str, list[int]] = {}
        self.adm1_by_pcode: dict[str, int] = {}
        self.adm_by_pcode: dict[str, int] = {}
        for i, p in enumerate(places):
            if p.level in ("adm1", "adm2", "adm3"):
                self.adm_by_pcode[p.place_id.split(":", 1)[1]] = i
                if p.level == "adm1":
                    self.adm1_by_pcode[p.place_id.split(":", 1)[1]] = i
            keys = {match_key(n) for n in p.names}
            for k in keys:
                if k:
                    self.by_key.setdefault(k, []).append(i)
                    if len(k) >= MIN_FUZZY_KEY and p.kind != "curated":
                        sk = skeleton_key(k)
                        if len(sk) >= 5:
                            self.by_skeleton.setdefault(sk, []).append(i)
        govs = patterns["governorates"]
        self.governorates: dict[str, str] = {}
        for pcode, g in govs.items():
            for n in g["aliases"]:
                self.governorates[match_key(n)] = pcode
        self.only_governorate = {match_key(n) for pcode, g in govs.items() if g.get("only_governorate")
                                 for n in g["aliases"]}
        self.province_overrides = {match_key(k): v for k, v in patterns["province_overrides"].items()}
        self.blocked = {match_key(n) for n in patterns["blocked_phrases"]}
        self.not_places = {match_key(n) for n in patterns["not_places"]}
        self.stopwords = {fold_name(w) for w in patterns["stopwords"]}
        self.city_keys = {p.city_key for p in places if p.city_key and p.kind == "neighbourhood"}
        #: city key -> index of the airbase that serves it ("the airport" in a Deir ez-Zor report)
        self.airport_of = {p.city_key: i for i, p in enumerate(places)
                           if p.kind == "curated" and p.feature == "airbase" and p.city_key}
        # keys whose every candidate may be written in lower case ("eastern Ghouta", "northern Syria")
        self.lowercase_keys = {k for k, idx in self.by_key.items()
                               if any(places[i].lowercase_ok for i in idx)}

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, geo_dir: str | Path | None = None) -> "Gazetteer":
        """The gazetteer for ``geo_dir`` (default :func:`conflict_lib.paths.geo_dir`), built once per process.

        Parameters
        ----------
        geo_dir : path, optional
            Folder with ``syr_places_gazetteer.csv`` and ``syr_admin_names_ocha.csv``.

        Returns
        -------
        Gazetteer
        """
        gdir = Path(geo_dir) if geo_dir else paths.geo_dir()
        files = [gdir / "syr_places_gazetteer.csv", gdir / "syr_admin_names_ocha.csv",
                 CURATED_PATH, PATTERNS_PATH, ENGLISH_NAMES_PATH]
        sig = tuple(_file_sig(f) for f in files if f.exists())
        if sig not in _CACHE:
            _CACHE[sig] = cls._load_or_build(gdir, files)
        return _CACHE[sig]

    @classmethod
    def _load_or_build(cls, gdir: Path, files: list[Path]) -> "Gazetteer":
        # Building takes ~2.5 s (100k names through match_key); the pickle loads in ~0.3 s.
        try:
            cache = _cache_dir() / f"gazetteer-{_content_hash(files)}.pkl"
        except OSError:
            return cls._build(gdir)
        if cache.exists():
            try:
                with open(cache, "rb") as fh:
                    obj = pickle.load(fh)
                if isinstance(obj, cls):
                    return obj
            except Exception:  # noqa: BLE001 - a stale or broken cache is rebuilt
                pass
        gz = cls._build(gdir)
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(gz, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache)
        except OSError:
            pass  # read-only checkout: no cache
        return gz

    @classmethod
    def _build(cls, gdir: Path) -> "Gazetteer":
        patterns = json.loads(PATTERNS_PATH.read_text(encoding="utf-8"))
        places: list[Place] = []
        admin_rows = _read_csv(gdir / "syr_admin_names_ocha.csv")
        adm_names = {r["pcode"]: r["name_en"] for r in admin_rows if r.get("level", "").startswith("adm")}
        places.extend(_admin_places(admin_rows, adm_names, patterns))
        places.extend(_gazetteer_places(_read_csv(gdir / "syr_places_gazetteer.csv")))
        places.extend(_curated_places(_read_csv(CURATED_PATH), adm_names))
        return cls(_with_english_names(places, _read_csv(ENGLISH_NAMES_PATH)), patterns)

    # ------------------------------------------------------------------ look-up
    def is_blocked(self, key: str) -> bool:
        """True for keys of actor names and neighbouring countries (consumed, never emitted)."""
        return key in self.blocked or key in self.not_places

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in _PROCESS_CACHES:  # per-process caches, not part of the index
            state.pop(name, None)
        return state

    def candidates(self, name: str) -> list[tuple[Place, str, float]]:
        """All places a name may denote, each with its match method and score (0..1).

        Parameters
        ----------
        name : str
            The name as written.

        Returns
        -------
        list of (Place, method, score)
            Empty when the name is unknown, a stopword or a blocked phrase.
        """
        # the answer depends on the name only, and names repeat within and across reports
        cache = self.__dict__.get("_cand_cache")
        if cache is None:
            cache = self._cand_cache = {}
        hit = cache.get(name)
        if hit is None:
            if len(cache) >= 50_000:  # bounded: a long stream of new names must not grow it forever
                cache.clear()
            hit = cache[name] = tuple(self._candidates(name))
        return list(hit)

    def _candidates(self, name: str) -> list[tuple[Place, str, float]]:
        key = match_key(name)
        folded = _fold(name)
        if not key or folded in self.stopwords or folded in STOP_WORDS or self.is_blocked(key):
            return []
        out = []
        for i in self.by_key.get(key, ()):
            p = self.places[i]
            out.append((p, _method(p, folded), 1.0))
        if not out and len(key) >= MIN_FUZZY_KEY:
            for i in self.by_skeleton.get(skeleton_key(name), ()):
                p = self.places[i]
                score = max(fuzz.ratio(key, match_key(n)) for n in p.names)
                if score >= FUZZY_THRESHOLD:
                    out.append((p, "fuzzy", score / 100.0))
        return out

    def resolve(self, name: str, context: ResolveContext | dict | None = None) -> PlaceMatch | None:
        """The place a name most likely denotes in its context.

        Parameters
        ----------
        name : str
            The name as written (without cue words such as "Governorate").
        context : ResolveContext or dict, optional
            The cue and the governorates/cities named nearby; a dict is passed to
            :class:`ResolveContext`.

        Returns
        -------
        PlaceMatch or None
            None when nothing matches or the match is too weak to trust.

        Examples
        --------
        >>> gz = Gazetteer.load()
        >>> gz.resolve("Idlib", {"cue": "governorate"}).place.place_id
        'ocha:SY07'
        """
        ctx = context if isinstance(context, ResolveContext) else ResolveContext(**(context or {}))
        plan = self._plan(name)
        if not plan.cands:
            return None
        try:
            sig = (ctx.cue, bool(ctx.sentence_start) and plan.ss_matters,
                   plan.rel_adm1.intersection(ctx.adm1), plan.rel_adm1.intersection(ctx.doc_adm1),
                   plan.rel_city.intersection(ctx.cities), plan.rel_city.intersection(ctx.doc_cities))
            hit = plan.memo.get(sig, _MISS)
        except TypeError:  # an unhashable cue or context member: no memo
            m = self._resolve(name, plan, ctx)
        else:
            if hit is _MISS:
                hit = plan.remember(sig, self._resolve(name, plan, ctx))
            m = hit[0] if hit is not None else None
        # a new object per call: callers may change what they get
        return PlaceMatch(m.place, m.text, m.match_method, m.match_score) if m is not None else None

    def _plan(self, name: str) -> "_ResolvePlan":
        """What :meth:`resolve` knows about ``name`` whatever the context (cached per name)."""
        cache = self.__dict__.get("_plan_cache")
        if cache is None:
            cache = self._plan_cache = {}
        plan = cache.get(name)
        if plan is None:
            if len(cache) >= _PLAN_CACHE_LIMIT:  # bounded, like the candidate cache
                cache.clear()
            plan = cache[name] = _ResolvePlan(self, name)
        return plan

    def _resolve(self, name: str, plan: "_ResolvePlan", ctx: ResolveContext) -> PlaceMatch | None:
        """:meth:`resolve` without the memo."""
        key = plan.key
        cands = plan.cands
        if not cands:
            return None
        cue = ctx.cue
        gov_pcode = plan.gov
        if cue == "province" and key in self.province_overrides:
            p = self.places[self.adm1_by_pcode[self.province_overrides[key]]]
            return PlaceMatch(p, name, "override", 1.0)
        if cue in ("governorate", "province") or (cue == "governorate_weak" and gov_pcode and gov_pcode != "SY01") \
                or key in self.only_governorate:
            if gov_pcode:
                return PlaceMatch(self.places[self.adm1_by_pcode[gov_pcode]], name, "admin", 1.0)
            adm1 = [c for c in cands if c[0].level == "adm1"]
            if adm1:
                return PlaceMatch(adm1[0][0], name, "admin", adm1[0][2])
        pool = cands
        if cue == "district":
            pool = [c for c in cands if c[0].level == "adm2"] or [c for c in cands if c[0].level == "adm3"] \
                or [c for c in cands if c[0].level == "neighbourhood"] or cands
        elif cue == "subdistrict":
            pool = [c for c in cands if c[0].level == "adm3"] or cands
        elif cue == "neighbourhood":
            pool = [c for c in cands if c[0].feature == "neighbourhood"] or cands
        elif cue == "camp":
            pool = [c for c in cands if c[0].feature == "camp"] or cands
        elif cue == "city":
            pool = [c for c in cands if c[0].kind == "gazetteer" and c[0].feature in ("city", "town")] or \
                [c for c in cands if c[0].kind in ("gazetteer", "curated")] or cands
        else:
            # no cue: admin units only when nothing else has the name (they stand for the city)
            non_admin = [c for c in cands if c[0].level not in ("adm1", "adm2", "adm3")]
            pool = non_admin or cands
        # a spelling listed for a place beats a transliteration collision with another place
        folded = _fold(name)
        listed = [c for c in pool if folded in c[0].names]
        if listed:
            pool = listed
        best, best_score = None, -1e9
        for p, method, score in pool:
            if not self._acceptable(p, method, key, ctx):
                continue
            s = self._rank(p, method, score, key, ctx)
            if s > best_score:
                best, best_score = (p, method, score), s
        if best is None:
            return None
        p, method, score = best
        return PlaceMatch(p, name, method, score)

    def _rank(self, p: Place, method: str, score: float, key: str, ctx: ResolveContext) -> float:
        s = p.prior + _METHOD_BONUS.get(method, 0.0) + 20.0 * (score - 1.0)
        if p.adm1_pcode and p.adm1_pcode in ctx.adm1:
            s += 45.0
        elif p.adm1_pcode and p.adm1_pcode in ctx.doc_adm1:
            s += 15.0
        if p.city_key:
            if p.city_key in ctx.cities:
                s += 70.0
            elif p.city_key in ctx.doc_cities:
                s += 35.0
        return s

    def _acceptable(self, p: Place, method: str, key: str, ctx: ResolveContext) -> bool:
        if p.kind in ("curated", "admin") or p.feature == "city":
            return len(key) >= 2
        if p.feature == "neighbourhood":
            # neighbourhoods: short names only where their city is named or the text says "neighbourhood"
            if p.city_key in ctx.cities or p.city_key in ctx.doc_cities or ctx.cue == "neighbourhood":
                return len(key) >= 3
            return len(key) >= MIN_TRANSLIT_KEY
        if len(key) < MIN_VILLAGE_KEY:
            return False
        if method in ("translit", "fuzzy") and len(key) < MIN_TRANSLIT_KEY and p.population < 5000:
            return False
        if ctx.sentence_start and method not in ("exact", "alias") and p.population < 5000:
            return False
        return True


_ABBREVIATIONS = frozenset({"capt", "gen", "col", "dr", "mr", "mrs", "ms", "lt", "maj", "sgt", "brig", "st", "no",
                            "adm", "cmdr", "sen", "rep", "gov", "u.s", "jr", "sr"})


def _method(p: Place, folded: str) -> str:
    if p.kind == "curated":
        return "curated"
    if p.kind == "admin":
        return "admin"
    if p.kind == "neighbourhood":
        return "neighbourhood"
    if folded == p.primary:
        return "exact"
    if folded in p.names:
        return "alias"
    return "translit"


#: Bounds of the per-process caches (entries): names resolved, contexts remembered per name, segments
#: of the tagger, records of matches made by the tagger itself.
_PLAN_CACHE_LIMIT = 20_000
_PLAN_MEMO_LIMIT = 512
_SEGMENT_MEMO_LIMIT = 100_000
_RECORDS_LIMIT = 10_000
#: Attributes of a :class:`Gazetteer` that are per-process caches (dropped when pickled).
_PROCESS_CACHES = ("_cand_cache", "_plan_cache")
_MISS = object()


def _sentence_start_can_refuse(p: Place, method: str, key: str) -> bool:
    """Whether ``Gazetteer._acceptable`` reaches its ``sentence_start`` test for this candidate and
    the test can refuse it (the tests before it, in the same order)."""
    if p.kind in ("curated", "admin") or p.feature == "city" or p.feature == "neighbourhood":
        return False
    if len(key) < MIN_VILLAGE_KEY:
        return False
    if method in ("translit", "fuzzy") and len(key) < MIN_TRANSLIT_KEY and p.population < 5000:
        return False
    return method not in ("exact", "alias") and p.population < 5000


def _is_village(p: Place) -> bool:
    """A place the tagger drops when it touches an unknown capitalised word (``PlaceTagger._in_proper_name``)."""
    return p.kind == "gazetteer" and p.feature != "city"


class _ResolvePlan:
    """A name's candidates and the parts of a context that can change what it resolves to.

    :meth:`Gazetteer.resolve` reads a context only through its cue, ``sentence_start`` and whether a
    candidate's governorate is in ``adm1``/``doc_adm1`` and its city in ``cities``/``doc_cities``.
    So the answer is a function of the cue, ``sentence_start`` (when some candidate can be refused for
    it) and the intersections of those sets with the candidates' governorates and cities: ``memo`` maps
    that signature to ``(PlaceMatch, record, village)`` (None when nothing matches), where ``record`` is
    the span record of the match (``{"canonical": ..., **attrs()}``), copied for each span, and
    ``village`` whether the place is one the tagger checks against neighbouring proper names.
    """

    __slots__ = ("key", "cands", "gov", "rel_adm1", "rel_city", "rel_adm1_own", "rel_city_own", "ss_matters",
                 "memo")

    def __init__(self, gz: "Gazetteer", name: str):
        self.key = key = match_key(name)
        self.cands = tuple(gz.candidates(name))
        self.gov = gz.governorates.get(key)
        self.rel_adm1 = frozenset(p.adm1_pcode for p, _, _ in self.cands if p.adm1_pcode)
        # ``_acceptable`` asks about a neighbourhood's city even when it has none (None)
        self.rel_city = frozenset(p.city_key for p, _, _ in self.cands if p.city_key or p.feature == "neighbourhood")
        # the tagger's context leaves out the name's own governorate and the name itself
        self.rel_adm1_own = self.rel_adm1 - {self.gov}
        self.rel_city_own = self.rel_city - {key}
        # ``sentence_start`` refuses only villages matched by transliteration (see ``_acceptable``)
        self.ss_matters = any(_sentence_start_can_refuse(p, method, key) for p, method, _ in self.cands)
        self.memo: dict[tuple, tuple | None] = {}

    def remember(self, sig: tuple, m: PlaceMatch | None) -> tuple | None:
        if len(self.memo) >= _PLAN_MEMO_LIMIT:  # bounded: contexts of one name are few
            self.memo.clear()
        hit = self.memo[sig] = (m, {"canonical": m.canonical, **m.attrs()}, _is_village(m.place)) \
            if m is not None else None
        return hit


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _with_english_names(places: list[Place], rows: list[dict[str, str]]) -> list[Place]:
    """Give the places listed in ``english_names.csv`` their common English name (also matched)."""
    names = {r["place_id"]: r["name"] for r in rows if r.get("place_id") and r.get("name")}
    unknown = set(names) - {p.place_id for p in places}
    if unknown:
        raise ValueError(f"english_names.csv names place_ids not in the reference data: {sorted(unknown)}")
    return [dataclasses.replace(p, name=names[p.place_id], names=p.names | _folded_names([names[p.place_id]]))
            if p.place_id in names else p for p in places]


def _folded_names(names: Iterable[str | None]) -> frozenset[str]:
    return frozenset(f for f in (fold_name(n) for n in names if n) if f)


def _admin_places(rows: list[dict[str, str]], adm_names: dict[str, str], patterns: dict) -> list[Place]:
    govs = patterns["governorates"]
    out = []
    for r in rows:
        level = r.get("level")
        if level not in ("adm1", "adm2", "adm3", "neighbourhood"):
            continue
        pcode = r["pcode"]
        a1, a2, a3 = _clean(r.get("adm1_pcode")), _clean(r.get("adm2_pcode")), _clean(r.get("adm3_pcode"))
        names = [r.get("name_en"), r.get("name_ref")]
        name = (r.get("name_en") or "").replace("Al- ", "Al-").strip()
        city_key = None
        if level == "adm1":
            g = govs.get(pcode, {})
            names += g.get("aliases", [])
            name = g.get("canonical", f"{name} Governorate")
            a1 = pcode
        elif level == "adm2":
            name = f"{name} District"
            a2 = pcode
        elif level == "adm3":
            name = f"{name} Subdistrict"
            a3 = pcode
        else:
            city = (r.get("parent_en") or "").split("/")[0].strip()
            city_key = match_key(city) if city else None
            names += [_neighbourhood_base(n) for n in names if n]
        folded = _folded_names(names)
        out.append(Place(
            place_id=f"ocha:{pcode}", name=name, feature=_LEVEL_FEATURE[level],
            lat=_num(r.get("lat")) if level == "neighbourhood" else None,
            lon=_num(r.get("lon")) if level == "neighbourhood" else None,
            adm1_pcode=a1, adm1_name=adm_names.get(a1) if a1 else None,
            adm2_pcode=a2, adm2_name=adm_names.get(a2) if a2 else None,
            adm3_pcode=a3, adm3_name=adm_names.get(a3) if a3 else None,
            source="OCHA COD-AB Syria (CC BY-IGO)",
            kind="neighbourhood" if level == "neighbourhood" else "admin", level=level,
            prior={"adm1": 30.0, "adm2": 25.0, "adm3": 20.0, "neighbourhood": 15.0}[level],
            city_key=city_key, names=folded, primary=fold_name(r.get("name_en") or ""),
        ))
    return out


_QUARTER_SUFFIXES = ("sharqi", "gharbi", "shamali", "janoubi", "janubi", "al balad", "albalad", "balad",
                     "east", "west", "north", "south", "old", "new", "jadida", "qadim", "qadime")


def _neighbourhood_base(name: str) -> str:
    """A neighbourhood's name without its quarter suffix ("Joubar Sharqi" -> "Joubar")."""
    folded = fold_name(name)
    for suf in _QUARTER_SUFFIXES:
        if folded.endswith(" " + suf) and len(folded) > len(suf) + 4:
            return folded[: -len(suf) - 1]
    return ""


def _gazetteer_places(rows: list[dict[str, str]]) -> list[Place]:
    out = []
    for r in rows:
        lat, lon = _num(r.get("latitude")), _num(r.get("longitude"))
        pop = int(_num(r.get("population")) or 0)
        code = _clean(r.get("feature_code"))
        alts = (r.get("alternatenames") or "").split("|")
        names = [r.get("name"), r.get("asciiname"), r.get("name_en"), *alts]
        gid = _clean(r.get("geonameid"))
        pid = f"gn:{int(float(gid))}" if gid else f"wof:{r.get('wof_id')}"
        prior = _FEATURE_PRIOR.get(code or "", 30.0 if pop > 0 else 15.0)
        prior += min(25.0, 5.0 * math.log10(pop + 1))
        if r.get("wof_is_current") == "0":
            prior -= 10.0
        canonical = _clean(r.get("name_en")) or _clean(r.get("asciiname")) or r.get("name") or ""
        out.append(Place(
            place_id=pid, name=canonical,
            feature=gazetteer_feature(code, pop, _clean(r.get("wof_placetype"))),
            lat=round(lat, 5) if lat is not None else None, lon=round(lon, 5) if lon is not None else None,
            adm1_pcode=_clean(r.get("adm1_pcode")), adm1_name=_clean(r.get("adm1_en")),
            adm2_pcode=_clean(r.get("adm2_pcode")), adm2_name=_clean(r.get("adm2_en")),
            adm3_pcode=_clean(r.get("adm3_pcode")), adm3_name=_clean(r.get("adm3_en")),
            source=f"{r.get('source') or 'wof'} gazetteer (WOF CC0 / GeoNames CC BY 4.0)",
            kind="gazetteer", prior=prior, population=pop,
            names=_folded_names(names), primary=fold_name(r.get("name") or ""),
        ))
    return out


def _curated_places(rows: list[dict[str, str]], adm_names: dict[str, str]) -> list[Place]:
    out = []
    for r in rows:
        names = [r["name"], *(r.get("aliases") or "").split("|")]
        a1 = _clean(r.get("adm1_pcode"))
        out.append(Place(
            place_id=r["place_id"], name=r["name"], feature=r["feature"],
            lat=_num(r.get("lat")), lon=_num(r.get("lon")),
            adm1_pcode=a1, adm1_name=adm_names.get(a1) if a1 else None,
            source=f"curated: {r['coord_source']}", kind="curated", prior=100.0,
            city_key=match_key(r["near"]) if _clean(r.get("near")) else None,
            lowercase_ok=r.get("lowercase_ok") == "1",
            names=_folded_names(names), primary=fold_name(r["name"]),
        ))
    return out


# --------------------------------------------------------------------------- spaCy component

_MAX_TOKENS = 12
_MAX_WORDS = 7
_AIRPORT_WORD = re.compile(r"\b(?:airport|airbase)\b")

_NAME_WORDS = frozenset({"camp", "airbase", "airport", "base", "crossing", "border", "valley", "river", "dam",
                         "highway", "motorway", "road", "military", "refugee", "idp", "garrison", "air", "airfield"})


# Token classes of the span finder, cached per token text (``ORTH`` hash) by the tagger.
_START_UPPER, _START_LOWER = 1, 2  # a capitalised name word / a lower-case start ("eastern", "al")
_EXT_WORD, _EXT_CONN = 4, 8  # inside a name: a name word / a connector ("ez", "-", "of")
#: a token that may start a name but is no name by itself (learnt, see ``_raw_spans``)
_DEAD = 16


def _byte_class(test) -> bytes:
    """A regular-expression class of the token class bytes (0..31) that pass ``test``."""
    return b"[" + b"".join(re.escape(bytes([c])) for c in range(32) if test(c)) + b"]"


#: a segment: a token that may start a name (class byte with ``_START_UPPER`` or ``_START_LOWER``), then
#: the tokens that may continue one (class bytes with ``_EXT_WORD`` or ``_EXT_CONN``); a start known to
#: be no name by itself (``_DEAD``) opens a segment only when a token that may continue a name follows
#: (written to begin with a plain class, which the regular-expression engine scans for quickly)
_SEGMENT = re.compile(
    _byte_class(lambda c: c & 3) + b"(?:(?<=" + _byte_class(lambda c: c & 3 and not c & _DEAD) + b")|(?="
    + _byte_class(lambda c: c & 12) + b"))" + _byte_class(lambda c: c & 12) + b"*")
_ADMIN_LEVELS = frozenset({"adm1", "adm2", "adm3"})
_EMPTY: frozenset = frozenset()


_IDX_ORTH = [IDX, ORTH]
_IDX_ORTH_SENT = [IDX, ORTH, SENT_START]


class _DocView:
    """Token texts of a doc read as slices of its text: no ``Token`` object per look-up.

    ``doc[j].text``, ``.lower_``, ``.is_space`` and ``.is_sent_start`` are what the places
    component asks of its neighbours; each is a slice of the document text here (spaCy's
    ``LOWER`` is ``str.lower`` of the token text, its ``IS_SPACE`` ``str.isspace``).

    With ``classes`` (the tagger's :class:`_TokenClasses`), ``cb`` holds each token's class byte,
    and the token lengths come from the same table (a token's length is its text's, a property of
    its ``ORTH`` hash) instead of a ``LENGTH`` column: ``doc.to_array`` costs more per lexeme
    attribute than per token attribute.
    """

    __slots__ = ("text", "low", "idx", "end", "n", "orth", "cb", "sent_starts", "_sent")

    def __init__(self, doc: Doc, text: str, classes: "_TokenClasses | None" = None):
        self.text = text
        # the sentence starts the pipeline's sentence splitter set, when it says which (see
        # ``conflict_lib.pipeline.HitLog.sentence_starts``): then no SENT_START column
        opens = _known_sentence_starts(doc) if classes is not None else None
        if classes is not None:
            # one call: it walks every token
            arr = doc.to_array(_IDX_ORTH if opens is not None else _IDX_ORTH_SENT)
            starts = arr[:, 0]
            self.orth = arr[:, 1]
            self.cb, lengths = classes.of(self.orth, doc.vocab.strings)
            sent = arr[:, 2] if opens is None else None
        else:
            opens = None
            arr = doc.to_array([IDX, LENGTH, ORTH, SENT_START])
            starts, lengths, self.orth, sent = arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]
            self.cb = None
        self.idx: list[int] = starts.tolist()
        self.end: list[int] = (starts + lengths).tolist()
        seed_token_bounds(doc, self.idx, self.end)  # shared with the other components
        self.n = len(self.idx)
        #: token indexes of sentence starts (``is_sent_start``); None when the doc has no sentences
        if opens is not None:  # (the splitter makes the first token a start, and says so of no other)
            self.sent_starts: list[int] | None = [0, *opens]
        else:
            self.sent_starts = np.flatnonzero(sent == 1).tolist() if doc.has_annotation("SENT_START") else None
        self._sent: set[int] | None = None
        low = text.lower()
        # lower-casing the whole text equals lower-casing each token unless a character changes
        # length or is context-sensitive (capital sigma)
        self.low = low if len(low) == len(text) and "\u03a3" not in text else None

    def text_of(self, j: int) -> str:
        return self.text[self.idx[j]:self.end[j]]

    def lower(self, j: int) -> str:
        if self.low is not None:
            return self.low[self.idx[j]:self.end[j]]
        return self.text[self.idx[j]:self.end[j]].lower()

    def span_text(self, start: int, end: int) -> str:
        """``doc[start:end].text``."""
        return self.text[self.idx[start]:self.end[end - 1]] if end > start else ""

    def is_sent_start(self, i: int) -> bool:
        if self.sent_starts is None:
            return i == 0  # no sentence boundaries: spaCy counts only the first token
        if self._sent is None:
            self._sent = set(self.sent_starts)
        return i in self._sent


def _known_sentence_starts(doc: Doc) -> list[int] | None:
    """The sentence starts (the first token aside) the pipeline's sentence splitter set on ``doc``, as
    its hit log tells them while :func:`conflict_lib.tagging.tag_document` runs; None when not known."""
    key = getattr(_pipeline, "HITS_KEY", None)
    log = doc.user_data.get(key) if key is not None else None
    known = getattr(log, "sentence_starts", None) if log is not None else None
    return known(doc) if known is not None and len(doc) else None


class _LowerSlices:
    """``low[a:b]`` is ``text[a:b].lower()``: the lower-cased text of :class:`_DocView` token by token,
    where lower-casing the whole text would move offsets (``_DocView.low`` is None)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __getitem__(self, sl: slice) -> str:
        return self.text[sl].lower()


def _sentence_initial(v: _DocView, i: int) -> bool:
    """True when token ``i`` opens a sentence, a line or the document (its capital says nothing)."""
    text, idx, end = v.text, v.idx, v.end
    j = i - 1
    prev = ""
    while j >= 0:
        prev = text[idx[j]:end[j]]
        if not prev.isspace():
            break
        if "\n" in prev:
            return True
        j -= 1
    if j < 0:
        return True
    # (``prev`` is token j's text)
    if prev == "." and j > 0 and v.lower(j - 1) in _ABBREVIATIONS:
        return False  # "Capt. Bill Urban", "Gen. Joseph Votel"
    if v.sent_starts is None:
        if i == 0:  # no sentence boundaries: spaCy counts only the first token
            return True
    else:
        if v._sent is None:
            v._sent = set(v.sent_starts)
        if i in v._sent:
            return True
    # (a token's trailing white space is at most one " ", so never a line break)
    return prev in _SENT_PUNCT


_SENT_PUNCT = frozenset((".", "!", "?", ":", ";", '"', "\u201c", "(", "-", "*"))


_EIGHT = np.uint64(8)


class _TokenClasses:
    """Token class bytes (see ``PlaceTagger._classify``) and token lengths by ``ORTH`` hash, for a
    whole doc at once.

    ``known`` (hash -> ``length << 8 | class``) holds every class computed. The hashes also sit, first
    come first served, in a table indexed by their low bits, so a doc's class bytes and token lengths
    are a few array operations on its ``ORTH`` column; only a token whose hash is not the one in its
    slot (a new word, or a collision) takes a step in Python.

    A slot is one row of two ``uint64``: the hash and ``length << 8 | class`` (a class fits in 8 bits),
    so a doc's look-up is one ``take`` that reads one memory line per token (the table is mostly out of
    the cache by the time the next doc comes: the tokenizer and the other components run in between),
    where separate arrays of hashes, classes and lengths took three of each.

    Safe to share between threads: a slot, once given a hash, keeps it (a full table is replaced, not
    emptied), its class and length are written before its hash and read after it.
    """

    BITS = 17  # 131,072 slots (2 MB)
    LIMIT = 500_000  # a bound for endless streams of new words

    def __init__(self, classify):
        self.classify = classify
        self.known: dict[int, int] = {}
        self.mask = (1 << self.BITS) - 1
        self._mask = np.uint64(self.mask)
        self._new_table()

    def _new_table(self) -> None:
        # rows (hash: 0 for an empty slot, no token text hashes to 0; length << 8 | class), one attribute
        self.table = np.zeros((1 << self.BITS, 2), dtype=np.uint64)

    def of(self, orth: np.ndarray, strings: Any) -> tuple[bytes, np.ndarray]:
        """The class byte and the text length of each hash of the ``ORTH`` column ``orth``.

        ``strings``: the vocab's ``StringStore``, for the texts of new hashes.
        """
        table = self.table
        # the slots: the hashes' low bits, as the index type ``take`` wants, in one step (the cast to a
        # signed type keeps the low bits)
        rows = table.take(np.bitwise_and(orth, self._mask, dtype=np.intp, casting="unsafe"), axis=0)
        vals = rows[:, 1]
        miss = (rows[:, 0] != orth).nonzero()[0]  # (the hashes first; ``np.flatnonzero`` without its Python layer)
        if miss.size:
            known = self.known
            if len(known) > self.LIMIT:
                known = self.known = {}
                self._new_table()
                table = self.table
            mask = self.mask
            for t, h in zip(miss.tolist(), orth[miss].tolist()):
                hit = known.get(h)
                if hit is None:
                    t_text = strings[h]
                    hit = known[h] = len(t_text) << 8 | self.classify(t_text)
                    slot = h & mask
                    if not table[slot, 0]:
                        table[slot, 1] = hit
                        table[slot, 0] = h  # (the hash last)
                vals[t] = hit
        # (``astype(uint8)`` keeps the low 8 bits: the class)
        return vals.astype(np.uint8).tobytes(), vals >> _EIGHT

    def mark(self, h: int, bits: int) -> None:
        """Add ``bits`` to the class of the hash ``h`` (nothing if it was forgotten since)."""
        hit = self.known.get(h)
        if hit is None:
            return
        hit |= bits
        self.known[h] = hit
        table = self.table
        slot = h & self.mask
        if table[slot, 0] == h:
            table[slot, 1] = hit


class PlaceTagger:
    """The ``conflict_places_v1`` component: writes ``doc.spans["places"]``.

    What it works out is remembered where it depends on little and repeats across reports: the class
    of a token text (``_TokenClasses``), the names in a segment of name-like tokens (``_raw_spans``),
    and what a name resolves to given the few facts of its context that can change the answer
    (``_ResolvePlan``). Every cache is bounded; the output is the same with or without them.

    Parameters
    ----------
    gazetteer : Gazetteer
    """

    def __init__(self, gazetteer: Gazetteer):
        ensure_extensions()
        self.gz = gazetteer
        pat = gazetteer.patterns
        self.connectors = frozenset(pat["connectors"]) | ARTICLES
        self.gov_cues = frozenset(pat["governorate_cues"])
        self.plural_gov = frozenset(pat["plural_governorate_cues"])
        self.district_cues = frozenset(pat["district_cues"])
        self.sub_cues = frozenset(pat["subdistrict_cues"])
        self.camp_cues = frozenset(pat["camp_cues"])
        self.neigh_cues = frozenset(pat["neighbourhood_cues"])
        self.gov_preps = frozenset(pat["governorate_prepositions"])
        self.list_mods = frozenset(pat["list_modifiers"])
        self.person_prefixes = frozenset(pat["person_prefixes"])
        self.city_context = frozenset(pat["city_context"])
        self.actor_suffixes = [tuple(s.lower().split()) for s in pat["actor_suffixes"]]
        self._suffix_heads = frozenset(s[0] for s in self.actor_suffixes if s)
        self.lower_starts = frozenset(split_name(k)[0] for p in gazetteer.places if p.lowercase_ok
                                      for k in p.names if k and not k[0].isupper()) | frozenset({"al", "el"})
        #: next words that make ``_cue`` look further than the words before the name
        self._cue_next = frozenset({"sub", "neighbourhood", "neighborhood", "city", "camp", "idp", "refugee",
                                    "'s", "\u2019s"}) | self.sub_cues | self.gov_cues | self.district_cues
        #: ORTH hash -> token class bits (see ``_classify``); token texts repeat, so this stays small
        self._classes = _TokenClasses(self._classify)
        #: (id of the place, method, score) -> span record, for matches made outside ``Gazetteer.resolve``
        self._records: dict[tuple, dict[str, Any]] = {}
        #: segment of name-like tokens -> the names in it (see ``_raw_spans``)
        self._segments: dict[Any, tuple[tuple[int, int, str], ...]] = {}

    # -- span finding -----------------------------------------------------
    def _classify(self, t: str) -> int:
        """Class bits of a token text: may it start a name, and what is it inside one."""
        c0 = t[0]
        low = t.lower()
        caps_word = len(t) > 3 and t.isupper()  # ALL-CAPS headline word: no case information
        bits = 0
        if not c0.isupper():
            if c0.isalpha() and low in self.lower_starts:
                bits |= _START_LOWER
        elif not ((low in STOP_WORDS and low not in ARTICLES) or caps_word):
            # "In Daraa", "By Terri": an English word is not the start of a name
            bits |= _START_UPPER
        if (c0.isupper() and not caps_word) or c0.isdigit():
            bits |= _EXT_WORD
        elif low in self.connectors or t in ("-", "'"):
            bits |= _EXT_CONN
        elif low in _NAME_WORDS:
            bits |= _EXT_WORD
        return bits

    def _token_classes(self, doc: Doc, v: _DocView) -> bytes:
        """One class byte per token (see ``_classify``)."""
        if v.cb is None:
            v.cb = self._classes.of(v.orth, doc.vocab.strings)[0]
        return v.cb

    def _raw_spans(self, doc: Doc, v: _DocView | None = None) -> list[tuple[int, int, str]]:
        """Longest gazetteer names (``(start, end, key)`` token spans) over runs of name-like tokens
        (see :meth:`_segment_hits`)."""
        v = v if v is not None else _DocView(doc, doc_text(doc), self._classes)
        return [(a + hit[0], a + hit[1], hit[2]) for a, hits in self._segment_hits(doc, v) for hit in hits]

    def _segment_hits(self, doc: Doc, v: _DocView) -> list[tuple[int, tuple[tuple, ...]]]:
        """``(a, hits)`` for each segment of name-like tokens with a name in it: ``a`` its first token,
        ``hits`` the names in it (see :meth:`_segment_names`), in text order.

        Only tokens that may start a name are visited (a capitalised word that is not an English
        stop word or an ALL-CAPS headline word, or a lower-case start such as "eastern"). The tokens
        fall into segments: a token that may start a name and the tokens after it that may continue
        one, up to the next token that may not. What is found in a segment depends on its tokens alone
        (their texts and the spaces between them), and segments repeat ("Syrian", "Deir ez-Zor",
        "Syrian Democratic Forces"), so the names found are remembered per segment: its text with,
        for a segment of several tokens, their ``ORTH`` hashes (which fix where the tokens start and end).
        """
        text, idx, tend = v.text, v.idx, v.end
        cb = v.cb if v.cb is not None else self._token_classes(doc, v)
        out: list[tuple[int, tuple[tuple, ...]]] = []
        memo = self._segments
        if len(memo) > _SEGMENT_MEMO_LIMIT:  # a bound for endless streams of new names
            memo.clear()
        names_in = self._segment_names
        orths = None  # the ORTH hashes as bytes, 8 a token (made for the first segment of several tokens)
        for mt in _SEGMENT.finditer(cb):  # (one regular-expression step per segment, none per token)
            a, b = mt.span()
            if b == a + 1:
                skey = text[idx[a]:tend[a]]
                hits = memo.get(skey)
                if hits is None:
                    hits = memo[skey] = names_in(v, cb, a, b)
                if not hits:
                    # no name by itself: alone, this token will not open a segment again
                    self._classes.mark(int(v.orth[a]), _DEAD)
                    continue
            else:
                if orths is None:
                    orths = v.orth.tobytes()
                skey = (text[idx[a]:tend[b - 1]], orths[8 * a:8 * b])
                hits = memo.get(skey)
                if hits is None:
                    hits = memo[skey] = names_in(v, cb, a, b)
                if not hits:
                    continue
            out.append((a, hits))
        return out

    def _segment_names(self, v: _DocView, cb: bytes, a: int, b: int) -> tuple[tuple, ...]:
        """The names in the segment ``a .. b-1``, longest first from each start: ``(start - a, end - a,
        key, name, governorate P-code or None, is a city key, is a city with an airbase)``.

        ``name`` is the name's text (the segment's text and token hashes fix it), the last three are
        what the gazetteer says of ``key``: the tagger looks them up once per segment, not per mention.
        """
        gz = self.gz
        text, idx, tend = v.text, v.idx, v.end
        hits = []
        find = self._find_name
        nxt = a  # first token not inside an accepted span
        for i in range(a, b):
            if i < nxt or not cb[i] & (_START_UPPER | _START_LOWER):
                continue
            # tokens i+1 .. b-1 may continue the name (at most _MAX_TOKENS tokens in all)
            found = find(v, cb, i, min(b, i + _MAX_TOKENS))
            if found is None:
                continue
            e = i + found[0]
            key = found[1]
            if key:  # (a blocked phrase is consumed, not emitted)
                hits.append((i - a, e + 1 - a, key, text[idx[i]:tend[e]], gz.governorates.get(key),
                             key in gz.city_keys, key in gz.airport_of))
            nxt = e + 1
        return tuple(hits)

    def _find_name(self, v: _DocView, cb: bytes, i: int, j: int) -> tuple[int, str] | None:
        """The longest name starting at token ``i`` within the run ``i .. j-1``: ``(last token - i, key)``.

        The key is "" for a blocked phrase (consumed, not emitted); None when no name starts here.
        """
        gz = self.gz
        text, tend = v.text, v.end
        lower_start = not cb[i] & _START_UPPER
        # the name words of the run, up to _MAX_WORDS of them
        ends = []
        for k in range(i, j):
            ck = cb[k]
            if ck & _EXT_WORD or (k == i and lower_start and not ck & _EXT_CONN):
                ends.append(k)
                if len(ends) >= _MAX_WORDS:
                    break
        start_char = v.idx[i]
        for e in reversed(ends):
            span_text = text[start_char:tend[e]]
            key = match_key(span_text)
            if not key:
                continue
            if key in gz.blocked or key in gz.not_places:
                return e - i, ""
            if key in gz.by_key or (len(key) >= MIN_FUZZY_KEY and skeleton_key(span_text) in gz.by_skeleton):
                if _fold(span_text) in gz.stopwords:
                    continue
                if lower_start and key not in gz.lowercase_keys and not (e > i and v.lower(i) in ("al", "el")):
                    continue
                return e - i, key
        return None

    # -- context -----------------------------------------------------------
    def _cue(self, v: _DocView, start: int, end: int) -> tuple[str | None, int]:
        """The cue around ``doc[start:end]`` and the end to extend the span to."""
        nxt = v.lower(end) if end < v.n else ""
        if nxt in self._cue_next:
            return self._cue_after(v, start, end, nxt)
        # the common case: nothing after the name that is a cue; only the words before it count
        if start:
            prev = v.lower(start - 1)
            if prev == "of" and start >= 2 and v.lower(start - 2) in ("city", "town", "capital"):
                return "city", end
            if prev in self.gov_preps:
                return "preposition", end
        return None, end

    def _cue_after(self, v: _DocView, start: int, end: int, nxt: str) -> tuple[str | None, int]:
        n = v.n
        if end + 2 < n and nxt == "sub" and v.text_of(end + 1) == "-" and v.lower(end + 2).startswith("district"):
            return "subdistrict", end + 3
        if nxt in self.sub_cues:
            return "subdistrict", end + 1
        if nxt in self.gov_cues:
            if nxt.startswith("province"):
                return "province", end + (nxt not in self.plural_gov)
            return "governorate", end + (nxt not in self.plural_gov)
        if nxt in self.district_cues:
            return "district", end + 1
        if nxt in ("neighbourhood", "neighborhood"):
            return "neighbourhood", end
        if nxt == "city":
            return "city", end + 1
        if nxt == "camp" or (nxt in ("idp", "refugee") and end + 1 < n and v.lower(end + 1) == "camp"):
            return "camp", end + (1 if nxt == "camp" else 2)
        prev = [v.lower(j) for j in range(max(0, start - 3), start)]
        if prev[-2:] in (["city", "of"], ["town", "of"], ["capital", "of"]):
            return "city", end
        if nxt in ("'s", "’s"):
            return "governorate_weak", end
        if prev and prev[-1] in self.gov_preps and nxt != "city":
            return "preposition", end
        return None, end

    def _rejected_by_neighbours(self, v: _DocView, start: int, end: int) -> bool:
        """A name inside a person's name or an actor's name."""
        if start > 0 and v.lower(start - 1).rstrip(".") in self.person_prefixes:
            return True
        if end >= v.n or v.lower(end) not in self._suffix_heads:
            return False  # no actor suffix starts here (the common case)
        tail = tuple(v.lower(j) for j in range(end, min(end + 3, v.n)))
        for suf in self.actor_suffixes:
            if tail[:len(suf)] == suf and v.text_of(end)[:1].isupper():
                return True
        return False

    def _in_proper_name(self, v: _DocView, start: int, end: int, covered: "set[int] | _Covered") -> bool:
        """The span touches a capitalised word that is not part of a place ("Kevin Kennedy", "Mark Green")."""
        n, text, idx, tend = v.n, v.text, v.idx, v.end
        nxt = end + 1 if end + 1 < n and text[idx[end]:tend[end]] == "-" else end
        for j in (start - 1, nxt):
            if 0 <= j < n:
                t = text[idx[j]:tend[j]]
                # (``covered`` last: it may be a ``_Covered``, whose set is built when first asked)
                if t[:1].isupper() and t.isalpha() and not (j == start - 1 and _sentence_initial(v, j)) \
                        and v.lower(j) not in STOP_WORDS and j not in covered:
                    return True
        return False

    def __call__(self, doc: Doc) -> Doc:
        gz = self.gz
        v = _DocView(doc, doc_text(doc), self._classes)
        segments = self._segment_hits(doc, v)
        if not segments:
            doc.spans["places"] = []
            return doc
        text, idx, tend, n = v.text, v.idx, v.end, v.n
        lower = v.lower
        # ``low[idx[j]:tend[j]]`` is ``v.lower(j)``, written out in the loops below
        low = v.low if v.low is not None else _LowerSlices(text)
        province_overrides, city_context = gz.province_overrides, self.city_context
        cue_next, gov_preps = self._cue_next, self.gov_preps
        person_prefixes, suffix_heads = self.person_prefixes, self._suffix_heads
        # governorates and cities named, per sentence and per document
        sent_adm1: dict[int, set[str]] = {}
        sent_city: dict[int, set[str]] = {}
        doc_adm1: set[str] = set()
        doc_city: set[str] = set()
        city_sense = set()
        # one sense per document for names given a district cue ("Afrin District" ... "from Afrin")
        district_keys = {}
        airport_counts: dict[str, int] = {}
        found = []
        sent_starts = v.sent_starts if v.sent_starts is not None else [0]
        # the sentence of a name: the last sentence start at or before it (or the first start), found
        # by walking the starts along with the names (which are in text order); the walk moves on only
        # at a name at or past ``next_start``, where the next sentence begins (n: none, or no starts)
        n_sents = len(sent_starts)
        si = 0
        sid = sent_starts[0] if n_sents else 0
        next_start = sent_starts[1] if n_sents > 1 else n
        for a, hits in segments:
            for rs, re_, key, name, pcode, is_city, is_airport in hits:
                s = a + rs
                e = a + re_
                if s >= next_start:
                    si += 1
                    while si + 1 < n_sents and sent_starts[si + 1] <= s:
                        si += 1
                    sid = sent_starts[si]
                    next_start = sent_starts[si + 1] if si + 1 < n_sents else n
                # the words before and after the name
                before = low[idx[s - 1]:tend[s - 1]] if s else ""
                after = low[idx[e]:tend[e]] if e < n else ""
                # the cue (``_cue``, its common case written out)
                if after in cue_next:
                    cue, new_end = self._cue_after(v, s, e, after)
                elif s and before == "of" and s >= 2 and lower(s - 2) in ("city", "town", "capital"):
                    cue, new_end = "city", e
                elif s and before in gov_preps:
                    cue, new_end = "preposition", e
                else:
                    cue, new_end = None, e
                if cue == "city" or (s >= 2 and before in ("of", "near", "outside") and lower(s - 2) in city_context):
                    city_sense.add(key)
                if pcode is not None:  # (the key is a governorate's)
                    if cue == "province" and key in province_overrides:
                        pcode = province_overrides[key]
                    named = sent_adm1.get(sid)
                    if named is None:
                        sent_adm1[sid] = {pcode}
                    else:
                        named.add(pcode)
                    doc_adm1.add(pcode)
                if is_city:
                    named = sent_city.get(sid)
                    if named is None:
                        sent_city[sid] = {key}
                    else:
                        named.add(key)
                    doc_city.add(key)
                if cue == "district" or cue == "subdistrict":
                    district_keys[key] = cue
                if is_airport:
                    airport_counts[key] = airport_counts.get(key, 0) + 1
                # a name inside a person's name or an actor's name (``_rejected_by_neighbours``): what it
                # says of the document above still counts, the name itself is dropped
                if before and (before.rstrip(".") if before[-1] == "." else before) in person_prefixes:
                    continue
                if e < n and after in suffix_heads and self._rejected_by_neighbours(v, s, e):
                    continue
                found.append((s, e, key, name, sid, cue, new_end))
        uses_governorate = None  # "governorate" in the text (looked for when a cue asks)
        plans = gz.__dict__.get("_plan_cache") or {}
        results = []
        villages = False  # a village among the results (``_ResolvePlan.remember``)
        for s, e, key, name, sid, cue, new_end in found:
            if cue is not None:
                if cue == "preposition" or cue == "governorate_weak":
                    if uses_governorate is None:
                        uses_governorate = "governorate" in (v.low if v.low is not None else text.lower())
                    cue = "governorate_weak" if uses_governorate else None
                    if cue is not None and key in city_sense:
                        cue = None
            if district_keys and (cue is None or cue == "governorate_weak") and key in district_keys:
                cue = district_keys[key]
            plan = plans.get(name)
            if plan is None:
                plan = gz._plan(name)
                plans = gz._plan_cache
            if not plan.cands:
                continue
            # what of the context can change the answer (see ``_ResolvePlan``); the context leaves out
            # the name's own governorate and the name itself
            rel = plan.rel_adm1_own
            if rel and doc_adm1:
                sa = sent_adm1.get(sid)
                a1, a2 = (rel & sa if sa else _EMPTY), rel & doc_adm1
            else:
                a1 = a2 = _EMPTY
            rel = plan.rel_city_own
            if rel and doc_city:
                sc = sent_city.get(sid)
                c1, c2 = (rel & sc if sc else _EMPTY), rel & doc_city
            else:
                c1 = c2 = _EMPTY
            sig = (cue, plan.ss_matters and _sentence_initial(v, s), a1, a2, c1, c2)
            hit = plan.memo.get(sig, _MISS)
            if hit is _MISS:
                own_gov = {plan.gov} if plan.gov is not None else set()
                ctx = ResolveContext(cue=cue, adm1=sent_adm1.get(sid, set()) - own_gov,
                                     doc_adm1=doc_adm1 - own_gov, cities=sent_city.get(sid, set()) - {key},
                                     doc_cities=doc_city - {key}, sentence_start=_sentence_initial(v, s))
                hit = plan.remember(sig, gz._resolve(name, plan, ctx))
            if hit is None:
                continue
            m = hit[0]
            if new_end != e and m.place.level not in _ADMIN_LEVELS and cue in (
                    "governorate", "district", "subdistrict", "province"):
                new_end = e
            if hit[2]:
                villages = True
            results.append([s, new_end, key, cue, m, hit[1]])
        # the tokens of the names found (before the check below drops any), asked for by the checks
        # below only in rare cases: built then
        covered = _Covered(results) if villages or airport_counts else None
        # a village name touching an unmatched capitalised word is part of a person's or group's name
        if villages:
            in_proper_name = self._in_proper_name
            results = [r for r in results if not (r[4].place.kind == "gazetteer" and r[4].place.feature != "city"
                                                  and in_proper_name(v, r[0], r[1], covered))]
        if len(results) > 1:
            self._apply_lists(v, results)
        if airport_counts:
            airports = self._generic_airports(v, (), covered, airport_counts)
            if airports:
                results.extend(airports)
                results.sort(key=_first)  # (the others are in text order already)
        spans = []
        label = doc.vocab.strings.add("PLACE")
        if _fast_records():
            # ``set_record`` written out, with the span's start_char and end_char known here
            user_data = doc.user_data
            keys = []
            for s, e, _key, _cue, m, record in results:
                end_char = tend[e - 1]
                # ``Span(doc, s, e)`` reads its offsets off three ``Token`` objects; an empty span at s
                # reads one, and the end is set from the offsets known here (the same span)
                span = Span(doc, s, s, label)
                span.end = e
                span.end_char = end_char
                spans.append(span)
                key = ("._.", "conflict", idx[s], end_char)
                # a new record per span: whoever reads it may change it
                user_data[key] = record.copy() if record is not None else {"canonical": m.canonical, **m.attrs()}
                keys.append(key)
            if keys:
                _note_hits(doc, keys)
        else:
            for s, e, _key, _cue, m, record in results:
                span = Span(doc, s, s, label)
                span.end = e
                span.end_char = tend[e - 1]
                spans.append(span)
                set_record(doc, span, record.copy() if record is not None else {"canonical": m.canonical, **m.attrs()})
        doc.spans["places"] = spans
        return doc

    def _generic_airports(self, v: _DocView, raw: list[tuple[int, int, str]], covered: "set[int] | _Covered",
                          counts: dict[str, int] | None = None) -> list[list]:
        """"the airport" / "the nearby military airport" in a report about one city with a known airbase.

        ``counts`` (raw names that are a city with an airbase -> how often) is counted from ``raw`` when
        not given.
        """
        gz = self.gz
        if counts is None:
            counts = {}
            for _, _, key in raw:
                if key in gz.airport_of:
                    counts[key] = counts.get(key, 0) + 1
        if not counts or ("airport" not in v.text and "airbase" not in v.text):
            return []
        city = max(counts, key=counts.get)
        place = gz.places[gz.airport_of[city]]
        out = []
        for start, end in _airport_words(v.text):
            # the token starting at the match, when the match is whole tokens (``doc.char_span``)
            ti = bisect_left(v.idx, start)
            if ti >= v.n or v.idx[ti] != start:
                continue
            te = bisect_left(v.end, end)
            if te >= v.n or v.end[te] != end:
                continue
            if ti in covered:
                continue
            s = ti
            while s > 0 and v.lower(s - 1) in ("military", "nearby", "city's", "main"):
                s -= 1
            if s == 0 or v.lower(s - 1) != "the":
                continue
            m = PlaceMatch(place, v.span_text(s, ti + 1), "curated", 0.7)
            out.append([s, ti + 1, match_key(place.name), None, m, self._record_of(m)])
        return out

    def _record_of(self, m: PlaceMatch) -> dict[str, Any]:
        """The span record of ``m`` (``{"canonical": ..., **m.attrs()}``), kept per place, method and score:
        the record does not depend on the text matched. Copied for each span."""
        key = (id(m.place), m.match_method, m.match_score)  # (the places live as long as the gazetteer)
        rec = self._records.get(key)
        if rec is None:
            if len(self._records) > _RECORDS_LIMIT:
                self._records.clear()
            rec = self._records[key] = {"canonical": m.canonical, **m.attrs()}
        return rec

    def _apply_lists(self, v: _DocView, results: list[list]) -> None:
        """Coordinated lists of governorate names ("Homs, Idlib, and Rif Damascus governorates").

        ``results`` rows are ``[start, end, key, cue, PlaceMatch, record]``; a row whose match is
        replaced gets the new match's record.
        """
        if len(results) < 2:
            return
        text, idx, tend, n = v.text, v.idx, v.end, v.n
        low = v.low if v.low is not None else _LowerSlices(text)
        list_mods = self.list_mods
        # runs of rows joined by list words (only runs of two or more can be a list), each checked
        # once it is complete
        group: list[list] | None = None
        prev = results[0]
        for cur in results[1:]:
            start, prev_end = cur[0], prev[1]
            joined = False
            # not too far apart to be one list, and every word between a list word, one of them
            # ",", "and" or "or"
            if prev_end < start <= prev_end + 6 and prev_end < n:
                for j in range(prev_end, start if start < n else n):
                    w = low[idx[j]:tend[j]]
                    if w in _LIST_WORDS:
                        joined = True
                    elif w not in list_mods:
                        joined = False
                        break
            if joined:
                if group is None:
                    group = [prev]
                group.append(cur)
            elif group is not None:
                self._governorate_list(v, group)
                group = None
            prev = cur
        if group is not None:
            self._governorate_list(v, group)

    def _governorate_list(self, v: _DocView, members: list[list]) -> None:
        """Make the members of a coordinated list governorates when the list is one of governorates."""
        gz = self.gz
        governorates = gz.governorates
        last_end = members[-1][1]
        nxt = v.lower(last_end) if last_end < v.n else ""
        capable = True  # every name is also a governorate's
        any_adm1 = strong_adm1 = False  # a member resolved to a governorate (not by a weak cue)
        for m in members:
            if m[2] not in governorates:
                capable = False
            if m[4].place.level == "adm1":
                any_adm1 = True
                if m[3] != "governorate_weak":
                    strong_adm1 = True
        is_gov_list = nxt in self.plural_gov or strong_adm1 or (
            capable and (members[0][3] == "governorate_weak" or any_adm1 or len(members) >= 3))
        if not is_gov_list:
            return
        for m in members:
            pcode = governorates.get(m[2])
            if pcode and m[4].place.level != "adm1":
                m[4] = PlaceMatch(gz.places[gz.adm1_by_pcode[pcode]], m[4].text, "admin", 1.0)
                m[5] = self._record_of(m[4])


_LIST_WORDS = (",", "and", "or")


class _Covered:
    """The tokens inside any of ``rows`` (``[start, end, ...]``, whose bounds do not change): a set
    built when first asked (``j in covered``), which most documents never do."""

    __slots__ = ("rows", "tokens")

    def __init__(self, rows: list[list]):
        self.rows = rows
        self.tokens: set[int] | None = None

    def __contains__(self, j: int) -> bool:
        if self.tokens is None:
            self.tokens = {t for r in self.rows for t in range(r[0], r[1])}
        return j in self.tokens


def _is_word_char(ch: str) -> bool:
    """``re``'s ``\\w`` for one character: ``str.isalnum`` or the underscore."""
    return ch.isalnum() or ch == "_"


def _airport_words(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each match of ``_AIRPORT_WORD`` in ``text``, in order, found with ``str.find``.

    The regular expression has to try every position of the text; the two words are rare, so looking
    for them and checking the word boundaries (``\\b``) by hand gives the same matches much faster.
    """
    out = []
    for word in ("airport", "airbase"):
        size = len(word)
        at = text.find(word)
        while at != -1:
            end = at + size
            if (at == 0 or not _is_word_char(text[at - 1])) and (end == len(text) or not _is_word_char(text[end])):
                out.append((at, end))
            at = text.find(word, at + 1)
    out.sort()
    return out


def _first(row: list) -> int:
    return row[0]


def _note_hits(doc: Doc, keys: list[tuple]) -> None:
    """:func:`conflict_lib.pipeline.note_hits`: the record keys of the spans written, for the doc's hit log."""
    note = getattr(_pipeline, "note_hits", None)
    if note is not None:
        note(doc, keys)


def _fast_records() -> bool:
    """Whether ``span._.conflict`` may be written straight into ``doc.user_data`` (see :func:`set_record`)."""
    return getattr(_pipeline, "_FAST_RECORD", False) is True


def make_place_tagger(nlp: Language, name: str, geo_dir: str | None) -> PlaceTagger:
    """spaCy factory for the places component (``conflict_places_v1``).

    Parameters
    ----------
    nlp : Language
    name : str
    geo_dir : str or None
        Folder with the reference geography (default :func:`conflict_lib.paths.geo_dir`).

    Returns
    -------
    PlaceTagger
    """
    return PlaceTagger(Gazetteer.load(geo_dir))




Language.factory("conflict_places_v1", default_config={"geo_dir": None}, func=make_place_tagger)
