"""Tests for :mod:`conflict_lib.events` on hand-tagged sentences of the corpus."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from conflict_lib.events import extract_events
from conflict_lib.schema import EVENT_COLUMNS, Caption, Document, Mention, TaggedDocument


# --------------------------------------------------------------------------- helpers

def place(text, canonical=None, place_id=None, feature="town", lat=None, lon=None, nth=0, **attrs):
    """Spec of a place mention found by substring."""
    a = {"place_id": place_id or "p:" + (canonical or text).lower().replace(" ", "-"), "lat": lat, "lon": lon,
         "feature": feature, "adm1_pcode": attrs.pop("adm1_pcode", None), "adm2_pcode": None, "adm3_pcode": None,
         **attrs}
    return ("place", text, canonical or text, a, nth)


def actor(text, alignment, canonical=None, adjectival=False, nth=0):
    return ("actor", text, canonical or text, {"alignment": alignment, "adjectival": adjectival}, nth)


def date(text, value, precision="day", nth=0, **attrs):
    return ("date", text, text, {"value": value, "precision": precision, **attrs}, nth)


def figure(text, value, qualifier="exact", unit="people", low=None, high=None, nth=0):
    return ("figure", text, text, {"value": value, "low": low, "high": high, "qualifier": qualifier,
                                   "unit": unit}, nth)


def make_tagged(text, specs, doc_id="doc", published=dt.date(2017, 9, 6), captions=(), period_start=None, period_end=None,
                offset_shift=0):
    """A TaggedDocument from plain text and mention specs (offsets found by substring).

    ``offset_shift`` pretends the raw text had that many characters of front matter, to test raw offsets.
    """
    mentions = []
    for kind, sub, canonical, attrs, nth in specs:
        starts = [m.start() for m in re.finditer(re.escape(sub), text)]
        assert len(starts) > nth, f"{sub!r} not found {nth + 1} times"
        st = starts[nth]
        mentions.append(Mention(kind=kind, start=st, end=st + len(sub), text=sub, canonical=canonical,
                                attrs=dict(attrs)))
    mentions.sort(key=lambda m: (m.start, -m.end))
    sentences = []
    for para in re.finditer(r"[^\n]+", text):
        pos = para.start()
        for piece in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])|(?<=[.!?])(?<![A-Z][a-z][a-z]\.)\s+(?=\d)", para.group(0)):
            st = text.index(piece, pos)
            sentences.append((st, st + len(piece)))
            pos = st + len(piece)
    doc = Document(doc_id=doc_id, path=f"{doc_id}.txt", format="txt", title=None, publisher=None,
                   published=published, period_start=period_start, period_end=period_end, source_url=None,
                   license=None, raw_text=" " * offset_shift + text, text=text, match_text=text,
                   offsets=[i + offset_shift for i in range(len(text) + 1)], captions=list(captions))
    return TaggedDocument(document=doc, mentions=mentions, sentences=sentences)


def only(events, **kw):
    out = [e for e in events if all(e[k] == v for k, v in kw.items())]
    assert len(out) == 1, (kw, [(e["type"], e["place"]) for e in events])
    return out[0]


EA_TEXT = (
    "Pro-Assad forces broke through the three-year Islamic State siege of Deir ez-Zor city in eastern Syria "
    "on Tuesday.\n\n"
    "Since entering the province last weekend, the advance pro-Assad force moved quickly to the east as ISIS "
    "fighters appeared to fall back on the city and their remaining positions in towns such as Mayadin and "
    "al-Bukamal, near the Iraq border.\n\n"
    "Footage of initial contact on the western edge of Deir ez-Zor city:\n\n"
    "The nearby military airport and three districts of the city, with almost 100,000 civilians, are still "
    "cut off.\n\n"
    "In a report for the UN Human Rights Council, the team reviewed the forced displacements this spring of "
    "residents and rebels from areas such as Madaya and Zabadani in Damascus Province and the Damascus suburbs "
    "of Qaboun and Barzeh:\n"
)

EA_SPECS = [
    actor("Pro-Assad forces", "government", "Syrian government"),
    actor("Islamic State", "isis"),
    place("Deir ez-Zor", "Deir ez-Zor", place_id="syr:deir-ez-zor", feature="city", lat=35.336, lon=40.146),
    place("Deir ez-Zor", "Deir ez-Zor", place_id="syr:deir-ez-zor", feature="city", lat=35.336, lon=40.146, nth=1),
    date("on Tuesday", "2017-09-05", relative=True),
    actor("ISIS", "isis"),
    place("Mayadin", feature="city"), place("al-Bukamal", "Abu Kamal", feature="city"),
    figure("almost 100,000", 100000, "nearly", unit="civilians"),
    actor("UN Human Rights Council", "un", "UN Commission of Inquiry on Syria"),
    date("this spring", "2017", "season"),
    place("Madaya"), place("Zabadani", "Al-Zabadani"),
    place("Damascus Province", "Damascus Governorate", feature="governorate"),
    place("Damascus", feature="city", nth=1),
    place("Qaboun", feature="neighbourhood"), place("Barzeh", feature="neighbourhood"),
]

CC_TEXT = (
    "There have been multiple conflicting reports regarding the current state of affairs in the southeastern "
    "\"al-Tanf pocket\" of opposition control, near the intersection of the Iraqi, Jordanian, and Syrian borders. "
    "The two main opposition groups in the area, Jaysh Osoud al-Sharqiya and Quwat al-Shaheed Ahmad al-Abdo, "
    "facilitated the evacuation of nearly all residents of the Hadalat IDP camp, and resettled them in the "
    "Rukban camp (on the Jordanian border) as clashes were growing too close for the displaced to safely remain "
    "in the former camp.\n\n"
    "On a related note, the Maghaweir al-Thawra forces that relocated from this southern pocket to SDF-held "
    "Shaddadi last month have refused to fight alongside the SDF, and therefore will not take part in the "
    "ongoing advance on Deir Ezzor.\n\n"
    "The Russian Center for National Reconciliation at Hmeimem Military Airbase claimed it had reached an "
    "agreement with opposition groups in the Rastan pocket (north of Homs) to open the Hama-Rastan road. "
    "They claimed to deliver aid via the road, though the point of delivery appears to be near a "
    "pro-government checkpoint almost 10km north of the opposition-held pocket. Opposition sources in Rastan "
    "deny the opening of the road and have released contrary photographic evidence.\n"
)

CC_SPECS = [
    place("al-Tanf", "Al-Tanf", feature="border_crossing"),
    actor("opposition", "opposition", "Syrian opposition", adjectival=True),
    actor("opposition groups", "opposition", "Syrian opposition"),
    actor("Jaysh Osoud al-Sharqiya", "opposition", "Jaysh Usud al-Sharqiya"),
    actor("Quwat al-Shaheed Ahmad al-Abdo", "opposition"),
    place("Hadalat", "Hadalat camp", feature="camp"), place("Rukban", "Rukban camp", feature="camp"),
    actor("Maghaweir al-Thawra", "opposition"), actor("SDF", "sdf", "Syrian Democratic Forces", adjectival=True),
    place("Shaddadi", "Al-Shaddadi"), date("last month", "2017-08", "month", relative=True),
    actor("SDF", "sdf", "Syrian Democratic Forces", nth=1), place("Deir Ezzor", "Deir ez-Zor", feature="city"),
    actor("Russian Center for National Reconciliation", "russia", "Russian Centre for Reconciliation"),
    place("Hmeimem Military Airbase", "Hmeimim Air Base", feature="airbase"),
    actor("opposition groups", "opposition", "Syrian opposition", nth=1),
    place("Rastan", "Ar-Rastan"), place("Homs", feature="city"),
    actor("pro-government", "government", "Syrian government", adjectival=True),
    actor("opposition", "opposition", "Syrian opposition", adjectival=True, nth=3),
    actor("Opposition", "opposition", "Syrian opposition"), place("Rastan", "Ar-Rastan", nth=2),
]


@pytest.fixture(scope="module")
def ea_events():
    return extract_events(make_tagged(EA_TEXT, EA_SPECS, doc_id="2017-09-06_eaworldview_deir-ez-zor-siege-broken",
                                      published=dt.date(2017, 9, 6)))


@pytest.fixture(scope="module")
def cc_events():
    return extract_events(make_tagged(CC_TEXT, CC_SPECS, doc_id="2017-09-13_cartercenter_weekly",
                                      published=None, period_start=dt.date(2017, 9, 7),
                                      period_end=dt.date(2017, 9, 13)))


# --------------------------------------------------------------------------- seed facts


def test_rows_have_exactly_the_event_columns(ea_events, cc_events):
    assert ea_events and cc_events
    for e in ea_events + cc_events:
        assert tuple(e) == EVENT_COLUMNS


def test_seed_siege_of_deir_ez_zor_lifted_on_tuesday(ea_events):
    e = only(ea_events, type="siege_lifted")
    assert (e["place"], e["place_id"], e["date"], e["date_text"]) == (
        "Deir ez-Zor", "syr:deir-ez-zor", "2017-09-05", "on Tuesday")
    assert (e["actor"], e["counterpart"], e["certainty"], e["source"]) == ("government", "isis", "confirmed", None)
    assert e["actor_name"] == "Syrian government" and e["lat"] == pytest.approx(35.336)
    assert e["sentence"].startswith("Pro-Assad forces broke through")
    assert EA_TEXT[e["start"]:e["end"]] == e["sentence"]


def test_seed_still_cut_off_resolves_the_city_and_inherits_parties(ea_events):
    e = only(ea_events, type="siege", date="2017-09-06")
    assert e["place"] == "Deir ez-Zor"  # "the city": not Mayadin / al-Bukamal, named later
    assert (e["figure"], e["figure_qualifier"], e["figure_unit"]) == (100000, "nearly", "civilians")
    assert (e["actor"], e["counterpart"]) == ("isis", "government")
    assert e["date_text"] == "are still cut off" and e["date_precision"] == "day"


def test_seed_displacements_one_per_place_reported_by_un(ea_events):
    disp = [e for e in ea_events if e["type"] == "displacement"]
    assert sorted(e["place"] for e in disp) == ["Al-Zabadani", "Barzeh", "Madaya", "Qaboun"]
    for e in disp:
        assert e["origin"] == e["place"] and e["figure"] is None
        assert e["certainty"] == "reported" and e["source"] == "UN Human Rights Council"
        assert e["date"] is None and e["date_text"] == "this spring"


def test_control_state_from_remaining_positions(ea_events):
    states = {e["place"]: e for e in ea_events if e["type"] == "control_state"}
    assert set(states) == {"Mayadin", "Abu Kamal"}
    assert states["Mayadin"]["actor"] == "isis" and states["Mayadin"]["date"] == "2017-09-06"


def test_seed_hadalat_to_rukban(cc_events):
    e = only(cc_events, type="displacement")
    assert (e["place"], e["origin"], e["destination"]) == ("Hadalat camp", "Hadalat camp", "Rukban camp")
    assert e["actor"] == "opposition" and e["certainty"] == "confirmed"
    assert e["date"] == "2017-09"  # an undated event of a weekly summary: the reporting month


def test_seed_sdf_held_shaddadi_and_tanf_pocket(cc_events):
    e = only(cc_events, type="control_state", place="Al-Shaddadi")
    assert e["actor"] == "sdf" and e["actor_name"] == "Syrian Democratic Forces"
    assert e["date"] == "2017-09-13" and e["date_text"] == "SDF-held"
    assert only(cc_events, type="control_state", place="Al-Tanf")["actor"] == "opposition"
    # fighters relocating are not a displacement of people
    assert not [x for x in cc_events if x["type"] == "displacement" and x["place"] == "Al-Shaddadi"]


def test_seed_road_claim_and_denial(cc_events):
    road = [e for e in cc_events if e["mode"] == "access"]
    assert [(e["place"], e["certainty"], e["source"]) for e in road] == [
        ("Hama-Rastan road", "claimed", "Russian Center for National Reconciliation"),
        ("Hama-Rastan road", "denied", "Opposition sources in Rastan"),
    ]
    assert all(e["type"] == "control_state" and e["actor"] is None for e in road)


# --------------------------------------------------------------------------- control changes


def test_control_change_list_of_places_drops_possessive_container():
    text = ("On May 21, the Syrian Arab Republic Government (SARG) regained control of southern Damascus’ "
            "Al Hajar al-Aswad neighborhood and the adjoining unofficial Yarmouk Palestinian refugee camp, "
            "bringing Damascus under complete SARG control for the first time since 2011.")
    t = make_tagged(text, [
        date("On May 21", "2018-05-21"), actor("Syrian Arab Republic Government", "government"),
        actor("SARG", "government", "Syrian government"), place("Damascus", feature="city"),
        place("Al Hajar al-Aswad", "Al-Hajar al-Aswad", feature="neighbourhood"),
        place("Yarmouk", "Yarmouk Camp", feature="camp"), place("Damascus", feature="city", nth=1),
        actor("SARG", "government", "Syrian government", nth=1), date("since 2011", "2011", "year"),
    ], published=dt.date(2018, 6, 8))
    ev = [e for e in extract_events(t) if e["type"] == "control_change"]
    assert [e["place"] for e in ev] == ["Al-Hajar al-Aswad", "Yarmouk Camp", "Damascus"]
    assert all(e["actor"] == "government" and e["mode"] == "force" for e in ev)
    assert ev[0]["date"] == "2018-05-21" and ev[0]["date_text"] == "On May 21"


def test_control_change_anaphor_region_and_loser_after_from():
    text = ("The Syrian Arab Republic Government (SARG) continues its military offensive in Rif Damascus "
            "Governorate’s Eastern Ghouta region. As of April 6, the SARG had retaken the marjority of the region "
            "from armed groups Ahrar al-Sham (AAS) and Faylaq ar-Rahman (FAR).")
    t = make_tagged(text, [
        actor("Syrian Arab Republic Government", "government"), actor("SARG", "government"),
        place("Rif Damascus Governorate", "Rif Dimashq Governorate", feature="governorate"),
        place("Eastern Ghouta", feature="region"), date("As of April 6", "2018-04-06"),
        actor("SARG", "government", nth=1), actor("Ahrar al-Sham", "opposition"),
        actor("Faylaq ar-Rahman", "opposition"),
    ], published=dt.date(2018, 4, 6))
    ev = extract_events(t)
    e = only(ev, type="control_change")
    assert (e["place"], e["actor"], e["counterpart"], e["date"]) == ("Eastern Ghouta", "government", "opposition",
                                                                    "2018-04-06")
    assert e["counterpart_name"] == "Ahrar al-Sham"
    # "continues its military offensive in" is not a change
    assert len([x for x in ev if x["type"] == "control_change"]) == 1


def test_offensive_is_not_a_control_change_but_displacement_since_is_dated_at_publication():
    text = ("SARG completes military offensive in Eastern Ghouta following the displacement of 158,000 people "
            "since March 9")
    t = make_tagged(text, [actor("SARG", "government"), place("Eastern Ghouta", feature="region"),
                           figure("158,000", 158000, unit="people"), date("March 9", "2018-03-09")],
                    published=dt.date(2018, 5, 11))
    ev = extract_events(t)
    assert [e["type"] for e in ev] == ["displacement"]
    e = ev[0]
    assert (e["place"], e["figure"], e["figure_qualifier"], e["date"], e["date_text"], e["actor"]) == (
        "Eastern Ghouta", 158000, "exact", "2018-05-11", "since March 9", "government")


def test_wikipedia_siege_broken_passive_resolves_the_siege_and_recapture_with_held():
    text = ("The ISIL siege of the city lasted for almost 3 years and 2 months. "
            "On 10 September 2017, the siege was fully broken by Government forces. "
            "After another two months of fighting, the Syrian Army fully recaptured the ISIL-held parts of "
            "Deir ez-Zor city and its environs, by 17 November 2017.")
    t = make_tagged(
        "The siege of Deir ez-Zor was a large-scale siege imposed by the Islamic State of Iraq and the Levant "
        "(ISIL) against several districts in the city of Deir ez-Zor held by the Syrian Army. " + text,
        [place("Deir ez-Zor", feature="city"), actor("Islamic State of Iraq and the Levant", "isis"),
         place("Deir ez-Zor", feature="city", nth=1), actor("Syrian Army", "government"),
         actor("ISIL", "isis", nth=1),
         date("On 10 September 2017", "2017-09-10"), actor("Government forces", "government"),
         actor("Syrian Army", "government", nth=1), actor("ISIL", "isis", adjectival=True, nth=2),
         place("Deir ez-Zor", feature="city", nth=2), date("by 17 November 2017", "2017-11-17")],
        doc_id="wiki", published=dt.date(2026, 11, 22))
    ev = extract_events(t)
    lifted = only(ev, type="siege_lifted")
    assert (lifted["place"], lifted["date"], lifted["actor"], lifted["counterpart"]) == (
        "Deir ez-Zor", "2017-09-10", "government", "isis")
    cc = only(ev, type="control_change")
    assert (cc["place"], cc["actor"], cc["counterpart"], cc["date"]) == (
        "Deir ez-Zor", "government", "isis", "2017-11-17")


# --------------------------------------------------------------------------- sieges


def test_besieged_areas_of_several_governorates_one_siege_each_without_figure():
    text = ("More than 4.5 million people currently live in hard-to-reach locations, including approximately "
            "624,500 people in besieged areas of Dayr az Zawr, Damascus, Homs, Idlib, and Rif Damascus governorates.")
    names = [("Dayr az Zawr", "Deir ez-Zor Governorate"), ("Damascus", "Damascus Governorate"),
             ("Homs", "Homs Governorate"), ("Idlib", "Idlib Governorate"), ("Rif Damascus", "Rif Dimashq Governorate")]
    t = make_tagged(text, [figure("More than 4.5 million", 4.5e6, "at_least"),
                           figure("approximately 624,500", 624500, "about")]
                    + [place(a, b, feature="governorate") for a, b in names], published=dt.date(2017, 5, 31))
    ev = extract_events(t)
    assert [e["place"] for e in ev] == [b for _, b in names]
    assert all(e["type"] == "siege" and e["figure"] is None for e in ev)
    assert all(e["date"] == "2017-05-31" and e["date_text"] == "currently" for e in ev)


def test_hard_to_reach_and_trapped_are_not_sieges():
    text = ("An estimated 1.5 million people remain in HTR areas of Syria. "
            "Thousands of civilians are trapped in Raqqa city.")
    t = make_tagged(text, [place("Syria", feature="country"), place("Raqqa", feature="city"),
                           figure("An estimated 1.5 million", 1.5e6, "about")])
    assert extract_events(t) == []


def test_sarg_besieged_adjective_gives_the_besieger():
    text = ("a suspected chemical attack by the SARG on February 1 in Rif Damascus Governorate’s "
            "SARG-besieged Eastern Ghouta region")
    t = make_tagged(text, [actor("SARG", "government"), date("on February 1", "2018-02-01"),
                           place("Rif Damascus Governorate", "Rif Dimashq Governorate", feature="governorate"),
                           actor("SARG", "government", adjectival=True, nth=1),
                           place("Eastern Ghouta", feature="region")], published=dt.date(2018, 2, 9))
    e = only(extract_events(t), type="siege")
    assert (e["place"], e["actor"], e["date"]) == ("Eastern Ghouta", "government", "2018-02-01")


# --------------------------------------------------------------------------- displacement figures


def test_displacement_origin_destination_anaphor_and_reports():
    text = ("Operation Olive Branch—the Government of Turkey (GoT)-led military offensive in northwestern "
            "Syria—has displaced more than 137,000 people from Aleppo Governorate’s Afrin District to nearby "
            "areas of the governorate since January 20, the UN reports.")
    t = make_tagged(text, [
        actor("Operation Olive Branch", "turkey"), actor("Government of Turkey", "turkey"),
        place("northwestern Syria", feature="region"), figure("more than 137,000", 137000, "at_least"),
        place("Aleppo Governorate", feature="governorate"), place("Afrin District", feature="district"),
        date("January 20", "2018-01-20"), actor("UN", "un", "United Nations", nth=0)
        if False else actor("the UN", "un", "United Nations"),
    ], published=dt.date(2018, 4, 6))
    e = only(extract_events(t), type="displacement")
    assert (e["place"], e["origin"], e["destination"]) == ("Afrin District", "Afrin District", "Aleppo Governorate")
    assert (e["figure"], e["figure_qualifier"], e["actor"]) == (137000, "at_least", "turkey")
    assert (e["certainty"], e["source"], e["date"]) == ("reported", "UN", "2018-04-06")


def test_figure_on_the_container_and_killed_figures_ignored():
    t1 = make_tagged("Nearly 7,000 people evacuated Idlib’s Foah and Kafraya towns",
                     [figure("Nearly 7,000", 7000, "nearly"), place("Idlib", "Idlib Governorate", feature="governorate"),
                      place("Foah", "Al-Fu'ah"), place("Kafraya", "Kafriya")])
    e = only(extract_events(t1), type="displacement")
    assert (e["place"], e["figure"], e["figure_qualifier"]) == ("Idlib Governorate", 7000, "nearly")
    text = ("As of February 8, the offensive had killed at least 130 civilians and displaced more than 16,000 "
            "people from Afrin District, international media and the UN report.")
    t2 = make_tagged(text, [date("As of February 8", "2018-02-08"), figure("at least 130", 130, "at_least",
                                                                            unit="civilians"),
                            figure("more than 16,000", 16000, "at_least"), place("Afrin District", feature="district"),
                            actor("UN", "un")], published=dt.date(2018, 2, 9))
    e = only(extract_events(t2), type="displacement")
    assert (e["figure"], e["date"], e["certainty"], e["source"]) == (
        16000, "2018-02-08", "reported", "international media and the UN")


def test_stay_verbs_put_the_event_where_the_displaced_are():
    text = ("Relief agencies continue to assist an estimated 44,000 Eastern Ghouta IDPs sheltering in Rif "
            "Damascus collective centers")
    t = make_tagged(text, [figure("an estimated 44,000", 44000, "about", unit="IDPs"),
                           place("Eastern Ghouta", feature="region"),
                           place("Rif Damascus", "Rif Dimashq Governorate", feature="governorate")],
                    published=dt.date(2018, 5, 11))
    e = only(extract_events(t), type="displacement")
    assert (e["place"], e["origin"], e["destination"], e["figure"], e["figure_unit"]) == (
        "Rif Dimashq Governorate", "Eastern Ghouta", "Rif Dimashq Governorate", 44000, "IDPs")


def test_period_is_dated_at_its_end_and_registered_is_reported():
    text = ("Between April 1 and September 27, the CCCM Cluster registered nearly 268,800 displacements from or "
            "within Ar Raqqah.")
    t = make_tagged(text, [date("April 1", "2017-04-01"), date("September 27", "2017-09-27"),
                           figure("nearly 268,800", 268800, "nearly", unit=None),
                           place("Ar Raqqah", "Raqqa Governorate", feature="governorate")],
                    published=dt.date(2017, 9, 30))
    e = only(extract_events(t), type="displacement")
    assert (e["date"], e["date_text"]) == ("2017-09-27", "Between April 1 and September 27")
    assert (e["figure"], e["figure_unit"], e["certainty"], e["source"]) == (
        268800, "displacements", "reported", "CCCM Cluster")


def test_according_to_source():
    text = ("As of late April, an estimated 3,500 Palestinian refugees had fled the Yarmouk camp due to the "
            "conflict, according to international media.")
    t = make_tagged(text, [date("As of late April", "2018-04", "month"),
                           figure("an estimated 3,500", 3500, "about", unit="refugees"),
                           place("Yarmouk camp", "Yarmouk Camp", feature="camp")], published=dt.date(2018, 5, 11))
    e = only(extract_events(t), type="displacement")
    assert (e["place"], e["origin"], e["figure"], e["date"], e["date_precision"]) == (
        "Yarmouk Camp", "Yarmouk Camp", 3500, "2018-04", "month")
    assert (e["certainty"], e["source"]) == ("reported", "international media")


# --------------------------------------------------------------------------- certainty


@pytest.mark.parametrize("sentence, certainty, source", [
    ("Opposition sources in Rastan deny that the SDF captured Shaddadi.", "denied", "Opposition sources in Rastan"),
    ("The Russian Center for National Reconciliation claimed the SDF captured Shaddadi.", "claimed",
     "Russian Center for National Reconciliation"),
    ("There are unconfirmed rumors that the SDF captured Shaddadi.", "rumored", None),
    ("The SDF reportedly captured Shaddadi.", "reported", None),
    ("The SDF captured Shaddadi.", "confirmed", None),
])
def test_each_certainty(sentence, certainty, source):
    specs = [actor("SDF", "sdf"), place("Shaddadi", "Al-Shaddadi")]
    if "Russian" in sentence:
        specs.append(actor("Russian Center for National Reconciliation", "russia"))
    e = only(extract_events(make_tagged(sentence, specs)), type="control_change")
    assert (e["certainty"], e["source"], e["actor"], e["place"]) == (certainty, source, "sdf", "Al-Shaddadi")


def test_withdrew_from_makes_the_withdrawing_actor_the_loser():
    t = make_tagged("ISIS withdrew from Tabqa on May 10.", [actor("ISIS", "isis"), place("Tabqa"),
                                                            date("on May 10", "2017-05-10")])
    e = only(extract_events(t), type="control_change")
    assert (e["actor"], e["counterpart"], e["date"]) == (None, "isis", "2017-05-10")


# --------------------------------------------------------------------------- provenance and ids


def test_captions_are_skipped_and_raw_offsets_follow_the_map():
    text = "Figure 4 - Raqqa fell to the SDF.\n\nThe SDF captured Tabqa."
    cap = Caption(kind="figure", text="Figure 4 - Raqqa fell to the SDF.", start=0, end=33)
    t = make_tagged(text, [place("Raqqa"), actor("SDF", "sdf"), actor("SDF", "sdf", nth=1), place("Tabqa")],
                    captions=[cap], offset_shift=100)
    ev = extract_events(t)
    assert [e["place"] for e in ev] == ["Tabqa"]
    assert (ev[0]["raw_start"], ev[0]["raw_end"]) == (ev[0]["start"] + 100, ev[0]["end"] + 100)
    assert ev[0]["sentence"] == "The SDF captured Tabqa."


def test_fell_to_passive():
    t = make_tagged("Raqqa fell to the SDF on October 20.", [place("Raqqa"), actor("SDF", "sdf"),
                                                             date("on October 20", "2017-10-20")])
    e = only(extract_events(t), type="control_change")
    assert (e["place"], e["actor"], e["date"]) == ("Raqqa", "sdf", "2017-10-20")


def test_event_ids_stable_and_independent_of_other_documents():
    a1 = extract_events(make_tagged(EA_TEXT, EA_SPECS, doc_id="ea"))
    a2 = extract_events(make_tagged(EA_TEXT, EA_SPECS, doc_id="ea"))
    assert [e["event_id"] for e in a1] == [e["event_id"] for e in a2]
    assert all(re.fullmatch(r"[0-9a-f]{16}", e["event_id"]) for e in a1)
    assert len({e["event_id"] for e in a1}) == len(a1)
    # another document processed before does not change them; a different doc id does
    extract_events(make_tagged(CC_TEXT, CC_SPECS, doc_id="cc"))
    a3 = extract_events(make_tagged(EA_TEXT, EA_SPECS, doc_id="ea"))
    assert [e["event_id"] for e in a3] == [e["event_id"] for e in a1]
    b = extract_events(make_tagged(EA_TEXT, EA_SPECS, doc_id="other"))
    assert not {e["event_id"] for e in b} & {e["event_id"] for e in a1}
    # the same fact stated twice in one document is one event (GOLD.md: one event per fact) ...
    once = extract_events(make_tagged("The SDF captured Tabqa. The SDF captured Tabqa.",
                                      [actor("SDF", "sdf"), place("Tabqa"), actor("SDF", "sdf", nth=1),
                                       place("Tabqa", nth=1)]))
    assert len(once) == 1
    # ... while one sentence with two counts for one place gives two events with distinct ids
    text = ("An estimated 6.3 million people are internally displaced in Syria, while more than 5.3 million "
            "Syrian refugees remain displaced to neighboring countries, according to the UN.")
    twice = extract_events(make_tagged(text, [figure("An estimated 6.3 million", 6.3e6, "about"),
                                              place("Syria", feature="country"),
                                              figure("more than 5.3 million", 5.3e6, "at_least", unit="refugees"),
                                              actor("UN", "un")], published=dt.date(2017, 9, 30)))
    assert len(twice) == 2 and twice[0]["event_id"] != twice[1]["event_id"]
    assert [(e["place"], e["figure"], e["date"]) for e in twice] == [
        ("Syria", 6.3e6, "2017-09-30"), ("Syria", 5.3e6, "2017-09-30")]


def test_missing_place_mentions_yield_nothing_rather_than_a_guess():
    t = make_tagged("Pro-Assad forces broke through the siege on Tuesday.",
                    [actor("Pro-Assad forces", "government"), date("on Tuesday", "2017-09-05")])
    assert extract_events(t) == []


# --------------------------------------------------------------------------- error classes (issue 4)


@pytest.mark.parametrize("text,specs", [
    ("The Syrian Democratic Forces (SDF) offensive to retake the northern Syria city of Ar Raqqah from the Islamic "
     "State of Iraq and Syria (ISIS) continues to drive displacement.",
     [actor("Syrian Democratic Forces (SDF)", "sdf"), place("Ar Raqqah", feature="city"),
      actor("Islamic State of Iraq and Syria (ISIS)", "isis")]),
    ("Over the coming weeks, our heroic forces will liberate these areas, secure the Iraq-Syria border, and end "
     "the presence of ISIS in eastern Syria once and for all.",
     [place("eastern Syria", feature="region"), actor("ISIS", "isis")]),
    ("Once the Khabur River Valley is cleared of ISIS, the SAC states the region will be turned over to "
     "representative bodies of local civilians as with Tabqa and Manbij.",
     [place("Khabur River Valley", feature="region"), actor("ISIS", "isis"), place("Tabqa"), place("Manbij")]),
    ("The UN estimates that an anticipated SARG offensive on Idlib Governorate could displace up to 900,000 people "
     "in northwestern Syria.",
     [actor("UN", "un"), actor("SARG", "government"), place("Idlib Governorate", feature="governorate"),
      figure("up to 900,000", 900000, "up_to"), place("northwestern Syria", feature="region")]),
    ("Statement on delay of humanitarian aid to the Rukban internally displaced persons camp.",
     [place("Rukban", feature="camp")]),
    ("As of May 7, relief agencies were assisting newly displaced populations in Aleppo and Idlib.",
     [date("As of May 7", "2018-05-07"), place("Aleppo", feature="governorate"), place("Idlib", feature="governorate")]),
    ("Nearly 2.1 million people were residing in UN-identified besieged and hard-to-reach (HTR) areas of Syria.",
     [figure("Nearly 2.1 million", 2.1e6, "nearly"), place("Syria", feature="country")]),
])
def test_no_event_from_intentions_forecasts_names_or_mixed_counts(text, specs):
    assert extract_events(make_tagged(text, specs)) == []


def test_headline_repeated_in_body_is_one_event_dated_as_of():
    text = ("As many as 184,000 people remain displaced in southwestern Syria following SARG, GoRF military offensive\n\n"
            "Military operations resulted in additional displacement throughout July, and up to 184,000 people "
            "remained displaced in southwestern Syria as of August 1, the UN reports.")
    specs = [figure("As many as 184,000", 184000, "up_to"), place("southwestern Syria", feature="region"),
             actor("SARG", "government"), actor("GoRF", "russia"), date("throughout July", "2018-07", "month"),
             figure("up to 184,000", 184000, "up_to"), place("southwestern Syria", feature="region", nth=1),
             date("as of August 1", "2018-08-01"), actor("UN", "un")]
    ev = extract_events(make_tagged(text, specs, published=dt.date(2018, 8, 20)))
    e = only(ev, type="displacement")
    assert (e["date"], e["figure"], e["certainty"]) == ("2018-08-01", 184000, "reported")


def test_two_counts_in_one_sentence_share_a_fronted_date():
    text = ("Since late 2017, approximately 175,000 people have returned to Dayr az Zawr Governorate and "
            "approximately 132,000 people have returned to Ar Raqqah city, despite continued explosive hazard risks.")
    specs = [date("Since late 2017", "2017", "year"), figure("approximately 175,000", 175000, "about"),
             place("Dayr az Zawr Governorate", "Deir ez-Zor Governorate", feature="governorate"),
             figure("approximately 132,000", 132000, "about"), place("Ar Raqqah", "Raqqa", feature="city")]
    ev = extract_events(make_tagged(text, specs, published=dt.date(2018, 6, 8)))
    assert [(e["place"], e["figure"], e["date"]) for e in ev] == [
        ("Deir ez-Zor Governorate", 175000, "2018-06-08"), ("Raqqa", 132000, "2018-06-08")]


def test_date_qualifying_a_noun_does_not_date_the_event():
    text = ("More than 8,000 people relocate from the Al Wa'er neighborhood pursuant to a March 8 reconciliation "
            "agreement between the SARG and local authorities")
    specs = [figure("More than 8,000", 8000, "at_least"), place("Al Wa'er", "Al-Waer", feature="neighbourhood"),
             date("March 8", "2017-03-08"), actor("SARG", "government")]
    e = only(extract_events(make_tagged(text, specs, published=dt.date(2017, 4, 27))), type="displacement")
    assert (e["place"], e["date"], e["figure"]) == ("Al-Waer", None, 8000)


def test_stock_figures_take_the_as_of_date_of_their_paragraph():
    text = ("Nearly 5.8 million people remained displaced in Syria as of March, according to the IOM. "
            "The majority of IDPs—approximately 1.3 million people—were residing in Rif Damascus Governorate, "
            "while nearly 944,000 people were residing in Aleppo Governorate.")
    specs = [figure("Nearly 5.8 million", 5.8e6, "nearly"), place("Syria", feature="country"),
             date("as of March", "2017-03", "month"), actor("IOM", "un"),
             figure("approximately 1.3 million", 1.3e6, "about"),
             place("Rif Damascus Governorate", "Rif Dimashq Governorate", feature="governorate"),
             figure("nearly 944,000", 944000, "nearly"), place("Aleppo Governorate", feature="governorate")]
    ev = extract_events(make_tagged(text, specs, published=dt.date(2017, 4, 27)))
    assert [(e["place"], e["figure"], e["date"]) for e in ev] == [
        ("Syria", 5.8e6, "2017-03"), ("Rif Dimashq Governorate", 1.3e6, "2017-03"),
        ("Aleppo Governorate", 944000, "2017-03")]


def test_bare_capital_in_a_displacement_count_reads_as_its_governorate():
    text = ("The offensive continues to drive displacement in and from Ar Raqqah Governorate. Between November 2016 "
            "and May 23, 2017, the CCCM Cluster verified nearly 197,600 primary or secondary displacements from "
            "Ar Raqqah; nearly 160,100 of the displacements occurred between April 1 and May 23.")
    gov = dict(feature="governorate", adm1_pcode="SY11")
    specs = [place("Ar Raqqah Governorate", "Raqqa Governorate", place_id="gov", **gov),
             date("November 2016", "2016-11", "month"), date("May 23, 2017", "2017-05-23"),
             figure("nearly 197,600", 197600, "nearly", unit="displacements"),
             place("Ar Raqqah", place_id="city", feature="city", adm1_pcode="SY11", nth=1),
             figure("nearly 160,100", 160100, "nearly", unit="displacements"),
             date("April 1", "2017-04-01"), date("May 23", "2017-05-23", nth=1)]
    ev = [e for e in extract_events(make_tagged(text, specs, published=dt.date(2017, 5, 31))) if e["figure"]]
    assert [(e["place"], e["figure"], e["date"]) for e in ev] == [
        ("Raqqa Governorate", 197600, "2017-05-23"), ("Raqqa Governorate", 160100, "2017-05-23")]


def test_country_after_a_comma_is_a_container_not_a_second_place():
    text = "The Syrian Democratic Forces' Oct. 20 liberation of Raqqa, Syria, exposed the lies of ISIS."
    specs = [actor("Syrian Democratic Forces", "sdf"), date("Oct. 20", "2017-10-20"), place("Raqqa", feature="city"),
             place("Syria", feature="country"), actor("ISIS", "isis")]
    ev = extract_events(make_tagged(text, specs, published=dt.date(2017, 11, 2)))
    assert [(e["type"], e["place"], e["actor"], e["date"]) for e in ev] == [
        ("control_change", "Raqqa", "sdf", "2017-10-20")]


# --------------------------------------------------------------------------- sieges in narrative prose


WIKI_TEXT = (
    "The siege of Deir ez-Zor was a large-scale siege imposed by the Islamic State of Iraq and the Levant (ISIL) "
    "against several districts in the city of Deir ez-Zor held by the Syrian Army. The ISIL siege of the city lasted "
    "for almost 3 years and 2 months, after which the Syrian Army launched a successful offensive that fully "
    "recaptured the city nine weeks later.\n\n"
    "In April 2014, ISIL launched a large-scale offensive against Syrian rebel forces in Deir ez-Zor province. "
    "This resulted in the total defeat of rebel groups in the area, and ISIL gained control of almost all of "
    "Deir ez-Zor Governorate in July 2014. Syrian Government forces remained besieged in the pocket of territory "
    "they continued to control.[40] On 10 September 2017, the siege was fully broken by Government forces.[3]\n\n"
    "During the siege, ISIL cut off the power supply to the city.[127] In February 2016, around 200,000 people "
    "resided in Deir ez-Zor. The siege resulted in widespread malnutrition and starvation of the civilians in the "
    "city.[128] In response, the United Nations' World Food Programme has conducted 177 airdrops of food and other "
    "humanitarian aid to the besieged districts of the city since April 2016. 110,000-120,000 civilians remained "
    "as of January 2017, when an ISIL offensive on the airport forced the airdrops to be suspended.[129] In "
    "November 2017, the UN estimated that at the start of the siege, around 200,000 civilians were besieged in the "
    "Syrian Government-held districts of Deir ez-Zor, which decreased to 90,000 near the end of the siege, with "
    "most of those civilians escaping or being smuggled out of the city during ISIL's siege.[130]\n"
)

DZ = dict(canonical="Deir ez-Zor", place_id="gn:170794", feature="city")
WIKI_SPECS = [
    place("Deir ez-Zor", **DZ), actor("Islamic State of Iraq and the Levant", "isis"),
    place("Deir ez-Zor", nth=1, **DZ), actor("Syrian Army", "government"), actor("ISIL", "isis", nth=1),
    actor("Syrian Army", "government", nth=1), figure("almost 3", 3, "nearly", unit="years"),
    date("In April 2014", "2014-04", "month"), actor("ISIL", "isis", nth=2),
    place("Deir ez-Zor province", "Deir ez-Zor Governorate", place_id="ocha:SY09", feature="governorate"),
    actor("ISIL", "isis", nth=3),
    place("Deir ez-Zor Governorate", place_id="ocha:SY09", feature="governorate"),
    date("in July 2014", "2014-07", "month"), actor("Syrian Government forces", "government"),
    date("On 10 September 2017", "2017-09-10"), actor("Government forces", "government", nth=1),
    actor("ISIL", "isis", nth=4), date("In February 2016", "2016-02", "month"),
    figure("around 200,000", 200000, "about"), place("Deir ez-Zor", nth=4, **DZ),
    figure("177", 177, unit="airdrops"), date("since April 2016", "2026-11-22"),
    figure("110,000-120,000", 120000, "up_to", unit="civilians", low=110000, high=120000),
    date("as of January 2017", "2017-01", "month"), actor("ISIL", "isis", nth=5),
    date("In November 2017", "2017-11", "month"), actor("UN", "un", nth=0),
    figure("around 200,000", 200000, "about", unit="civilians", nth=1),
    actor("Government", "government", adjectival=True, nth=2), place("Deir ez-Zor", nth=5, **DZ),
    figure("90,000", 90000, unit=None), actor("ISIL", "isis", nth=6),
]


@pytest.fixture(scope="module")
def wiki_events():
    return extract_events(make_tagged(WIKI_TEXT, WIKI_SPECS, doc_id="wiki", published=dt.date(2026, 11, 22)))


def test_citation_markers_end_a_sentence(wiki_events):
    lifted = only(wiki_events, type="siege_lifted")
    assert lifted["sentence"] == "On 10 September 2017, the siege was fully broken by Government forces.[3]"


def test_still_besieged_without_place_or_date_continues_the_siege_and_the_sentence_before(wiki_events):
    # "Syrian Government forces remained besieged in the pocket of territory they continued to control."
    # names no place and no date: the siege the document is about, at the date of the sentence before
    sieges = [e for e in wiki_events if e["type"] == "siege"]
    first = sieges[0]
    assert first["sentence"].startswith("Syrian Government forces remained besieged")
    assert (first["place"], first["date"], first["date_text"], first["actor"], first["counterpart"]) == (
        "Deir ez-Zor", "2014-07", "in July 2014", "isis", "government")
    # the opening "The siege of Deir ez-Zor was ..." adds nothing of its own: one event
    assert not any(e["sentence"].startswith("The siege of Deir ez-Zor") for e in wiki_events)


def test_cutting_off_a_supply_and_aid_to_besieged_districts_are_not_new_sieges(wiki_events):
    assert not any("power supply" in e["sentence"] or "airdrops of food" in e["sentence"] for e in wiki_events)


def test_count_that_remained_in_a_siege_paragraph_and_changed_figure(wiki_events):
    figs = [(e["figure"], e["figure_qualifier"], e["date"], e["place"]) for e in wiki_events if e["type"] == "siege"]
    assert figs == [(None, None, "2014-07", "Deir ez-Zor"), (120000, "up_to", "2017-01", "Deir ez-Zor"),
                    (200000, "about", None, "Deir ez-Zor"), (90000, "about", None, "Deir ez-Zor")]
    late = [e for e in wiki_events if e["type"] == "siege" and e["figure"] in (200000, 90000)]
    assert all((e["certainty"], e["source"]) == ("reported", "UN") for e in late)


def test_share_of_an_earlier_count_is_not_the_displacement_figure(wiki_events):
    d = only(wiki_events, type="displacement")
    assert (d["place"], d["figure"], d["date"]) == ("Deir ez-Zor", None, None)


def test_placeless_national_stock_sieges_go_on_syria_at_publication():
    text = ("The UN estimates that approximately 4.5 million people currently live in hard-to-reach locations in "
            "Syria. Of the 4.5 million people living in hard-to-reach locations, approximately 1.1 million people "
            "live in ISIS-controlled areas, more than 728,500 people live in militarily-encircled areas, and "
            "approximately 2 million people live in otherwise hard-to-reach areas, the UN reports.")
    t = make_tagged(text, [figure("approximately 4.5 million", 4.5e6, "about"), place("Syria", feature="country"),
                           figure("4.5 million", 4.5e6, nth=1), figure("approximately 1.1 million", 1.1e6, "about"),
                           actor("ISIS", "isis", adjectival=True), figure("more than 728,500", 728500, "at_least"),
                           figure("approximately 2 million", 2e6, "about")], published=dt.date(2017, 5, 31))
    e = only(extract_events(t), type="siege")
    assert (e["place"], e["figure"], e["figure_qualifier"], e["date"]) == ("Syria", 728500, "at_least", "2017-05-31")


def test_besieged_locations_of_the_country_and_present_tense_stock():
    text = ("As of September 27, nearly 3 million people were residing in UN-identified hard-to-reach (HTR) areas "
            "of the country, including more than 419,900 people living in besieged locations.\n\n"
            "An estimated 1.5 million people remain in HTR areas of Syria, including 8,100 people in besieged "
            "locations.")
    t = make_tagged(text, [date("As of September 27", "2017-09-27"), figure("nearly 3 million", 3e6, "nearly"),
                           figure("more than 419,900", 419900, "at_least"),
                           figure("An estimated 1.5 million", 1.5e6, "about"), place("Syria", feature="country"),
                           figure("8,100", 8100)], published=dt.date(2017, 9, 30))
    ev = [e for e in extract_events(t) if e["type"] == "siege"]
    assert [(e["place"], e["figure"], e["date"]) for e in ev] == [
        ("Syria", 419900, "2017-09-27"), ("Syria", 8100, "2017-09-30")]


def test_source_skips_a_dash_bracketed_aside_and_takes_the_short_name():
    text = ("Between November 2016 and May 23, 2017, the Camp Coordination and Camp Management (CCCM) Cluster\u2014the "
            "coordinating body for humanitarian CCCM activities, comprising UN agencies, non-governmental "
            "organizations (NGOs), and other stakeholders\u2014verified nearly 197,600 primary or secondary "
            "displacements from Ar Raqqah.")
    t = make_tagged(text, [date("November 2016", "2016-11", "month"), date("May 23, 2017", "2017-05-23"),
                           figure("nearly 197,600", 197600, "nearly", unit="displacements"),
                           place("Ar Raqqah", "Raqqa Governorate", feature="governorate")],
                    published=dt.date(2017, 5, 31))
    e = only(extract_events(t), type="displacement")
    assert (e["certainty"], e["source"], e["figure"]) == ("reported", "CCCM Cluster", 197600)
    text2 = ("Between June 1 and August 15, conflict displaced nearly 63,900 people from and within Ar Raqqah "
             "Governorate, according to the Camp Coordination and Camp Management (CCCM) Cluster, the coordinating "
             "body for humanitarian CCCM activities.")
    t2 = make_tagged(text2, [date("June 1", "2017-06-01"), date("August 15", "2017-08-15"),
                             figure("nearly 63,900", 63900, "nearly"),
                             place("Ar Raqqah Governorate", "Raqqa Governorate", feature="governorate")],
                     published=dt.date(2017, 8, 31))
    assert only(extract_events(t2), type="displacement")["source"] == "CCCM Cluster"


def test_control_changes_in_two_clauses_of_one_sentence():
    text = ("On October 20, the U.S.-backed Syrian Democratic Forces (SDF) announced the recapture of Ar Raqqah "
            "Governorate\u2019s city of Ar Raqqah from the Islamic State of Iraq and Syria (ISIS); ISIS had taken "
            "control of the city in January 2014.")
    t = make_tagged(text, [date("On October 20", "2017-10-20"), actor("Syrian Democratic Forces", "sdf"),
                           place("Ar Raqqah Governorate", "Raqqa Governorate", feature="governorate"),
                           place("Ar Raqqah", "Raqqa", feature="city", nth=1),
                           actor("Islamic State of Iraq and Syria", "isis"), actor("ISIS", "isis"),
                           actor("ISIS", "isis", nth=1), date("in January 2014", "2014-01", "month")],
                    published=dt.date(2017, 10, 27))
    ev = [e for e in extract_events(t) if e["type"] == "control_change"]
    assert [(e["place"], e["date"], e["actor"], e["counterpart"]) for e in ev] == [
        ("Raqqa", "2017-10-20", "sdf", "isis"), ("Raqqa", "2014-01", "isis", None)]


def test_first_time_since_is_not_the_date_of_the_change():
    text = ("On May 21, the Syrian Arab Republic Government (SARG) regained control of southern Damascus\u2019 Al "
            "Hajar al-Aswad neighborhood\u2014the last area of Damascus held by ISIS\u2014bringing Damascus under "
            "complete SARG control for the first time since 2011.")
    t = make_tagged(text, [date("On May 21", "2018-05-21"), actor("Syrian Arab Republic Government", "government"),
                           place("Damascus", feature="city"), place("Al Hajar al-Aswad", "Al-Hajar al-Aswad",
                                                                    feature="neighbourhood"),
                           place("Damascus", feature="city", nth=1), actor("ISIS", "isis"),
                           place("Damascus", feature="city", nth=2), actor("SARG", "government", nth=1),
                           date("since 2011", "2018-06-08")],
                    published=dt.date(2018, 6, 8))
    ev = [e for e in extract_events(t) if e["type"] == "control_change" and e["place"] == "Damascus"]
    assert [(e["date"], e["actor"]) for e in ev] == [("2018-05-21", "government")]


def test_adjectival_besieger_spanning_the_trigger():
    """'SARG-besieged Eastern Ghouta': the adjectival actor names the besieger."""
    text = ("The incident followed a suspected chemical attack by the SARG on February 1 in Rif Damascus "
            "Governorate's SARG-besieged Eastern Ghouta region.")
    specs = [("place", "Rif Damascus Governorate", "Rif Dimashq Governorate", {"place_id": "ocha:SY03", "feature": "governorate"}, 0),
             ("place", "Eastern Ghouta", "Eastern Ghouta", {"place_id": "cur:eastern-ghouta", "feature": "region"}, 0),
             ("actor", "SARG-besieged", "Syrian government", {"alignment": "government", "adjectival": True}, 0),
             ("actor", "SARG", "Syrian government", {"alignment": "government"}, 0),
             ("date", "February 1", "2018-02-01", {"value": "2018-02-01", "precision": "day"}, 0)]
    events = [e for e in extract_events(make_tagged(text, specs, published=dt.date(2018, 2, 9))) if e["type"] == "siege"]
    assert [(e["place"], e["actor"]) for e in events] == [("Eastern Ghouta", "government")], events
