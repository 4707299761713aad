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
from bisect import bisect_left, bisect_right
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz
from spacy.attrs import IDX, LENGTH, ORTH, SENT_START
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import paths
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
        state.pop("_cand_cache", None)  # a per-process cache, not part of the index
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
        key = match_key(name)
        cands = self.candidates(name)
        if not cands:
            return None
        cue = ctx.cue
        gov_pcode = self.governorates.get(key)
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


class _DocView:
    """Token texts of a doc read as slices of its text: no ``Token`` object per look-up.

    ``doc[j].text``, ``.lower_``, ``.is_space`` and ``.is_sent_start`` are what the places
    component asks of its neighbours; each is a slice of the document text here (spaCy's
    ``LOWER`` is ``str.lower`` of the token text, its ``IS_SPACE`` ``str.isspace``).
    """

    __slots__ = ("text", "low", "idx", "end", "n", "orth", "sent_starts", "_sent")

    def __init__(self, doc: Doc, text: str):
        self.text = text
        arr = doc.to_array([IDX, LENGTH, ORTH, SENT_START])  # one call: it walks every token
        self.idx: list[int] = arr[:, 0].tolist()
        self.end: list[int] = (arr[:, 0] + arr[:, 1]).tolist()
        seed_token_bounds(doc, self.idx, self.end)  # shared with the other components
        self.n = len(self.idx)
        self.orth = arr[:, 2]
        #: token indexes of sentence starts (``is_sent_start``); None when the doc has no sentences
        self.sent_starts: list[int] | None = np.flatnonzero(arr[:, 3] == 1).tolist() \
            if doc.has_annotation("SENT_START") else None
        self._sent: set[int] | None = None
        low = text.lower()
        # lower-casing the whole text equals lower-casing each token unless a character changes
        # length or is context-sensitive (capital sigma)
        self.low = low if len(low) == len(text) and "\u03a3" not in text else None
        self._sent = None

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


def _sentence_initial(v: _DocView, i: int) -> bool:
    """True when token ``i`` opens a sentence, a line or the document (its capital says nothing)."""
    j = i - 1
    while j >= 0:
        t = v.text_of(j)
        if not t.isspace():
            break
        if "\n" in t:
            return True
        j -= 1
    if j < 0:
        return True
    prev = v.text_of(j)
    if prev == "." and j > 0 and v.lower(j - 1) in _ABBREVIATIONS:
        return False  # "Capt. Bill Urban", "Gen. Joseph Votel"
    if v.is_sent_start(i):
        return True
    # (a token's trailing white space is at most one " ", so never a line break)
    return prev in _SENT_PUNCT


_SENT_PUNCT = frozenset((".", "!", "?", ":", ";", '"', "\u201c", "(", "-", "*"))


class PlaceTagger:
    """The ``conflict_places_v1`` component: writes ``doc.spans["places"]``.

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
        #: ORTH hash -> token class bits (see ``_classify``); token texts repeat, so this stays small
        self._classes: dict[int, int] = {}

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

    def _token_classes(self, doc: Doc, v: _DocView) -> list[int]:
        orths = v.orth.tolist()
        cache = self._classes
        try:
            return list(map(cache.__getitem__, orths))
        except KeyError:
            strings = doc.vocab.strings
            if len(cache) > 500_000:  # a bound for endless streams of new words
                cache.clear()
            for h in orths:
                if h not in cache:
                    cache[h] = self._classify(strings[h])
            return list(map(cache.__getitem__, orths))

    def _raw_spans(self, doc: Doc, v: _DocView | None = None) -> list[tuple[int, int, str]]:
        """Longest gazetteer names (``(start, end, key)`` token spans) over runs of name-like tokens.

        Only tokens that may start a name are visited (a capitalised word that is not an English
        stop word or an ALL-CAPS headline word, or a lower-case start such as "eastern").
        """
        gz = self.gz
        v = v if v is not None else _DocView(doc, doc_text(doc))
        text, idx, tend = v.text, v.idx, v.end
        cls = self._token_classes(doc, v)
        n = len(cls)
        out: list[tuple[int, int, str]] = []
        by_key, lower_keys, by_skel = gz.by_key, gz.lowercase_keys, gz.by_skeleton
        # the tokens that may start a name (one in six), found without a Python step per token
        starts = np.flatnonzero(np.frombuffer(bytes(cls), dtype=np.uint8) & (_START_UPPER | _START_LOWER)).tolist()
        nxt = 0  # first token not inside an accepted span
        for i in starts:
            if i < nxt:
                continue
            lower_start = not cls[i] & _START_UPPER
            # extend over name-like tokens
            ends = []
            words = 0
            k = i
            stop = min(n, i + _MAX_TOKENS)
            while k < stop:
                ck = cls[k]
                if ck & _EXT_WORD or (k == i and lower_start and not ck & _EXT_CONN):
                    words += 1
                    ends.append(k)
                elif not ck & _EXT_CONN:
                    break
                if words >= _MAX_WORDS:
                    break
                k += 1
            hit = None
            start_char = idx[i]
            for e in reversed(ends):
                span_text = text[start_char:tend[e]]
                key = match_key(span_text)
                if not key:
                    continue
                if key in gz.blocked or key in gz.not_places:
                    hit = (e, "")
                    break
                if key in by_key or (len(key) >= MIN_FUZZY_KEY and skeleton_key(span_text) in by_skel):
                    if _fold(span_text) in gz.stopwords:
                        continue
                    if lower_start and key not in lower_keys and not (e > i and v.lower(i) in ("al", "el")):
                        continue
                    hit = (e, key)
                    break
            if hit is None:
                continue
            e, key = hit
            if key:
                out.append((i, e + 1, key))
            nxt = e + 1
        return out

    # -- context -----------------------------------------------------------
    def _cue(self, v: _DocView, start: int, end: int) -> tuple[str | None, int]:
        """The cue around ``doc[start:end]`` and the end to extend the span to."""
        n = v.n
        nxt = v.lower(end) if end < n else ""
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

    def _in_proper_name(self, v: _DocView, start: int, end: int, covered: set[int]) -> bool:
        """The span touches a capitalised word that is not part of a place ("Kevin Kennedy", "Mark Green")."""
        n = v.n
        nxt = end + 1 if end + 1 < n and v.text_of(end) == "-" else end
        for j in (start - 1, nxt):
            if 0 <= j < n and j not in covered:
                t = v.text_of(j)
                if t[:1].isupper() and t.isalpha() and not (j == start - 1 and _sentence_initial(v, j)) \
                        and v.lower(j) not in STOP_WORDS:
                    return True
        return False

    def __call__(self, doc: Doc) -> Doc:
        gz = self.gz
        v = _DocView(doc, doc_text(doc))
        raw = self._raw_spans(doc, v)
        if not raw:
            doc.spans["places"] = []
            return doc
        # governorates and cities named, per sentence and per document
        sent_of = {}
        sent_adm1: dict[int, set[str]] = {}
        sent_city: dict[int, set[str]] = {}
        doc_adm1: set[str] = set()
        doc_city: set[str] = set()
        cues = {}
        city_sense = set()
        sent_starts = v.sent_starts if v.sent_starts is not None else [0]
        for s, e, key in raw:
            sid = sent_starts[max(0, bisect_right(sent_starts, s) - 1)] if sent_starts else 0
            sent_of[s] = sid
            cues[s] = self._cue(v, s, e)
            if cues[s][0] == "city" or (s >= 2 and v.lower(s - 1) in ("of", "near", "outside") and
                                         v.lower(s - 2) in self.city_context):
                city_sense.add(key)
            if key in gz.governorates:
                pcode = gz.governorates[key]
                if cues[s][0] == "province" and key in gz.province_overrides:
                    pcode = gz.province_overrides[key]
                sent_adm1.setdefault(sid, set()).add(pcode)
                doc_adm1.add(pcode)
            if key in gz.city_keys:
                sent_city.setdefault(sid, set()).add(key)
                doc_city.add(key)
        uses_governorate = "governorate" in (v.low if v.low is not None else v.text.lower())
        # one sense per document for names given a district cue ("Afrin District" ... "from Afrin")
        district_keys = {}
        for s, e, key in raw:
            cue, _ = cues[s]
            if cue in ("district", "subdistrict"):
                district_keys[key] = cue
        results = []
        for s, e, key in raw:
            if self._rejected_by_neighbours(v, s, e):
                continue
            cue, new_end = cues[s]
            if cue == "preposition":
                cue = "governorate_weak" if uses_governorate else None
            elif cue == "governorate_weak" and not uses_governorate:
                cue = None
            if cue == "governorate_weak" and key in city_sense:
                cue = None
            if cue in (None, "governorate_weak") and key in district_keys:
                cue = district_keys[key]
            sid = sent_of[s]
            own_gov = {gz.governorates[key]} if key in gz.governorates else set()
            ctx = ResolveContext(cue=cue, adm1=sent_adm1.get(sid, set()) - own_gov, doc_adm1=doc_adm1 - own_gov,
                                 cities=sent_city.get(sid, set()) - {key}, doc_cities=doc_city - {key},
                                 sentence_start=_sentence_initial(v, s))
            m = gz.resolve(v.span_text(s, e), ctx)
            if m is None:
                continue
            if m.place.level not in ("adm1", "adm2", "adm3") and new_end != e and cue in (
                    "governorate", "district", "subdistrict", "province"):
                new_end = e
            results.append([s, new_end, key, cue, m])
        # a village name touching an unmatched capitalised word is part of a person's or group's name
        covered = {j for r in results for j in range(r[0], r[1])}
        results = [r for r in results if not (r[4].place.kind == "gazetteer" and r[4].place.feature != "city"
                                              and self._in_proper_name(v, r[0], r[1], covered))]
        self._apply_lists(v, results)
        results.extend(self._generic_airports(v, raw, covered))
        results.sort(key=lambda r: r[0])
        spans = []
        for s, e, key, cue, m in results:
            span = Span(doc, s, e, label="PLACE")
            set_record(doc, span, {"canonical": m.canonical, **m.attrs()})
            spans.append(span)
        doc.spans["places"] = spans
        return doc

    def _generic_airports(self, v: _DocView, raw: list[tuple[int, int, str]], covered: set[int]) -> list[list]:
        """"the airport" / "the nearby military airport" in a report about one city with a known airbase."""
        gz = self.gz
        counts: dict[str, int] = {}
        for _, _, key in raw:
            if key in gz.airport_of:
                counts[key] = counts.get(key, 0) + 1
        if not counts or ("airport" not in v.text and "airbase" not in v.text):
            return []
        city = max(counts, key=counts.get)
        place = gz.places[gz.airport_of[city]]
        out = []
        for mt in _AIRPORT_WORD.finditer(v.text):
            # the token starting at the match, when the match is whole tokens (``doc.char_span``)
            ti = bisect_left(v.idx, mt.start())
            if ti >= v.n or v.idx[ti] != mt.start():
                continue
            te = bisect_left(v.end, mt.end())
            if te >= v.n or v.end[te] != mt.end():
                continue
            if ti in covered:
                continue
            s = ti
            while s > 0 and v.lower(s - 1) in ("military", "nearby", "city's", "main"):
                s -= 1
            if s == 0 or v.lower(s - 1) != "the":
                continue
            out.append([s, ti + 1, match_key(place.name), None,
                        PlaceMatch(place, v.span_text(s, ti + 1), "curated", 0.7)])
        return out

    def _apply_lists(self, v: _DocView, results: list[list]) -> None:
        """Coordinated lists of governorate names ("Homs, Idlib, and Rif Damascus governorates")."""
        gz = self.gz
        if not results:
            return
        groups: list[list[int]] = [[0]]
        for a in range(1, len(results)):
            prev_end, cur_start = results[a - 1][1], results[a][0]
            if cur_start - prev_end > 6:  # too far apart to be one list
                groups.append([a])
                continue
            between = [v.lower(j) for j in range(prev_end, min(cur_start, v.n))]
            if between and all(w in (",", "and", "or") or w in self.list_mods for w in between) and \
                    any(w in (",", "and", "or") for w in between):
                groups[-1].append(a)
            else:
                groups.append([a])
        for g in groups:
            if len(g) < 2:
                continue
            members = [results[a] for a in g]
            last_end = members[-1][1]
            nxt = v.lower(last_end) if last_end < v.n else ""
            capable = all(m[2] in gz.governorates for m in members)
            is_gov_list = nxt in self.plural_gov or any(
                m[4].place.level == "adm1" and m[3] != "governorate_weak" for m in members) or (
                capable and (members[0][3] == "governorate_weak" or any(m[4].place.level == "adm1" for m in members)
                             or len(members) >= 3))
            if not is_gov_list:
                continue
            for m in members:
                pcode = gz.governorates.get(m[2])
                if pcode and m[4].place.level != "adm1":
                    m[4] = PlaceMatch(gz.places[gz.adm1_by_pcode[pcode]], m[4].text, "admin", 1.0)


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
