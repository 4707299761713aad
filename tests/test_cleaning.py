"""Tests for conflict_lib.cleaning: each cleaning step on the seed documents and on made-up text."""
from __future__ import annotations

import unicodedata

import pytest

from conflict_lib import paths
from conflict_lib.cleaning import CleanResult, clean_text, fold_for_matching
from conflict_lib.reports import read_report

from conftest import CARTER, EAWV, FIXTURES


def offset_violations(raw: str, result: CleanResult) -> list[int]:
    """Cleaned indices whose character is neither copied from nor a normal form of the raw text."""
    synthetic = {i for s, e in result.synthetic for i in range(s, e)}
    bad = []
    for i, ch in enumerate(result.text):
        if i in synthetic:
            continue
        o = result.offsets[i]
        r = raw[o]
        if ch == r or (ch == " " and r == "\t") or (ch == "\n" and r == "\r"):
            continue
        if unicodedata.normalize("NFC", raw[o:o + 4])[:1] == ch:
            continue
        bad.append(i)
    return bad


def codes(result) -> list[str]:
    return [n.code for n in result.warnings]


def notes(result, code: str):
    return [n for n in result.warnings if n.code == code]


def check_map(raw: str, result: CleanResult) -> None:
    assert len(result.offsets) == len(result.text) + 1
    assert len(result.match_text) == len(result.text)
    assert result.offsets == sorted(result.offsets)
    assert all(0 <= o <= len(raw) for o in result.offsets)
    assert offset_violations(raw, result) == []


@pytest.fixture(scope="module")
def carter():
    return read_report(paths.reports_dir() / CARTER)


@pytest.fixture(scope="module")
def eawv():
    return read_report(paths.reports_dir() / EAWV)


# --------------------------------------------------------------------------------------------
# fold_for_matching
# --------------------------------------------------------------------------------------------


def test_fold_for_matching_maps_typographic_variants_and_keeps_length():
    text = "al-Fu’ah ‘x’ “q” ʿAyn ʾ ` ´ ′ 1–2 — − \u2011 a\u00a0b\u2009c"
    folded = fold_for_matching(text)
    assert len(folded) == len(text)
    assert folded == "al-Fu'ah 'x' \"q\" 'Ayn ' ' ' ' 1-2 - - - a b c"


def test_fold_for_matching_leaves_other_text_alone():
    text = "حلب Qaboun — no"
    assert fold_for_matching("Qaboun é ü ß") == "Qaboun é ü ß"
    assert fold_for_matching(text)[:3] == "حلب"


# --------------------------------------------------------------------------------------------
# The Carter Center seed: garbage, truncation, caption, sections
# --------------------------------------------------------------------------------------------


def test_carter_pdf_garbage_removed(carter):
    assert "Tf" not in carter.text and "(rm)87" not in carter.text and "T8" not in carter.text
    assert carter.text.endswith("join ranks with the Syrian Arab Army to fight")
    (note,) = [n for n in carter.warnings if n.code == "pdf_garbage_removed"]
    assert carter.raw_text[note.raw_start:note.raw_end].startswith("I-0.2 (rm)87'")
    assert carter.raw_text[note.raw_start:note.raw_end].endswith("() T8")
    assert "I-0.2" in note.message


def test_carter_truncated_fragments_flagged_not_joined(carter):
    trunc = [n for n in carter.warnings if n.code == "truncated"]
    flagged = [carter.raw_text[n.raw_start:n.raw_end] for n in trunc]
    assert any(f.endswith("In Daraa governorate, rumors") for f in flagged)
    assert any(f.startswith("renewed pro-government offensive") for f in flagged)
    assert any(f.startswith("reporting week, though it seems") for f in flagged)  # leading fragment
    assert any(f.endswith("All attempts at de-") for f in flagged)  # cut mid-word, before a heading
    assert any(f.endswith("Army to fight") for f in flagged)  # cut by the garbage
    # no page-break evidence: the fragments stay apart (joining would invent a sentence)
    assert "In Daraa governorate, rumors\n\nrenewed pro-government" in carter.text
    assert not [n for n in carter.warnings if n.code == "page_break_joined"]


def test_carter_figure_caption_kept_apart(carter):
    (cap,) = carter.captions
    assert cap.kind == "figure"
    assert cap.text == "Figure 4 - Situation around Rastan and Oqeirbat by September 14"
    assert carter.text[cap.start:cap.end] == cap.text
    assert carter.text[cap.start - 2:cap.start] == "\n\n" and carter.text[cap.end:cap.end + 2] == "\n\n"
    assert carter.caption_at(cap.start + 5) == cap


def test_carter_sections(carter):
    assert [s.title for s in carter.sections] == ["Developments in the South", "Reconciliation Deals"]
    south, deals = carter.sections
    assert carter.text[south.start:].startswith("Developments in the South\n\n")
    assert south.end == deals.start and deals.end == len(carter.text)
    assert carter.section_at(carter.text.index("Maghaweir")) == "Developments in the South"
    assert carter.section_at(carter.text.index("Hmeimem")) == "Reconciliation Deals"
    # the document title line is not a section
    assert carter.section_at(0) is None


def test_carter_offset_map(carter):
    check_map(carter.raw_text, clean_text(carter.raw_text, fmt="txt"))
    i = carter.text.index("Oqeirbat")
    s, e = carter.raw_span(i, i + len("Oqeirbat"))
    assert carter.raw_text[s:e] == "Oqeirbat"


# --------------------------------------------------------------------------------------------
# The EA WorldView seed: digit repair, quotes, photo captions, sections
# --------------------------------------------------------------------------------------------


def test_eawv_digit_repaired(eawv):
    assert "Qab0un" not in eawv.text
    assert "Civilians in Qaboun, for example" in eawv.text
    (note,) = [n for n in eawv.warnings if n.code == "digit_repaired"]
    assert "'Qab0un' -> 'Qaboun'" in note.message
    assert eawv.raw_text[note.raw_start:note.raw_end] == "Qab0un"
    # the repaired letter is synthetic; its neighbours are copied
    i = eawv.text.index("Civilians in Qaboun") + len("Civilians in Qab")
    assert (i, i + 1) in clean_text(eawv.raw_text).synthetic


def test_eawv_quotes_kept_in_text_folded_in_match_text(eawv):
    i = eawv.text.index("al-Fu’ah")
    assert eawv.match_text[i:i + 8] == "al-Fu'ah"
    assert "“no choice”" in eawv.text and '"no choice"' in eawv.match_text


def test_eawv_photo_captions(eawv):
    assert [(c.kind, c.text) for c in eawv.captions] == [
        ("photo", "Footage of initial contact on the western edge of Deir ez-Zor city:"),
        ("photo", "SYRIA REGIME FIGHTERS DEIR EZ-ZOR 09-17"),
    ]
    assert "09-17" in eawv.text  # a date-like code, not a digit to repair


def test_eawv_sections(eawv):
    assert [s.title for s in eawv.sections] == [
        "LATEST", "UN Report Condemns Regime’s “Reconciliation” Agreements"]
    assert eawv.section_at(eawv.text.index("Khan Sheikhoun")).startswith("UN Report")
    assert eawv.section_at(eawv.text.index("Kalibr")) == "LATEST"


def test_eawv_offset_map(eawv):
    check_map(eawv.raw_text, clean_text(eawv.raw_text))


# --------------------------------------------------------------------------------------------
# Made-up cases, step by step
# --------------------------------------------------------------------------------------------


def test_garbage_detector_spares_prose_with_numbers():
    raw = (FIXTURES / "pdf_operator_garbage.txt").read_text(encoding="utf-8")
    r = clean_text(raw)
    check_map(raw, r)
    first, second, third, fourth = r.text.split("\n\n")
    assert first == raw.splitlines()[0]  # "On 10 September 2017, 0.2 percent ..." intact
    assert fourth == raw.splitlines()[6]  # "12, 7.5 km, 3 (three) villages, 2.5% ..." intact
    assert second.endswith("Syrian Arab Army to fight")
    assert third == "The convoy reached Douma. The road was reopened on 14 September."
    assert len(notes(r, "pdf_garbage_removed")) == 2


@pytest.mark.parametrize("sentence", [
    "On 10 September 2017, 0.2 percent of residents left.",
    "Between 3 and 5 (or 0.5 km) of road were cleared by 2 units in 10 days.",
    "Strikes hit T-72 tanks, a BMP (1) and 2 Td units near Raqqa.",
    "I/O [sic] (a) b c 4.5 5.5 were listed as items.",
])
def test_garbage_detector_spares_made_up_sentences(sentence):
    assert clean_text(sentence).text == sentence


def test_hyphen_at_line_break_rejoined_but_compounds_kept():
    raw = ("The government-\nled offensive resumed. Pro-government forces and their al-\nAssad "
           "allies met the de-\nescalation team. The govern-\nment disagreed; the government said so.")
    r = clean_text(raw)
    check_map(raw, r)
    assert "Pro-government" in r.text  # a hyphen not at a break is untouched
    assert "de-escalation" in r.text  # prefix keeps its hyphen
    assert "al-Assad" in r.text  # capitalised second part keeps it
    assert "government disagreed" in r.text
    assert "government-led" in r.text  # "government" is a word of its own in the document
    assert len(notes(r, "hyphen_rejoined")) == 4


def test_hyphen_choice_uses_document_vocabulary():
    r = clean_text("A counter-\nattack failed. The counterattack came at dawn.")
    assert r.text.startswith("A counterattack failed.")
    r = clean_text("A counter-\nattack failed. The counter-attack came at dawn.")
    assert r.text.startswith("A counter-attack failed.")


def test_page_break_joins_only_with_evidence():
    raw = "Weekly Report\n\nClashes continued as rumors of a\n\f\nnew offensive spread. Nothing else."
    r = clean_text(raw)
    check_map(raw, r)
    assert r.text == "Weekly Report\n\nClashes continued as rumors of a new offensive spread. Nothing else."
    assert codes(r) == ["page_break_joined"]

    raw = "Weekly Report\n\nClashes continued as rumors of a\n\nnew offensive spread."
    r = clean_text(raw)
    assert r.text == raw
    assert codes(r) == ["truncated", "truncated"]


def test_furniture_dropped_and_counts_as_page_break():
    raw = "Weekly Report\n\nForces advanced towards the\n\nPage 3\n\nvillage of Oqeirbat on Monday.\n\n2 of 4\n"
    r = clean_text(raw)
    check_map(raw, r)
    assert r.text == "Weekly Report\n\nForces advanced towards the village of Oqeirbat on Monday."
    assert codes(r).count("page_furniture_dropped") == 2
    assert "page_break_joined" in codes(r)


def test_running_header_dropped_across_pages():
    pages = ["ACME Monitor | Weekly\nFirst page text ends here.\n3",
             "ACME Monitor | Weekly\nSecond page text.\n4",
             "ACME Monitor | Weekly\nThird page text.\n5"]
    raw = "\n\f\n".join(pages)
    r = clean_text(raw, fmt="pdf")
    check_map(raw, r)
    assert "ACME" not in r.text and "\n3" not in r.text
    assert r.text == "First page text ends here.\n\nSecond page text.\n\nThird page text."
    assert len(notes(r, "page_furniture_dropped")) == 6


def test_pdf_mode_joins_wrapped_lines_and_splits_headings():
    raw = ("Reconciliation Deals\nThe Russian Center claimed it had reached an agreement\n"
           "with opposition groups in Rastan.\nMap 2: Rastan pocket\nOpposition sources deny it.")
    r = clean_text(raw, fmt="pdf")
    check_map(raw, r)
    assert r.text.split("\n\n") == [
        "Reconciliation Deals",
        "The Russian Center claimed it had reached an agreement with opposition groups in Rastan.",
        "Map 2: Rastan pocket", "Opposition sources deny it."]
    assert [(c.kind, c.text) for c in r.captions] == [("figure", "Map 2: Rastan pocket")]


@pytest.mark.parametrize("line, kind", [
    ("Figure 4 - Situation around Rastan and Oqeirbat by September 14", "figure"),
    ("Map 2: Frontlines in Idlib", "figure"),
    ("Photo: Syrian Civil Defence", "photo"),
    ("Footage of the convoy entering Rukban:", "photo"),
    ("SYRIA REGIME FIGHTERS DEIR EZ-ZOR 09-17", "photo"),
])
def test_captions_detected(line, kind):
    raw = f"Title line\n\nSome prose about the war continues here.\n\n{line}\n\nMore prose follows here."
    r = clean_text(raw)
    assert [(c.kind, c.text) for c in r.captions] == [(kind, line)]


def test_caption_in_a_block_gets_its_own_paragraph():
    raw = "Title\n\nThe road was opened.\nMap 3: The Hama-Rastan road\nAid arrived."
    r = clean_text(raw)
    assert "\n\nMap 3: The Hama-Rastan road\n\n" in r.text
    assert r.captions[0].text == "Map 3: The Hama-Rastan road"
    check_map(raw, r)


def test_sections_headings_and_non_headings():
    raw = ("Weekly Summary\n\nDevelopments in the South\n\nFighting continued near Daraa.\n\n"
           "Heather Nauert\n\nDepartment Spokesperson\n\nWashington, DC\n\n"
           "Impact on civilians\n\nThousands fled the city during the week.")
    r = clean_text(raw)
    assert [s.title for s in r.sections] == ["Developments in the South", "Impact on civilians"]
    first, second = r.sections
    assert first.end == second.start and second.end == len(r.text)


def test_markdown_heading_markers():
    raw = "# Weekly Summary\n\n## Developments in Idlib: what changed?\n\nClashes continued."
    r = clean_text(raw, fmt="md")
    check_map(raw, r)
    assert r.text == "Weekly Summary\n\nDevelopments in Idlib: what changed?\n\nClashes continued."
    assert [s.title for s in r.sections] == ["Developments in Idlib: what changed?"]


def test_digit_repair_unambiguous_and_vocabulary():
    r = clean_text("Shelling hit Qab0un again. Later Dama5cus and H0ms were quiet.")
    assert r.text == "Shelling hit Qaboun again. Later Damascus and Homs were quiet."
    assert len(notes(r, "digit_repaired")) == 3
    # 1 is ambiguous (l or i): repaired only when the document knows the word
    r = clean_text("Convoys reached A1eppo. Aleppo was calm.")
    assert r.text == "Convoys reached Aleppo. Aleppo was calm."
    r = clean_text("Convoys reached A1eppo.")
    assert r.text == "Convoys reached A1eppo."
    assert codes(r) == ["digit_in_word"]


@pytest.mark.parametrize("token", ["09-17", "5th", "V2", "COVID-19", "F-16", "2nd", "T-72", "A320",
                                   "MiG-29", "SU-35", "3rd", "B1B", "10km", "UNSCR 2254"])
def test_digit_repair_leaves_codes_alone(token):
    raw = f"The report mentions {token} twice."
    r = clean_text(raw)
    assert r.text == raw
    assert not notes(r, "digit_repaired")


@pytest.mark.parametrize("raw, fragment", [
    ("Troops moved towards the border town of . Then they stopped.", "town of ."),
    ("Shelling hit the city of , killing three.", "city of ,"),
    ("Rebels held positions in 's east.", "'s east"),
    ("They withdrew towards . Nothing more.", "towards ."),
])
def test_empty_place_slot_flagged(raw, fragment):
    r = clean_text(raw)
    (note,) = notes(r, "empty_place_slot")
    assert fragment in raw[max(0, note.raw_start - 15):note.raw_end + 5]
    assert r.text == raw  # flagged, not changed


def test_empty_place_slot_not_flagged_in_normal_prose():
    r = clean_text("This is where they came from. The town of Rastan's east side, in 2017, was calm.")
    assert not notes(r, "empty_place_slot")


def test_unicode_normalised_zero_width_removed_and_counted():
    raw = "Cafe\u0301 in Ra\u200bqqa\ufeff, 10\u00a0km away.\u00adX"
    r = clean_text(raw)
    check_map(raw, r)
    assert r.text == "Café in Raqqa, 10\u00a0km away.X"
    assert r.match_text == "Café in Raqqa, 10 km away.X"
    (note,) = notes(r, "unicode_normalised")
    assert "1 NFC compositions" in note.message and "1 U+200B" in note.message
    assert "1 U+FEFF" in note.message and "1 soft hyphens" in note.message


def test_soft_hyphen_at_line_end_joins_word():
    raw = "The govern\u00ad\nment forces advanced."
    assert clean_text(raw).text == "The government forces advanced."


def test_whitespace_collapsed_paragraphs_kept():
    raw = "  First   line with   spaces.  \n\n\n\n\tSecond\tparagraph.   \r\n\r\nThird.\n\n\n"
    r = clean_text(raw)
    check_map(raw, r)
    assert r.text == "First line with spaces.\n\nSecond paragraph.\n\nThird."
    assert r.offsets[-1] == len(raw)


def test_single_line_breaks_kept_in_txt():
    raw = "Heather Nauert\nDepartment Spokesperson\nWashington, DC"
    assert clean_text(raw).text == raw


def test_empty_and_blank_input():
    for raw in ("", "   \n\n  "):
        r = clean_text(raw)
        assert r.text == "" and r.offsets == [len(raw)] and r.sections == []


def test_offset_map_on_a_messy_made_up_text():
    raw = ("Weekly Conflict Summary\r\n\r\nreporting week,   the convoy\u200b reached Qab0un.\n\n"
           "Page 2\n\nIn Daraa, rumors of a\n\f\nnew offensive; the de-\nescalation zone of . "
           "Cafe\u0301 I-0.2 (rm)87' ao Ha 0.2 (di'y) 0.2 (a Tf [(t) 0.2 () T8\n\nQaboun.")
    r = clean_text(raw, fmt="txt")
    check_map(raw, r)
    assert set(codes(r)) >= {"unicode_normalised", "pdf_garbage_removed", "page_furniture_dropped",
                             "truncated", "digit_repaired", "empty_place_slot",
                             "hyphen_rejoined", "page_break_joined"}


def test_every_shipped_report_keeps_the_offset_map(reports_dir):
    from conflict_lib.reports import list_report_files

    files = list_report_files(reports_dir)
    assert len(files) >= 20
    for path in files:
        doc = read_report(path)
        r = clean_text(doc.raw_text, fmt=doc.format)
        assert r.text == doc.text, path.name
        check_map(doc.raw_text, r)
        # every Section/Caption offset points into the cleaned text
        for s in doc.sections:
            assert doc.text[s.start:].startswith(s.title)
        for c in doc.captions:
            assert doc.text[c.start:c.end] == c.text
        for n in doc.warnings:
            if n.raw_start is not None:
                assert 0 <= n.raw_start <= n.raw_end <= len(doc.raw_text), (path.name, n)
