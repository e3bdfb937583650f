"""The Decision 766 index engine: versioned indicator configuration applied to the fact rows.

Every figure is an aggregate computed in the database (COUNT … FILTER), so memory stays flat
whatever the number of dossiers. Indicators whose data a later feature brings answer "no data"
(points None) instead of a made-up value. Formulas and caveats: shared/reference/vietnam-domain.md §1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

from django.db.models import Count, Q, QuerySet

from motcua.catalog.models import ProcedureComponent, ProcedureFee
from motcua.catalog.selectors import versions_in_force
from motcua.common import clock
from motcua.common.errors import InvalidInput
from motcua.common.timeutil import VN_TZ
from motcua.dossiers.models import DossierFact, DossierStep
from motcua.feedback.models import Rating
from motcua.identity.models import User
from motcua.org.models import Agency

DEFAULT_CONFIG = "766-2024"


@cache
def load_config(version: str = DEFAULT_CONFIG) -> dict:
    try:
        text = resources.files("motcua.metrics").joinpath(f"indicators/{version}.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(
            "unknown_config", f"Không có bộ chỉ số '{version}'.", f"No indicator set '{version}'."
        ) from None
    return json.loads(text)


# -- periods and scopes ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        start = datetime(self.start.year, self.start.month, self.start.day, tzinfo=VN_TZ)
        end = datetime(self.end.year, self.end.month, self.end.day, tzinfo=VN_TZ) + timedelta(days=1)
        return start, end


def parse_period(text: str) -> Period:
    """2026, 2026-H1, 2026-Q3, 2026-07, or 2026-01-01..2026-03-31."""
    t = (text or "").strip().upper()
    try:
        if ".." in t:
            a, b = (date.fromisoformat(x) for x in t.split(".."))
            if b < a:
                raise ValueError
            return Period(text, a, b)
        year = int(t[:4])
        rest = t[4:]
        if rest == "":
            return Period(t, date(year, 1, 1), date(year, 12, 31))
        if rest in ("-H1", "-H2"):
            first = 1 if rest == "-H1" else 7
            return Period(t, date(year, first, 1), _month_end(year, first + 5))
        if rest.startswith("-Q") and rest[2:] in "1234" and len(rest) == 3:
            q = int(rest[2])
            return Period(t, date(year, 3 * q - 2, 1), _month_end(year, 3 * q))
        month = int(rest[1:])
        if rest[0] == "-" and 1 <= month <= 12:
            return Period(t, date(year, month, 1), _month_end(year, month))
    except ValueError:
        pass
    raise InvalidInput(
        "invalid_period",
        f"Kỳ '{text}' không hợp lệ (ví dụ 2026, 2026-H1, 2026-Q3, 2026-07, 2026-01-01..2026-03-31).",
        f"Invalid period '{text}' (e.g. 2026, 2026-H1, 2026-Q3, 2026-07, 2026-01-01..2026-03-31).",
    )


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


@dataclass(frozen=True)
class Scope:
    label: str
    facts: Q
    procedures: Q
    kind: str = "node"
    ids: tuple[int, ...] | None = None  # the agencies (or units) of the scope; None: all
    catalog: bool = True  # catalog indicators make sense for this scope


SCOPE_HELP = (
    "node, agency:MÃ, commune:MÃ, unit:MÃ, procedure:MÃ, official:TÊN",
    "node, agency:CODE, commune:CODE, unit:CODE, procedure:CODE, official:USERNAME",
)


def parse_scope(text: str) -> Scope:
    """node (everything), agency:CODE (its subtree), commune:CODE (its People's Committee's subtree),
    unit:CODE, procedure:CODE, official:USERNAME (the dossiers whose steps the official finished)."""
    kind, _, value = (text or "node").partition(":")
    if kind == "node":
        return Scope("node", Q(), Q())
    if kind in ("agency", "unit", "commune"):
        agency = _scope_agency(kind, value)
        ids = tuple(Agency.objects.filter(tree_path__startswith=agency.tree_path).values_list("id", flat=True))
        if kind == "unit":
            return Scope(text, Q(unit_id__in=ids), Q(), kind, ids)
        return Scope(text, Q(agency_id__in=ids), Q(competent_agency_id__in=ids), kind, ids)
    if kind == "procedure":
        return Scope(text, Q(procedure__code=value), Q(procedure__code=value), kind)
    if kind == "official":
        if not User.objects.filter(username=value, staff_roles__isnull=False).exists():
            raise InvalidInput("unknown_official", f"Không có cán bộ '{value}'.", f"Unknown official '{value}'.")
        handled = DossierStep.objects.filter(finished_by__username=value).values("dossier_id")
        return Scope(text, Q(dossier_id__in=handled), Q(pk__in=[]), kind, catalog=False)
    raise InvalidInput("invalid_scope", f"Phạm vi không hợp lệ ({SCOPE_HELP[0]}).", f"Invalid scope ({SCOPE_HELP[1]}).")


def _scope_agency(kind: str, value: str) -> Agency:
    if kind == "commune":
        agency = Agency.objects.filter(kind=Agency.Kind.COMMUNE_PC, commune_id=value).first()
    else:
        agency = Agency.objects.filter(code=value).first()
    if agency is None:
        raise InvalidInput("unknown_agency", f"Không có cơ quan '{value}'.", f"Unknown agency '{value}'.")
    return agency


def subtrees(codes: list[str]) -> dict[str, set[int]]:
    """Each agency's subtree (its own id and every agency under it), from one query."""
    agencies = list(Agency.objects.values_list("id", "code", "tree_path"))
    paths = {code: path for _, code, path in agencies if code in set(codes)}
    return {code: {i for i, _, p in agencies if p.startswith(paths[code])} for code in codes if code in paths}


# -- scoring ----------------------------------------------------------------------------------------
def two(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def score(numerator: int | None, denominator: int | None, max_points, target) -> tuple:
    """(rate %, points): max if rate ≥ target, else rate / target × max; no target: rate × max."""
    if numerator is None or not denominator:
        return None, None
    rate = Decimal(numerator) / Decimal(denominator)
    pmax = Decimal(str(max_points))
    if target is None:
        points = rate * pmax
    else:
        t = Decimal(str(target))
        points = pmax if rate >= t else rate / t * pmax
    return two(rate * 100), two(points)


# -- the figures -------------------------------------------------------------------------------------
def _facts(scope: Scope, period: Period) -> QuerySet[DossierFact]:
    start, end = period.bounds
    return DossierFact.objects.filter(scope.facts, received_at__gte=start, received_at__lt=end)


SYNCED = Q(sync_state__acked_version__gte=1)  # joined (fact.sync_state), not probed once per row
DISLIKED = Q(rating_row__score=Rating.Score.UNSATISFIED)


def counts(scope: Scope, period: Period) -> dict[str, int]:
    """Every fact-based numerator and denominator of the node, in one aggregate query."""
    _, end = period.bounds
    return fact_counts(_facts(scope, period), min(clock.now(), end), synced=SYNCED, disliked=DISLIKED)


def fact_counts(rows: QuerySet, as_of, *, synced: Q, disliked: Q, appointment: str = "first_appointment_at") -> dict:
    """The same counts over any rows with the fact fields: the node's facts or the monitor's synced dossiers."""
    agg = rows.aggregate(**fact_aggregates(as_of, synced=synced, disliked=disliked, appointment=appointment))
    return {k[2:]: v for k, v in agg.items()}


RUNNING = Q(ended_at__isnull=True, status__in=[2, 4, 6])  # received, not ended, not waiting on the applicant


def counted_anytime(*, synced, disliked) -> dict:
    """COUNT … FILTER expressions of the figures that do not depend on when they are judged (shared by
    the index and the rollups; prefixed: several share a name with a field of the rows)."""
    fee = Q(fee_bearing=True)
    paper = Q(paper_result_required=True, status__in=[9, 10])
    return {
        "n_received": Count("pk"),
        "n_synced": Count("pk", filter=synced),
        "n_online": Count("pk", filter=Q(channel=2)),
        "n_fee_bearing": Count("pk", filter=fee),
        "n_paid_online": Count("pk", filter=fee & Q(paid_online=True)),
        "n_paper_result": Count("pk", filter=paper),
        "n_electronic_result": Count("pk", filter=paper & Q(electronic_result=True)),
        "n_digitized": Count("pk", filter=Q(digitized=True)),
        "n_reused": Count("pk", filter=Q(reused=True)),
        "n_disliked": Count("pk", filter=disliked),
    }


def fact_aggregates(as_of, *, synced, disliked, appointment: str = "first_appointment_at") -> dict:
    """Every fact-based numerator and denominator, running dossiers judged as of `as_of`."""
    within = RUNNING & Q(**{f"{appointment}__gte": as_of}, supplement_count__lte=1)
    past = RUNNING & Q(**{f"{appointment}__lt": as_of})
    return {
        **counted_anytime(synced=synced, disliked=disliked),
        "n_on_time": Count("pk", filter=Q(timeliness__in=["early", "on_time"]) | within),
        "n_late": Count("pk", filter=Q(timeliness="late") | past),
    }


def compute_agencies(
    codes: list[str], period_text: str, config_version: str = DEFAULT_CONFIG, *, node: bool = False
) -> dict[str, dict]:
    """Every agency's index (each with its subtree) straight from the facts, in one grouped pass;
    with `node`, the province's own index too (key "node") from the same pass."""
    period = parse_period(period_text)
    _, end = period.bounds
    facts = _facts(Scope("node", Q(), Q()), period)
    aggregates = fact_aggregates(min(clock.now(), end), synced=SYNCED, disliked=DISLIKED)
    per_agency = {r.pop("agency_id"): r for r in facts.values("agency_id").order_by().annotate(**aggregates)}
    usage = usage_of(facts)
    catalog = CatalogRows(period)
    scopes = {f"agency:{code}": ids for code, ids in subtrees(codes).items()}
    if node:
        scopes["node"] = None
    out = {}
    for label, ids in scopes.items():
        c = {k[2:]: sum(r[k] for a, r in per_agency.items() if ids is None or a in ids) for k in aggregates}
        result = assemble(c, catalog.counts(ids, used_of(usage, ids)), label, period, config_version)
        out[label.removeprefix("agency:")] = result
    return out


def usage_of(facts: QuerySet, key: str = "agency_id") -> list[tuple]:
    """(agency or unit, procedure, online, fee-bearing, paid online) counts of the rows."""
    return list(
        facts.values_list(key, "procedure_id")
        .order_by()
        .annotate(
            o=Count("pk", filter=Q(channel=2)),
            f=Count("pk", filter=Q(fee_bearing=True)),
            p=Count("pk", filter=Q(fee_bearing=True, paid_online=True)),
        )
    )


def used_of(usage: list[tuple], ids: set[int] | None) -> dict[str, set[int]]:
    """Procedures with online, fee-bearing and paid-online dossiers among the agencies `ids` (None: all)."""
    mine = [u for u in usage if ids is None or u[0] in ids]
    return {
        "online": {u[1] for u in mine if u[2]},
        "fee": {u[1] for u in mine if u[3]},
        "paid": {u[1] for u in mine if u[4]},
    }


def used_procedures(facts: QuerySet) -> dict[str, set[int]]:
    """Procedures with online, fee-bearing and paid-online dossiers among the rows."""
    return used_of(usage_of(facts), None)


def catalog_counts(scope: Scope, period: Period, facts: QuerySet | None = None, used: dict | None = None) -> dict:
    if not scope.catalog:
        return NO_CATALOG
    used = used if used is not None else used_procedures(facts)
    code = dict(scope.procedures.children).get("procedure__code")
    ids = set(scope.ids) if scope.ids is not None and scope.kind != "unit" else None
    return CatalogRows(period, code).counts(ids, used)


class CatalogRows:
    """The procedures in force at the period's end (one query), counted for any set of agencies."""

    def __init__(self, period: Period, procedure_code: str | None = None):
        _, end = period.bounds
        versions = versions_in_force(min(clock.now(), end)).filter(internal=False)
        if procedure_code is not None:
            versions = versions.filter(procedure__code=procedure_code)
        rows = list(
            versions.values(
                "id",
                "procedure_id",
                "competent_agency_id",
                "competent_agency_kind",
                "steps_description",
                "applicant_types",
                "online_level",
            )
        )
        ids = [r["id"] for r in rows]
        fees = set(
            ProcedureFee.objects.filter(version_id__in=ids, amount_vnd__gt=0).values_list("version_id", flat=True)
        )
        parts = set(ProcedureComponent.objects.filter(version_id__in=ids).values_list("version_id", flat=True))
        self.rows = [{**r, "has_fee": r["id"] in fees, "has_component": r["id"] in parts} for r in rows]

    def counts(self, agency_ids: set[int] | None, used: dict) -> dict:
        rows = [r for r in self.rows if agency_ids is None or r["competent_agency_id"] in agency_ids]
        complete = [
            r
            for r in rows
            if r["steps_description"]
            and r["applicant_types"]
            and (r["competent_agency_id"] or r["competent_agency_kind"])
            and r["has_component"]
        ]
        online = {r["procedure_id"] for r in rows if r["online_level"] != "none"}
        fee_ids = {r["procedure_id"] for r in rows if r["has_fee"]}
        return {
            "procedures": len(rows),
            "complete": len(complete),
            "online_procedures": len(online),
            "online_used": len(online & used["online"]),
            "fee_procedures": len(fee_ids),
            "fee_integrated": len(fee_ids & used["fee"]),
            "fee_with_dossiers": len(used["fee"]),
            "fee_paid_online": len(used["paid"]),
        }


def _fraction(formula: str, c: dict, k: dict) -> tuple[int | None, int | None]:
    satisfied = None
    if formula == "satisfaction":
        satisfied = max(0, c["received"] - c["late"] - c["disliked"])
    table = {
        "catalog_complete": (k["complete"], k["procedures"]),
        "synced": (c["synced"], c["received"]),
        "on_time": (c["on_time"], c["received"]),
        "online_procedures": (k["online_procedures"], k["procedures"]),
        "online_services_used": (k["online_used"], k["online_procedures"]),
        "online_share": (c["online"], c["received"]),
        "fee_procedures_integrated": (k["fee_integrated"], k["fee_procedures"]),
        "fee_procedures_paid_online": (k["fee_paid_online"], k["fee_with_dossiers"]),
        "paid_online": (c["paid_online"], c["fee_bearing"]),
        "electronic_result": (c["electronic_result"], c["paper_result"]),
        "digitized": (c["digitized"], c["received"]),
        "reused": (c["reused"], c["received"]),
        "satisfaction": (satisfied, c["received"]),
    }
    return table.get(formula, (None, None))


def compute(scope_text: str = "node", period_text: str = "", config_version: str = DEFAULT_CONFIG) -> dict:
    period = parse_period(period_text or str(clock.now().year))
    scope = parse_scope(scope_text)
    c = counts(scope, period)
    k = catalog_counts(scope, period, _facts(scope, period))
    result = assemble(c, k, scope.label, period, config_version)
    result["source"], result["as_of"] = "facts", clock.now()
    return result


NO_CATALOG = {
    "procedures": None,
    "complete": None,
    "online_procedures": None,
    "online_used": None,
    "fee_procedures": None,
    "fee_integrated": None,
    "fee_with_dossiers": None,
    "fee_paid_online": None,
}


def assemble(c: dict, k: dict, scope_label: str, period: Period, config_version: str = DEFAULT_CONFIG) -> dict:
    """Score the counts with an indicator set (shared by the node and the national monitor)."""
    config = load_config(config_version)
    groups = []
    total = Decimal(0)
    for g in config["groups"]:
        items = []
        for ind in (i for i in config["indicators"] if i["group"] == g["id"]):
            numerator, denominator = _fraction(ind["formula"], c, k)
            rate, points = score(numerator, denominator, ind["max_points"], ind["target"])
            items.append(
                {
                    "id": ind["id"],
                    "name": ind["name_vi"],
                    "name_en": ind["name_en"],
                    "max_points": ind["max_points"],
                    "target": ind["target"],
                    "numerator": numerator,
                    "denominator": denominator,
                    "rate": rate,
                    "points": points,
                    "has_data": ind["formula"] != "no_data",
                    "note": ind.get("note", ""),
                }
            )
        group_points = two(sum((i["points"] or Decimal(0)) for i in items))
        total += group_points
        groups.append(
            {
                "id": g["id"],
                "name": g["name_vi"],
                "name_en": g["name_en"],
                "max_points": g["max_points"],
                "points": group_points,
                "indicators": items,
            }
        )
    return {
        "config_version": config["version"],
        "scope": scope_label,
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "total": two(total),
        "max_with_data": sum(i["max_points"] for i in config["indicators"] if i["formula"] != "no_data"),
        "groups": groups,
    }


# -- drill-down: the dossiers behind a figure ---------------------------------------------------------
def _parts(formula: str, as_of) -> tuple[Q, Q] | None:
    """(numerator filter, denominator filter) on the fact rows of the scope and period."""
    late_open = RUNNING & Q(first_appointment_at__lt=as_of)
    within = RUNNING & Q(first_appointment_at__gte=as_of, supplement_count__lte=1)
    paper = Q(paper_result_required=True, status__in=[9, 10])
    table = {
        "synced": (SYNCED, Q()),
        "on_time": (Q(timeliness__in=["early", "on_time"]) | within, Q()),
        "online_share": (Q(channel=2), Q()),
        "paid_online": (Q(fee_bearing=True, paid_online=True), Q(fee_bearing=True)),
        "electronic_result": (paper & Q(electronic_result=True), paper),
        "digitized": (Q(digitized=True), Q()),
        "reused": (Q(reused=True), Q()),
        "satisfaction": (~(Q(timeliness="late") | late_open | DISLIKED), Q()),
    }
    return table.get(formula)


def drill(indicator: str, part: str, scope_text: str, period_text: str, config_version: str = DEFAULT_CONFIG):
    """The fact rows counted in an indicator's numerator or denominator."""
    config = load_config(config_version)
    found = next((i for i in config["indicators"] if i["id"] == indicator), None)
    period, scope = parse_period(period_text), parse_scope(scope_text)
    _, end = period.bounds
    parts = _parts(found["formula"], min(clock.now(), end)) if found else None
    if parts is None or part not in ("numerator", "denominator"):
        raise InvalidInput(
            "no_drill_down",
            "Chỉ số này không tính từ hồ sơ hoặc phần yêu cầu không hợp lệ (numerator/denominator).",
            "This indicator is not computed from dossiers, or the part is invalid (numerator/denominator).",
        )
    return _facts(scope, period).filter(parts[0] if part == "numerator" else parts[1])
