"""The authorization matrix over every surface: role × surface × own/other agency. For each account
and each of two dossiers (a provincial one at Sở Xây dựng, a commune one of a citizen holding an
uploaded file), what the API, its event chain, the back-office page, the citizen's page, the file
download and the admin change page answer must agree with one visibility table."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.documents.services import store_upload
from motcua.dossiers.models import Dossier
from motcua.identity.testing import verified_login
from tests.dossiers.conftest import Api, birth_submission, construction_submission

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# account → (sees the provincial dossier, sees the commune dossier, has the admin site)
VISIBILITY = {
    "tiepnhan.tinh": (True, False, False),
    "xaydung.chuyenvien": (True, False, False),
    "xaydung.lanhdao": (True, False, False),
    "tuphap.chuyenvien": (False, False, False),
    "tanan.tiepnhan": (False, True, False),
    "tanan.congchuc": (False, True, False),
    "quantri": (True, True, True),
    "thanhtra": (True, True, True),
    "owner": (False, True, False),
    "stranger": (False, False, False),
}


@pytest.fixture
def world(procedures, django_user_model):
    owner = django_user_model.objects.create_user("chu.hoso", password="x", kind="citizen", phone="0912345678")
    django_user_model.objects.create_user("nguoi.la", password="x", kind="citizen", phone="0987654321")
    desk = Api(django_user_model.objects.get(username="tiepnhan.tinh"))
    provincial = desk.post("/dossiers", construction_submission()).json()["code"]
    desk.act(provincial, "forward")
    stored = store_upload(SimpleUploadedFile("tk.pdf", PDF, content_type="application/pdf"), owner)
    body = birth_submission(components=[{"code": "TK", "file_ref": str(stored.pk)}, {"code": "GCS"}])
    commune = Api(owner).post("/dossiers", body).json()["code"]
    return {"provincial": provincial, "commune": commune, "file": stored.pk}


def _user(django_user_model, name):
    username = {"owner": "chu.hoso", "stranger": "nguoi.la"}.get(name, name)
    return django_user_model.objects.get(username=username)


def _answers(user, code: str, file_id) -> dict[str, bool]:
    """Whether each surface shows the dossier (or its file) to `user`."""
    api, page = Api(user), Client()
    verified_login(page, user)
    pk = Dossier.objects.get(code=code).pk
    staff_page = page.get(f"/mot-cua/ho-so/{code}/")
    admin_page = page.get(f"/admin/dossiers/dossier/{pk}/change/")
    return {
        "api": api.get(f"/dossiers/{code}").status_code == 200,
        "events": api.get(f"/dossiers/{code}/events").status_code == 200,
        "back office": staff_page.status_code == 200 and code in staff_page.content.decode(),
        "citizen page": page.get(f"/ho-so-cua-toi/{code}/").status_code == 200,
        "download": file_id is not None and page.get(f"/tep/{file_id}/").status_code == 200,
        "admin": admin_page.status_code == 200,
    }


@pytest.mark.parametrize("name", list(VISIBILITY))
def test_every_surface_agrees_with_the_visibility_table(world, django_user_model, name):
    user = _user(django_user_model, name)
    sees_provincial, sees_commune, has_admin = VISIBILITY[name]
    is_citizen = name in ("owner", "stranger")
    for which, sees, file_id in (
        ("provincial", sees_provincial, None),
        ("commune", sees_commune, world["file"]),
    ):
        got = _answers(user, world[which], file_id)
        expected = {
            "api": sees,
            "events": sees,
            "back office": sees and not is_citizen,
            "citizen page": sees and is_citizen,
            "download": sees and file_id is not None,
            "admin": sees and has_admin,
        }
        assert got == expected, (name, which)
