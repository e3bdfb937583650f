"""A desk officer and the next officer see the whole case in a real browser (issue 13, items 1–5):
the declaration, the expected action first, a forward to a picked person with a handover comment
that the next officer reads in Vietnamese, receive and refuse that do not look alike; no serious
accessibility finding on the pages."""

import os
import re

import pytest

from tests.e2e.conftest import log_in, log_out, serious_violations, show_action
from tests.e2e.test_desk_flows import intake
from tests.web.test_backoffice_case import submitted_online

pytestmark = pytest.mark.live
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

COMMENT = "Hồ sơ đầy đủ, đề nghị Phòng ĐKKD thẩm định"


def first_action(page) -> str:
    return page.locator("main button[data-action]").first.get_attribute("data-action")


def test_desk_forwards_to_a_picked_officer_who_reads_the_comment(demo_world, live_server, page, pdf):
    base = live_server.url
    log_in(page, base, "tiepnhan.tinh")
    code = intake(page, base, pdf)

    # the declaration, in the procedure's own words, formatted
    declaration = page.locator("#declaration")
    assert "Tờ khai" in declaration.inner_text()
    assert re.search(r"Tên doanh nghiệp dự kiến\s+DNTN Hòa Thành", declaration.inner_text())
    assert re.search(r"Vốn đầu tư \(đồng\)\s+500\.000\.000", declaration.inner_text())

    # the process expects a forward to the business-registration division: first, open, primary
    assert first_action(page) == "forward"
    assert page.locator("#expected-action button[data-action='forward']").is_visible()
    assert "Chuyển bước tiếp theo" in page.inner_text("#expected-action h3")
    assert page.locator("details.more-actions").get_attribute("open") is None
    assert not page.locator("button[data-action='withdraw']").is_visible()
    assert page.locator("#id_forward-assignee").evaluate("e => e.tagName") == "SELECT"
    options = page.locator("#id_forward-assignee option").all_inner_texts()
    assert "Bùi Văn Doanh (dkkd.chuyenvien)" in options
    assert not any("tuphap" in o or "Trương Thị Nhận" in o for o in options)
    page.reload()  # axe on the page itself (the intake's flash message is base.html's, listed elsewhere)
    problems = {"desk": serious_violations(page)}

    page.select_option("#id_forward-assignee", "dkkd.chuyenvien")
    page.fill("#id_forward-comment", COMMENT)
    page.click("#expected-action button[data-action='forward']")
    page.wait_for_load_state()
    assert page.inner_text("#status") == "Đang xử lý"
    log_out(page)

    # the next officer reads who said what, in Vietnamese, with the hashes folded away
    log_in(page, base, "dkkd.chuyenvien")
    page.goto(f"{base}/mot-cua/ho-so/{code}/")
    history = page.locator("ol.timeline.history").inner_text()
    assert "Chuyển bước tiếp theo" in history and "→ Đang xử lý" in history
    assert "Lê Thị Tiếp" in history
    assert re.search(r"Ý kiến xử lý\s+" + re.escape(COMMENT), history)
    assert re.search(r"Giao cho\s+Bùi Văn Doanh", history)
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d · Lê Thị Tiếp", history)
    assert "forward (" not in page.inner_text("main")
    assert not page.locator("code.hash").first.is_visible()
    page.click("details.chain > summary")
    assert page.locator("code.hash").first.is_visible()
    assert COMMENT in page.locator("table").first.inner_text()  # on the control slip too
    # his own next step is the one the process expects: forward to the division head's approval
    assert first_action(page) == "forward"
    options = page.locator("#id_forward-assignee option").all_inner_texts()
    assert "Ngô Thị Kinh (dkkd.truongphong)" in options
    problems["next officer"] = serious_violations(page)
    assert {k: v for k, v in problems.items() if v} == {}


def test_receive_and_refuse_do_not_look_alike(demo_world, live_server, page):
    from motcua.identity.models import User

    citizen = User.objects.create_user(
        "080195000777", password="Mat-khau-2026", kind="citizen", full_name="Lê Thị Hoa", phone="0909555111"
    )
    business = {"dia_chi_tru_so": "Phường Tân Ninh, Tây Ninh", "nganh_nghe": "Bán lẻ", "von_dau_tu": 200000000}
    dossier = submitted_online(
        citizen,
        "2.001610",
        {"ten_doanh_nghiep": "DNTN Hoa Sen", **business},
        applicant_type=2,
        applicant_name="Doanh nghiệp tư nhân Hoa Sen",
        applicant_id_number="3901234568",
    )
    base = live_server.url
    log_in(page, base, "tiepnhan.tinh")
    page.goto(f"{base}/mot-cua/ho-so/{dossier.code}/")
    assert first_action(page) == "receive"
    receive = page.locator("button[data-action='receive']")
    show_action(page, "refuse")
    refuse = page.locator("button[data-action='refuse']")
    assert refuse.is_visible() and receive.is_visible()
    look = "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]"
    assert receive.evaluate(look) != refuse.evaluate(look)
    assert (receive.inner_text(), refuse.inner_text()) == ("Tiếp nhận", "Từ chối tiếp nhận")
    problems = {"desk": serious_violations(page)}
    log_out(page)

    # the applicant's own page: the declaration and the history, without the office's internals
    log_in(page, base, "080195000777", "Mat-khau-2026")
    page.goto(f"{base}/ho-so-cua-toi/{dossier.code}/")
    assert "200.000.000" in page.inner_text("#declaration")
    assert "Nộp hồ sơ" in page.locator("ol.timeline.history").inner_text()
    problems["citizen"] = serious_violations(page)
    assert {k: v for k, v in problems.items() if v} == {}
