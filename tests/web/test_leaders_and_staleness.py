"""Issue 13, items 6, 14, 16 and 17: who may read the leaders' dashboard; the index pages in words (names, not
codes; periods picked, or typed as people write them; indicator names in English; chart values; bottlenecks
by how far over budget); how old figures are; and warnings when the national sync stands still.

Defects: a receptionist opened the dashboard with colleagues' late-step counts; the pages showed
"Phạm vi: agency:000.00.03.H53" and refused "Q3/2026"; the public page and the dashboard opened on different
periods; a node whose worker posted to the wrong port showed "0 —" on /national/ with no warning, and the pages
showed figures hours old as if current.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from motcua.common import clock
from motcua.metrics import rollups
from motcua.metrics.dashboard import budget_level, may_view, scope_of
from motcua.metrics.models import RollupWatermark
from motcua.metrics.periods import compose_period, default_period, describe_period, normalize_period, period_from
from motcua.org.models import Agency, StaffRole
from tests.metrics.conftest import *  # noqa: F403  (the `quarter` fixture and the lifecycle fixtures)
from tests.metrics.conftest import at
from tests.sync.factories import submit_dossiers

DASHBOARD, DRILL = "/mot-cua/lanh-dao/", "/mot-cua/lanh-dao/ho-so/"


def text_of(response) -> str:
    """The page's main content as a reader sees it: tags removed, spaces collapsed."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


# -- item 6: who may read the dashboard ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("quantri", True),  # provincial administrator
        ("thanhtra", True),  # inspector
        ("tuphap.lanhdao", True),  # agency leader
        ("tuphap.truongphong", True),  # division head
        ("tanan.chutich", True),  # the commune's chairman (agency leader)
        ("tiepnhan.tinh", False),  # receptionist at the provincial centre
        ("tanan.tiepnhan", False),  # receptionist at a commune desk
        ("tuphap.chuyenvien", False),  # specialist
    ],
)
def test_only_leaders_inspectors_and_administrators_read_the_dashboard(db, login, username, allowed):
    client = login(username)
    for path, params in ((DASHBOARD, {}), (DRILL, {"indicator": "2.1"})):
        status = client.get(path, params).status_code
        assert status == (200 if allowed else 403), (username, path, status)
    inbox = client.get("/mot-cua/").content.decode()
    assert (DASHBOARD in inbox) is allowed  # the link is shown by the same rule


def test_superusers_read_the_dashboard_and_citizens_never(db, admin_client, django_user_model):
    assert admin_client.get(DASHBOARD).status_code == 200
    citizen = django_user_model.objects.create_user("cd", password="x", kind="citizen", phone="0912345670")
    client = Client()
    client.force_login(citizen)
    assert client.get(DASHBOARD).status_code == 302  # to their own dossiers, as every back-office page
    assert not may_view(citizen)


def test_a_receptionist_who_also_leads_sees_the_scope_of_the_leading_role(db, django_user_model):
    """One rule, `may_view`, and the scope follows the role that grants it (not whichever role comes first)."""
    user = django_user_model.objects.create_user("hai.vai", password="x", kind="staff")
    centre = Agency.objects.get(kind=Agency.Kind.SERVICE_CENTRE)
    StaffRole.objects.create(user=user, role=StaffRole.Role.RECEPTIONIST, agency=centre)
    assert not may_view(user)
    del user._motcua_roles  # the roles are read once per request
    commune = Agency.objects.get(code="000.00.31.H53")
    StaffRole.objects.create(user=user, role=StaffRole.Role.AGENCY_LEADER, agency=commune)
    assert may_view(user)
    assert scope_of(user)[0] == "agency:000.00.31.H53"  # not the whole province of the centre


# -- item 14: words, not codes; periods picked or typed ------------------------------------------------------


def test_the_pages_name_the_scope_instead_of_its_code(db, login):
    justice = login("tuphap.lanhdao").get(DASHBOARD)
    assert "Phạm vi: Sở Tư pháp" in text_of(justice)
    assert "agency:000.00.03.H53" not in text_of(justice)  # the code stays in the links only
    province = text_of(login("quantri").get(DASHBOARD))
    assert "Phạm vi: toàn tỉnh Tây Ninh" in province and "node" not in province
    drill = text_of(login("tuphap.lanhdao").get(DRILL, {"indicator": "2.1", "scope": "agency:000.00.03.H53"}))
    assert "Phạm vi: Sở Tư pháp" in drill and "Hồ sơ xử lý trước hạn, đúng hạn" in drill


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("2026", "2026"),
        ("2026-q3", "2026-Q3"),
        ("Q3/2026", "2026-Q3"),
        (" q3-2026 ", "2026-Q3"),
        ("quý 3/2026", "2026-Q3"),
        ("Quý III năm 2026", "2026-Q3"),
        ("2026/Q4", "2026-Q4"),
        ("07/2026", "2026-07"),
        ("7/2026", "2026-07"),
        ("tháng 7/2026", "2026-07"),
        ("2026/07", "2026-07"),
        ("H1/2026", "2026-H1"),
        ("6 tháng đầu năm 2026", "2026-H1"),
        ("6 tháng cuối năm 2026", "2026-H2"),
        ("năm 2026", "2026"),
        ("01/01/2026 - 31/03/2026", "2026-01-01..2026-03-31"),
        ("từ 1/1/2026 đến 15/2/2026", "2026-01-01..2026-02-15"),
        ("2026-01-01..2026-03-31", "2026-01-01..2026-03-31"),
        ("quý 5/2026", "quý 5/2026"),  # not a period: left for the strict parser to refuse
        ("hôm qua", "hôm qua"),
    ],
)
def test_periods_typed_as_people_write_them(typed, canonical):
    assert normalize_period(typed) == canonical


def test_the_pickers_compose_the_canonical_period():
    assert compose_period("2026", "") == "2026"
    assert compose_period("2026", "q3") == "2026-Q3"
    assert compose_period("2026", "07") == "2026-07"
    assert compose_period("2026", "H2") == "2026-H2"
    assert compose_period("2026", "Q9") == "2026"  # an unknown part is the whole year
    assert period_from({"nam": "2025", "phan": "H1", "ky": "2026"}) == "2025-H1"  # the pickers win
    assert period_from({"ky": "Q3/2026"}) == "2026-Q3"
    assert period_from({}) == default_period()


def test_both_pages_open_on_the_same_period_and_accept_typed_periods(db, login, client):
    leader = login("quantri")
    for path, who in ((DASHBOARD, leader), ("/cong-khai/chi-so/", client)):
        default = text_of(who.get(path))
        assert f"Kỳ đánh giá: {describe_period(default_period())}" in default, path
        typed = who.get(path, {"ky": "Q3/2026"})
        assert typed.status_code == 200 and "Kỳ đánh giá: Quý 3/2026 (01/07/2026 – 30/09/2026)" in text_of(typed)
        picked = who.get(path, {"nam": "2026", "phan": "07"})
        html = picked.content.decode()
        assert 'value="07" selected' in html and 'value="2026" selected' in html
        assert "Kỳ đánh giá: Tháng 07/2026" in text_of(picked)
    assert 'href="/cong-khai/chi-so/?ky=2026-Q3"' in leader.get(DASHBOARD, {"ky": "quý 3/2026"}).content.decode()


def test_indicator_names_follow_the_language(db, client):
    vietnamese = text_of(client.get("/cong-khai/chi-so/", {"ky": "2026"}))
    assert "2.1. Hồ sơ xử lý trước hạn, đúng hạn" in vietnamese
    client.cookies["django_language"] = "en"
    english = text_of(client.get("/cong-khai/chi-so/", {"ky": "2026"}))
    assert "2.1. Dossiers handled early or on time" in english and "Hồ sơ xử lý trước hạn" not in english
    assert "Transparency" in english and "Period: Year 2026" in english


def test_chart_bars_carry_their_values_and_bottlenecks_say_how_far_over_budget(quarter, login):
    html = login("quantri").get(DASHBOARD, {"ky": "2026-Q1"}).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert re.search(r'<text [^>]*text-anchor="middle"[^>]*>4</text>', svg)  # March 2026: four dossiers
    badges = re.findall(r'<span class="badge (ok|warn|bad)">(\d+)% · ([^<]+)</span>', html)
    assert badges, "every bottleneck row has its badge"
    words = {"ok": "trong thời gian quy định", "warn": "vượt thời gian quy định", "bad": "vượt xa thời gian quy định"}
    for level, ratio, said in badges:
        assert budget_level(int(ratio)) == level and said == words[level]  # words, not colour alone


def test_budget_levels():
    assert [budget_level(r) for r in (None, 40, 100, 101, 150, 151, 900)] == [
        "",
        "ok",
        "ok",
        "warn",
        "warn",
        "bad",
        "bad",
    ]


# -- item 17: how old the figures are ------------------------------------------------------------------------


def test_the_pages_say_how_old_their_figures_are_and_warn_when_stale(quarter, login, client, monkeypatch):
    rollups.rebuild()  # as of 23/11/2026 09:00 (the fixture's clock)
    leader = login("quantri")
    fresh = text_of(leader.get(DASHBOARD, {"ky": "2026-Q1"}))
    assert "Số liệu cập nhật lúc 09:00 23/11/2026" in fresh and "Chưa cập nhật" not in fresh
    later = at("2026-11-23T11:00")
    monkeypatch.setattr(clock, "now", lambda: later)  # two hours without the refresher
    for page in (leader.get(DASHBOARD, {"ky": "2026-Q1"}), client.get("/cong-khai/chi-so/", {"ky": "2026-Q1"})):
        said = text_of(page)
        assert "Số liệu cập nhật lúc 09:00 23/11/2026" in said
        assert "Chưa cập nhật" in said and "120 phút" in said
    assert "motcua index rollup" in text_of(leader.get(DASHBOARD, {"ky": "2026-Q1"}))  # staff are told what to run
    assert "motcua" not in text_of(client.get("/cong-khai/chi-so/", {"ky": "2026-Q1"}))  # the public is not
    with override_settings(MOTCUA_ROLLUP_STALE_SECONDS=3 * 3600):
        assert "Chưa cập nhật" not in text_of(leader.get(DASHBOARD, {"ky": "2026-Q1"}))


def test_freshness_is_measured_from_the_last_refresh(db):
    assert rollups.freshness(None) == {"as_of": None, "stale": False, "minutes": None}
    RollupWatermark.objects.create(refreshed_at=clock.now() - timedelta(minutes=5))
    stale = rollups.freshness(rollups.as_of())
    assert stale["stale"] and stale["minutes"] == 5
    assert not rollups.freshness(clock.now() - timedelta(seconds=30))["stale"]


# -- item 16: the national sync's address, and warnings when it stands still ------------------------------------


def _settings_with(**env) -> dict:
    """MOTCUA_PUBLIC_URL and MOTCUA_NATIONAL_URL as a fresh process with `env` sees them."""
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'motcua.settings'\n"
        "from django.conf import settings\n"
        "print(json.dumps([settings.MOTCUA_PUBLIC_URL, settings.MOTCUA_NATIONAL_URL]))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DJANGO_"))}
    base.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", code], env={**base, "MOTCUA_DEV": "1", **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_national_address_follows_the_node_s_own_address(tmp_path):
    var = {"MOTCUA_VAR_DIR": str(tmp_path)}
    assert _settings_with(**var) == ["http://127.0.0.1:8000", "http://127.0.0.1:8000/national/api"]
    assert _settings_with(MOTCUA_BIND="127.0.0.1:8011", **var) == [
        "http://127.0.0.1:8011",
        "http://127.0.0.1:8011/national/api",
    ]
    public = _settings_with(MOTCUA_PUBLIC_URL="https://dvc.example.gov.vn/", **var)
    assert public == ["https://dvc.example.gov.vn/", "https://dvc.example.gov.vn/national/api"]
    assert _settings_with(MOTCUA_BIND="unix:/run/motcua.sock", **var)[0] == "http://127.0.0.1:8000"
    given = _settings_with(MOTCUA_NATIONAL_URL="https://dvcqg.example/api", MOTCUA_BIND="127.0.0.1:8011", **var)
    assert given[1] == "https://dvcqg.example/api"


def test_the_readme_documents_the_sync_and_freshness_settings():
    from tests.test_readme_commands import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration (environment)", 1)[1].split("\n## ", 1)[0]
    for name in (
        "MOTCUA_NATIONAL_URL",
        "MOTCUA_PUBLIC_URL",
        "MOTCUA_SYNC_STALE_MINUTES",
        "MOTCUA_ROLLUP_STALE_SECONDS",
    ):
        assert f"| `{name}` |" in table, name


def test_sync_status_warns_when_the_portal_is_unreachable_and_the_sync_stale(procedures, capsys):
    from motcua.sync.models import SyncState

    submit_dossiers(3)
    call_command("sync-status")
    calm = capsys.readouterr().out
    assert "WARNING" not in calm and "Cổng quốc gia / national portal" in calm  # fresh changes: nothing to say
    SyncState.objects.update(
        changed_at=clock.now() - timedelta(minutes=40),
        attempts=4,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    call_command("sync-status")
    out = capsys.readouterr().out
    assert "WARNING [unreachable]" in out and "CẢNH BÁO [unreachable]" in out
    assert "Connection refused" in out and "MOTCUA_NATIONAL_URL (http://" in out
    assert "WARNING [stale]" in out and "40 minutes" in out and "never" in out  # never accepted
    call_command("sync-status", "--json")
    figures = json.loads(capsys.readouterr().out)
    assert [w["code"] for w in figures["warnings"]] == ["unreachable", "stale"] and figures["failing"] == 3
    with override_settings(MOTCUA_SYNC_STALE_MINUTES=60):
        call_command("sync-status", "--json")
        assert [w["code"] for w in json.loads(capsys.readouterr().out)["warnings"]] == ["unreachable"]


def test_sync_reconcile_says_in_one_line_that_the_portal_is_unreachable(db):
    nowhere = override_settings(MOTCUA_NATIONAL_URL="http://127.0.0.1:9/national/api")  # the discard port: refused
    with nowhere, pytest.raises(CommandError) as refused:
        call_command("sync-reconcile", "--no-progress")
    assert refused.value.returncode == 2 and "MOTCUA_NATIONAL_URL=http://127.0.0.1:9/national/api" in str(refused.value)


def test_the_monitor_warns_about_nodes_that_stopped_syncing(db, admin_client):
    from motcua.national import services as national
    from motcua.national.models import Node

    now = clock.now()
    for code, name, last in (
        ("H53", "Tỉnh Tây Ninh", now - timedelta(minutes=2)),
        ("H29", "Thành phố Hà Nội", now - timedelta(hours=3)),
        ("H79", "Thành phố Hồ Chí Minh", None),
    ):
        node, _ = national.register_node(code, name, f".{code}")
        Node.objects.filter(pk=node.pk).update(last_sync_at=last)
    said = text_of(admin_client.get("/national/"))
    assert "2 nút không đồng bộ quá 15 phút" in said
    assert "Thành phố Hà Nội (H29): lần đồng bộ gần nhất" in said
    assert "Thành phố Hồ Chí Minh (H79): chưa từng đồng bộ" in said
    assert "Tỉnh Tây Ninh (H53):" not in said  # syncing: no warning
    html = admin_client.get("/national/").content.decode()
    assert html.count('<span class="badge warn">không đồng bộ</span>') == 1
    assert html.count('<span class="badge bad">chưa từng đồng bộ</span>') == 1
    with override_settings(MOTCUA_SYNC_STALE_MINUTES=600):
        assert "1 nút không đồng bộ quá 600 phút" in text_of(admin_client.get("/national/"))
