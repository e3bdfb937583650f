"""Who sees and does what; public tracking; tokens; the event chain's tamper evidence."""

import json

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.dossiers.models import Dossier
from motcua.identity.services import user_for_token
from tests.dossiers.conftest import Api, birth_submission, construction_submission


@pytest.fixture
def two_dossiers(procedures, as_user, citizen):
    """One provincial dossier at Sở Xây dựng's specialist step, one commune dossier of a citizen."""
    desk = as_user("tiepnhan.tinh")
    provincial = desk.post("/dossiers", construction_submission()).json()["code"]
    desk.act(provincial, "forward")
    commune = citizen.post("/dossiers", birth_submission()).json()["code"]
    return provincial, commune


# role × endpoint × own/other agency: expected HTTP status
MATRIX = [
    # user,               provincial dossier,             commune dossier
    ("tiepnhan.tinh", {"read": 200, "forward": 403}, {"read": 404, "receive": 404}),
    ("xaydung.chuyenvien", {"read": 200, "forward": 200}, {"read": 404, "receive": 404}),
    ("xaydung.lanhdao", {"read": 200, "stop": 200}, {"read": 404}),
    ("tuphap.chuyenvien", {"read": 404, "forward": 404}, {"read": 404}),
    ("tanan.tiepnhan", {"read": 404, "forward": 404}, {"read": 200, "receive": 200}),
    ("tanan.congchuc", {"read": 404}, {"read": 200, "receive": 403}),
    ("quantri", {"read": 200, "forward": 403, "stop": 403}, {"read": 200, "receive": 403}),
    ("thanhtra", {"read": 200, "forward": 403, "stop": 403}, {"read": 200, "receive": 403, "refuse": 403}),
]


@pytest.mark.parametrize(("username", "on_provincial", "on_commune"), MATRIX, ids=[m[0] for m in MATRIX])
def test_authorization_matrix(two_dossiers, as_user, username, on_provincial, on_commune):
    provincial, commune = two_dossiers
    user = as_user(username)
    for code, expectations in ((provincial, on_provincial), (commune, on_commune)):
        for what, expected in expectations.items():
            if what == "read":
                statuses = {user.get(f"/dossiers/{code}").status_code, user.get(f"/dossiers/{code}/events").status_code}
                assert statuses == {expected}, (username, code, what)
            else:
                body = {"reason": "Lý do"} if what in ("stop", "refuse") else {}
                r = user.act(code, what, **body)
                assert r.status_code == expected, (username, code, what, r.json())


def test_citizens_see_only_their_own_and_unknown_looks_the_same(two_dossiers, citizen, django_user_model):
    _provincial, commune = two_dossiers
    stranger = Api(django_user_model.objects.create_user("khac", password="x", kind="citizen"))
    hidden = stranger.get(f"/dossiers/{commune}").json()
    unknown = stranger.get("/dossiers/000.01.31.H53-991231-9999").json()
    assert hidden["code"] == unknown["code"] == "dossier_not_found"
    assert stranger.act(commune, "withdraw", reason="x").json()["code"] == "dossier_not_found"
    assert stranger.get("/dossiers").json()["items"] == []
    assert [d["code"] for d in citizen.get("/dossiers").json()["items"]] == [commune]
    assert citizen.act(commune, "receive").status_code == 403


def test_anonymous_requests_need_credentials(api, two_dossiers):
    r = api.get("/api/v1/dossiers")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    r = api.get("/api/v1/dossiers", HTTP_AUTHORIZATION="Bearer mc_nonsense")
    assert r.status_code == 401


def test_staff_token_command_prints_a_working_token(db, capsys):
    call_command("staff", "token", "tiepnhan.tinh")
    token = capsys.readouterr().out.strip()
    assert token.startswith("mc_") and user_for_token(token).username == "tiepnhan.tinh"


def test_list_filters_and_keyset_pages(two_dossiers, as_user, procedures):
    desk = as_user("tiepnhan.tinh")
    for _ in range(4):
        desk.post("/dossiers", construction_submission())
    page = desk.get("/dossiers", {"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    seen = [d["code"] for d in page["items"]]
    while page["next_cursor"]:
        page = desk.get("/dossiers", {"limit": 2, "cursor": page["next_cursor"]}).json()
        seen += [d["code"] for d in page["items"]]
    assert len(seen) == len(set(seen)) == 5
    assert len(desk.get("/dossiers", {"status": 4}).json()["items"]) == 1
    assert desk.get("/dossiers", {"overdue": True}).json()["items"] == []
    spec = as_user("xaydung.chuyenvien")
    assert len(spec.get("/dossiers", {"unit": "000.01.05.H53"}).json()["items"]) == 1
    assert desk.get("/dossiers", {"limit": 500}).json()["code"] == "invalid_limit"


def test_overdue_and_at_risk_filters(procedures, as_user, monkeypatch):
    from datetime import datetime

    from motcua.common.timeutil import VN_TZ

    desk = as_user("tanan.tiepnhan")
    monkeypatch.setattr("motcua.common.clock.now", lambda: datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ))
    code = desk.post("/dossiers", birth_submission()).json()["code"]  # due 03/03 09:00
    monkeypatch.setattr("motcua.common.clock.now", lambda: datetime(2026, 3, 3, 8, 0, tzinfo=VN_TZ))
    assert [d["code"] for d in desk.get("/dossiers", {"at_risk": True}).json()["items"]] == [code]
    monkeypatch.setattr("motcua.common.clock.now", lambda: datetime(2026, 3, 4, 8, 0, tzinfo=VN_TZ))
    assert [d["code"] for d in desk.get("/dossiers", {"overdue": True}).json()["items"]] == [code]
    assert desk.get("/dossiers", {"at_risk": True}).json()["items"] == []


def test_public_tracking_shows_no_personal_data(two_dossiers, api):
    _, commune = two_dossiers
    for phone in ("0912345678", "+84 912 345 678", "84912345678"):
        r = api.get(f"/api/v1/public/tracking/{commune}", {"phone": phone})
        assert r.status_code == 200, phone
    text = json.dumps(r.json(), ensure_ascii=False)
    assert "Nguyễn Văn A" not in text and "0912345678" not in text and "080095000123" not in text
    assert r.json()["status"] == 1
    wrong = api.get(f"/api/v1/public/tracking/{commune}", {"phone": "0987654321"})
    unknown = api.get("/api/v1/public/tracking/000.01.31.H53-991231-9999", {"phone": "0912345678"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


def test_public_tracking_is_rate_limited(two_dossiers, api, settings):
    from django.core.cache import cache

    settings.MOTCUA_TRACKING_RATE = "2/m"
    cache.clear()
    _, commune = two_dossiers
    codes = [api.get(f"/api/v1/public/tracking/{commune}", {"phone": "0"}).status_code for _ in range(3)]
    assert codes == [404, 404, 429]
    cache.clear()


def test_verify_events_finds_the_first_tampered_link(two_dossiers, capsys):
    provincial, _commune = two_dossiers
    call_command("verify-events", "--no-progress")
    assert "2 dossiers" in capsys.readouterr().out
    dossier = Dossier.objects.get(code=provincial)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE dossiers_dossierevent SET payload = %s WHERE dossier_id = %s AND seq = 2",
            ['{"appointment_at": "2099-01-01"}', dossier.pk],
        )
    with pytest.raises(SystemExit) as exit_:
        call_command("verify-events", "--no-progress")
    assert exit_.value.code == 1
    assert f"BROKEN {provincial} event #2" in capsys.readouterr().err


def test_admin_inspection_is_scoped_read_only_and_logged(two_dossiers, login):
    from motcua.dossiers.models import AccessLog

    provincial, commune = two_dossiers
    client = login("thanhtra")
    listing = client.get("/admin/dossiers/dossier/").content.decode()
    assert provincial in listing and commune in listing
    pk = Dossier.objects.get(code=provincial).pk
    assert client.get(f"/admin/dossiers/dossier/{pk}/change/").status_code == 200
    assert AccessLog.objects.filter(user__username="thanhtra", purpose="admin").exists()
    assert client.post(f"/admin/dossiers/dossier/{pk}/delete/", {"post": "yes"}).status_code == 403
