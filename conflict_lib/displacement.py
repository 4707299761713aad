"""Displacement figures, one row per figure, with their qualifiers and provenance.

Ranges keep both bounds (``figure_low``/``figure_high``; ``figure`` is the upper bound for
"up to" ranges as the gold convention says); nothing is summed or averaged.
"""
from __future__ import annotations

import pandas as pd

from .ledger import _val

__all__ = ["displacement_table", "DISPLACEMENT_COLUMNS"]

#: Columns of the displacement table.
DISPLACEMENT_COLUMNS = ("event_id", "doc_id", "place", "place_id", "lat", "lon", "date", "date_precision",
                        "date_text", "figure", "figure_qualifier", "figure_low", "figure_high", "figure_unit",
                        "origin", "origin_place_id", "destination", "destination_place_id", "actor",
                        "source", "certainty", "sentence")


def displacement_table(events: pd.DataFrame, include_unquantified: bool = False) -> pd.DataFrame:
    """Displacement figures.

    Parameters
    ----------
    events : pandas.DataFrame
        The events table; not modified.
    include_unquantified : bool, default False
        Keep displacement events that give neither a figure nor a route (origin and destination) too.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DISPLACEMENT_COLUMNS`, one row per displacement event with a figure or a route, sorted by
        place and date. ``source`` falls back to the document id when the publisher speaks itself.
    """
    if events.empty:
        sel = events.iloc[0:0]
    else:
        sel = events[events["type"] == "displacement"]
        if not include_unquantified:
            # a count, or a route (origin and destination both named: "evacuated the Hadalat IDP camp
            # and resettled them in the Rukban camp") -- a movement an analyst can map without a number
            route = sel["origin"].notna() & sel["destination"].notna() & (sel["origin"] != sel["destination"])
            sel = sel[sel["figure"].notna() | route]
    frame = sel.reindex(columns=list(DISPLACEMENT_COLUMNS)).copy()
    if not frame.empty:
        frame["source"] = [_val(s) or d for s, d in zip(sel["source"], sel["doc_id"])]
        frame = frame.sort_values(["place", "date", "doc_id"], na_position="last", kind="stable")
    return frame.astype({c: "float64" for c in ("lat", "lon", "figure", "figure_low", "figure_high")}) \
        .reset_index(drop=True)
