"""Solutions to the exercises of ``01_reading_a_report.ipynb``.

Each function takes the tables (a mapping of name -> DataFrame, e.g.
``conflict_lib.exercises.Tables()``) and returns the answer the notebook's check expects.
"""
from conflict_lib.exercises import CARTER


def exercise_1(tables):
    """01.1 The warning codes of the Carter Center report."""
    warnings = tables["warnings"]
    return set(warnings.loc[warnings["doc_id"] == CARTER, "code"])


def exercise_2(tables):
    """01.2 The places of the Carter Center report not matched exactly (their canonical names)."""
    places = tables["places"]
    carter = places[places["doc_id"] == CARTER]
    return set(carter.loc[carter["match_method"] != "exact", "canonical"])


def exercise_3(tables):
    """01.3 The section of the Carter Center report that mentions the Hadalat camp."""
    mentions = tables["mentions"]
    rows = mentions[(mentions["doc_id"] == CARTER) & (mentions["kind"] == "place")
                    & mentions["text"].str.contains("Hadalat")]
    return rows["section"].iloc[0]
