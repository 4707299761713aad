"""Tests for :mod:`conflict_lib.ledger` (the claim ledger)."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from conflict_lib.events import extract_events
from conflict_lib.ledger import LEDGER_COLUMNS, build_ledger
from conflict_lib.schema import EVENT_COLUMNS
from test_events import CC_SPECS, CC_TEXT, EA_SPECS, EA_TEXT, make_tagged


def ev(event_id, type, place, *, doc_id="doc", date=None, actor=None, counterpart=None, figure=None,
       qualifier=None, certainty="confirmed", source=None, sentence="", mode=None, place_id=None):
    """An event row with the given fields (others None)."""
    row = {c: None for c in EVENT_COLUMNS}
    row.update(event_id=event_id, doc_id=doc_id, type=type, place=place, place_id=place_id or "p:" + place,
               date=date, actor=actor, counterpart=counterpart, figure=figure, figure_qualifier=qualifier,
               certainty=certainty, source=source, sentence=sentence, mode=mode, start=0, end=len(sentence))
    return row


def frame(rows):
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS)).astype(
        {c: "float64" for c in ("lat", "lon", "figure", "figure_low", "figure_high")})


@pytest.fixture(scope="module")
def seed_events():
    ea = extract_events(make_tagged(EA_TEXT, EA_SPECS, doc_id="2017-09-06_eaworldview", published=dt.date(2017, 9, 6)))
    cc = extract_events(make_tagged(CC_TEXT, CC_SPECS, doc_id="2017-09-13_cartercenter", published=None,
                                    period_start=dt.date(2017, 9, 7), period_end=dt.date(2017, 9, 13)))
    return frame(ea + cc)


def _group_of(ledger, **kw):
    sel = ledger
    for k, v in kw.items():
        sel = sel[sel[k] == v]
    gids = sel["claim_group"].unique()
    assert len(gids) == 1, sel
    return ledger[ledger["claim_group"] == gids[0]]


def test_seed_road_claim_and_denial_contradict(seed_events):
    ledger = build_ledger(seed_events)
    g = _group_of(ledger, place="Hama-Rastan road")
    assert len(g) == 2 and set(g["status"]) == {"contradict"}
    assert sorted(g["certainty"]) == ["claimed", "denied"]
    assert json.loads(g["group_sources"].iloc[0]) == ["Opposition sources in Rastan",
                                                      "Russian Center for National Reconciliation"]


def test_one_row_per_event_and_columns(seed_events):
    ledger = build_ledger(seed_events)
    assert list(ledger.columns) == list(LEDGER_COLUMNS) + list(EVENT_COLUMNS)
    assert sorted(ledger["event_id"]) == sorted(seed_events["event_id"])
    single = ledger[ledger["place"] == "Hadalat camp"]
    assert list(single["status"]) == ["single"] and list(single["n_claims"]) == [1]


def test_figures_differ_and_both_are_kept():
    rows = [
        ev("a", "siege", "Deir ez-Zor", doc_id="wiki", figure=200000, qualifier="about", certainty="reported",
           source="UN", sentence="around 200,000 civilians were besieged in the Syrian Government-held districts"),
        ev("b", "siege", "Deir ez-Zor", doc_id="wiki", figure=90000, qualifier="about", certainty="reported",
           source="UN", sentence="which decreased to 90,000 near the end of the siege"),
    ]
    ledger = build_ledger(frame(rows))
    assert set(ledger["status"]) == {"differ"} and ledger["claim_group"].nunique() == 1
    figs = json.loads(ledger["group_figures"].iloc[0])
    assert sorted(f["figure"] for f in figs) == [90000, 200000]  # nothing averaged away
    assert len(ledger) == 2


def test_lifting_dates_differ_between_sources():
    rows = [
        ev("ea", "siege_lifted", "Deir ez-Zor", doc_id="eaworldview", date="2017-09-05", actor="government",
           counterpart="isis", sentence="Pro-Assad forces broke through the three-year Islamic State siege"),
        ev("wk", "siege_lifted", "Deir ez-Zor", doc_id="wikipedia", date="2017-09-10", actor="government",
           counterpart="isis", sentence="On 10 September 2017, the siege was fully broken by Government forces."),
    ]
    ledger = build_ledger(frame(rows))
    assert set(ledger["status"]) == {"differ"}
    assert json.loads(ledger["group_dates"].iloc[0]) == ["2017-09-05", "2017-09-10"]


def test_same_facts_agree_and_different_holders_contradict():
    rows = [
        ev("r1", "control_change", "Raqqa", doc_id="dod", date="2017-10-20", actor="sdf", counterpart="isis",
           sentence="The Syrian Democratic Forces' Oct. 20 liberation of Raqqa, Syria"),
        ev("r2", "control_change", "Raqqa", doc_id="usaid", date="2017-10-20", actor="sdf",
           sentence="the SDF captured Raqqa city on October 20"),
        ev("s1", "control_state", "Al-Shaddadi", doc_id="cc", date="2017-09-13", actor="sdf",
           sentence="relocated from this southern pocket to SDF-held Shaddadi last month"),
        ev("s2", "control_state", "Al-Shaddadi", doc_id="x", date="2017-09-13", actor="isis",
           sentence="ISIS-held Shaddadi"),
        ev("s3", "control_state", "Al-Shaddadi", doc_id="y", date="2016-02-19", actor="isis",
           sentence="ISIS-held Shaddadi"),
    ]
    ledger = build_ledger(frame(rows)).set_index("event_id")
    assert ledger.loc["r1", "status"] == ledger.loc["r2", "status"] == "agree"
    assert ledger.loc["s1", "status"] == ledger.loc["s2", "status"] == "contradict"
    assert ledger.loc["s3", "status"] == "single"  # another date, another fact
    assert ledger.loc["r1", "claim_group"] == ledger.loc["r2", "claim_group"] != ledger.loc["s1", "claim_group"]


def test_group_ids_stable_and_input_untouched(seed_events):
    before = seed_events.copy()
    a = build_ledger(seed_events)
    b = build_ledger(seed_events.iloc[::-1].reset_index(drop=True))
    pd.testing.assert_frame_equal(seed_events, before)
    ids_a = dict(zip(a["event_id"], a["claim_group"]))
    ids_b = dict(zip(b["event_id"], b["claim_group"]))
    assert ids_a == ids_b
    assert all(g.startswith("cg_") for g in ids_a.values())


def test_empty_ledger():
    out = build_ledger(frame([]))
    assert out.empty and list(out.columns) == list(LEDGER_COLUMNS) + list(EVENT_COLUMNS)


def test_group_strings_are_computed_once_per_group():
    rows = [ev(str(i), "siege", "Deir ez-Zor", doc_id=f"d{i}", figure=1000.0 + i, source=f"S{i}") for i in range(5)]
    ledger = build_ledger(frame(rows))
    for col in ("group_sources", "group_figures", "group_dates", "group_certainties", "group_actors"):
        assert ledger[col].dtype == object
        assert len({id(v) for v in ledger[col]}) == 1  # one string shared by the group's rows
    assert len(json.loads(ledger["group_figures"].iloc[0])) == 5


def test_a_missing_figure_or_actor_neither_differs_nor_shows_as_nan():
    """Two reports of the same siege, one with a figure and an actor, one without: they agree."""
    rows = [ev("a", "siege", "Madaya", date="2016-01", actor="government", figure=40000.0, doc_id="d1", source="UN"),
            ev("b", "siege", "Madaya", date="2016-01", doc_id="d2", source="MSF")]
    g = _group_of(build_ledger(frame(rows)), place="Madaya")
    assert set(g["status"]) == {"agree"}, "a claim without a figure does not contradict one with a figure"
    assert json.loads(g["group_actors"].iloc[0]) == ["government"], "a missing actor must not appear as 'nan'"
    assert json.loads(g["group_figures"].iloc[0]) and "nan" not in g["group_certainties"].iloc[0]


def test_split_ledger_keeps_group_lists_once_per_group():
    """claims: one row per event without the group's lists; claim_groups: one row per group with them."""
    from conflict_lib.ledger import GROUP_COLUMNS, split_ledger

    rows = [ev(f"e{i}", "siege", "Madaya", date="2016-01", figure=float(40000 + i), doc_id=f"d{i}", source=f"S{i}")
            for i in range(50)]
    ledger = build_ledger(frame(rows))
    claims, groups = split_ledger(ledger)
    assert len(claims) == 50 and len(groups) == 1
    assert not [c for c in claims.columns if c.startswith("group_")]
    assert list(groups.columns) == list(GROUP_COLUMNS)
    assert len(json.loads(groups["group_figures"].iloc[0])) == 50
    assert set(claims["claim_group"]) == set(groups["claim_group"]) and set(claims["status"]) == {"differ"}
