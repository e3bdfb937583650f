"""Schemathesis over the whole OpenAPI schema the API serves, anonymous and with a staff Bearer token: no
server error, and every answer conforms to the schema (status code, content type, body). Bounded and
derandomized: the same examples on every run, the whole module in well under a minute."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from motcua.api.main import api
from motcua.identity.services import issue_token
from motcua.wsgi import application
from tests.dossiers.conftest import birth_submission

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 15}


def _has_input(operation) -> bool:
    """Negative examples need something to break: a parameter or a body."""
    return bool(list(operation.iter_parameters())) or bool(operation.body)


CASES = [
    pytest.param(operation, mode, id=f"{mode.value}-{operation.label}")
    for operation in OPERATIONS
    for mode in EXAMPLES
    if mode is GenerationMode.POSITIVE or _has_input(operation)
]


@pytest.fixture
def no_limits(settings):
    """Budgets out of the way (429 is documented, but the point here is every other answer); and the test's
    database connection kept open across requests to the WSGI app, as Django's test client keeps it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.MOTCUA_PUBLIC_API_RATE = settings.MOTCUA_TRACKING_RATE = "100000/m"
    settings.MOTCUA_TRACKING_MISS_RATE = settings.MOTCUA_TRACKING_PREFIX_MISS_RATE = "100000/m"
    cache.clear()
    yield
    cache.clear()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def exercise(operation, mode: GenerationMode, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call(app=application, headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    check()


def test_every_operation_is_exercised():
    assert {o.label for o in OPERATIONS} >= {
        "GET /api/v1/public/tracking/{code}",
        "POST /api/v1/dossiers",
        "POST /api/v1/dossiers/{code}/{action}",
        "GET /api/v1/index",
        "GET /api/v1/reports/handling",
    }


@pytest.mark.parametrize(("operation", "mode"), CASES)
def test_anonymous(db, no_limits, operation, mode):
    exercise(operation, mode, {})


@pytest.mark.parametrize(("operation", "mode"), CASES)
def test_with_a_staff_token(db, no_limits, django_user_model, operation, mode):
    token = issue_token(django_user_model.objects.get(username="tiepnhan.tinh"), "schemathesis")
    exercise(operation, mode, {"Authorization": f"Bearer {token}"})


def call(path: str, method: str = "GET", headers=None, **parts):
    """One request through the schema: answered by the app, then checked like the generated ones."""
    case = SCHEMA[path][method].Case(**parts)
    response = case.call(app=application, headers=headers or {})
    case.validate_response(response, checks=CHECKS, headers=headers or {})
    return response


def test_real_answers_conform_to_the_schema(procedures, no_limits, django_user_model):
    """The generated examples rarely name a dossier that exists: these do, so that every 200 and 201 body
    is checked against its schema too."""
    desk = {"Authorization": f"Bearer {issue_token(django_user_model.objects.get(username='tanan.tiepnhan'), 't')}"}
    leader = {"Authorization": f"Bearer {issue_token(django_user_model.objects.get(username='tanan.chutich'), 't')}"}
    created = call("/api/v1/dossiers", "POST", desk, body=birth_submission())
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    assert call("/api/v1/dossiers", headers=desk, query={"status": [2], "limit": 5}).status_code == 200
    assert call("/api/v1/dossiers/{code}", headers=desk, path_parameters={"code": code}).status_code == 200
    assert call("/api/v1/dossiers/{code}/events", headers=desk, path_parameters={"code": code}).status_code == 200
    stale = call(
        "/api/v1/dossiers/{code}/{action}", "POST", desk, path_parameters={"code": code, "action": "forward"}, body={}
    )
    assert stale.status_code in (200, 403, 409), stale.text
    tracked = call("/api/v1/public/tracking/{code}", path_parameters={"code": code}, query={"phone": "0912345678"})
    assert tracked.status_code == 200
    assert call("/api/v1/procedures/{code}", path_parameters={"code": "1.001193"}).status_code == 200
    assert call("/api/v1/procedures", query={"q": "khai sinh", "limit": 1}).status_code == 200
    assert call("/api/v1/index", query={"source": "facts"}).status_code == 200
    assert call("/api/v1/index/dossiers", headers=leader, query={"indicator": "2.1"}).status_code == 200
    for form in ("json", "csv", "xlsx"):
        answer = call("/api/v1/reports/handling", headers=leader, query={"period": "2026", "format": form})
        assert answer.status_code == 200
    assert call("/api/v1/workdays/deadline", query={"start": "2026-02-13T09:00", "amount": "3"}).status_code == 200
    between = {"start": "2026-02-13T09:00", "end": "2026-02-25T09:00"}
    assert call("/api/v1/workdays/between", query=between).status_code == 200
    assert call("/api/v1/version").status_code == 200
