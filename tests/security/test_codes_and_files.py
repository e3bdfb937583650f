"""Issue 12, defects 1, 2, 8 and 14 (downloads): codes are never handed out twice whatever wrote the
table; files are attached only by their uploader and served only to who may see a dossier holding
them; a malformed reference breaks no page; every download is audited."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from motcua.audit.models import AuditEvent
from motcua.documents.models import StoredFile
from motcua.documents.services import store_upload
from motcua.dossiers.models import AccessLog, Dossier, DossierComponent
from tests.dossiers.conftest import Api, birth_submission, construction_submission
from tests.sync.factories import old_system_line

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _imported(code: str, submitted: str) -> str:
    """An open dossier of an old system, submitted at the province desk at `submitted`."""
    line = old_system_line(code, TrangThaiHoSo=1, NgayNopHoSo=submitted)
    for key in ("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra"):
        line.pop(key)
    return json.dumps(line, ensure_ascii=False)


def _import(tmp_path, *lines):
    path = tmp_path / "cu.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command("import-dossiers", str(path), "--no-progress")


def test_an_import_of_todays_codes_does_not_stop_the_desk(procedures, django_user_model, tmp_path, clock):
    clock.set("2026-03-10T14:00")
    desk = Api(django_user_model.objects.get(username="tiepnhan.tinh"))
    _import(
        tmp_path,
        _imported("000.00.01.H53-260310-0001", "20260310083000"),
        _imported("000.00.01.H53-260310-0007", "20260310090000"),
        # a code of today's sequence under another day's submission: the counter cannot know it
        _imported("000.00.01.H53-260310-0009", "20260309160000"),
    )
    codes = []
    for _ in range(3):
        r = desk.post("/dossiers", construction_submission())
        assert r.status_code == 201, r.json()
        codes.append(r.json()["code"])
    assert codes == [f"000.00.01.H53-260310-{n:04d}" for n in (8, 10, 11)]
    assert Dossier.objects.filter(code__startswith="000.00.01.H53-260310-").count() == 6


def _upload(user, name="a.pdf"):
    return store_upload(SimpleUploadedFile(name, PDF, content_type="application/pdf"), user)


@pytest.fixture
def two_citizens(db, django_user_model):
    make = django_user_model.objects.create_user
    owner = make("chu.tep", password="x", kind="citizen", phone="0912345678")
    other = make("nguoi.khac", password="x", kind="citizen", phone="0987654321")
    return owner, other


def test_a_file_is_attached_only_by_its_uploader(procedures, two_citizens):
    owner, other = two_citizens
    stored = _upload(owner)
    for ref in (str(stored.pk), str(uuid.uuid4()), "x", "../etc/passwd"):
        body = birth_submission(components=[{"code": "TK", "file_ref": ref}, {"code": "GCS"}])
        r = Api(other).post("/dossiers", body)
        assert (r.status_code, r.json()["code"]) == (400, "invalid_file_ref"), ref
    assert not Dossier.objects.exists()
    mine = birth_submission(components=[{"code": "TK", "file_ref": str(stored.pk).upper()}, {"code": "GCS"}])
    r = Api(owner).post("/dossiers", mine)
    assert r.status_code == 201, r.json()
    assert DossierComponent.objects.get(code="TK").file_ref == str(stored.pk)  # canonical form


def test_staff_cannot_attach_a_citizens_file_to_a_result(procedures, two_citizens, django_user_model):
    owner, _ = two_citizens
    stolen = _upload(owner)
    desk = Api(django_user_model.objects.get(username="tanan.tiepnhan"))
    code = desk.post("/dossiers", birth_submission()).json()["code"]
    desk.act(code, "forward")
    leader = Api(django_user_model.objects.get(username="tanan.chutich"))
    result = {"code": "GKS", "name": "Giấy khai sinh", "file_ref": str(stolen.pk)}
    r = leader.act(code, "resolve", results=[result])
    assert (r.status_code, r.json()["code"]) == (400, "invalid_file_ref")
    own = _upload(leader.user, "gks.pdf")
    r = leader.act(code, "resolve", results=[{**result, "file_ref": str(own.pk)}])
    assert r.status_code == 200, r.json()


def test_files_are_served_to_who_may_see_them_and_every_download_is_audited(
    procedures, two_citizens, django_user_model
):
    owner, other = two_citizens
    stored = _upload(owner)
    body = birth_submission(components=[{"code": "TK", "file_ref": str(stored.pk)}, {"code": "GCS"}])
    code = Api(owner).post("/dossiers", body).json()["code"]

    def get(user):
        client = Client()
        client.force_login(user)
        return client.get(f"/tep/{stored.pk}/").status_code

    assert get(other) == 404
    assert get(django_user_model.objects.get(username="xaydung.chuyenvien")) == 404  # another agency
    assert get(owner) == 200
    desk = django_user_model.objects.get(username="tanan.tiepnhan")
    assert get(desk) == 200
    downloads = AuditEvent.objects.filter(action="file.download", target=str(stored.pk))
    assert [e.actor_id for e in downloads] == [owner.pk, desk.pk]
    assert AccessLog.objects.filter(user=desk, dossier__code=code, purpose="download").count() == 1


def test_a_malformed_file_reference_breaks_no_page(procedures, two_citizens, django_user_model):
    owner, _ = two_citizens
    code = Api(owner).post("/dossiers", birth_submission()).json()["code"]
    DossierComponent.objects.filter(dossier__code=code).update(file_ref="x")  # as an old system left it
    citizen = Client()
    citizen.force_login(owner)
    assert citizen.get(f"/ho-so-cua-toi/{code}/").status_code == 200
    desk = Client()
    desk.force_login(django_user_model.objects.get(username="tanan.tiepnhan"))
    assert desk.get(f"/mot-cua/ho-so/{code}/").status_code == 200
    assert Api(owner).get(f"/dossiers/{code}").status_code == 200
    assert StoredFile.objects.count() == 0
