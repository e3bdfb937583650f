"""Loads the demo province (Tây Ninh): divisions, agencies, staff for every role, catalog.

Idempotent: running it twice changes nothing the second time.
"""

from __future__ import annotations

from base64 import b32decode
from importlib import resources

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.oath import totp

from motcua.catalog.services import import_catalog
from motcua.demo import org_data as D
from motcua.identity import twofactor
from motcua.national.demo import seed_other_nodes
from motcua.national.services import register_node
from motcua.org.models import Agency, Commune
from motcua.org.services import assign_role, load_divisions

DEMO_PASSWORD = "Motcua@2026"
# The demo accounts that must log in with a second factor share this published TOTP secret (add it once to an
# authenticator app, or `motcua demo --totp` prints the current code). Demo only: never a real account's secret.
DEMO_TOTP_SECRET = "MOTCUA2FADEMOTAYNINHKHONGDUNGTHU"

# (username, full name, role, agency code, unit code)
DEMO_STAFF = [
    ("quantri", "Nguyễn Văn Quản", "administrator", D.PPC, None),
    ("thanhtra", "Trần Thị Tra", "inspector", D.PPC, None),
    ("tiepnhan.tinh", "Lê Thị Tiếp", "receptionist", D.CENTRE, None),
    ("tuphap.chuyenvien", "Phạm Văn Pháp", "specialist", D.code(3), D.code(3, 1)),
    ("tuphap.truongphong", "Võ Thị Hạnh", "division_head", D.code(3), D.code(3, 1)),
    ("tuphap.lanhdao", "Đặng Minh Tuấn", "agency_leader", D.code(3), None),
    ("lltp.chuyenvien", "Huỳnh Thị Lý", "specialist", D.code(3), D.code(3, 2)),
    ("dkkd.chuyenvien", "Bùi Văn Doanh", "specialist", D.code(4), D.code(4, 1)),
    ("dkkd.truongphong", "Ngô Thị Kinh", "division_head", D.code(4), D.code(4, 1)),
    ("taichinh.lanhdao", "Châu Văn Tài", "agency_leader", D.code(4), None),
    ("xaydung.chuyenvien", "Đỗ Văn Dựng", "specialist", D.code(5), D.code(5, 1)),
    ("xaydung.lanhdao", "Hồ Thị Xây", "agency_leader", D.code(5), None),
    ("datdai.chuyenvien", "Dương Văn Địa", "specialist", D.code(6), D.code(6, 1)),
    ("datdai.truongphong", "Lý Thị Điền", "division_head", D.code(6), D.code(6, 1)),
    ("tanan.tiepnhan", "Trương Thị Nhận", "receptionist", D.commune_agency_codes(31)["desk"], None),
    ("tanan.congchuc", "Phan Văn Hộ", "specialist", D.commune_agency_codes(31)["pc"], None),
    ("tanan.chutich", "Mai Văn Tân", "agency_leader", D.commune_agency_codes(31)["pc"], None),
    ("tanan.congan", "Tạ Văn Cư", "specialist", D.commune_agency_codes(31)["police"], None),
]


def _upsert_agency(code, name, short, kind, parent, desk, commune=None) -> Agency:
    agency, _ = Agency.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "short_name": short,
            "kind": kind,
            "is_one_stop_desk": desk,
            "parent": Agency.objects.get(code=parent) if parent else None,
            "province_id": D.PROVINCE_CODE,
            "commune": commune,
        },
    )
    return agency


def load_org() -> int:
    for row in D.PROVINCIAL_AGENCIES:
        _upsert_agency(*row)
    police = D.code(12)
    for commune_code, level2 in D.COMMUNES:
        commune = Commune.objects.get(code=commune_code)
        codes = D.commune_agency_codes(level2)
        place = commune.name
        bare = place.split(" ", 1)[1]
        _upsert_agency(codes["pc"], f"Ủy ban nhân dân {place}", f"UBND {bare}", "commune_pc", D.PPC, False, commune)
        _upsert_agency(
            codes["desk"],
            f"Trung tâm Phục vụ hành chính công {place}",
            f"TTPVHCC {bare}",
            "commune_desk",
            codes["pc"],
            True,
            commune,
        )
        _upsert_agency(codes["police"], f"Công an {place}", f"CA {bare}", "police", police, False, commune)
    return Agency.objects.filter(province_id=D.PROVINCE_CODE).count()


def load_staff() -> list[tuple[str, str, str]]:
    User = get_user_model()
    logins = []
    for username, full_name, role, agency_code, unit_code in DEMO_STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "kind": User.Kind.STAFF, "email": f"{username}@demo.motcua.vn"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        agency = Agency.objects.get(code=agency_code)
        unit = Agency.objects.get(code=unit_code) if unit_code else None
        assign_role(user, role, agency, unit)
        logins.append((username, role, agency.short_name))
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"full_name": "Quản trị hệ thống", "kind": User.Kind.STAFF}
    )
    if created:
        admin.is_staff = admin.is_superuser = True
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    logins.insert(0, ("admin", "superuser", "—"))
    key = b32decode(DEMO_TOTP_SECRET).hex()
    for user in User.objects.filter(username__in=[username for username, _, _ in logins]):
        if twofactor.required(user):
            twofactor.provision(user, key)
    return logins


def demo_totp_code() -> str:
    """The code the demo TOTP secret gives now (what an authenticator app would show)."""
    return f"{totp(b32decode(DEMO_TOTP_SECRET)):06d}"


def demo_catalog_bytes() -> bytes:
    return resources.files("motcua.demo").joinpath("data/catalog.json").read_bytes()


def load_demo(progress=None) -> dict:
    """Everything `make demo` needs, in one transaction (Ctrl-C leaves nothing half-loaded)."""
    with transaction.atomic():
        divisions = load_divisions(progress)
        agencies = load_org()
        logins = load_staff()
        report = import_catalog(demo_catalog_bytes(), progress=progress)
        # the demo runs the national monitor beside the node: register the node, seed other provinces
        register_node(D.SUFFIX, "Tỉnh Tây Ninh", f".{D.SUFFIX}", client_id=f"{D.SUFFIX.lower()}-demo")
        seed_other_nodes()
    return {"divisions": divisions, "agencies": agencies, "logins": logins, "catalog": report.as_dict()}
