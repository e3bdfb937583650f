"""The public index page and the leaders' dashboard in Chromium: figures from generated dossiers,
a drill-down click to the dossiers behind a figure, and no serious accessibility violation."""

import os

import pytest

from tests.e2e.conftest import log_in, serious_violations

pytestmark = pytest.mark.live
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_public_index_and_dashboard_with_drill_down(demo_world, live_server, page):
    from motcua.common import clock
    from motcua.demo.generator import generate
    from motcua.dossiers.models import DossierFact

    generate(400, batch_size=200)
    year = str(clock.now().year)
    base = live_server.url
    page.goto(f"{base}/cong-khai/chi-so/?ky={year}")
    assert page.locator("h1").inner_text().startswith("Chỉ số")
    assert page.get_by_text("Số liệu cập nhật lúc").count() == 1
    assert page.locator("table").count() >= 6  # five groups, agencies, late steps
    assert serious_violations(page) == []
    log_in(page, base, "quantri")
    page.goto(f"{base}/mot-cua/lanh-dao/?ky={year}")
    assert page.locator("svg").count() >= 1
    assert serious_violations(page) == []
    page.click("a[href*='indicator=2.1'][href*='part=denominator']")
    page.wait_for_load_state()
    assert "/mot-cua/lanh-dao/ho-so/" in page.url
    rows = page.locator("tbody tr td:first-child a")
    received = DossierFact.objects.filter(received_at__year=int(year)).count()
    assert rows.count() == min(50, received)
    first = rows.first.inner_text()
    assert serious_violations(page) == []
    rows.first.click()
    page.wait_for_load_state()
    assert first in page.content()  # the dossier's own page
