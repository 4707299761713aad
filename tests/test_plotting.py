"""The figure functions: pure, readable, honest about qualifiers and units."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from conflict_lib import plotting as P  # noqa: E402
from conflict_lib.schema import ALIGNMENTS  # noqa: E402
from synthetic_tables import build_tables  # noqa: E402


@pytest.fixture(scope="module")
def tables():
    return build_tables()


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _texts(ax):
    return " | ".join(t.get_text() for t in ax.figure.findobj(matplotlib.text.Text))


def _facecolours(ax):
    out = set()
    for c in ax.collections:
        for fc in c.get_facecolors():
            if fc[3] > 0:
                out.add(mcolors.to_hex(fc))
    return out


def test_every_alignment_has_a_colour_marker_and_label():
    assert set(P.ALIGNMENT_COLOURS) == set(ALIGNMENTS) == set(P.ALIGNMENT_MARKERS) == set(P.ALIGNMENT_LABELS)
    assert len(set(P.ALIGNMENT_COLOURS.values())) == len(ALIGNMENTS)
    assert P.ALIGNMENT_LABELS["isis"] == "ISIS" and P.ALIGNMENT_LABELS["sdf"] == "SDF"


@pytest.mark.parametrize("value,qual,expected", [
    (100000, "nearly", "<100,000"), (50000, "at_least", "≥50,000"), (39000, "about", "~39,000"),
    (3000, "up_to", "≤3,000"), (158000, "exact", "158,000"), (158000, None, "158,000")])
def test_format_figure_signs(value, qual, expected):
    assert P.format_figure(value, qual) == expected


def test_dates_parse_and_format():
    assert P.format_date("2017-09-05") == "5 Sep 2017"
    assert P.format_date("2017-09") == "Sep 2017"
    assert P.format_date(None) == "undated"
    assert pd.isna(P.parse_date("not a date"))


def test_functions_do_not_mutate_inputs(tables):
    copies = {k: v.copy(deep=True) for k, v in tables.items()}
    P.plot_control_map(tables["events"], as_of="2017-09-13", since="2017-09-01", boundaries=False)
    P.plot_control_map(tables["control_timeline"], boundaries=False)
    P.plot_siege_timeline(tables["sieges"], tables["events"])
    P.plot_displacement(tables["displacement"], by="place")
    P.plot_displacement(tables["displacement"], by="month")
    P.plot_displacement_flows(tables["displacement"], coords=tables["places"], boundaries=False)
    for k, v in tables.items():
        pd.testing.assert_frame_equal(v, copies[k])


def test_control_snapshot_as_of_and_denied(tables):
    snap = P.control_snapshot(tables["events"], as_of="2017-09-13")
    held = dict(zip(snap["place"], snap["alignment"]))
    assert held["Al-Shaddadi"] == "sdf"
    assert held["Al-Mayadin"] == "isis"
    assert "Raqqa" not in held  # captured 20 Oct 2017, after the date
    road = snap[snap["place"] == "Hama-Rastan road"].iloc[0]
    assert bool(road["weak"])  # only a claim (the denial never colours a place)
    later = P.control_snapshot(tables["events"], as_of="2017-10-20", since="2017-10-01")
    assert later.set_index("place").loc["Raqqa", "changed"]
    assert not later.set_index("place").loc["Al-Shaddadi", "changed"]


def test_control_map_colours_by_alignment_and_changes_with_date(tables):
    ax = P.plot_control_map(tables["events"], as_of="2017-09-13", boundaries=False)
    cols = _facecolours(ax)
    assert P.ALIGNMENT_COLOURS["sdf"].lower() in cols and P.ALIGNMENT_COLOURS["isis"].lower() in cols
    text = _texts(ax)
    assert "13 Sep 2017" in text and "Al-Shaddadi" in text and "Sources: 2 reports" in text
    assert "ISIS" in text and "SDF" in text  # legend labels
    ax2 = P.plot_control_map(tables["events"], as_of="2018-05-21", boundaries=False)
    assert "Raqqa" in _texts(ax2) and "Raqqa" not in text
    # equal-distance aspect for lon/lat
    assert 1.1 < ax2.get_aspect() < 1.35


def test_control_map_alignment_filter(tables):
    ax = P.plot_control_map(tables["events"], alignments=["sdf"], boundaries=False)
    cols = _facecolours(ax)
    assert P.ALIGNMENT_COLOURS["sdf"].lower() in cols
    assert P.ALIGNMENT_COLOURS["government"].lower() not in cols


def test_control_map_with_boundaries_and_timeline(tables):
    ax = P.plot_control_map(tables["control_timeline"], extent="syria")
    assert len(ax.collections) >= 4  # adm0 fill, adm2, adm1, adm0 lines + places
    assert "OCHA" in _texts(ax)
    x0, x1 = ax.get_xlim()
    assert x0 < 36 and x1 > 42


def test_control_map_empty_is_readable():
    ax = P.plot_control_map(pd.DataFrame(columns=["type", "place", "lat", "lon", "date", "actor"]), boundaries=False)
    assert "No dated control reports" in _texts(ax)


def test_siege_timeline_bars_figures_and_disagreement(tables):
    ax = P.plot_siege_timeline(tables["sieges"], tables["events"])
    text = _texts(ax)
    assert "Deir ez-Zor" in text and "Eastern Ghouta" in text
    assert "<100,000" in text  # qualifier kept
    assert "sources disagree" in text and "5 Sep 2017" in text and "10 Sep 2017" in text
    assert "ongoing as of 9 Feb 2018" in text
    assert any(p.get_hatch() for p in ax.patches)  # hatched span between the two dates
    only = P.plot_siege_timeline(tables["sieges"], tables["events"], places=["Eastern Ghouta"])
    assert "Deir ez-Zor" not in _texts(only)


def test_displacement_qualifiers_units_and_ranges(tables):
    d = tables["displacement"].copy()
    d = pd.concat([d, pd.DataFrame([{"event_id": "x", "place": "Test village", "figure": 2500.0, "figure_low": 2000.0,
                                     "figure_high": 3000.0, "figure_qualifier": "up_to", "figure_unit": "families",
                                     "date": "2018-03", "doc_id": "d"}])], ignore_index=True)
    ax = P.plot_displacement(d, by="place")
    text = _texts(ax)
    assert "≥137,000" in text and "~3,500" in text and "158,000" in text
    assert "Families / households" in text and "People" in text  # kept apart
    assert "2,000–3,000 families" in text  # range shown
    assert any(len(c.get_segments()) for c in ax.collections if hasattr(c, "get_segments"))  # error bar
    axm = P.plot_displacement(d, by="month")
    assert "Apr 2018" in _texts(axm)
    with pytest.raises(ValueError):
        P.plot_displacement(d, by="year")


def test_flows_draw_hadalat_to_rukban(tables):
    ax = P.plot_displacement_flows(tables["displacement"], coords=tables["places"], boundaries=False)
    text = _texts(ax)
    assert "Hadalat camp" in text and "Rukban camp" in text
    arrows = [p for p in ax.patches if isinstance(p, matplotlib.patches.FancyArrowPatch)]
    assert len(arrows) == 2


def test_figures_save_as_png(tmp_path, tables):
    for ax in (P.plot_control_map(tables["events"]), P.plot_siege_timeline(tables["sieges"], tables["events"]),
               P.plot_displacement(tables["displacement"])):
        out = tmp_path / "f.png"
        ax.figure.savefig(out, dpi=60)
        assert out.stat().st_size > 5000


# --------------------------------------------------------------------------- what a reader trips on
def _with_country_rows(tables):
    """The synthetic tables plus what the real build writes for the whole country / loose regions."""
    import json
    ev = tables["events"].copy()
    row = ev[ev["place"] == "Raqqa"].iloc[[0]].copy()
    row["event_id"], row["place"], row["place_id"], row["lat"], row["lon"] = "cty", "Syria", "cur:syria", 35.0, 38.0
    reg = row.copy()
    reg["event_id"], reg["place"], reg["place_id"], reg["lat"], reg["lon"] = (
        "reg", "southwestern Syria", "cur:southwest-syria", 32.9, 36.2)
    ev = pd.concat([ev, row, reg], ignore_index=True)
    sieges = pd.concat([tables["sieges"], pd.DataFrame([
        {"place": "Syria", "place_id": "cur:syria", "lat": 35.0, "lon": 38.0, "besieger": None, "besieged": None,
         "first_report": "2017-05-31", "last_report": "2018-07-13", "lifted": None,
         "population": json.dumps([{"date": "2017-05-31", "figure": 728500, "qualifier": "at_least", "source": "UN"},
                                   {"date": "2018-07-13", "figure": 8100, "qualifier": "exact",
                                    "source": "2018-07-13_usaid_syria-fact-sheet-9-fy18"}]),
         "event_ids": "[]", "sources": json.dumps(["UN", "2018-07-13_usaid_syria-fact-sheet-9-fy18"]),
         "dates_disagree": False},
        {"place": "Homs Governorate", "place_id": "ocha:SY04", "lat": None, "lon": None, "besieger": None,
         "besieged": None, "first_report": "2017-05-31", "last_report": "2017-05-31", "lifted": None,
         "population": "[]", "event_ids": "[]", "sources": json.dumps(["UN"]), "dates_disagree": False}])],
        ignore_index=True)
    return ev, sieges


def test_country_and_regions_are_never_held_points(tables):
    ev, _ = _with_country_rows(tables)
    snap = P.control_snapshot(ev)
    assert "Syria" not in set(snap["place"]) and "southwestern Syria" not in set(snap["place"])
    ax = P.plot_control_map(ev, boundaries=False)
    pts = {tuple(o) for c in ax.collections for o in c.get_offsets()}
    assert (38.0, 35.0) not in pts and (36.2, 32.9) not in pts
    assert "about a whole governorate, region or the country" in _texts(ax)
    assert P.is_area_level("cur:syria") and P.is_area_level(None, "southern Syria")
    assert not P.is_area_level("cur:eastern-ghouta", "Eastern Ghouta")


def test_unknown_previous_holder_is_not_spelled_out(tables):
    tl = tables["control_timeline"].copy()
    tl["previous_holder"] = None
    tl.loc[tl["place"] == "Raqqa", "previous_holder"] = "unknown"
    tl["kind"] = "change"
    ax = P.plot_control_map(tl, boundaries=False)
    t = _texts(ax)
    assert "Unknown →" not in t and "(→ SDF)" in t


def test_siege_country_counts_are_a_note_not_a_bar(tables):
    ev, sieges = _with_country_rows(tables)
    ax = P.plot_siege_timeline(sieges, ev)
    assert "Syria" not in [t.get_text().split("\n")[0] for t in ax.get_yticklabels()]
    text = _texts(ax)
    assert "Country-wide counts" in text and "≥728,500" in text
    assert "Homs Governorate\n(areas in it; besieger not stated)" in text
    # the 5-vs-10 Sep disagreement is magnified in an inset with each date's source
    assert len(ax.child_axes) == 1
    inset = " | ".join(t.get_text() for t in ax.child_axes[0].texts)
    assert "5 Sep 2017" in inset and "10 Sep 2017" in inset


def test_no_document_id_in_any_chart_text(tables):
    import re
    ev, sieges = _with_country_rows(tables)
    disp = tables["displacement"].copy()
    disp["source"] = disp["source"].fillna(disp["doc_id"])  # the publisher in its own voice
    sieges = sieges.copy()
    sieges["sources"] = '["2017-09-06_eaworldview_deir-ez-zor-siege-broken", "UN"]'
    docid = re.compile(r"\d{4}-\d{2}-\d{2}_[a-z0-9]+_")
    for ax in (P.plot_siege_timeline(sieges, ev, documents=tables["documents"]),
               P.plot_siege_timeline(sieges, ev),
               P.plot_displacement(disp, by="place", documents=tables["documents"]),
               P.plot_displacement(disp, by="month"),
               P.plot_displacement_flows(disp, coords=tables["places"], boundaries=False)):
        assert not docid.search(_texts(ax)), docid.search(_texts(ax))
    t = _texts(P.plot_displacement(disp, by="place", documents=tables["documents"]))
    assert "USAID" in t
    t = _texts(P.plot_siege_timeline(sieges, ev, documents=tables["documents"]))
    assert "EA WorldView" in t


@pytest.mark.parametrize("publisher,short", [
    ("U.S. Agency for International Development (USAID), via ReliefWeb", "USAID"),
    ("U.S. Department of Defense (DoD News, Defense Media Activity)", "DoD"),
    ("U.S. Department of State (Press Statement, Heather Nauert)", "State"),
    ("U.S. Central Command / Combined Joint Task Force - Operation Inherent Resolve", "CENTCOM"),
    ("The Carter Center (Syria Conflict Mapping Project)", "Carter Center"),
    ("EA WorldView (Syria Daily)", "EA WorldView"),
    ("Wikipedia contributors (English Wikipedia; text read from a mirror copy)", "Wikipedia"),
    ("Some Monitor", "Some Monitor")])
def test_publisher_short_names(publisher, short):
    assert P.publisher_short_name(publisher) == short


def test_month_bars_never_mix_units(tables):
    d = pd.concat([tables["displacement"], pd.DataFrame([
        {"event_id": "r", "place": "Syria", "place_id": "cur:syria", "figure": 5300000.0, "figure_qualifier": "at_least",
         "figure_unit": "refugees", "date": "2018-04-20", "doc_id": "x"},
        {"event_id": "m", "place": "Idlib Governorate", "figure": 304200.0, "figure_qualifier": "about",
         "figure_unit": "displacements", "date": "2018-04-09", "doc_id": "y"}])], ignore_index=True)
    ax = P.plot_displacement(d, by="month")
    labels = [t.get_text() for t in ax.texts]
    bars = [t for t in labels if t[:1] in "≥~<≤0123456789"]
    # April 2018 has people, refugees and displacements: three bars, each in its own unit
    apr = [t for t, y in zip([t.get_text() for t in ax.texts], [t.xy[1] if hasattr(t, "xy") else None for t in ax.texts])
           if t[:1] in "≥~<≤0123456789"]
    assert any("5,300,000 refugees" in t for t in bars) and any("304,200 displacements" in t for t in bars)
    assert any("137,000 people" in t for t in apr)
    assert not any("5,300,000" in t and "people" in t for t in bars)
    text = _texts(ax)
    assert "Refugees" in text and "Displacements" in text and "not a monthly total" in text
    # the log axis never runs numbers together
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert all(len(t) <= 5 for t in ticks), ticks


def test_flows_fall_back_to_area_label_points(tables):
    d = tables["displacement"].copy()
    d = pd.concat([d, pd.DataFrame([{"event_id": "q", "place": "Daraa Governorate", "figure": 325000.0,
                                     "figure_qualifier": "up_to", "figure_unit": "people",
                                     "origin": "Daraa Governorate", "origin_place_id": "ocha:SY12",
                                     "destination": "Quneitra Governorate", "destination_place_id": "ocha:SY14",
                                     "date": "2018-07", "doc_id": "z"}])], ignore_index=True)
    ax = P.plot_displacement_flows(d, coords=tables["places"], boundaries=False)
    arrows = [p for p in ax.patches if isinstance(p, matplotlib.patches.FancyArrowPatch)]
    assert len(arrows) == 3
    text = _texts(ax)
    assert "Quneitra Governorate" in text and "label point" in text
    assert "elsewhere in Aleppo Governorate" in text  # Afrin District lies in Aleppo Governorate
