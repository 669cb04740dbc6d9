"""The console in a real headless Chromium (Debian's chromium + chromedriver, driven by Selenium) against the
local stack: sign in by the fragment link, watch an event's deliveries reach their final states live,
acknowledge, edit a template and see its preview, sign out. A screenshot per view goes to
tests/artifacts/console/ (ignored by git)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.e2e.conftest import LocalStack
from tests.support.receiver import Receiver, Reply

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "console"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1100,760",
)


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    profile = tempfile.mkdtemp(prefix="herald-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait(driver: WebDriver, check: Callable[[WebDriver], Any], timeout: float = 30.0) -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(check)


def shot(driver: WebDriver, name: str) -> None:
    """The whole page: the window is grown to the document's height first."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = int(script(driver, "return document.documentElement.scrollHeight"))
    driver.set_window_size(1100, min(max(height + 140, 400), 2400))
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def visible(driver: WebDriver, css: str) -> WebElement | None:
    found = [e for e in driver.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]
    return found[0] if found else None


def delivery_states(driver: WebDriver) -> dict[str, str]:
    rows = driver.find_elements(By.CSS_SELECTOR, "#deliveries-table tbody tr")
    return {row.find_elements(By.TAG_NAME, "td")[0].text: str(row.get_attribute("data-status")) for row in rows}


def script(driver: WebDriver, source: str) -> Any:
    return driver.execute_script(source)  # type: ignore[no-untyped-call]


def confirm(driver: WebDriver) -> None:
    wait(driver, lambda d: d.find_element(By.ID, "confirm").get_attribute("open") is not None)
    driver.find_element(By.ID, "confirm-ok").click()


def test_console_signs_in_watches_deliveries_acknowledges_edits_a_template_and_signs_out(
    stack: LocalStack, browser: WebDriver
) -> None:
    good, failing = Receiver(), Receiver()
    failing.default = Reply(status=400, body=b"bad hook")  # a permanent failure
    try:
        _, token = stack.new_org_token()
        for name, receiver in (("good hook", good), ("failing hook", failing)):
            body = {"name": name, "strategy": "webhook", "url": receiver.url()}
            assert stack.call("POST", "/v1/alerts", token, body).status == 201

        # Sign in with the fragment link: the key leaves the address bar and lives in sessionStorage.
        browser.get(f"{stack.api_url}/console#key={token}")
        wait(browser, lambda d: d.find_element(By.ID, "nav").is_displayed())
        assert "key=" not in browser.current_url
        assert script(browser, "return sessionStorage.getItem('herald.apiKey')") == token
        script(browser, "window.heraldNoReload = true")  # gone if the page ever reloads

        # An event fans out to both receivers; the events view shows it without a reload.
        event = {"monitorId": "mon_console", "status": "triggered", "severity": "critical", "title": "checkout down"}
        answer = stack.call("POST", "/v1/events", token, event)
        assert answer.status == 202, answer.body
        event_id = answer.json()["id"]
        row = f'#events-table tr[data-event-id="{event_id}"]'
        wait(browser, lambda d: visible(d, row))
        wait(browser, lambda d: "delivered" in d.find_element(By.CSS_SELECTOR, f"{row} .counts").text)
        shot(browser, "events")
        # Filters: severity in the page, status on the server; the row leaves and comes back.
        severity = Select(browser.find_element(By.CSS_SELECTOR, '#event-filters select[name="severity"]'))
        severity.select_by_visible_text("info")
        wait(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, row))
        severity.select_by_visible_text("any")
        wait(browser, lambda d: visible(d, row))
        status = Select(browser.find_element(By.CSS_SELECTOR, '#event-filters select[name="status"]'))
        status.select_by_visible_text("recovered")
        wait(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, row))
        status.select_by_visible_text("any")
        wait(browser, lambda d: visible(d, row))

        browser.find_element(By.CSS_SELECTOR, f"{row} a").click()
        wait(browser, lambda d: d.find_element(By.ID, "event-title").text == "checkout down")
        states = wait(
            browser,
            lambda d: (s := delivery_states(d)) == {"good hook": "delivered", "failing hook": "failed"} and s,
            timeout=40,
        )
        assert states
        failed_row = browser.find_element(By.CSS_SELECTOR, '#deliveries-table tr[data-status="failed"]')
        assert "HTTP 400" in failed_row.text
        assert script(browser, "return window.heraldNoReload") is True
        assert len(good.received) == 1 and good.received[0].headers["webhook-id"] in browser.page_source
        shot(browser, "event-detail")
        browser.set_window_size(390, 844)  # a phone: the page reflows, only tables scroll sideways
        assert script(browser, "return document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert browser.find_element(By.ID, "acknowledge").is_displayed()
        driver_shot = ARTIFACTS / "event-detail-phone.png"
        browser.save_screenshot(str(driver_shot))
        browser.set_window_size(1100, 760)

        browser.find_element(By.ID, "acknowledge").click()
        confirm(browser)
        wait(browser, lambda d: d.find_element(By.ID, "status").text == "Acknowledged.")

        # Templates: edit the webhook template and see the preview rendered from the latest event.
        browser.find_element(By.CSS_SELECTOR, 'nav a[data-view="templates"]').click()
        wait(browser, lambda d: d.find_element(By.ID, "view-templates").is_displayed())
        Select(browser.find_element(By.ID, "tpl-kind")).select_by_visible_text("webhook")
        wait(browser, lambda d: "No webhook template saved" in d.find_element(By.ID, "status").text)
        editor = browser.find_element(By.ID, "tpl-body")
        editor.send_keys('{"alert": "{{ title }} ({{ severity }})"}')
        wait(browser, lambda d: '"alert": "checkout down (critical)"' in d.find_element(By.ID, "preview-body").text)
        assert browser.find_element(By.ID, "preview-line").text == "POST https://example.com/***"
        shot(browser, "templates")
        browser.find_element(By.ID, "tpl-save").click()
        wait(browser, lambda d: d.find_element(By.ID, "status").text.startswith("Template saved"))
        saved = stack.call("GET", "/v1/templates/webhook", token)
        assert saved.status == 200 and saved.json()["body"] == '{"alert": "{{ title }} ({{ severity }})"}'
        editor.send_keys(" {{ nope(")
        wait(browser, lambda d: "line 1" in d.find_element(By.ID, "error").text)
        shot(browser, "templates-error")

        browser.find_element(By.CSS_SELECTOR, 'nav a[data-view="destinations"]').click()
        wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#destinations-table tbody tr")) == 2)
        table_text = browser.find_element(By.ID, "destinations-table").text
        assert "good hook" in table_text and "failing hook" in table_text and "50 % of" not in table_text
        assert "127.0.0.1" not in table_text  # no destination URL (a secret) is ever rendered
        shot(browser, "destinations")

        browser.find_element(By.CSS_SELECTOR, 'nav a[data-view="overview"]').click()
        wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart svg rect"))
        assert "Bar chart: 2 deliveries" in str(
            browser.find_element(By.CSS_SELECTOR, "#chart svg").get_attribute("aria-label")
        )
        assert "webhook" in browser.find_element(By.ID, "dlq-body").text  # an all-scope key is an operator key
        shot(browser, "overview")

        browser.find_element(By.ID, "sign-out").click()
        wait(browser, lambda d: d.find_element(By.ID, "view-signin").is_displayed())
        assert script(browser, "return sessionStorage.getItem('herald.apiKey')") is None
        assert not browser.find_element(By.ID, "nav").is_displayed()
        shot(browser, "signed-out")
    finally:
        good.close()
        failing.close()


def test_console_greys_out_what_the_key_cannot_do_and_words_a_refused_key(
    stack: LocalStack, browser: WebDriver
) -> None:
    _, token = stack.new_org_token("events:read")
    browser.get(f"{stack.api_url}/console#key={token}")
    wait(browser, lambda d: d.find_element(By.ID, "nav").is_displayed())
    templates = browser.find_element(By.CSS_SELECTOR, 'nav a[data-view="templates"]')
    assert "denied" in str(templates.get_attribute("class"))
    assert "needs templates:read" in templates.text
    assert templates.get_attribute("title") == "Needs the templates:read scope"
    # Keyboard: the skip link comes first, then the views; Enter opens one.
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Skip to content"
    browser.switch_to.active_element.send_keys(Keys.TAB, Keys.TAB, Keys.TAB, Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("data-view") == "overview"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser, lambda d: "needs the operator:read scope" in d.find_element(By.ID, "dlq-body").text)
    browser.get(f"{stack.api_url}/console#key=hrld_not-a-real-key-000000")
    wait(browser, lambda d: d.find_element(By.ID, "view-signin").is_displayed())
    wait(browser, lambda d: "API key was refused" in d.find_element(By.ID, "error").text)
