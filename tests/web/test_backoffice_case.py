"""The officer sees the whole case (issue 13, items 1–5): the declaration with the procedure's own
labels, handover comments and the history in words, pick lists for people and agencies, the
expected action first, the result file and the applicant's rating — on the back-office page, the
citizen's page and the API."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from motcua.catalog.services import import_catalog
from motcua.demo.services import demo_catalog_bytes
from motcua.documents.services import store_upload
from motcua.dossiers import selectors, services
from motcua.dossiers.models import Dossier, Status
from motcua.feedback.services import rate
from motcua.identity.services import issue_token

PDF = b"%PDF-1.4\n%%EOF\n"
BIRTH = {
    "ho_ten_tre": "Nguyễn Minh An",
    "ngay_sinh": "2026-11-01",
    "gioi_tinh": "Nam",
    "noi_sinh": "Bệnh viện Đa khoa Long An",
    "ho_ten_me": "Nguyễn Thị Mai",
    "quan_he": "Mẹ",
}


@pytest.fixture
def demo_catalog(db):
    import_catalog(demo_catalog_bytes())


@pytest.fixture
def people(db, django_user_model):
    def get(username):
        return django_user_model.objects.get(username=username)

    return get


@pytest.fixture
def mai(db, django_user_model):
    return django_user_model.objects.create_user(
        "080195000321", password="x", kind="citizen", full_name="Nguyễn Thị Mai", phone="0987654321"
    )


def submitted_online(citizen, procedure: str, form_data: dict, **applicant) -> Dossier:
    """`citizen` submits `procedure` online with its required components (status 1)."""
    from motcua.catalog.selectors import version_in_force

    required = [c.code for c in version_in_force(procedure).components.all() if c.required]
    applicant = {
        "applicant_type": 1,
        "applicant_name": citizen.full_name,
        "applicant_phone": citizen.phone,
        **applicant,
    }
    submission = services.Submission(
        procedure, components=[{"code": c} for c in required], form_data=form_data, **applicant
    )
    return services.submit(citizen, submission)


@pytest.fixture
def birth(demo_catalog, mai):
    """A birth registration submitted online in Phường Tân An (status 1)."""
    return submitted_online(mai, "1.001193", BIRTH, commune_code="27712")


def page(client: Client, code: str) -> str:
    r = client.get(f"/mot-cua/ho-so/{code}/")
    assert r.status_code == 200
    return r.content.decode()


def text_of(html: str) -> str:
    """The words a reader sees (tags and the folded hash chain left out)."""
    html = re.sub(r'<details class="chain">.*?</details>', "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def citizen_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- 1. the declaration ----------------------------------------------------------------------------
EXPECTED_DECLARATION = [
    {"name": "ho_ten_tre", "label": "Họ, chữ đệm và tên của trẻ", "value": "Nguyễn Minh An"},
    {"name": "ngay_sinh", "label": "Ngày, tháng, năm sinh", "value": "01/11/2026"},
    {"name": "gioi_tinh", "label": "Giới tính", "value": "Nam"},
    {"name": "noi_sinh", "label": "Nơi sinh", "value": "Bệnh viện Đa khoa Long An"},
    {"name": "ho_ten_me", "label": "Họ tên mẹ", "value": "Nguyễn Thị Mai"},
    {"name": "quan_he", "label": "Quan hệ của người đi khai với trẻ", "value": "Mẹ"},
]


def test_the_declaration_is_shown_with_the_procedures_labels_everywhere(birth, mai, login, people):
    assert selectors.declaration(birth) == EXPECTED_DECLARATION
    desk = text_of(between(page(login("tanan.tiepnhan"), birth.code), 'id="declaration"', "</section>"))
    assert "Tờ khai" in desk
    for item in EXPECTED_DECLARATION:
        assert f"{item['label']} {item['value']}" in desk
    assert "2026-11-01" not in desk
    mine = citizen_client(mai).get(f"/ho-so-cua-toi/{birth.code}/").content.decode()
    assert "Họ, chữ đệm và tên của trẻ" in text_of(between(mine, 'id="declaration"', "</section>"))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(people('tanan.tiepnhan'), 'test')}")
    assert api.get(f"/api/v1/dossiers/{birth.code}").json()["declaration"] == EXPECTED_DECLARATION


def test_declared_values_are_written_as_people_read_them():
    schema = {
        "type": "object",
        "properties": {
            "von": {"type": "integer", "title": "Vốn đầu tư (đồng)"},
            "nam": {"type": "integer", "title": "Năm"},
            "ngay": {"type": "string", "format": "date", "title": "Ngày"},
            "co_con": {"type": "boolean", "title": "Có con nhỏ"},
            "loai": {"type": "string", "title": "Loại", "enum": ["A", "B"], "enumNames": ["Loại A", "Loại B"]},
            "hang": {"type": "string", "title": "Hạng", "oneOf": [{"const": "1", "title": "Hạng nhất"}]},
            "trong": {"type": "string", "title": "Bỏ trống"},
        },
    }
    data = {
        "cu": "giá trị cũ",  # a field the schema no longer names: kept, last, by its name
        "hang": "1",
        "loai": "B",
        "co_con": False,
        "ngay": "2026-02-29",  # not a date: shown as typed, never hidden
        "nam": 2026,
        "von": 500000000,
        "trong": "",
    }
    with translation.override("vi"):
        shown = {i["label"]: i["value"] for i in selectors.declaration_items(schema, data)}
        answers = selectors.declaration_items(schema, {"co_con": True, "ngay": "2026-11-20"})
    assert list(shown) == ["Vốn đầu tư (đồng)", "Năm", "Ngày", "Có con nhỏ", "Loại", "Hạng", "cu"]
    assert shown == {
        "Vốn đầu tư (đồng)": "500.000.000",
        "Năm": "2026",
        "Ngày": "2026-02-29",
        "Có con nhỏ": "Không",
        "Loại": "Loại B",
        "Hạng": "Hạng nhất",
        "cu": "giá trị cũ",
    }
    assert answers == [
        {"name": "ngay", "label": "Ngày", "value": "20/11/2026"},
        {"name": "co_con", "label": "Có con nhỏ", "value": "Có"},
    ]


# -- 2 and 3. pick lists, handover comments, the history in words ---------------------------------
def test_forward_to_a_picked_person_with_a_comment_that_the_next_officer_reads(birth, login, people):
    services.receive(birth.code, people("tanan.tiepnhan"))
    desk = login("tanan.tiepnhan")
    html = page(desk, birth.code)
    select = between(html, 'name="forward-assignee"', "</select>")
    assert '<option value="tanan.congchuc">Phan Văn Hộ (tanan.congchuc)</option>' in select
    for outsider in ("tanan.congan", "tanan.chutich", "tanan.tiepnhan", "tuphap.chuyenvien", "thanhtra"):
        assert outsider not in select  # the template's next step: a specialist of the commune PC
    assert 'name="forward-assignee" type="text"' not in html
    r = desk.post(
        f"/mot-cua/ho-so/{birth.code}/forward/",
        {"forward-assignee": "tanan.congchuc", "forward-comment": "Hồ sơ đầy đủ, đề nghị thẩm định"},
    )
    assert r.status_code == 302
    d = Dossier.objects.get(code=birth.code)
    assert d.current_step.assignee.username == "tanan.congchuc"

    html = page(login("tanan.congchuc"), birth.code)
    history = text_of(between(html, 'id="history-h"', "</ol>"))
    assert "Chuyển bước tiếp theo → Đang xử lý" in history
    assert "Trương Thị Nhận" in history  # who, by full name
    assert "Ý kiến xử lý Hồ sơ đầy đủ, đề nghị thẩm định" in history
    assert "Giao cho Phan Văn Hộ" in history
    assert "Chuyển đến Thẩm định hồ sơ — Ủy ban nhân dân Phường Tân An" in history
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d · Trương Thị Nhận", history)  # when: dd/mm/yyyy HH:MM
    assert "forward (" not in history and d.last_hash not in text_of(html)  # no raw log, hashes folded
    assert d.last_hash in between(html, '<details class="chain">', "</details>")
    slip = text_of(between(html, "Phiếu kiểm soát", "</table>"))
    assert "Ý kiến xử lý" in slip and "Hồ sơ đầy đủ, đề nghị thẩm định" in slip  # on the step list too
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(people('tanan.congchuc'), 'test')}")
    steps = api.get(f"/api/v1/dossiers/{birth.code}").json()["steps"]
    assert steps[0]["comment"] == "Hồ sơ đầy đủ, đề nghị thẩm định"


def test_an_unknown_person_is_refused_by_name_not_by_agency(birth, login, people):
    services.receive(birth.code, people("tanan.tiepnhan"))
    desk = login("tanan.tiepnhan")
    r = desk.post(f"/mot-cua/ho-so/{birth.code}/forward/", {"forward-assignee": "tanan.congan"})
    assert r.status_code == 400
    errors = text_of(between(r.content.decode(), 'id="id_forward-assignee_error"', "</ul>"))
    assert "tanan.congan" in errors and "cán bộ" in errors.lower()
    assert "Ủy ban" not in errors and "Công an" not in errors
    assert Dossier.objects.get(code=birth.code).status == Status.RECEIVED


def test_reassign_offers_the_people_of_the_current_step(birth, login, people):
    services.receive(birth.code, people("tanan.tiepnhan"))
    services.forward(birth.code, people("tanan.tiepnhan"))  # to the commune PC's specialist step
    chairman = login("tanan.chutich")
    select = between(page(chairman, birth.code), 'name="reassign-assignee"', "</select>")
    assert "tanan.congchuc" in select and "tanan.congan" not in select and "tanan.tiepnhan" not in select
    r = chairman.post(f"/mot-cua/ho-so/{birth.code}/reassign/", {"reassign-assignee": "tanan.congchuc"})
    assert r.status_code == 302
    assert Dossier.objects.get(code=birth.code).current_step.assignee.username == "tanan.congchuc"
    history = text_of(between(page(chairman, birth.code), 'id="history-h"', "</ol>"))
    assert "Phân công lại" in history and "Giao cho Phan Văn Hộ" in history


def test_transfer_offers_the_agencies_of_the_province(birth, login, people):
    services.receive(birth.code, people("tanan.tiepnhan"))
    services.forward(birth.code, people("tanan.tiepnhan"))
    specialist = login("tanan.congchuc")
    html = page(specialist, birth.code)
    select = between(html, 'name="transfer-agency"', "</select>")
    assert "Công an Phường Tân An" in select and "Sở Tư pháp tỉnh Tây Ninh" in select
    assert "Ủy ban nhân dân Phường Tân An" not in select  # where the dossier already is
    assert "Phòng Hành chính tư pháp" not in select and "Trung tâm Phục vụ" not in select  # no divisions, desks
    r = specialist.post(f"/mot-cua/ho-so/{birth.code}/transfer/", {"transfer-agency": "000.00.99.H53"})
    assert r.status_code == 400 and "000.00.99.H53" in r.content.decode()
    police = "000.02.31.H53"
    r = specialist.post(
        f"/mot-cua/ho-so/{birth.code}/transfer/",
        {"transfer-agency": police, "transfer-budget_hours": "8", "transfer-comment": "Xác minh cư trú"},
    )
    assert r.status_code == 302
    assert Dossier.objects.get(code=birth.code).current_step.agency.code == police
    history = text_of(between(page(specialist, birth.code), 'id="history-h"', "</ol>"))
    assert "Chuyển liên thông" in history and "Công an Phường Tân An" in history and "Xác minh cư trú" in history


def test_the_process_leg_is_the_transfer_default_and_its_people_are_offered(demo_catalog, mai, login, people):
    d = submitted_online(mai, "1.012871", {}, commune_code="27712")  # birth + permanent residence (liên thông)
    services.receive(d.code, people("tanan.tiepnhan"))
    services.forward(d.code, people("tanan.tiepnhan"))
    services.forward(d.code, people("tanan.congchuc"))  # at the chairman's signature; the police leg is next
    chairman = login("tanan.chutich")
    html = page(chairman, d.code)
    assert selectors.expected_action(Dossier.objects.get(code=d.code)) == "forward"
    assert "Tạ Văn Cư (tanan.congan)" in between(html, 'name="forward-assignee"', "</select>")
    select = text_of(between(html, 'name="transfer-agency"', "</select>"))
    assert "Bước liên thông tiếp theo theo quy trình: Công an Phường Tân An" in select
    assert select.count("Công an Phường Tân An") == 1
    assert 'optgroup label="Cơ quan khác trong tỉnh"' in html
    r = chairman.post(
        f"/mot-cua/ho-so/{d.code}/transfer/", {"transfer-agency": "", "transfer-comment": "Chuyển công an"}
    )
    assert r.status_code == 302
    step = Dossier.objects.get(code=d.code).current_step
    assert (step.name, step.agency.name) == ("Đăng ký thường trú cho trẻ em", "Công an Phường Tân An")


def test_the_citizen_reads_the_history_without_the_offices_internals(birth, mai, people):
    services.receive(birth.code, people("tanan.tiepnhan"))
    services.forward(birth.code, people("tanan.tiepnhan"), comment="Nội bộ: trình Chủ tịch ký", assignee=None)
    services.reassign(birth.code, people("tanan.chutich"), assignee="tanan.congchuc")
    services.request_supplement(
        birth.code, people("tanan.congchuc"), items=["Giấy chứng sinh (bản chính)"], reason="Bản chụp bị mờ"
    )
    html = citizen_client(mai).get(f"/ho-so-cua-toi/{birth.code}/").content.decode()
    history = text_of(between(html, 'id="history-h"', "</ol>"))
    assert "Nộp hồ sơ" in history and "Bạn" in history
    assert "Tiếp nhận" in history and "Chuyển bước tiếp theo" in history
    assert "Giấy chứng sinh (bản chính)" in history and "Bản chụp bị mờ" in history
    for internal in ("Nội bộ: trình Chủ tịch ký", "Trương Thị Nhận", "Phan Văn Hộ", "Phân công lại"):
        assert internal not in history
    d = Dossier.objects.get(code=birth.code)
    assert d.last_hash not in html
    entries = selectors.timeline(d, staff=False)
    assert all("hash" not in e for e in entries) and {e["who"] for e in entries} <= {"Bạn", ""}


# -- 4. the expected action first -----------------------------------------------------------------
def test_the_expected_action_follows_the_process(birth, people):
    desk, specialist, chairman = people("tanan.tiepnhan"), people("tanan.congchuc"), people("tanan.chutich")

    def expected():
        return selectors.expected_action(Dossier.objects.get(code=birth.code))

    assert expected() == "receive"
    services.receive(birth.code, desk)
    assert expected() == "forward"  # the desk's step → the specialist's
    services.request_supplement(birth.code, desk, items=["Giấy chứng sinh"], reason="Thiếu")
    assert expected() == "resubmit"  # the desk resubmits for the applicant
    services.resubmit(birth.code, desk, components=[], note="Đã bổ sung")
    d = Dossier.objects.get(code=birth.code)
    if d.status == Status.SUBMITTED:  # before the supplement loop returns to where it paused
        services.receive(birth.code, desk)
    services.forward(birth.code, desk)
    assert expected() == "forward"  # the specialist's step → the chairman's
    services.forward(birth.code, specialist)
    assert expected() == "resolve"  # the chairman's step is the last handling step
    services.resolve(birth.code, chairman, results=[{"code": "GKS", "name": "Giấy khai sinh"}])
    assert expected() == "return"
    services.return_result(birth.code, desk, method="counter")
    assert expected() is None


def test_the_page_shows_the_expected_action_first_and_the_others_folded(birth, login):
    html = page(login("tanan.tiepnhan"), birth.code)
    lead = between(html, 'id="expected-action"', "</section>")
    assert 'data-action="receive"' in lead and 'class="primary"' in lead
    assert "Bước tiếp theo theo quy trình" in lead
    others = between(html, '<details class="more-actions">', "</form></details>\n</details>")
    assert "Thao tác khác" in others
    assert 'class="danger" data-action="refuse"' in others
    assert html.index('data-action="receive"') < html.index('data-action="refuse"')
    assert html.count('<details class="action') == len(re.findall(r'data-action="', others))


def test_a_failed_action_in_the_folded_list_opens_with_its_error(birth, login):
    desk = login("tanan.tiepnhan")
    r = desk.post(f"/mot-cua/ho-so/{birth.code}/refuse/", {"refuse-reason": ""})
    html = r.content.decode()
    assert r.status_code == 400
    assert '<details class="more-actions" open>' in html
    assert re.search(r'<details class="action danger" open><summary>Từ chối tiếp nhận</summary>', html)


def test_an_officer_without_the_expected_action_sees_every_panel(birth, login, people):
    services.receive(birth.code, people("tanan.tiepnhan"))
    services.forward(birth.code, people("tanan.tiepnhan"))
    services.forward(birth.code, people("tanan.congchuc"))  # the chairman's step: only he resolves
    html = page(login("tanan.tiepnhan"), birth.code)  # the desk may still withdraw for the applicant
    assert 'id="expected-action"' not in html and "more-actions" not in html
    assert 'data-action="withdraw"' in html


# -- 5. the result file and the applicant's rating -------------------------------------------------
def test_the_back_office_links_the_result_file_and_shows_the_rating(birth, mai, login, people):
    desk, chairman = people("tanan.tiepnhan"), people("tanan.chutich")
    services.receive(birth.code, desk)
    services.forward(birth.code, desk)
    services.forward(birth.code, people("tanan.congchuc"))
    stored = store_upload(SimpleUploadedFile("gks.pdf", PDF, content_type="application/pdf"), chairman)
    services.resolve(
        birth.code,
        chairman,
        results=[{"code": "GKS", "name": "Giấy khai sinh", "number": "123/2026", "file_ref": str(stored.pk)}],
    )
    services.return_result(birth.code, desk, method="online")
    rate(mai, birth.code, 3, "Cán bộ hướng dẫn tận tình")
    html = page(login("tanan.tiepnhan"), birth.code)
    results = between(html, 'id="results"', "</ul>")
    assert f'href="/tep/{stored.pk}/"' in results and "Giấy khai sinh" in results and "123/2026" in results
    rating = text_of(between(html, 'id="rating"', "</section>"))
    assert "Rất hài lòng" in rating and "Cán bộ hướng dẫn tận tình" in rating
    history = text_of(between(html, 'id="history-h"', "</ol>"))
    assert "Đánh giá mức độ hài lòng" in history and "Rất hài lòng" in history
    assert login("tanan.tiepnhan").get(f"/tep/{stored.pk}/").status_code == 200


def test_a_synced_satisfaction_without_a_rating_row_is_shown_too(birth, login):
    Dossier.objects.filter(pk=birth.pk).update(satisfaction=1)
    rating = text_of(between(page(login("tanan.tiepnhan"), birth.code), 'id="rating"', "</section>"))
    assert "Không hài lòng" in rating
