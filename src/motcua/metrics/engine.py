"""The Decision 766 index of this node: scopes, the catalog indicators, drill-down, over the fact rows.

The per-dossier counts, periods and scoring are `protocol.index766` (shared with the national
monitor); every figure is an aggregate computed in the database (COUNT … FILTER), so memory stays
flat whatever the number of dossiers. Indicators whose data a later feature brings answer "no data"
(points None) instead of a made-up value. The rules: docs/index766.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from motcua.catalog.models import ProcedureComponent, ProcedureFee
from motcua.catalog.selectors import versions_in_force
from motcua.common import clock
from motcua.common.errors import InvalidInput
from motcua.dossiers.models import DossierFact, DossierStep
from motcua.identity.models import User
from motcua.org.models import Agency
from motcua.protocol import index766

# the formulas, periods and scoring are shared with the national monitor
DEFAULT_CONFIG = index766.DEFAULT_CONFIG
Period, parse_period, load_config, assemble, score, two = (
    index766.Period,
    index766.parse_period,
    index766.load_config,
    index766.assemble,
    index766.score,
    index766.two,
)
NO_CATALOG = index766.NO_CATALOG
_month_end = index766.month_end


# -- scopes -----------------------------------------------------------------------------------------
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
    if kind == "commune":
        ids = _commune_agencies(value)
        return Scope(text, Q(agency_id__in=ids), Q(competent_agency_id__in=ids), kind, ids)
    if kind in ("agency", "unit"):
        agency = _scope_agency(value)
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


def _scope_agency(value: str) -> Agency:
    agency = Agency.objects.filter(code=value).first()
    if agency is None:
        raise InvalidInput("unknown_agency", f"Không có cơ quan '{value}'.", f"Unknown agency '{value}'.")
    return agency


def _commune_agencies(value: str) -> tuple[int, ...]:
    """Every agency of a commune (People's Committee, its desk, the commune police, and their units),
    named by the commune's code or by any of its agencies' codes."""
    commune = value if Agency.objects.filter(commune_id=value).exists() else None
    if commune is None:
        commune = Agency.objects.filter(code=value).exclude(commune=None).values_list("commune_id", flat=True).first()
    if commune is None:
        raise InvalidInput("unknown_agency", f"Không có xã, phường '{value}'.", f"Unknown commune '{value}'.")
    paths = list(Agency.objects.filter(commune_id=commune).values_list("tree_path", flat=True))
    under = Q()
    for path in paths:
        under |= Q(tree_path__startswith=path)
    return tuple(Agency.objects.filter(under).values_list("id", flat=True))


def subtrees(codes: list[str]) -> dict[str, set[int]]:
    """Each agency's subtree (its own id and every agency under it), from one query."""
    agencies = list(Agency.objects.values_list("id", "code", "tree_path"))
    paths = {code: path for _, code, path in agencies if code in set(codes)}
    return {code: {i for i, _, p in agencies if p.startswith(paths[code])} for code in codes if code in paths}


# -- the figures -------------------------------------------------------------------------------------
def _facts(scope: Scope, period: Period) -> QuerySet[DossierFact]:
    start, end = period.bounds
    return DossierFact.objects.filter(scope.facts, received_at__gte=start, received_at__lt=end)


SYNCED = Q(sync_state__acked_version__gte=1)  # joined (fact.sync_state), not probed once per row


def counts(scope: Scope, period: Period) -> dict[str, int]:
    """Every fact-based numerator and denominator of the scope, in one aggregate query."""
    _, end = period.bounds
    return index766.counts(_facts(scope, period), min(clock.now(), end), synced=SYNCED)


def compute_agencies(
    codes: list[str], period_text: str, config_version: str = DEFAULT_CONFIG, *, node: bool = False
) -> dict[str, dict]:
    """Every agency's index (each with its subtree) straight from the facts, in one grouped pass;
    with `node`, the province's own index too (key "node") from the same pass."""
    period = parse_period(period_text)
    _, end = period.bounds
    facts = _facts(Scope("node", Q(), Q()), period)
    aggregates = index766.aggregates(min(clock.now(), end), synced=SYNCED)
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


def compute(scope_text: str = "node", period_text: str = "", config_version: str = DEFAULT_CONFIG) -> dict:
    period = parse_period(period_text or str(clock.now().year))
    scope = parse_scope(scope_text)
    c = counts(scope, period)
    k = catalog_counts(scope, period, _facts(scope, period))
    result = assemble(c, k, scope.label, period, config_version)
    result["source"], result["as_of"] = "facts", clock.now()
    return result


# -- drill-down: the dossiers behind a figure ---------------------------------------------------------
def _parts(formula: str, as_of) -> tuple[Q, Q] | None:
    """(numerator filter, denominator filter) on the fact rows of the scope and period: the same
    expressions the counts use, so a figure and the dossiers behind it always agree."""
    i = index766
    late = i.ENDED_LATE | i.past(as_of)
    table = {
        "synced": (SYNCED, Q()),
        "on_time": (i.ENDED_ON_TIME | i.within(as_of), Q()),
        "online_share": (Q(counted_online=True), Q()),
        "paid_online": (i.FEE & Q(paid_online=True), i.FEE),
        "electronic_result": (i.PAPER_RESOLVED & Q(electronic_result=True), i.PAPER_RESOLVED),
        "digitized": (Q(digitized=True), Q()),
        "reused": (Q(reused=True), Q()),
        "from_data_store": (Q(from_data_store=True), Q()),
        "satisfaction": (~(late | Q(disliked=True)), Q()),
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
