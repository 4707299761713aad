"""Checks for the notebook exercises: a right answer is confirmed, a wrong one gets a hint.

Every exercise in ``notebooks/`` ends with a cell like::

    from conflict_lib.exercises import check
    check("03.1", answer)

:func:`check` prints a success message or a hint that says *what to look at* (which table,
which column, which filter), never only "wrong". It never raises for a wrong or missing answer,
so a notebook with its placeholders (``answer = ...``) still runs from top to bottom.

The expected answers are computed from the tables (through
:func:`conflict_lib.tables.load_table`), not written down here, so the checks follow the data
when the reports or the extractor change. The solutions live in ``notebooks/solutions/`` and
``tests/test_exercises.py`` runs each of them against its check.
"""
from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from .tables import TABLE_NAMES, load_table

__all__ = ["check", "check_answer", "CheckResult", "Tables", "EXERCISES", "list_exercises",
           "find_rows", "temporary_corrections_file", "CARTER", "EA_WORLDVIEW", "WIKIPEDIA_DEZ"]

#: The reports the notebooks lean on.
CARTER = "2017-09-13_cartercenter_weekly-conflict-summary-2017-09-07-13"
EA_WORLDVIEW = "2017-09-06_eaworldview_deir-ez-zor-siege-broken"
WIKIPEDIA_DEZ = "2026-11-22_wikipedia_siege-of-deir-ez-zor-2014-2017"


# --------------------------------------------------------------------------- tables


class Tables(Mapping):
    """The built tables, read on first use: ``tables["events"]``.

    A plain ``dict`` of DataFrames works wherever a :class:`Tables` is expected; this class only
    saves reading tables nobody asks for and remembers the folder (``tables.dir``).

    Examples
    --------
    >>> Tables("no/such/folder").dir.name
    'folder'
    """

    def __init__(self, tables_dir: str | Path | None = None):
        from .paths import processed_dir

        self.dir = Path(tables_dir) if tables_dir else processed_dir()
        self._cache: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            self._cache[name] = load_table(name, self.dir)
        return self._cache[name]

    def __iter__(self):
        return iter(TABLE_NAMES)

    def __len__(self) -> int:
        return len(TABLE_NAMES)


def _tables(tables: Mapping | str | Path | None) -> Mapping:
    if tables is None or isinstance(tables, (str, Path)):
        return Tables(tables)
    return tables


def _tables_dir(tables: Mapping) -> Path | None:
    return getattr(tables, "dir", None)


# --------------------------------------------------------------------------- small helpers


def _key(name: Any) -> str:
    from .translit import match_key

    if name is None or (isinstance(name, float) and math.isnan(name)):
        return ""
    return match_key(str(name))


def find_rows(frame: pd.DataFrame, name: str, columns: Iterable[str] = ("place", "canonical")) -> pd.DataFrame:
    """Rows of ``frame`` whose place name is ``name``, spelled any way.

    Names are compared through the transliteration-blind key the gazetteer uses
    (:func:`conflict_lib.translit.match_key`), so ``"Raqqa"`` finds ``"Ar Raqqah"``; when no row
    has the same key, a row whose key contains it is taken (``"Hadalat"`` finds ``"Hadalat camp"``).

    Parameters
    ----------
    frame : DataFrame
        Any table with a place-name column.
    name : str
        The place as the learner would write it.
    columns : iterable of str
        The name columns to look in (those missing from ``frame`` are skipped).

    Returns
    -------
    DataFrame
        The matching rows (possibly empty); ``frame`` is not modified.

    Examples
    --------
    >>> df = pd.DataFrame({"place": ["Ar Raqqah", "Hadalat camp", "Damascus"]})
    >>> list(find_rows(df, "Raqqa")["place"])
    ['Ar Raqqah']
    >>> list(find_rows(df, "Hadalat")["place"])
    ['Hadalat camp']
    """
    want = _key(name)
    cols = [c for c in columns if c in frame.columns]
    if not want or not cols or frame.empty:
        return frame.iloc[0:0]
    keys = {c: frame[c].map(_key) for c in cols}
    exact = pd.Series(False, index=frame.index)
    for k in keys.values():
        exact |= k == want
    if exact.any():
        return frame[exact]
    part = pd.Series(False, index=frame.index)
    for k in keys.values():
        part |= k.map(lambda s: bool(s) and want in s)
    return frame[part]


def temporary_corrections_file() -> Path:
    """A fresh, empty path for a practice corrections file (never ``data/corrections.csv``)."""
    return Path(tempfile.mkdtemp(prefix="conflict-lib-corrections-")) / "corrections.csv"


def _is_missing(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


def _as_set(answer: Any) -> set | None:
    """A learner's collection as a set of strings (None when it is not a collection)."""
    if isinstance(answer, pd.DataFrame):
        return None
    if isinstance(answer, (pd.Series, pd.Index)):
        answer = answer.tolist()
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        return None
    return {str(a) for a in answer if not _is_missing(a) and not (isinstance(a, float) and math.isnan(a))}


def _as_number(answer: Any) -> float | None:
    if isinstance(answer, (pd.Series, pd.DataFrame)) and answer.size == 1:
        answer = answer.to_numpy().ravel()[0]
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _as_text(answer: Any) -> str | None:
    if isinstance(answer, (pd.Series, pd.Index)) and len(answer) == 1:
        answer = answer.tolist()[0]
    if hasattr(answer, "isoformat") and not isinstance(answer, str):
        answer = answer.isoformat()[:10]
    return answer.strip() if isinstance(answer, str) else None


# --------------------------------------------------------------------------- the exercises


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check_answer` found: ``passed`` and the message shown to the learner."""

    exercise: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed


@dataclass(frozen=True)
class Exercise:
    """One exercise: its question, how to compute the expected answer, and how to judge one."""

    id: str
    question: str
    expected: Callable[[Mapping], Any]
    judge: Callable[[Any, Any, Mapping], tuple[bool, str]]
    placeholder: str


# ---- 01 Reading a report


def _exp_01_1(t):
    w = t["warnings"]
    return set(w.loc[w["doc_id"] == CARTER, "code"].astype(str))


def _judge_01_1(answer, expected, t):
    got = _as_set(answer)
    if got is None:
        return False, ("Give a collection of warning codes (a list, a set or a column), e.g. "
                       "`set(warnings.loc[warnings['doc_id'] == CARTER, 'code'])`.")
    if got == expected:
        return True, f"The Carter Center report got {len(expected)} kind(s) of warning: {sorted(expected)}."
    all_codes = set(t["warnings"]["code"].astype(str))
    extra, missing = got - expected, expected - got
    if extra and extra <= all_codes:
        return False, (f"{sorted(extra)} come from other reports: keep only the rows whose `doc_id` is the "
                       "Carter Center report's (the variable CARTER).")
    if extra:
        return False, (f"{sorted(extra)} are not warning codes. The codes are in the `code` column of the "
                       "`warnings` table, not in `message`.")
    return False, (f"You have {len(got)} of the {len(expected)} codes; {len(missing)} missing. Look at every "
                   "row of `warnings` for that doc_id, not only the first one (`.unique()` on `code`).")


def _carter_places(t):
    p = t["places"]
    return p[p["doc_id"] == CARTER]


def _exp_01_2(t):
    p = _carter_places(t)
    return set(p.loc[p["match_method"].astype(str) != "exact", "canonical"].astype(str))


def _judge_01_2(answer, expected, t):
    got = _as_set(answer)
    if got is None:
        return False, "Give a collection of place names: the `canonical` column of the rows you kept."
    if got == expected:
        return True, (f"{len(expected)} place(s) of the Carter report matched by something other than an exact "
                      f"name: {sorted(expected)}. Those are the ones to read twice.")
    p = _carter_places(t)
    surface = set(p["text"].astype(str))
    if got and got <= surface and got != expected:
        return False, ("Those look like the names as written in the report (`text`). Give the gazetteer's "
                       "name instead: the `canonical` column.")
    everything = set(p["canonical"].astype(str))
    if got == everything:
        return False, "That is every place of the report: keep only rows whose `match_method` is not 'exact'."
    if got - everything:
        return False, (f"{sorted(got - everything)} are not places of the Carter report: filter `places` on "
                       "`doc_id == CARTER` first.")
    return False, (f"You have {len(got & expected)} of {len(expected)}. Filter on `match_method != 'exact'` "
                   "(fuzzy, alias, translit, curated ... all count), not on `== 'fuzzy'` only.")


def _exp_01_3(t):
    m = t["mentions"]
    m = m[(m["doc_id"] == CARTER) & (m["kind"] == "place")]
    rows = find_rows(m, "Hadalat", ("canonical", "text"))
    sections = [s for s in rows["section"].dropna().astype(str)]
    return sections[0] if sections else None


def _judge_01_3(answer, expected, t):
    got = _as_text(answer)
    if got is None:
        return False, "Give the section title as a string (one value of the `section` column of `mentions`)."
    if expected is None:
        return False, ("The tables have no section for Hadalat in the Carter report: rebuild the tables "
                       "(`python -m conflict_lib build data/raw/reports`) and try again.")
    if got.casefold() == expected.casefold():
        return True, f"Hadalat camp is mentioned under '{expected}'."
    docs = load_sections(t)
    if got.casefold() not in {s.casefold() for s in docs}:
        return False, (f"{got!r} is not a section of the Carter report. Its sections are {sorted(docs)}; "
                       "look up the row of `mentions` whose text is Hadalat and read its `section`.")
    return False, ("That section exists but Hadalat is not in it: find the mention row (`kind == 'place'`, "
                   "text containing 'Hadalat') and read its `section` column.")


def load_sections(t) -> list[str]:
    """The section titles of the Carter Center report (from the ``documents`` table)."""
    import json

    d = t["documents"]
    row = d[d["doc_id"] == CARTER]
    if row.empty or not isinstance(row["sections"].iloc[0], str):
        return []
    return [s["title"] for s in json.loads(row["sections"].iloc[0])]


# ---- 02 Territorial control


def _snapshot(t, as_of, since=None):
    from .plotting import control_snapshot

    return control_snapshot(t["events"], as_of=as_of, since=since)


def _exp_02_1(t):
    snap = find_rows(_snapshot(t, "2017-11-01"), "Raqqa", ("place",))
    return str(snap["alignment"].iloc[0]) if len(snap) else None


def _judge_02_1(answer, expected, t):
    got = _as_text(answer)
    if got is None:
        return False, "Give one alignment as a string, e.g. 'government' (the `alignment` column)."
    if got.casefold() == str(expected).casefold():
        return True, f"As of 1 November 2017 the reports put Raqqa in the hands of: {expected}."
    from .schema import ALIGNMENTS

    if got.casefold() not in ALIGNMENTS:
        return False, (f"{got!r} is not an alignment; the map uses {', '.join(ALIGNMENTS)}. Read the "
                       "`alignment` column, not the actor's name.")
    return False, ("Not what the reports say. Take `control_snapshot(events, as_of='2017-11-01')` (the state "
                   "on that date, not the latest one) and read the Raqqa row; `find_rows(snapshot, 'Raqqa')` "
                   "finds it whatever the spelling.")


def _exp_02_2(t):
    snap = _snapshot(t, "2017-12-31", since="2017-09-01")
    return int(snap["changed"].sum())


def _judge_02_2(answer, expected, t):
    got = _as_number(answer)
    if got is None:
        if isinstance(answer, pd.DataFrame):
            return False, "You have a table; the answer is how many rows: `len(...)` or `.sum()` of `changed`."
        return False, "Give a number: how many places changed hands."
    if got == expected:
        return True, f"{expected} place(s) changed hands between 1 September and 31 December 2017."
    everything = len(_snapshot(t, "2017-12-31", since="2017-09-01"))
    if got == everything:
        return False, ("That counts every place on the map. Count only those marked as changed: the `changed` "
                       "column of the snapshot.")
    no_since = int(_snapshot(t, "2017-12-31")["changed"].sum())
    if got == no_since and no_since != expected:
        return False, ("That counts changes since the first report. Pass `since='2017-09-01'` as well as "
                       "`as_of='2017-12-31'`.")
    return False, ("Build the snapshot with `as_of='2017-12-31'` and `since='2017-09-01'` and sum its "
                   "`changed` column.")


# ---- 03 Siege timelines


def _lifted(t, doc_id):
    e = t["events"]
    rows = find_rows(e[(e["type"] == "siege_lifted") & (e["doc_id"] == doc_id)], "Deir ez-Zor", ("place",))
    dates = sorted(str(d) for d in rows["date"].dropna())
    return dates[0] if dates else None


def _exp_03_1(t):
    return _lifted(t, WIKIPEDIA_DEZ)


def _judge_03_1(answer, expected, t):
    got = _as_text(answer)
    if got is None:
        return False, "Give the date as an ISO string, 'YYYY-MM-DD' (the `date` column of `events`)."
    if got == expected:
        return True, (f"Wikipedia says the siege was fully broken on {expected}; EA WorldView reported the "
                      f"break-through on {_lifted(t, EA_WORLDVIEW)}. Both are in the tables, side by side.")
    if got == _lifted(t, EA_WORLDVIEW):
        return False, ("That is EA WorldView's date. The question asks what the Wikipedia article says: keep "
                       "the rows whose `doc_id` is WIKIPEDIA_DEZ.")
    return False, ("Look at `events` rows of type 'siege_lifted' for Deir ez-Zor and pick the one whose "
                   "`doc_id` is the Wikipedia article (WIKIPEDIA_DEZ); read its `date`.")


def _exp_03_2(t):
    s = t["sieges"]
    return set(s.loc[s["dates_disagree"].fillna(False).astype(bool), "place"].astype(str))


def _judge_03_2(answer, expected, t):
    got = _as_set(answer)
    if got is None:
        return False, "Give a collection of place names (the `place` column of `sieges`)."
    if got == expected:
        return True, f"Sources disagree on the dates of: {sorted(expected)}."
    if got == set(t["sieges"]["place"].astype(str)):
        return False, "That is every siege. Keep only the rows where `dates_disagree` is True."
    return False, ("Filter the `sieges` table on its `dates_disagree` column and take the `place` column of "
                   "what remains.")


def _dez_figures(t):
    import json

    s = find_rows(t["sieges"], "Deir ez-Zor", ("place",))
    column = "population" if "population" in s.columns else "figures"
    out = []
    for cell in s[column]:
        if isinstance(cell, str):
            out += [f for f in json.loads(cell) if f.get("figure") is not None]
    return out


def _exp_03_3(t):
    figs = _dez_figures(t)
    return max(float(f["figure"]) for f in figs) if figs else None


def _judge_03_3(answer, expected, t):
    got = _as_number(answer)
    if got is None:
        return False, "Give one number: the largest figure of people inside."
    if expected is not None and abs(got - expected) < 0.5:
        return True, (f"The largest figure reported for people inside Deir ez-Zor is {expected:,.0f}; read its "
                      "qualifier too, it is rarely an exact count.")
    figs = {float(f["figure"]) for f in _dez_figures(t)}
    if got in figs:
        return False, "That is one of the figures, but not the largest: take the max over all of them."
    return False, ("Read the `population` column of the Deir ez-Zor row of `sieges` (a JSON list: "
                   "`json.loads(...)`), and take the largest `figure`.")


# ---- 04 Displacement


def _hadalat(t):
    d = t["displacement"]
    return find_rows(d, "Hadalat", ("origin",))


def _exp_04_1(t):
    rows = _hadalat(t)
    dest = [str(x) for x in rows["destination"].dropna()]
    return dest[0] if dest else None


def _judge_04_1(answer, expected, t):
    got = _as_text(answer)
    if got is None:
        return False, "Give the destination as a string (the `destination` column)."
    if expected is not None and (_key(got) == _key(expected) or _key(got) in _key(expected)):
        return True, f"The people of Hadalat camp were taken to {expected}."
    if _key(got) and _key(got) in _key("Hadalat camp"):
        return False, "That is where they came from (`origin`); the question asks where they went: `destination`."
    return False, ("Find the row of `displacement` whose `origin` is Hadalat (`find_rows(displacement, "
                   "'Hadalat', ['origin'])`) and read its `destination`.")


def _ghouta(t):
    d = t["displacement"]
    rows = find_rows(d, "Eastern Ghouta", ("origin", "place"))
    return rows[rows["figure_unit"].fillna("people").isin(["people", "civilians", "IDPs", "idps", "persons"])]


def _exp_04_2(t):
    f = _ghouta(t)["figure"].dropna()
    return float(f.max()) if len(f) else None


def _judge_04_2(answer, expected, t):
    got = _as_number(answer)
    if got is None:
        return False, "Give one number (the largest value of the `figure` column for those rows)."
    if expected is not None and abs(got - expected) < 0.5:
        return True, (f"The largest figure for people who left Eastern Ghouta is {expected:,.0f}. The figures "
                      "are not added up: later reports update earlier ones.")
    figs = _ghouta(t)["figure"].dropna()
    if abs(got - figs.sum()) < 0.5 and len(figs) > 1:
        return False, ("That is the sum of the reports. They overlap (each is a running total 'since March 9'), "
                       "so take the largest, not the sum.")
    if got in set(figs):
        return False, "That is one of the reports, not the largest: take `.max()`."
    return False, ("Keep the `displacement` rows whose origin is Eastern Ghouta (`find_rows(displacement, "
                   "'Eastern Ghouta', ['origin', 'place'])`), then take the max of `figure`.")


def _exp_04_3(t):
    d = t["displacement"]
    return int((d["figure_low"].notna() & d["figure_high"].notna()).sum())


def _judge_04_3(answer, expected, t):
    got = _as_number(answer)
    if got is None:
        return False, "Give a number: how many rows have both `figure_low` and `figure_high`."
    if got == expected:
        return True, f"{expected} displacement figure(s) are reported as a range."
    d = t["displacement"]
    if got == int(d["figure_low"].notna().sum()) or got == int(d["figure_high"].notna().sum()):
        return False, "A range needs both ends: require `figure_low` AND `figure_high` to be present (`&`)."
    if got == len(d):
        return False, "That is every row. Count only those where `figure_low` and `figure_high` are not null."
    return False, "Count rows with `displacement['figure_low'].notna() & displacement['figure_high'].notna()`."


# ---- 05 Claims and sources


def _road_claims(t):
    c = t["claims"]
    return find_rows(c, "Hama-Rastan road", ("place",))


def _exp_05_1(t):
    rows = _road_claims(t)
    return str(rows["status"].iloc[0]) if len(rows) else None


def _judge_05_1(answer, expected, t):
    got = _as_text(answer)
    if got is None:
        return False, "Give the status as a string: single, agree, differ or contradict."
    if got.casefold() == str(expected).casefold():
        return True, (f"The claims about the Hama-Rastan road {expected}: one source claims it was opened, "
                      "another denies it. The ledger keeps both.")
    if got.casefold() in ("claimed", "denied", "confirmed", "reported", "rumored"):
        return False, ("That is a certainty, how sure one source is. The question asks for the group's "
                       "`status` column.")
    return False, ("Find the rows of `claims` about the Hama-Rastan road (`find_rows(claims, "
                   "'Hama-Rastan road')`) and read their `status`.")


def _event_recall(t):
    from .evaluate import evaluate

    s = evaluate(_tables_dir(t)).scores
    s = s[s["kind"].str.startswith("events:") & s["recall"].notna()]
    return s.assign(type=s["kind"].str.split(":").str[1])


def _exp_05_2(t):
    s = _event_recall(t)
    low = s["recall"].min()
    return set(s.loc[s["recall"] == low, "type"])


def _judge_05_2(answer, expected, t):
    got = _as_text(answer)
    if got is None:
        return False, "Give the event type as a string, e.g. 'siege' (the part after 'events:' in `kind`)."
    got = got.split(":")[-1]
    if got in expected:
        return True, (f"'{got}' is the kind of event the extractor misses most often: check such events in "
                      "the reports yourself.")
    s = _event_recall(t)
    if got in set(s.loc[s["precision"] == s["precision"].min(), "type"]):
        return False, ("That one has the lowest precision (most spurious events). The question asks about "
                       "recall: what the extractor misses.")
    return False, ("Take `evaluation.scores`, keep the rows whose `kind` starts with 'events:' and find the "
                   "smallest `recall`.")


def _denied_road(t):
    rows = _road_claims(t)
    return set(rows.loc[rows["certainty"] == "denied", "event_id"])


def _exp_05_3(t):
    return _denied_road(t)


def _judge_05_3(answer, expected, t):
    if not isinstance(answer, pd.DataFrame) or "event_id" not in answer.columns:
        return False, ("Give the corrected events table: the first value `apply_corrections(events, path)` "
                       "returns (a DataFrame).")
    events = t["events"]
    if not expected:
        return False, "The tables have no denied Hama-Rastan claim to drop; rebuild them and try again."
    left = expected & set(answer["event_id"])
    if left == expected and len(answer) == len(events):
        return False, ("Nothing was dropped. Did you `add_correction(event_id, 'drop', note=..., path=path)` "
                       "before `apply_corrections(events, path)`, with the same temporary path?")
    if left:
        return False, "The denied claim is still there: drop the event whose `certainty` is 'denied'."
    if len(answer) != len(events) - len(expected):
        return False, (f"The denied claim is gone but the table has {len(answer)} rows, not "
                       f"{len(events) - len(expected)}: drop only that event (one `drop` row).")
    return True, ("The denied claim is dropped from your copy; data/corrections.csv was not touched. A build "
                  "with `--corrections` on that file would do the same for every table.")


EXERCISES: dict[str, Exercise] = {e.id: e for e in [
    Exercise("01.1", "Which warning codes did cleaning give the Carter Center report?", _exp_01_1, _judge_01_1,
             "Filter the `warnings` table (`cleaning_warnings` in the notebook) on doc_id CARTER; "
             "collect its `code` column."),
    Exercise("01.2", "Which places of the Carter Center report were not matched exactly?", _exp_01_2,
             _judge_01_2, "Filter `places` on doc_id CARTER and `match_method != 'exact'`; give `canonical`."),
    Exercise("01.3", "In which section of the Carter Center report is the Hadalat camp mentioned?", _exp_01_3,
             _judge_01_3, "Find the Hadalat row in `mentions` (doc_id CARTER, kind 'place') and read `section`."),
    Exercise("02.1", "Who holds Raqqa as of 2017-11-01?", _exp_02_1, _judge_02_1,
             "Use `control_snapshot(events, as_of='2017-11-01')` and read the Raqqa row's `alignment`."),
    Exercise("02.2", "How many places changed hands between 2017-09-01 and 2017-12-31?", _exp_02_2, _judge_02_2,
             "Use `control_snapshot(events, as_of='2017-12-31', since='2017-09-01')` and sum `changed`."),
    Exercise("03.1", "On what date does the Wikipedia article say the siege of Deir ez-Zor was fully broken?",
             _exp_03_1, _judge_03_1,
             "Filter `events` on type 'siege_lifted' and doc_id WIKIPEDIA_DEZ; read `date`."),
    Exercise("03.2", "For which besieged places do sources disagree on dates?", _exp_03_2, _judge_03_2,
             "Filter `sieges` on `dates_disagree` and take the `place` column."),
    Exercise("03.3", "What is the largest figure of people reported inside Deir ez-Zor?", _exp_03_3,
             _judge_03_3, "Parse the `population` JSON of the Deir ez-Zor row of `sieges` and take the max."),
    Exercise("04.1", "Where did the people displaced from the Hadalat camp go?", _exp_04_1, _judge_04_1,
             "Find the Hadalat row of `displacement` by its `origin` and read `destination`."),
    Exercise("04.2", "What is the largest figure of people displaced from Eastern Ghouta?", _exp_04_2,
             _judge_04_2, "Keep the Eastern Ghouta rows of `displacement`, take the max of `figure` (not the sum)."),
    Exercise("04.3", "How many displacement figures are reported as a range?", _exp_04_3, _judge_04_3,
             "Count rows where both `figure_low` and `figure_high` are present."),
    Exercise("05.1", "What is the status of the claims about the Hama-Rastan road?", _exp_05_1, _judge_05_1,
             "Find the Hama-Rastan road rows of `claims` and read `status`."),
    Exercise("05.2", "Which event type has the lowest recall against the gold files?", _exp_05_2, _judge_05_2,
             "In `evaluate().scores`, rows with kind 'events:<type>': the smallest `recall`."),
    Exercise("05.3", "Drop the denied Hama-Rastan claim with a correction in a temporary file.", _exp_05_3,
             _judge_05_3,
             "add_correction(event_id, 'drop', note=..., path=path), then apply_corrections(events, path)."),
]}


def list_exercises(notebook: str | None = None) -> pd.DataFrame:
    """The exercises (id and question), optionally of one notebook (``"03"``)."""
    rows = [{"id": e.id, "question": e.question} for e in EXERCISES.values()
            if notebook is None or e.id.startswith(f"{notebook}.")]
    return pd.DataFrame(rows, columns=["id", "question"])


def check_answer(exercise: str, answer: Any, tables: Mapping | str | Path | None = None) -> CheckResult:
    """Judge an answer without printing: a :class:`CheckResult` (``passed``, ``message``).

    Parameters
    ----------
    exercise : str
        The exercise id, e.g. ``"03.1"`` (notebook 03, exercise 1).
    answer : any
        The learner's answer; ``...`` or None mean "not answered yet".
    tables : mapping of DataFrames, folder, or None
        The tables to compute the expected answer from (default: ``data/processed``).

    Raises
    ------
    KeyError
        If ``exercise`` is not a known exercise id (the message lists them).

    Examples
    --------
    >>> check_answer("03.1", ...).passed
    False
    """
    if exercise not in EXERCISES:
        raise KeyError(f"unknown exercise {exercise!r}; expected one of {', '.join(EXERCISES)}")
    ex = EXERCISES[exercise]
    if _is_missing(answer):
        return CheckResult(exercise, False, f"Not answered yet: replace `...` with your answer. Hint: {ex.placeholder}")
    t = _tables(tables)
    try:
        expected = ex.expected(t)
    except (FileNotFoundError, KeyError) as exc:
        return CheckResult(exercise, False, f"Cannot check yet, the tables are missing or incomplete ({exc}). "
                                            "Run `conflict_lib.tables.ensure_tables()` first.")
    passed, message = ex.judge(answer, expected, t)
    return CheckResult(exercise, passed, message)


def check(exercise: str, answer: Any, tables: Mapping | str | Path | None = None) -> None:
    """Check a learner's answer and print a success message or a hint.

    Never raises for a wrong or missing answer (a notebook with placeholders still runs);
    see :func:`check_answer` for the non-printing form the tests use.

    Examples
    --------
    >>> check("05.1", ...)  # doctest: +ELLIPSIS
    ✗ 05.1 Not answered yet: replace `...` with your answer. Hint: ...
    """
    result = check_answer(exercise, answer, tables)
    mark = "✓" if result.passed else "✗"
    print(f"{mark} {exercise} {'Correct! ' if result.passed else ''}{result.message}")
