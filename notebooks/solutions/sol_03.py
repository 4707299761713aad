"""Solutions to the exercises of ``03_siege_timelines.ipynb``."""
import json

from conflict_lib.exercises import WIKIPEDIA_DEZ, find_rows


def exercise_1(tables):
    """03.1 The date the Wikipedia article gives for the full lifting of the siege of Deir ez-Zor."""
    events = tables["events"]
    lifted = find_rows(events[events["type"] == "siege_lifted"], "Deir ez-Zor")
    return lifted.loc[lifted["doc_id"] == WIKIPEDIA_DEZ, "date"].iloc[0]


def exercise_2(tables):
    """03.2 The besieged places whose sources disagree on dates."""
    sieges = tables["sieges"]
    return set(sieges.loc[sieges["dates_disagree"], "place"])


def exercise_3(tables):
    """03.3 The largest figure of people reported inside Deir ez-Zor."""
    dez = find_rows(tables["sieges"], "Deir ez-Zor").iloc[0]
    return max(f["figure"] for f in json.loads(dez["population"]))
