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
