"""The Decision 766 engine against hand-computed figures (every number below is worked out by hand)."""

from decimal import Decimal

import pytest

from motcua.dossiers import services
from motcua.identity.models import User
from motcua.metrics import fact_index
from motcua.metrics.periods import parse_period
from tests.metrics.conftest import at, by_id


def test_every_indicator_matches_the_hand_computation(quarter):
    i = by_id(quarter)
    expected = {
        # id: (numerator, denominator, rate %, points)
        "1.3": (0, 2, "0.00", "0.00"),  # the test catalog has no steps description
        "1.4": (0, 4, "0.00", "0.00"),  # nothing synced yet
        "2.1": (2, 4, "50.00", "10.00"),  # d1, d4 early; d2 late; d3 overdue
        "3.1": (2, 2, "100.00", "4.00"),  # ≥ 80 %: full points
        "3.2": (1, 2, "50.00", "2.00"),
        "3.3": (1, 4, "25.00", "2.00"),  # 0.25 / 0.5 × 4
        "3.5a": (1, 1, "100.00", "2.00"),
        "3.5b": (1, 1, "100.00", "2.00"),
        "3.6": (1, 2, "50.00", "3.00"),  # fee-bearing: d3, d4
        "4.1": (1, 2, "50.00", "3.00"),  # paper-result procedure resolved: d1 (electronic), d2
        "4.2": (1, 4, "25.00", "1.25"),  # 0.25 / 0.8 × 4
        "4.3": (1, 4, "25.00", "0.63"),  # 0.25 / 0.8 × 2 = 0.625 → 0.63
        "4.4": (1, 4, "25.00", "1.00"),
        "5.4": (2, 4, "50.00", "3.33"),  # 4 − 2 late − 0 disliked; 0.5 / 0.9 × 6
    }
    for key, (n, d, rate, points) in expected.items():
        got = i[key]
        assert (got["numerator"], got["denominator"], got["rate"], got["points"]) == (
            n,
            d,
            Decimal(rate),
            Decimal(points),
        ), key
    for key in ("1.1", "1.2", "4.2b", "4.5a", "4.5b", "5.2", "5.3"):
        assert (i[key]["has_data"], i[key]["points"]) == (False, None), key
    groups = {g["id"]: g["points"] for g in quarter["groups"]}
    assert groups == {
        "1": Decimal("0.00"),
        "2": Decimal("10.00"),
        "3": Decimal("15.00"),
        "4": Decimal("5.88"),
        "5": Decimal("3.33"),
    }
    assert quarter["total"] == Decimal("34.21") and quarter["config_version"] == "766-2024"


def test_zero_denominators_give_no_value_not_zero(quarter):
    empty = by_id(fact_index.compute("node", "2026-Q2"))
    assert empty["2.1"]["denominator"] == 0 and empty["2.1"]["points"] is None and empty["2.1"]["rate"] is None


def test_scopes_and_the_2022_set(quarter):
    commune = by_id(fact_index.compute("agency:000.00.31.H53", "2026-Q1"))
    assert (commune["2.1"]["numerator"], commune["2.1"]["denominator"]) == (1, 2)
    old = fact_index.compute("node", "2026-Q1", "766-2022")
    assert old["config_version"] == "766-2022" and "4.5a" not in by_id(old)
    assert sum(g["max_points"] for g in old["groups"]) == 100


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", "2026-01-01", "2026-12-31"),
        ("2026-H2", "2026-07-01", "2026-12-31"),
        ("2026-Q1", "2026-01-01", "2026-03-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2026-01-15..2026-02-15", "2026-01-15", "2026-02-15"),
    ],
)
def test_periods(text, start, end):
    p = parse_period(text)
    assert (p.start.isoformat(), p.end.isoformat()) == (start, end)


def test_index_api_and_its_errors(quarter, api):
    r = api.get("/api/v1/index", {"scope": "node", "period": "2026-Q1"})
    assert r.status_code == 200 and r.json()["total"] == 34.21
    assert api.get("/api/v1/index", {"period": "2026-Q5"}).json()["code"] == "invalid_period"
    assert api.get("/api/v1/index", {"scope": "agency:nope", "period": "2026"}).json()["code"] == "unknown_agency"
    assert api.get("/api/v1/index", {"period": "2026", "config": "x"}).json()["code"] == "unknown_config"


def test_snapshots_do_not_drift_and_changes_make_a_new_version(quarter, monkeypatch):
    from motcua.metrics.services import close_period

    first = close_period("node", "2026-Q1")
    again = close_period("node", "2026-Q1")
    assert (first.pk, first.version, first.dossiers) == (again.pk, 1, 4)
    assert first.figures["total"] == "34.21"
    from motcua.dossiers.models import Dossier
    from motcua.identity.models import User

    d3 = Dossier.objects.filter(status=4).order_by("id").first()
    services.stop(d3.code, User.objects.get(username="xaydung.lanhdao"), reason="Dừng theo đề nghị")
    second = close_period("node", "2026-Q1")
    assert second.version == 2 and "inputs changed since v1" in second.reason
    first.refresh_from_db()
    assert first.figures["total"] == "34.21"  # the old version is untouched


def test_public_transparency_page_shows_no_citizen_data(quarter, client):
    html = client.get("/cong-khai/chi-so/", {"ky": "2026-Q1"}).content.decode()
    assert "34.21" in html or "34,21" in html
    assert "Ủy ban nhân dân Phường Tân An" in html
    assert "Mai Văn Tân" in html  # the chairman who resolved d2 late
    assert "Nguyễn Văn A" not in html and "0912345678" not in html
    assert "chưa được công bố chính thức" in html
    assert client.get("/cong-khai/chi-so/", {"ky": "nope"}).status_code == 400


def test_drill_down_lists_the_dossiers_behind_a_figure(quarter, as_user):
    desk = as_user("tanan.tiepnhan")
    r = desk.get("/index/dossiers", {"indicator": "2.1", "part": "denominator", "period": "2026-Q1"})
    assert r.status_code == 200 and len(r.json()["items"]) == 2  # the commune's two dossiers only
    on_time = desk.get("/index/dossiers", {"indicator": "2.1", "part": "numerator", "period": "2026-Q1"}).json()
    assert [i["timeliness"] for i in on_time["items"]] == ["early"]
    bad = desk.get("/index/dossiers", {"indicator": "1.1", "period": "2026-Q1"})
    assert bad.status_code == 400 and bad.json()["code"] == "no_drill_down"


def test_periodic_report_by_hand(quarter, as_user):
    from motcua.metrics.reports import handling_report

    report = handling_report("2026-Q1")
    rows = {r["code"]: r for r in report["rows"]}
    commune, construction = rows["000.00.31.H53"], rows["000.00.05.H53"]
    assert (commune["new_online"], commune["new_direct"], commune["early"], commune["late"]) == (1, 1, 1, 1)
    assert (
        construction["new_direct"],
        construction["early"],
        construction["in_progress"],
        construction["overdue"],
    ) == (2, 1, 1, 1)
    assert report["total"]["received"] == 4 and report["total"]["handled"] == 3
    april = handling_report("2026-04")
    assert {r["code"]: r["carried_over"] for r in april["rows"]} == {"000.00.05.H53": 1}


def test_periodic_report_downloads(quarter, as_user):
    import io

    from openpyxl import load_workbook

    leader = as_user("quantri")
    xlsx = leader.client.get("/api/v1/reports/handling", {"period": "2026-Q1", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    assert sheet.cell(row=8, column=2).value == "Tổng cộng" and sheet.cell(row=8, column=6).value == 4
    csv_text = leader.client.get("/api/v1/reports/handling", {"period": "2026-Q1", "format": "csv"}).content.decode()
    assert csv_text.splitlines()[0].startswith("Đơn vị,Mã,Kỳ trước chuyển qua")
    scoped = as_user("tanan.tiepnhan").get("/reports/handling", {"period": "2026-Q1"}).json()
    assert [r["code"] for r in scoped["rows"]] == ["000.00.31.H53"]


def test_leaders_dashboard(quarter, login):
    html = login("quantri").get("/mot-cua/lanh-dao/", {"ky": "2026-Q1"}).content.decode()
    assert "34.21" in html or "34,21" in html
    assert "<svg" in html and "03/2026" in html  # the chart and its data table
    assert "Mai Văn Tân" in html  # late step by official
    assert "Thẩm định" in html  # a bottleneck row (the specialist step of the construction permit)
    commune = login("tanan.chutich").get("/mot-cua/lanh-dao/", {"ky": "2026-Q1"}).content.decode()
    assert "agency:000.00.31.H53" in commune and "Sở Xây dựng" not in commune


def test_dashboard_bottlenecks_compare_with_budgets(quarter):
    from motcua.metrics import rollups
    from motcua.metrics.dashboard import bottlenecks

    rollups.rebuild()
    rows = bottlenecks("2026-Q1")
    signing = next(r for r in rows if r["step"] == "Ký duyệt")
    assert signing["budget_h"] == 2.0 and signing["n"] == 2


def test_the_monitor_computes_the_same_figures_from_synced_data(quarter):
    from motcua.dossiers.models import Dossier
    from motcua.national import services as national
    from motcua.sync import payload

    node, _ = national.register_node("H53", "Tỉnh Tây Ninh", ".H53", client_id="h53-test")
    snapshots = [s for _, s in payload.snapshots(list(Dossier.objects.values_list("id", flat=True)))]
    assert {r["KetQua"] for r in national.ingest_dossiers(node, snapshots)} == {"accepted"}
    at_node, at_monitor = by_id(quarter), by_id(national.node_index(node, "2026-Q1"))
    for key in ("2.1", "3.3", "3.6", "4.1", "4.2", "4.3", "4.4", "5.4"):
        node_side = (at_node[key]["numerator"], at_node[key]["denominator"], at_node[key]["points"])
        monitor_side = (at_monitor[key]["numerator"], at_monitor[key]["denominator"], at_monitor[key]["points"])
        assert node_side == monitor_side, key
    assert at_monitor["1.4"]["rate"] == Decimal("100.00")  # at the monitor every dossier held is synced
    assert at_monitor["3.1"]["points"] is None  # the catalog is not at the monitor


def test_rollups_give_the_same_index_as_the_facts(quarter):
    from motcua.metrics import rollups

    assert rollups.rebuild() > 0
    for scope in ("node", "agency:000.00.31.H53", "agency:000.00.05.H53", "procedure:1.001193"):
        from_facts, from_rollups = fact_index.compute(scope, "2026-Q1"), rollups.compute(scope, "2026-Q1")
        assert by_id(from_rollups) == by_id(from_facts), scope
        assert from_rollups["total"] == from_facts["total"]
    assert rollups.rebuild() == rollups.rebuild()  # idempotent


def test_a_commune_leader_sees_his_commune_on_the_dashboard(quarter, login):
    html = login("tanan.chutich").get("/mot-cua/lanh-dao/", {"ky": "2026-Q1"}).content.decode()
    assert "agency:000.00.31.H53" in html and "1 / 2" in html  # the commune's on-time figure
    # its desk's receptionist may not read colleagues' late steps (issue 13: tests/web/test_leaders_and_staleness.py)
    assert login("tanan.tiepnhan").get("/mot-cua/lanh-dao/", {"ky": "2026-Q1"}).status_code == 403


def test_rollups_refresh_only_changed_days(quarter, monkeypatch):
    from django.db.models import Sum

    from motcua.dossiers.models import Dossier
    from motcua.metrics import rollups
    from motcua.metrics.models import DailyRollup

    assert rollups.refresh() > 0  # the first refresh builds everything
    ended_late = DailyRollup.objects.aggregate(n=Sum("ended_late"))["n"]
    assert rollups.refresh() == 0  # nothing changed
    monkeypatch.setattr("motcua.common.clock.now", lambda: at("2026-11-24T09:00"))
    d3 = Dossier.objects.filter(status=4).order_by("id").first()
    services.stop(d3.code, User.objects.get(username="xaydung.lanhdao"), reason="Dừng")
    monkeypatch.setattr("motcua.common.clock.now", lambda: at("2026-11-24T10:00"))
    assert rollups.refresh() > 0  # only 02/03/2026 is rebuilt
    after = rollups.compute("node", "2026-Q1")
    assert by_id(after) == by_id(fact_index.compute("node", "2026-Q1"))
    assert DailyRollup.objects.aggregate(n=Sum("ended_late"))["n"] == ended_late + 1  # the stopped one
