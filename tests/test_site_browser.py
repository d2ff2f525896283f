"""The public site in a real browser (#15): headless Chromium at a phone's and a
desktop's width, screenshots kept under the test's folder, no console error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.site import build
from storage.db import Database
from tests.loopback_http import serving
from tests.test_site import check_site

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PAGES = ("en/index.html", "en/members/KEN.html", "en/commitments/KE0012.html")
WIDTHS = (360, 1280)

pytestmark = [
    pytest.mark.sqlite_only("one browser run is enough; the pages' data is checked on both"),
    pytest.mark.skipif(
        not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
        reason="Chromium is not installed (apt-get install chromium chromium-driver)",
    ),
]


@pytest.fixture
def served(demo_db: Database, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    site = tmp_path / "site"
    build(demo_db, site)
    with serving(site) as address:
        yield site, f"{address}/"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def test_pages_render_at_phone_and_desktop_widths_without_errors(
    served: tuple[Path, str], browser, tmp_path: Path
) -> None:
    site, base = served
    check_site(site)  # valid HTML, < 100 KB, every internal link resolves
    shots = tmp_path / "screenshots"
    shots.mkdir()
    for width in WIDTHS:
        browser.set_window_size(width, 900)
        for relative in PAGES:
            browser.get(base + relative)
            assert browser.find_element("tag name", "h1").text
            # Usable on a phone: nothing wider than the window (no sideways scrolling).
            scroll = browser.execute_script("return document.documentElement.scrollWidth")
            inner = browser.execute_script("return window.innerWidth")
            assert scroll <= inner, f"{relative} at {width}px: {scroll}px wide"
            severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
            assert severe == [], f"{relative} at {width}px: {severe}"
            name = relative.replace("/", "_").replace(".html", "")
            browser.save_screenshot(str(shots / f"{name}-{width}.png"))
    # Links followed in the browser land on real pages (no 404 from the server).
    browser.get(base + "en/index.html")
    browser.find_element("link text", "Kenya").click()
    assert browser.current_url.endswith("/en/members/KEN.html")
    assert "Kenya" in browser.find_element("tag name", "h1").text
    assert len(list(shots.glob("*.png"))) == len(PAGES) * len(WIDTHS)
