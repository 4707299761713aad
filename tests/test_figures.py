"""Tests for the figure component (``conflict_figures_v1``): qualifiers, ranges, words, units,
and what is not a figure."""
from __future__ import annotations

import pytest
import spacy

import conflict_lib.dates  # noqa: F401  (registers conflict_dates_v1)
import conflict_lib.figures  # noqa: F401  (registers conflict_figures_v1)


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("conflict_dates_v1")
    nlp.add_pipe("conflict_figures_v1")
    return nlp


@pytest.fixture(scope="module")
def nlp_alone():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("conflict_figures_v1")
    return nlp


def _figs(nlp, text, ref="2018-06-08"):
    doc = nlp.make_doc(text)
    doc._.reference_date = ref
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return [(s.text, s._.conflict) for s in doc.spans["figures"]]


def _one(nlp, text):
    got = _figs(nlp, text)
    assert len(got) == 1, got
    return got[0]


def test_record_has_schema_attrs(nlp):
    _, rec = _one(nlp, "with almost 100,000 civilians")
    assert set(rec) == {"canonical", "value", "low", "high", "qualifier", "unit", "approximate_word"}


@pytest.mark.parametrize("text, value, qualifier, unit", [
    ("The nearby military airport, with almost 100,000 civilians, are still cut off.", 100000, "nearly", "civilians"),
    ("more than 1.2 million people", 1.2e6, "at_least", "people"),
    ("approximately 175,000 people have returned", 175000, "about", "people"),
    ("An estimated 6.3 million people are internally displaced", 6.3e6, "about", "people"),
    ("around 200,000 civilians were besieged", 200000, "about", "civilians"),
    ("some 5,000 fighters", 5000, "about", "fighters"),
    ("roughly 40 families", 40, "about", "families"),
    ("Nearly 12,900 IDPs return", 12900, "nearly", "IDPs"),
    ("close to 300 households", 300, "nearly", "households"),
    ("At least 130 civilians", 130, "at_least", "civilians"),
    ("over 2,000 refugees", 2000, "at_least", "refugees"),
    ("in excess of 10,000 residents", 10000, "at_least", "residents"),
    ("up to 184,000 people remained displaced", 184000, "up_to", "people"),
    ("following the displacement of 158,000 people since", 158000, "exact", "people"),
    ("an estimated 3,500 Palestinian refugees had fled", 3500, "about", "refugees"),
    ("2.1 million IDPs", 2.1e6, "exact", "IDPs"),
    ("two million refugees", 2e6, "exact", "refugees"),
    ("nearly 944,000 people were residing", 944000, "nearly", "people"),
    ("12,000 children", 12000, "exact", "children"),
    ("2,000 displaced from Hajin", 2000, "exact", "people"),
    ("the United Nations' World Food Programme has conducted 177 airdrops", 177, "exact", "airdrops"),
    ("on 27 occasions", 27, "exact", "occasions"),
    ("The majority of IDPs-approximately 1.3 million people-were residing", 1.3e6, "about", "people"),
])
def test_qualifier_value_unit(nlp, text, value, qualifier, unit):
    _, rec = _one(nlp, text)
    assert (rec["value"], rec["qualifier"], rec["unit"]) == (value, qualifier, unit)
    assert rec["approximate_word"] is False


@pytest.mark.parametrize("text, low, high, unit", [
    ("110,000-120,000 civilians remained as of January 2017", 110000, 120000, "civilians"),
    ("110,000\u2013120,000 civilians", 110000, 120000, "civilians"),
    ("displaced an estimated 280,000-325,000 people", 280000, 325000, "people"),
    ("between 5,000 and 7,000 families", 5000, 7000, "families"),
    ("1-2 million people", 1e6, 2e6, "people"),
])
def test_ranges_are_up_to_the_upper_bound(nlp, text, low, high, unit):
    text = text.replace("\u2013", "-")  # match_text folds dashes
    _, rec = _one(nlp, text)
    assert (rec["low"], rec["high"], rec["value"], rec["qualifier"], rec["unit"]) == (low, high, high, "up_to", unit)


def test_bounds():
    nlp = spacy.blank("en")
    nlp.add_pipe("conflict_figures_v1")
    doc = nlp("more than 50 people, nearly 60 people, about 70 people, 80 people")
    recs = [s._.conflict for s in doc.spans["figures"]]
    assert [(r["low"], r["high"]) for r in recs] == [(50, None), (None, 60), (None, None), (80, 80)]


def test_small_counts_keep_their_noun(nlp):
    got = _figs(nlp, "The nearby military airport and three districts of the city, with almost 100,000 civilians")
    assert [(r["value"], r["unit"]) for _, r in got] == [(3, "districts"), (100000, "civilians")]


def test_duration_is_not_a_people_figure(nlp):
    words, rec = _one(nlp, "broke through the three-year Islamic State siege")
    assert words == "three-year" and rec["unit"] == "years" and rec["value"] == 3


@pytest.mark.parametrize("text, value", [
    ("dozens of civilians", 24), ("thousands of people fled", 2000), ("hundreds of families", 200),
    ("tens of thousands of people", 20000), ("hundreds of thousands of people", 200000),
])
def test_approximate_words(nlp, text, value):
    _, rec = _one(nlp, text)
    assert rec["approximate_word"] is True and rec["value"] == value and rec["low"] == value
    assert rec["high"] is None and rec["qualifier"] == "at_least"


def test_percent(nlp):
    _, rec = _one(nlp, "Of the evacuees, more than 60 percent arrived at eight collective shelters".replace(
        "eight collective shelters", "shelters"))
    assert (rec["value"], rec["unit"], rec["qualifier"]) == (60, "percent", "at_least")
    _, rec = _one(nlp, "45% of households")
    assert rec["unit"] == "percent"


@pytest.mark.parametrize("text", [
    "in 2017 the offensive", "On September 9 the convoy", "Between May 7 and 17", "the V Corps and the 5th Corps",
    "admin code SY0200", "Fact Sheet #7", "Fiscal Year (FY) 2017", "killed in the siege.[40]", "at 10:30",
    "UNSCR 2254", "release 20170926-01", "one of the towns", "Oct. 20 liberation",
])
def test_not_figures(nlp, text):
    assert _figs(nlp, text) == []


def test_dates_excluded_without_date_component(nlp_alone):
    assert _figs(nlp_alone, "Between May 7 and 17, an estimated 35,600 people evacuated")[0][0] == \
        "an estimated 35,600"
    assert len(_figs(nlp_alone, "Between May 7 and 17, an estimated 35,600 people evacuated")) == 1


def test_list_markers_are_not_figures(nlp):
    text = ("Pro-government negotiators have asked for three concessions in return for any prisoner release: 1) that "
            "fighters from Rastan enter \"reconciliation\" proceedings with the government; 2) that these fighters "
            "join ranks with the Syrian Arab Army")
    assert [t for t, _ in _figs(nlp, text)] == ["three"]
    assert _figs(nlp, "(1) first and (2) second") == []
    assert [t for t, _ in _figs(nlp, "12 people were killed (including 3)")] == ["12", "3"]


@pytest.mark.parametrize("text", [
    "someone often said twenty-five, 1,200 and hundreds of thousands of people; thousands fled (SY0200, 3)",
    "a  hundred\nand a dozen; half a million; tens of thousands; between 5 and 7; x12 12x ٣ 20",
])
def test_fast_anchors_are_the_anchor_regex_hits(text):
    from conflict_lib.figures import get_finder

    f = get_finder()
    low = text.lower()
    assert f._anchors(low) == [m.start() for m in f._re_anchor.finditer(low)]
