"""A provincial administrator manages the catalog and the calendar in a real browser."""

import os

import pytest

from motcua.demo.services import DEMO_PASSWORD, load_demo
from tests.e2e.conftest import give_second_factor

pytestmark = pytest.mark.live
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture
def demo(transactional_db):
    load_demo()


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    give_second_factor(page, username)


def test_administrator_finds_a_procedure_and_adds_a_holiday(demo, live_server, page):
    _log_in(page, live_server, "quantri")
    assert "Quản trị" in page.content()
    page.goto(f"{live_server.url}/admin/catalog/procedureversion/?q=khai+sinh")
    assert "khai sinh" in page.inner_text("#result_list").lower()
    page.goto(f"{live_server.url}/admin/workdays/calendaroverride/add/")
    page.fill("#id_day", "23/02/2026")
    page.select_option("#id_kind", "holiday")
    page.fill("#id_note", "Nghỉ do bão (Công văn 15/UBND-VP)")
    page.click("input[name=_save]")
    assert "23/02/2026" in page.inner_text("#result_list")
    answer = page.request.get(
        f"{live_server.url}/api/v1/workdays/deadline?start=2026-02-13T09:00&amount=3&unit=working_days"
    ).json()
    assert answer["due"] == "2026-02-26T09:00:00+07:00"


def test_a_receptionist_is_kept_out_of_the_admin(demo, live_server, page):
    _log_in(page, live_server, "tiepnhan.tinh")
    assert "/admin/login/" in page.url
