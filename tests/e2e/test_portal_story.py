"""The whole story in a real browser: a citizen registers and submits online, the desk receives,
a specialist forwards, the leader resolves, the desk returns, the citizen sees the result and rates."""

import os
import re

import pytest

from tests.e2e.conftest import log_in, log_out, show_action

pytestmark = pytest.mark.live
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def act(page, action: str, fill: dict | None = None) -> None:
    show_action(page, action)
    for selector, value in (fill or {}).items():
        page.fill(selector, value)
    page.click(f"button[data-action='{action}']")
    page.wait_for_load_state()


def test_citizen_to_result_and_rating(demo_world, live_server, page, pdf):
    base = live_server.url
    # register
    page.goto(f"{base}/dang-ky/")
    page.fill("#id_full_name", "Nguyễn Thị Mai")
    page.fill("#id_national_id", "080195000321")
    page.fill("#id_phone", "0987 654 321")
    page.fill("#id_email", "mai@example.vn")
    page.fill("#id_password1", "Kh0ng-de-doan!")
    page.fill("#id_password2", "Kh0ng-de-doan!")
    page.click("main button[type=submit]")
    # the same answer whether the number had an account or not: log in next (the number is prefilled)
    assert "/dang-nhap/" in page.url and page.input_value("#id_username") == "080195000321"
    page.fill("#id_password", "Kh0ng-de-doan!")
    page.click("main button[type=submit]")
    assert "/ho-so-cua-toi/" in page.url
    # find the procedure without diacritics and submit it online
    page.goto(f"{base}/thu-tuc/?q=dang+ky+khai+sinh")
    page.click("text=Thủ tục đăng ký khai sinh >> nth=0")
    page.click("a.button[href$='/nop/']")
    assert page.input_value("#id_name") == "Nguyễn Thị Mai"  # prefilled from the account
    page.select_option("#id_commune", "27712")
    page.click("main button[type=submit]")
    page.fill("#id_ho_ten_tre", "Nguyễn Minh An")
    page.fill("#id_ngay_sinh", "2026-11-01")
    page.select_option("#id_gioi_tinh", "Nam")
    page.fill("#id_noi_sinh", "Bệnh viện Đa khoa Long An")
    page.fill("#id_ho_ten_me", "Nguyễn Thị Mai")
    page.select_option("#id_quan_he", "Mẹ")
    page.click("main button[type=submit]")
    for field in page.locator("input[type=file]").all():
        field.set_input_files(pdf)
    page.click("main button[type=submit]")
    assert "Nguyễn Minh An" in page.content()
    page.click("main button[type=submit]")
    code = page.inner_text("#dossier-code")
    assert re.fullmatch(r"000\.01\.31\.H53-\d{6}-\d{4}", code)
    log_out(page)

    # the commune desk receives and forwards; the civil servant forwards; the chairman resolves
    log_in(page, base, "tanan.tiepnhan")
    page.goto(f"{base}/mot-cua/?status=1")
    page.click(f"text={code}")
    act(page, "receive")
    assert page.inner_text("#status") in ("Được tiếp nhận", "Received")
    act(page, "forward")
    log_out(page)
    log_in(page, base, "tanan.congchuc")
    page.goto(f"{base}/mot-cua/ho-so/{code}/")
    act(page, "forward", {"#id_forward-comment": "Hồ sơ hợp lệ"})
    log_out(page)
    log_in(page, base, "tanan.chutich")
    page.goto(f"{base}/mot-cua/ho-so/{code}/")
    act(
        page,
        "resolve",
        {
            "#id_resolve-result_code": "GKS",
            "#id_resolve-result_name": "Giấy khai sinh",
            "#id_resolve-number": "123/2026",
        },
    )
    log_out(page)
    log_in(page, base, "tanan.tiepnhan")
    page.goto(f"{base}/mot-cua/ho-so/{code}/")
    show_action(page, "return")
    page.select_option("#id_return-method", "online")
    page.click("button[data-action='return']")
    page.wait_for_load_state()
    log_out(page)

    # the citizen sees the result and rates the service
    log_in(page, base, "080195000321", "Kh0ng-de-doan!")
    page.goto(f"{base}/ho-so-cua-toi/{code}/")
    assert "Giấy khai sinh" in page.content()
    page.check("#rating input[value='3']")
    page.click("#rating button[type=submit]")
    assert "Rất hài lòng" in page.inner_text("#rating") or "Very satisfied" in page.inner_text("#rating")
