"""The offline HTML briefing: content, escaping, size, and a real headless browser."""
from __future__ import annotations

import base64
import hashlib
import html
import io
import re
import time
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import browser  # noqa: E402
from conflict_lib.briefing import write_briefing  # noqa: E402
from synthetic_tables import HOSTILE_SENTENCE, write_tables  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("tables")
    write_tables(d, hostile=True)
    t0 = time.perf_counter()
    out = write_briefing(d / "out" / "briefing.html", tables_dir=d)
    return out, out.read_text(encoding="utf-8"), time.perf_counter() - t0


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self._in_script, self.text = [], [], False, []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def _parse(page):
    p = _Collect()
    p.feed(page)
    return p


def test_page_has_the_parts(built):
    _, page, _ = built
    for part in ('<meta name="viewport"', "What changed", "Control changes", "Sieges", "Displacement",
                 "Contested claims", "Reports drawn on", "Evidence notes", "@media print", 'id="map-date"'):
        assert part in page, part
    # the default period says precisely what it is: the dates of the facts, and the undated ones
    assert "Facts dated <strong>Jan 2017</strong> to <strong>21 May 2018</strong>" in page
    assert "1 undated fact" in page
    assert "Raqqa" in page and "ISIS → SDF" in page
    assert "sources disagree on when it was lifted" in page
    assert "Hadalat camp to Rukban camp" in page
    assert "&lt;100,000 civilians inside" in page


def test_no_remote_loads_and_csp_hash_matches_the_one_script(built):
    _, page, _ = built
    p = _parse(page)
    assert len(p.scripts) == 1
    for tag, attrs in p.tags:
        assert "src" not in attrs or attrs["src"].startswith("data:image/png;base64,"), (tag, attrs.get("src", "")[:40])
        assert tag not in ("link", "iframe", "object", "embed", "base")
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if "href" in attrs:
            assert attrs["href"].startswith(("#", "http://", "https://")), attrs["href"]
    csp = next(a["content"] for t, a in p.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "img-src data:" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    digest = base64.b64encode(hashlib.sha256(p.scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp


def test_report_text_is_escaped(built):
    _, page, _ = built
    assert "<script>window.__pwned" not in page
    assert "<img src=x" not in page
    assert 'href="javascript' not in page.lower()
    assert html.escape(HOSTILE_SENTENCE) in page  # shown as text
    assert "link not shown (not an http(s) address)" in page


def test_every_fact_has_footnotes_and_every_footnote_is_cited(built):
    _, page, _ = built
    facts = re.findall(r'<(li|div) class="fact[^"]*"[^>]*>(.*?)</\1>', page, flags=re.S)
    assert len(facts) >= 10
    cited = set()
    for _, body in facts:
        refs = re.findall(r'href="#fn-(\d+)"', body)
        assert refs, body[:200]
        cited.update(refs)
    notes = re.findall(r'<li id="fn-(\d+)">', page)
    assert sorted(notes, key=int) == [str(i) for i in range(1, len(notes) + 1)]
    assert set(notes) == cited  # footnotes count = facts' distinct evidence count
    # every number in the What-changed lists carries a footnote in the same line
    changed = page.split('<section id="changed">')[1].split("</section>")[0]
    for line in re.findall(r'<li class="fact".*?</li>', changed, flags=re.S):
        if re.search(r"\d{1,3}(,\d{3})+", re.sub(r"<[^>]+>", "", line)):
            assert "fnref" in line


def test_size_and_build_time(built):
    out, page, seconds = built
    assert out.stat().st_size <= 3 * 1024 * 1024
    assert seconds <= 20
    assert page.count('data-src="data:image/png;base64,') >= 5  # one map per control date


def test_publishers_not_doc_ids_and_national_siege_apart(tmp_path):
    from synthetic_tables import USAID_FY17_5, build_tables
    import json
    import pandas as pd
    from conflict_lib.briefing import render_briefing

    t = build_tables()
    ev = t["events"].copy()
    # the publisher in its own voice: the build writes the doc id as the source
    ev.loc[ev["doc_id"] == USAID_FY17_5, "source"] = USAID_FY17_5
    nat = ev.iloc[[0]].copy()
    nat["event_id"], nat["place"], nat["place_id"], nat["figure"], nat["figure_qualifier"] = (
        "natl", "Syria", "cur:syria", 728500.0, "at_least")
    ev = pd.concat([ev, nat], ignore_index=True)
    t["events"] = ev
    t["sieges"] = pd.concat([t["sieges"], pd.DataFrame([{
        "place": "Syria", "place_id": "cur:syria", "lat": 35.0, "lon": 38.0, "besieger": None, "besieged": None,
        "first_report": "2017-05-31", "last_report": "2017-05-31", "lifted": None,
        "population": json.dumps([{"date": "2017-05-31", "figure": 728500, "qualifier": "at_least",
                                   "source": USAID_FY17_5}]),
        "event_ids": json.dumps(["natl"]), "sources": json.dumps([USAID_FY17_5]), "dates_disagree": False}])],
        ignore_index=True)
    page = render_briefing(t, dpi=40, max_maps=3)
    changed = page.split('<section id="changed">')[1].split("</section>")[0]
    text = re.sub(r"<[^>]+>", " ", changed)
    assert USAID_FY17_5 not in text  # never a document id as a source
    assert "(USAID)" in changed
    assert "country-wide" in changed and "not one besieged place" in changed
    assert "besieged places" in page  # key number counts places, not the country


def test_period_filter(tmp_path):
    d = write_tables(tmp_path / "t")
    out = write_briefing(tmp_path / "b.html", tables_dir=d, start="2017-09-01", end="2017-09-30", title="September 2017")
    page = out.read_text()
    assert "<title>September 2017</title>" in page
    changed = page.split('<section id="changed">')[1].split("</section>")[0]
    assert "Hama-Rastan road" in changed and "Raqqa" not in changed and "Eastern Ghouta" not in changed
    assert "lifted" in changed


def test_missing_events_table_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="build"):
        write_briefing(tmp_path / "b.html", tables_dir=tmp_path)


# --------------------------------------------------------------------------- real browser
needs_browser = pytest.mark.skipif(browser.missing_reason() is not None, reason=browser.missing_reason() or "")


@pytest.fixture(scope="module")
def driver():
    reason = browser.missing_reason()
    if reason:
        pytest.skip(reason)
    drv = browser.launch()
    yield drv
    drv.quit()


def _open(driver, path):
    driver.get(path.resolve().as_uri())
    driver.get_log("browser")  # nothing should come after load either


@pytest.mark.browser
@needs_browser
def test_browser_loads_offline_without_errors_and_renders(driver, built):
    out, _, _ = built
    driver.get(out.resolve().as_uri())
    logs = driver.get_log("browser")
    errors = [entry for entry in logs if entry.get("level") in ("SEVERE", "ERROR")]
    assert not errors, errors
    assert driver.title.startswith("Syria conflict briefing")
    png = driver.get_screenshot_as_png()
    from PIL import Image
    import numpy as np
    im = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    assert im.std() > 10, "screenshot looks blank"
    # images decoded (a broken data URI has naturalWidth 0)
    widths = driver.execute_script("return Array.from(document.images).map(i => i.naturalWidth)")
    assert widths and all(w > 100 for w in widths)


@pytest.mark.browser
@needs_browser
def test_browser_date_selector_switches_the_map(driver, built):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    out, _, _ = built
    _open(driver, out)
    assert driver.find_element(By.ID, "map-controls").is_displayed()
    img = driver.find_element(By.ID, "map-img")
    sel = Select(driver.find_element(By.ID, "map-date"))
    srcs = set()
    for i in range(len(sel.options)):
        sel.select_by_index(i)
        srcs.add(img.get_attribute("src"))
        cap = driver.find_element(By.ID, "map-caption").text
        assert sel.options[i].text.split(" (")[0] in cap
    assert len(srcs) == len(sel.options) >= 5
    before = img.get_attribute("src")
    driver.find_element(By.ID, "map-prev").click()
    assert img.get_attribute("src") != before
    assert not [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


@pytest.mark.browser
@needs_browser
def test_browser_footnote_reveals_its_sentence(driver, built):
    from selenium.webdriver.common.by import By

    out, _, _ = built
    _open(driver, out)
    ref = driver.find_element(By.CSS_SELECTOR, 'a.fnref[data-fn="1"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", ref)
    note = driver.find_element(By.ID, "fn-1").find_element(By.TAG_NAME, "blockquote").text
    assert note
    ref.click()
    pop = driver.find_element(By.ID, "popover")
    assert pop.is_displayed()
    assert note in pop.text
    driver.find_element(By.ID, "popover-close").click()
    assert not pop.is_displayed()


@pytest.mark.browser
@needs_browser
def test_browser_injected_script_never_runs(driver, built):
    from selenium.webdriver.common.by import By

    out, _, _ = built
    _open(driver, out)
    # hover and click over everything that came from the hostile report
    for el in driver.find_elements(By.XPATH, "//*[contains(text(), 'pwned')]")[:10]:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        try:
            el.click()
        except Exception:
            pass
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "<script>window.__pwned=1</script>" in body
    assert '<img src=x onerror="window.__pwned=2">' in body
    assert "javascript:window.__pwned=3" in body
