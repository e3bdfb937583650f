"""The whole legal life of a dossier through the HTTP API, and its facts and events."""

from datetime import datetime

from django.core.management import call_command

from motcua.common.timeutil import VN_TZ
from motcua.dossiers.models import AccessLog, Dossier, DossierEvent, DossierFact
from tests.dossiers.conftest import birth_submission, construction_submission


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def test_counter_intake_through_liên_thông_to_return(procedures, police_officer, as_user, clock):
    desk = as_user("tiepnhan.tinh")
    clock.set("2026-02-13T09:00")
    r = desk.post("/dossiers", construction_submission())
    assert r.status_code == 201, r.json()
    d = r.json()
    code = d["code"]
    assert code == "000.00.01.H53-260213-0001"
    assert (d["status"], d["channel"]) == (2, 1)
    # 20 calendar days → Thursday 05/03/2026, at the close of office
    assert d["appointment_at"] == "2026-03-05T17:00:00+07:00"
    assert d["current_step"] == "Tiếp nhận"

    steps = [
        ("2026-02-13T10:00", "tiepnhan.tinh", "forward", {}, 4, "Thẩm định"),
        ("2026-02-24T10:00", "xaydung.chuyenvien", "transfer", {}, 4, "Lấy ý kiến Công an tỉnh (liên thông)"),
        ("2026-02-26T10:00", "congan.tinh", "forward", {}, 4, "Ký"),
        (
            "2026-02-27T10:00",
            "xaydung.lanhdao",
            "resolve",
            {"results": [{"code": "GPXD", "name": "Giấy phép xây dựng", "number": "12/GPXD", "electronic": False}]},
            9,
            None,
        ),
        ("2026-02-27T15:00", "tiepnhan.tinh", "return", {"method": "counter"}, 10, None),
    ]
    for when, username, action, body, status, current in steps:
        clock.set(when)
        r = as_user(username).act(code, action, **body)
        assert r.status_code == 200, (action, r.json())
        assert (r.json()["status"], r.json()["current_step"]) == (status, current), action

    final = r.json()
    leg = final["steps"][2]
    assert leg["inter_agency"] and leg["agency"] == "000.00.12.H53" and leg["on_time"] == "on_time"
    assert final["ended_at"] == "2026-02-27T10:00:00+07:00" and final["returned_at"] == "2026-02-27T15:00:00+07:00"
    assert final["flags"]["timeliness"] == "early"
    fact = DossierFact.objects.get(dossier__code=code)
    assert (fact.timeliness, fact.channel, fact.status, fact.fee_bearing) == ("early", 1, 10, True)
    assert not fact.electronic_result and [o["step"] for o in fact.officials] == [1, 2, 3, 4]
    events = [e["action"] for e in desk.get(f"/dossiers/{code}/events").json()]
    assert events == ["submit", "receive", "forward", "transfer", "forward", "resolve", "return"]
    call_command("verify-events", "--code", code, "--no-progress")


def test_online_submission_at_the_commune_desk(procedures, citizen, as_user, clock):
    clock.set("2026-11-23T09:00")  # Monday; Tuesday 24/11 is Vietnam Cultural Day
    r = citizen.post("/dossiers", birth_submission())
    assert r.status_code == 201, r.json()
    d = r.json()
    assert (d["status"], d["channel"], d["receiving_agency"]) == (1, 2, "000.01.31.H53")
    assert d["appointment_at"] is None
    code = d["code"]
    clock.set("2026-11-23T10:00")
    r = as_user("tanan.tiepnhan").act(code, "receive")
    assert r.json()["appointment_at"] == "2026-11-25T10:00:00+07:00"
    for username, action in [("tanan.tiepnhan", "forward"), ("tanan.congchuc", "forward")]:
        assert as_user(username).act(code, action).status_code == 200
    e_result = {"code": "GKS", "name": "Giấy khai sinh", "file_ref": "https://ketqua.tayninh.gov.vn/GKS.pdf"}
    r = as_user("tanan.chutich").act(code, "resolve", results=[e_result])
    assert r.json()["status"] == 9
    mine = citizen.get(f"/dossiers/{code}").json()
    assert mine["status"] == 9 and mine["results"][0]["code"] == "GKS"
    fact = DossierFact.objects.get(dossier__code=code)
    assert fact.digitized and fact.reused and fact.electronic_result and fact.channel == 2


def test_supplement_pauses_the_clock_and_a_second_one_is_flagged_late(procedures, as_user, clock):
    desk = as_user("tanan.tiepnhan")
    clock.set("2026-02-13T09:00")
    code = desk.post("/dossiers", birth_submission()).json()["code"]
    dossier = Dossier.objects.get(code=code)
    assert dossier.due_at == at("2026-02-23T09:00")  # 1 working day across Tết 2026
    clock.set("2026-02-13T10:00")
    r = desk.act(code, "request-supplement", items=["Bản sao giấy chứng nhận kết hôn"], reason="Thiếu giấy tờ")
    assert r.json()["status"] == 5
    clock.set("2026-02-23T10:00")
    r = desk.act(code, "resubmit", note="Đã bổ sung")
    assert r.json()["status"] == 2
    # paused 5.5 office hours on 13/02 and 2.5 on 23/02: the deadline moves by 8 office hours
    assert r.json()["due_at"] == "2026-02-24T09:00:00+07:00"
    assert r.json()["appointment_at"] == "2026-02-23T09:00:00+07:00"  # the appointment given stays
    clock.set("2026-02-24T08:00")
    assert desk.act(code, "forward").status_code == 200
    assert as_user("tanan.congchuc").act(code, "forward").status_code == 200
    r = as_user("tanan.chutich").act(code, "resolve", results=[{"code": "GKS", "name": "Giấy khai sinh"}])
    # end − supplement time (10 days) = 14/02, before the appointment day
    assert r.json()["flags"]["timeliness"] == "early"

    clock.set("2026-03-02T09:00")
    other = desk.post("/dossiers", birth_submission()).json()["code"]
    for asked, answered in (("2026-03-02T10:00", "2026-03-02T10:30"), ("2026-03-02T11:00", "2026-03-02T11:15")):
        clock.set(asked)
        desk.act(other, "request-supplement", items=["Tờ khai"], reason="Sai thông tin")
        clock.set(answered)
        assert desk.act(other, "resubmit", answers=[{"item": 1, "note": "Đã sửa tờ khai"}]).status_code == 200
    d = desk.get(f"/dossiers/{other}").json()
    assert d["flags"]["supplement_count"] == 2 and d["flags"]["flagged_late_by_supplements"]
    assert d["flags"]["timeliness"] == "overdue"


def test_supplement_needs_every_item_at_once(procedures, as_user):
    desk = as_user("tanan.tiepnhan")
    code = desk.post("/dossiers", birth_submission()).json()["code"]
    r = desk.act(code, "request-supplement", items=[], reason="Thiếu")
    assert r.status_code == 400 and r.json()["code"] == "supplement_items_required"
    assert Dossier.objects.get(code=code).status == 2


def test_reschedule_once_keeping_both_appointments(procedures, as_user, clock):
    clock.set("2026-03-02T09:00")
    code = as_user("tanan.tiepnhan").post("/dossiers", birth_submission()).json()["code"]
    leader = as_user("tanan.chutich")
    r = leader.act(code, "reschedule", new_appointment="2026-03-05T16:00:00+07:00", reason="Chờ xác minh")
    assert r.status_code == 200, r.json()
    d = r.json()
    assert d["appointment_at"] == "2026-03-05T16:00:00+07:00"
    assert d["first_appointment_at"] == "2026-03-03T09:00:00+07:00" and d["flags"]["rescheduled"]
    r = leader.act(code, "reschedule", new_appointment="2026-03-06T16:00:00+07:00", reason="Lần nữa")
    assert r.status_code == 409 and r.json()["code"] == "already_rescheduled"
    clock.set("2026-03-04T09:00")
    assert leader.get(f"/dossiers/{code}").json()["flags"]["timeliness"] == "overdue"  # judged on the first


def test_refuse_stop_withdraw_payment_send_back_reassign(procedures, as_user, citizen, clock):
    desk = as_user("tanan.tiepnhan")
    online = citizen.post("/dossiers", birth_submission()).json()["code"]
    assert desk.act(online, "refuse", reason="").json()["code"] == "reason_required"
    assert desk.act(online, "refuse", reason="Không thuộc thẩm quyền").json()["status"] == 3
    again = desk.act(online, "receive")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert again.json()["details"]["status"] == 3

    desk_p = as_user("tiepnhan.tinh")
    code = desk_p.post("/dossiers", construction_submission()).json()["code"]
    desk_p.act(code, "forward")
    spec = as_user("xaydung.chuyenvien")
    assert spec.act(code, "send-back", comment="Hồ sơ scan mờ").json()["current_step"] == "Tiếp nhận"
    assert desk_p.act(code, "forward").json()["current_step"] == "Thẩm định"
    r = as_user("xaydung.lanhdao").act(code, "reassign", assignee="xaydung.chuyenvien")
    assert r.json()["steps"][-1]["assignee"] == "xaydung.chuyenvien"
    bad = as_user("xaydung.lanhdao").act(code, "reassign", assignee="tuphap.chuyenvien")
    assert bad.json()["code"] == "unknown_assignee"
    assert spec.act(code, "request-payment", amount_vnd=1_500_000).json()["status"] == 6
    r = desk_p.act(code, "confirm-payment", paid_online=True, reference="VNP123")
    assert r.json()["status"] == 4 and r.json()["paid_online"]
    assert as_user("xaydung.lanhdao").act(code, "stop", reason="Chủ đầu tư đề nghị dừng").json()["status"] == 8
    assert DossierFact.objects.get(dossier__code=code).paid_online

    mine = citizen.post("/dossiers", birth_submission()).json()["code"]
    r = citizen.act(mine, "withdraw", reason="Nộp nhầm thủ tục")
    assert r.json()["status"] == 7


def test_transfer_to_a_named_agency_needs_a_budget(procedures, as_user):
    desk = as_user("tiepnhan.tinh")
    code = desk.post("/dossiers", construction_submission()).json()["code"]
    desk.act(code, "forward")
    spec = as_user("xaydung.chuyenvien")
    r = spec.act(code, "transfer", agency="000.00.06.H53")
    assert r.status_code == 400 and r.json()["code"] == "budget_required"
    r = spec.act(code, "transfer", agency="000.00.06.H53", budget_hours=16, step_name="Lấy ý kiến Sở NN&MT")
    leg = r.json()["steps"][-1]
    assert leg["inter_agency"] and leg["agency"] == "000.00.06.H53" and leg["name"] == "Lấy ý kiến Sở NN&MT"


def test_bad_submissions_write_nothing(procedures, as_user, citizen):
    desk = as_user("tiepnhan.tinh")
    cases = [
        (desk, construction_submission(components=[]), "missing_components"),
        (desk, construction_submission(procedure_code="9.999999"), "procedure_not_found"),
        (desk, construction_submission(components=[{"code": "XX"}]), "unknown_component"),
        (desk, construction_submission(channel=2), "invalid_channel"),
        (desk, birth_submission(commune_code=None), "commune_required"),
        (desk, birth_submission(applicant={"name": "A", "phone": "123"}), "invalid_phone"),
        (
            desk,
            birth_submission(applicant={"name": "A", "phone": "0912345678", "id_number": "999123456789"}),
            "invalid_citizen_id",
        ),
        (as_user("tuphap.chuyenvien"), birth_submission(), "not_a_receptionist"),
    ]
    for client, body, code in cases:
        r = client.post("/dossiers", body)
        assert r.status_code in (400, 403, 404), (code, r.status_code)
        assert r.json()["code"] == code, r.json()
    r = desk.client.post("/api/v1/dossiers", "{not json", content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_input"
    assert not Dossier.objects.exists() and not DossierEvent.objects.exists()


def test_codes_are_sequential_per_desk_and_day(procedures, as_user, clock):
    desk = as_user("tanan.tiepnhan")
    clock.set("2026-03-02T09:00")
    codes = [desk.post("/dossiers", birth_submission()).json()["code"] for _ in range(3)]
    clock.set("2026-03-03T09:00")
    codes.append(desk.post("/dossiers", birth_submission()).json()["code"])
    assert codes == [
        "000.01.31.H53-260302-0001",
        "000.01.31.H53-260302-0002",
        "000.01.31.H53-260302-0003",
        "000.01.31.H53-260303-0001",
    ]


def test_staff_reads_are_logged_citizen_reads_are_not(procedures, as_user, citizen):
    code = citizen.post("/dossiers", birth_submission()).json()["code"]
    before = AccessLog.objects.count()
    citizen.get(f"/dossiers/{code}")
    assert AccessLog.objects.count() == before
    as_user("tanan.tiepnhan").get(f"/dossiers/{code}")
    log = AccessLog.objects.latest("id")
    assert (log.user.username, log.dossier.code, log.purpose) == ("tanan.tiepnhan", code, "view")
    as_user("tanan.tiepnhan").get("/dossiers")
    assert AccessLog.objects.filter(purpose="list", dossier__code=code).exists()


def test_version_guard_gives_409(procedures, as_user):
    desk = as_user("tiepnhan.tinh")
    d = desk.post("/dossiers", construction_submission()).json()
    r = desk.act(d["code"], "forward", version=d["version"] - 1)
    assert r.status_code == 409 and r.json()["code"] == "version_conflict"
    assert desk.act(d["code"], "forward", version=d["version"]).status_code == 200


def test_oversize_payload_is_refused_with_a_code(procedures, as_user):
    desk = as_user("tiepnhan.tinh")
    huge = construction_submission(form_data={"ghi_chu": "x" * (6 * 1024 * 1024)})
    r = desk.post("/dossiers", huge)
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"
    assert not Dossier.objects.exists()
