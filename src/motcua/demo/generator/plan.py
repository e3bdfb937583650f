"""What the generator draws from: the procedures in force, where each is handled and by whom, and the
realistic shares a simulated dossier follows (channels, fates, applicants, ratings)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from motcua.catalog.selectors import versions_in_force
from motcua.dossiers.models import Status
from motcua.org import selectors as org
from motcua.org.models import Agency, StaffRole

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Đức", "Thu", "Quốc", "Gia"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc", "Tâm", "Tuấn"]
SUPPLEMENT_ITEM = "Bổ sung giấy tờ"  # what a generated supplement request asks for

# A dossier's fate is one uniform draw: below the first share it is refused at reception, below the
# second it stays open at its second step or later, above the last the applicant withdraws it.
REFUSED_BELOW = 0.03
STALLED_BELOW = 0.05
WITHDRAWN_ABOVE = 0.985


@dataclass
class Plan:
    """One procedure as the generator uses it: where it is handled and its template."""

    version: object
    weight: float
    fee: int
    templates: list = field(default_factory=list)
    components: list = field(default_factory=list)
    fees: list = field(default_factory=list)
    results: list = field(default_factory=list)


def load_plans(now: datetime) -> list[Plan]:
    """The public procedures in force at `now`; commune-level ones are six times as frequent."""
    qs = versions_in_force(now).select_related("competent_agency")
    qs = qs.prefetch_related("fees", "steps__agency", "components", "results")
    plans = [_plan(v) for v in qs.filter(internal=False)]
    if not plans:
        raise RuntimeError("no procedure in force: load the demo first (motcua demo)")
    return plans


def _plan(v) -> Plan:
    weight = 6.0 if v.level == "commune" else 1.0
    fees = list(v.fees.all())
    required = [c for c in v.components.all() if c.required]
    return Plan(v, weight, sum(f.amount_vnd for f in fees), list(v.steps.all()), required, fees, list(v.results.all()))


def load_staff() -> dict[tuple[int, str], list[int]]:
    """The active officials of each (agency, role)."""
    staff: dict[tuple[int, str], list[int]] = {}
    for user_id, agency_id, role in StaffRole.objects.filter(active=True).values_list("user_id", "agency_id", "role"):
        staff.setdefault((agency_id, role), []).append(user_id)
    return staff


class Places:
    """Where a dossier of a plan is handled: its competent agency (for procedures without a fixed one,
    an agency of the right kind in a random commune) and the desk that receives it."""

    def __init__(self):
        self.communes = list(Agency.objects.filter(kind=Agency.Kind.COMMUNE_PC, active=True).select_related("commune"))
        self.desk_cache: dict[int, Agency] = {}
        self.kind_cache: dict[tuple, Agency] = {}

    def place(self, rng: random.Random, plan: Plan) -> tuple[Agency, Agency, int | None]:
        """(competent agency, receiving desk, commune id)."""
        competent = self._competent(rng, plan.version)
        if competent.pk not in self.desk_cache:
            self.desk_cache[competent.pk] = org.desk_for(competent)
        return competent, self.desk_cache[competent.pk], competent.commune_id

    def _competent(self, rng: random.Random, v) -> Agency:
        if v.competent_agency_id:
            return v.competent_agency
        commune_pc = rng.choice(self.communes)
        if v.competent_agency_kind in ("", "commune_pc"):
            return commune_pc
        key = (v.competent_agency_kind, commune_pc.pk)
        if key not in self.kind_cache:
            found = org.agency_of_kind(key[0], commune=commune_pc.commune_id, province=commune_pc.province_id)
            self.kind_cache[key] = found or commune_pc
        return self.kind_cache[key]


def pick_plan(rng: random.Random, plans: list[Plan]) -> Plan:
    return rng.choices(plans, weights=[p.weight for p in plans])[0]


def pick_channel(rng: random.Random, version) -> int:
    """1 at the counter, 2 online, 3 by post; procedures not offered online come by counter or post."""
    return rng.choices([1, 2, 3], weights=[50, 45, 5])[0] if version.online_level != "none" else rng.choice([1, 1, 3])


def applicant_name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def applicant_phone(rng: random.Random) -> str:
    return f"09{rng.randint(10000000, 99999999)}"


def satisfaction(rng: random.Random, status: int) -> int | None:
    """A rating from three applicants in ten whose result was returned."""
    return rng.choices([1, 2, 3], weights=[1, 5, 4])[0] if status == Status.RETURNED and rng.random() < 0.3 else None
