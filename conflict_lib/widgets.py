"""Thin ipywidgets wrappers around :mod:`conflict_lib.plotting` (wiring only, no analysis).

Each function returns an ``ipywidgets.VBox`` with three extra attributes:

- ``box.update(**values)``: the callback the controls call; pass any control's value by name
  to set it and redraw (tests call it with every option). Returns the Axes it drew.
- ``box.controls``: ``{name: widget}``.
- ``box.ax``: the Axes of the last drawing.

Example (in a notebook)::

    from conflict_lib.tables import load_table
    from conflict_lib.widgets import control_map_widget
    control_map_widget(load_table("events"))
"""
from __future__ import annotations

import html
from typing import Any, Callable

import ipywidgets as W
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, display

from . import plotting as P

__all__ = ["control_map_widget", "siege_timeline_widget", "displacement_widget"]

_ALL = "(all)"


def _panel(controls: dict[str, W.Widget], outputs: list[W.Widget], draw: Callable[..., Any]) -> W.VBox:
    """Wire ``controls`` to ``draw``; return the box with ``update``, ``controls`` and ``ax``."""
    busy = {"on": False}
    box = W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap"))] + outputs)

    def update(**values):
        unknown = set(values) - set(controls)
        if unknown:
            raise TypeError(f"unknown control(s): {', '.join(sorted(unknown))}")
        busy["on"] = True
        try:
            for name, v in values.items():
                controls[name].value = v
        finally:
            busy["on"] = False
        box.ax = draw(**{name: w.value for name, w in controls.items()})
        return box.ax

    def on_change(_change):
        if not busy["on"]:
            update()

    for w in controls.values():
        w.observe(on_change, names="value")
    box.update = update
    box.controls = controls
    box.ax = None
    update()
    return box


def _show(out: W.Output, fig) -> None:
    with out:
        out.clear_output(wait=True)
        display(fig)
    plt.close(fig)


def control_map_widget(events: pd.DataFrame, boundaries=None, figsize=(8, 6.4)) -> W.VBox:
    """Date slider + alignment multi-select -> :func:`plotting.plot_control_map`, with evidence.

    Controls: ``as_of`` (a date of the reports), ``since`` (changes after this date get a ring;
    "(all)" = every change), ``alignments`` (tuple), ``place`` (the place whose evidence
    sentences are listed below the map, as of ``as_of``).
    """
    dates = P.control_dates(events) or ["(no dated report)"]
    as_of = W.SelectionSlider(options=dates, value=dates[-1], description="As of",
                              continuous_update=False, layout=W.Layout(width="420px"))
    since = W.Dropdown(options=[_ALL] + dates, value=_ALL, description="Changes after")
    present = sorted({P._alignment(a) for a in P._control_rows(events)["alignment"]},
                     key=list(P.ALIGNMENT_COLOURS).index)
    alignments = W.SelectMultiple(options=[(P.ALIGNMENT_LABELS[a], a) for a in present], value=tuple(present),
                                  description="Held by", rows=min(6, max(2, len(present))))
    rows = P._control_rows(events)
    places = sorted({str(p) for p in rows["place"] if P._str(p)})
    place = W.Dropdown(options=[_ALL] + places, value=_ALL, description="Evidence")
    out_map, out_ev = W.Output(), W.Output()

    def draw(as_of, since, alignments, place):
        when = None if as_of.startswith("(") else as_of
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        P.plot_control_map(events, as_of=when, since=None if since == _ALL else since,
                           alignments=list(alignments), ax=ax, boundaries=boundaries, extent="syria")
        _show(out_map, fig)
        ev = rows if place == _ALL else rows[rows["place"] == place]
        if when:
            ev = ev[ev["date"].isna() | (ev["date"] <= P.parse_date(when))]
        items = "".join(
            f"<li><b>{html.escape(str(r.place))}</b> · {html.escape(P.format_date(r.date_raw))} · "
            f"{html.escape(P.ALIGNMENT_LABELS.get(r.alignment, r.alignment))} · {html.escape(str(r.certainty or ''))}"
            f"<br><q>{html.escape(str(r.sentence or ''))}</q></li>" for r in ev.itertuples())
        with out_ev:
            out_ev.clear_output(wait=True)
            display(HTML(f"<ul>{items or '<li>No report.</li>'}</ul>"))
        return ax

    return _panel({"as_of": as_of, "since": since, "alignments": alignments, "place": place},
                  [out_map, out_ev], draw)


def siege_timeline_widget(sieges: pd.DataFrame, events: pd.DataFrame | None = None,
                          documents: pd.DataFrame | None = None) -> W.VBox:
    """Place multi-select + month range -> :func:`plotting.plot_siege_timeline`.

    Controls: ``places`` (tuple of place names), ``window`` (a pair of "YYYY-MM" months).
    ``documents`` (optional) names report sources by their publisher.
    """
    names = sorted({str(p) for p in sieges["place"] if P._str(p)}) if len(sieges) else []
    places = W.SelectMultiple(options=names, value=tuple(names), description="Places", rows=min(6, max(2, len(names))))
    recs = P._siege_rows(sieges, events, None, None, None)
    stamps = [r["start"] for r in recs] + [d for r in recs for d in [r["last"]] + r["lift_dates"]]
    if stamps:
        months = [m.strftime("%Y-%m") for m in pd.period_range(min(stamps), max(stamps), freq="M").to_timestamp()]
    else:
        months = ["(none)"]
    window = W.SelectionRangeSlider(options=months, index=(0, len(months) - 1), description="Months",
                                    continuous_update=False, layout=W.Layout(width="480px"))
    out = W.Output()

    def draw(places, window):
        s, e = window
        start = None if s.startswith("(") else s
        end = None if e.startswith("(") else (pd.Timestamp(e + "-01") + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
        # the figure function sizes its own figure (rows + notes under the chart)
        ax = P.plot_siege_timeline(sieges, events, places=list(places), start=start, end=end, documents=documents)
        _show(out, ax.figure)
        return ax

    return _panel({"places": places, "window": window}, [out], draw)


def displacement_widget(displacement: pd.DataFrame, documents: pd.DataFrame | None = None) -> W.VBox:
    """Filters by place / unit / certainty + group-by -> :func:`plotting.plot_displacement`.

    Controls: ``places``, ``units``, ``certainties`` (tuples), ``by`` ("place" | "month").
    ``documents`` (optional) names report sources by their publisher.
    """
    def opts(col):
        if col not in displacement:
            return []
        return sorted({str(v) for v in displacement[col] if P._str(v)})

    places = W.SelectMultiple(options=opts("place"), value=tuple(opts("place")), description="Places", rows=5)
    units = W.SelectMultiple(options=opts("figure_unit"), value=tuple(opts("figure_unit")), description="Units", rows=4)
    certs = W.SelectMultiple(options=opts("certainty"), value=tuple(opts("certainty")), description="Certainty", rows=4)
    by = W.ToggleButtons(options=["place", "month"], value="place", description="Group by")
    out = W.Output()

    def draw(places, units, certainties, by):
        df = displacement
        for col, keep in (("place", places), ("figure_unit", units), ("certainty", certainties)):
            if col in df and opts(col):
                df = df[df[col].astype("string").isin(list(keep)) | (df[col].isna() & (col != "place"))]
        ax = P.plot_displacement(df, by=by, documents=documents)  # sized to its rows: labels never squashed
        _show(out, ax.figure)
        return ax

    return _panel({"places": places, "units": units, "certainties": certs, "by": by}, [out], draw)
