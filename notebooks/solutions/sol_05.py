"""Solutions to the exercises of ``05_claims_and_sources.ipynb``."""
from conflict_lib.corrections import add_correction, apply_corrections
from conflict_lib.evaluate import evaluate
from conflict_lib.exercises import find_rows, temporary_corrections_file


def exercise_1(tables):
    """05.1 The status of the claims about the Hama-Rastan road."""
    return find_rows(tables["claims"], "Hama-Rastan road")["status"].iloc[0]


def exercise_2(tables):
    """05.2 The event type with the lowest recall against the gold files."""
    scores = evaluate(getattr(tables, "dir", None)).scores
    events = scores[scores["kind"].str.startswith("events:")].dropna(subset=["recall"])
    return events.sort_values("recall")["kind"].iloc[0].split(":")[1]


def exercise_3(tables):
    """05.3 The events with the denied Hama-Rastan road claim dropped (through a practice corrections file)."""
    events = tables["events"]
    road = find_rows(events, "Hama-Rastan road")
    denied = road.loc[road["certainty"] == "denied", "event_id"].iloc[0]
    path = temporary_corrections_file()
    add_correction(denied, "drop", note="denied by opposition sources in Rastan", path=path)
    corrected, _ = apply_corrections(events, path)
    return corrected
