"""National-format items and node dossiers for the sync and monitor tests to vary."""

from __future__ import annotations


def national_item(code: str = "000.00.01.H53-261123-0001", version: int = 2, **extra) -> dict:
    """A valid DongBoHoSoMC item of the H53 node (received, not yet resolved)."""
    return {
        "MaHoSo": code,
        "PhienBan": version,
        "TrangThaiHoSo": 2,
        "KenhThucHien": 2,
        "MaTTHC": "1.001193",
        "ChuHoSo": "Nguyễn Văn A",
        "DonViXuLy": "000.00.31.H53",
        "NgayNopHoSo": "20261123090000",
        "NgayTiepNhan": "20261123100000",
        "NgayHenTra": "20261125100000",
        **extra,
    }


def old_system_line(code: str, **extra) -> dict:
    """A valid line of a historical import (a returned dossier of the test catalog's 1.009972)."""
    return {
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


def submit_dossiers(count: int, forward_every: int = 3) -> None:
    """`count` dossiers submitted at the province desk (test catalog loaded), every n-th forwarded."""
    from motcua.dossiers import services
    from motcua.identity.models import User

    desk = User.objects.get(username="tiepnhan.tinh")
    for i in range(count):
        d = services.submit(
            desk,
            services.Submission(
                procedure_code="1.009972",
                applicant_type=2,
                applicant_name=f"Công ty {i}",
                applicant_phone="0912345678",
                components=[{"code": "DN"}],
            ),
        )
        if i % forward_every == 0:
            services.forward(d.code, desk)
