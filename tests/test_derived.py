"""Tests for the derived tables: control timeline, sieges, displacement."""
from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa

from conflict_lib.control import control_as_of, control_changes_between, control_timeline
from conflict_lib.displacement import DISPLACEMENT_COLUMNS, displacement_table
from conflict_lib.sieges import SIEGE_COLUMNS, siege_table
from test_ledger import ev, frame


def events():
    """A small events frame from real sentences of the corpus (facts as in the gold files)."""
    rows = [
        ev("c1", "control_change", "Raqqa", doc_id="usaid-fy18-1", date="2014-01", actor="isis",
           sentence="ISIS had taken control of the city in January 2014"),
        ev("c2", "control_change", "Raqqa", doc_id="dod-2017-11-02", date="2017-10-20", actor="sdf",
           counterpart="isis", sentence="The Syrian Democratic Forces' Oct. 20 liberation of Raqqa, Syria"),
        ev("c3", "control_state", "Al-Shaddadi", doc_id="cc", date="2017-09-13", actor="sdf",
           sentence="relocated from this southern pocket to SDF-held Shaddadi last month"),
        ev("c4", "control_change", "Ar-Rastan", doc_id="usaid-fy18-9", date="2018-05", actor="government",
           sentence="for first time since SARG recapture in May"),
        ev("c5", "control_state", "Hama-Rastan road", doc_id="cc", date="2017-09-13", mode="access",
           certainty="claimed", source="Russian Center for National Reconciliation",
           sentence="claimed it had reached an agreement ... to open the Hama-Rastan road"),
        ev("c6", "control_change", "Tabqa", doc_id="usaid-fy17-5", actor="sdf",
           sentence="SDF gains control of Al Thawrah and Tabqa Dam"),
        ev("s1", "siege_lifted", "Deir ez-Zor", doc_id="eaworldview", date="2017-09-05", actor="government",
           counterpart="isis", sentence="Pro-Assad forces broke through the three-year Islamic State siege"),
        ev("s2", "siege", "Deir ez-Zor", doc_id="eaworldview", date="2017-09-06", actor="isis",
           counterpart="government", figure=100000, qualifier="nearly",
           sentence="The nearby military airport and three districts of the city, with almost 100,000 civilians, "
                    "are still cut off."),
        ev("s3", "siege", "Deir ez-Zor", doc_id="wikipedia", date="2017-01", actor="isis", counterpart="government",
           figure=120000, qualifier="up_to", sentence="110,000-120,000 civilians remained as of January 2017"),
        ev("s4", "siege_lifted", "Deir ez-Zor", doc_id="wikipedia", date="2017-09-10", actor="government",
           counterpart="isis", sentence="On 10 September 2017, the siege was fully broken by Government forces."),
        ev("s5", "siege", "Eastern Ghouta", doc_id="usaid-fy18-4", date="2018-02-01", actor="government",
           sentence="in Rif Damascus Governorate's SARG-besieged Eastern Ghouta region"),
        ev("d1", "displacement", "Afrin District", doc_id="usaid-fy18-6", date="2018-04-06", actor="turkey",
           figure=137000, qualifier="at_least", certainty="reported", source="UN",
           sentence="has displaced more than 137,000 people from Aleppo Governorate's Afrin District"),
        ev("d2", "displacement", "Madaya", doc_id="eaworldview", certainty="reported",
           source="UN Human Rights Council", sentence="the forced displacements this spring of residents"),
    ]
    f = frame(rows)
    f.loc[f["event_id"] == "d1", ["origin", "destination", "figure_unit"]] = ["Afrin District",
                                                                             "Aleppo Governorate", "people"]
    return f


def _parquet_ok(df):
    pa.Table.from_pandas(df)  # raises on Python objects other than scalars
    for col in df.columns:
        assert all(v is None or isinstance(v, (str, float, int, bool)) or pd.isna(v)
                   for v in df[col].tolist()), col


def test_control_timeline_steps_and_evidence():
    f = events()
    before = f.copy()
    tl = control_timeline(f)
    pd.testing.assert_frame_equal(f, before)
    raqqa = tl[tl["place"] == "Raqqa"]
    assert list(raqqa["date"]) == ["2014-01", "2017-10-20"]
    assert list(raqqa["holder"]) == ["isis", "sdf"]
    assert json.loads(raqqa["event_ids"].iloc[1]) == ["c2"] and raqqa["previous_holder"].iloc[1] == "isis"
    assert "Hama-Rastan road" not in set(tl["place"])  # access claims name no holder
    assert tl[tl["place"] == "Tabqa"]["date"].isna().all()  # undated steps kept
    _parquet_ok(tl)


def test_control_as_of_and_changes_between():
    f = events()
    asof = control_as_of(f, "2017-09-30").set_index("place")
    assert asof.loc["Raqqa", "holder"] == "isis" and asof.loc["Raqqa", "since"] == "2014-01"
    assert asof.loc["Al-Shaddadi", "holder"] == "sdf"
    assert "Ar-Rastan" not in asof.index and "Tabqa" not in asof.index
    later = control_as_of(f, "2018-06-01").set_index("place")
    assert later.loc["Raqqa", "holder"] == "sdf" and json.loads(later.loc["Raqqa", "event_ids"]) == ["c2"]
    assert later.loc["Ar-Rastan", "holder"] == "government" and later.loc["Raqqa", "certainty"] == "confirmed"
    ch = control_changes_between(f, "2017-10-01", "2018-05-15")
    assert list(ch["event_id"]) == ["c2", "c4"]
    _parquet_ok(asof.reset_index())


def test_siege_table_lifting_dates_disagree_and_population_over_time():
    st = siege_table(events())
    assert list(st.columns) == list(SIEGE_COLUMNS)
    dez = st[st["place"] == "Deir ez-Zor"].iloc[0]
    assert (dez["besieger"], dez["besieged"]) == ("isis", "government")
    assert (dez["first_report"], dez["last_report"], dez["lifted"]) == ("2017-01", "2017-09-06", "2017-09-05")
    assert bool(dez["dates_disagree"]) is True
    pop = json.loads(dez["population"])
    assert [(p["date"], p["figure"], p["qualifier"]) for p in pop] == [("2017-01", 120000, "up_to"),
                                                                     ("2017-09-06", 100000, "nearly")]
    assert sorted(json.loads(dez["sources"])) == ["eaworldview", "wikipedia"]
    ghouta = st[st["place"] == "Eastern Ghouta"].iloc[0]
    assert pd.isna(ghouta["lifted"]) and not ghouta["dates_disagree"] and ghouta["besieger"] == "government"
    _parquet_ok(st)


def test_derived_tables_are_the_same_from_a_parquet_round_trip(tmp_path):
    """The build reads the events back from Parquet: string columns come back with pandas' string
    dtype, where a missing value stays NaN through ``Series.map`` — an undated siege report once made
    Deir ez-Zor's ``last_report`` the string "nan"."""
    f = events()
    f = pd.concat([f, frame([ev("s6", "siege", "Deir ez-Zor", doc_id="cc", actor="isis",
                                counterpart="government", sentence="the besieged city of Deir ez-Zor")])],
                  ignore_index=True)
    f.to_parquet(tmp_path / "events.parquet", index=False)
    back = pd.read_parquet(tmp_path / "events.parquet")
    for table in (siege_table, control_timeline, displacement_table):
        pd.testing.assert_frame_equal(table(f), table(back), check_dtype=False)
    dez = siege_table(back).set_index("place").loc["Deir ez-Zor"]
    assert (dez["first_report"], dez["last_report"]) == ("2017-01", "2017-09-06")


def test_displacement_table_one_row_per_figure():
    dt_ = displacement_table(events())
    assert list(dt_.columns) == list(DISPLACEMENT_COLUMNS)
    assert list(dt_["event_id"]) == ["d1"]
    row = dt_.iloc[0]
    assert (row["figure"], row["figure_qualifier"], row["origin"], row["destination"], row["source"]) == (
        137000, "at_least", "Afrin District", "Aleppo Governorate", "UN")
    assert len(displacement_table(events(), include_unquantified=True)) == 2
    _parquet_ok(dt_)


def test_empty_inputs():
    empty = frame([])
    assert control_timeline(empty).empty and siege_table(empty).empty and displacement_table(empty).empty
    assert control_as_of(empty, "2017-01-01").empty and control_changes_between(empty, "2017", "2018").empty
