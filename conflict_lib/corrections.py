"""Analyst corrections: drop, edit or add a fact; applied last by every build.

The corrections file (default ``data/corrections.csv``) is the analyst's: the build reads it and
never writes it. One row per change::

    event_id,action,field,value,note
    3f2a9c0d11aa4b2e,drop,,,duplicate of the Wikipedia figure
    9b1c2d3e4f5a6b7c,edit,figure,90000,UN figure per OCHA update
    analyst-0001,add,type,siege,
    analyst-0001,add,place,Madaya,
    analyst-0001,add,date,2016-01,

``edit`` rows change one column; ``add`` rows with the same (new) ``event_id`` together make one
event (``type`` and ``place`` are required). A correction whose target event no longer exists
(the text changed, the extractor improved) is reported as a problem, never silently dropped.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from .paths import corrections_path
from .schema import EVENT_COLUMNS, EVENT_TYPES

CORRECTION_COLUMNS = ("event_id", "action", "field", "value", "note")
ACTIONS = ("drop", "edit", "add")
_NUMERIC = {"lat", "lon", "figure", "figure_low", "figure_high", "start", "end", "raw_start", "raw_end"}


def default_corrections_path() -> Path | None:
    """``data/corrections.csv`` if it exists, else None."""
    p = corrections_path()
    return p if p.exists() else None


def read_corrections(path: str | Path | None) -> pd.DataFrame:
    """Read a corrections file (empty frame if ``path`` is None or missing).

    Raises
    ------
    ValueError
        If the file lacks one of the columns ``event_id, action, field, value, note``.
    """
    if path is None or not Path(path).exists():
        return pd.DataFrame(columns=list(CORRECTION_COLUMNS))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CORRECTION_COLUMNS if c not in frame.columns and c != "note"]
    if missing:
        raise ValueError(f"corrections file {path} lacks column(s) {missing}; expected {list(CORRECTION_COLUMNS)}")
    if "note" not in frame.columns:
        frame["note"] = ""
    return frame[list(CORRECTION_COLUMNS)]


def _convert(field: str, value: str):
    if value == "":
        return None
    if field in _NUMERIC:
        return float(value)
    return value


def apply_corrections(events: pd.DataFrame, path: str | Path | None) -> tuple[pd.DataFrame, dict]:
    """Apply the analyst's corrections to the events table.

    Parameters
    ----------
    events : DataFrame
        The extracted events (columns :data:`~conflict_lib.schema.EVENT_COLUMNS`); not modified.
    path : path or None
        The corrections file.

    Returns
    -------
    (DataFrame, dict)
        The corrected events with a ``corrected`` column ("", "edited: field, ...", "added"), and a
        report ``{"dropped", "edited", "added", "problems": [problem rows]}``.
    """
    out = events.copy(deep=False)  # (copy-on-write: the caller's frame is never changed through it)
    if "corrected" not in out.columns:
        out["corrected"] = ""
    report: dict = {"dropped": 0, "edited": 0, "added": 0, "problems": []}
    corr = read_corrections(path)
    if corr.empty:
        return out, report
    src = str(path)

    def problem(row, reason: str) -> None:
        report["problems"].append({"path": src, "doc_id": None, "kind": "correction", "fatal": False,
                                   "reason": f"correction {row.action!r} of event {row.event_id!r}: {reason}"})

    known = set(out["event_id"])
    for row in corr.itertuples(index=False):
        if row.action not in ACTIONS:
            problem(row, f"unknown action; expected one of {ACTIONS}")
        elif row.action in ("drop", "edit") and row.event_id not in known:
            problem(row, "no such event in this build (the report or the extractor changed); correction not applied, kept in the file")
        elif row.action == "edit" and row.field not in EVENT_COLUMNS:
            problem(row, f"unknown field {row.field!r}")
        elif row.action == "edit" and row.field == "event_id":
            problem(row, "event_id cannot be edited; drop the event and add a new one")

    drops = set(corr.loc[(corr.action == "drop") & corr.event_id.isin(known), "event_id"])
    for row in corr[(corr.action == "edit") & corr.event_id.isin(known) & corr.field.isin(EVENT_COLUMNS)
                    & (corr.field != "event_id")].itertuples(index=False):
        try:
            value = _convert(row.field, row.value)
        except ValueError:
            problem(row, f"value {row.value!r} is not a number for {row.field!r}")
            continue
        mask = out["event_id"] == row.event_id
        out[row.field] = out[row.field].astype(object)
        out.loc[mask, row.field] = value
        out.loc[mask, "corrected"] = out.loc[mask, "corrected"].map(
            lambda c, f=row.field: (c + ", " if c else "edited: ") + f)
        report["edited"] += 1
    out = out[~out["event_id"].isin(drops)]
    report["dropped"] = len(drops)

    added = []
    for event_id, rows in corr[corr.action == "add"].groupby("event_id", sort=True):
        if event_id in known:
            problem(rows.iloc[0], "an added event must have a new event_id; this one exists (use edit)")
            continue
        record = {c: None for c in EVENT_COLUMNS}
        record["event_id"] = event_id
        bad = False
        for row in rows.itertuples(index=False):
            if row.field not in EVENT_COLUMNS:
                problem(row, f"unknown field {row.field!r}")
                bad = True
                continue
            try:
                record[row.field] = _convert(row.field, row.value)
            except ValueError:
                problem(row, f"value {row.value!r} is not a number for {row.field!r}")
                bad = True
        if not record.get("type") or record["type"] not in EVENT_TYPES or not record.get("place"):
            problem(rows.iloc[0], f"an added event needs a type (one of {EVENT_TYPES}) and a place")
            continue
        if bad:
            continue
        record.setdefault("certainty", None)
        record["certainty"] = record["certainty"] or "confirmed"
        record["source"] = record["source"] or "analyst correction"
        record["corrected"] = "added"
        added.append(record)
    if added:
        out = pd.concat([out, pd.DataFrame(added)], ignore_index=True)
    report["added"] = len(added)
    for c in ("lat", "lon", "figure", "figure_low", "figure_high"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    for c in ("start", "end", "raw_start", "raw_end"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("Int64")
    return out.reset_index(drop=True), report


def add_correction(event_id: str, action: str, field: str = "", value: str = "", note: str = "",
                   path: str | Path | None = None) -> Path:
    """Append one correction to the analyst's file (never rewrites existing lines).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "corrections.csv")
    >>> _ = add_correction("abc123", "drop", note="duplicate", path=p)
    >>> open(p).read().splitlines()
    ['event_id,action,field,value,note', 'abc123,drop,,,duplicate']
    """
    if action not in ACTIONS:
        raise ValueError(f"action {action!r}: expected one of {ACTIONS}")
    p = Path(path) if path else corrections_path()
    new = not p.exists() or p.stat().st_size == 0
    with open(p, "a", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        if new:
            w.writerow(CORRECTION_COLUMNS)
        w.writerow([event_id, action, field, value, note])
    return p
