"""End to end in a real headless Chromium: type a query, apply a filter, open an entry, follow a citation."""

import pytest

from journeys_support import chromium, require_browser, running_server


@pytest.fixture(scope="module")
def server(tiny_index):
    require_browser(axe=False)
    with running_server(tiny_index) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server, tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium"), 412, 915)  # a phone-sized window
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

    browser.find_element(By.CSS_SELECTOR, "details#filters summary").click()  # the filter panel opens
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

    browser.find_element(By.LINK_TEXT, "Chỉ thị số 43-CT/TW").click()  # to the entry the citation points to
    wait_for_url("/entry/cite:")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Chỉ thị số 43-CT/TW"
    assert browser.find_element(By.CSS_SELECTOR, "#cited-by h2").text == "Được trích dẫn bởi (1)"
    assert browser.current_url.endswith("/entry/cite:43-ct/tw")
