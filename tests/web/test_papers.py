"""Issue 13, items 7 and 8 with Django's client: the printable papers (Form 01 receipt and appointment
slip, Form 02 supplement request, Form 03 refusal) for the desk and the dossier's owner, and the
supplement answered item by item in "Hồ sơ của tôi" and read by the desk."""

import re
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.catalog.services import import_catalog
from motcua.common.timeutil import VN_TZ
from motcua.demo.services import demo_catalog_bytes
from motcua.documents.services import store_upload
from motcua.dossiers import services
from motcua.dossiers.models import AccessLog, Dossier, Status
from motcua.identity.models import User
from motcua.identity.testing import verified_login

PDF = b"%PDF-1.4\n%%EOF\n"
BIRTH = "1.001193"  # Đăng ký khai sinh, Phường Tân An (demo)
TAN_AN = "27712"
FORM = {
    "ho_ten_tre": "Lê Minh An",
    "ngay_sinh": "2026-11-20",
    "gioi_tinh": "Nam",
    "noi_sinh": "Tân An",
    "ho_ten_me": "Lê Thị Hoa",
    "quan_he": "Mẹ",
}


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path, clock):
    import_catalog(demo_catalog_bytes())
    settings.MEDIA_ROOT = tmp_path
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.tayninh.gov.vn/"
    settings.LANGUAGE_CODE = "vi"
    clock.set("2026-11-23T09:05")  # Monday


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    verified_login(client, user)
    return client


def new_citizen(username: str = "080195000321") -> User:
    """The applicant of these dossiers: a citizen account (password Mat-khau-2026)."""
    return User.objects.create_user(
        username, password="Mat-khau-2026", kind="citizen", full_name="Lê Thị Hoa", phone="0911222444"
    )


@pytest.fixture
def citizen():
    return new_citizen()


@pytest.fixture
def desk():
    return User.objects.get(username="tanan.tiepnhan")


def submit_online(citizen) -> Dossier:
    return services.submit(
        citizen,
        services.Submission(
            procedure_code=BIRTH,
            applicant_type=1,
            applicant_name="Lê Thị Hoa",
            applicant_phone="0911222444",
            applicant_address="12 Hùng Vương, Phường Tân An",
            applicant_email="hoa@example.vn",
            commune_code=TAN_AN,
            components=[{"code": "TP01"}, {"code": "TP02"}],
            form_data=FORM,
        ),
    )


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_form_01_for_the_desk_has_every_field_of_the_legal_form_and_a_qr_code(citizen, desk):
    d = submit_online(citizen)
    d = services.receive(d.code, desk)
    staff = client_of(desk)

    page = staff.get(f"/mot-cua/ho-so/{d.code}/").content.decode()
    assert f'href="/mot-cua/ho-so/{d.code}/mau-01/"' in page and "In giấy tiếp nhận (Mẫu 01)" in page

    r = staff.get(f"/mot-cua/ho-so/{d.code}/mau-01/")
    assert r.status_code == 200
    html, text = r.content.decode(), text_of(r)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert d.receiving_agency.name.upper() in text and "Tân An, ngày 23 tháng 11 năm 2026" in text
    assert d.code in text and "Lê Thị Hoa" in text and "12 Hùng Vương, Phường Tân An" in text
    assert "0911222444" in text and "hoa@example.vn" in text and "Thủ tục đăng ký khai sinh" in text
    # the components received, with the originals and copies the procedure asks for
    assert re.search(r"1 Tờ khai đăng ký khai sinh theo mẫu 1 0 ", text)
    assert "Giấy chứng sinh (bản chính)" in text
    received, appointment = d.received_at.astimezone(VN_TZ), d.appointment_at.astimezone(VN_TZ)
    assert received.strftime("%d/%m/%Y %H:%M") == "23/11/2026 09:05"
    assert f'id="paper-received">{received:%d/%m/%Y %H:%M}<' in html
    assert f'id="paper-appointment">{appointment:%d/%m/%Y %H:%M}<' in html
    assert "Trương Thị Nhận" in text  # the receiving officer
    # the QR code: inline SVG, and the tracking link it holds, absolute
    assert re.search(r'<svg [^>]*class="qr-code"', html)
    assert f"https://dichvucong.tayninh.gov.vn/tra-cuu/?code={d.code}" in html
    # printable: its own stylesheet with an A4 page and no navigation in print
    assert "papers/papers.css" in html
    css = Path(finders.find("papers/papers.css")).read_text(encoding="utf-8")
    assert "size: A4" in css and re.search(r"@media print \{[^}]*header\.site[^}]*display: none", css)
    assert AccessLog.objects.filter(user=desk, dossier=d, purpose="paper-01").exists()  # a read like any other


def test_the_owner_gets_form_01_from_the_receipt_page_and_my_dossier_once_received(citizen, desk):
    d = submit_online(citizen)
    owner = client_of(citizen)
    receipt = owner.get(f"/nop-thanh-cong/{d.code}/")
    assert "mau-01" not in receipt.content.decode() and "Mẫu 01" in text_of(receipt)  # explained, not offered
    assert owner.get(f"/ho-so-cua-toi/{d.code}/mau-01/").status_code == 404  # not received yet

    services.receive(d.code, desk)
    for page in (f"/nop-thanh-cong/{d.code}/", f"/ho-so-cua-toi/{d.code}/"):
        assert f'href="/ho-so-cua-toi/{d.code}/mau-01/"' in owner.get(page).content.decode()
    r = owner.get(f"/ho-so-cua-toi/{d.code}/mau-01/")
    assert r.status_code == 200 and d.code in text_of(r) and "<svg" in r.content.decode()
    assert f'href="/ho-so-cua-toi/{d.code}/"' in r.content.decode()  # back to my dossier
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    verified_login(english, citizen)
    in_english = text_of(english.get(f"/ho-so-cua-toi/{d.code}/mau-01/"))
    assert "RECEIPT OF DOSSIER AND APPOINTMENT FOR THE RESULT" in in_english

    stranger = User.objects.create_user("080195000999", password="x", kind="citizen", full_name="Người khác")
    assert client_of(stranger).get(f"/ho-so-cua-toi/{d.code}/mau-01/").status_code == 404
    other_desk = client_of(User.objects.get(username="tiepnhan.tinh"))  # the provincial centre: out of scope
    assert other_desk.get(f"/mot-cua/ho-so/{d.code}/mau-01/").status_code == 404
    staff_on_portal = client_of(desk).get(f"/ho-so-cua-toi/{d.code}/mau-01/")
    assert staff_on_portal.status_code == 302 and staff_on_portal["Location"] == f"/mot-cua/ho-so/{d.code}/mau-01/"
    assert client_of(desk).get(f"/mot-cua/ho-so/{d.code}/mau-09/").status_code == 404
    assert Client().get(f"/ho-so-cua-toi/{d.code}/mau-01/").status_code == 302  # log in first


def test_form_02_lists_the_items_the_reason_who_asked_and_when(citizen, desk, clock):
    d = submit_online(citizen)
    clock.set("2026-11-23T10:15")
    services.request_supplement(d.code, desk, items=["Giấy chứng sinh (bản chính)", "Bản sao CCCD"], reason="Ảnh mờ")
    owner = client_of(citizen)
    page = owner.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert f'href="/ho-so-cua-toi/{d.code}/mau-02/"' in page
    r = owner.get(f"/ho-so-cua-toi/{d.code}/mau-02/")
    text = text_of(r)
    assert r.status_code == 200 and "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "1. Giấy chứng sinh (bản chính)" in re.sub(r"\s+", " ", _items(r)) and "Bản sao CCCD" in text
    assert "Ảnh mờ" in text and "Trương Thị Nhận" in text and "23/11/2026 10:15" in text
    assert "Luật Hộ tịch 2014" in text  # the legal basis
    assert owner.get(f"/ho-so-cua-toi/{d.code}/mau-02/?lan=2").status_code == 404
    assert client_of(desk).get(f"/mot-cua/ho-so/{d.code}/mau-02/?lan=1").status_code == 200


def _items(response) -> str:
    html = response.content.decode()
    found = re.search(r'<ol class="paper-items" id="paper-items">(.*?)</ol>', html, re.S).group(1)
    return " ".join(f"{n}. {item}" for n, item in enumerate(re.findall(r"<li>(.*?)</li>", found), 1))


def test_form_03_gives_the_reason_of_the_refusal(citizen, desk):
    d = submit_online(citizen)
    services.refuse(d.code, desk, reason="Thủ tục không thuộc thẩm quyền của phường")
    owner = client_of(citizen)
    assert f'href="/ho-so-cua-toi/{d.code}/mau-03/"' in owner.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    text = text_of(owner.get(f"/ho-so-cua-toi/{d.code}/mau-03/"))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Thủ tục không thuộc thẩm quyền của phường" in text and "Trương Thị Nhận" in text
    assert owner.get(f"/ho-so-cua-toi/{d.code}/mau-01/").status_code == 404  # never received
    assert client_of(desk).get(f"/mot-cua/ho-so/{d.code}/mau-03/").status_code == 200


# -- the supplement answered item by item ------------------------------------------------------------------------
def handled_dossier(citizen, desk) -> Dossier:
    d = services.receive(submit_online(citizen).code, desk)
    services.forward(d.code, desk)
    specialist = User.objects.get(username="tanan.congchuc")
    return services.request_supplement(
        d.code, specialist, items=["Giấy chứng sinh (bản chính)", "Xác nhận nơi cư trú"], reason="Thiếu giấy tờ"
    )


def test_my_dossier_has_one_answer_row_per_item_and_refuses_an_unanswered_one(citizen, desk):
    d = handled_dossier(citizen, desk)
    owner = client_of(citizen)
    page = owner.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    for n in (1, 2):
        assert f'name="bs-file_{n}"' in page and f'name="bs-note_{n}"' in page
    assert "<legend>1. Giấy chứng sinh (bản chính)</legend>" in page

    scan = SimpleUploadedFile("giay-chung-sinh.pdf", PDF, content_type="application/pdf")
    r = owner.post(f"/ho-so-cua-toi/{d.code}/resubmit/", {"bs-file_1": scan, "bs-note_2": ""})
    html = r.content.decode()
    assert r.status_code == 400 and "data-error-summary" in html
    assert 'href="#id_bs-file_2"' in html and 'id="id_bs-file_2_error"' in html
    assert "Hãy đính kèm tệp hoặc ghi chú cho nội dung này." in html
    assert Dossier.objects.get(pk=d.pk).status == Status.SUPPLEMENT

    # the file of row 1 is kept: the page lists it and sends it again, nobody chooses it twice
    kept = re.search(r'name="bs-kept_1" value="([^"]+)"', html).group(1)
    assert "giay-chung-sinh.pdf" in html[html.index('id="bs-kept-1"') :][:300]
    note = "Đang ở trọ, xin nộp xác nhận của công an phường sau."
    r = owner.post(f"/ho-so-cua-toi/{d.code}/resubmit/", {"bs-kept_1": kept, "bs-note_2": note})
    assert r.status_code == 302
    d = Dossier.objects.get(pk=d.pk)
    assert (d.status, d.current_step.name) == (Status.PROCESSING, "Thẩm định hồ sơ")  # back at the step that asked

    # the desk sees which item each file answers and the citizen's note; so does the citizen
    for client, url in ((client_of(desk), f"/mot-cua/ho-so/{d.code}/"), (owner, f"/ho-so-cua-toi/{d.code}/")):
        html = client.get(url).content.decode()
        answers = html[html.index('id="supplement-answers"') :]
        row1 = answers[answers.index("1. Giấy chứng sinh (bản chính)") :]
        assert "giay-chung-sinh.pdf" in row1[: row1.index("</tr>")]
        assert note in answers and "2. Xác nhận nơi cư trú" in answers
    file_id = d.supplements.get().answers[0]["files"][0]["file_id"]
    assert client_of(desk).get(f"/tep/{file_id}/").status_code == 200  # the desk may open the file


def test_kept_files_are_only_the_users_own(citizen, desk):
    d = handled_dossier(citizen, desk)
    scan = SimpleUploadedFile("cua-can-bo.pdf", PDF, content_type="application/pdf")
    others = str(store_upload(scan, desk).id)
    r = client_of(citizen).post(f"/ho-so-cua-toi/{d.code}/resubmit/", {"bs-kept_1": others, "bs-note_2": "x"})
    assert r.status_code == 400 and "cua-can-bo.pdf" not in r.content.decode()
    assert Dossier.objects.get(pk=d.pk).status == Status.SUPPLEMENT


def test_resubmitting_without_an_open_request_says_so(citizen, desk):
    d = submit_online(citizen)
    r = client_of(citizen).post(f"/ho-so-cua-toi/{d.code}/resubmit/", {"bs-note_1": "x"}, follow=True)
    assert "Không có yêu cầu bổ sung nào cần trả lời." in r.content.decode()


def test_form_01_dates_are_vietnam_time():
    from motcua.dossiers.papers import when

    assert when(datetime.fromisoformat("2026-11-23T02:05:00+00:00")) == "23/11/2026 09:05"
