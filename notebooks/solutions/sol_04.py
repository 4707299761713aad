"""Solutions to the exercises of ``04_displacement.ipynb``."""
from conflict_lib.exercises import find_rows


def exercise_1(tables):
    """04.1 Where the people displaced from the Hadalat camp went."""
    hadalat = find_rows(tables["displacement"], "Hadalat", ["origin"])
    return hadalat["destination"].dropna().iloc[0]


def exercise_2(tables):
    """04.2 The largest figure of people displaced from Eastern Ghouta (the largest, not the sum)."""
    ghouta = find_rows(tables["displacement"], "Eastern Ghouta", ["origin", "place"])
    people = ghouta[ghouta["figure_unit"].fillna("people").isin(["people", "civilians", "IDPs"])]
    return people["figure"].max()


def exercise_3(tables):
    """04.3 How many displacement figures are reported as a range."""
    d = tables["displacement"]
    return int((d["figure_low"].notna() & d["figure_high"].notna()).sum())
