"""Issue 13, item 8: the supplement loop. Every requested item is answered with a file or a note; the
resubmission brings the dossier back to where the request paused it (the status and step it had; status 1
for a request at reception); the answer is kept per item, so the desk sees the note and which item each
file answers. Service level with factories, then the API."""

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.common.errors import InvalidInput
from motcua.common.timeutil import VN_TZ
from motcua.documents.services import store_upload
from motcua.dossiers import services
from motcua.dossiers.events import verify_chain
from motcua.dossiers.models import Dossier, DossierEvent, Status
from tests.dossiers.conftest import Api
from tests.factories import CitizenFactory, CommuneOfficeFactory, DossierFactory, ProcedureVersionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
ITEMS = ["Giấy chứng sinh (bản chính)", "Bản sao giấy chứng nhận kết hôn của cha mẹ"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def fresh(d: Dossier) -> Dossier:
    return Dossier.objects.get(pk=d.pk)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(clock):
    """A commune office, a citizen and their online dossier, received and forwarded to the specialist."""
    office = CommuneOfficeFactory()
    citizen = CitizenFactory()
    clock.set("2026-11-23T08:00")  # Monday
    d = DossierFactory(actor=citizen, version=ProcedureVersionFactory(), commune_code=office.commune.code)
    services.receive(d.code, office.receptionist)
    clock.set("2026-11-23T08:30")
    services.forward(d.code, office.receptionist)
    return office, citizen, fresh(d)


def upload(user, name="scan.pdf"):
    return str(store_upload(SimpleUploadedFile(name, PDF, content_type="application/pdf"), user).id)


def test_a_request_during_handling_resumes_at_the_step_that_asked_with_each_item_answered(world, clock):
    office, citizen, d = world
    step = d.current_step
    assert (d.status, step.name, step.agency) == (Status.PROCESSING, "Thẩm định", office.pc)
    clock.set("2026-11-23T09:00")
    services.perform("request-supplement", d.code, office.specialist, items=ITEMS, reason="Thiếu giấy tờ")
    birth, marriage = upload(citizen, "giay-chung-sinh.pdf"), upload(citizen, "ket-hon.pdf")

    clock.set("2026-11-25T09:00")  # two days later: the clock was paused
    d = services.perform(
        "resubmit",
        d.code,
        citizen,
        answers=[
            {"item": 1, "file_ref": birth},  # names the procedure's component "Giấy chứng sinh"
            {"item": 2, "note": "Cha mẹ chưa đăng ký kết hôn; nộp bản sao xác nhận."},
            {"item": 2, "file_ref": marriage},  # none of the procedure's components: named after the item
        ],
    )
    d = fresh(d)
    assert (d.status, d.current_step_id, d.current_step.name) == (Status.PROCESSING, step.pk, "Thẩm định")
    assert d.current_step.agency == office.pc and d.paused_at is None and d.resume_status is None
    assert d.current_step.due_at > step.due_at  # moved by the office time waited

    answers = d.supplements.get().answers
    assert [a["number"] for a in answers] == [1, 2]
    assert answers[0]["files"][0]["component"] == "GCS" and answers[0]["files"][0]["name"] == "Giấy chứng sinh"
    assert answers[0]["files"][0]["file_name"] == "giay-chung-sinh.pdf"
    assert answers[1]["note"] == "Cha mẹ chưa đăng ký kết hôn; nộp bản sao xác nhận."
    assert answers[1]["files"][0]["name"] == ITEMS[1] and answers[1]["files"][0]["component"] == "BS"
    # each file is a component of the dossier, named, so the desk can open it
    added = {c.file_ref: c.name for c in d.components.exclude(file_ref="")}
    assert added[birth] == "Giấy chứng sinh" and added[marriage] == ITEMS[1]

    event = DossierEvent.objects.filter(dossier=d).order_by("-seq").first()
    assert (event.action, event.from_status, event.to_status) == ("resubmit", Status.SUPPLEMENT, Status.PROCESSING)
    assert [a["item"] for a in event.payload["answers"]] == [1, 2]
    assert verify_chain(d.code, DossierEvent.objects.filter(dossier=d).order_by("seq"), d.last_hash) is None


def test_an_empty_answer_is_refused_and_the_dossier_keeps_waiting(world):
    office, citizen, d = world
    services.perform("request-supplement", d.code, office.specialist, items=ITEMS, reason="Thiếu giấy tờ")
    with pytest.raises(InvalidInput) as empty:
        services.perform("resubmit", d.code, citizen)
    assert empty.value.code == "supplement_answer_required" and empty.value.details == {"missing": [1, 2]}
    with pytest.raises(InvalidInput) as partly:
        services.perform("resubmit", d.code, citizen, answers=[{"item": 1, "note": "Đã có"}, {"item": 2, "note": " "}])
    assert partly.value.details == {"missing": [2]}
    assert "chưa trả lời: 2" in partly.value.message_vi
    d = fresh(d)
    assert d.status == Status.SUPPLEMENT and d.supplements.get().resubmitted_at is None
    assert d.components.count() == 2  # nothing was written


def test_an_answer_names_its_item_by_number_or_text_and_nothing_else(world):
    office, citizen, d = world
    services.perform("request-supplement", d.code, office.specialist, items=ITEMS, reason="Thiếu giấy tờ")
    for wrong in (3, 0, "Giấy tờ khác", True):
        with pytest.raises(InvalidInput) as e:
            services.perform("resubmit", d.code, citizen, answers=[{"item": wrong, "note": "x"}])
        assert e.value.code == "unknown_supplement_item"
    with pytest.raises(InvalidInput) as e:  # only one's own uploads (or the dossier's files) can be attached
        services.perform("resubmit", d.code, citizen, answers=[{"item": 1, "file_ref": upload(office.specialist)}])
    assert e.value.code == "invalid_file_ref"
    d = services.perform(
        "resubmit", d.code, citizen, answers=[{"item": ITEMS[1], "note": "Bản sao"}, {"item": "1", "note": "Bản chính"}]
    )
    assert [a["note"] for a in d.supplements.get().answers] == ["Bản chính", "Bản sao"]


def test_a_request_at_reception_goes_back_to_newly_submitted(clock):
    office, citizen = CommuneOfficeFactory(), CitizenFactory()
    d = DossierFactory(actor=citizen, version=ProcedureVersionFactory(), commune_code=office.commune.code)
    services.perform("request-supplement", d.code, office.receptionist, items=["Tờ khai"], reason="Sai ngày sinh")
    d = services.perform("resubmit", d.code, citizen, answers=[{"item": 1, "file_ref": upload(citizen)}])
    assert (d.status, d.received_at, d.due_at, d.supplement_count) == (Status.SUBMITTED, None, None, 0)
    assert fresh(d).components.filter(code="TK", digitized=True).exclude(file_ref="").exists()  # "Tờ khai" names TK


def test_a_request_at_the_desk_after_reception_goes_back_to_received_with_its_step(clock):
    office = CommuneOfficeFactory()
    d = DossierFactory(actor=office.receptionist, version=ProcedureVersionFactory(), commune_code=office.commune.code)
    step = d.current_step
    services.perform("request-supplement", d.code, office.receptionist, items=ITEMS[:1], reason="Thiếu")
    d = services.perform("resubmit", d.code, office.receptionist, note="Công dân nộp bản chính tại quầy")
    assert (d.status, d.current_step_id, d.current_step.assignee) == (Status.RECEIVED, step.pk, office.receptionist)
    assert d.supplements.get().answers[0]["note"] == "Công dân nộp bản chính tại quầy"


def test_without_answers_per_item_a_note_answers_every_item(world):
    """The back office's single note field and API clients of before: the note is the answer to each item."""
    office, _citizen, d = world
    services.perform("request-supplement", d.code, office.specialist, items=ITEMS, reason="Thiếu giấy tờ")
    d = services.perform("resubmit", d.code, office.receptionist, note="Đã nhận đủ bản giấy tại quầy")
    assert [a["note"] for a in d.supplements.get().answers] == ["Đã nhận đủ bản giấy tại quầy"] * 2
    assert d.status == Status.PROCESSING


def test_a_dossier_paused_without_its_status_kept_resumes_where_its_request_left_it(world):
    """Dossiers written in status 5 by the importer or the generator may lack `resume_status`: never back
    to "newly submitted" once received (the bug of `resume_status or SUBMITTED`)."""
    office, citizen, d = world
    services.perform("request-supplement", d.code, office.specialist, items=ITEMS[:1], reason="Thiếu")
    Dossier.objects.filter(pk=d.pk).update(resume_status=None)
    d = services.perform("resubmit", d.code, citizen, answers=[{"item": 1, "note": "Đã bổ sung"}])
    assert (d.status, d.current_step.name) == (Status.PROCESSING, "Thẩm định")


# -- through the API -------------------------------------------------------------------------------------------
def test_the_api_takes_answers_per_item(world):
    office, citizen, d = world
    desk, specialist, owner = Api(office.receptionist), Api(office.specialist), Api(citizen)
    r = specialist.act(d.code, "request-supplement", items=ITEMS, reason="Thiếu giấy tờ")
    assert r.status_code == 200 and r.json()["status"] == Status.SUPPLEMENT
    r = owner.act(d.code, "resubmit")
    assert r.status_code == 400 and r.json()["code"] == "supplement_answer_required"
    assert r.json()["details"] == {"missing": [1, 2]}
    r = owner.act(d.code, "resubmit", answers=[{"item": 1, "note": "Đã nộp"}, {"item": 7, "note": "?"}])
    assert r.status_code == 400 and r.json()["code"] == "unknown_supplement_item"
    ref = upload(citizen)
    r = owner.act(
        d.code, "resubmit", answers=[{"item": 1, "file_ref": ref, "component": "GCS"}, {"item": 2, "note": "x"}]
    )
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["current_step"]) == (Status.PROCESSING, "Thẩm định")
    assert desk.get(f"/dossiers/{d.code}").json()["status"] == Status.PROCESSING
