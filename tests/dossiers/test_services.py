"""The dossier lifecycle at the service level (no HTTP), on data each test builds with factories.

The HTTP tests in test_lifecycle.py walk the same life through the API on the demo province;
these call `motcua.dossiers.services` directly and use nothing the test does not make itself.
"""

from datetime import date, datetime

import pytest

from motcua.common.errors import Conflict, InvalidInput, NotFound
from motcua.common.timeutil import VN_TZ
from motcua.dossiers import services
from motcua.dossiers.authz import Forbidden
from motcua.dossiers.events import verify_chain
from motcua.dossiers.models import Channel, Dossier, DossierEvent, DossierStep, Status
from motcua.workdays.services import get_calendar
from tests.factories import (
    CalendarOverrideFactory,
    CitizenFactory,
    CommuneOfficeFactory,
    DepartmentFactory,
    DivisionFactory,
    DossierFactory,
    PoliceFactory,
    ProcedureVersionFactory,
    ServiceCentreFactory,
    staff,
)

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def actions(dossier: Dossier) -> list[str]:
    return list(DossierEvent.objects.filter(dossier=dossier).order_by("seq").values_list("action", flat=True))


def chain_is_intact(dossier: Dossier) -> bool:
    d = fresh(dossier)
    return verify_chain(d.code, DossierEvent.objects.filter(dossier=d).order_by("seq"), d.last_hash) is None


GKS = {"code": "GKS", "name": "Giấy khai sinh", "file_ref": "https://ketqua.hanoi.gov.vn/GKS.pdf"}


def test_online_submission_to_return_and_rating_with_an_intact_chain(clock):
    office = CommuneOfficeFactory()
    version = ProcedureVersionFactory()  # commune level, 1 working day: desk → specialist → leader
    citizen = CitizenFactory()

    clock.set("2026-11-23T09:00")  # Monday; Tuesday 24/11 is Vietnam Cultural Day
    d = DossierFactory(actor=citizen, version=version, commune_code=office.commune.code)
    assert (d.status, d.channel, d.owner) == (Status.SUBMITTED, Channel.ONLINE, citizen)
    assert (d.receiving_agency, d.competent_agency, d.commune) == (office.desk, office.pc, office.commune)
    assert d.code == f"{office.desk.code}-261123-0001"
    assert d.appointment_at is None and d.current_step is None

    clock.set("2026-11-23T10:00")
    d = services.receive(d.code, office.receptionist)
    assert d.status == Status.RECEIVED
    assert d.appointment_at == d.first_appointment_at == d.due_at == at("2026-11-25T10:00")
    assert (d.current_step.name, d.current_step.assignee) == ("Tiếp nhận hồ sơ", office.receptionist)

    clock.set("2026-11-23T11:00")
    d = services.forward(d.code, office.receptionist)
    assert (d.status, d.current_step.name, d.current_step.agency) == (Status.PROCESSING, "Thẩm định", office.pc)
    d = services.forward(d.code, office.specialist, comment="Đủ điều kiện")
    assert d.current_step.name == "Ký duyệt"

    clock.set("2026-11-23T14:00")
    d = services.resolve(d.code, office.leader, results=[GKS])
    assert (d.status, d.ended_at, d.current_step) == (Status.RESOLVED, at("2026-11-23T14:00"), None)
    assert list(d.results.values_list("code", flat=True)) == ["GKS"]

    clock.set("2026-11-23T15:00")
    d = services.return_result(d.code, office.receptionist, method="online")
    assert (d.status, d.returned_at, d.return_method) == (Status.RETURNED, at("2026-11-23T15:00"), "online")

    d = services.rate(d.code, citizen, score=5)
    assert fresh(d).satisfaction == 5 and fresh(d).status == Status.RETURNED
    steps = list(d.steps.order_by("seq").values_list("name", "state", "finished_by"))
    assert steps == [
        ("Tiếp nhận hồ sơ", DossierStep.State.DONE, office.receptionist.pk),
        ("Thẩm định", DossierStep.State.DONE, office.specialist.pk),
        ("Ký duyệt", DossierStep.State.DONE, office.leader.pk),
    ]
    assert actions(d) == ["submit", "receive", "forward", "forward", "resolve", "return", "rate"]
    assert fresh(d).version == 7
    assert chain_is_intact(d)


def test_a_broken_link_is_found():
    office = CommuneOfficeFactory()
    d = DossierFactory(actor=office.receptionist, version=ProcedureVersionFactory(), commune_code=office.commune.code)
    assert chain_is_intact(d)
    events = list(DossierEvent.objects.filter(dossier=d).order_by("seq"))
    events[0].payload = {**events[0].payload, "channel": 2}  # in memory only: nothing is written
    assert verify_chain(d.code, events, fresh(d).last_hash).problem == "hash does not match the event's content"


def test_counter_intake_is_received_at_once(clock):
    office = CommuneOfficeFactory()
    version = ProcedureVersionFactory(
        fees=[{"code": "LP01", "name": "Lệ phí cấp bản sao trích lục", "kind": "le_phi", "amount_vnd": 8000}]
    )
    clock.set("2026-03-02T09:00")  # Monday
    d = DossierFactory(actor=office.receptionist, version=version, commune_code=office.commune.code)
    assert (d.status, d.channel, d.owner) == (Status.RECEIVED, Channel.COUNTER, None)
    assert d.received_at == d.submitted_at == at("2026-03-02T09:00")
    assert d.appointment_at == at("2026-03-03T09:00")
    assert (d.current_step.name, d.current_step.due_at) == ("Tiếp nhận hồ sơ", at("2026-03-02T11:00"))
    assert d.fee_total_vnd == 8000 and list(d.fees.values_list("code", "amount_vnd")) == [("LP01", 8000)]
    assert list(d.components.values_list("code", flat=True)) == ["TK", "GCS"]
    assert actions(d) == ["submit", "receive"] and d.version == 2

    later = DossierFactory(
        actor=office.receptionist, version=version, commune_code=office.commune.code, receive_now=False
    )
    assert later.status == Status.SUBMITTED and later.code == f"{office.desk.code}-260302-0002"


def test_an_extra_holiday_of_the_province_moves_the_appointment(clock):
    office = CommuneOfficeFactory()
    version = ProcedureVersionFactory()
    CalendarOverrideFactory(day=date(2026, 3, 3), note="Nghỉ bù theo Thông báo 12/TB-UBND")
    clock.set("2026-03-02T09:00")
    d = DossierFactory(actor=office.receptionist, version=version, commune_code=office.commune.code)
    assert d.appointment_at == at("2026-03-04T09:00")


def test_supplement_pauses_the_clock_and_resubmission_moves_due_by_the_office_time_waited(clock):
    office = CommuneOfficeFactory()
    version = ProcedureVersionFactory()
    clock.set("2026-02-13T09:00")  # Friday before Tết 2026
    d = DossierFactory(actor=office.receptionist, version=version, commune_code=office.commune.code)
    assert d.due_at == at("2026-02-23T09:00")  # 1 working day across Tết
    step_due = d.current_step.due_at
    assert step_due == at("2026-02-13T11:00")

    clock.set("2026-02-13T10:00")
    d = services.request_supplement(
        d.code, office.receptionist, items=["Bản sao giấy chứng nhận kết hôn"], reason="Thiếu giấy tờ"
    )
    assert (d.status, d.paused_at, d.resume_status, d.supplement_count) == (
        Status.SUPPLEMENT,
        at("2026-02-13T10:00"),
        Status.RECEIVED,
        1,
    )
    request = d.supplements.get()
    assert request.items == ["Bản sao giấy chứng nhận kết hôn"] and not request.during_reception

    clock.set("2026-02-23T10:00")
    d = services.resubmit(d.code, office.receptionist, note="Đã bổ sung")
    waited = get_calendar().working_seconds_between(at("2026-02-13T10:00"), at("2026-02-23T10:00"))
    assert waited == 8 * 3600  # 5.5 office hours on 13/02, 2.5 on 23/02: Tết does not count
    assert (d.status, d.paused_at, d.resume_status) == (Status.RECEIVED, None, None)
    assert d.due_at == at("2026-02-24T09:00")  # moved by the 8 office hours waited
    assert d.appointment_at == at("2026-02-23T09:00")  # the appointment given stays
    assert fresh(d).current_step.due_at == at("2026-02-23T11:00")  # the step's due moves the same way
    assert d.supplement_seconds == int((at("2026-02-23T10:00") - at("2026-02-13T10:00")).total_seconds())
    assert d.supplements.get().resubmitted_at == at("2026-02-23T10:00")
    assert actions(d) == ["submit", "receive", "request-supplement", "resubmit"]


def test_a_supplement_asked_at_reception_is_answered_by_the_citizen_and_does_not_count(clock):
    office = CommuneOfficeFactory()
    citizen = CitizenFactory()
    d = DossierFactory(actor=citizen, version=ProcedureVersionFactory(), commune_code=office.commune.code)
    d = services.request_supplement(d.code, office.receptionist, items=["Tờ khai"], reason="Sai ngày sinh")
    assert (d.status, d.supplement_count, d.supplements.get().during_reception) == (Status.SUPPLEMENT, 0, True)
    d = services.resubmit(d.code, citizen, components=[{"code": "TK", "digitized": True}], note="Đã sửa ngày sinh")
    assert (d.status, d.due_at) == (Status.SUBMITTED, None)
    assert fresh(d).components.filter(code="TK", digitized=True).exists()  # named as in the catalog


def test_supplement_needs_every_item_at_once():
    office = CommuneOfficeFactory()
    d = DossierFactory(actor=office.receptionist, version=ProcedureVersionFactory(), commune_code=office.commune.code)
    with pytest.raises(InvalidInput) as e:
        services.request_supplement(d.code, office.receptionist, items=["  "], reason="Thiếu")
    assert e.value.code == "supplement_items_required"
    assert fresh(d).status == Status.RECEIVED and actions(d) == ["submit", "receive"]


def test_refusal_needs_a_reason_and_ends_the_dossier(clock):
    office = CommuneOfficeFactory()
    d = DossierFactory(actor=CitizenFactory(), version=ProcedureVersionFactory(), commune_code=office.commune.code)
    with pytest.raises(InvalidInput) as e:
        services.refuse(d.code, office.receptionist, reason="   ")
    assert (e.value.code, e.value.details) == ("reason_required", {"field": "reason"})
    assert (fresh(d).status, fresh(d).version, actions(d)) == (Status.SUBMITTED, 1, ["submit"])  # nothing written

    clock.set("2026-11-23T10:00")
    d = services.refuse(d.code, office.receptionist, reason="Không thuộc thẩm quyền")
    assert (d.status, d.ended_at) == (Status.REFUSED, at("2026-11-23T10:00"))
    event = DossierEvent.objects.get(dossier=d, action="refuse")
    assert event.payload == {"reason": "Không thuộc thẩm quyền"} and event.actor == office.receptionist


def test_a_stale_version_is_a_conflict():
    office = CommuneOfficeFactory()
    d = DossierFactory(actor=office.receptionist, version=ProcedureVersionFactory(), commune_code=office.commune.code)
    assert d.version == 2
    with pytest.raises(Conflict) as e:
        services.forward(d.code, office.receptionist, version=1)
    assert (e.value.code, e.value.details) == ("version_conflict", {"current_version": 2})
    assert (fresh(d).version, fresh(d).current_step.name) == (2, "Tiếp nhận hồ sơ")
    assert services.forward(d.code, office.receptionist, version=2).version == 3


def test_an_action_the_status_does_not_allow_is_an_invalid_transition():
    office = CommuneOfficeFactory()
    d = DossierFactory(actor=CitizenFactory(), version=ProcedureVersionFactory(), commune_code=office.commune.code)
    with pytest.raises(Conflict) as e:
        services.forward(d.code, office.receptionist)
    assert e.value.code == "invalid_transition"
    assert e.value.details == {"status": 1, "allowed": ["receive", "refuse", "request-supplement", "withdraw"]}

    services.refuse(d.code, office.receptionist, reason="Hồ sơ giả mạo")
    with pytest.raises(Conflict) as e:
        services.receive(d.code, office.receptionist)
    assert (e.value.code, e.value.details) == ("invalid_transition", {"status": 3, "allowed": []})
    with pytest.raises(Conflict) as e:
        services.rate(d.code, d.owner, score=5)  # only a returned dossier is rated
    assert e.value.code == "invalid_transition"


def test_roles_decide_who_acts_and_other_agencies_see_nothing():
    office = CommuneOfficeFactory()
    elsewhere = CommuneOfficeFactory()
    citizen = CitizenFactory()
    d = DossierFactory(actor=citizen, version=ProcedureVersionFactory(), commune_code=office.commune.code)
    assert elsewhere.commune != office.commune

    with pytest.raises(Forbidden) as e:
        services.receive(d.code, citizen)  # the owner may not receive their own dossier
    assert (e.value.code, e.value.details) == ("forbidden_action", {"action": "receive"})
    with pytest.raises(NotFound) as e:
        services.receive(d.code, elsewhere.receptionist)  # another commune's desk: not found, no oracle
    assert e.value.code == "dossier_not_found"
    with pytest.raises(NotFound) as e:
        services.receive("000.01.99.H26-261123-9999", office.receptionist)
    assert e.value.code == "dossier_not_found"

    services.receive(d.code, office.receptionist)
    services.forward(d.code, office.receptionist)
    with pytest.raises(Forbidden) as e:
        services.resolve(d.code, office.specialist, results=[GKS])  # only heads resolve
    assert (e.value.code, e.value.details) == ("forbidden_action", {"action": "resolve"})
    inspector = staff("inspector", office.pc)
    with pytest.raises(Forbidden):
        services.forward(d.code, inspector)  # reads, never acts
    assert (fresh(d).status, fresh(d).current_step.name) == (Status.PROCESSING, "Thẩm định")
    assert services.resolve(d.code, office.leader, results=[GKS]).status == Status.RESOLVED


def test_reschedule_once_keeping_both_appointments(clock):
    office = CommuneOfficeFactory()
    clock.set("2026-03-02T09:00")
    d = DossierFactory(actor=office.receptionist, version=ProcedureVersionFactory(), commune_code=office.commune.code)
    assert d.appointment_at == at("2026-03-03T09:00")

    with pytest.raises(Forbidden):
        services.reschedule(d.code, office.specialist, new_appointment=at("2026-03-05T16:00"), reason="Chờ xác minh")
    with pytest.raises(InvalidInput) as e:  # Saturday
        services.reschedule(d.code, office.leader, new_appointment=at("2026-03-07T09:00"), reason="Chờ xác minh")
    assert e.value.code == "appointment_not_working_day"
    with pytest.raises(InvalidInput) as e:
        services.reschedule(d.code, office.leader, new_appointment=at("2026-03-05T16:00"), reason="")
    assert e.value.code == "reason_required"

    d = services.reschedule(d.code, office.leader, new_appointment=at("2026-03-05T16:00"), reason="Chờ xác minh")
    assert (d.appointment_at, d.due_at, d.first_appointment_at) == (
        at("2026-03-05T16:00"),
        at("2026-03-05T16:00"),
        at("2026-03-03T09:00"),
    )
    assert d.rescheduled
    with pytest.raises(Conflict) as e:
        services.reschedule(d.code, office.leader, new_appointment=at("2026-03-06T16:00"), reason="Lần nữa")
    assert e.value.code == "already_rescheduled"
    assert fresh(d).appointment_at == at("2026-03-05T16:00")
    assert actions(d) == ["submit", "receive", "reschedule"]


def test_the_owner_withdraws_another_citizen_cannot(clock):
    office = CommuneOfficeFactory()
    owner, stranger = CitizenFactory(), CitizenFactory()
    d = DossierFactory(actor=owner, version=ProcedureVersionFactory(), commune_code=office.commune.code)

    with pytest.raises(NotFound) as e:
        services.withdraw(d.code, stranger, reason="Không cần nữa")
    assert e.value.code == "dossier_not_found"
    with pytest.raises(InvalidInput) as e:
        services.withdraw(d.code, owner, reason="")
    assert e.value.code == "reason_required"

    d = services.withdraw(d.code, owner, reason="Nộp nhầm thủ tục")
    assert (d.status, d.ended_at) == (Status.WITHDRAWN, None)  # never received: no handling ended

    clock.set("2026-11-23T10:00")
    received = DossierFactory(actor=owner, version=ProcedureVersionFactory(), commune_code=office.commune.code)
    services.receive(received.code, office.receptionist)
    d = services.withdraw(received.code, owner, reason="Đã giải quyết ở nơi khác")
    assert (d.status, d.ended_at, d.current_step) == (Status.WITHDRAWN, at("2026-11-23T10:00"), None)
    assert d.steps.get().state == DossierStep.State.CANCELLED


def test_only_the_owner_rates_and_only_after_return():
    office = CommuneOfficeFactory()
    owner = CitizenFactory()
    d = DossierFactory(actor=owner, version=ProcedureVersionFactory(), commune_code=office.commune.code)
    services.receive(d.code, office.receptionist)
    services.resolve(d.code, office.leader, results=[GKS])  # a head may resolve from any open step
    with pytest.raises(Conflict):
        services.rate(d.code, owner, score=4)
    services.return_result(d.code, office.receptionist, method="counter")

    with pytest.raises(NotFound):
        services.rate(d.code, CitizenFactory(), score=1)
    with pytest.raises(Forbidden):
        services.rate(d.code, office.receptionist, score=1)
    assert services.rate(d.code, owner, score=4).satisfaction == 4
    assert actions(d)[-2:] == ["return", "rate"]


def test_provincial_dossier_through_a_division_and_an_inter_agency_leg(clock):
    centre = ServiceCentreFactory()
    department = DepartmentFactory()
    division = DivisionFactory(parent=department)
    police = PoliceFactory()
    version = ProcedureVersionFactory(
        name="Cấp giấy phép xây dựng mới",
        field__code="XAYDUNG",
        field__name="Xây dựng",
        level="province",
        competent_agency=department,
        competent_agency_kind="department",
        online_level="partial",
        statutory_time_value=20,
        statutory_time_unit="days",
        fees=[{"code": "LP", "name": "Lệ phí cấp giấy phép xây dựng", "kind": "le_phi", "amount_vnd": 150000}],
        components=[{"code": "DN", "name": "Đơn đề nghị cấp giấy phép xây dựng"}],
        results=[{"code": "GPXD", "name": "Giấy phép xây dựng", "electronic": False}],
        steps=[
            {"name": "Tiếp nhận", "role": "receptionist", "budget_value": "0.5"},
            {"name": "Thẩm định", "role": "specialist", "unit": division, "budget_value": 10},
            {
                "name": "Lấy ý kiến Công an",
                "role": "specialist",
                "agency": police,
                "inter_agency": True,
                "budget_value": 3,
            },
            {"name": "Ký", "role": "agency_leader", "budget_value": 1},
        ],
    )
    desk = staff("receptionist", centre)
    specialist = staff("specialist", department, unit=division)
    officer = staff("specialist", police)
    director = staff("agency_leader", department)

    clock.set("2026-02-13T09:00")
    d = DossierFactory(
        actor=desk,
        version=version,
        applicant_type=2,
        applicant_name="Công ty TNHH Xây dựng Ba Đình",
        applicant_id_number="0101234567",
    )
    assert (d.code, d.status, d.receiving_agency, d.competent_agency) == (
        f"{centre.code}-260213-0001",
        Status.RECEIVED,
        centre,
        department,
    )
    assert d.appointment_at == at("2026-03-05T17:00")  # 20 calendar days, at the close of office
    assert d.fee_total_vnd == 150000

    for when, actor, action, fields, step in [
        ("2026-02-13T10:00", desk, services.forward, {}, "Thẩm định"),
        ("2026-02-24T10:00", specialist, services.transfer, {}, "Lấy ý kiến Công an"),
        ("2026-02-26T10:00", officer, services.forward, {}, "Ký"),
    ]:
        clock.set(when)
        d = action(d.code, actor, **fields)
        assert (d.status, d.current_step.name) == (Status.PROCESSING, step)
    leg = d.steps.get(name="Lấy ý kiến Công an")
    assert (leg.agency, leg.inter_agency, leg.finished_by) == (police, True, officer)
    assert d.steps.get(name="Thẩm định").unit == division

    clock.set("2026-02-27T10:00")
    d = services.resolve(
        d.code, director, results=[{"code": "GPXD", "name": "Giấy phép xây dựng", "number": "12/GPXD"}]
    )
    clock.set("2026-02-27T15:00")
    d = services.return_result(d.code, desk, method="counter")
    assert d.status == Status.RETURNED
    assert actions(d) == ["submit", "receive", "forward", "transfer", "forward", "resolve", "return"]
    assert chain_is_intact(d)
