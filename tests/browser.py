"""Find and launch a headless Chromium for the browser tests (selenium + chromedriver).

Looks for the browser and its driver in ``CHROMIUM_BIN`` / ``CHROMEDRIVER_BIN``, then the usual
Debian paths (``/usr/bin/chromium``, ``/usr/bin/chromedriver``), then ``PATH``. When either is
missing the tests skip with :data:`INSTALL_HINT`.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

INSTALL_HINT = ("headless Chromium not found: install it with "
                "`sudo apt-get update && sudo apt-get install -y chromium chromium-driver` "
                "(or set CHROMIUM_BIN and CHROMEDRIVER_BIN), and `pip install selenium`")

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1600")


def _find(env: str, names: tuple[str, ...], paths: tuple[str, ...]) -> str | None:
    cand = os.environ.get(env)
    if cand and Path(cand).exists():
        return cand
    for p in paths:
        if Path(p).exists():
            return p
    for n in names:
        w = shutil.which(n)
        if w:
            return w
    return None


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary, or None."""
    return _find("CHROMIUM_BIN", ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"),
                 ("/usr/bin/chromium", "/usr/bin/chromium-browser"))


def find_chromedriver() -> str | None:
    """Path of chromedriver, or None."""
    return _find("CHROMEDRIVER_BIN", ("chromedriver",), ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"))


def missing_reason() -> str | None:
    """Why the browser tests cannot run (None when they can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return INSTALL_HINT
    if not find_chromium() or not find_chromedriver():
        return INSTALL_HINT
    return None


def launch(width: int = 1280, height: int = 1600, offline: bool = True):
    """A headless Chromium WebDriver with browser console logging and (by default) no network.

    The caller quits it. The profile lives in a temporary folder removed on ``quit()``.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = find_chromium()
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    for f in FLAGS:
        if f.startswith("--window-size"):
            f = f"--window-size={width},{height}"
        opts.add_argument(f)
    opts.add_argument(f"--user-data-dir={profile}")
    # belt and braces: no proxy resolution, nothing reachable
    opts.add_argument("--proxy-server=127.0.0.1:9")
    opts.add_argument("--proxy-bypass-list=<-loopback>")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(find_chromedriver()))
    if offline:
        try:
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
                "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
        except Exception:  # older drivers: the proxy flag above still blocks the network
            pass
    quit_ = driver.quit

    def quit_and_clean():
        try:
            quit_()
        finally:
            shutil.rmtree(profile, ignore_errors=True)

    driver.quit = quit_and_clean
    return driver
