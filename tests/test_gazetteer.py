"""Places: gazetteer resolution, context disambiguation and the conflict_places_v1 component."""
import csv
import json
import math

import pytest
import spacy

from conflict_lib import paths
from conflict_lib.gazetteer import CURATED_PATH, Gazetteer, ResolveContext, gazetteer_feature
from conflict_lib.translit import match_key

METHODS = {"exact", "alias", "translit", "fuzzy", "curated", "override", "admin", "neighbourhood"}


@pytest.fixture(scope="module")
def gz():
    return Gazetteer.load()


@pytest.fixture(scope="module")
def nlp():
    import conflict_lib.gazetteer  # noqa: F401  (registers the factory)

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("conflict_places_v1")
    return nlp


def _places(nlp, text):
    doc = nlp(text)
    return {sp.text: sp._.conflict for sp in doc.spans["places"]}


# ------------------------------------------------------------------ gazetteer

def test_load_is_cached(gz):
    assert Gazetteer.load() is gz
    assert len(gz.places) > 10_000


def test_resolve_records_method_and_attrs(gz):
    m = gz.resolve("Khan Chaykhoun")  # a spelling no source lists
    assert m.canonical.startswith("Khan Shaykh")
    assert m.match_method == "translit" and 0 < m.match_score <= 1
    assert gz.resolve("Khan Sheikhoun").match_method == "alias"
    fuzzy = gz.resolve("Tlul Elhomor")
    assert fuzzy.match_method == "fuzzy" and 0.85 <= fuzzy.match_score < 1
    a = m.attrs()
    assert a["place_id"].startswith("gn:") and a["adm1_pcode"] == "SY07" and a["feature"] in ("town", "city")
    assert gz.resolve("Manbij").match_method == "exact"
    assert gz.resolve("Rukban").match_method == "curated"
    assert gz.resolve("Idlib", {"cue": "governorate"}).match_method == "admin"
    assert gz.resolve("Damascus", {"cue": "province"}).match_method == "override"


def test_spelling_variants_resolve_to_one_place(gz):
    ids = {gz.resolve(n).place.place_id for n in ("Deir ez-Zor", "Deir Ezzor", "Dayr az Zawr", "Deir al-Zour")}
    assert len(ids) == 1
    ids = {gz.resolve(n).place.place_id for n in ("al-Bukamal", "Abu Kamal", "Albu Kamal")}
    assert len(ids) == 1
    assert {gz.resolve(n).place.place_id for n in ("Hmeimem", "Hmeimim", "Khmeimim")} == {"cur:khmeimim-air-base"}


def test_governorate_vs_city(gz):
    assert gz.resolve("Idlib").place.feature == "city"
    gov = gz.resolve("Idlib", {"cue": "governorate"})
    assert gov.place.place_id == "ocha:SY07" and gov.place.feature == "governorate"
    assert gz.resolve("Rif Damascus").place.place_id == "ocha:SY03"  # a governorate only
    assert gz.resolve("Damascus", {"cue": "province"}).place.place_id == "ocha:SY03"
    assert gz.resolve("Afrin", {"cue": "district"}).place.level == "adm2"
    assert gz.resolve("Tell Refaat", {"cue": "subdistrict"}).place.level == "adm3"


def test_context_governorate_picks_the_local_place(gz):
    # several villages share the key of "Kafr Nabl"-like names; the context governorate decides
    cands = {c[0].adm1_pcode for c in gz.candidates("Kafrah")}
    assert len(cands) > 1
    for pcode in ("SY02", "SY04"):
        m = gz.resolve("Kafrah", ResolveContext(adm1={pcode}))
        assert m.place.adm1_pcode == pcode


def test_neighbourhood_in_named_city(gz):
    m = gz.resolve("Qaboun", ResolveContext(cities={match_key("Damascus")}))
    assert m.place.feature == "neighbourhood" and m.place.adm1_pcode == "SY01"
    assert m.match_method == "neighbourhood"


def test_bare_name_prefers_better_known_place(gz):
    m = gz.resolve("Douma")
    assert m.place.adm1_pcode == "SY03" and m.place.feature == "city"


def test_feature_mapping():
    assert gazetteer_feature("PPLA", 0) == "city"
    assert gazetteer_feature("PPL", 60_000) == "city"
    assert gazetteer_feature("PPLA3", 0) == "town"
    assert gazetteer_feature("PPL", 0) == "village"
    assert gazetteer_feature(None, 0, "neighbourhood") == "neighbourhood"


def test_curated_rows_have_sources():
    with open(CURATED_PATH, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len({r["place_id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["place_id"].startswith("cur:")
        assert r["coord_source"].strip() and r["licence"].strip(), r["place_id"]
        assert r["feature"] in {"camp", "airbase", "border_crossing", "region", "road", "country", "town"}
        if r["lat"]:
            assert 32.0 < float(r["lat"]) < 37.5 and 35.5 < float(r["lon"]) < 42.5, r["place_id"]
            assert any(ch.isdigit() for ch in r["coord_source"]), r["place_id"]


# ------------------------------------------------------------------ component

def test_component_on_a_sentence(nlp):
    p = _places(nlp, "The SDF took the Damascus suburbs of Qaboun and Barzeh, and al-Fu'ah and Kafraya "
                     "in Idlib Province, while convoys reached Deir Ezzor city and the Rukban camp.")
    assert p["Qaboun"]["feature"] == "neighbourhood" and p["Qaboun"]["adm1_pcode"] == "SY01"
    assert p["Barzeh"]["adm1_pcode"] == "SY01"
    assert p["Idlib Province"]["place_id"] == "ocha:SY07"
    assert p["Kafraya"]["adm1_pcode"] == "SY07"
    assert p["Deir Ezzor city"]["feature"] == "city"
    assert p["Rukban camp"]["feature"] == "camp" and p["Rukban camp"]["lat"] == pytest.approx(33.3)
    for rec in p.values():
        assert rec["match_method"] in METHODS
        assert set(rec) >= {"canonical", "place_id", "lat", "lon", "feature", "adm1_pcode", "adm1_name",
                            "adm2_pcode", "adm2_name", "adm3_pcode", "adm3_name", "match_method",
                            "match_score", "source"}


def test_governorate_lists_and_cues(nlp):
    p = _places(nlp, "Displacement from Ar Raqqah and Dayr az Zawr governorates continued. "
                     "Besieged areas of Homs, Idlib, and Rif Damascus remain. Aid reached Daraa governorate.")
    assert p["Ar Raqqah"]["place_id"] == "ocha:SY11"
    assert p["Dayr az Zawr"]["place_id"] == "ocha:SY09"
    assert p["Homs"]["place_id"] == "ocha:SY04" and p["Idlib"]["place_id"] == "ocha:SY07"
    assert p["Daraa governorate"]["place_id"] == "ocha:SY12"


def test_precision_filters(nlp):
    p = _places(nlp, "The Islamic State of Iraq and Syria lost ground. Refugees fled to Turkey, Lebanon and Jordan. "
                     "Provincial governor Mohammed Ibrahim Samra said the Syrian Democratic Forces advanced.")
    assert "Iraq" not in p and "Turkey" not in p and "Lebanon" not in p and "Jordan" not in p
    assert "Samra" not in p
    assert all(v["canonical"] != "Syria" for v in p.values())


def test_directional_regions_and_lowercase_curated(nlp):
    p = _places(nlp, "Fighting in northern Syria and eastern Ghouta, near the Hama-Rastan road.")
    assert p["northern Syria"]["feature"] == "region" and p["northern Syria"]["lat"] is None
    assert p["eastern Ghouta"]["canonical"] == "Eastern Ghouta"
    assert p["Hama"]["feature"] == "city" and "Rastan" in p


# ------------------------------------------------------------------ regression guard on the shipped gold

def _body(path):
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        text = text.split("\n---", 1)[1].split("\n", 1)[1]
    for ch in "\u2018\u2019\u02bc\u02bb\u02be\u02bf`\u00b4":
        text = text.replace(ch, "'")
    for ch in "\u2010\u2011\u2012\u2013\u2014":
        text = text.replace(ch, "-")
    return text


def _km(a, b, c, d):
    p1, p2 = math.radians(a), math.radians(c)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(d - b) / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def _score(nlp):
    tp = fp = fn = near = with_coords = 0
    for gold_file in sorted(paths.gold_dir().glob("*.gold.jsonl")):
        stem = gold_file.name[: -len(".gold.jsonl")]
        report = paths.reports_dir() / f"{stem}.txt"
        gold = [json.loads(x) for x in gold_file.read_text(encoding="utf-8").splitlines() if x.strip()]
        gold = [g for g in gold if g["kind"] == "place"]
        doc = nlp(_body(report))
        pred = {}
        for sp in doc.spans["places"]:
            pred.setdefault(sp._.conflict["place_id"], (sp.text, sp._.conflict))
        pred = list(pred.values())
        match, used = {}, set()
        for i, (text, c) in enumerate(pred):  # first by name, then by coordinates (15 km)
            keys = {match_key(c["canonical"]), match_key(text)}
            for j, g in enumerate(gold):
                if j not in used and keys & {match_key(g["canonical"]), match_key(g["text"])}:
                    match[i] = j
                    used.add(j)
                    break
        for i, (text, c) in enumerate(pred):
            if i in match or c["lat"] is None:
                continue
            for j, g in enumerate(gold):
                if j not in used and g["lat"] is not None and _km(g["lat"], g["lon"], c["lat"], c["lon"]) <= 15:
                    match[i] = j
                    used.add(j)
                    break
        for i, j in match.items():
            c, g = pred[i][1], gold[j]
            if c["lat"] is not None and g["lat"] is not None:
                with_coords += 1
                near += _km(g["lat"], g["lon"], c["lat"], c["lon"]) <= 25
        tp += len(match)
        fp += len(pred) - len(match)
        fn += len(gold) - len(match)
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, 2 * p * r / (p + r), near / max(1, with_coords)


def test_places_f1_on_shipped_gold(nlp):
    if not any(paths.gold_dir().glob("*.gold.jsonl")):
        pytest.skip("no gold files")
    precision, recall, f1, within_25km = _score(nlp)
    assert f1 >= 0.90, (precision, recall, f1)
    assert within_25km >= 0.95


def test_common_english_names_replace_transliterations():
    """english_names.csv: the canonical name is the one analysts use, and it is matched too."""
    from conflict_lib.gazetteer import Gazetteer

    gz = Gazetteer.load()
    for name, expect in [("Ar Raqqah", "Raqqa"), ("Madaya", "Madaya"), ("Shaddadi", "Al-Shaddadi")]:
        m = gz.resolve(name, {})
        assert m is not None and m.canonical == expect, f"{name!r} resolved to {m and m.canonical!r}, expected {expect!r}"
