"""Deadlines through the HTTP API and the CLI, against the calendar in the database."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from motcua.workdays import services
from motcua.workdays.models import CalendarAudit


def test_deadline_endpoint_matches_the_issue_example(api):
    r = api.get("/api/v1/workdays/deadline", {"start": "2026-02-13T09:00", "amount": "3", "unit": "working_days"})
    assert r.status_code == 200
    body = r.json()
    assert body["due"] == "2026-02-25T09:00:00+07:00"
    assert body["calendar_version"].startswith("vn-holidays-")
    assert {row["date"] for row in body["explain"]} >= {"2026-02-13", "2026-02-17", "2026-02-25"}


def test_between_endpoint(api):
    r = api.get("/api/v1/workdays/between", {"start": "2026-02-13T09:00", "end": "2026-02-25T09:00"})
    assert r.status_code == 200
    assert r.json()["working_days"] == 3.0 and r.json()["seconds"] == 86400


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "13/02/2026", "amount": "3"}, "invalid_datetime"),
        ({"start": "2026-02-13T09:00", "amount": "3", "unit": "weeks"}, "unknown_unit"),
        ({"start": "2026-02-13T09:00", "amount": "-1"}, "negative_amount"),
        ({"start": "2026-02-13T09:00", "amount": "x"}, "invalid_amount"),
        ({"start": "2026-02-13T09:00"}, "invalid_input"),
        ({"start": "1999-01-01T09:00", "amount": "1"}, "calendar_out_of_range"),
    ],
)
def test_deadline_bad_input_is_a_400_with_a_stable_code(api, params, code):
    r = api.get("/api/v1/workdays/deadline", params)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == code
    assert body["message"] and body["message_en"]


def test_between_rejects_end_before_start(api):
    r = api.get("/api/v1/workdays/between", {"start": "2026-02-25T09:00", "end": "2026-02-13T09:00"})
    assert r.status_code == 400 and r.json()["code"] == "end_before_start"


def test_an_override_changes_deadlines_and_the_calendar_version(db, django_user_model):
    before = services.compute_deadline("2026-02-13T09:00", "3", "working_days")
    admin = django_user_model.objects.get(username="quantri")
    services.set_override(date(2026, 2, 23), "holiday", "Nghỉ do bão (Công văn 12/UBND)", actor=admin)
    after = services.compute_deadline("2026-02-13T09:00", "3", "working_days")
    assert after.due.isoformat() == "2026-02-26T09:00:00+07:00"
    assert after.calendar_version != before.calendar_version
    log = CalendarAudit.objects.get()
    assert (log.action, log.actor, log.calendar_version) == ("created", admin, after.calendar_version)
    reason = next(r for r in after.explain if r["date"] == "2026-02-23")
    assert reason["kind"] == "override_holiday" and "bão" in reason["reason"]


def test_override_needs_a_note(db):
    from motcua.common.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        services.set_override(date(2026, 2, 23), "holiday", "  ")
    assert err.value.code == "override_note_required"


def test_cli_prints_json(db, capsys):
    call_command(
        "workdays", "deadline", "--start", "2026-02-13T09:00", "--amount", "3", "--unit", "working_days", "--json"
    )
    body = json.loads(capsys.readouterr().out)
    assert body["due"] == "2026-02-25T09:00:00+07:00" and body["explain"]


def test_cli_error_exits_2_with_the_code(db, capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command("workdays", "deadline", "--start", "nope", "--amount", "3", "--json")
    assert exit_.value.code == 2
    assert json.loads(capsys.readouterr().err)["code"] == "invalid_datetime"
