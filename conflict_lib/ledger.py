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
    certs = {c for c in group["certainty"].map(_val) if c}
    if "denied" in certs and certs - {"denied"}:
        return "contradict"
    family = claim_key(group.iloc[0])[0]
    if family in ("control", "siege_lifted", "siege"):
        holders = {a for a in group["actor"].map(_val) if a}
        if len(holders) > 1:
            return "contradict"
    figures = {float(f) for f in group["figure"].map(_val) if f is not None}
    if len(figures) > 1:
        return "differ"
    dates = {str(d) for d in group["date"].map(_val) if d is not None}
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
        lists over the group (figures as ``{"figure", "qualifier", "source", "event_id"}`` objects).
        Sorted by group, date and document.

    Examples
    --------
    >>> build_ledger(pd.DataFrame(columns=list(EVENT_COLUMNS))).empty
    True
    """
    frame = events.copy()
    for col in EVENT_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    cols = list(LEDGER_COLUMNS) + list(EVENT_COLUMNS)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    keys = [claim_key(r) for r in frame.to_dict("records")]
    frame["claim_group"] = [_group_id(k) for k in keys]
    extra: dict[str, dict[str, Any]] = {}
    for gid, group in frame.groupby("claim_group", sort=False):
        group = group.sort_values(["date", "doc_id", "start"], na_position="last", kind="stable")
        sources = sorted({_provenance(r) for _, r in group.iterrows()})
        figures = [{"figure": _val(r["figure"]), "qualifier": _val(r["figure_qualifier"]),
                    "date": _val(r["date"]), "source": _provenance(r), "event_id": r["event_id"]}
                   for _, r in group.iterrows() if _val(r["figure"]) is not None]
        dates = sorted({str(d) for d in group["date"].map(_val) if d is not None})
        certs = sorted({str(c) for c in group["certainty"].map(_val) if c})
        actors = sorted({str(a) for a in group["actor"].map(_val) if a})
        extra[gid] = {"status": _status(group), "n_claims": int(len(group)), "n_sources": len(sources),
                      "group_sources": json.dumps(sources, ensure_ascii=False),
                      "group_figures": json.dumps(figures, ensure_ascii=False),
                      "group_dates": json.dumps(dates), "group_certainties": json.dumps(certs),
                      "group_actors": json.dumps(actors)}
    for col in LEDGER_COLUMNS[1:]:
        frame[col] = frame["claim_group"].map(lambda g, c=col: extra[g][c])
    frame["n_claims"] = frame["n_claims"].astype("int64")
    frame["n_sources"] = frame["n_sources"].astype("int64")
    frame = frame.sort_values(["claim_group", "date", "doc_id", "start"], na_position="last", kind="stable")
    return frame[cols].reset_index(drop=True)
