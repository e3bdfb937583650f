"""Issue 13, items 7 and 8 in a browser: the desk receives an online dossier and prints Form 01 (code,
appointment, QR code; only the paper when printed), the specialist asks for a supplement (Form 02), the
citizen answers each item with a file and a note (an unanswered item is refused with an error summary that
takes the focus; the file already chosen is kept), and the specialist sees which item each file answers and
the citizen's notes, the dossier back at the step that asked. axe finds nothing serious or critical here."""

import os
import re

import pytest

from tests.e2e.conftest import log_in, log_out, serious_violations

pytestmark = pytest.mark.live
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ITEMS = ["Giấy chứng sinh (bản chính)", "Giấy xác nhận nơi cư trú của mẹ"]
NOTES = ["Bản chính do bệnh viện Long An cấp.", "Xác nhận của Công an phường Tân An."]


def act(page, action: str, fill: dict | None = None) -> None:
    """Take a back-office action: its form is opened wherever the page folds it, then sent."""
    button = page.locator(f"button[data-action='{action}']")
    if not button.is_visible():
        button.evaluate(
            "b => { for (let d = b.closest('details'); d; d = d.parentElement.closest('details')) d.open = true; }"
        )
    for selector, value in (fill or {}).items():
        page.fill(selector, value)
    button.click()
    page.wait_for_load_state()


def online_dossier() -> str:
    """A citizen's online birth registration at Phường Tân An (the account: 080190000888 / Mat-khau-2026)."""
    from tests.web.test_papers import new_citizen, submit_online

    return submit_online(new_citizen("080190000888")).code


def test_receipt_slip_supplement_answered_item_by_item_and_read_by_the_desk(demo_world, live_server, page, pdf):
    base, code = live_server.url, online_dossier()
    problems = {}

    # the desk receives the dossier and prints Form 01
    log_in(page, base, "tanan.tiepnhan")
    page.goto(f"{base}/mot-cua/ho-so/{code}/")
    act(page, "receive")
    assert page.inner_text("#status") == "Được tiếp nhận"
    page.click("text=In giấy tiếp nhận (Mẫu 01)")
    page.wait_for_load_state()
    assert page.url.endswith(f"/mot-cua/ho-so/{code}/mau-01/")
    assert page.inner_text("#paper-code") == code
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", page.inner_text("#paper-appointment"))
    assert page.locator("svg.qr-code").count() == 1 and page.locator("svg.qr-code").is_visible()
    assert f"/tra-cuu/?code={code}" in page.inner_text(".paper-url")
    problems["Mẫu 01"] = serious_violations(page)
    page.emulate_media(media="print")  # printed: the paper alone
    assert not page.locator("header.site").is_visible() and not page.locator(".paper-tools").is_visible()
    assert page.locator("svg.qr-code").is_visible() and page.locator("#paper-code").is_visible()
    page.emulate_media(media="screen")
    page.goto(f"{base}/mot-cua/ho-so/{code}/")
    act(page, "forward")
    log_out(page)

    # the specialist asks for two items at once
    log_in(page, base, "tanan.congchuc")
    page.goto(f"{base}/mot-cua/ho-so/{code}/")
    step = page.inner_text("#status")
    assert step == "Đang xử lý"
    act(
        page,
        "request-supplement",
        {"#id_request-supplement-items": "\n".join(ITEMS), "#id_request-supplement-reason": "Thiếu giấy tờ"},
    )
    assert page.inner_text("#status") == "Yêu cầu bổ sung"
    page.goto(f"{base}/mot-cua/ho-so/{code}/mau-02/")
    assert [li.strip() for li in page.locator("#paper-items li").all_inner_texts()] == ITEMS
    problems["Mẫu 02"] = serious_violations(page)
    log_out(page)

    # the citizen answers: an unanswered item is refused, the focus on the error summary
    log_in(page, base, "080190000888", "Mat-khau-2026")
    page.goto(f"{base}/ho-so-cua-toi/{code}/")
    assert page.locator("#supplement fieldset legend").all_inner_texts() == [f"1. {ITEMS[0]}", f"2. {ITEMS[1]}"]
    problems["Hồ sơ của tôi (bổ sung)"] = serious_violations(page)
    page.set_input_files("#id_bs-file_1", pdf)
    page.click("#supplement button[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')")
    assert "Hãy đính kèm tệp hoặc ghi chú cho nội dung này." in page.inner_text("#id_bs-file_2_error")
    problems["Hồ sơ của tôi (lỗi)"] = serious_violations(page)
    assert "giay-chung-sinh.pdf" in page.inner_text("#bs-kept-1")  # kept: not chosen twice
    page.set_input_files("#id_bs-file_2", pdf)
    for n, note in enumerate(NOTES, 1):
        page.fill(f"#id_bs-note_{n}", note)
    page.click("#supplement button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#status") == "Đang xử lý"  # back where the request paused it
    assert page.locator("#supplement").count() == 0
    assert NOTES[1] in page.inner_text("#supplement-answers")
    log_out(page)

    # the specialist sees each item with its note and its file
    log_in(page, base, "tanan.congchuc")
    page.goto(f"{base}/mot-cua/ho-so/{code}/")
    assert page.inner_text("#status") == step
    rows = page.locator("#supplement-answers tbody tr").all_inner_texts()
    assert len(rows) == 2
    for row, item, note in zip(rows, ITEMS, NOTES, strict=True):
        assert item in row and note in row and "giay-chung-sinh.pdf" in row
    assert page.locator("#supplement-answers a[href^='/tep/']").count() == 2
    problems["Hồ sơ (một cửa)"] = serious_violations(page)
    assert {k: v for k, v in problems.items() if v} == {}
