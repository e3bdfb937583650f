"""Issue 13, items 9–13 with Django's client: dossier codes in any case and the desk's short form (within
scope, no existence oracle), the inbox's defaults, CCCD typed in groups, the error summary of every form,
error pages in the site's look with DEBUG off, money and dates as people write them, tables as cards."""

import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client, override_settings
from django.urls import path

from motcua.catalog.services import import_catalog
from motcua.common.numbers import format_vnd
from motcua.demo.services import demo_catalog_bytes
from motcua.dossiers import services
from motcua.dossiers.codes import normalize_code, short_form
from motcua.dossiers.models import Dossier, Status
from motcua.identity.cccd import validate_cccd
from motcua.identity.models import User
from motcua.portal.forms import ApplicantForm, RegisterForm
from motcua.urls import urlpatterns as site_urls

TAN_AN_DESK = "000.01.31.H53"
CENTRE = "000.00.01.H53"


@pytest.fixture
def demo_catalog(db):
    import_catalog(demo_catalog_bytes())


def birth_dossier(desk: str = "tanan.tiepnhan", phone: str = "0912345678") -> Dossier:
    return services.submit(
        User.objects.get(username=desk),
        services.Submission(
            procedure_code="1.001193",
            applicant_type=1,
            applicant_name="Nguyễn Văn A",
            applicant_phone=phone,
            commune_code="27712",
            components=[{"code": "TP01", "digitized": True}, {"code": "TP02", "digitized": True}],
            form_data={"ho_ten_tre": "Nguyễn Minh An", "ngay_sinh": "2026-11-20", "gioi_tinh": "Nam",
                       "noi_sinh": "Tân An", "ho_ten_me": "Nguyễn Thị Mai", "quan_he": "Mẹ"},
        ),
    )  # fmt: skip


def _business() -> Dossier:
    return services.submit(
        User.objects.get(username="tiepnhan.tinh"),
        services.Submission(
            procedure_code="2.001610",
            applicant_type=2,
            applicant_name="DNTN Hòa Thành",
            applicant_phone="0912000111",
            applicant_id_number="3901234567",
            components=[{"code": "TP01", "digitized": True}],
            form_data={"ten_doanh_nghiep": "DNTN Hòa Thành", "dia_chi_tru_so": "Hòa Thành", "nganh_nghe": "Bán lẻ",
                       "von_dau_tu": 500000000},
        ),
    )  # fmt: skip


# -- 9. finding a dossier by its code -------------------------------------------------------------
def test_codes_are_normalized_in_one_place():
    assert normalize_code("  000.01.31.h53-261123-0001 \n") == "000.01.31.H53-261123-0001"
    assert normalize_code("000.01.31.H53 - 261123 - 0001") == "000.01.31.H53-261123-0001"
    assert short_form(" 261130-0007 ") == (date(2026, 11, 30), 7)
    assert short_form("261130-7") == (date(2026, 11, 30), 7)
    assert short_form("261340-0007") is None  # no 40th of a 13th month
    assert short_form("000.01.31.H53-261130-0007") is None


def test_tracking_accepts_any_case_and_spaces_on_the_page_and_the_api(demo_catalog, clock):
    d = birth_dossier()
    typed = f"  {d.code.lower()}  "
    page = Client().get("/tra-cuu/", {"code": typed, "phone": "0912 345 678"})
    assert page.status_code == 200 and 'id="status"' in page.content.decode()
    api = Client().get(f"/api/v1/public/tracking/{d.code.lower()}", {"phone": "0912345678"})
    assert api.status_code == 200 and api.json()["code"] == d.code


def test_a_changed_case_buys_no_new_tracking_budget(demo_catalog, clock, settings):
    from motcua.api.tracking import _prefix

    assert _prefix(" 000.01.31.h53-261123-0001") == _prefix("000.01.31.H53-261123-0002") == "000.01.31.H53-261123-"


def test_open_by_code_in_any_case_with_spaces(demo_catalog, clock, login):
    d = birth_dossier()
    r = login("tanan.tiepnhan").get("/mot-cua/", {"ma": f"  {d.code.lower()} "})
    assert r.status_code == 302 and r["Location"] == f"/mot-cua/ho-so/{d.code}/"


def test_open_by_the_short_form_resolves_within_the_officers_own_desks(demo_catalog, clock, login, admin_client):
    mine, theirs = birth_dossier(), _business()
    short = mine.code.split("-", 1)[1]
    assert theirs.code.split("-", 1)[1] == short  # both desks' first dossier of the day
    r = login("tanan.tiepnhan").get("/mot-cua/", {"ma": short})
    assert r["Location"] == f"/mot-cua/ho-so/{mine.code}/"
    r = login("tiepnhan.tinh").get("/mot-cua/", {"ma": short})
    assert r["Location"] == f"/mot-cua/ho-so/{theirs.code}/"
    # someone who sees both desks chooses between them
    r = admin_client.get("/mot-cua/", {"ma": short})
    html = r.content.decode()
    assert r.status_code == 200 and mine.code in html and theirs.code in html
    assert "Các hồ sơ số" in html


def test_a_dossier_out_of_scope_is_said_in_words_and_reveals_nothing(demo_catalog, clock, login):
    elsewhere = _business()  # received at the provincial centre: not the commune desk's
    desk = login("tanan.tiepnhan")
    answers = [desk.get("/mot-cua/", {"ma": code}) for code in (elsewhere.code, "000.00.01.H53-261123-0999")]
    assert [r.status_code for r in answers] == [200, 200]
    pages = [re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode()) for r in answers]
    for page in pages:
        assert "Hồ sơ không thuộc phạm vi của bạn hoặc không tồn tại" in page
        assert 'href="#ma"' in page and 'aria-invalid="true"' in page
    # the two answers differ only in the code typed back into the box
    assert pages[0].replace(elsewhere.code, "X") == pages[1].replace("000.00.01.H53-261123-0999", "X")
    # the dossier's own page says the same words
    r = desk.get(f"/mot-cua/ho-so/{elsewhere.code}/")
    assert r.status_code == 404


def test_the_inbox_defaults_to_open_dossiers_and_shows_the_submission_date(demo_catalog, clock, login):
    open_one, closed = birth_dossier(), birth_dossier(phone="0912345679")
    Dossier.objects.filter(pk=closed.pk).update(status=Status.RETURNED)  # finished: off the desk's open list
    desk = login("tanan.tiepnhan")
    html = desk.get("/mot-cua/").content.decode()
    assert open_one.code in html and closed.code not in html
    assert '<option value="open" selected>' in html and "Ngày nộp" in html and "23/11/2026" in html
    every = desk.get("/mot-cua/", {"status": "all"}).content.decode()
    assert open_one.code in every and closed.code in every
    assert 'data-label="Mã"' in every


# -- 10. CCCD typed in groups, number keypads, optional e-mail ------------------------------------------
@pytest.mark.parametrize("typed", ["080 195 000 321", "080.195.000.321", " 080195000321 ", "080-195-000-321"])
def test_an_id_number_typed_in_groups_is_the_number(typed):
    assert validate_cccd(typed) == "080195000321"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("080 195 000 32", "phải gồm đúng 12 chữ số; bạn đã nhập 11"),
        ("080195000321 9", "phải gồm đúng 12 chữ số; bạn đã nhập 13"),
        ("08019500032O", "chỉ gồm các chữ số"),
        ("999195000321", "mã tỉnh"),
        ("080995000321", "năm sinh 2395"),
    ],
)
def test_the_id_number_error_says_what_is_wrong(typed, says):
    with pytest.raises(Exception) as caught:
        validate_cccd(typed)
    assert says in caught.value.message_vi


def test_registration_takes_a_grouped_id_number_and_no_email(db):
    form = RegisterForm(
        {
            "full_name": "Nguyễn Thị Mai",
            "national_id": "080 195 000 321",
            "phone": "0987 654 321",
            "email": "",
            "password1": "Kh0ng-de-doan!",
            "password2": "Kh0ng-de-doan!",
        }
    )
    assert form.is_valid(), form.errors
    user = form.save()
    assert user.username == user.national_id == "080195000321" and user.phone == "0987654321" and user.email == ""
    # and logs in with the number typed in groups too
    assert (
        Client().post("/dang-nhap/", {"username": "080.195.000.321", "password": "Kh0ng-de-doan!"}).status_code == 302
    )


def test_number_fields_bring_up_the_number_keypad(db):
    html = Client().get("/dang-ky/").content.decode()
    national_id = re.search(r"<input[^>]*id=\"id_national_id\"[^>]*>", html)[0]
    phone = re.search(r"<input[^>]*id=\"id_phone\"[^>]*>", html)[0]
    assert 'inputmode="numeric"' in national_id and 'maxlength="20"' in national_id
    assert 'inputmode="numeric"' in phone and 'autocomplete="tel"' in phone and 'type="tel"' in phone
    email = re.search(r"<input[^>]*id=\"id_email\"[^>]*>", html)[0]
    assert "required" not in email


def test_the_applicant_form_keeps_the_normalized_numbers(db):
    citizen = ApplicantForm({"applicant_type": 1, "name": "A", "phone": "0912 345 678", "id_number": "080 195 000 321"})
    assert citizen.is_valid(), citizen.errors
    assert citizen.cleaned_data["id_number"] == "080195000321" and citizen.cleaned_data["phone"] == "0912345678"
    branch = ApplicantForm({"applicant_type": 2, "name": "B", "phone": "0912345678", "id_number": "3901234567001"})
    assert branch.is_valid() and branch.cleaned_data["id_number"] == "3901234567-001"


# -- 11. the error summary ------------------------------------------------------------------------------
def test_every_form_with_errors_has_a_summary_linking_to_its_fields(db):
    r = Client().post("/dang-ky/", {"full_name": "", "national_id": "080 195 000 32", "phone": "12"})
    html = r.content.decode()
    summary = html[html.index("data-error-summary") : html.index("</ul>", html.index("data-error-summary"))]
    assert "Có lỗi cần sửa" in summary and 'tabindex="-1"' in html[html.index('<div class="error-summary"') :][:200]
    for field in ("id_full_name", "id_national_id", "id_phone", "id_password1"):
        assert f'href="#{field}"' in summary
        assert f'id="{field}"' in html
    assert "bạn đã nhập 11" in summary
    assert "motcua/error-summary.js" in html  # moves the focus: a file of the site (the CSP allows no inline script)
    assert html.index("data-error-summary") < html.index('id="id_full_name"')  # at the top of the form
    # each field points at its own error and help
    national_id = re.search(r"<input[^>]*id=\"id_national_id\"[^>]*>", html)[0]
    assert 'aria-describedby="id_national_id_helptext id_national_id_error"' in national_id
    assert 'id="id_national_id_helptext"' in html and 'id="id_national_id_error"' in html


def test_a_form_without_errors_has_no_summary(db):
    assert "data-error-summary" not in Client().get("/dang-ky/").content.decode()


def test_the_documents_step_of_the_wizard_has_a_summary_too(demo_catalog, db, django_user_model):
    user = django_user_model.objects.create_user("080195000999", password="x", kind="citizen", phone="0911222333")
    client = Client()
    client.force_login(user)
    r = client.post(
        "/thu-tuc/1.001193/nop/?buoc=3", {"tp_TP01": SimpleUploadedFile("a.gif", b"GIF89a", content_type="image/gif")}
    )
    html = r.content.decode()
    assert "Có lỗi cần sửa" in html and 'href="#tp_TP01"' in html and 'href="#tp_TP02"' in html


# -- 12. error pages ------------------------------------------------------------------------------------
def _boom(request):
    raise RuntimeError("boom")


def _denied(request):
    raise PermissionDenied


def _bad(request):
    raise SuspiciousOperation("bad")


urlpatterns = [path("boom/", _boom), path("denied/", _denied), path("bad/", _bad), *site_urls]
handler400, handler403, handler404, handler500 = (
    "motcua.web.errors.bad_request",
    "motcua.web.errors.forbidden",
    "motcua.web.errors.not_found",
    "motcua.web.errors.server_error",
)


def _site_page(html: str) -> None:
    """Extends the base template: the site's header, stylesheet and footer, and a way back home."""
    assert '<header class="site">' in html and "motcua/site.css" in html and '<footer class="site">' in html
    assert 'href="/"' in html


@override_settings(DEBUG=False)
def test_404_is_vietnamese_styled_and_offers_a_way_back(db):
    r = Client().get("/khong-co-trang-nay/", HTTP_REFERER="http://testserver/thu-tuc/")
    html = r.content.decode()
    assert r.status_code == 404 and "Không tìm thấy trang" in html and "Lỗi 404" in html
    _site_page(html)
    assert 'href="http://testserver/thu-tuc/"' in html and "Quay lại trang trước" in html
    foreign = Client().get("/khong-co/", HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in foreign  # a way back, never to another site


@override_settings(DEBUG=False)
def test_404_in_english_when_chosen(db):
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get("/khong-co-trang-nay/").content.decode()
    assert "Page not found" in html and "Go to the home page" in html and '<html lang="en">' in html


@override_settings(DEBUG=False)
def test_a_dossier_out_of_scope_answers_404_in_words(demo_catalog, clock, login):
    d = _business()
    r = login("tanan.tiepnhan").get(f"/mot-cua/ho-so/{d.code}/")
    html = r.content.decode()
    assert r.status_code == 404 and "Hồ sơ không thuộc phạm vi của bạn hoặc không tồn tại" in html
    assert 'href="/mot-cua/"' in html  # staff go back to their dossiers


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/denied/", 403, "Bạn không có quyền mở trang này"),
        ("/bad/", 400, "Yêu cầu không hợp lệ"),
        ("/boom/", 500, "Xin lỗi, hệ thống đang gặp sự cố"),
    ],
)
def test_403_400_and_500_pages(db, url, status, words):
    r = Client(raise_request_exception=False).get(url)
    html = r.content.decode()
    assert r.status_code == status and words in html and f"Lỗi {status}" in html
    _site_page(html)


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_the_500_page_answers_even_when_its_template_cannot_render(db, monkeypatch):
    from motcua.web import errors

    def broken(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(errors.loader, "render_to_string", broken)
    r = Client(raise_request_exception=False).get("/boom/")
    assert r.status_code == 500 and "Xin lỗi, hệ thống đang gặp sự cố" in r.content.decode()


@override_settings(DEBUG=False)
def test_errors_under_the_api_keep_the_api_shape(db):
    r = Client().get("/api/khong-co/")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


@override_settings(DEBUG=False)
def test_an_expired_form_says_so(db):
    r = Client(enforce_csrf_checks=True).post("/dang-nhap/", {"username": "a", "password": "b"})
    html = r.content.decode()
    assert r.status_code == 403 and "Biểu mẫu đã hết hạn" in html
    _site_page(html)


# -- 13. money, dates, tables as cards --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "shown"),
    [(200000, "200.000\xa0đ"), (1000000, "1.000.000\xa0đ"), (0, "0\xa0đ"), ("15000", "15.000\xa0đ")],
)
def test_money_is_written_the_vietnamese_way(amount, shown):
    assert format_vnd(amount) == shown
    assert Template("{% load motcua_ui %}{{ a|vnd }}").render(Context({"a": amount})) == shown


def test_the_procedure_page_shows_fees_as_money(demo_catalog, client):
    html = client.get("/thu-tuc/2.001417/").content.decode()
    assert "200.000\xa0đ" in html


def test_the_wizard_review_shows_dates_as_dd_mm_yyyy(demo_catalog, db, django_user_model):
    user = django_user_model.objects.create_user("080195000998", password="x", kind="citizen", phone="0911222333")
    client = Client()
    client.force_login(user)
    client.post(
        "/thu-tuc/1.001193/nop/?buoc=1", {"applicant_type": 1, "name": "A", "phone": "0911222333", "commune": "27712"}
    )
    client.post(
        "/thu-tuc/1.001193/nop/?buoc=2",
        {"ho_ten_tre": "An", "ngay_sinh": "2026-11-20", "gioi_tinh": "Nam", "noi_sinh": "Tân An", "ho_ten_me": "Mai",
         "quan_he": "Mẹ"},
    )  # fmt: skip
    html = client.get("/thu-tuc/1.001193/nop/?buoc=4").content.decode()
    assert "20/11/2026" in html and "2026-11-20" not in html


def test_tables_of_procedures_and_dossiers_carry_labels_for_phone_cards(demo_catalog, clock, db, django_user_model):
    results = Client().get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
    assert 'class="cards"' in results and 'data-label="Lĩnh vực"' in results
    citizen = django_user_model.objects.create_user("080195000997", password="x", kind="citizen", phone="0912345678")
    services.submit(
        citizen,
        services.Submission(
            procedure_code="1.001193", applicant_type=1, applicant_name="A", applicant_phone="0912345678",
            commune_code="27712", components=[{"code": "TP01", "digitized": True}, {"code": "TP02", "digitized": True}],
            form_data={"ho_ten_tre": "An", "ngay_sinh": "2026-11-20", "gioi_tinh": "Nam", "noi_sinh": "Tân An",
                       "ho_ten_me": "Mai", "quan_he": "Mẹ"},
        ),
    )  # fmt: skip
    client = Client()
    client.force_login(citizen)
    mine = client.get("/ho-so-cua-toi/").content.decode()
    assert 'class="cards"' in mine and 'data-label="Trạng thái"' in mine and "23/11/2026" in mine
