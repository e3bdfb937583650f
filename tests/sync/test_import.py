"""import-dossiers: per-line errors, valid lines loaded with events, facts and a pending sync row."""

import json

from django.core.management import call_command

from motcua.dossiers.models import Dossier, DossierFact
from motcua.sync.models import SyncState


def _line(code, **extra):
    item = {
        "MaHoSo": code,
        "MaTTHC": "1.009972",
        "DonViXuLy": "000.00.05.H53",
        "NoiNopHoSo": "000.00.01.H53",
        "ChuHoSo": "Công ty Cũ",
        "LoaiDoiTuong": 2,
        "TrangThaiHoSo": 10,
        "KenhThucHien": 1,
        "NgayNopHoSo": "20250310090000",
        "NgayTiepNhan": "20250310093000",
        "NgayHenTra": "20250331170000",
        "NgayKetThucXuLy": "20250325100000",
        "NgayTra": "20250326090000",
        "DanhSachLePhi": [{"MaPhiLePhi": "LP", "Gia": 150000}],
        **extra,
    }
    return json.dumps(item, ensure_ascii=False)


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
    call_command("import-dossiers", str(path), "--no-progress")
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
    call_command("import-dossiers", str(path), "--no-progress")  # again: nothing duplicated
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (last["imported"], last["skipped"]) == (0, 3)  # lines 1, 6 and 7 are already there
    assert Dossier.objects.count() == 2
