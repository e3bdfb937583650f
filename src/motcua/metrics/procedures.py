"""The catalog indicators (1.3, 3.1, 3.2, 3.5a/b): the procedures in force at a period's end, and which
of them had online, fee-bearing and paid-online dossiers."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.catalog.models import ProcedureComponent, ProcedureFee
from motcua.catalog.selectors import versions_in_force
from motcua.metrics import formulas
from motcua.metrics.periods import Period, judged_at
from motcua.metrics.scopes import Scope
from motcua.metrics.scoring import NO_CATALOG


def usage_of(facts: QuerySet, key: str = "agency_id") -> list[tuple]:
    """(agency or unit, procedure, online, fee-bearing, paid online) counts of the rows."""
    return list(facts.values_list(key, "procedure_id").order_by().annotate(**formulas.used_counts()))


def used_of(usage: list[tuple], ids: set[int] | None) -> dict[str, set[int]]:
    """Procedures with online, fee-bearing and paid-online dossiers among the agencies `ids` (None: all)."""
    mine = [u for u in usage if ids is None or u[0] in ids]
    return {
        "online": {u[1] for u in mine if u[2]},
        "fee": {u[1] for u in mine if u[3]},
        "paid": {u[1] for u in mine if u[4]},
    }


def catalog_counts(scope: Scope, period: Period, facts: QuerySet | None = None, used: dict | None = None) -> dict:
    """The catalog counts of a scope, with the procedures used among `facts` (or given as `used`)."""
    if not scope.catalog:
        return NO_CATALOG
    used = used if used is not None else used_of(usage_of(facts), None)
    code = dict(scope.procedures.children).get("procedure__code")
    ids = set(scope.ids) if scope.ids is not None and scope.kind != "unit" else None
    return CatalogRows(period, code).counts(ids, used)


class CatalogRows:
    """The procedures in force at the period's end (one query), counted for any set of agencies."""

    def __init__(self, period: Period, procedure_code: str | None = None):
        versions = versions_in_force(judged_at(period)).filter(internal=False)
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
