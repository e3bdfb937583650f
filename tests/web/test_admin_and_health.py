"""The Vietnamese admin for provincial administrators, scoping, health and security headers."""

from motcua.demo import org_data as D
from motcua.org.models import Agency


def test_healthz(api):
    r = api.get("/healthz")
    assert r.status_code == 200 and r.json()["database"] is True


def test_pages_carry_security_headers(api):
    r = api.get("/")
    assert "default-src 'self'" in r["Content-Security-Policy"]
    assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"


def test_admin_is_in_vietnamese_for_the_provincial_administrator(login):
    client = login("quantri")
    r = client.get("/admin/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Quản trị" in html
    for url in (
        "/admin/org/agency/",
        "/admin/org/staffrole/",
        "/admin/catalog/procedureversion/",
        "/admin/workdays/calendaroverride/",
        "/admin/org/commune/?q=hoa+thanh",
    ):
        assert client.get(url).status_code == 200, url


def test_admin_manages_a_calendar_override_through_the_service(login):
    from motcua.workdays.models import CalendarAudit, CalendarOverride

    client = login("quantri")
    r = client.post(
        "/admin/workdays/calendaroverride/add/",
        {"day": "23/02/2026", "kind": "holiday", "note": "Nghỉ do bão số 3"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert CalendarOverride.objects.get().note == "Nghỉ do bão số 3"
    assert CalendarAudit.objects.get().actor.username == "quantri"


def test_administrator_sees_only_their_scope(login, django_user_model):
    from motcua.org.services import assign_role

    dept_admin = django_user_model.objects.create_user("qt.tuphap", password="Motcua@2026")
    assign_role(dept_admin, "administrator", Agency.objects.get(code=D.code(3)))
    client = login("qt.tuphap")
    listing = client.get("/admin/org/agency/").content.decode()
    assert "Phòng Hành chính tư pháp" in listing and "Sở Xây dựng" not in listing
    other = Agency.objects.get(code=D.code(5))
    assert client.get(f"/admin/org/agency/{other.pk}/change/").status_code in (302, 404)


def test_inspector_reads_but_cannot_change(login):
    client = login("thanhtra")
    assert client.get("/admin/org/agency/").status_code == 200
    assert client.get("/admin/org/agency/add/").status_code == 403


def test_back_office_roles_have_no_admin(login):
    client = login("tiepnhan.tinh")
    r = client.get("/admin/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_administrator_cannot_make_anyone_superuser(login, django_user_model):
    client = login("quantri")
    target = django_user_model.objects.get(username="tuphap.chuyenvien")
    page = client.get(f"/admin/identity/user/{target.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    superuser = django_user_model.objects.get(username="admin")
    assert client.get(f"/admin/identity/user/{superuser.pk}/change/").status_code in (302, 404)


def test_admin_search_ignores_diacritics(login):
    client = login("quantri")
    for term in ("Tư pháp", "tu phap", "TƯ PHÁP"):
        html = client.get("/admin/org/agency/", {"q": term}).content.decode()
        assert "Sở Tư pháp tỉnh Tây Ninh" in html, term
