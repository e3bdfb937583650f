"""import-dossiers: per-line errors, valid lines loaded with events, facts and a pending sync row."""

import json

import pytest
from django.core.management import call_command

from motcua.dossiers.models import Dossier, DossierFact
from motcua.sync.models import SyncState
from tests.sync.factories import old_system_line


def _line(code, **extra):
    return json.dumps(old_system_line(code, **extra), ensure_ascii=False)


def test_import_reports_bad_lines_and_loads_the_rest(procedures, tmp_path, capsys):
    lines = [
        _line("000.00.01.H53-250310-0001"),
        "{broken json",
        _line("000.00.01.H53-250310-0002", MaTTHC="9.999999"),
        _line("000.00.01.H53-250310-0003", NgayNopHoSo="10/03/2025"),
        _line("000.00.01.H53-250310-0004", TrangThaiHoSo=11),
        _line("000.00.01.H53-250310-0001"),
        _line(
            "000.00.01.H53-250310-0005",
            DanhSachHoSoBoSung=[{"NgayBoSung": "20250312090000", "NgayTiepNhanBoSung": "20250315090000"}],
        ),
    ]
    path = tmp_path / "cu.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as refused:  # some lines refused: exit 2, the valid ones loaded
        call_command("import-dossiers", str(path), "--no-progress")
    assert refused.value.code == 2
    out, err = capsys.readouterr()
    assert json.loads(out) == {"lines": 7, "imported": 2, "skipped": 0, "errors": 5}
    for n in (2, 3, 4, 5, 6):
        assert f"line {n}:" in err
    assert "appears twice" in err and "unknown procedure" in err and "yyyyMMddHHmmss" in err
    fact = DossierFact.objects.get(dossier__code="000.00.01.H53-250310-0001")
    assert (fact.timeliness, fact.status, fact.fee_bearing) == ("early", 10, True)
    assert DossierFact.objects.get(dossier__code="000.00.01.H53-250310-0005").supplement_count == 1
    assert SyncState.objects.filter(pending=True).count() == 2
    call_command("verify-events", "--no-progress")
    with pytest.raises(SystemExit):  # again: nothing duplicated (the bad lines are refused again)
        call_command("import-dossiers", str(path), "--no-progress")
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (last["imported"], last["skipped"]) == (0, 3)  # lines 1, 6 and 7 are already there
    assert Dossier.objects.count() == 2


def _import(tmp_path, capsys, *items):
    path = tmp_path / "lines.jsonl"
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n", encoding="utf-8")
    try:
        call_command("import-dossiers", str(path), "--no-progress")
    except SystemExit as refused:  # exit 2 when a line was refused
        assert refused.code == 2
    out, err = capsys.readouterr()
    return json.loads(out), err


def test_impossible_histories_are_refused_line_by_line(procedures, tmp_path, capsys):
    good = json.loads(_line("000.00.01.H53-250310-0001"))
    bad = [
        {**good, "MaHoSo": "000.00.01.H53-250310-0002", "NgayTiepNhan": None, "TrangThaiHoSo": 4},
        {**good, "MaHoSo": "000.00.01.H53-250310-0003", "NgayKetThucXuLy": "20250309100000"},
        {
            **good,
            "MaHoSo": "000.00.01.H53-250310-0004",
            "DanhSachHoSoBoSung": [{"NgayBoSung": "20250315090000", "NgayTiepNhanBoSung": "20250312090000"}],
        },
        {**good, "MaHoSo": "000.00.01.H53-250310-0005", "NgayTra": "20250324090000"},
    ]
    counts, err = _import(
        tmp_path, capsys, good, *bad, {**good, "MaHoSo": "000.00.01.H53-250310-0006", "KenhThucHien": None}
    )
    assert counts == {"lines": 6, "imported": 2, "skipped": 0, "errors": 4}
    for code in (
        "reception_required",
        "ended_before_reception",
        "supplement_answered_before_request",
        "returned_before_end",
    ):
        assert code in err, code
    assert not Dossier.objects.filter(code__in=[b["MaHoSo"] for b in bad]).exists()  # nothing of a refused line
    assert Dossier.objects.get(code="000.00.01.H53-250310-0006").channel == 1  # absent channel: the counter


def test_an_import_keeps_everything_the_national_payload_carries(procedures, tmp_path, capsys):
    from motcua.sync import payload

    item = json.loads(_line("000.00.05.H53-250310-0001", DonViXuLy="000.00.05.H53"))
    item.update(
        {
            "KenhThucHien": 2,
            "DuocThanhToanTrucTuyen": 1,
            "MucDoHaiLong": 2,
            "DanhSachLePhi": [{"MaPhiLePhi": "LP", "TenPhiLePhi": "Lệ phí", "LoaiPhiLePhi": "le_phi", "Gia": 0}],
            "TaiLieuNop": [
                {
                    "MaThanhPhanHoSo": "DN",
                    "TenTepDinhKem": "Đơn",
                    "DuocSoHoa": 1,
                    "DuocTaiSuDung": 2,
                    "MaKetQuaThayThe": "KQ-9",
                    "DuocLayTuKhoDMQG": 1,
                    "DuongDanTaiTepTin": "https://cu.example/dn.pdf",
                }
            ],
            "DanhSachHoSoBoSung": [
                {
                    "HoSoBoSungId": 7,
                    "NoiDungBoSung": "Bản vẽ",
                    "NgayBoSung": "20250312090000",
                    "NgayTiepNhanBoSung": "20250315090000",
                }
            ],
            "DanhSachGiayToKetQua": [
                {
                    "MaKetQua": "GPXD",
                    "TenGiayTo": "Giấy phép",
                    "SoKyHieu": "12/GPXD",
                    "DuongDanTepTinKetQua": "https://cu.example/gpxd.pdf",
                }
            ],
            "TienDo": [
                {
                    "BuocXuLy": 1,
                    "NoiDungXuLy": "Thẩm định",
                    "PhongBanXuLy": "000.00.05.H53",
                    "NguoiXuLy": "Lê Thị B",
                    "NgayBatDau": "20250310093000",
                    "NgayKetThucTheoQuyDinh": "20250320170000",
                    "ThoiDiemXuLy": "20250324100000",
                }
            ],
        }
    )
    counts, err = _import(tmp_path, capsys, item)
    assert counts["imported"] == 1, err
    [(dossier_id, sent)] = payload.snapshots(list(Dossier.objects.values_list("id", flat=True)))
    for key in (
        "TaiLieuNop",
        "DanhSachLePhi",
        "DuocThanhToanTrucTuyen",
        "MucDoHaiLong",
        "KenhThucHien",
        "NgayTiepNhan",
        "NgayHenTra",
        "NgayKetThucXuLy",
        "NgayTra",
        "TrangThaiHoSo",
    ):
        assert sent[key] == item[key], key
    assert sent["DanhSachGiayToKetQua"][0]["DuongDanTepTinKetQua"] == "https://cu.example/gpxd.pdf"
    assert sent["DanhSachHoSoBoSung"][0]["NgayTiepNhanBoSung"] == "20250315090000"
    [step] = payload.progress([dossier_id], {dossier_id: 1}, {dossier_id: item["MaHoSo"]})[0]["TienDo"]
    assert (step["NguoiXuLy"], step["ThoiDiemXuLy"]) == ("Lê Thị B", "20250324100000")
    fact = DossierFact.objects.get(dossier_id=dossier_id)
    assert (fact.fee_bearing, fact.reused, fact.from_data_store, fact.digitized, fact.supplement_seconds) == (
        False,
        True,
        True,
        True,
        3 * 86400,
    )  # exempt (0 đ); reused; from the store; every component digitized
