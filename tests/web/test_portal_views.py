"""Portal and back-office pages with Django's client: uploads, drafts, permissions, ratings."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.catalog.services import import_catalog
from motcua.demo.services import demo_catalog_bytes
from motcua.documents.models import StoredFile
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Rating
from motcua.portal.models import SubmissionDraft

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def demo_catalog(db):
    import_catalog(demo_catalog_bytes())


@pytest.fixture
def citizen(db, django_user_model):
    user = django_user_model.objects.create_user(
        "080195000999", password="Mat-khau-2026", kind="citizen", full_name="Trần Thị Dân", phone="0911222333"
    )
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def wizard(client, step, data=None, **kw):
    url = f"/thu-tuc/1.001193/nop/?buoc={step}"
    return client.post(url, data, **kw) if data is not None else client.get(url)


def test_wizard_keeps_a_draft_across_a_lost_session(demo_catalog, citizen):
    r = wizard(citizen, 1, {"applicant_type": 1, "name": "Trần Thị Dân", "phone": "0911222333", "commune": "27712"})
    assert r.status_code == 302 and r["Location"].endswith("buoc=2")
    fresh = Client()
    fresh.force_login(citizen.user)  # a new session: the draft is still there
    page = wizard(fresh, 1).content.decode()
    assert 'value="0911222333"' in page
    assert SubmissionDraft.objects.filter(user=citizen.user, procedure_code="1.001193").exists()


def test_wizard_errors_are_next_to_the_fields_and_input_is_kept(demo_catalog, citizen):
    r = wizard(citizen, 1, {"applicant_type": 1, "name": "Trần Thị Dân", "phone": "12345", "commune": ""})
    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="id_phone_error"' in html and 'value="Trần Thị Dân"' in html
    assert "Số điện thoại không hợp lệ" in html


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [(b"MZ\x90\x00binary", "virus.pdf", "không phải PDF"), (b"GIF89a", "anh.gif", "không phải PDF")],
)
def test_uploads_are_checked_by_content(demo_catalog, citizen, content, name, message):
    wizard(citizen, 1, {"applicant_type": 1, "name": "A", "phone": "0911222333", "commune": "27712"})
    field = f"tp_{_first_component_code()}"
    r = wizard(citizen, 3, {field: SimpleUploadedFile(name, content, content_type="application/pdf")})
    assert message in r.content.decode()
    assert not StoredFile.objects.exists()


def test_oversize_upload_is_refused(demo_catalog, citizen, settings):
    settings.MOTCUA_UPLOAD_MAX_BYTES = 1024
    code = _first_component_code()
    r = wizard(citizen, 3, {f"tp_{code}": SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)})
    assert "vượt quá" in r.content.decode()


def _first_component_code():
    from motcua.catalog.selectors import version_in_force

    return version_in_force("1.001193").components.first().code


def test_a_citizen_cannot_open_the_back_office_or_someone_elses_dossier(demo_catalog, citizen, login):
    assert citizen.get("/mot-cua/").status_code == 302
    desk = login("tanan.tiepnhan")
    assert desk.get("/mot-cua/").status_code == 200
    other = services.submit(
        citizen.user.__class__.objects.get(username="tanan.tiepnhan"),
        services.Submission(
            procedure_code="1.000656",
            applicant_type=1,
            applicant_name="Người khác",
            applicant_phone="0900000001",
            commune_code="27712",
            components=[{"code": c} for c in _required("1.000656")],
            form_data={"ho_ten_nguoi_chet": "X", "ngay_chet": "2026-11-20", "noi_chet": "Y"},
        ),
    )
    assert citizen.get(f"/ho-so-cua-toi/{other.code}/").status_code == 404
    assert citizen.get(f"/mot-cua/ho-so/{other.code}/").status_code == 302


def _required(code):
    from motcua.catalog.selectors import version_in_force

    return [c.code for c in version_in_force(code).components.all() if c.required]


def test_files_are_served_only_to_who_may_see_them(demo_catalog, citizen, login):
    stored = StoredFile.objects.create(
        owner=citizen.user,
        original_name="a.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0",
        path="uploads/none.pdf",
    )
    stranger = login("xaydung.chuyenvien")
    assert stranger.get(f"/tep/{stored.pk}/").status_code == 404


def test_rating_only_after_return_and_once(demo_catalog, citizen, django_user_model):
    desk = django_user_model.objects.get(username="tanan.tiepnhan")
    d = services.submit(
        citizen.user,
        services.Submission(
            procedure_code="1.000656",
            applicant_type=1,
            applicant_name="Trần Thị Dân",
            applicant_phone="0911222333",
            commune_code="27712",
            components=[{"code": c} for c in _required("1.000656")],
            form_data={"ho_ten_nguoi_chet": "X", "ngay_chet": "2026-11-20", "noi_chet": "Y"},
        ),
    )
    citizen.post(f"/ho-so-cua-toi/{d.code}/rate/", {"score": 3})
    assert not Rating.objects.exists()
    services.receive(d.code, desk)
    for user in ("tanan.tiepnhan", "tanan.congchuc"):
        services.forward(d.code, django_user_model.objects.get(username=user))
    d.refresh_from_db()
    while d.current_step and d.current_step.role != "agency_leader":
        services.forward(d.code, django_user_model.objects.get(username="tanan.congchuc"))
        d.refresh_from_db()
    services.resolve(
        d.code,
        django_user_model.objects.get(username="tanan.chutich"),
        results=[{"code": "TRICH_LUC", "name": "Trích lục khai tử"}],
    )
    services.return_result(d.code, desk, method="counter")
    citizen.post(f"/ho-so-cua-toi/{d.code}/rate/", {"score": 3, "comment": "Nhanh"})
    citizen.post(f"/ho-so-cua-toi/{d.code}/rate/", {"score": 1})
    assert Rating.objects.get().score == 3
    assert Dossier.objects.get(code=d.code).rating.comment == "Nhanh"


def test_tracking_page_is_rate_limited(db, client, settings):
    from django.core.cache import cache

    settings.MOTCUA_TRACKING_RATE = "2/m"
    cache.clear()
    answers = [client.get("/tra-cuu/", {"code": "X-1", "phone": "0900000000"}) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    minutes = -(-int(answers[-1]["Retry-After"]) // 60)
    assert f"thử lại sau {minutes} phút" in answers[-1].content.decode()  # says how long, in Vietnamese
    cache.clear()


def test_register_validates_the_citizen_id(db, client):
    r = client.post(
        "/dang-ky/",
        {
            "full_name": "A",
            "national_id": "123",
            "phone": "0911222333",
            "email": "a@b.vn",
            "password1": "Kh0ng-de-doan!",
            "password2": "Kh0ng-de-doan!",
        },
    )
    assert "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số; bạn đã nhập 3" in r.content.decode()


def test_english_is_available(db, client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Public service portal" in client.get("/").content.decode()
