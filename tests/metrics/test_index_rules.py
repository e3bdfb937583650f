"""Each rule of docs/index766.md against a hand-computed figure, read three ways: from the node's facts,
from its rollups, and from the national monitor after sync. The dossiers come in through the
historical import (the national payload format), so every field a rule reads is set by hand."""

import json
from datetime import datetime

import pytest
from django.db import connection

from motcua.common.timeutil import VN_TZ
from motcua.dossiers.models import Dossier, DossierFact
from motcua.metrics import fact_index, rollups
from motcua.national import services as national
from motcua.sync import payload
from motcua.sync.importer import import_lines
from tests.metrics.conftest import by_id

BIRTH, BUILD = "1.001193", "1.009972"  # birth: paper result, no fee, 1 working day; build: 150 000 đ, 20 days
AGENCY = {BIRTH: "000.00.31.H53", BUILD: "000.00.05.H53"}
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr("motcua.common.clock.now", lambda: NOW)


def dossier(n: int, procedure=BUILD, **fields) -> dict:
    """A dossier received 02/03/2026 09:00, due 20/03/2026 17:00, resolved 10/03 and returned (status 10)."""
    base = {
        "MaHoSo": f"{AGENCY[procedure]}-260302-{n:04d}",
        "MaTTHC": procedure,
        "DonViXuLy": AGENCY[procedure],
        "ChuHoSo": "Nguyễn Văn A",
        "TrangThaiHoSo": 10,
        "KenhThucHien": 1,
        "NgayNopHoSo": "20260302080000",
        "NgayTiepNhan": "20260302090000",
        "NgayHenTra": "20260320170000",
        "NgayKetThucXuLy": "20260310100000",
        "NgayTra": "20260311090000",
        "TaiLieuNop": [{"MaThanhPhanHoSo": "DN", "DuocSoHoa": 0}],
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def load(*items):
    report = import_lines([json.dumps(i, ensure_ascii=False) for i in items])
    assert report.errors == [] and report.imported == len(items)


def three(scope: str, period: str) -> list[dict]:
    """The index of a scope from the facts, the rollups, and the monitor (after syncing every dossier)."""
    rollups.rebuild()
    node, _ = national.register_node("H53", "Tỉnh Tây Ninh", ".H53", client_id="h53-test")
    snapshots = [s for _, s in payload.snapshots(list(Dossier.objects.values_list("id", flat=True)))]
    assert {r["KetQua"] for r in national.ingest_dossiers(node, snapshots)} == {"accepted"}
    monitor_scope = scope if scope.startswith(("agency:", "procedure:")) else "node"
    return [
        by_id(fact_index.compute(scope, period)),
        by_id(rollups.compute(scope, period)),
        by_id(national.node_index(node, period, scope=monitor_scope)),
    ]


def figure(indicator: str, scope="node", period="2026-Q1") -> tuple[int, int]:
    """(numerator, denominator), the same from the facts, the rollups and the monitor."""
    answers = {(r[indicator]["numerator"], r[indicator]["denominator"]) for r in three(scope, period)}
    assert len(answers) == 1, answers
    return answers.pop()


# -- the period -------------------------------------------------------------------------------------------
def test_the_period_is_the_vietnam_date_of_reception_exact_at_the_second(procedures):
    late = {"NgayHenTra": "20260420170000", "NgayKetThucXuLy": "20260415100000", "NgayTra": "20260416100000"}
    load(
        dossier(1, NgayTiepNhan="20260331165959", NgayNopHoSo="20260331160000", **late),
        dossier(2, NgayTiepNhan="20260331170000", NgayNopHoSo="20260331160000", **late),  # 10:00 UTC
        dossier(3, NgayTiepNhan="20260331235959", NgayNopHoSo="20260331230000", **late),
        dossier(4, NgayTiepNhan="20260401000000", NgayNopHoSo="20260331230000", **late),
    )
    assert figure("2.1", period="2026-Q1")[1] == 3
    assert figure("2.1", period="2026-Q2")[1] == 1
    assert figure("2.1", period="2026-03-31..2026-03-31")[1] == 3
    assert figure("2.1", period="2026-04-01..2026-04-01")[1] == 1


def test_every_timestamp_is_stored_as_the_orm_stores_it(procedures, as_user):
    """Raw text on SQLite: the bulk writer, the services and the monitor all store UTC (no offset)."""
    load(dossier(1, NgayTiepNhan="20260331200000", NgayKetThucXuLy="20260410100000", NgayTra=None, TrangThaiHoSo=9))
    as_user("tiepnhan.tinh").post(
        "/dossiers",
        {"procedure_code": BUILD, "applicant": {"name": "A", "phone": "0912345678"}, "components": [{"code": "DN"}]},
    )
    three("node", "2026-Q1")
    tables = {
        "dossiers_dossier": ["submitted_at", "received_at", "updated_at"],
        "dossiers_dossierfact": ["received_at", "index_due_at", "updated_at"],
        "dossiers_dossierevent": ["at"],
        "sync_syncstate": ["changed_at", "next_attempt_at"],
        "national_synceddossier": ["received_at", "index_due_at", "synced_at"],
    }
    with connection.cursor() as cursor:
        for table, columns in tables.items():
            for column in columns:
                cursor.execute(f"SELECT CAST({column} AS TEXT) FROM {table} WHERE {column} IS NOT NULL")
                values = [r[0] for r in cursor.fetchall()]
                assert values, (table, column)
                for value in values:
                    assert "+07" not in value and "T" not in value, (table, column, value)
    imported = DossierFact.objects.get(dossier__code=dossier(1)["MaHoSo"])
    assert imported.received_at == datetime(2026, 3, 31, 20, 0, tzinfo=VN_TZ)


# -- 2.1 on time ----------------------------------------------------------------------------------------------
def test_end_of_processing_for_each_terminal_state(procedures):
    load(
        dossier(1),  # resolved 10/03 before 20/03: on time
        dossier(2, NgayKetThucXuLy=None, NgayTra="20260321090000"),  # returned without an end: ends at return, late
        dossier(3, NgayKetThucXuLy=None, NgayTra="20260319090000"),  # … on time
        dossier(4, TrangThaiHoSo=8, NgayTra=None, NgayKetThucXuLy="20260319090000"),  # stopped in time
        dossier(5, TrangThaiHoSo=7, NgayTra=None, NgayKetThucXuLy="20260325090000"),  # withdrawn late
        # a supplement never answered ends at the request, even when withdrawn much later
        dossier(
            6,
            TrangThaiHoSo=7,
            NgayTra=None,
            NgayKetThucXuLy="20260601090000",
            DanhSachHoSoBoSung=[{"NgayBoSung": "20260305090000"}],
        ),
        dossier(
            7,
            TrangThaiHoSo=5,
            NgayTra=None,
            NgayKetThucXuLy=None,
            DanhSachHoSoBoSung=[{"NgayBoSung": "20260330090000"}],
        ),
    )
    assert figure("2.1") == (4, 7)  # 1, 3, 4, 6 on time; 2, 5 late; 7 asked after its appointment: late


def test_supplement_time_is_subtracted_and_a_second_request_is_late(procedures):
    three_days = [{"NgayBoSung": "20260303090000", "NgayTiepNhanBoSung": "20260306090000"}]
    load(
        dossier(1, NgayKetThucXuLy="20260322100000", NgayTra=None, TrangThaiHoSo=9, DanhSachHoSoBoSung=three_days),
        dossier(2, NgayKetThucXuLy="20260324100000", NgayTra=None, TrangThaiHoSo=9, DanhSachHoSoBoSung=three_days),
        dossier(
            3,
            NgayKetThucXuLy="20260304100000",
            NgayTra=None,
            TrangThaiHoSo=9,
            DanhSachHoSoBoSung=[
                {"NgayBoSung": "20260303090000", "NgayTiepNhanBoSung": "20260303100000"},
                {"NgayBoSung": "20260303110000", "NgayTiepNhanBoSung": "20260303120000"},
            ],
        ),
    )
    assert figure("2.1") == (1, 3)  # 22/03 − 3 days ≤ 20/03; 24/03 − 3 days is not; two requests: late


def test_open_dossiers_are_judged_at_the_period_end_with_their_supplement_time(procedures):
    answered = [{"NgayBoSung": "20260310090000", "NgayTiepNhanBoSung": "20260315090000"}]
    open_ = {"TrangThaiHoSo": 4, "NgayKetThucXuLy": None, "NgayTra": None}
    load(
        dossier(1, NgayHenTra="20260330170000", **open_),  # past due at 31/03 24:00
        dossier(2, NgayHenTra="20260330170000", DanhSachHoSoBoSung=answered, **open_),  # + 5 days: within
        dossier(3, NgayHenTra="20260410170000", **open_),  # due after the period: within
        dossier(4, NgayHenTra="20260410170000", DanhSachHoSoBoSung=answered * 2, **open_),  # two requests: late
    )
    assert figure("2.1") == (2, 4)
    assert figure("5.4") == (2, 4)


def test_without_an_appointment_the_statutory_time_counts_from_reception(procedures):
    load(
        dossier(1, NgayHenTra=None, NgayKetThucXuLy="20260312100000", NgayTra=None, TrangThaiHoSo=9),
        dossier(2, NgayHenTra=None, NgayKetThucXuLy="20260415100000", NgayTra=None, TrangThaiHoSo=9),
    )
    assert figure("2.1") == (1, 2)  # 20 days from 02/03


# -- the other per-dossier indicators -----------------------------------------------------------------------
E_RESULT = [{"MaKetQua": "GKS", "TenGiayTo": "Giấy khai sinh", "DuongDanTepTinKetQua": "https://kq.example/1.pdf"}]
PAPER_ONLY = [{"MaKetQua": "GKS", "TenGiayTo": "Giấy khai sinh"}]


def test_online_share_counts_paper_result_procedures_only_with_their_e_result(procedures):
    load(
        dossier(1, BIRTH, KenhThucHien=2, DanhSachGiayToKetQua=E_RESULT),  # counted
        dossier(2, BIRTH, KenhThucHien=2, DanhSachGiayToKetQua=PAPER_ONLY),  # no file: not yet
        dossier(3, BIRTH, KenhThucHien=2, TrangThaiHoSo=4, NgayKetThucXuLy=None, NgayTra=None),  # no result yet
        dossier(4, BUILD, KenhThucHien=2),  # no paper result required: counted
        dossier(5, BUILD, KenhThucHien=None),  # absent channel: at the counter
    )
    assert figure("3.3") == (2, 5)


def test_paid_online_leaves_out_exempt_dossiers(procedures):
    fee = [{"MaPhiLePhi": "LP", "Gia": 150000}]
    load(
        dossier(1, DanhSachLePhi=fee, DuocThanhToanTrucTuyen=2),
        dossier(2, DanhSachLePhi=fee, DuocThanhToanTrucTuyen=1),
        dossier(3, DanhSachLePhi=fee, DuocThanhToanTrucTuyen=0),
        dossier(4, DanhSachLePhi=[{"MaPhiLePhi": "LP", "Gia": 0}], DuocThanhToanTrucTuyen=0),  # exempt
        dossier(5, DuocThanhToanTrucTuyen=0),  # no fee list: exempt
        dossier(6, BIRTH, DanhSachLePhi=fee, DuocThanhToanTrucTuyen=2),  # a procedure without fees
    )
    assert figure("3.6") == (2, 3)


def test_electronic_results_and_digitized_dossiers(procedures):
    digitized = [{"MaThanhPhanHoSo": "TK", "DuocSoHoa": 1}, {"MaThanhPhanHoSo": "GCS", "DuocSoHoa": 1}]
    half = [{"MaThanhPhanHoSo": "TK", "DuocSoHoa": 1}, {"MaThanhPhanHoSo": "GCS", "DuocSoHoa": 0}]
    load(
        dossier(1, BIRTH, TaiLieuNop=digitized, DanhSachGiayToKetQua=E_RESULT),  # 4.1 yes, 4.2 yes
        dossier(2, BIRTH, TaiLieuNop=digitized, DanhSachGiayToKetQua=PAPER_ONLY),  # 4.1 no, 4.2 no (no e-result)
        dossier(3, BIRTH, TaiLieuNop=half, DanhSachGiayToKetQua=E_RESULT),  # 4.1 yes, 4.2 no
        dossier(4, BIRTH, TaiLieuNop=digitized, TrangThaiHoSo=4, NgayKetThucXuLy=None, NgayTra=None),  # not resolved
        dossier(5, BUILD, TaiLieuNop=[{"MaThanhPhanHoSo": "DN", "DuocSoHoa": 1}]),  # no paper result: 4.2 yes
        dossier(6, BUILD, TaiLieuNop=[]),  # no component: not digitized
    )
    assert figure("4.1") == (2, 3)
    assert figure("4.2") == (2, 6)


def test_data_store_and_reuse_are_different_flags(procedures):
    load(
        dossier(1, TaiLieuNop=[{"MaThanhPhanHoSo": "DN", "DuocTaiSuDung": 1}]),
        dossier(2, TaiLieuNop=[{"MaThanhPhanHoSo": "DN", "DuocTaiSuDung": 2, "MaKetQuaThayThe": "KQ-1"}]),
        dossier(3, TaiLieuNop=[{"MaThanhPhanHoSo": "DN", "DuocLayTuKhoDMQG": 1}]),
        dossier(4),
    )
    assert figure("4.3") == (2, 4)
    assert figure("4.4") == (1, 4)
    sent = {s["MaHoSo"][-4:]: s for _, s in payload.snapshots(list(Dossier.objects.values_list("id", flat=True)))}
    # what the monitor reads for 4.3 (HoSoCoThanhPhanSoHoa) is what the node counts
    assert [sent[k]["HoSoCoThanhPhanSoHoa"] for k in ("0001", "0002", "0003", "0004")] == [1, 1, 0, 0]
    assert sent["0002"]["TaiLieuNop"][0]["DuocTaiSuDung"] == 2  # nothing of the import is lost


def test_satisfaction_counts_a_late_and_disliked_dossier_once(procedures):
    load(
        dossier(1, MucDoHaiLong=1),  # disliked
        dossier(2, NgayKetThucXuLy="20260325100000", NgayTra="20260326090000", MucDoHaiLong=1),  # late and disliked
        dossier(3, MucDoHaiLong=3),
        dossier(4),
    )
    assert figure("5.4") == (2, 4)


# -- scopes -------------------------------------------------------------------------------------------------------
def test_a_commune_scope_covers_every_agency_of_the_commune(procedures):
    police = "000.02.31.H53"  # Công an phường Tân An: under the provincial police, in the commune
    load(
        dossier(1, BIRTH),
        dossier(2, BIRTH, MaHoSo=f"{police}-260302-0002", DonViXuLy=police),
        dossier(3, BUILD),
    )
    by_code, by_agency = (
        fact_index.compute("commune:27712", "2026-Q1"),
        fact_index.compute("commune:000.01.31.H53", "2026-Q1"),
    )
    assert by_id(by_code)["2.1"]["denominator"] == by_id(by_agency)["2.1"]["denominator"] == 2
    rollups.rebuild()
    assert by_id(rollups.compute("commune:27712", "2026-Q1")) == by_id(by_code)
    assert by_id(fact_index.compute("agency:000.00.31.H53", "2026-Q1"))["2.1"]["denominator"] == 1
