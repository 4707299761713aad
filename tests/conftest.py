"""Shared fixtures: paths to the shipped reports and small generated inputs (PDF, HTML).

Kept small on purpose; other modules' tests may add fixtures here.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conflict_lib import paths

FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: The two seed documents with the artefacts the ingest layer must handle.
CARTER = "2017-09-13_cartercenter_weekly-conflict-summary-2017-09-07-13.txt"
EAWV = "2017-09-06_eaworldview_deir-ez-zor-siege-broken.txt"

#: Pages of the generated test PDF: page 1 ends mid-sentence inside a hyphenated word,
#: each page has a running header and a "n of 2" footer.
PDF_HEADER = "Syria Test Monitor - Weekly Report"
PDF_PAGES = [
    ["Developments in the North",
     "Government forces advanced on the town of Rastan on",
     "September 9. The convoy reached the village before the de-",
     "escalation talks began. Opposition fighters withdrew from the out-"],
    ["skirts of the town overnight.",
     "Reconciliation Deals",
     "A new agreement was reached in Homs on September 12."],
]


@pytest.fixture(scope="session")
def reports_dir() -> Path:
    """``data/raw/reports`` of this checkout."""
    return paths.reports_dir()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """``tests/fixtures``."""
    return FIXTURES


def make_pdf(path: Path, pages: list[list[str]], header: str | None = PDF_HEADER,
             title: str | None = "Test Monitor Weekly") -> Path:
    """Write a simple PDF, one line of text per entry, with header and "n of N" footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    if title:
        c.setTitle(title)
    width, height = A4
    for number, lines in enumerate(pages, start=1):
        if header:
            c.setFont("Helvetica", 9)
            c.drawString(72, height - 40, header)
        c.setFont("Helvetica", 11)
        y = height - 100
        for line in lines:
            c.drawString(72, y, line)
            y -= 16
        c.setFont("Helvetica", 9)
        c.drawString(width / 2, 30, f"{number} of {len(pages)}")
        c.showPage()
    c.save()
    return path


@pytest.fixture(scope="session")
def pdf_report(tmp_path_factory) -> Path:
    """A 2-page PDF report (see :data:`PDF_PAGES`)."""
    return make_pdf(tmp_path_factory.mktemp("pdf") / "weekly.pdf", PDF_PAGES)


@pytest.fixture(scope="session")
def truncated_pdf(pdf_report, tmp_path_factory) -> Path:
    """The first half of :func:`pdf_report`'s bytes."""
    data = pdf_report.read_bytes()
    path = tmp_path_factory.mktemp("pdf") / "weekly-truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    return path


HTML_ARTICLE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>Siege of Deir ez-Zor broken - Test News</title>
<meta name="date" content="2017-09-06">
<meta property="og:site_name" content="Test News">
</head><body>
<nav><a href="/">Home</a> | <a href="/syria">Syria</a></nav>
<article>
<h1>Siege of Deir ez-Zor broken</h1>
<p>Pro-Assad forces broke through the three-year Islamic State siege of Deir ez-Zor city on Tuesday, state media said.</p>
<p>The nearby military airport and three districts of the city, with almost 100,000 civilians, are still cut off.</p>
<p>Residents of al-Fu’ah and Kafraya were evacuated in April under the four towns agreement.</p>
</article>
<footer>Copyright Test News. All rights reserved.</footer>
</body></html>
"""


@pytest.fixture()
def html_report(tmp_path) -> Path:
    """A small well-formed HTML article with a title and a date meta tag."""
    path = tmp_path / "siege-broken.html"
    path.write_text(HTML_ARTICLE, encoding="utf-8")
    return path
