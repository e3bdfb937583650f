"""The outbox, the national payload, and the monitor's ingest rules (no network)."""

import json

import pytest

from motcua.national import services as national
from motcua.national.models import SyncedDossier
from motcua.protocol import signing
from motcua.sync import outbox, payload
from motcua.sync.models import SyncState
from tests.dossiers.conftest import birth_submission, construction_submission  # noqa: F401
from tests.sync.factories import national_item as _item


@pytest.fixture
def node(db):
    node, _secret = national.register_node("H53", "Tỉnh Tây Ninh", ".H53", client_id="h53-test")
    return node


def test_every_change_writes_the_outbox_and_changes_coalesce(procedures, as_user):
    desk = as_user("tiepnhan.tinh")
    code = desk.post("/dossiers", construction_submission()).json()["code"]
    desk.act(code, "forward")
    state = SyncState.objects.get(dossier__code=code)
    assert (state.node_version, state.acked_version, state.pending) == (3, 0, True)
    assert SyncState.objects.count() == 1  # three changes, one pending delivery


def test_snapshot_is_in_the_national_format(procedures, as_user):
    desk = as_user("tiepnhan.tinh")
    code = desk.post("/dossiers", construction_submission()).json()["code"]
    [(_dossier_id, snap)] = payload.snapshots(list(SyncState.objects.values_list("dossier_id", flat=True)))
    assert snap["MaHoSo"] == code and snap["PhienBan"] == 2 and snap["TrangThaiHoSo"] == 2
    assert snap["KenhThucHien"] == 1 and snap["MaTTHC"] == "1.009972" and snap["LoaiDoiTuong"] == 2
    assert len(snap["NgayTiepNhan"]) == 14 and snap["NgayTiepNhan"].isdigit()
    assert snap["DanhSachLePhi"][0]["Gia"] == 150000
    assert snap["TaiLieuNop"][0]["MaThanhPhanHoSo"] == "DN"


def test_ack_never_goes_back_and_keeps_newer_changes_pending(procedures, as_user):
    desk = as_user("tiepnhan.tinh")
    code = desk.post("/dossiers", construction_submission()).json()["code"]
    state = SyncState.objects.get(dossier__code=code)
    desk.act(code, "forward")  # version 3 while version 2 is being delivered
    outbox.ack({state.dossier_id: 2})
    state.refresh_from_db()
    assert (state.acked_version, state.pending) == (2, True)
    outbox.ack({state.dossier_id: 3})
    outbox.ack({state.dossier_id: 2})
    state.refresh_from_db()
    assert (state.acked_version, state.pending) == (3, False)


def test_ingest_is_idempotent_and_keeps_the_highest_version(node):
    first = national.ingest_dossiers(node, [_item(version=3)])
    assert first[0]["KetQua"] == "accepted"
    national.ingest_dossiers(node, [_item(version=2, TrangThaiHoSo=1)])  # late, older: ignored
    national.ingest_dossiers(node, [_item(version=3)])  # the same batch again
    held = SyncedDossier.objects.get(code="000.00.01.H53-261123-0001")
    assert (held.version, held.status) == (3, 2)
    assert SyncedDossier.objects.count() == 1


def test_one_bad_item_never_blocks_the_batch(node):
    results = national.ingest_dossiers(
        node,
        [
            _item(),
            _item(code="000.00.01.H26-261123-0001"),
            _item(code="X", version=0),
            {"nonsense": 1},
            "text",
            _item(code="000.00.01.H53-261123-0002", NgayNopHoSo=None),
        ],
    )
    assert [r["KetQua"] for r in results] == ["accepted", "rejected", "rejected", "rejected", "rejected", "rejected"]
    assert "does not belong" in results[1]["LyDo"]
    assert SyncedDossier.objects.count() == 1


def test_integration_endpoint_needs_a_token_and_a_signature(node, client):
    secret = national.node_secret(node.client_id)
    bad = client.post(
        "/national/api/auth", {"client_id": node.client_id, "client_secret": "x"}, content_type="application/json"
    )
    assert bad.status_code == 401
    token = client.post(
        "/national/api/auth", {"client_id": node.client_id, "client_secret": secret}, content_type="application/json"
    ).json()["access_token"]
    body = json.dumps({"service": "DongBoHoSoMC", "isUpdating": "True", "data": [_item()]}).encode()
    unsigned = client.post(
        "/national/api/integration",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_SIGNATURE="00",
    )
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "bad_signature"
    signed = client.post(
        "/national/api/integration",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_SIGNATURE=signing.sign(secret, body),
    )
    assert signed.status_code == 200 and signed.json()["accepted"] == 1


def test_digests_match_the_node_versions(node):
    national.ingest_dossiers(node, [_item(), _item(code="000.00.01.H53-261123-0002", version=5)])
    from datetime import date

    held = national.day_versions(node, date(2026, 11, 23))
    assert held == {"000.00.01.H53-261123-0001": 2, "000.00.01.H53-261123-0002": 5}
    digests = national.day_digests(node, date(2026, 11, 22), date(2026, 11, 24))
    assert list(digests) == ["2026-11-23"] and digests["2026-11-23"]["count"] == 2


def test_dead_letters_are_listed_and_resent_from_the_admin(procedures, as_user, admin_client):
    desk = as_user("tiepnhan.tinh")
    desk.post("/dossiers", construction_submission())
    state = SyncState.objects.get()
    outbox.reject({state.dossier_id: "MaTTHC không tồn tại"})
    page = admin_client.get("/admin/sync/syncstate/?dead__exact=1").content.decode()
    assert "MaTTHC không tồn tại" in page
    admin_client.post("/admin/sync/syncstate/", {"action": "resend", "_selected_action": [state.pk]})
    state.refresh_from_db()
    assert (state.dead, state.pending, state.acked_version) == (False, True, 0)


def test_monitor_page_shows_rates_and_reported_vs_synced(db, admin_client):
    from motcua.national.demo import seed_other_nodes
    from motcua.national.models import Node

    seed_other_nodes()
    html = admin_client.get("/national/").content.decode()
    assert "Thành phố Hà Nội" in html and ("99,87" in html or "99.87" in html)
    assert 'class="badge bad"' in html  # the Hà Nội gap is far above 5 points
    for node in Node.objects.all():  # the 766 column is filled for every node
        total = national.node_index(node, "2026")["total"]
        assert total > 0 and f"<td>{total}</td>".replace(".", ",") in html.replace(".", ","), node.code

    hanoi = Node.objects.get(code="H26")
    rates = national.node_rates(hanoi)
    assert 55 < rates["on_time"] < 72 and rates["held"] == 1500
    r = admin_client.post(
        "/national/bao-cao/",
        {"node": hanoi.pk, "from": "2026-01-01", "to": "2026-06-30", "received": "100", "on_time_rate": "98.5"},
    )
    assert r.status_code == 302 and hanoi.reports.count() == 2
