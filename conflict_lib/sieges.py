"""One row per siege: who besieged whom, when it was reported, when it was lifted, how many inside.

A siege is identified by its place (place id, else name): every ``siege`` and ``siege_lifted``
event about the place contributes. Sources that date the lifting differently are flagged
(``dates_disagree``), never reconciled.
"""
from __future__ import annotations

import json
from collections import Counter

import pandas as pd

from .ledger import _provenance, _values

__all__ = ["siege_table", "SIEGE_COLUMNS"]

#: Columns of the sieges table.
SIEGE_COLUMNS = ("siege_id", "place", "place_id", "lat", "lon", "besieger", "besieged", "first_report",
                 "last_report", "lifted", "lifted_by", "lifted_dates", "dates_disagree", "population",
                 "n_events", "event_ids", "sources", "doc_ids")


#: The event columns a siege row is made from.
_COLUMNS = ("type", "actor", "counterpart", "certainty", "date", "figure", "figure_qualifier", "source", "doc_id",
            "event_id", "place", "place_id", "lat", "lon")


def _most_common(values) -> str | None:
    vals = [v for v in values if v]
    return Counter(vals).most_common(1)[0][0] if vals else None


def siege_table(events: pd.DataFrame) -> pd.DataFrame:
    """Sieges, one row per besieged place.

    Parameters
    ----------
    events : pandas.DataFrame
        The events table; not modified.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SIEGE_COLUMNS`. ``besieger``/``besieged`` are the alignments most sources
        give (a ``siege_lifted`` event counts its counterpart as besieger and its actor as the one
        relieved); ``first_report``/``last_report`` span the dated siege reports; ``lifted`` is the
        earliest non-denied lifting date (None while none is reported); ``lifted_dates`` lists
        ``{date, source, certainty, event_id}``; ``dates_disagree`` is True when the sources give
        different days for the lifting; ``population`` lists ``{date, figure, qualifier, source,
        event_id}`` by date. Lists are JSON strings.
    """
    out = []
    if not events.empty:
        sieges = events[events["type"].isin(["siege", "siege_lifted"])]
        sieges = sieges.assign(_key=sieges["place_id"].fillna(sieges["place"]))
        for key, g in sieges.groupby("_key", sort=True):
            g = g.sort_values(["date", "doc_id", "start"], na_position="last", kind="stable")
            # plain records, NA as None: one conversion per group instead of a Series per row
            cols = {c: _values(g[c]) for c in _COLUMNS}
            rows = [dict(zip(_COLUMNS, r)) for r in zip(*cols.values())]
            on = [r for r in rows if r["type"] == "siege"]
            off = [r for r in rows if r["type"] == "siege_lifted" and r["certainty"] != "denied"]
            besieger = _most_common([r["actor"] for r in on] + [r["counterpart"] for r in off])
            besieged = _most_common([r["counterpart"] for r in on] + [r["actor"] for r in off])
            report_dates = sorted(str(r["date"]) for r in on if r["date"] is not None)
            lifted_dates = [{"date": r["date"], "source": _provenance(r), "certainty": r["certainty"],
                             "event_id": r["event_id"]} for r in off]
            dated = sorted({str(x["date"]) for x in lifted_dates if x["date"]})
            population = [{"date": r["date"], "figure": float(r["figure"]), "qualifier": r["figure_qualifier"],
                           "source": _provenance(r), "event_id": r["event_id"]}
                          for r in on if r["figure"] is not None]
            first = rows[0]
            out.append({
                "siege_id": "sg_" + str(key),
                "place": first["place"], "place_id": first["place_id"],
                "lat": first["lat"], "lon": first["lon"],
                "besieger": besieger, "besieged": besieged,
                "first_report": report_dates[0] if report_dates else None,
                "last_report": report_dates[-1] if report_dates else None,
                "lifted": dated[0] if dated else None,
                "lifted_by": _most_common(r["actor"] for r in off),
                "lifted_dates": json.dumps(lifted_dates, ensure_ascii=False),
                "dates_disagree": len({d[:10] for d in dated}) > 1,
                "population": json.dumps(population, ensure_ascii=False),
                "n_events": int(len(g)),
                "event_ids": json.dumps([str(r["event_id"]) for r in rows]),
                "sources": json.dumps(sorted({_provenance(r) for r in rows}), ensure_ascii=False),
                "doc_ids": json.dumps(sorted({str(r["doc_id"]) for r in rows})),
            })
    frame = pd.DataFrame(out, columns=list(SIEGE_COLUMNS))
    return frame.astype({"lat": "float64", "lon": "float64", "dates_disagree": "bool",
                         "n_events": "int64"}).reset_index(drop=True)
