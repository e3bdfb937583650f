"""The index pages in Chromium (issue 13, items 6, 14 and 17): a leader picks a quarter with the two lists and
reads names, not codes; the bars carry their values; a typed "Q3/2026" works on the public page; English
names in English; a receptionist neither sees the link nor opens the page; no serious accessibility
violation on any of them."""

import os

import pytest

from tests.e2e.conftest import log_in, serious_violations

pytestmark = pytest.mark.live
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_a_leader_picks_a_period_and_reads_names_not_codes(demo_world, live_server, page):
    from motcua.common import clock
    from motcua.demo.generator import generate

    generate(300, batch_size=150)
    year = clock.now().year
    base = live_server.url
    log_in(page, base, "tuphap.lanhdao")  # the Department of Justice's leader
    page.goto(f"{base}/mot-cua/")
    page.click("a[href='/mot-cua/lanh-dao/']")  # the back office links leaders to their dashboard
    page.wait_for_load_state()
    lead = page.locator("main p.lead").first.inner_text()
    assert "Phạm vi: Sở Tư pháp" in lead and "agency:" not in lead
    assert page.locator("#period-legend").inner_text() == f"Kỳ đánh giá: Năm {year} (01/01/{year} – 31/12/{year})"
    assert page.get_by_text("Số liệu cập nhật lúc").count() == 1
    assert serious_violations(page) == []

    quarter = (clock.now().month - 1) // 3 + 1  # the last whole quarter: the generator fills the last 180 days
    picked_year, part = (year, f"Q{quarter - 1}") if quarter > 1 else (year - 1, "Q4")
    page.select_option("#nam", str(picked_year))
    page.select_option("#phan", label=f"Quý {part[1]}")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert f"nam={picked_year}" in page.url and f"phan={part}" in page.url
    assert page.locator("#period-legend").inner_text().startswith(f"Kỳ đánh giá: Quý {part[1]}/{picked_year}")
    assert page.locator("#phan").input_value() == part
    values = page.locator("svg text[text-anchor=middle]").all_text_contents()
    months = page.locator("main table caption + thead + tbody tr td:nth-child(2)").all_inner_texts()
    assert months, "the generated dossiers fill the quarter"
    for received in months:
        assert received in values  # each bar carries its value
    assert serious_violations(page) == []

    page.click(f"a[href*='indicator=2.1'][href*='part=denominator'][href*='ky={picked_year}-{part}']")
    page.wait_for_load_state()
    lead = page.locator("main p.lead").first.inner_text()
    assert f"Kỳ đánh giá: Quý {part[1]}/{picked_year}" in lead and "Phạm vi: Sở Tư pháp" in lead
    assert "Hồ sơ xử lý trước hạn, đúng hạn" in lead  # the indicator by its name
    assert serious_violations(page) == []


def test_the_public_page_reads_typed_periods_and_speaks_english(demo_world, live_server, page):
    from motcua.common import clock
    from motcua.demo.generator import generate

    generate(200, batch_size=100)
    year = clock.now().year
    base = live_server.url
    page.goto(f"{base}/cong-khai/chi-so/?ky=Q3/{year}")
    assert page.locator("#period-legend").inner_text().startswith(f"Kỳ đánh giá: Quý 3/{year}")
    assert page.locator("#phan").input_value() == "Q3" and page.locator("#nam").input_value() == str(year)
    assert page.get_by_text("2.1. Hồ sơ xử lý trước hạn, đúng hạn").count() == 1
    assert serious_violations(page) == []
    page.click("header button[name=language]")  # English
    page.wait_for_load_state()
    assert page.get_by_text("2.1. Dossiers handled early or on time").count() == 1
    assert page.locator("#period-legend").inner_text().startswith(f"Period: Quarter 3/{year}")
    assert serious_violations(page) == []


def test_a_receptionist_has_no_dashboard(demo_world, live_server, page):
    base = live_server.url
    log_in(page, base, "tiepnhan.tinh")
    page.goto(f"{base}/mot-cua/")
    assert page.locator("a[href='/mot-cua/lanh-dao/']").count() == 0
    assert page.goto(f"{base}/mot-cua/lanh-dao/").status == 403
    assert page.goto(f"{base}/mot-cua/lanh-dao/ho-so/?indicator=2.1").status == 403
