"""Solutions to the exercises of ``02_territorial_control.ipynb``."""
from conflict_lib.exercises import find_rows
from conflict_lib.plotting import control_snapshot


def exercise_1(tables):
    """02.1 Who holds Raqqa as of 2017-11-01 (an alignment)."""
    snapshot = control_snapshot(tables["events"], as_of="2017-11-01")
    return find_rows(snapshot, "Raqqa")["alignment"].iloc[0]


def exercise_2(tables):
    """02.2 How many places changed hands between 2017-09-01 and 2017-12-31."""
    snapshot = control_snapshot(tables["events"], as_of="2017-12-31", since="2017-09-01")
    return int(snapshot["changed"].sum())
