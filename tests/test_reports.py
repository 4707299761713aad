"""Tests for conflict_lib.reports: every reader, metadata inference and every kind of bad input."""
from __future__ import annotations

import datetime as dt
import hashlib
import pickle

import pytest

from conflict_lib.reports import (
    ReportError, decode_bytes, doc_id_for, infer_period, iter_reports, list_report_files,
    parse_date, read_report, read_reports,
)
from conflict_lib.schema import Document, Problem

from conftest import CARTER, EAWV, make_pdf

D = dt.date


def codes(doc: Document) -> list[str]:
    return [n.code for n in doc.warnings]


def write(tmp_path, name: str, data: bytes | str):
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# --------------------------------------------------------------------------------------------
# Text files and front matter
# --------------------------------------------------------------------------------------------


def test_read_seed_carter(reports_dir):
    path = reports_dir / CARTER
    doc = read_report(path)
    assert doc.doc_id == path.stem and doc.format == "txt"
    assert doc.title == "Weekly Conflict Summary September 7-13, 2017"
    assert doc.publisher.startswith("The Carter Center")
    assert (doc.period_start, doc.period_end) == (D(2017, 9, 7), D(2017, 9, 13))
    assert doc.published is None and doc.reference_date == D(2017, 9, 13)
    assert doc.meta["source_file"].startswith("000_d69c65e8bcf7e30e.txt")
    assert doc.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.raw_text.startswith("Weekly Conflict Summary")  # front matter removed
    assert pickle.loads(pickle.dumps(doc)) == doc


def test_read_seed_eawv(reports_dir):
    doc = read_report(reports_dir / EAWV)
    assert doc.published == D(2017, 9, 6)
    assert doc.title.startswith("Regime forces and foreign allies")
    assert doc.license.startswith("excerpt of a copyrighted article")
    assert "Qaboun, for example" in doc.text


def test_period_inferred_from_text_without_front_matter(tmp_path, reports_dir):
    body = (reports_dir / CARTER).read_text(encoding="utf-8").split("\n---\n", 1)[1]
    doc = read_report(write(tmp_path, "carter-bare.txt", body))
    assert (doc.period_start, doc.period_end) == (D(2017, 9, 7), D(2017, 9, 13))
    assert doc.title == "Weekly Conflict Summary September 7-13, 2017"  # first line
    assert "period_inferred" in codes(doc)
    assert "pdf_garbage_removed" in codes(doc)


@pytest.mark.parametrize("text, period", [
    ("Weekly Conflict Summary September 7-13, 2017", (D(2017, 9, 7), D(2017, 9, 13))),
    ("Weekly Conflict Summary August 31 - September 6, 2017", (D(2017, 8, 31), D(2017, 9, 6))),
    ("Summary for 7-13 September 2017", (D(2017, 9, 7), D(2017, 9, 13))),
    ("Summary 31 August \u2013 6 September 2017", (D(2017, 8, 31), D(2017, 9, 6))),
    ("Weekly report Dec. 28 - Jan. 3, 2018", (D(2017, 12, 28), D(2018, 1, 3))),
    ("Syria Fact Sheet #4 FY 2017", None),
    ("Strikes 3-5 hit 12 targets in 2017", None),
])
def test_infer_period(text, period):
    assert infer_period(text) == period


@pytest.mark.parametrize("value, date", [
    ("2018-05-11", D(2018, 5, 11)), ("May 11, 2018", D(2018, 5, 11)), ("Nov. 6, 2016", D(2016, 11, 6)),
    ("11 May 2018", D(2018, 5, 11)), ("Sept. 22, 2017", D(2017, 9, 22)), (D(2017, 1, 2), D(2017, 1, 2)),
    ("Release No: NR-397-16", None), ("February 30, 2018", None), (None, None),
])
def test_parse_date(value, date):
    assert parse_date(value) == date


def test_published_inferred_from_a_date_line(tmp_path):
    path = write(tmp_path, "factsheet.txt", "Syria Fact Sheet\n\nMay 11, 2018\n\nSARG completes its offensive.")
    doc = read_report(path)
    assert doc.published == D(2018, 5, 11)
    (note,) = [n for n in doc.warnings if n.code == "date_inferred"]
    assert doc.raw_text[note.raw_start:note.raw_end] == "May 11, 2018"
    assert doc.title == "Syria Fact Sheet"


def test_front_matter_published_wins_and_unknown_keys_kept(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: T\npublished: 2017-09-06\nauthor: X\n---\nMay 11, 2018\n\nText.")
    doc = read_report(path)
    assert doc.published == D(2017, 9, 6) and doc.meta == {"author": "X"} and doc.format == "md"
    assert "date_inferred" not in codes(doc)


def test_broken_front_matter_reads_body(tmp_path):
    path = write(tmp_path, "broken.txt", "---\ntitle: [unclosed\npublished: 2017-09-06\n---\n"
                                          "Clashes in Daraa continued.")
    doc = read_report(path)
    assert doc.text == "Clashes in Daraa continued." and doc.title is None and doc.published is None
    assert "front_matter" in codes(doc)
    docs, problems = read_reports(path)
    assert len(docs) == 1
    (problem,) = problems
    assert problem.kind == "front_matter" and problem.fatal is False
    assert "not valid YAML" in problem.reason and problem.path == str(path)


def test_unclosed_front_matter(tmp_path):
    doc = read_report(write(tmp_path, "unclosed.txt", "---\ntitle: T\nClashes in Daraa continued."))
    assert "never closed" in doc.warnings[0].message
    assert "Clashes in Daraa continued." in doc.text


def test_front_matter_not_a_mapping(tmp_path):
    doc = read_report(write(tmp_path, "list.txt", "---\n- a\n- b\n---\nText here."))
    assert doc.text == "Text here." and "front_matter" in codes(doc)


def test_bad_date_in_front_matter_noted(tmp_path):
    doc = read_report(write(tmp_path, "d.txt", "---\npublished: last week\n---\nText here."))
    assert doc.published is None
    assert any("published 'last week' is not a date" in n.message for n in doc.warnings)


@pytest.mark.parametrize("name, doc_id", [
    ("2017-09-13_cartercenter_weekly.txt", "2017-09-13_cartercenter_weekly"),
    ("x.gold.jsonl", "x"), ("report.html", "report"), ("Fact Sheet (Jan. 5).pdf", "Fact Sheet (Jan. 5)"),
])
def test_doc_id(name, doc_id):
    assert doc_id_for(name) == doc_id


# --------------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------------

ARABIC = "اشتباكات عنيفة في حلب وإدلب. Clashes in Aleppo and Idlib."


@pytest.mark.parametrize("encoding, data, expected", [
    ("cp1256", ARABIC.encode("cp1256"), ARABIC),
    ("cp1252", "Réfugiés à Alep : « 1 200 familles » déplacées.".encode("latin-1"),
     "Réfugiés à Alep : « 1 200 familles » déplacées."),
    ("cp1252", "The regime\u2019s \u201creconciliation\u201d deals.".encode("cp1252"),
     "The regime\u2019s \u201creconciliation\u201d deals."),
    ("utf-16-le", ARABIC.encode("utf-16"), ARABIC),  # with BOM
    ("utf-16-le", ARABIC.encode("utf-16-le"), ARABIC),  # without BOM
    ("utf-16-be", ARABIC.encode("utf-16-be"), ARABIC),
    ("utf-8-sig", ARABIC.encode("utf-8-sig"), ARABIC),
    ("utf-8", ARABIC.encode("utf-8"), ARABIC),
])
def test_decode_bytes(encoding, data, expected):
    text, used = decode_bytes(data)
    assert (text.lstrip("\ufeff"), used) == (expected, encoding)


def test_latin1_only_bytes_fall_back_to_latin1():
    data = "caf\xe9 \x81".encode("latin-1")  # 0x81 is undefined in cp1252
    assert decode_bytes(data) == ("caf\xe9 \x81", "latin-1")


@pytest.mark.parametrize("encoding", ["cp1256", "utf-16"])
def test_non_utf8_file_read_with_encoding_problem(tmp_path, encoding):
    path = write(tmp_path, f"ar-{encoding}.txt", ("---\ntitle: تقرير\n---\n" + ARABIC).encode(encoding))
    docs, problems = read_reports(path)
    (doc,) = docs
    assert doc.title == "تقرير" and doc.text == ARABIC
    (problem,) = problems
    assert problem.kind == "encoding" and not problem.fatal and "decoded as" in problem.reason
    assert "encoding" in codes(doc)


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data, kind", [
    (b"", "empty"),
    (b"  \n\n \t\n", "empty"),
    (b"---\ntitle: Only front matter\n---\n", "empty"),
    (bytes(range(256)) * 8, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
    (b"text with \x01\x02\x03\x04\x05\x06\x07\x08 control bytes", "binary"),
])
def test_bad_text_files(tmp_path, data, kind):
    path = write(tmp_path, "bad.txt", data)
    with pytest.raises(ReportError) as info:
        read_report(path)
    assert info.value.kind == kind and info.value.path == str(path)
    (problem,) = list(iter_reports(path))
    assert problem == Problem(str(path), info.value.reason, kind, True)


def test_too_large_file_skipped(tmp_path):
    path = write(tmp_path, "big.txt", "Clashes continued. " * 200)
    with pytest.raises(ReportError) as info:
        read_report(path, max_bytes=1000)
    assert info.value.kind == "too_large" and "over the limit" in info.value.reason
    assert read_report(path).text.startswith("Clashes continued.")  # default limit: 20 MB


def test_unsupported_and_missing(tmp_path):
    docx = write(tmp_path, "notes.docx", b"PK\x03\x04")
    items = list(iter_reports([docx, tmp_path / "nope.txt"]))
    kinds = sorted((p.kind, p.path) for p in items)
    assert kinds == [("unreadable", str(tmp_path / "nope.txt")), ("unsupported", str(docx))]
    assert "no such file" in [p for p in items if p.kind == "unreadable"][0].reason


def test_unexpected_errors_become_problems(tmp_path, monkeypatch):
    import conflict_lib.reports as reports

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(reports, "clean_text", boom)
    path = write(tmp_path, "ok.txt", "Text.")
    (problem,) = list(iter_reports(path))
    assert problem.kind == "unreadable" and "RuntimeError: boom" in problem.reason


# --------------------------------------------------------------------------------------------
# Listing folders
# --------------------------------------------------------------------------------------------


def test_list_report_files(tmp_path):
    for name in ["b.txt", "a.md", "c.HTML", "d.pdf", "e.htm", ".hidden.txt", "notes.docx",
                 "README.md", "SOURCES.md", "sub/f.txt", ".git/g.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    names = [p.relative_to(tmp_path).as_posix() for p in list_report_files(tmp_path)]
    assert names == ["a.md", "b.txt", "c.HTML", "d.pdf", "e.htm", "sub/f.txt"]
    assert list_report_files([tmp_path / "b.txt", tmp_path / "b.txt"]) == [tmp_path / "b.txt"]


def test_mixed_folder_never_stops(tmp_path, pdf_report, truncated_pdf):
    write(tmp_path, "good.txt", "Clashes continued near Daraa.")
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "bin.txt", bytes(range(256)))
    (tmp_path / "report.pdf").write_bytes(pdf_report.read_bytes())
    (tmp_path / "trunc.pdf").write_bytes(truncated_pdf.read_bytes())
    docs, problems = read_reports(tmp_path)
    assert sorted(d.doc_id for d in docs) == ["good", "report"]
    assert sorted((p.kind, p.fatal) for p in problems) == [
        ("binary", True), ("empty", True), ("unreadable", True)]


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


def test_read_html(html_report):
    doc = read_report(html_report)
    assert doc.format == "html" and doc.doc_id == "siege-broken"
    assert doc.title == "Siege of Deir ez-Zor broken"  # trafilatura prefers the <h1> to <title>
    assert doc.published == D(2017, 9, 6)
    assert "Pro-Assad forces broke through the three-year Islamic State siege" in doc.text
    assert "al-Fu'ah" in doc.match_text
    assert "Home" not in doc.text  # navigation left out
    assert "\n\nThe nearby military airport" in doc.text  # paragraphs kept


def test_read_malformed_html(fixtures_dir):
    doc = read_report(fixtures_dir / "malformed.htm")
    assert doc.format == "html" and doc.title == "Broken page: Rukban camp"
    assert "Aid to Rukban was delayed again on 1 November 2018." in doc.text
    assert "About 50,000 people remain in the camp" in doc.text
    assert "truncated" in codes(doc)  # "Convoys could not reach the berm" (no end)


def test_html_fallback_when_trafilatura_finds_nothing(html_report, monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    doc = read_report(html_report)
    assert "html_fallback" in codes(doc)
    assert doc.title == "Siege of Deir ez-Zor broken - Test News" and doc.published == D(2017, 9, 6)
    assert "Pro-Assad forces broke through" in doc.text and "Home" not in doc.text


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------


def test_read_pdf(pdf_report):
    doc = read_report(pdf_report)
    assert doc.format == "pdf" and doc.title == "Test Monitor Weekly"
    assert "\f" in doc.raw_text  # pages joined with a form feed
    assert doc.text == (
        "Developments in the North\n\n"
        "Government forces advanced on the town of Rastan on September 9. The convoy reached the "
        "village before the de-escalation talks began. Opposition fighters withdrew from the "
        "outskirts of the town overnight.\n\n"
        "Reconciliation Deals\n\n"
        "A new agreement was reached in Homs on September 12.")
    assert [s.title for s in doc.sections] == ["Reconciliation Deals"]
    dropped = [n.message for n in doc.warnings if n.code == "page_furniture_dropped"]
    assert len(dropped) == 4 and any("Syria Test Monitor" in m for m in dropped)
    rejoined = [n.message for n in doc.warnings if n.code == "hyphen_rejoined"]
    assert any("across a page break as 'outskirts'" in m for m in rejoined)
    assert any("'de-escalation'" in m for m in rejoined)


def test_pdf_page_break_mid_sentence_joined(tmp_path):
    pages = [["Weekly Report September 7-13, 2017", "Clashes continued as rumors of a"],
             ["new offensive spread in Daraa.", "Aid reached Rukban."]]
    doc = read_report(make_pdf(tmp_path / "two.pdf", pages, title=None))
    assert "Clashes continued as rumors of a new offensive spread in Daraa." in doc.text
    assert "page_break_joined" in codes(doc)
    assert doc.title == "Weekly Report September 7-13, 2017"
    assert (doc.period_start, doc.period_end) == (D(2017, 9, 7), D(2017, 9, 13))


def test_truncated_pdf_unreadable(truncated_pdf):
    with pytest.raises(ReportError) as info:
        read_report(truncated_pdf)
    assert info.value.kind == "unreadable"
    assert "pdfplumber" in info.value.reason and "pypdf" in info.value.reason


def test_pdf_without_text_layer(tmp_path):
    path = make_pdf(tmp_path / "blank.pdf", [[], []], header=None)
    # footers are the only text: nothing is left once they are dropped
    with pytest.raises(ReportError) as info:
        read_report(path)
    assert info.value.kind == "empty"


# --------------------------------------------------------------------------------------------
# The shipped corpus
# --------------------------------------------------------------------------------------------


def test_every_shipped_report_reads_without_fatal_problem(reports_dir):
    files = list_report_files(reports_dir)
    assert len(files) >= 20 and all(p.suffix == ".txt" for p in files)
    docs, problems = read_reports(reports_dir)
    assert [p for p in problems if p.fatal] == []
    assert len(docs) == len(files)
    assert len({d.doc_id for d in docs}) == len(docs)
    for doc in docs:
        assert doc.text and doc.title and doc.reference_date is not None, doc.doc_id
        assert len(doc.offsets) == len(doc.text) + 1
