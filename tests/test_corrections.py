"""Analyst corrections: applied last, never written by code, unmatched ones reported."""
from __future__ import annotations

import pandas as pd
import pytest

from conflict_lib.corrections import add_correction, apply_corrections, read_corrections
from conflict_lib.schema import EVENT_COLUMNS


def _events() -> pd.DataFrame:
    rows = []
    for i, (typ, place, fig) in enumerate([("siege", "Deir ez-Zor", 100000.0),
                                           ("displacement", "Hadalat camp", None),
                                           ("control_state", "Al-Shaddadi", None)]):
        r = {c: None for c in EVENT_COLUMNS}
        r.update(event_id=f"e{i}", doc_id="d", type=typ, place=place, figure=fig, certainty="confirmed",
                 start=i * 10, end=i * 10 + 5)
        rows.append(r)
    return pd.DataFrame(rows)


def _write(tmp_path, text: str):
    p = tmp_path / "corrections.csv"
    p.write_text(text)
    return p


def test_no_file_means_no_change():
    ev = _events()
    out, report = apply_corrections(ev, None)
    assert list(out["event_id"]) == ["e0", "e1", "e2"]
    assert report == {"dropped": 0, "edited": 0, "added": 0, "problems": []}


def test_drop_edit_add(tmp_path):
    p = _write(tmp_path, "event_id,action,field,value,note\n"
                         "e1,drop,,,duplicate\n"
                         "e0,edit,figure,90000,UN figure\n"
                         "e0,edit,certainty,reported,\n"
                         "analyst-1,add,type,siege,\n"
                         "analyst-1,add,place,Madaya,\n"
                         "analyst-1,add,date,2016-01,\n")
    ev = _events()
    out, report = apply_corrections(ev, p)
    assert report["dropped"] == 1 and report["edited"] == 2 and report["added"] == 1
    assert "e1" not in set(out["event_id"])
    e0 = out.set_index("event_id").loc["e0"]
    assert e0["figure"] == 90000.0 and e0["certainty"] == "reported"
    assert e0["corrected"] == "edited: figure, certainty"
    added = out.set_index("event_id").loc["analyst-1"]
    assert (added["type"], added["place"], added["date"], added["corrected"]) == ("siege", "Madaya", "2016-01", "added")
    assert added["source"] == "analyst correction"
    # the input frame is not modified
    assert list(ev["event_id"]) == ["e0", "e1", "e2"] and ev.loc[0, "figure"] == 100000.0


def test_correction_for_a_missing_event_is_reported_not_dropped(tmp_path):
    p = _write(tmp_path, "event_id,action,field,value,note\ngone,edit,figure,5,\nalso-gone,drop,,,\n")
    out, report = apply_corrections(_events(), p)
    assert len(out) == 3
    reasons = [pr["reason"] for pr in report["problems"]]
    assert len(reasons) == 2 and all("no such event" in r for r in reasons)
    assert "'gone'" in reasons[0] and "'also-gone'" in reasons[1]


@pytest.mark.parametrize("line,expect", [
    ("e0,rename,place,X,", "unknown action"),
    ("e0,edit,colour,red,", "unknown field"),
    ("e0,edit,figure,lots,", "not a number"),
    ("new,add,place,Madaya,", "needs a type"),
    ("e0,add,type,siege,", "new event_id"),
])
def test_bad_corrections_are_reported(tmp_path, line, expect):
    p = _write(tmp_path, "event_id,action,field,value,note\n" + line + "\n")
    _, report = apply_corrections(_events(), p)
    assert any(expect in pr["reason"] for pr in report["problems"]), report["problems"]


def test_missing_columns_is_a_clear_error(tmp_path):
    p = _write(tmp_path, "id,what\n1,drop\n")
    with pytest.raises(ValueError, match="lacks column"):
        read_corrections(p)


def test_add_correction_appends_and_never_rewrites(tmp_path):
    p = tmp_path / "c.csv"
    add_correction("e0", "drop", note="first", path=p)
    before = p.read_text()
    add_correction("e1", "edit", "figure", "12", path=p)
    after = p.read_text()
    assert after.startswith(before)
    assert read_corrections(p)["event_id"].tolist() == ["e0", "e1"]
    with pytest.raises(ValueError):
        add_correction("e1", "explode", path=p)
