"""Small, realistic tables for the figure, widget and briefing tests.

Built by hand from facts the shipped reports state (data/raw/reports, see the gold files),
in the shapes ``build`` writes (``documents``, ``events`` with exactly ``schema.EVENT_COLUMNS``,
``claims``, ``sieges``, ``displacement``, ``control_timeline``, ``places``), so the tests do not
wait for the build. ``hostile=True`` adds a report whose text tries to inject HTML/JS.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from conflict_lib.schema import EVENT_COLUMNS

EA = "2017-09-06_eaworldview_deir-ez-zor-siege-broken"
CARTER = "2017-09-13_cartercenter_weekly-conflict-summary-2017-09-07-13"
WIKI = "2026-11-22_wikipedia_siege-of-deir-ez-zor-2014-2017"
USAID_FY18_1 = "2017-10-27_usaid_syria-fact-sheet-1-fy18"
DOD_RAQQA = "2017-11-02_dod_coalition-support-continues-after-raqqa-liberation"
USAID_FY18_4 = "2018-02-09_usaid_syria-fact-sheet-4-fy18"
USAID_FY18_6 = "2018-04-06_usaid_syria-fact-sheet-6-fy18"
USAID_FY18_7 = "2018-05-11_usaid_syria-fact-sheet-7-fy18"
USAID_FY17_5 = "2017-05-31_usaid_syria-fact-sheet-5-fy17"
HOSTILE = "2017-09-20_hostile_test-report"

#: The injection the hostile report carries (tests look for it as text).
HOSTILE_SENTENCE = ('Residents of <script>window.__pwned=1</script> Jobar said <img src=x onerror="window.__pwned=2"> '
                    'the road was cut & "closed".')
HOSTILE_URL = "javascript:window.__pwned=3"

PLACES = {
    "Deir ez-Zor": ("SY0901", 35.336, 40.141),
    "Al-Mayadin": ("SY0903", 35.021, 40.452),
    "Abu Kamal": ("SY0902", 34.452, 40.918),
    "Al-Shaddadi": ("SY0803", 36.057, 40.73),
    "Hadalat camp": ("C-HADALAT", 33.39, 38.26),
    "Rukban camp": ("C-RUKBAN", 33.3, 38.7),
    "Hama-Rastan road": ("R-HAMA-RASTAN", 35.03, 36.745),
    "Raqqa": ("SY1100", 35.953, 39.008),
    "Tabqa": ("SY1102", 35.838, 38.548),
    "Eastern Ghouta": ("R-EGHOUTA", 33.567, 36.4),
    "Yarmouk Camp": ("C-YARMOUK", 33.474, 36.303),
    "Al-Hajar al-Aswad": ("SY0300", 33.458, 36.304),
    "Damascus": ("SY0100", 33.51, 36.291),
    "Afrin District": ("SY0203", 36.51, 36.87),
    "Aleppo Governorate": ("SY02", 36.2, 37.15),
    "Raqqa Governorate": ("SY11", 35.9, 38.9),
    "Jobar": ("SY0100J", 33.531, 36.334),
}


def _doc(doc_id, title, publisher, published=None, period_start=None, period_end=None, url=None, license=None):
    return {"doc_id": doc_id, "path": f"data/raw/reports/{doc_id}.txt", "title": title, "publisher": publisher,
            "published": pd.Timestamp(published).date() if published else None,
            "period_start": pd.Timestamp(period_start).date() if period_start else None,
            "period_end": pd.Timestamp(period_end).date() if period_end else None,
            "source_url": url, "license": license, "format": "txt"}


DOCUMENTS = [
    _doc(EA, "Regime forces and foreign allies make contact with besieged units as ISIS falls back",
         "EA WorldView (Syria Daily)", "2017-09-06", license="excerpt"),
    _doc(CARTER, "Weekly Conflict Summary September 7-13, 2017", "The Carter Center (Syria Conflict Mapping Project)",
         None, "2017-09-07", "2017-09-13", license="excerpt"),
    _doc(WIKI, "Siege of Deir ez-Zor (2014–2017)", "Wikipedia contributors", "2026-11-22",
         url="https://en.wikipedia.org/wiki/Siege_of_Deir_ez-Zor_(2014%E2%80%932017)", license="CC BY-SA 4.0"),
    _doc(USAID_FY18_1, "Syria Complex Emergency Fact Sheet #1, FY18", "USAID", "2017-10-27",
         url="https://www.usaid.gov/crisis/syria", license="public domain"),
    _doc(DOD_RAQQA, "Coalition support continues after Raqqa liberation", "U.S. Department of Defense", "2017-11-02",
         url="https://www.defense.gov/News/", license="public domain"),
    _doc(USAID_FY18_4, "Syria Complex Emergency Fact Sheet #4, FY18", "USAID", "2018-02-09", license="public domain"),
    _doc(USAID_FY18_6, "Syria Complex Emergency Fact Sheet #6, FY18", "USAID", "2018-04-06", license="public domain"),
    _doc(USAID_FY18_7, "Syria Complex Emergency Fact Sheet #7, FY18", "USAID", "2018-05-11", license="public domain"),
    _doc(USAID_FY17_5, "Syria Complex Emergency Fact Sheet #5, FY17", "USAID", "2017-05-31", license="public domain"),
]


def _event(doc_id, type_, place, date, sentence, *, actor=None, counterpart=None, certainty="confirmed",
           source=None, figure=None, qualifier=None, unit=None, low=None, high=None, origin=None,
           destination=None, precision=None, date_text=None):
    pid, lat, lon = PLACES.get(place, (None, None, None))
    eid = hashlib.sha1(f"{doc_id}|{type_}|{place}|{sentence}".encode()).hexdigest()[:16]
    rec = {c: None for c in EVENT_COLUMNS}
    rec.update({
        "event_id": eid, "doc_id": doc_id, "type": type_, "mode": "rule", "place": place, "place_id": pid,
        "lat": lat, "lon": lon, "date": date,
        "date_precision": precision or (None if date is None else ("month" if len(date) == 7 else "day")),
        "date_text": date_text, "actor": actor, "counterpart": counterpart, "figure": figure,
        "figure_low": low, "figure_high": high, "figure_qualifier": qualifier, "figure_unit": unit,
        "origin": origin, "origin_place_id": PLACES.get(origin, (None,))[0] if origin else None,
        "destination": destination,
        "destination_place_id": PLACES.get(destination, (None,))[0] if destination else None,
        "certainty": certainty, "source": source, "sentence": sentence, "start": 0, "end": len(sentence),
        "raw_start": 0, "raw_end": len(sentence),
    })
    return rec


def build_events(hostile: bool = False) -> pd.DataFrame:
    ev = [
        _event(USAID_FY17_5, "siege", "Deir ez-Zor", "2017-05-31",
               "approximately 624,500 people in besieged areas of Dayr az Zawr, Damascus, Homs, Idlib, and Rif "
               "Damascus governorates", actor="isis", counterpart="government", certainty="reported", source="UN"),
        _event(EA, "siege_lifted", "Deir ez-Zor", "2017-09-05",
               "Pro-Assad forces broke through the three-year Islamic State siege of Deir ez-Zor city in eastern "
               "Syria on Tuesday.", actor="government", counterpart="isis", date_text="on Tuesday"),
        _event(EA, "siege", "Deir ez-Zor", "2017-09-06",
               "The nearby military airport and three districts of the city, with almost 100,000 civilians, are "
               "still cut off.", actor="isis", counterpart="government", figure=100000.0, qualifier="nearly",
               unit="civilians"),
        _event(EA, "control_state", "Al-Mayadin", "2017-09-06",
               "Since entering the province last weekend, the advance pro-Assad force moved quickly to the east as "
               "ISIS fighters appeared to fall back on the city and their remaining positions in towns such as "
               "Mayadin and al-Bukamal, near the Iraq border.", actor="isis"),
        _event(EA, "control_state", "Abu Kamal", "2017-09-06",
               "Since entering the province last weekend, the advance pro-Assad force moved quickly to the east as "
               "ISIS fighters appeared to fall back on the city and their remaining positions in towns such as "
               "Mayadin and al-Bukamal, near the Iraq border.", actor="isis"),
        _event(WIKI, "siege_lifted", "Deir ez-Zor", "2017-09-10",
               "On 10 September 2017, the siege was fully broken by Government forces.", actor="government",
               counterpart="isis"),
        _event(WIKI, "siege", "Deir ez-Zor", "2017-01",
               "110,000–120,000 civilians remained as of January 2017, when an ISIL offensive on the airport forced "
               "the airdrops to be suspended.", actor="isis", counterpart="government", figure=115000.0,
               low=110000.0, high=120000.0, qualifier="up_to", unit="civilians"),
        _event(CARTER, "displacement", "Hadalat camp", "2017-09",
               "The two main opposition groups in the area, Jaysh Osoud al-Sharqiya and Quwat al-Shaheed Ahmad "
               "al-Abdo, facilitated the evacuation of nearly all residents of the Hadalat IDP camp, and resettled "
               "them in the Rukban camp (on the Jordanian border) as clashes were growing too close for the "
               "displaced to safely remain in the former camp.", actor="opposition", origin="Hadalat camp",
               destination="Rukban camp", date_text="this reporting week"),
        _event(CARTER, "control_state", "Al-Shaddadi", "2017-09-13",
               "On a related note, the Maghaweir al-Thawra forces that relocated from this southern pocket to "
               "SDF-held Shaddadi last month have refused to fight alongside the SDF, and therefore will not take "
               "part in the ongoing advance on Deir Ezzor.", actor="sdf"),
        _event(CARTER, "control_change", "Hama-Rastan road", "2017-09-13",
               "The Russian Center for National Reconciliation at Hmeimem Military Airbase claimed it had reached "
               "an agreement with opposition groups in the Rastan pocket (north of Homs) to open the Hama-Rastan "
               "road.", actor="government", counterpart="opposition", certainty="claimed",
               source="Russian Center for National Reconciliation"),
        _event(CARTER, "control_change", "Hama-Rastan road", "2017-09-13",
               "Opposition sources in Rastan deny the opening of the road and have released contrary photographic "
               "evidence.", actor="government", counterpart="opposition", certainty="denied",
               source="Opposition sources in Rastan"),
        _event(USAID_FY18_1, "control_change", "Raqqa", "2017-10-20",
               "On October 20, the U.S.-backed Syrian Democratic Forces (SDF) announced the recapture of Ar "
               "Raqqah Governorate’s city of Ar Raqqah from the Islamic State of Iraq and Syria (ISIS)",
               actor="sdf", counterpart="isis", source="SDF"),
        _event(DOD_RAQQA, "control_change", "Raqqa", "2017-10-20",
               "The Syrian Democratic Forces' Oct. 20 liberation of Raqqa, Syria", actor="sdf", counterpart="isis",
               source="Maj. Gen. James B. Jarrard"),
        _event(USAID_FY17_5, "control_change", "Tabqa", None,
               "SDF gains control of Al Thawrah and Tabqa Dam, enabling IDP returns to the area", actor="sdf"),
        _event(USAID_FY18_4, "siege", "Eastern Ghouta", "2018-02-01",
               "a suspected chemical attack by the SARG on February 1 in Rif Damascus Governorate’s SARG-besieged "
               "Eastern Ghouta region", actor="government", counterpart="opposition"),
        _event(USAID_FY18_4, "displacement", "Afrin District", "2018-02-08",
               "As of February 8, the offensive had killed at least 130 civilians and displaced more than 16,000 "
               "people, international media and the UN report.", actor="turkey", certainty="reported",
               source="international media and the UN", figure=16000.0, qualifier="at_least", unit="people",
               origin="Afrin District"),
        _event(USAID_FY18_6, "control_change", "Eastern Ghouta", "2018-04-06",
               "As of April 6, the SARG had retaken the marjority of the region from armed groups Ahrar al-Sham "
               "(AAS) and Faylaq ar-Rahman (FAR).", actor="government", counterpart="opposition"),
        _event(USAID_FY18_6, "displacement", "Eastern Ghouta", "2018-04-06",
               "Since March 9, more than 133,000 people—including an estimated 50,000 opposition fighters and "
               "family members—have fled Eastern Ghouta", actor="government", figure=133000.0, qualifier="at_least",
               unit="people", origin="Eastern Ghouta"),
        _event(USAID_FY18_6, "displacement", "Afrin District", "2018-04-06",
               "has displaced more than 137,000 people from Aleppo Governorate’s Afrin District to nearby areas of "
               "the governorate since January 20, the UN reports", actor="turkey", certainty="reported", source="UN",
               figure=137000.0, qualifier="at_least", unit="people", origin="Afrin District",
               destination="Aleppo Governorate"),
        _event(USAID_FY18_7, "displacement", "Eastern Ghouta", "2018-05-11",
               "SARG completes military offensive in Eastern Ghouta following the displacement of 158,000 people "
               "since March 9", actor="government", figure=158000.0, qualifier="exact", unit="people",
               origin="Eastern Ghouta"),
        _event(USAID_FY18_7, "displacement", "Yarmouk Camp", "2018-04",
               "As of late April, an estimated 3,500 Palestinian refugees had fled the Yarmouk camp due to the "
               "conflict, according to international media.", certainty="reported", source="international media",
               figure=3500.0, qualifier="about", unit="refugees", origin="Yarmouk Camp"),
        _event(USAID_FY18_7, "control_change", "Yarmouk Camp", "2018-05-21",
               "On May 21, the Syrian Arab Republic Government (SARG) regained control of southern Damascus’ Al "
               "Hajar al-Aswad neighborhood and the adjoining unofficial Yarmouk Palestinian refugee camp",
               actor="government", counterpart="isis"),
        _event(USAID_FY18_7, "control_change", "Al-Hajar al-Aswad", "2018-05-21",
               "On May 21, the Syrian Arab Republic Government (SARG) regained control of southern Damascus’ Al "
               "Hajar al-Aswad neighborhood and the adjoining unofficial Yarmouk Palestinian refugee camp",
               actor="government", counterpart="isis"),
    ]
    if hostile:
        ev.append(_event(HOSTILE, "control_change", "Jobar", "2017-09-20", HOSTILE_SENTENCE,
                         actor="government", counterpart="opposition", certainty="claimed",
                         source='<b onmouseover="window.__pwned=4">pro-government media</b>'))
    df = pd.DataFrame(ev, columns=list(EVENT_COLUMNS))
    return df


def build_documents(hostile: bool = False) -> pd.DataFrame:
    docs = list(DOCUMENTS)
    if hostile:
        docs.append(_doc(HOSTILE, '<script>window.__pwned=5</script>Hostile "report" & co',
                         "<img src=x onerror=window.__pwned=6>", "2017-09-20", url=HOSTILE_URL))
    return pd.DataFrame(docs)


def build_claims(events: pd.DataFrame) -> pd.DataFrame:
    groups = {
        ("Hama-Rastan road", "control_change"): ("g-rastan-road", "contradict"),
        ("Raqqa", "control_change"): ("g-raqqa", "agree"),
        ("Deir ez-Zor", "siege_lifted"): ("g-dez-lifted", "differ"),
    }
    rows = []
    for _, e in events.iterrows():
        grp = groups.get((e["place"], e["type"]))
        rec = e.to_dict()
        rec["claim_group"], rec["status"] = grp if grp else (f"g-{e['event_id']}", "single")
        rows.append(rec)
    df = pd.DataFrame(rows)
    return df[["event_id", "claim_group", "status"] + [c for c in EVENT_COLUMNS if c != "event_id"]]


def build_sieges(events: pd.DataFrame) -> pd.DataFrame:
    def ids(place, types=("siege", "siege_lifted")):
        return json.dumps(list(events[(events["place"] == place) & events["type"].isin(types)]["event_id"]))

    dez_pid, dez_lat, dez_lon = PLACES["Deir ez-Zor"]
    eg_pid, eg_lat, eg_lon = PLACES["Eastern Ghouta"]
    return pd.DataFrame([
        {"place": "Deir ez-Zor", "place_id": dez_pid, "lat": dez_lat, "lon": dez_lon, "besieger": "isis",
         "besieged": "government", "first_report": "2017-01", "last_report": "2017-09-06", "lifted": "2017-09-05",
         "figures": json.dumps([
             {"date": "2017-01", "figure": 115000, "qualifier": "up_to", "source": "Wikipedia contributors"},
             {"date": "2017-09-06", "figure": 100000, "qualifier": "nearly", "source": "EA WorldView (Syria Daily)"}]),
         "event_ids": ids("Deir ez-Zor"),
         "sources": json.dumps(["EA WorldView (Syria Daily)", "Wikipedia contributors", "USAID"]),
         "dates_disagree": True},
        {"place": "Eastern Ghouta", "place_id": eg_pid, "lat": eg_lat, "lon": eg_lon, "besieger": "government",
         "besieged": "opposition", "first_report": "2018-02-01", "last_report": "2018-02-09", "lifted": None,
         "figures": json.dumps([]), "event_ids": ids("Eastern Ghouta", ("siege",)), "sources": json.dumps(["USAID"]),
         "dates_disagree": False},
    ])


def build_displacement(events: pd.DataFrame) -> pd.DataFrame:
    d = events[events["type"] == "displacement"]
    cols = ["event_id", "place", "figure", "figure_low", "figure_high", "figure_qualifier", "figure_unit", "origin",
            "destination", "date", "source", "certainty", "doc_id"]
    return d[cols].reset_index(drop=True)


def build_control_timeline(events: pd.DataFrame) -> pd.DataFrame:
    c = events[events["type"].isin(["control_change", "control_state"]) & (events["certainty"] != "denied")]
    c = c[c["date"].notna()]
    rows = []
    for (place, date, al), g in c.groupby(["place", "date", "actor"], sort=True):
        rows.append({"place": place, "place_id": g["place_id"].iloc[0], "lat": g["lat"].iloc[0],
                     "lon": g["lon"].iloc[0], "date": date, "alignment": al,
                     "event_ids": json.dumps(list(g["event_id"])), "certainty": g["certainty"].iloc[0]})
    return pd.DataFrame(rows)


def build_places() -> pd.DataFrame:
    return pd.DataFrame([{"place_id": pid, "place": name, "lat": lat, "lon": lon}
                         for name, (pid, lat, lon) in PLACES.items()])


def build_tables(hostile: bool = False) -> dict[str, pd.DataFrame]:
    """All the tables, keyed by name."""
    events = build_events(hostile)
    return {
        "documents": build_documents(hostile), "events": events, "claims": build_claims(events),
        "sieges": build_sieges(events), "displacement": build_displacement(events),
        "control_timeline": build_control_timeline(events), "places": build_places(),
    }


def write_tables(out_dir, hostile: bool = False) -> Path:
    """Write the tables as Parquet into ``out_dir`` (like ``build``); return the folder."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in build_tables(hostile).items():
        df.to_parquet(out / f"{name}.parquet", index=False)
    return out
