"""Issue 13, items 9–13 in a real browser: a phone shows tables as cards and the header in two lines, the
error summary takes the focus and leads to the field, tracking takes a code in lower case with spaces, the
error pages speak Vietnamese, touch targets are 44 px, and axe finds nothing serious on these pages."""

import os

import pytest

from tests.e2e.conftest import log_in, log_out, serious_violations
from tests.web.test_finding_and_forms import birth_dossier  # taken in at the Tân An desk

pytestmark = pytest.mark.live
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


def shows_cards(page) -> bool:
    """Rows are blocks with their column's name before each value, and the header row is out of sight."""
    return page.evaluate(
        """() => {
          const table = document.querySelector('table.cards');
          const row = table.querySelector('tbody tr'), cell = row.querySelector('td');
          const label = getComputedStyle(cell, '::before').content;
          return getComputedStyle(row).display === 'block' && label.length > 2
            && table.querySelector('thead').getBoundingClientRect().height <= 1
            && document.documentElement.scrollWidth <= window.innerWidth;
        }"""
    )


def header_lines(page) -> int:
    """How many lines the header takes: the brand's, plus the distinct tops of the menu's items."""
    return page.evaluate(
        """() => {
          const items = [...document.querySelectorAll('header.site nav li')];
          const tops = new Set(items.map(li => li.getBoundingClientRect().top));
          return 1 + tops.size;
        }"""
    )


def test_a_phone_shows_tables_as_cards_and_the_header_in_two_lines(demo_world, live_server, phone):
    base = live_server.url
    birth_dossier()  # one dossier in the inbox
    phone.goto(f"{base}/thu-tuc/?q=khai+sinh")
    assert shows_cards(phone) and header_lines(phone) == 2
    assert serious_violations(phone) == []
    log_in(phone, base, "tanan.tiepnhan")
    phone.goto(f"{base}/mot-cua/")
    assert shows_cards(phone) and header_lines(phone) == 2
    assert serious_violations(phone) == []
    # the desktop keeps its table
    phone.set_viewport_size({"width": 1280, "height": 900})
    assert phone.evaluate("getComputedStyle(document.querySelector('table.cards tbody tr')).display") == "table-row"


def test_the_error_summary_takes_the_focus_and_leads_to_the_field(demo_world, live_server, phone):
    phone.goto(f"{live_server.url}/dang-ky/")
    phone.fill("#id_full_name", "Nguyễn Thị Mai")
    phone.fill("#id_national_id", "080 195 000 32")
    phone.fill("#id_phone", "0987 654 321")
    phone.fill("#id_password1", "Kh0ng-de-doan!")
    phone.fill("#id_password2", "Kh0ng-de-doan!")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    summary = phone.locator("[data-error-summary]")
    assert "Có lỗi cần sửa" in summary.inner_text()
    assert phone.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert summary.bounding_box()["y"] < PHONE["height"]  # in sight, not below the fold
    phone.click("[data-error-summary] a[href='#id_national_id']")
    assert phone.evaluate("document.activeElement.id") == "id_national_id"
    assert phone.input_value("#id_national_id") == "080 195 000 32"  # what was typed is kept
    assert phone.get_attribute("#id_national_id", "inputmode") == "numeric"
    assert serious_violations(phone) == []
    # the same number typed in groups is accepted
    phone.fill("#id_national_id", "080 195 000 321")
    phone.fill("#id_password1", "Kh0ng-de-doan!")
    phone.fill("#id_password2", "Kh0ng-de-doan!")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    assert "/dang-nhap/" in phone.url and phone.input_value("#id_username") == "080195000321"


def test_tracking_accepts_a_lower_case_code_with_spaces(demo_world, live_server, phone):
    code = birth_dossier().code
    phone.goto(f"{live_server.url}/tra-cuu/")
    phone.fill("#id_code", f"  {code.lower()}  ")
    phone.fill("#id_phone", "0912 345 678")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    assert phone.inner_text("#status") in ("Được tiếp nhận", "Received")
    assert code in phone.inner_text("main h2")
    assert serious_violations(phone) == []


def test_the_desk_opens_a_dossier_by_its_short_form_and_is_told_when_out_of_scope(demo_world, live_server, page):
    base = live_server.url
    code = birth_dossier().code
    log_in(page, base, "tanan.tiepnhan")
    page.fill("#ma", code.split("-", 1)[1])
    page.click("form[role=search] button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/mot-cua/ho-so/{code}/")
    page.goto(f"{base}/mot-cua/")
    page.fill("#ma", "000.00.01.h53-261130-0001")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_load_state()
    assert "Hồ sơ không thuộc phạm vi của bạn hoặc không tồn tại" in page.inner_text("[data-error-summary]")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert serious_violations(page) == []


def test_the_404_page_is_vietnamese_with_a_way_back(demo_world, live_server, phone):
    response = phone.goto(f"{live_server.url}/khong-co-trang-nay/")
    assert response.status == 404
    assert phone.inner_text("main h1") == "Không tìm thấy trang"
    assert phone.locator("main a[href='/']").count() == 1
    assert phone.locator("header.site").count() == 1
    assert serious_violations(phone) == []


def test_radio_buttons_and_file_inputs_are_44_px_targets(demo_world, live_server, phone):
    from motcua.identity.models import User

    user = User.objects.create_user("080195000555", password="Kh0ng-de-doan!", kind="citizen", phone="0912345678")
    assert user.pk
    base = live_server.url
    log_in(phone, base, "080195000555", "Kh0ng-de-doan!")
    phone.goto(f"{base}/thu-tuc/1.001193/nop/?buoc=3")
    for box in [f.bounding_box() for f in phone.locator("main input[type=file]").all()]:
        assert box["height"] >= 44
    phone.click("main button[type=submit]")  # nothing attached: the summary links to each missing document
    phone.wait_for_load_state()
    assert phone.locator("[data-error-summary] a[href^='#tp_']").count() >= 1
    assert serious_violations(phone) == []
    log_out(phone)  # the logout button sits in the menu, which scrolls sideways on a phone
    log_in(phone, base, "tanan.tiepnhan")
    for label in phone.locator("form label.inline").all():
        assert label.bounding_box()["height"] >= 44
