"""Helpers for the browser journeys: the demo index, a real server, headless Chromium, axe-core, screenshots.

Chromium, chromedriver and axe-core are installed by ``make test`` (the ``browser`` target); a
journey skips only when they are truly missing, and says which one.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from pathlib import Path

import pytest

from servers import serving

REPO = Path(__file__).resolve().parent.parent
DEMO_CORPUS = REPO / "corpus"
SCREENSHOTS = REPO / "var" / "screenshots"   # kept after the run (var/ is git-ignored)
AXE_JS = REPO / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
BAD_IMPACTS = ("serious", "critical")


def require_browser(axe: bool = True) -> None:
    """Skip, naming what is missing, when chromium, chromedriver or (with ``axe``) axe-core is not installed."""
    missing = [name for name, ok in (("chromium", CHROMIUM), ("chromium-driver", CHROMEDRIVER),
                                     (f"axe-core ({AXE_JS})", AXE_JS.exists() or not axe)) if not ok]
    if missing:
        pytest.skip("not installed: " + ", ".join(missing) + " (`make browser` installs them where apt-get "
                    "and npm work)")


def build_demo_index(dest: Path) -> Path:
    """A real index of the demonstration corpus (``corpus/``) at ``dest``."""
    from indexer.index.build import build

    build([DEMO_CORPUS], dest, jobs=1)
    return dest


@contextlib.contextmanager
def running_server(index: Path):
    """``python -m search_app serve`` on a free port (``servers.serving``: fails, never hangs, if it
    does not answer /healthz); yields its base URL."""
    with tempfile.TemporaryDirectory() as tmp, serving(index, Path(tmp) / "server.log") as server:
        yield f"http://127.0.0.1:{server.port}"


def chromium(profile: Path, width: int = 1280, height: int = 900):
    """A headless Chromium driven by selenium, ``width`` × ``height`` CSS pixels."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--lang=vi", f"--window-size={width},{height}",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    return driver


def set_viewport(driver, width: int, height: int, mobile: bool) -> None:
    """Emulate a screen of exactly ``width`` × ``height`` CSS pixels (a phone when ``mobile``)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def axe_problems(driver) -> list[dict]:
    """axe-core's serious and critical violations on the current page (``[]`` when there are none)."""
    driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)),"
        " e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}])));")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in json.loads(result) if v["impact"] in BAD_IMPACTS]


def screenshot(driver, name: str) -> Path:
    """Save the current page as ``var/screenshots/<name>.png`` and return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
