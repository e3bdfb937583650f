"""Counter intake, a supplement request answered online, tracking without login, accessibility."""

import os

import pytest

from tests.e2e.conftest import log_in, log_out, serious_violations, show_action

pytestmark = pytest.mark.live
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def intake(page, base, pdf, procedure="2.001610", phone="0912 000 111") -> str:
    page.goto(f"{base}/mot-cua/tiep-nhan/?q=thanh+lap+doanh+nghiep+tu+nhan")
    page.click(f"a[href='?thu_tuc={procedure}']")
    page.select_option("#id_nn-applicant_type", "2")
    page.fill("#id_nn-name", "Doanh nghiệp tư nhân Hòa Thành")
    page.fill("#id_nn-id_number", "3901234567")
    page.fill("#id_nn-phone", phone)
    page.fill("#tk_ten_doanh_nghiep", "DNTN Hòa Thành")
    page.fill("#tk_dia_chi_tru_so", "Phường Hoà Thành, Tây Ninh")
    page.fill("#tk_nganh_nghe", "Bán lẻ")
    page.fill("#tk_von_dau_tu", "500000000")
    page.locator("input[type=file]").first.set_input_files(pdf)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    return page.url.rstrip("/").rsplit("/", 1)[1]


def test_counter_intake_issues_a_receipt_with_an_appointment(demo_world, live_server, page, pdf):
    log_in(page, live_server.url, "tiepnhan.tinh")
    code = intake(page, live_server.url, pdf)
    assert code.startswith("000.00.01.H53-")
    assert page.inner_text("#status") in ("Được tiếp nhận", "Received")
    assert "Appointment" in page.content() or "hẹn" in page.content().lower()


def test_form_errors_are_shown_next_to_the_field_and_data_is_kept(demo_world, live_server, page):
    log_in(page, live_server.url, "tiepnhan.tinh")
    page.goto(f"{live_server.url}/mot-cua/tiep-nhan/?thu_tuc=2.001610")
    page.fill("#id_nn-name", "Công ty A")
    page.fill("#id_nn-phone", "12")
    page.click("main form button[type=submit]")
    assert page.input_value("#id_nn-name") == "Công ty A"
    assert page.locator("#id_nn-phone_error").is_visible()


def test_supplement_requested_and_answered_online(demo_world, live_server, page, pdf):
    base = live_server.url
    log_in(page, base, "tiepnhan.tinh")
    code = intake(page, base, pdf)
    log_out(page)
    # the applicant has an account: the desk's dossier is not theirs, so use tracking for it …
    log_in(page, base, "dkkd.chuyenvien")
    page.goto(f"{base}/mot-cua/ho-so/{code}/")
    assert page.locator("button[data-action='request-supplement']").count() == 0  # still at the desk
    log_out(page)
    log_in(page, base, "tiepnhan.tinh")
    page.goto(f"{base}/mot-cua/ho-so/{code}/")
    show_action(page, "forward")
    page.click("button[data-action='forward']")
    log_out(page)
    log_in(page, base, "dkkd.chuyenvien")
    page.goto(f"{base}/mot-cua/ho-so/{code}/")
    show_action(page, "request-supplement")
    page.fill("#id_request-supplement-items", "Điều lệ doanh nghiệp\nBản sao CCCD của chủ doanh nghiệp")
    page.fill("#id_request-supplement-reason", "Hồ sơ thiếu giấy tờ")
    page.click("button[data-action='request-supplement']")
    page.wait_for_load_state()
    assert page.inner_text("#status") in ("Yêu cầu bổ sung", "Supplement requested")
    # … and anyone can see the request by tracking it
    log_out(page)
    page.goto(f"{base}/tra-cuu/?code={code}&phone=0912000111")
    assert page.inner_text("#status") in ("Yêu cầu bổ sung", "Supplement requested")
    assert "Doanh nghiệp tư nhân Hòa Thành" not in page.content()  # no personal data


def test_citizen_answers_a_supplement_request(demo_world, live_server, page, pdf):
    from motcua.dossiers import services
    from motcua.identity.models import User

    base = live_server.url
    citizen = User.objects.create_user(
        "080190000777", password="Mat-khau-2026", kind="citizen", full_name="Lê Văn Bổ", phone="0909123456"
    )
    desk = User.objects.get(username="tanan.tiepnhan")
    dossier = services.submit(
        citizen,
        services.Submission(
            procedure_code="1.000656",
            applicant_type=1,
            applicant_name="Lê Văn Bổ",
            applicant_phone="0909123456",
            commune_code="27712",
            components=[{"code": c.code} for c in _required("1.000656")],
            form_data={"ho_ten_nguoi_chet": "Lê Văn Cũ", "ngay_chet": "2026-11-20", "noi_chet": "Tân An"},
        ),
    )
    services.request_supplement(dossier.code, desk, items=["Giấy báo tử (bản chính)"], reason="Thiếu giấy báo tử")
    log_in(page, base, "080190000777", "Mat-khau-2026")
    page.goto(f"{base}/ho-so-cua-toi/{dossier.code}/")
    assert "Giấy báo tử (bản chính)" in page.inner_text("#supplement")
    page.locator("#supplement input[type=file]").first.set_input_files(pdf)
    page.click("#supplement button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#status") in ("Mới đăng ký", "Newly submitted")
    assert page.locator("#supplement").count() == 0


def _required(code):
    from motcua.catalog.selectors import version_in_force

    return [c for c in version_in_force(code).components.all() if c.required]


PAGES = ["/", "/thu-tuc/?q=khai+sinh", "/thu-tuc/1.001193/", "/tra-cuu/", "/dang-nhap/", "/dang-ky/"]
STAFF_PAGES = ["/mot-cua/", "/mot-cua/tiep-nhan/?thu_tuc=2.001610"]


def test_main_pages_have_no_serious_accessibility_violations(demo_world, live_server, page, pdf):
    base = live_server.url
    problems = {}
    for path in PAGES:
        page.goto(base + path)
        problems[path] = serious_violations(page)
    log_in(page, base, "tiepnhan.tinh")
    code = intake(page, base, pdf)
    for path in [*STAFF_PAGES, f"/mot-cua/ho-so/{code}/"]:
        page.goto(base + path)
        problems[path] = serious_violations(page)
    log_out(page)
    page.goto(f"{base}/tra-cuu/?code={code}&phone=0912000111")
    problems["/tra-cuu/ (result)"] = serious_violations(page)
    assert {k: v for k, v in problems.items() if v} == {}
