"""The claim ledger: what different sources say about the same fact, side by side.

Events about the same place and the same kind of fact (and the same period) form a *claim
group*. Nothing is averaged away: the ledger has one row per event, each carrying its group id,
the group's status and the group's sources, figures and dates listed as JSON strings.

Status of a group:

- ``single``     one claim only;
- ``contradict`` a claim and its denial, or different holders/victors for the same place and date;
- ``differ``     the claims agree on the fact but give different figures or different dates;
- ``agree``      several claims, same facts.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd

from .schema import EVENT_COLUMNS

__all__ = ["build_ledger", "claim_key", "LEDGER_COLUMNS"]

#: Columns the ledger adds in front of the event columns.
LEDGER_COLUMNS = ("claim_group", "status", "n_claims", "n_sources", "group_sources", "group_figures",
                  "group_dates", "group_certainties", "group_actors")

_FAMILY = {"control_change": "control", "control_state": "control", "siege": "siege",
           "siege_lifted": "siege_lifted", "displacement": "displacement"}


def _val(v: Any) -> Any:
    """None for NaN / NA, the value otherwise."""
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def _values(column: pd.Series) -> list:
    """The column's values as a list, None for every missing value.

    Not ``column.map(_val)``: ``map`` casts its results back to the column's dtype, so on a float or
    string column (pandas' ``str`` dtype, as read from Parquet) a None comes back as NaN, which is
    truthy and unequal to itself — a missing actor counted as a second holder, a missing date as "nan".

    Examples
    --------
    >>> _values(pd.Series([1.0, None]))
    [1.0, None]
    >>> _values(pd.Series(["a", None], dtype="string"))
    ['a', None]
    """
    values = column.tolist()
    for i in np.flatnonzero(column.isna().to_numpy()).tolist():
        values[i] = None
    return values


def claim_key(row: dict | pd.Series) -> tuple[str, str, str]:
    """The fact an event is a claim about: (kind of fact, place, period).

    Parameters
    ----------
    row : mapping
        An event (keys of :data:`~conflict_lib.schema.EVENT_COLUMNS`).

    Returns
    -------
    tuple of str
        ``(family, place key, period)``: the family joins ``control_change`` and ``control_state``
        (access claims, ``mode == "access"``, form their own family); the period is the day for
        control facts and the month for the others (``"undated"`` when the event has no date).
    """
    etype = str(_val(row.get("type")) or "")
    family = _FAMILY.get(etype, etype)
    if _val(row.get("mode")) == "access":
        family = "access"
    place = str(_val(row.get("place_id")) or _val(row.get("place")) or "")
    date = _val(row.get("date"))
    if date is None:
        period = "undated"
    elif family == "control":
        period = str(date)
    else:
        period = str(date)[:7]
    return family, place, period


def _group_id(key: tuple[str, str, str]) -> str:
    return "cg_" + hashlib.sha1("|".join(key).encode("utf-8")).hexdigest()[:12]


def _provenance(row: pd.Series) -> str:
    return str(_val(row.get("source")) or _val(row.get("doc_id")) or "")


def _status(group: pd.DataFrame) -> str:
    if len(group) == 1:
        return "single"
    certs = {c for c in _values(group["certainty"]) if c}
    if "denied" in certs and certs - {"denied"}:
        return "contradict"
    family = claim_key(group.iloc[0])[0]
    if family in ("control", "siege_lifted", "siege"):
        holders = {a for a in _values(group["actor"]) if a}
        if len(holders) > 1:
            return "contradict"
    figures = {float(f) for f in _values(group["figure"]) if f is not None}
    if len(figures) > 1:
        return "differ"
    dates = {str(d) for d in _values(group["date"]) if d is not None}
    if len(dates) > 1:
        return "differ"
    return "agree"


def build_ledger(events: pd.DataFrame) -> pd.DataFrame:
    """Group the events into claims and say whether each group agrees, differs or contradicts.

    Parameters
    ----------
    events : pandas.DataFrame
        The events table (columns :data:`~conflict_lib.schema.EVENT_COLUMNS`); not modified.

    Returns
    -------
    pandas.DataFrame
        One row per event: :data:`LEDGER_COLUMNS` then the event columns. ``group_sources``,
        ``group_figures``, ``group_dates``, ``group_certainties`` and ``group_actors`` are JSON
        lists over the group (figures as ``{"figure", "qualifier", "source", "event_id"}`` objects),
        object-dtype columns whose rows share their group's string (computed once per group).
        Sorted by group, date and document.

    Examples
    --------
    >>> build_ledger(pd.DataFrame(columns=list(EVENT_COLUMNS))).empty
    True
    """
    frame = events.copy(deep=False)  # (copy-on-write: columns added here never reach the caller)
    for col in EVENT_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    cols = list(LEDGER_COLUMNS) + list(EVENT_COLUMNS)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    # one group id per row (claim_key on each row, hashed once per distinct key); the columns are
    # turned into Python values a chunk of rows at a time, so at most a chunk of them exists at once
    ids: dict[tuple[str, str, str], str] = {}
    gids = []
    key_cols = [frame[c] for c in ("type", "mode", "place_id", "place", "date")]
    for a in range(0, len(frame), _CHUNK):
        for etype, mode, place_id, place, date in zip(*(_values(c.iloc[a:a + _CHUNK]) for c in key_cols)):
            key = claim_key({"type": etype, "mode": mode, "place_id": place_id, "place": place, "date": date})
            gid = ids.get(key)
            if gid is None:
                gid = ids[key] = _group_id(key)
            gids.append(gid)
    del key_cols
    frame["claim_group"] = gids
    del gids
    family = {gid: key[0] for key, gid in ids.items()}  # every row of a group has the group's key
    # the final order; within a group it is the group's own (date, doc, start) order
    frame = frame.sort_values(["claim_group", "date", "doc_id", "start"], na_position="last", kind="stable")
    frame = frame.reset_index(drop=True)
    # each group's summary, computed once in one pass over the sorted rows, then shared (the same
    # string objects) by the group's rows: time and memory grow with the number of events, not with
    # the square of the group sizes
    gid_col = frame["claim_group"].tolist()  # (the group ids' own string objects: a list of references)
    cols_needed = ["source", "doc_id", "figure", "figure_qualifier", "date", "event_id", "certainty", "actor"]
    summary: dict[str, tuple] = {}
    n = len(gid_col)
    # groups are read a chunk of rows at a time (missing values as None): a chunk ends at a group's
    # end, so a group larger than a chunk is read whole
    starts = [0] + [k for k in range(1, n) if gid_col[k] != gid_col[k - 1]]  # each group's first row
    starts.append(n)
    g = 0
    while g < len(starts) - 1:
        a = starts[g]
        h = g + 1
        while h < len(starts) - 1 and starts[h] - a < _CHUNK:
            h += 1
        z = starts[h]
        values = {c: _values(frame[c].iloc[a:z]) for c in cols_needed}
        for k in range(g, h):
            i, j = starts[k] - a, starts[k + 1] - a
            summary[gid_col[starts[k]]] = _summary(family[gid_col[starts[k]]], {c: v[i:j] for c, v in values.items()})
        del values
        g = h
    for k, col in enumerate(LEDGER_COLUMNS[1:]):
        values_k = [summary[g][k] for g in gid_col]
        if col.startswith("group_"):
            # object dtype keeps one string per group, shared by its rows; pandas' default string dtype
            # would copy the group's JSON into every row (memory growing with the square of group sizes)
            frame[col] = pd.Series(values_k, index=frame.index, dtype=object)
        else:
            frame[col] = values_k
    frame["n_claims"] = frame["n_claims"].astype("int64")
    frame["n_sources"] = frame["n_sources"].astype("int64")
    return frame[cols].reset_index(drop=True)


_NAN = float("nan")

#: Rows of the events turned into Python values at once by :func:`build_ledger`.
_CHUNK = 4096

#: Columns of the ``claim_groups`` table: one row per group.
GROUP_COLUMNS = ("claim_group", "status", "type", "place", "place_id", "n_claims", "n_sources", "group_sources",
                 "group_figures", "group_dates", "group_certainties", "group_actors")


def split_ledger(ledger: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledger as two tidy tables: ``claims`` (one row per event) and ``claim_groups`` (one per group).

    The group's JSON lists belong to the group, not to each of its events: written on every row they
    would make the table grow with the square of the group sizes (a place reported by a thousand
    bulletins). ``claims`` keeps each event's ``claim_group``, ``status``, ``n_claims`` and ``n_sources``.

    Examples
    --------
    >>> claims, groups = split_ledger(build_ledger(pd.DataFrame(columns=list(EVENT_COLUMNS))))
    >>> "group_figures" in claims.columns, list(groups.columns) == list(GROUP_COLUMNS)
    (False, True)
    """
    group_cols = [c for c in LEDGER_COLUMNS if c.startswith("group_")]
    claims = ledger.drop(columns=group_cols)
    groups = ledger.drop_duplicates("claim_group")[list(GROUP_COLUMNS)].reset_index(drop=True)
    for c in group_cols:
        groups[c] = groups[c].astype(str) if len(groups) else groups[c]
    return claims.reset_index(drop=True), groups


def _summary(family: str, g: dict[str, list]) -> tuple:
    """``LEDGER_COLUMNS[1:]`` for one group, its rows (column lists, missing values as None) in the ledger's order."""
    provenance = [str(src or doc or "") for src, doc in zip(g["source"], g["doc_id"])]
    sources = sorted(set(provenance))
    figures = []
    for fig, qual, date, prov, eid in zip(g["figure"], g["figure_qualifier"], g["date"], provenance, g["event_id"]):
        if fig is not None:
            figures.append({"figure": fig, "qualifier": qual, "date": date, "source": prov, "event_id": eid})
    date_vals = [d for d in g["date"] if d is not None]
    cert_vals = [c for c in g["certainty"] if c]
    actor_vals = [a for a in g["actor"] if a]
    dates = sorted({str(d) for d in date_vals})
    certs = sorted({str(c) for c in cert_vals})
    actors = sorted({str(a) for a in actor_vals})
    n_claims = len(provenance)
    # the status (as :func:`_status` gives it)
    if n_claims == 1:
        status = "single"
    else:
        cset = set(cert_vals)
        if "denied" in cset and cset - {"denied"}:
            status = "contradict"
        else:
            status = None
            if family in ("control", "siege_lifted", "siege") and len(set(actor_vals)) > 1:
                status = "contradict"
            if status is None:
                figs = [float(f) for f in g["figure"] if f is not None]
                # claims without a figure neither agree nor differ on the figure
                if len(set(figs)) > 1 or len(dates) > 1:
                    status = "differ"
                else:
                    status = "agree"
    return (status, n_claims, len(sources), json.dumps(sources, ensure_ascii=False),
            json.dumps(figures, ensure_ascii=False), json.dumps(dates), json.dumps(certs), json.dumps(actors))
