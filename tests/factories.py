"""factory_boy factories: the smallest world a dossier test needs, stated by the test itself.

Nothing here needs the demo province. The world is built in Hà Nội (province 01, agency codes
`000.xx.yy.H26`), away from the demo's Tây Ninh rows the session database also holds, so a test
sees only what it made:

    office = CommuneOfficeFactory()                      # a commune's PC, its desk, one person per role
    version = ProcedureVersionFactory()                  # a commune-level procedure in force (3 steps)
    citizen = CitizenFactory()
    dossier = DossierFactory(actor=citizen, version=version, commune_code=office.commune.code)

Writes go through the services that own them: staff roles through `org.services.assign_role`,
calendar overrides through `workdays.services.set_override`, dossiers through
`dossiers.services.submit` (the one writer; a dossier row is never written here). Catalog and
organization rows are plain model rows, as the catalog import and the org loader write them.

Every agency code names one agency: agency factories get-or-create by code, so a parent named by
a sub-factory (the province PC, a commune PC) is shared by everything built under it in a test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from motcua.catalog.models import (
    Field,
    Procedure,
    ProcedureComponent,
    ProcedureFee,
    ProcedureVersion,
    ProcessStep,
    ResultDocument,
)
from motcua.common.timeutil import VN_TZ
from motcua.dossiers.models import ApplicantType, Dossier
from motcua.identity.models import User
from motcua.org.models import Agency, Commune, Province, StaffRole
from motcua.workdays.models import CalendarOverride

# -- administrative divisions --------------------------------------------------------------------
PROVINCE_CODE = "01"  # Thành phố Hà Nội
SUFFIX = "H26"  # its level-1 part of the agency electronic ID code (QCVN 102:2016)
# Real wards of Hà Nội since 07/2025 (vietnam-provinces codes): one per commune office made.
WARDS = [
    ("00004", "Phường Ba Đình"),
    ("00070", "Phường Hoàn Kiếm"),
    ("00008", "Phường Ngọc Hà"),
    ("00025", "Phường Giảng Võ"),
    ("00256", "Phường Hai Bà Trưng"),
    ("00283", "Phường Vĩnh Tuy"),
    ("00277", "Phường Bạch Mai"),
    ("00073", "Phường Cửa Nam"),
]


def agency_code(level2: int, level3: int = 0) -> str:
    """`000.{level3}.{level2}.H26`, the shape of the national electronic ID code."""
    return f"000.{level3:02d}.{level2:02d}.{SUFFIX}"


def level2_of(agency: Agency) -> int:
    return int(agency.code.split(".")[2])


class ProvinceFactory(DjangoModelFactory):
    """The province (get-or-create: the national divisions may be loaded already)."""

    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = PROVINCE_CODE
    name = "Thành phố Hà Nội"
    division_type = "thành phố trung ương"


class CommuneFactory(DjangoModelFactory):
    """A ward of Hà Nội, the next one of `WARDS` each time (get-or-create by code)."""

    class Meta:
        model = Commune
        django_get_or_create = ("code",)

    code = factory.Iterator([code for code, _ in WARDS])
    name = factory.LazyAttribute(lambda o: dict(WARDS).get(o.code, f"Phường {o.code}"))
    division_type = "phường"
    province = factory.SubFactory(ProvinceFactory)


# -- agencies ----------------------------------------------------------------------------------------
class AgencyFactory(DjangoModelFactory):
    """Any agency; the subclasses below give the kinds of the tree and their codes.

    `level2`/`level3` place the code; a top-level number comes from a sequence shared by every
    agency factory (2–99: 0 is the province PC, 1 its service centre)."""

    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    class Params:
        level2 = factory.Sequence(lambda n: 2 + n % 98)
        level3 = 0

    code = factory.LazyAttribute(lambda o: agency_code(o.level2, o.level3))
    name = factory.LazyAttribute(lambda o: f"Cơ quan {o.code}")
    kind = Agency.Kind.OTHER
    parent = None
    province = factory.SubFactory(ProvinceFactory)
    commune = None
    is_one_stop_desk = False


class ProvincePCFactory(AgencyFactory):
    """Ủy ban nhân dân thành phố: the root of the province's tree, 000.00.00.H26."""

    class Params:
        level2 = 0

    name = "Ủy ban nhân dân Thành phố Hà Nội"
    short_name = "UBND TP"
    kind = Agency.Kind.PROVINCE_PC


class _UnderProvincePC(AgencyFactory):
    parent = factory.SubFactory(ProvincePCFactory)
    province = factory.SelfAttribute("parent.province")


class ServiceCentreFactory(_UnderProvincePC):
    """The provincial public-administration service centre (the desk of provincial procedures)."""

    class Params:
        level2 = 1

    name = "Trung tâm Phục vụ hành chính công Thành phố Hà Nội"
    short_name = "TTPVHCC TP"
    kind = Agency.Kind.SERVICE_CENTRE
    is_one_stop_desk = True


class DepartmentFactory(_UnderProvincePC):
    """A department (sở) under the province PC."""

    name = "Sở Xây dựng Thành phố Hà Nội"
    short_name = "Sở Xây dựng"
    kind = Agency.Kind.DEPARTMENT


class DivisionFactory(AgencyFactory):
    """A division (phòng) of a department: `000.{n}.{department}.H26`."""

    class Params:
        level2 = factory.LazyAttribute(lambda o: level2_of(o.parent))
        level3 = factory.Sequence(lambda n: 1 + n % 99)

    name = "Phòng Quản lý hoạt động xây dựng"
    kind = Agency.Kind.DIVISION
    parent = factory.SubFactory(DepartmentFactory)
    province = factory.SelfAttribute("parent.province")


class PoliceFactory(_UnderProvincePC):
    """The provincial police (Công an thành phố), the usual inter-agency leg."""

    name = "Công an Thành phố Hà Nội"
    short_name = "Công an TP"
    kind = Agency.Kind.POLICE


class CommunePCFactory(_UnderProvincePC):
    """A commune People's Committee (ủy ban nhân dân xã/phường): the competent agency of commune procedures."""

    name = factory.LazyAttribute(lambda o: f"Ủy ban nhân dân {o.commune.name}")
    short_name = factory.LazyAttribute(lambda o: f"UBND {o.commune.name.split(' ', 1)[-1]}")
    kind = Agency.Kind.COMMUNE_PC
    commune = factory.SubFactory(CommuneFactory)
    province = factory.SelfAttribute("commune.province")


class CommuneDeskFactory(AgencyFactory):
    """The commune's one-stop desk, under its PC: `000.01.{commune}.H26`."""

    class Params:
        level2 = factory.LazyAttribute(lambda o: level2_of(o.parent))
        level3 = 1

    name = factory.LazyAttribute(lambda o: f"Trung tâm Phục vụ hành chính công {o.commune.name}")
    kind = Agency.Kind.COMMUNE_DESK
    is_one_stop_desk = True
    parent = factory.SubFactory(CommunePCFactory)
    commune = factory.SelfAttribute("parent.commune")
    province = factory.SelfAttribute("parent.province")


class CommunePoliceFactory(AgencyFactory):
    """The commune police, under the provincial police: `000.02.{commune}.H26`."""

    class Params:
        pc = factory.SubFactory(CommunePCFactory)
        level2 = factory.LazyAttribute(lambda o: level2_of(o.pc))
        level3 = 2

    name = factory.LazyAttribute(lambda o: f"Công an {o.commune.name}")
    kind = Agency.Kind.POLICE
    parent = factory.SubFactory(PoliceFactory)
    commune = factory.SelfAttribute("pc.commune")
    province = factory.SelfAttribute("pc.province")


# -- people ------------------------------------------------------------------------------------------
class CitizenFactory(DjangoModelFactory):
    """A citizen account (công dân)."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"congdan{n}")
    kind = User.Kind.CITIZEN
    full_name = "Nguyễn Văn An"
    phone = "0912345678"
    national_id = "001095000123"  # born 1995, birth registered in Hà Nội
    password = factory.django.Password("x")


class StaffFactory(CitizenFactory):
    """A staff account without a role yet (give it one with StaffRoleFactory or `staff()`)."""

    username = factory.Sequence(lambda n: f"canbo{n}")
    kind = User.Kind.STAFF
    full_name = "Trần Thị Bình"
    phone = "0987654321"
    national_id = ""
    email = factory.LazyAttribute(lambda o: f"{o.username}@hanoi.gov.vn")


class StaffRoleFactory(DjangoModelFactory):
    """A role at an agency (and unit), given through `org.services.assign_role` as the admin does.

    Roles are read once per user object (memoized): give all roles before the user acts."""

    class Meta:
        model = StaffRole

    user = factory.SubFactory(StaffFactory)
    role = StaffRole.Role.SPECIALIST
    agency = factory.SubFactory(CommunePCFactory)
    unit = None

    @classmethod
    def _create(cls, model_class, user, role, agency, unit=None, **ignored):
        from motcua.org.services import assign_role

        return assign_role(user, role, agency, unit)


def staff(role: str, agency: Agency, unit: Agency | None = None, **user_fields) -> User:
    """A new staff member holding `role` at `agency` (and `unit`)."""
    extra = {f"user__{k}": v for k, v in user_fields.items()}
    return StaffRoleFactory(role=role, agency=agency, unit=unit, **extra).user


@dataclass
class CommuneOffice:
    """A commune's People's Committee, its one-stop desk and one staff member per working role."""

    pc: Agency
    desk: Agency
    receptionist: User
    specialist: User
    leader: User

    @property
    def commune(self) -> Commune:
        return self.pc.commune


class CommuneOfficeFactory(factory.Factory):
    """`CommuneOfficeFactory()`; `CommuneOfficeFactory(pc__commune__code="00070")` for a given ward.

    Receptionist at the desk, specialist and agency leader (chủ tịch) at the PC. Create only."""

    class Meta:
        model = CommuneOffice

    pc = factory.SubFactory(CommunePCFactory)
    desk = factory.SubFactory(CommuneDeskFactory, parent=factory.SelfAttribute("..pc"))
    receptionist = factory.LazyAttribute(lambda o: staff(StaffRole.Role.RECEPTIONIST, o.desk))
    specialist = factory.LazyAttribute(lambda o: staff(StaffRole.Role.SPECIALIST, o.pc))
    leader = factory.LazyAttribute(lambda o: staff(StaffRole.Role.AGENCY_LEADER, o.pc))


# -- calendar ---------------------------------------------------------------------------------------
class CalendarOverrideFactory(DjangoModelFactory):
    """An extra holiday (or working day) declared by the province, through `workdays.services.set_override`
    (which also makes this process's cached calendar see it at once). The national holidays need no rows."""

    class Meta:
        model = CalendarOverride

    day = dt.date(2026, 3, 3)
    kind = CalendarOverride.Kind.HOLIDAY
    note = "Nghỉ theo thông báo của UBND thành phố"
    actor = None

    @classmethod
    def _create(cls, model_class, day, kind, note, actor=None, **ignored):
        from motcua.workdays.services import set_override

        return set_override(day, kind, note, actor)


# -- catalog -----------------------------------------------------------------------------------------
class FieldFactory(DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = "HOTICH"
    name = "Hộ tịch"


class ProcedureFactory(DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"1.{n + 1:06d}")


# The default version is a commune-level birth registration: 1 working day, three steps.
DEFAULT_FEES = [{"code": "LP01", "name": "Lệ phí đăng ký khai sinh", "kind": "le_phi", "amount_vnd": 0}]
DEFAULT_COMPONENTS = [
    {"code": "TK", "name": "Tờ khai đăng ký khai sinh", "form_template": "TK-DKKS.docx"},
    {"code": "GCS", "name": "Giấy chứng sinh"},
]
DEFAULT_RESULTS = [{"code": "GKS", "name": "Giấy khai sinh (bản chính)", "electronic": True}]
DEFAULT_STEPS = [
    {"name": "Tiếp nhận hồ sơ", "role": "receptionist", "budget_value": 2, "budget_unit": "working_hours"},
    {"name": "Thẩm định", "role": "specialist", "budget_value": 4, "budget_unit": "working_hours"},
    {"name": "Ký duyệt", "role": "agency_leader", "budget_value": 2, "budget_unit": "working_hours"},
]


class ProcedureFeeFactory(DjangoModelFactory):
    class Meta:
        model = ProcedureFee

    code = "LP01"
    name = "Lệ phí"
    kind = ProcedureFee.Kind.CHARGE
    amount_vnd = 0


class ProcedureComponentFactory(DjangoModelFactory):
    class Meta:
        model = ProcedureComponent

    order = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"TP{n}")
    name = "Thành phần hồ sơ"


class ResultDocumentFactory(DjangoModelFactory):
    class Meta:
        model = ResultDocument

    order = 1
    code = "KQ"
    name = "Kết quả giải quyết"
    electronic = True


class ProcessStepFactory(DjangoModelFactory):
    class Meta:
        model = ProcessStep

    order = factory.Sequence(lambda n: n + 1)
    name = "Xử lý"
    role = StaffRole.Role.SPECIALIST
    budget_value = Decimal(1)
    budget_unit = "working_days"


def _children(child_factory, defaults, ordered=True):
    """A post-generation hook: `ProcedureVersionFactory(steps=[{...}, …])` replaces the default list
    (numbered 1, 2, … in the given order where the rows have an order)."""

    def hook(version, create, extracted, **kwargs):
        if not create:
            return
        for order, spec in enumerate(defaults if extracted is None else extracted, 1):
            child_factory(version=version, **({"order": order} if ordered else {}), **spec)

    return factory.PostGeneration(hook)


class ProcedureVersionFactory(DjangoModelFactory):
    """A published version in force since 01/07/2025, with its fees, components, results and steps.

    Pass `fees=`, `components=`, `results=`, `steps=` as lists of field dicts to state your own
    (a step's `agency`/`unit` are Agency objects). A provincial procedure names its competent
    agency: `level="province", competent_agency=department, competent_agency_kind="department"`."""

    class Meta:
        model = ProcedureVersion
        skip_postgeneration_save = True

    procedure = factory.SubFactory(ProcedureFactory)
    version = 1
    status = ProcedureVersion.Status.PUBLISHED
    effective_from = dt.datetime(2025, 7, 1, tzinfo=VN_TZ)
    name = "Đăng ký khai sinh"
    field = factory.SubFactory(FieldFactory)
    level = ProcedureVersion.Level.COMMUNE
    competent_agency_kind = Agency.Kind.COMMUNE_PC
    competent_agency = None
    online_level = ProcedureVersion.OnlineLevel.FULL
    full_process_eligible = True
    statutory_time_value = Decimal(1)
    statutory_time_unit = "working_days"
    applicant_types = factory.LazyFunction(lambda: ["Công dân Việt Nam"])
    legal_basis = "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP"

    fees = _children(ProcedureFeeFactory, DEFAULT_FEES, ordered=False)
    components = _children(ProcedureComponentFactory, DEFAULT_COMPONENTS)
    results = _children(ResultDocumentFactory, DEFAULT_RESULTS)
    steps = _children(ProcessStepFactory, DEFAULT_STEPS)


# -- dossiers ----------------------------------------------------------------------------------------
class DossierFactory(factory.Factory):
    """A dossier submitted through the one writer, `dossiers.services.submit` — never a row written here.

    `actor` submits: a citizen online (status 1), a desk receptionist at the counter (received at
    once, status 2; `receive_now=False` keeps it at 1). `version` is the procedure version to use;
    the remaining keywords are `Submission` fields. The components default to the required ones
    of the version. A commune-level procedure needs `commune_code`."""

    class Meta:
        model = Dossier

    class Params:
        version = None

    actor = factory.SubFactory(CitizenFactory)
    procedure_code = factory.LazyAttribute(lambda o: _version_of(o).procedure.code)
    applicant_type = ApplicantType.CITIZEN
    applicant_name = "Nguyễn Văn An"
    applicant_phone = "0912345678"
    applicant_id_number = "001095000123"
    commune_code = None
    components = factory.LazyAttribute(
        lambda o: [{"code": c.code} for c in _version_of(o).components.all() if c.required]
    )

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("A dossier exists only through services.submit: use DossierFactory(...) (create).")

    @classmethod
    def _create(cls, model_class, actor, **fields):
        from motcua.dossiers import services

        return services.submit(actor, services.Submission(**fields))


def _version_of(o) -> ProcedureVersion:
    if o.version is None:
        raise TypeError("DossierFactory needs version=<a ProcedureVersion>")
    return o.version
