"""The rollups against the facts: every agency at once, every scope, running dossiers judged to the
second, step rollups, duration histograms, incremental refresh."""

import math
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count, F

from motcua.common import clock
from motcua.common.errors import InvalidInput
from motcua.dossiers import services, timing
from motcua.dossiers.models import Dossier, DossierFact, DossierStep
from motcua.identity.models import User
from motcua.metrics import fact_index, rollups, selectors
from motcua.metrics.dashboard import _quantile
from motcua.metrics.models import StepDurationRollup
from motcua.metrics.scopes import parse_scope
from motcua.org.models import Agency
from motcua.sync.models import SyncState
from motcua.workdays.services import get_calendar
from tests.metrics.conftest import at, by_id

TOP = Agency.objects.filter(parent__kind=Agency.Kind.PROVINCE_PC)


@pytest.mark.parametrize("period", ["2026-Q1", "2026-02-15..2026-03-10"])
def test_every_agency_at_once_equals_one_at_a_time(quarter, period):
    codes = list(TOP.values_list("code", flat=True))
    rollups.rebuild()
    from_rollups = rollups.compute_agencies(codes, period)
    from_facts = fact_index.compute_agencies(codes, period)
    assert set(from_rollups) == set(from_facts) == set(codes)
    for code in codes:
        one = fact_index.compute(f"agency:{code}", period)
        assert by_id(from_rollups[code]) == by_id(one), code
        assert by_id(from_facts[code]) == by_id(one), code
        assert from_rollups[code]["total"] == from_facts[code]["total"] == one["total"]
    assert by_id(from_rollups["000.00.31.H53"])["2.1"]["denominator"] == 2  # Tân An's two dossiers


def test_unit_commune_and_official_scopes(quarter):
    rollups.rebuild()
    units = set(DossierFact.objects.exclude(unit=None).values_list("unit__code", flat=True))
    assert units  # the construction permits were handled in a division
    for code in units:
        assert by_id(rollups.compute(f"unit:{code}", "2026-Q1")) == by_id(fact_index.compute(f"unit:{code}", "2026-Q1"))
    commune = fact_index.compute("commune:27712", "2026-Q1")  # Phường Tân An
    assert by_id(commune) == by_id(fact_index.compute("agency:000.00.31.H53", "2026-Q1"))
    assert by_id(rollups.compute("commune:27712", "2026-Q1")) == by_id(commune)
    chairman = by_id(fact_index.compute("official:tanan.chutich", "2026-Q1"))  # signed d1 (early) and d2 (late)
    assert (chairman["2.1"]["numerator"], chairman["2.1"]["denominator"]) == (1, 2)
    assert chairman["3.1"]["points"] is None  # the catalog says nothing about one official
    assert by_id(rollups.compute("official:tanan.chutich", "2026-Q1")) == chairman
    with pytest.raises(InvalidInput) as err:
        parse_scope("official:nobody")
    assert err.value.code == "unknown_official"


@pytest.mark.parametrize(("moment", "within"), [("2026-03-23T16:59", True), ("2026-03-23T17:01", False)])
def test_running_dossiers_due_on_the_day_asked_are_judged_to_the_second(quarter, monkeypatch, moment, within):
    rollups.rebuild()
    monkeypatch.setattr("motcua.common.clock.now", lambda: at(moment))  # d3 is due 23/03/2026 17:00
    from_rollups, from_facts = rollups.compute("node", "2026-Q1"), fact_index.compute("node", "2026-Q1")
    assert by_id(from_rollups) == by_id(from_facts)
    on_time = by_id(from_rollups)["2.1"]["numerator"]
    assert on_time == (3 if within else 2)  # d1 and d4 early, d3 still within its time or not


def test_late_steps_by_unit_and_official_come_from_the_step_rollups(quarter):
    rollups.rebuild()
    late = DossierStep.objects.filter(finished_at__gt=F("due_at"))
    by_agency = {r["agency__name"]: r["n"] for r in late.values("agency__name").annotate(n=Count("pk"))}
    assert {r["agency__name"]: r["n"] for r in selectors.late_by_agency("2026-Q1")} == by_agency
    officials = {r["name"]: r["n"] for r in selectors.late_by_official("2026-Q1")}
    # the chairman signed both birth registrations after the step's 2 hours
    assert officials["Mai Văn Tân"] == late.filter(finished_by__username="tanan.chutich").count() == 2
    assert selectors.late_by_official("2026-Q2") == []


def test_step_office_time_and_its_histogram(quarter):
    cal = get_calendar()
    finished = DossierStep.objects.filter(finished_at__isnull=False)
    for step in finished:
        expected = max(0, step.budget_seconds + cal.working_seconds_between(step.due_at, step.finished_at))
        assert step.office_seconds == expected
    rollups.rebuild()
    in_db = Counter()
    for row in StepDurationRollup.objects.all():
        in_db[(row.name, row.bucket)] += row.n
    assert in_db == Counter((s.name, rollups.bucket_of(s.office_seconds)) for s in finished)


def test_histogram_quantiles_are_within_ten_percent():
    values = [1_000, 2_500, 3_600, 7_200, 9_000, 14_400, 28_800, 30_000, 86_400, 200_000, 250_000]
    histogram = sorted(Counter(rollups.bucket_of(v) for v in values).items())
    for q in (0.5, 0.9):
        exact = sorted(values)[math.ceil(q * len(values)) - 1]  # nearest rank
        assert abs(_quantile(histogram, q) - exact) <= 0.1 * exact, q


def test_refresh_follows_new_late_steps_and_sync_acks(quarter, monkeypatch):
    from motcua.metrics.dashboard import dashboard

    assert rollups.refresh() > 0
    building = "Sở Xây dựng tỉnh Tây Ninh"
    late_before = {r["agency__name"]: r["n"] for r in selectors.late_by_agency("2026")}.get(building, 0)
    shown_before = {r["agency__name"]: r["n"] for r in dashboard("node", "2026", None)["late_by_unit"]}
    synced_before = by_id(rollups.compute("node", "2026-Q1"))["1.4"]["numerator"]
    monkeypatch.setattr("motcua.common.clock.now", lambda: at("2026-11-24T09:00"))
    d3 = Dossier.objects.filter(status=4).order_by("id").first()
    services.forward(d3.code, User.objects.get(username="xaydung.chuyenvien"))  # months past its due: late
    d1 = Dossier.objects.order_by("id").first()
    SyncState.objects.filter(dossier=d1).update(acked_version=F("node_version"), acked_at=clock.now())
    monkeypatch.setattr("motcua.common.clock.now", lambda: at("2026-11-24T10:00"))
    assert rollups.refresh() > 0
    late_after = {r["agency__name"]: r["n"] for r in selectors.late_by_agency("2026")}[building]
    assert late_after == late_before + 1
    shown_after = {r["agency__name"]: r["n"] for r in dashboard("node", "2026", None)["late_by_unit"]}
    assert shown_after[building] == shown_before.get(building, 0) + 1  # remembered only until the refresh
    assert by_id(rollups.compute("node", "2026-Q1"))["1.4"]["numerator"] == synced_before + 1
    assert by_id(rollups.compute("node", "2026-Q1")) == by_id(fact_index.compute("node", "2026-Q1"))
    assert rollups.refresh() == 0


def test_index_api_reads_the_rollups_once_they_exist(quarter, api, login):
    facts = api.get("/api/v1/index", {"period": "2026-Q1"}).json()
    assert facts["source"] == "facts"
    rollups.refresh()
    fast = api.get("/api/v1/index", {"period": "2026-Q1"}).json()
    assert fast["source"] == "rollups" and fast["as_of"] and fast["total"] == facts["total"] == 34.21
    assert api.get("/api/v1/index", {"period": "2026-Q1", "source": "facts"}).json()["source"] == "facts"
    chairman = login("tanan.chutich")  # an official's index: for staff whose scope covers that official
    unit = chairman.get("/api/v1/index", {"scope": "official:tanan.chutich", "period": "2026-Q1"}).json()
    assert unit["source"] == "facts"  # one official's index is read from the facts


@pytest.mark.django_db
def test_timing_helper_matches_the_generator():
    cal = get_calendar()
    start = at("2026-02-13T16:00")  # a Friday afternoon before Tết
    due = timing.add_working(cal, start, 8 * 3600)
    finished = timing.add_working(cal, start, 11 * 3600)
    assert timing.office_seconds_spent(cal, 8 * 3600, due, finished) == 11 * 3600


def test_dashboard_figures_link_to_the_dossiers_behind_them(quarter, login):
    leader = login("tanan.chutich")  # the commune's chairman: his commune only
    html = leader.get("/mot-cua/lanh-dao/", {"ky": "2026-Q1"}).content.decode()
    assert "/mot-cua/lanh-dao/ho-so/?indicator=2.1&amp;part=numerator&amp;scope=agency:000.00.31.H53" in html
    page = leader.get(
        "/mot-cua/lanh-dao/ho-so/",
        {"indicator": "2.1", "part": "denominator", "scope": "agency:000.00.31.H53", "ky": "2026-Q1"},
    ).content.decode()
    codes = list(Dossier.objects.filter(competent_agency__code="000.00.31.H53").values_list("code", flat=True))
    assert len(codes) == 2 and all(c in page for c in codes)
    assert "Quá hạn" in page and "Trước hạn" in page  # d2 late, d1 early
    node = leader.get("/mot-cua/lanh-dao/ho-so/", {"indicator": "2.1", "part": "denominator", "ky": "2026-Q1"})
    others = Dossier.objects.exclude(competent_agency__code="000.00.31.H53").values_list("code", flat=True)
    assert not any(c in node.content.decode() for c in others)  # never beyond what he may see
    bad = leader.get("/mot-cua/lanh-dao/ho-so/", {"indicator": "1.1", "ky": "2026-Q1"})
    assert bad.status_code == 302  # back to the dashboard with the reason


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's")
def test_a_second_refresher_waits_its_turn(quarter):
    import psycopg

    db = connection.settings_dict
    other = psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"])
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [rollups.LOCK_KEY])
        assert rollups.refresh() == 0 and rollups.as_of() is None  # another process is refreshing
    finally:
        other.close()
    assert rollups.refresh() > 0
