"""The national monitor under bad input (issue 12, defects 5, 6 and 14): requests of the wrong shape
are refused whole with 400/413 and a stable code, a bad item is refused alone beside the good ones,
nothing reaches the database that PostgreSQL would refuse (NUL, versions ≥ 2³¹, over-long codes),
filed figures are validated, monitor writes need monitor roles, a replayed batch cannot reset a
node's declared total, and the progress feed checks the node's code suffix.

Run on SQLite and on PostgreSQL (the NUL and 2³¹ cases fail there only without the fix)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from motcua.national import services as national
from motcua.national.models import MonitorRole, Node, NodeReport, SyncedDossier, SyncedProgress
from motcua.protocol import signing
from tests.sync.factories import national_item as item
from tests.sync.factories import submit_dossiers

CODE = "000.00.01.H53-261123-0001"


@pytest.fixture
def nodes(db):
    h53, _ = national.register_node("H53", "Tỉnh Tây Ninh", ".H53", client_id="h53-sec")
    h26, _ = national.register_node("H26", "Thành phố Hà Nội", ".H26", client_id="h26-sec")
    return h53, h26


class Monitor:
    """A node talking to the monitor: token, signed bodies (bytes as given, or JSON)."""

    def __init__(self, client, node: Node):
        self.client, self.node = client, node
        self.secret = national.node_secret(node.client_id)
        self.token = client.post(
            "/national/api/auth",
            {"client_id": node.client_id, "client_secret": self.secret},
            content_type="application/json",
        ).json()["access_token"]

    def post(self, body: bytes | str | object, path: str = "/national/api/integration"):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()  # \u escapes, lone surrogates too
        return self.client.post(
            path,
            raw,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
            HTTP_X_SIGNATURE=signing.sign(self.secret, raw),
        )

    def push(self, data, service="DongBoHoSoMC", **extra):
        return self.post({"service": service, "isUpdating": "True", "data": data, **extra})


@pytest.fixture
def monitor(nodes, client):
    return Monitor(client, nodes[0])


def code(n: int) -> str:
    return f"000.00.01.H53-261123-{n:04d}"


# -- requests of the wrong shape: 400 with a stable code, never 500 ------------------------------------
WRONG_SHAPES = [
    (b"[]", "invalid_body"),
    (b"null", "invalid_body"),
    (b'"x"', "invalid_body"),
    (b"1", "invalid_body"),
    (b"{}", "unknown_service"),
    (b'{"service": ["DongBoHoSoMC"], "data": []}', "unknown_service"),
    (b'{"service": "DongBoHoSoMC"}', "invalid_batch"),
    (b'{"service": "DongBoHoSoMC", "data": "x"}', "invalid_batch"),
    (b'{"service": "DongBoHoSoMC", "data": {"MaHoSo": 1}}', "invalid_batch"),
    (b'{"service": "CapNhatTienDoHoSoMC", "data": null}', "invalid_batch"),
    (b'{"service": "DongBoHoSoMC", "data": [], "tongSoHoSo": 9223372036854775808}', "invalid_total"),
    (b'{"service": "DongBoHoSoMC", "data": [], "tongSoHoSo": 1000000000000000000000000000000}', "invalid_total"),
    (b'{"service": "DongBoHoSoMC", "data": [], "tongSoHoSo": -1}', "invalid_total"),
    (b'{"service": "DongBoHoSoMC", "data": [], "tongSoHoSo": true}', "invalid_total"),
    (b'{"service": "DongBoHoSoMC", "data": [], "tongSoHoSo": "many"}', "invalid_total"),
    (b'{"service": "DongBoHoSoMC", "data": [], "thoiDiemGui": "now"}', "invalid_sent_at"),
    (b"\xff\xfe{}", "invalid_utf8"),
    (b"{", "invalid_json"),
    (b'{"service": "DongBoHoSoMC", "data": [NaN]}', "invalid_json"),
    (b'{"service": "DongBoHoSoMC", "data": [], "x": ' + b"9" * 5000 + b"}", "invalid_json"),
    (b'{"service": "DongBoHoSoMC", "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "too_deep"),
    (b'{"service": "DongBoHoSoMC", "data": [' + b"[" * 40 + b"]" * 40 + b"]}", "too_deep"),
]


@pytest.mark.parametrize(("body", "error"), WRONG_SHAPES, ids=[e for _, e in WRONG_SHAPES])
def test_requests_of_the_wrong_shape_are_refused_with_a_stable_code(monitor, body, error):
    r = monitor.post(body)
    assert r.status_code == 400, r.content[:300]
    assert r.json()["code"] == error and r.json()["message"] and r.json()["message_en"]
    assert not SyncedDossier.objects.exists()


def test_a_body_too_large_is_413(monitor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    r = monitor.push([item(code=code(i)) for i in range(100)])
    assert r.status_code == 413 and r.json()["code"] == "body_too_large"


@pytest.mark.parametrize("body", [b"[]", b"null", b'"x"', b'{"client_id": ["x"], "client_secret": {}}', b"\xff"])
def test_auth_never_fails_on_its_body(client, nodes, body):
    r = client.post("/national/api/auth", body, content_type="application/json")
    assert r.status_code in (400, 401) and r.json()["code"]


# -- one bad item is refused alone --------------------------------------------------------------------
BAD_ITEMS = [
    # list fields given as strings
    (item(code=code(2), TaiLieuNop="abc"), "invalid_field"),
    (item(code=code(3), DanhSachLePhi="x"), "invalid_field"),
    (item(code=code(4), DanhSachHoSoBoSung="x"), "invalid_field"),
    (item(code=code(5), DanhSachGiayToKetQua="x"), "invalid_field"),
    # versions beyond the PostgreSQL integer column, or not a number
    (item(code=code(6), version=2**31), "out_of_range"),
    (item(code=code(7), version=2**63 - 1), "out_of_range"),
    (item(code=code(8), version=10**30), "number_too_large"),
    (item(code=code(9), version=0), "out_of_range"),
    (item(code=code(10), version=True), "invalid_field"),
    # what PostgreSQL cannot store: NUL, other control characters, lone surrogates (anywhere in the item)
    (item(code=code(11), ChuHoSo="Nguyễn\x00Văn A"), "control_character"),
    (item(code=code(12), GhiChu="extra\x00field"), "control_character"),
    (item(code=code(13) + "\x1b"), "control_character"),
    (item(code=code(14), ChuHoSo="A\ud800"), "invalid_unicode"),
    (item(code=code(15), TaiLieuNop=[{"MaThanhPhanHoSo": "TK", "TenTepDinhKem": "a\x07b"}]), "control_character"),
    # over-long codes
    (item(code="000.00.01.H53-261123-" + "9" * 30), "too_long"),
    (item(code=code(16), DonViXuLy="000.00.31.H53" + "0" * 20), "too_long"),
    # numbers and dates out of range, nesting, non-finite numbers
    (item(code=code(17), NgayHenTra=None, ThoiGianGiaiQuyet="1e999", DonViTinh="working_days"), "out_of_range"),
    (item(code=code(18), NgayNopHoSo="99991231235959"), "invalid_field"),
    (item(code=code(19), NgayNopHoSo="00010101000000", NgayTiepNhan=None, TrangThaiHoSo=1), "invalid_field"),
    (item(code=code(20), DanhSachLePhi=[{"MaPhiLePhi": "LP", "Gia": 10**16}]), "out_of_range"),
    (item(code=code(21), GhiChu={"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}}), "too_deep"),
    (item(code=code(22), GhiChu="__1e400__"), "not_finite"),  # sent as the number 1e400 (infinite once parsed)
    (item(code=code(23), DanhSachHoSoBoSung=[{"NgayBoSung": "20261123110000"}] * 201), "too_long"),
    # not an object, not a string code, not this node's
    ("text", "not_an_object"),
    (None, "not_an_object"),
    ([item(code=code(24))], "not_an_object"),
    (item(code=[code(25)]), "invalid_field"),
    (item(code="000.00.01.H26-261123-0001", DonViXuLy="000.00.31.H26"), "not_own_dossier"),
]


def test_a_bad_item_is_refused_alone_and_the_good_ones_are_kept(monitor):
    good_first, good_last = item(), item(code=code(99), version=7)
    data = [good_first, *[bad for bad, _ in BAD_ITEMS], good_last]
    body = json.dumps({"service": "DongBoHoSoMC", "data": data}).encode().replace(b'"__1e400__"', b"1e400")
    r = monitor.post(body)
    assert r.status_code == 200, r.content[:500]
    body = r.json()
    results = body["results"]
    assert len(results) == len(BAD_ITEMS) + 2 and (body["accepted"], body["rejected"]) == (2, len(BAD_ITEMS))
    assert results[0] == {"MaHoSo": CODE, "PhienBan": 2, "KetQua": "accepted"}  # the answer good items always had
    assert results[-1] == {"MaHoSo": code(99), "PhienBan": 7, "KetQua": "accepted"}
    for (bad, error), result in zip(BAD_ITEMS, results[1:-1], strict=True):
        assert result["KetQua"] == "rejected" and result["MaLoi"] == error, (
            bad if not isinstance(bad, dict) else bad.get("MaHoSo"),
            result,
        )
        assert result["LyDo"].startswith(f"[{error}] ")
        assert result["MaHoSo"] is None or ("\x00" not in result["MaHoSo"] and len(result["MaHoSo"]) <= 40)
    assert dict(SyncedDossier.objects.values_list("code", "version")) == {CODE: 2, code(99): 7}


def test_the_whole_batch_is_never_lost_to_the_database(monitor, monkeypatch):
    """Should the database still refuse a batch, each item is stored on its own: only what it refuses
    is answered `not_storable`."""
    from django.db import DataError

    original = national._upsert

    def picky(model, columns, values, scratch=True):
        if any(row[columns.index("code")] == code(2) for row in values):
            raise DataError("value out of range")
        return original(model, columns, values, scratch)

    monkeypatch.setattr(national, "_upsert", picky)
    r = monitor.push([item(), item(code=code(2)), item(code=code(3))])
    assert [x["KetQua"] for x in r.json()["results"]] == ["accepted", "rejected", "accepted"]
    assert r.json()["results"][1]["MaLoi"] == "not_storable"
    assert set(SyncedDossier.objects.values_list("code", flat=True)) == {CODE, code(3)}


# -- the progress feed: validated per item, own dossiers only ------------------------------------------
def steps(**extra):
    return [
        {
            "BuocXuLy": 1,
            "NoiDungXuLy": "Tiếp nhận",
            "PhongBanXuLy": "000.00.31.H53",
            "NguoiXuLy": "Lê Thị Tiếp",
            "NgayBatDau": "20261123100000",
            "NgayKetThucTheoQuyDinh": "20261124100000",
            "ThoiDiemXuLy": "20261123110000",
            "TrangThai": "done",
            **extra,
        }
    ]


def test_the_progress_feed_checks_each_item_and_the_node_suffix(monitor):
    progress = [
        {"MaHoSo": CODE, "PhienBan": 3, "TienDo": steps()},
        {"MaHoSo": "000.00.01.H26-261123-0001", "PhienBan": 3, "TienDo": steps()},  # another node's dossier
        {"MaHoSo": "000.00.01.H53-" + "9" * 40, "PhienBan": 3, "TienDo": steps()},
        {"MaHoSo": code(2), "PhienBan": 2**31, "TienDo": steps()},
        {"MaHoSo": code(3), "PhienBan": 3, "TienDo": "x"},
        {"MaHoSo": code(4), "PhienBan": 3, "TienDo": steps(NguoiXuLy="Lê\x00Tiếp")},
        {"MaHoSo": code(5), "PhienBan": 3, "TienDo": steps(NgayBatDau=None)},
        {"MaHoSo": code(6), "PhienBan": 3, "TienDo": steps(BuocXuLy=10**30)},
        "x",
    ]
    r = monitor.push(progress, service="CapNhatTienDoHoSoMC")
    assert r.status_code == 200, r.content[:300]
    errors = [x.get("MaLoi") for x in r.json()["results"]]
    assert errors == [
        None,
        "not_own_dossier",
        "too_long",
        "out_of_range",
        "invalid_field",
        "control_character",
        "invalid_field",
        "number_too_large",
        "not_an_object",
    ]
    assert list(SyncedProgress.objects.values_list("code", "version")) == [(CODE, 3)]


# -- the declared total: bounded, and safe from replays -------------------------------------------------
def test_a_replayed_batch_never_resets_the_declared_total(monitor, nodes):
    node = nodes[0]
    first = json.dumps(
        {"service": "DongBoHoSoMC", "data": [item()], "tongSoHoSo": 100, "thoiDiemGui": signing.now_ms() - 60_000}
    ).encode()
    assert monitor.post(first).json()["total_applied"] is True
    node.refresh_from_db()
    assert node.declared_total == 100
    assert monitor.push([item()], tongSoHoSo=120, thoiDiemGui=signing.now_ms()).json()["total_applied"] is True
    replay = monitor.post(first)  # the same signed bytes, captured and sent again
    assert replay.status_code == 200 and replay.json()["total_applied"] is False
    assert monitor.push([], tongSoHoSo=5).json()["total_applied"] is False  # no signed sending time: not taken
    future = signing.now_ms() + 3_600_000
    assert monitor.push([], tongSoHoSo=6, thoiDiemGui=future).json()["total_applied"] is False
    node.refresh_from_db()
    assert node.declared_total == 120


def test_the_worker_client_sends_a_signed_sending_time(monkeypatch):
    from motcua.sync.client import NationalClient

    sent = {}
    client = NationalClient("http://monitor.invalid/national/api", "id", "secret")
    monkeypatch.setattr(client, "_signed_post", lambda path, body: sent.update(body) or {"results": []})
    client.push("DongBoHoSoMC", [], total=3)
    assert sent["tongSoHoSo"] == 3 and abs(sent["thoiDiemGui"] - signing.now_ms()) < 60_000


# -- filed figures --------------------------------------------------------------------------------------
GOOD_REPORT = {"from": "2026-01-01", "to": "2026-06-30", "received": 100, "on_time_rate": 98.5, "online_rate": 60}
BAD_REPORTS = [
    {**GOOD_REPORT, "on_time_rate": 1000},
    {**GOOD_REPORT, "on_time_rate": -1},
    {**GOOD_REPORT, "on_time_rate": "NaN"},
    {**GOOD_REPORT, "on_time_rate": 99.999},
    {**GOOD_REPORT, "online_rate": 101},
    {**GOOD_REPORT, "received": 2**63},
    {**GOOD_REPORT, "received": -5},
    {**GOOD_REPORT, "received": "many"},
    {**GOOD_REPORT, "from": "2026-07-01"},  # ends before it starts
    {**GOOD_REPORT, "to": "9999-12-31"},
    {**GOOD_REPORT, "from": ["2026-01-01"]},
    {k: v for k, v in GOOD_REPORT.items() if k != "on_time_rate"},
]


@pytest.mark.parametrize("figures", BAD_REPORTS)
def test_impossible_figures_are_refused(monitor, admin_login, figures):
    r = monitor.post(figures, path="/national/api/report")
    assert r.status_code == 400 and r.json()["code"] == "invalid_report", r.content[:300]
    assert not NodeReport.objects.exists()
    assert admin_login.get("/national/").status_code == 200


@pytest.mark.parametrize("body", [b"[]", b"null", b'"x"', b"\xff"])
def test_a_report_of_the_wrong_shape_is_refused(monitor, body):
    r = monitor.post(body, path="/national/api/report")
    assert r.status_code == 400 and r.json()["code"] in ("invalid_body", "invalid_utf8")


def test_a_good_report_is_filed_once_and_the_page_shows_it(monitor, admin_login):
    for _ in range(2):  # a replayed report files nothing more
        assert monitor.post(GOOD_REPORT, path="/national/api/report").status_code == 200
    report = NodeReport.objects.get()
    assert (report.on_time_rate, report.received, report.filed_by) == (Decimal("98.50"), 100, "node:H53")
    assert admin_login.get("/national/").status_code == 200


def test_the_database_refuses_impossible_figures_too(nodes):
    with pytest.raises(IntegrityError), transaction.atomic():
        NodeReport.objects.create(
            node=nodes[0], period_start="2026-01-01", period_end="2026-06-30", received=1, on_time_rate=150
        )


def test_the_form_refuses_impossible_figures_and_the_page_still_works(nodes, admin_login):
    r = admin_login.post(
        "/national/bao-cao/",
        {"node": nodes[1].pk, "from": "2026-01-01", "to": "2026-06-30", "received": "100", "on_time_rate": "1000"},
        follow=True,
    )
    assert r.status_code == 200 and not NodeReport.objects.exists()
    assert "on_time_rate" in r.content.decode()  # the message names the field
    for bad_node in ("x", "99999999999999999999999", ""):
        r = admin_login.post("/national/bao-cao/", {**GOOD_REPORT, "node": bad_node})
        assert r.status_code == 302 and not NodeReport.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"from": "9999-12-31", "to": "9999-12-31"},
        {"from": "2026-01-01", "to": "x"},
        {"from": "0001-01-01", "to": "0001-01-02"},
    ],
)
def test_digest_dates_out_of_range_are_400(monitor, client, query):
    r = client.get("/national/api/digests", query, HTTP_AUTHORIZATION=f"Bearer {monitor.token}")
    assert r.status_code == 400 and r.json()["code"] == "invalid_date"
    r = client.get("/national/api/versions", {"date": query["from"]}, HTTP_AUTHORIZATION=f"Bearer {monitor.token}")
    assert r.status_code in (200, 400)


# -- monitor roles: who may file figures -------------------------------------------------------------
@pytest.fixture
def admin_login(login):
    return login("admin")


def _file(client, node):
    return client.post("/national/bao-cao/", {**GOOD_REPORT, "node": node.pk})


def test_a_read_only_inspector_cannot_file_figures(nodes, login):
    inspector = login("thanhtra")
    assert inspector.get("/national/").status_code == 200  # may look
    assert "bao-cao" not in inspector.get("/national/").content.decode()  # no form to file
    for node in nodes:
        assert _file(inspector, node).status_code == 403
    assert not NodeReport.objects.exists()


def test_a_reporting_officer_files_for_their_own_node_only(nodes, login, django_user_model):
    h53, h26 = nodes
    officer = django_user_model.objects.get(username="tiepnhan.tinh")
    national.grant_role(officer, MonitorRole.Role.REPORTER, h53)
    client = login("tiepnhan.tinh")
    assert _file(client, h26).status_code == 403
    assert _file(client, h53).status_code == 302
    assert list(NodeReport.objects.values_list("node__code", "filed_by")) == [("H53", "tiepnhan.tinh")]
    page = client.get("/national/").content.decode()
    assert f'value="{h53.pk}"' in page and f'value="{h26.pk}"' not in page


def test_a_monitor_administrator_files_for_any_node(nodes, login, django_user_model):
    national.grant_role(django_user_model.objects.get(username="quantri"), MonitorRole.Role.ADMINISTRATOR)
    client = login("quantri")
    assert all(_file(client, node).status_code == 302 for node in nodes)
    assert NodeReport.objects.count() == 2


def test_anonymous_users_and_citizens_file_nothing(nodes, client, django_user_model):
    assert _file(client, nodes[0]).status_code == 302  # to the login page
    citizen = django_user_model.objects.create_user("citizen-x", password="x" * 12)
    client.force_login(citizen)
    assert _file(client, nodes[0]).status_code == 403
    assert client.get("/national/").status_code == 403
    assert not NodeReport.objects.exists()


def test_roles_are_scoped(nodes, django_user_model):
    user = django_user_model.objects.get(username="thanhtra")
    from motcua.common.errors import DomainError

    with pytest.raises(DomainError):
        national.grant_role(user, MonitorRole.Role.REPORTER)  # a reporting officer needs a node
    with pytest.raises(DomainError):
        national.grant_role(user, MonitorRole.Role.ADMINISTRATOR, nodes[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        MonitorRole.objects.create(user=user, role=MonitorRole.Role.REPORTER)


def test_grant_role_from_the_command_line(nodes, capsys):
    from django.core.management import call_command

    call_command("national", "grant-role", "--user", "thanhtra", "--role", "reporter", "--node", "H26")
    assert MonitorRole.objects.filter(user__username="thanhtra", node__code="H26").exists()
    for args in (["--user", "nobody", "--role", "administrator"], ["--user", "thanhtra", "--role", "reporter"]):
        with pytest.raises(SystemExit) as exit_:
            call_command("national", "grant-role", *args)
        assert exit_.value.code == 2
    assert "Error [" in capsys.readouterr().err


# -- the node's worker: acks the good, dead-letters the refused, never retries a refusal forever --------
class InProcessClient:
    """The worker's HTTP client, its exchanges handed to the monitor's views in this process."""

    def __new__(cls, django_client, node):
        from motcua.sync.client import NationalClient

        class Client(NationalClient):
            def _exchange(self, method, path, body, headers):
                extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
                if method == "POST":
                    r = django_client.post(self.prefix + path, body, content_type="application/json", **extra)
                else:
                    r = django_client.get(self.prefix + path, **extra)
                return r.status_code, r.content

        return Client("http://testserver/national/api", node.client_id, national.node_secret(node.client_id))


@pytest.fixture
def node_dossiers(nodes):
    from motcua.catalog.services import import_catalog
    from tests.catalog.factories import catalog

    import_catalog(catalog())
    submit_dossiers(6, forward_every=2)
    return nodes[0]


def _worker(client, node):
    from motcua.sync.worker import Worker

    return Worker(InProcessClient(client, node), batch=50)


def _states():
    from motcua.sync.models import SyncState

    return SyncState.objects.order_by("dossier_id")


def test_the_worker_splits_a_batch_the_monitor_finds_too_large(node_dossiers, client, settings):
    from motcua.dossiers.models import Dossier
    from motcua.sync import payload

    [(_, one)] = payload.snapshots([Dossier.objects.values_list("id", flat=True).first()])
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = int(len(json.dumps(one, ensure_ascii=False).encode()) * 2.5)
    worker = _worker(client, node_dossiers)
    assert worker.run_once() == 6  # 413 for six, then halves, then single dossiers: all delivered
    assert not _states().filter(pending=True).exists() and not _states().filter(dead=True).exists()
    held = dict(SyncedDossier.objects.values_list("code", "version"))
    assert held == dict(Dossier.objects.values_list("code", "version"))


def test_a_dossier_refused_alone_is_dead_lettered_not_retried_forever(node_dossiers, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 300  # no single snapshot fits
    assert _worker(client, node_dossiers).run_once() == 0
    assert _states().filter(dead=True).count() == 6
    assert all("body_too_large" in e for e in _states().values_list("last_error", flat=True))


def test_the_worker_acks_the_good_and_dead_letters_what_the_monitor_refuses(node_dossiers, client):
    from motcua.dossiers.models import Dossier, DossierStep

    ids = list(Dossier.objects.order_by("id").values_list("id", flat=True))
    Dossier.objects.filter(pk=ids[1]).update(applicant_name="Công ty \x1b[31m")  # a control character
    DossierStep.objects.filter(dossier_id=ids[2]).update(handler_name="Lê\x07Tiếp")  # in its progress
    assert _worker(client, node_dossiers).run_once() == 4
    states = {s.dossier_id: s for s in _states()}
    assert states[ids[1]].dead and "control_character" in states[ids[1]].last_error
    assert states[ids[2]].dead and states[ids[2]].last_error.startswith("CapNhatTienDoHoSoMC: [control_character]")
    for i in (ids[0], *ids[3:]):
        assert not states[i].dead and not states[i].pending and states[i].acked_version == states[i].node_version
    assert Dossier.objects.get(pk=ids[1]).code not in set(SyncedDossier.objects.values_list("code", flat=True))
    node_dossiers.refresh_from_db()
    assert node_dossiers.declared_total == 6  # taken from the signed, timestamped batch
