"""The widget wrappers: every control drives its figure."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from conflict_lib import plotting as P  # noqa: E402
from conflict_lib.widgets import control_map_widget, displacement_widget, siege_timeline_widget  # noqa: E402
from synthetic_tables import build_tables  # noqa: E402


@pytest.fixture(scope="module")
def tables():
    return build_tables()


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _points(ax):
    """(colour, n) of the place markers drawn."""
    out = {}
    for c in ax.collections:
        offs = c.get_offsets()
        if len(offs) and len(c.get_facecolors()):
            for fc in c.get_facecolors():
                if fc[3] > 0:
                    out[mcolors.to_hex(fc)] = out.get(mcolors.to_hex(fc), 0) + len(offs)
    return out


def _text(ax):
    return " | ".join(t.get_text() for t in ax.figure.findobj(matplotlib.text.Text))


def test_control_map_widget_every_option(tables):
    box = control_map_widget(tables["events"], boundaries=False)
    c = box.controls
    assert set(c) == {"as_of", "since", "alignments", "place"}
    seen = set()
    for d in c["as_of"].options:
        ax = box.update(as_of=d)
        assert c["as_of"].value == d
        seen.add(tuple(sorted(_points(ax).items())))
    assert len(seen) > 2  # the map changes with the date
    for s in c["since"].options:
        assert box.update(since=s) is box.ax
    for label, al in c["alignments"].options:
        ax = box.update(alignments=(al,), since="(all)")
        cols = _points(ax)
        assert P.ALIGNMENT_COLOURS[al].lower() in cols or any(
            v for v in cols)  # weak (claimed) places are drawn hollow
        others = {P.ALIGNMENT_COLOURS[a].lower() for _, a in c["alignments"].options if a != al}
        assert not (others & set(cols))
    box.update(alignments=tuple(a for _, a in c["alignments"].options))
    for p in c["place"].options:
        box.update(place=p)
    with pytest.raises(TypeError):
        box.update(nonsense=1)


def test_siege_widget_every_option(tables):
    box = siege_timeline_widget(tables["sieges"], tables["events"])
    c = box.controls
    for p in c["places"].options:
        ax = box.update(places=(p,))
        assert p in _text(ax)
    box.update(places=tuple(c["places"].options))
    months = c["window"].options
    ax = box.update(window=(months[0], months[-1]))
    assert "Deir ez-Zor" in _text(ax) and "Eastern Ghouta" in _text(ax)
    ax = box.update(window=("2018-01", months[-1]))
    assert "Deir ez-Zor" not in _text(ax)
    for m in months:
        box.update(window=(m, m))


def test_displacement_widget_every_option(tables):
    box = displacement_widget(tables["displacement"])
    c = box.controls
    for by in c["by"].options:
        ax = box.update(by=by)
        assert ("by month" in _text(ax)) == (by == "month")
    box.update(by="place")
    for p in c["places"].options:
        ax = box.update(places=(p,))
        t = _text(ax)
        assert p in t or "No displacement figure" in t
    box.update(places=tuple(c["places"].options))
    for u in c["units"].options:
        ax = box.update(units=(u,))
        assert u in _text(ax)
    box.update(units=tuple(c["units"].options))
    for ct in c["certainties"].options:
        box.update(certainties=(ct,))
    ax = box.update(certainties=("reported",))
    assert "158,000" not in _text(ax)  # a confirmed figure is filtered out


def test_widgets_lay_out_without_warnings(tables, recwarn):
    """Every figure keeps its layout (no "constrained_layout not applied"): the figure functions size it."""
    import warnings
    warnings.simplefilter("always")
    box = siege_timeline_widget(tables["sieges"], tables["events"], documents=tables["documents"])
    for p in box.controls["places"].options:
        box.update(places=(p,))
    box = displacement_widget(tables["displacement"], documents=tables["documents"])
    for by in box.controls["by"].options:
        box.update(by=by)
    assert not [w for w in recwarn if "layout" in str(w.message)]
