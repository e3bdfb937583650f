"""Issue 12, defects 10, 11 and 13 and the boundary rule on control characters: out-of-range and malformed
parameters answer 400 with a stable code (pages: a message), never a 500; the index's indicator set is chosen
by name from a fixed list, never a path; a NUL or another control character never gets past the boundary."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.api.main import api as ninja_api
from motcua.identity.services import issue_token
from motcua.protocol.index766 import config_names
from tests.dossiers.conftest import birth_submission

HUGE = "1" * 23  # beyond every integer column
NUL = "\x00"


@pytest.fixture
def bearer(db, django_user_model):
    def _client(username: str) -> Client:
        token = issue_token(django_user_model.objects.get(username=username), "test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return _client


def code_of(response) -> str:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    return response.json()["code"]


# -- defect 10: the indicator set is a name from a fixed list ------------------------------------------------
@pytest.mark.parametrize("config", ["../../../../etc/passwd", "../indicators/766-2024", "766-2024.json", "x", ""])
def test_the_index_reads_no_file_outside_its_list(api, config):
    assert code_of(api.get("/api/v1/index", {"config": config})) == "unknown_config"


def test_the_indicator_sets_offered_are_the_files_there_are(api):
    parameter = next(
        p
        for p in ninja_api.get_openapi_schema()["paths"]["/api/v1/index"]["get"]["parameters"]
        if p["name"] == "config"
    )
    assert parameter["schema"]["enum"] == list(config_names()) and "766-2024" in config_names()
    assert api.get("/api/v1/index", {"config": "766-2022", "source": "facts"}).status_code == 200


# -- defect 11: values out of range ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"period": "9999"}, "invalid_period"),
        ({"period": "1999"}, "invalid_period"),
        ({"period": "0001-01-01..9999-12-31"}, "invalid_period"),
        ({"period": "2026-02-30..2026-03-01"}, "invalid_period"),
        ({"scope": "agency:"}, "invalid_scope"),
        ({"source": "everything"}, "invalid_input"),
    ],
)
def test_index_parameters_out_of_range(api, params, code):
    assert code_of(api.get("/api/v1/index", params)) == code


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"status": HUGE}, "invalid_status"),
        ({"status": "11"}, "invalid_status"),
        ({"cursor": HUGE}, "invalid_cursor"),
        ({"cursor": "0"}, "invalid_cursor"),
        ({"limit": "1000"}, "invalid_limit"),
        ({"received_to": "0"}, "invalid_date"),
        ({"received_from": "1700000000"}, "invalid_date"),
        ({"received_to": "9999-12-31"}, "invalid_date"),
        ({"received_from": "0001-01-01"}, "invalid_date"),
        ({"agency": "A" * 21}, "invalid_input"),
    ],
)
def test_dossier_list_parameters_out_of_range(bearer, params, code):
    assert code_of(bearer("tiepnhan.tinh").get("/api/v1/dossiers", params)) == code


def test_dossier_list_within_range(bearer):
    desk = bearer("tiepnhan.tinh")
    ok = {"status": ["1", "10"], "cursor": str(2**63 - 1), "received_from": "2000-01-01", "received_to": "2099-12-31"}
    assert desk.get("/api/v1/dossiers", ok).status_code == 200


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"indicator": "2.1", "cursor": HUGE}, "invalid_cursor"),
        ({"indicator": "2.1", "period": "9999"}, "invalid_period"),
        ({"indicator": "2.1", "limit": "0"}, "invalid_limit"),
        ({"indicator": "2.1", "part": "everything"}, "invalid_input"),
        ({"indicator": "../x"}, "invalid_input"),
    ],
)
def test_drill_down_parameters_out_of_range(bearer, params, code):
    assert code_of(bearer("tanan.chutich").get("/api/v1/index/dossiers", params)) == code


@pytest.mark.parametrize("period", ["9999", "0000", "2026-Q9", "", "9999-12-31..9999-12-31"])
def test_report_period_out_of_range(bearer, period):
    r = bearer("tanan.chutich").get("/api/v1/reports/handling", {"period": period})
    assert code_of(r) == "invalid_period"


def test_report_format_is_one_of_three(bearer):
    assert code_of(bearer("tanan.chutich").get("/api/v1/reports/handling", {"period": "2026", "format": "pdf"}))


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/api/v1/procedures", {"limit": HUGE}, "invalid_limit"),
        ("/api/v1/procedures", {"cursor": "x" * 41}, "invalid_cursor"),
        ("/api/v1/procedures/" + "9" * 41, {}, "invalid_input"),
        ("/api/v1/public/tracking/" + "9" * 41, {"phone": "0912345678"}, "invalid_input"),
        ("/api/v1/public/tracking/X-1", {"phone": "0" * 21}, "invalid_input"),
        ("/api/v1/workdays/deadline", {"start": "2026-02-13T09:00", "amount": "3", "unit": "weeks"}, "unknown_unit"),
        ("/api/v1/workdays/deadline", {"start": "2026-02-13T09:00", "amount": HUGE}, None),
        ("/api/v1/workdays/between", {"start": "2026-02-13T09:00", "end": "9" * 41}, "invalid_input"),
    ],
)
def test_public_parameters_out_of_range(api, path, params, code):
    got = code_of(api.get(path, params))
    assert code is None or got == code


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"version": int(HUGE)}, "number_too_large"),
        ({"version": 2**31}, "invalid_input"),
        ({"new_appointment": 0}, "invalid_input"),
        ({"new_appointment": "9999-12-31T00:00"}, "invalid_input"),
        ({"assignee": "a" * 151}, "invalid_input"),
        ({"items": ["x" * 501]}, "invalid_input"),
        ({"method": "m" * 41}, "invalid_input"),
    ],
)
def test_action_body_values_out_of_range(bearer, body, code):
    r = bearer("tanan.tiepnhan").post("/api/v1/dossiers/X-1/reschedule", body, content_type="application/json")
    assert code_of(r) == code


# -- pages ------------------------------------------------------------------------------------------------------
def test_pages_answer_a_message_for_periods_out_of_range(db, client, login):
    r = client.get("/cong-khai/chi-so/", {"ky": "9999"})
    assert r.status_code == 400 and "9999" in r.content.decode()
    leader = login("tanan.chutich")
    for path in ("/mot-cua/lanh-dao/", "/mot-cua/lanh-dao/ho-so/"):
        r = leader.get(path, {"ky": "9999", "indicator": "2.1"}, follow=True)
        assert r.status_code == 200 and "9999" in r.content.decode(), path


def test_pages_ignore_integers_out_of_range(db, login, django_user_model):
    desk = login("tanan.tiepnhan")
    assert desk.get("/mot-cua/", {"status": HUGE, "sau": HUGE}).status_code == 200
    leader = login("tanan.chutich")  # the drill-down is for those who may read the dashboard (issue 13)
    assert leader.get("/mot-cua/lanh-dao/ho-so/", {"indicator": "2.1", "cursor": HUGE}, follow=True).status_code == 200
    assert "không thuộc phạm vi" in desk.get("/mot-cua/", {"ma": "a/b"}).content.decode()  # in words, never a 500
    citizen = django_user_model.objects.create_user("c1", password="x", kind="citizen", phone="0912345678")
    client = Client()
    client.force_login(citizen)
    assert client.get("/ho-so-cua-toi/", {"sau": HUGE}).status_code == 200


# -- control characters at the boundary ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "change",
    [
        lambda b: b["applicant"].update(name="Nguyễn\x00Văn A"),
        lambda b: b["applicant"].update(address="ấp 1\x1b[31m"),
        lambda b: b.update(form_data={"ghi_chu": "a\x00b"}),
        lambda b: b.update(form_data={"k\x07": "v"}),
        lambda b: b["components"][0].update(code="TK\x00"),
        lambda b: b.update(form_data={"x": "\ud800"}),
    ],
)
def test_a_body_with_control_characters_is_refused_and_nothing_is_written(bearer, procedures, change):
    from motcua.dossiers.models import Dossier

    body = birth_submission()
    change(body)
    r = bearer("tanan.tiepnhan").post("/api/v1/dossiers", body, content_type="application/json")
    assert code_of(r) in ("control_characters", "invalid_unicode")
    assert not Dossier.objects.exists()


def test_tab_and_line_breaks_are_text(bearer, procedures):
    body = birth_submission()
    body["applicant"]["address"] = "Ấp 1,\txã Tân An\r\nTây Ninh"
    assert bearer("tanan.tiepnhan").post("/api/v1/dossiers", body, content_type="application/json").status_code == 201


def test_an_action_with_control_characters_is_refused(bearer):
    r = bearer("tanan.tiepnhan").post(
        "/api/v1/dossiers/X-1/refuse", {"reason": "x\x00"}, content_type="application/json"
    )
    assert code_of(r) == "control_characters"


def test_deep_and_huge_bodies_are_refused(bearer):
    deep: dict = {}
    for _ in range(40):
        deep = {"a": deep}
    desk = bearer("tanan.tiepnhan")
    assert code_of(desk.post("/api/v1/dossiers", {**birth_submission(), "form_data": deep}, "application/json")) == (
        "too_deep"
    )
    big = {**birth_submission(), "form_data": {"n": 2**70}}
    assert code_of(desk.post("/api/v1/dossiers", big, "application/json")) == "number_too_large"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/public/tracking/X%00-1?phone=0912345678",
        "/api/v1/procedures?q=khai%00sinh",
        "/api/v1/dossiers/%00",
    ],
)
def test_urls_with_control_characters_are_refused(api, path):
    r = api.get(path)
    assert code_of(r) == "control_characters" and r.json()["message_en"]


def test_pages_refuse_control_characters_in_urls_and_forms(db, client, login, django_user_model):
    r = client.get("/tra-cuu/", {"code": "X\x00", "phone": "0912345678"})
    assert r.status_code == 400 and b"control_characters" in r.content
    users = django_user_model.objects.count()
    r = client.post(
        "/dang-ky/",
        {
            "full_name": "A\x00",
            "national_id": "080095000123",
            "phone": "0911222333",
            "email": "a@b.vn",
            "password1": "Kh0ng-de-doan!",
            "password2": "Kh0ng-de-doan!",
        },
    )
    assert r.status_code == 400 and b"control_characters" in r.content
    assert django_user_model.objects.count() == users
    desk = login("tanan.tiepnhan")
    r = desk.post("/mot-cua/ho-so/X-1/refuse/", {"refuse-reason": "x\x0b"})
    assert r.status_code == 400 and b"control_characters" in r.content
