"""The `quarter` fixture: four dossiers with hand-worked outcomes, shared by the index tests."""

from datetime import datetime

import pytest

from motcua.common.timeutil import VN_TZ
from motcua.dossiers import services
from motcua.feedback.services import rate
from motcua.identity.models import User
from motcua.metrics import fact_index
from tests.dossiers.conftest import *  # noqa: F403
from tests.dossiers.conftest import birth_submission, construction_submission


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


@pytest.fixture
def quarter(procedures, police_officer, as_user, citizen, monkeypatch):
    """Four dossiers received on 02/03/2026 (Q1), with known outcomes."""
    now = {"t": at("2026-03-02T09:00")}
    monkeypatch.setattr("motcua.common.clock.now", lambda: now["t"])
    u = {
        n: User.objects.get(username=n)
        for n in (
            "tanan.tiepnhan",
            "tanan.congchuc",
            "tanan.chutich",
            "tiepnhan.tinh",
            "xaydung.chuyenvien",
            "xaydung.lanhdao",
        )
    }

    def birth_path(code, resolved_at, electronic):
        for who in ("tanan.tiepnhan", "tanan.congchuc"):
            services.forward(code, u[who])
        now["t"] = at(resolved_at)
        result = {"code": "GKS", "name": "Giấy khai sinh", "electronic": electronic}
        if electronic:  # an electronic result has its file (a result entry without one is not electronic)
            result["file_ref"] = "https://ketqua.tayninh.gov.vn/GKS-0001.pdf"
        services.resolve(code, u["tanan.chutich"], results=[result])
        services.return_result(code, u["tanan.tiepnhan"], method="online" if electronic else "counter")

    # d1: online, digitized, reused and taken from the data store, early, electronic result, rated "very satisfied"
    d1 = citizen.post(
        "/dossiers",
        birth_submission(
            components=[
                {"code": "TK", "digitized": True},
                {"code": "GCS", "digitized": True, "reused": True, "from_data_store": True},
            ]
        ),
    ).json()["code"]
    services.receive(d1, u["tanan.tiepnhan"])
    birth_path(d1, "2026-03-02T15:00", electronic=True)
    rate(citizen.user, d1, 3)
    # d2: at the counter, paper, resolved after its appointment (03/03 09:00): late
    now["t"] = at("2026-03-02T09:00")
    d2 = (
        as_user("tanan.tiepnhan")
        .post("/dossiers", birth_submission(components=[{"code": "TK"}, {"code": "GCS"}]))
        .json()["code"]
    )
    birth_path(d2, "2026-03-04T10:00", electronic=False)
    # d3: construction permit still at the specialist after its appointment (23/03 17:00): overdue
    now["t"] = at("2026-03-02T10:00")
    d3 = as_user("tiepnhan.tinh").post("/dossiers", construction_submission()).json()["code"]
    services.forward(d3, u["tiepnhan.tinh"])
    # d4: construction permit, fees paid online, resolved early
    d4 = as_user("tiepnhan.tinh").post("/dossiers", construction_submission()).json()["code"]
    services.forward(d4, u["tiepnhan.tinh"])
    services.request_payment(d4, u["xaydung.chuyenvien"], amount_vnd=150000)
    services.confirm_payment(d4, u["tiepnhan.tinh"], paid_online=True)
    services.transfer(d4, u["xaydung.chuyenvien"])
    services.forward(d4, police_officer)
    now["t"] = at("2026-03-05T10:00")
    services.resolve(d4, u["xaydung.lanhdao"], results=[{"code": "GPXD", "name": "Giấy phép", "electronic": False}])
    now["t"] = at("2026-11-23T09:00")
    return fact_index.compute("node", "2026-Q1")


def by_id(result):
    return {i["id"]: i for g in result["groups"] for i in g["indicators"]}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The dashboard keeps a minute's worth of live counts in the cache: start every test without."""
    from django.core.cache import cache

    cache.clear()
