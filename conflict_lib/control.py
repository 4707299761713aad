"""Who holds what, when: a control timeline built from control events.

Steps come from ``control_change`` events (the gainer, ``actor``) and ``control_state`` events
(the holder, ``actor``); access claims (``mode == "access"``) and events without a holder are left
out. Dates are ISO strings of varying precision ("2018-05-21", "2018-05", "2014"); they compare as
strings, so a month-dated step sorts before the days of that month.
"""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any

import pandas as pd

from .ledger import _val, _values

__all__ = ["control_timeline", "control_as_of", "control_changes_between", "TIMELINE_COLUMNS"]

#: Columns of the control timeline.
TIMELINE_COLUMNS = ("place", "place_id", "lat", "lon", "date", "date_precision", "holder", "holder_name",
                    "previous_holder", "kind", "certainty", "n_events", "event_ids", "doc_ids")

_CERT_RANK = {"confirmed": 0, "reported": 1, "claimed": 2, "rumored": 3, "denied": 4}


def _iso(d: Any) -> str | None:
    d = _val(d)
    if d is None:
        return None
    if isinstance(d, (_dt.date, pd.Timestamp)):
        return d.isoformat()[:10]
    return str(d)


def _control_rows(events: pd.DataFrame) -> pd.DataFrame:
    if events.empty:
        return events.iloc[0:0]
    mask = events["type"].isin(["control_change", "control_state"]) & events["actor"].notna()
    if "mode" in events.columns:
        mask &= events["mode"].fillna("") != "access"
    mask &= events["certainty"].fillna("confirmed") != "denied"
    return events[mask]


def control_timeline(events: pd.DataFrame) -> pd.DataFrame:
    """Place x date -> controlling alignment, with the events behind each step.

    Parameters
    ----------
    events : pandas.DataFrame
        The events table; not modified.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TIMELINE_COLUMNS`. One row per (place, date, holder); ``kind`` is
        ``change`` when any event behind the step is a control change, else ``state``;
        ``certainty`` is the surest certainty among them; ``event_ids`` and ``doc_ids`` are JSON lists.
        Undated steps come last for their place.
    """
    rows = _control_rows(events)
    out: list[dict] = []
    if not rows.empty:
        work = rows.assign(_pkey=rows["place_id"].fillna(rows["place"]), _date=rows["date"].map(_iso))
        work = work.assign(_dkey=work["_date"].fillna(""))
        for (_pkey, _dkey, holder), g in work.groupby(["_pkey", "_dkey", "actor"], sort=True, dropna=False):
            first = g.iloc[0]
            changes = g[g["type"] == "control_change"]
            prev = [c for c in _values(changes["counterpart"]) if c]
            certs = sorted((c for c in _values(g["certainty"]) if c), key=lambda c: _CERT_RANK.get(c, 9))
            names = [n for n in _values(g["actor_name"]) if n]
            out.append({
                "place": first["place"], "place_id": _val(first["place_id"]),
                "lat": _val(first["lat"]), "lon": _val(first["lon"]),
                "date": first["_date"], "date_precision": _val(first["date_precision"]),
                "holder": holder, "holder_name": names[0] if names else None,
                "previous_holder": prev[0] if prev else None,
                "kind": "change" if len(changes) else "state",
                "certainty": certs[0] if certs else None, "n_events": int(len(g)),
                "event_ids": json.dumps(sorted(g["event_id"].astype(str))),
                "doc_ids": json.dumps(sorted(set(g["doc_id"].astype(str)))),
            })
    frame = pd.DataFrame(out, columns=list(TIMELINE_COLUMNS))
    if frame.empty:
        return frame.astype({"lat": "float64", "lon": "float64", "n_events": "int64"})
    frame["_undated"] = frame["date"].isna()
    frame = frame.sort_values(["place", "_undated", "date", "holder"], kind="stable").drop(columns="_undated")
    return frame.astype({"lat": "float64", "lon": "float64", "n_events": "int64"}).reset_index(drop=True)


def control_as_of(events: pd.DataFrame, date: str | _dt.date) -> pd.DataFrame:
    """The latest known holder of each place on or before ``date``.

    Parameters
    ----------
    events : pandas.DataFrame
        The events table; not modified.
    date : str or datetime.date
        ISO date.

    Returns
    -------
    pandas.DataFrame
        One row per place: place, place_id, lat, lon, holder, holder_name, since (date of the step),
        certainty, contested (several holders on that same date), holders (JSON list), event_ids (JSON).
    """
    cut = _iso(date)
    tl = control_timeline(events)
    cols = ["place", "place_id", "lat", "lon", "holder", "holder_name", "since", "certainty", "contested",
            "holders", "event_ids"]
    tl = tl[tl["date"].notna()]
    tl = tl[tl["date"].astype(str) <= str(cut)] if not tl.empty else tl
    out = []
    for _place, g in tl.groupby(tl["place_id"].fillna(tl["place"]) if not tl.empty else [], sort=True):
        last_date = g["date"].max()
        last = g[g["date"] == last_date].sort_values(
            "certainty", key=lambda s: s.map(lambda c: _CERT_RANK.get(c, 9)), kind="stable")
        top = last.iloc[0]
        ids = sorted({i for j in last["event_ids"] for i in json.loads(j)})
        out.append({"place": top["place"], "place_id": top["place_id"], "lat": top["lat"], "lon": top["lon"],
                    "holder": top["holder"], "holder_name": top["holder_name"], "since": last_date,
                    "certainty": top["certainty"], "contested": bool(last["holder"].nunique() > 1),
                    "holders": json.dumps(sorted(last["holder"].unique().tolist())),
                    "event_ids": json.dumps(ids)})
    frame = pd.DataFrame(out, columns=cols)
    return frame.astype({"lat": "float64", "lon": "float64", "contested": "bool"}).reset_index(drop=True)


def control_changes_between(events: pd.DataFrame, start: str | _dt.date, end: str | _dt.date) -> pd.DataFrame:
    """Control changes dated within ``[start, end]`` (a month-dated change counts if its month overlaps).

    Parameters
    ----------
    events : pandas.DataFrame
        The events table; not modified.
    start, end : str or datetime.date
        ISO dates, inclusive.

    Returns
    -------
    pandas.DataFrame
        The matching events (all event columns), sorted by date and place.
    """
    lo, hi = _iso(start), _iso(end)
    ch = events[(events["type"] == "control_change") & events["date"].notna()]
    if ch.empty:
        return ch.copy().reset_index(drop=True)
    d = ch["date"].map(_iso)
    # a partial date "2018-05" overlaps [lo, hi] when its prefix range does
    keep = d.map(lambda x: x[:len(x)] >= lo[:len(x)] and x <= hi[:len(x)])
    out = ch[keep].copy()
    out = out.assign(_d=d[keep]).sort_values(["_d", "place"], kind="stable").drop(columns="_d")
    return out.reset_index(drop=True)
