"""Fixtures for the lifecycle: a small catalog, staff clients with Bearer tokens, a citizen."""

import pytest
from django.test import Client

from motcua.catalog.services import import_catalog
from motcua.demo import org_data as D
from motcua.identity.services import issue_token
from motcua.org.models import Agency
from motcua.org.services import assign_role
from tests.catalog.factories import catalog

TAN_AN = "27712"


@pytest.fixture
def procedures(db):
    import_catalog(catalog())


@pytest.fixture
def police_officer(db, django_user_model):
    user = django_user_model.objects.create_user("congan.tinh", password="x", full_name="Công an tỉnh")
    assign_role(user, "specialist", Agency.objects.get(code=D.code(12)))
    return user


class Api:
    """A JSON client acting as one user through a Bearer token."""

    def __init__(self, user):
        self.user = user
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'test')}")

    def get(self, path, params=None):
        return self.client.get(f"/api/v1{path}", params or {})

    def post(self, path, body=None):
        return self.client.post(f"/api/v1{path}", body or {}, content_type="application/json")

    def act(self, code, action, **body):
        return self.post(f"/dossiers/{code}/{action}", body)


@pytest.fixture
def as_user(db, django_user_model):
    def _as(username: str) -> Api:
        return Api(django_user_model.objects.get(username=username))

    return _as


@pytest.fixture
def citizen(db, django_user_model):
    user = django_user_model.objects.create_user(
        "nguyenvana", password="x", kind="citizen", full_name="Nguyễn Văn A", phone="0912345678"
    )
    return Api(user)


def birth_submission(**overrides):
    body = {
        "procedure_code": "1.001193",
        "commune_code": TAN_AN,
        "applicant": {"name": "Nguyễn Văn A", "phone": "0912345678", "id_number": "080095000123"},
        "components": [{"code": "TK", "digitized": True}, {"code": "GCS", "digitized": True, "reused": True}],
    }
    body.update(overrides)
    return body


def construction_submission(**overrides):
    body = {
        "procedure_code": "1.009972",
        "applicant": {
            "type": 2,
            "name": "Công ty TNHH Xây dựng Tây Ninh",
            "phone": "0276 3822 111",
            "id_number": "3900123456",
        },
        "components": [{"code": "DN"}],
    }
    body.update(overrides)
    return body
