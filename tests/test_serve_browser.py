"""The pages in a real browser: headless Chromium (Debian's chromium + chromium-driver), driven
by Selenium, against ``kzeu-graph serve`` on a loopback port.

It opens an entity page and the query page, runs a saved query and an ad-hoc one, checks the
rendered tables, proves that data cannot inject markup, and that the browser fetched
nothing from anywhere but the server (every asset ships with the package). Screenshots go
to the test's temporary folder, or to docs/ with KZEU_UPDATE_SCREENSHOTS=1.

On CI (CI=true) a missing Chromium or chromedriver fails the test; elsewhere it skips.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paths import ARTICLE_TEXT, ROOT
from serving import Server, running_server

pytestmark = pytest.mark.slow

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1500",
)
SCREENSHOTS = ROOT / "docs"


def _browser_paths() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    missing = "chromium" if not chromium else "chromedriver (Debian package chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{missing} is not installed; .ci/run installs it on CI")
    pytest.skip(f"{missing} is not installed (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server("--workers", "2") as running:
        yield running


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    chromium, driver_path = _browser_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: Any, name: str, tmp_path: Path) -> Path:
    folder = SCREENSHOTS if os.environ.get("KZEU_UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(exist_ok=True)
    path = folder / name
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000  # a rendered page, not a blank one
    return path


def wait_for(driver: Any, condition: Any, seconds: float = 30) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(condition)


def requested_urls(driver: Any) -> list[str]:
    """Every URL the browser asked for since the last call (from the DevTools log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_entity_page(browser: Any, server: Server, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    sentence = "In 2022, the volume of trade exceeded the 2021 figure by 27.6 percent, reaching $40 billion."
    assert sentence in ARTICLE_TEXT.read_text(encoding="utf-8")
    requested_urls(browser)  # clear the log
    browser.get(server.base + "/id/figure-eu-trade-volume-2022")  # 303 to the HTML page
    assert browser.current_url == server.base + "/id/figure-eu-trade-volume-2022.html"
    assert browser.find_element(By.TAG_NAME, "h1").text == "EU–Kazakhstan trade volume in 2022"
    marks = browser.find_elements(By.CSS_SELECTOR, "div.article mark.evidence")
    # the sentence, and the attribution words its speaker rests on (issue 11)
    assert [mark.text for mark in marks] == [sentence, "reported Vassilenko"]
    # the stylesheet applied: the highlight has a background colour
    colour = marks[0].value_of_css_property("background-color")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    rows = {
        row.find_element(By.TAG_NAME, "th").text: row.find_element(By.TAG_NAME, "td").text
        for row in browser.find_elements(By.CSS_SELECTOR, "#properties table.props > tbody > tr")
    }
    assert rows["schema:value"] == "40000000000 xsd:integer"
    assert rows["kzeu:counterpart"] == "Kazakhstan"
    assert rows["prov:wasAttributedTo"] == "Roman Vassilenko"
    link = browser.find_element(By.LINK_TEXT, "Kazakhstan")
    assert link.get_attribute("href") == server.base + "/id/kazakhstan"
    screenshot(browser, "server-entity-page.png", tmp_path)
    urls = requested_urls(browser)
    assert urls, "the browser requested nothing"
    assert all(url.startswith(server.base + "/") for url in urls), urls


def test_query_page_runs_a_saved_query_and_an_adhoc_one(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    requested_urls(browser)
    browser.get(server.base + "/")
    wait_for(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#saved-select option[value=timeline]")
    )
    Select(browser.find_element(By.ID, "saved-select")).select_by_value("timeline")
    browser.find_element(By.ID, "run-saved").click()
    wait_for(browser, lambda d: "row(s)" in d.find_element(By.ID, "status").text)
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#table-wrap thead th")]
    assert headers == [
        "event", "eventLabel", "classLabel", "date", "precision", "dateBasisLabel", "statusLabel",
    ]  # fmt: skip
    first_column = [
        td.text
        for td in browser.find_elements(By.CSS_SELECTOR, "#table-wrap tbody tr td:first-child")
    ]
    # the article's events in time order (see the README and tests/test_queries.py)
    assert first_column == [
        "kzr:establishment-of-diplomatic-relations",
        "kzr:epca-entry-into-full-force",
        "kzr:launch-of-new-cooperation-areas",
        "kzr:visit-charles-michel",
        "kzr:visit-josep-borrell",
        "kzr:anniversary-30-diplomatic-relations",
        "kzr:visit-ursula-von-der-leyen",
        "kzr:briefing",
        "kzr:brexit",
    ]
    dates = [
        td.text
        for td in browser.find_elements(By.CSS_SELECTOR, "#table-wrap tbody tr td:nth-child(4)")
    ]
    assert [d.split(" ")[0] for d in dates] == [
        "1993", "2020-03", "2022", "2022-10", "2022-11", "2023", "2023", "2023-03-10", "",
    ]  # fmt: skip
    assert browser.find_element(By.ID, "status").text.startswith("9 row(s)")
    screenshot(browser, "server-query-page.png", tmp_path)

    # an ad-hoc query, typed into the editor; the page keeps it in its URL
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys("SELECT ?label WHERE { kzr:visit-charles-michel rdfs:label ?label }")
    browser.find_element(By.ID, "run-query").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "status").text.startswith("1 row(s)"))
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#table-wrap tbody td")]
    assert cells == ["Visit of Charles Michel to Astana @en"]
    assert "/sparql?query=SELECT" in browser.current_url

    # markup in the data stays text
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys('SELECT ?x WHERE { BIND("<img src=x onerror=alert(1)><b>bold</b>" AS ?x) }')
    browser.find_element(By.ID, "run-query").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "status").text.startswith("1 row(s)"))
    cell = browser.find_element(By.CSS_SELECTOR, "#table-wrap tbody td")
    assert cell.text == "<img src=x onerror=alert(1)><b>bold</b>"
    assert cell.find_elements(By.TAG_NAME, "img") == []
    assert cell.find_elements(By.TAG_NAME, "b") == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018

    # an error from the server is shown as one line
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    browser.find_element(By.ID, "run-query").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#status .error"))
    assert browser.find_element(By.CSS_SELECTOR, "#status .error").text == (
        "Error 400: SERVICE is refused: queries may not call remote endpoints"
    )
    urls = requested_urls(browser)
    assert urls, "the browser requested nothing"
    assert all(url.startswith(server.base + "/") for url in urls), urls
    errors = [
        e
        for e in browser.get_log("browser")
        if e["level"] == "SEVERE" and "400" not in e["message"]
    ]
    assert errors == []
