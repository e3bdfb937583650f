"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

They run in their own pytest invocation (`-m live`) because the live server needs a
transactional database, which is flushed after each test.
"""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_world(transactional_db):
    from motcua.demo.services import load_demo

    load_demo()


@pytest.fixture
def pdf(tmp_path):
    path = tmp_path / "giay-chung-sinh.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return str(path)


def log_in(page, base: str, username: str, password: str = "Motcua@2026") -> None:
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    give_second_factor(page, username)


def give_second_factor(page, username: str) -> None:
    """On the verification page, type the code the account's authenticator app would show now (the
    demo accounts that need one share the published demo secret)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from motcua.identity.testing import current_code

    if "/xac-thuc/" not in page.url:
        return
    page.fill("#id_code", current_code(TOTPDevice.objects.get(user__username=username, confirmed=True)))
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def log_out(page) -> None:
    page.click("header form[action$='/dang-xuat/'] button")
    page.wait_for_load_state()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page (expected: none)."""
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}" for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]


def show_action(page, action: str) -> None:
    """Bring an action's form into view on the back-office dossier page: the action the process
    expects next is already open; the others are folded under "Thao tác khác", each in its panel."""
    button = page.locator(f"button[data-action='{action}']")
    if button.is_visible():
        return
    more = page.locator(f"details.more-actions:has(button[data-action='{action}'])")
    if more.count() and more.get_attribute("open") is None:
        more.locator(":scope > summary").click()
    panel = page.locator(f"details.action:has(button[data-action='{action}'])")
    if panel.get_attribute("open") is None:
        panel.locator(":scope > summary").click()
