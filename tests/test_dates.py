"""Tests for the date component (``conflict_dates_v1``): resolution against the document's
reference date, precisions, periods, and what is not a date."""
from __future__ import annotations

import pytest
import spacy

from conflict_lib.dates import find_dates  # importing registers conflict_dates_v1


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("conflict_dates_v1")
    return nlp


def _dates(nlp, text, ref):
    doc = nlp.make_doc(text)
    doc._.reference_date = ref
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return [(s.text, s._.conflict) for s in doc.spans["dates"]]


def _one(nlp, text, ref):
    got = _dates(nlp, text, ref)
    assert len(got) == 1, got
    return got[0]


def test_record_has_schema_attrs(nlp):
    _, rec = _one(nlp, "On 10 September 2017, the siege was fully broken.", "2026-11-22")
    assert set(rec) == {"canonical", "value", "date_start", "date_end", "precision", "relative"}


@pytest.mark.parametrize("text, ref, words, value, precision, start, end, relative", [
    # EA WorldView, published Wednesday 2017-09-06: the siege was broken on Tuesday 2017-09-05
    ("Pro-Assad forces broke through the three-year Islamic State siege of Deir ez-Zor city in eastern Syria on Tuesday.",
     "2017-09-06", "on Tuesday", "2017-09-05", "day", "2017-09-05", "2017-09-05", True),
    ("Since entering the province last weekend, the advance pro-Assad force moved quickly",
     "2017-09-06", "last weekend", "2017-09", "week", "2017-09-02", "2017-09-03", True),
    ("Fighting resumed last month.", "2017-09-06", "last month", "2017-08", "month", "2017-08-01", "2017-08-31", True),
    ("the forced displacements this spring of residents and rebels", "2017-09-06", "this spring", "2017", "season",
     "2017-03-01", "2017-05-31", True),
    ("a new wave of reinforcements arrive near Jobar this week.", "2017-09-13", "this week", "2017-09", "week",
     "2017-09-11", "2017-09-17", True),
    ("On 10 September 2017, the siege was fully broken by Government forces.", "2026-11-22", "On 10 September 2017",
     "2017-09-10", "day", "2017-09-10", "2017-09-10", False),
    ("the Syrian Army fully recaptured the city, by 17 November 2017", "2026-11-22", "by 17 November 2017",
     "2017-11-17", "day", "2017-11-17", "2017-11-17", False),
    ("ISIL gained control of almost all of Deir ez-Zor Governorate in July 2014.", "2026-11-22", "in July 2014",
     "2014-07", "month", "2014-07-01", "2014-07-31", False),
    ("In April 2014, clashes began.", "2018-01-01", "In April 2014", "2014-04", "month", "2014-04-01", "2014-04-30", False),
    ("As of May 7, the camp was closed.", "2018-05-11", "As of May 7", "2018-05-07", "day", "2018-05-07", "2018-05-07", True),
    ("As of late April, an estimated 3,500 Palestinian refugees had fled", "2018-05-11", "As of late April", "2018-04",
     "month", "2018-04-21", "2018-04-30", True),
    ("In November 2017, the UN estimated", "2026-11-22", "In November 2017", "2017-11", "month", "2017-11-01",
     "2017-11-30", False),
    ("fighting since February 2016 has", "2017-01-01", "since February 2016", "2017-01-01", "day", "2016-02-01",
     "2017-01-01", True),
    ("Between June 1 and August 15, conflict displaced nearly 63,900 people", "2017-08-31",
     "Between June 1 and August 15", "2017-08-15", "day", "2017-06-01", "2017-08-15", True),
    ("displacements peaked in mid-April.", "2018-05-11", "in mid-April", "2018-04", "month", "2018-04-11", "2018-04-20", True),
    ("returns expected in early 2018 continued", "2018-06-08", "in early 2018", "2018", "year", "2018-01-01",
     "2018-04-30", False),
    ("Fighting in 2016 displaced many.", "2018-01-01", "in 2016", "2016", "year", "2016-01-01", "2016-12-31", False),
    ("the Syrian Democratic Forces' Oct. 20 liberation of Raqqa", "2017-11-02", "Oct. 20", "2017-10-20", "day",
     "2017-10-20", "2017-10-20", True),
    ("In recent days, an estimated 39,000 people arrived", "2017-04-27", "In recent days", "2017-04", "week",
     "2017-04-21", "2017-04-27", True),
    ("approximately 624,500 people currently live in besieged areas", "2017-05-31", "currently", "2017-05-31", "day",
     "2017-05-31", "2017-05-31", True),
])
def test_resolution(nlp, text, ref, words, value, precision, start, end, relative):
    got_words, rec = _one(nlp, text, ref)
    assert got_words == words
    assert (rec["value"], rec["precision"], rec["date_start"], rec["date_end"], rec["relative"]) == \
        (value, precision, start, end, relative)
    assert rec["canonical"] == value


def test_two_days(nlp):
    words, rec = _one(nlp, "Airstrikes hit the town on September 9 and 10.", "2017-09-13")
    assert words == "on September 9 and 10"
    assert (rec["value"], rec["date_start"], rec["date_end"]) == ("2017-09-10", "2017-09-09", "2017-09-10")


def test_month_without_year_takes_the_year_before_the_reference(nlp):
    _, rec = _one(nlp, "The offensive began in December.", "2018-01-15")
    assert rec["value"] == "2017-12"
    _, rec = _one(nlp, "The offensive began September 14.", "2017-09-20")
    assert rec["value"] == "2017-09-14"


def test_since_runs_to_the_reference_date(nlp):
    _, rec = _one(nlp, "Since March 9, more than 133,000 people have fled Eastern Ghouta", "2018-04-06")
    assert (rec["value"], rec["date_start"], rec["date_end"]) == ("2018-04-06", "2018-03-09", "2018-04-06")
    _, rec = _one(nlp, "the UN has been unable to access the camp since 2015", "2018-05-11")
    assert rec["date_start"] == "2015-01-01" and rec["date_end"] == "2018-05-11"


@pytest.mark.parametrize("text, ref, value, start", [
    ("Between November 2016 and May 23, 2017, the CCCM Cluster verified", "2017-05-31", "2017-05-23", "2016-11-01"),
    ("Between May 7 and 17, an estimated 35,600 people evacuated", "2018-06-08", "2018-05-17", "2018-05-07"),
    ("recorded more than 948,600 displacements from September 2016 to September 2017", "2017-09-30", "2017-09",
     "2016-09-01"),
    ("Between mid-June and early July, operations displaced", "2018-07-13", "2018-07", "2018-06-11"),
    ("Between late 2017 and mid-June, an estimated 188,000 people had returned", "2018-07-13", "2018-06", "2017-09-01"),
])
def test_periods_are_dated_at_their_end(nlp, text, ref, value, start):
    _, rec = _one(nlp, text, ref)
    assert (rec["value"], rec["date_start"]) == (value, start)


@pytest.mark.parametrize("text", [
    "Photo 09-17: a convoy", "the 5th Corps and V Corps", "about 2,000 people", "Fact Sheet #4, Fiscal Year (FY) 2017",
    "May the talks succeed.", "They will march on Raqqa.", "Syrian forces may advance.",
])
def test_not_dates(nlp, text):
    assert _dates(nlp, text, "2017-09-06") == []


def test_without_reference_date_relative_words_have_no_value(nlp):
    words, rec = _one(nlp, "on Tuesday the siege was broken", None)
    assert rec["value"] is None and rec["relative"] is True
    assert find_dates("On 10 September 2017", None)[0][3]["value"] == "2017-09-10"


def test_line_broken_phrase():
    got = find_dates("during this\nreporting week, though", "2017-09-13")
    assert got[0][3]["date_start"] == "2017-09-07" and got[0][3]["precision"] == "week"


@pytest.mark.parametrize("text, ref, words, value", [
    # Carter Center weekly summary for 2017-09-07..13 (dated at the end of its period): a caption looking one
    # day ahead is 2017, not 2016
    ("Figure 4 - Situation around Rastan and Oqeirbat by September 14", "2017-09-13", "by September 14",
     "2017-09-14"),
    ("the truce holds until January 10", "2017-12-20", "until January 10", "2018-01-10"),
    # without a forward-looking lead, a month-day well after the reference date is the year before
    ("On September 20, clashes resumed.", "2017-09-13", "On September 20", "2016-09-20"),
    ("As of May 7, the camp was closed.", "2018-05-11", "As of May 7", "2018-05-07"),
])
def test_yearless_month_day_takes_the_nearest_plausible_year(nlp, text, ref, words, value):
    got_words, rec = _one(nlp, text, ref)
    assert (got_words, rec["value"]) == (words, value)


def test_span_ends_with_the_words_not_with_a_glued_citation(nlp):
    # "2017.[41][42" is one token: the span keeps it but its characters stop after "2017"
    text = "the Syrian Army fully recaptured the city, by 17 November 2017.[41][42] Later"
    doc = nlp.make_doc(text)
    doc._.reference_date = "2026-11-22"
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    (span,) = doc.spans["dates"]
    assert text[span.start_char:span.end_char] == "by 17 November 2017"
    assert span._.conflict["value"] == "2017-11-17"


@pytest.mark.parametrize("text", [
    "In mid-June 2017 and early to mid-July, then late 2016; the past week, last weekend, midsummer 2016.",
    "On Monday 3-5 May, between 1 and 17 September 2017 (2017-09-06), since March 9; someone found money.",
    "Spring 2016 ſpring, K 20١٧ Sept. 3 earlier this spring, this reporting period, as of 7 May",
])
def test_fast_matching_gives_what_the_plain_regexes_give(text):
    """The windows and the per-expression matching take shortcuts (anchor words found without ``\\b``,
    expressions tried only at their possible starts or in windows holding their words): same hits as
    running ``_re_anchor`` and every expression's ``finditer`` over every window."""
    from conflict_lib.dates import get_finder

    f = get_finder()
    low = f._lower(text)
    assert f._anchors(low) == [m.span() for m in f._re_anchor.finditer(low)]
    for lo, hi in f._windows(text):
        fast: list = []
        f._scan(text, low, lo, hi, fast)
        plain = [(m.start() - m.end(), m.start(), kind, m) for rx, kind in f._rx for m in rx.finditer(text, lo, hi)]
        assert [(k, m.span()) for _, _, k, m in fast] == [(k, m.span()) for _, _, k, m in plain]
