"""Every notebook exercise: its solution passes its check, a wrong answer gets a useful hint.

The solutions live in ``notebooks/solutions/sol_<nn>.py`` (``exercise_<k>(tables)``); the checks in
``conflict_lib.exercises``. The tables are built once from ``data/raw/reports`` into a temporary
folder, so the checks are tested against what the build produces now, not a stale copy.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from conflict_lib import paths
from conflict_lib.exercises import EXERCISES, Tables, check, check_answer, find_rows

SOLUTIONS = Path(__file__).resolve().parent.parent / "notebooks" / "solutions"


@pytest.fixture(scope="session")
def tables(tmp_path_factory) -> Tables:
    """The tables of a fresh build of the shipped reports."""
    from conflict_lib.build import build

    out = tmp_path_factory.mktemp("exercise-tables")
    build([paths.reports_dir()], out, corrections=None)
    return Tables(out)


def _solution(exercise: str):
    nb, k = exercise.split(".")
    path = SOLUTIONS / f"sol_{nb}.py"
    spec = importlib.util.spec_from_file_location(f"sol_{nb}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, f"exercise_{int(k)}")


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_solution_passes_its_check(exercise, tables):
    answer = _solution(exercise)(tables)
    result = check_answer(exercise, answer, tables)
    assert result.passed, f"the solution of {exercise} fails its check: {result.message}"


def test_every_notebook_exercise_has_a_solution_file():
    numbers = sorted({e.split(".")[0] for e in EXERCISES})
    assert numbers == ["01", "02", "03", "04", "05"]
    for n in numbers:
        assert (SOLUTIONS / f"sol_{n}.py").exists(), f"missing notebooks/solutions/sol_{n}.py"


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_placeholder_prints_a_hint_and_does_not_raise(exercise, capsys):
    for placeholder in (..., None):
        result = check_answer(exercise, placeholder)
        assert not result.passed
        assert "Not answered yet" in result.message and "Hint:" in result.message
    check(exercise, ...)
    out = capsys.readouterr().out
    assert out.startswith(f"✗ {exercise}") and "Hint:" in out


def _sieges_all_places(t):
    return set(t["sieges"]["place"])


#: (exercise, wrong answer built from the tables, words the hint must contain)
WRONG = [
    ("01.1", lambda t: {"not_a_code"}, "`code` column"),
    ("01.1", lambda t: set(t["warnings"]["code"]), "other reports"),
    ("01.2", lambda t: set(t["places"].loc[t["places"]["doc_id"] == _carter(), "canonical"]), "match_method"),
    ("01.3", lambda t: "Reconciliation Deals", "Hadalat is not in it"),
    ("01.3", lambda t: "Northern front", "is not a section"),
    ("02.1", lambda t: "Raqqa", "not an alignment"),
    ("02.1", lambda t: "isis", "as_of='2017-11-01'"),
    ("02.2", lambda t: "many", "Give a number"),
    ("03.1", lambda t: _ea_lifted(t), "EA WorldView's date"),
    ("03.2", _sieges_all_places, "every siege"),
    ("03.3", lambda t: "lots", "one number"),
    ("03.3", lambda t: -1, "population"),
    ("04.1", lambda t: "Hadalat camp", "where they came from"),
    ("04.2", lambda t: _ghouta_sum(t), "sum"),
    ("04.3", lambda t: len(t["displacement"]), "every row"),
    ("05.1", lambda t: "denied", "certainty"),
    ("05.2", lambda t: "no_such_type", "smallest `recall`"),
    ("05.3", lambda t: t["events"], "Nothing was dropped"),
    ("05.3", lambda t: 3, "DataFrame"),
]


def _carter():
    from conflict_lib.exercises import CARTER
    return CARTER


def _ea_lifted(t):
    from conflict_lib.exercises import EA_WORLDVIEW
    ev = t["events"]
    rows = find_rows(ev[(ev["type"] == "siege_lifted") & (ev["doc_id"] == EA_WORLDVIEW)], "Deir ez-Zor")
    return rows["date"].iloc[0]


def _ghouta_sum(t):
    rows = find_rows(t["displacement"], "Eastern Ghouta", ["origin", "place"])
    rows = rows[rows["figure_unit"].fillna("people").isin(["people", "civilians", "IDPs"])]
    return float(rows["figure"].sum())


@pytest.mark.parametrize("exercise, wrong, hint", WRONG, ids=[f"{e}-{h[:20]}" for e, _, h in WRONG])
def test_wrong_answer_gets_a_hint(exercise, wrong, hint, tables):
    answer = wrong(tables)
    result = check_answer(exercise, answer, tables)
    assert not result.passed, f"{exercise}: the deliberately wrong answer {answer!r} passed"
    assert hint in result.message, f"{exercise}: expected a hint mentioning {hint!r}, got: {result.message}"


def test_a_wrong_answer_prints_rather_than_raises(tables, capsys):
    check("03.1", "1999-01-01", tables)
    out = capsys.readouterr().out
    assert out.startswith("✗ 03.1") and "siege_lifted" in out


def test_unknown_exercise_names_the_known_ones():
    with pytest.raises(KeyError, match="01.1"):
        check_answer("09.9", 1)


def test_check_accepts_series_and_lists(tables):
    sol = _solution("01.1")(tables)
    assert check_answer("01.1", sorted(sol), tables).passed
    w = tables["warnings"]
    assert check_answer("01.1", w.loc[w["doc_id"] == _carter(), "code"], tables).passed


def test_key_facts_the_notebooks_assert(tables):
    """The numbers the notebooks assert, checked here too so a failure names the table."""
    docs = tables["documents"].set_index("doc_id")
    carter = docs.loc[_carter()]
    assert (str(carter["period_start"]), str(carter["period_end"])) == ("2017-09-07", "2017-09-13")
    assert _ea_lifted(tables) == "2017-09-05"
    road = find_rows(tables["claims"], "Hama-Rastan road")
    assert set(road["status"]) == {"contradict"}
    hadalat = find_rows(tables["displacement"], "Hadalat", ["origin"])
    assert len(find_rows(hadalat, "Rukban", ["destination"])) == 1
    dez = find_rows(tables["sieges"], "Deir ez-Zor").iloc[0]
    assert bool(dez["dates_disagree"]) and json.loads(dez["lifted_dates"])
