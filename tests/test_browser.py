"""End to end in a real headless Chromium: type a query, apply a filter, open an entry, follow a citation."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Debian chromium and chromium-driver are not installed (make test installs them where apt-get works)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tiny_index):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "search_app", "serve", "--index", str(tiny_index),
                             "--port", str(port), "--threads", "4"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=412,915",  # a phone-sized window
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_search_filter_open_entry_and_follow_a_citation(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def wait_for_url(part):  # each step is a page load: wait for it, not for a fixed time
        WebDriverWait(browser, 20).until(lambda d: part in d.current_url and
                                         d.execute_script("return document.readyState") == "complete")

    browser.get(server + "/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("chu thap do")  # typed without diacritics
    box.send_keys(Keys.ENTER)
    wait_for_url("q=chu+thap+do")
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".hit h2 a")]
    assert "Thanh Hóa ban hành Kế hoạch tăng cường sự lãnh đạo của Đảng đối với công tác của Hội Chữ thập đỏ " \
           "Việt Nam trong tình hình mới" in titles
    assert len(titles) > 1
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, ".snippet mark")]
    assert {"Chữ", "thập", "đỏ"} <= set(marks)

    Select(browser.find_element(By.ID, "f-kind")).select_by_visible_text("Bài viết")
    browser.find_element(By.ID, "apply").click()
    wait_for_url("kind=article")
    assert "q=chu+thap+do" in browser.current_url
    hits = browser.find_elements(By.CSS_SELECTOR, ".hit h2 a")
    assert len(hits) == 1
    assert browser.find_element(By.CSS_SELECTOR, ".count strong").text == "1"

    hits[0].click()
    wait_for_url("/entry/")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Thanh Hóa ban hành Kế hoạch")
    assert browser.find_element(By.CSS_SELECTOR, "#cites h2").text == "Văn bản được trích dẫn (6)"

    browser.find_element(By.LINK_TEXT, "Chỉ thị số 43-CT/TW").click()
    wait_for_url("/van-ban/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Chỉ thị số 43-CT/TW"
    assert browser.find_element(By.CSS_SELECTOR, "#cited-by h2").text == "Được trích dẫn bởi (1)"
    assert browser.current_url.endswith("/van-ban/43-CT/TW")
