"""The Decision 766 index of this node straight from the fact rows (exact to the second): one scope,
every agency at once, and the dossiers behind a figure (drill-down), all through the one formula table.

Every figure is an aggregate computed in the database (COUNT … FILTER), so memory stays flat whatever
the number of dossiers. Indicators whose data a later feature brings answer "no data" (points None)
instead of a made-up value. The rules: docs/index766.md. The same index from the rollups: `rollups`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from motcua.common import clock
from motcua.common.errors import InvalidInput
from motcua.dossiers.models import DossierFact
from motcua.metrics import formulas
from motcua.metrics.periods import Period, judged_at, parse_period, this_year
from motcua.metrics.procedures import CatalogRows, catalog_counts, usage_of, used_of
from motcua.metrics.scopes import NODE, Scope, facts_in, parse_scope, subtrees
from motcua.metrics.scoring import DEFAULT_CONFIG, assemble, load_config
from motcua.protocol import index766


def counts(scope: Scope, period: Period) -> dict[str, int]:
    """Every fact-based numerator and denominator of the scope, in one aggregate query."""
    return index766.counts(facts_in(scope, period), judged_at(period), synced=formulas.SYNCED)


def compute(scope_text: str = "node", period_text: str = "", config_version: str = DEFAULT_CONFIG) -> dict:
    period = parse_period(period_text or this_year())
    scope = parse_scope(scope_text)
    c = counts(scope, period)
    k = catalog_counts(scope, period, facts_in(scope, period))
    result = assemble(c, k, scope.label, period, config_version)
    result["source"], result["as_of"] = "facts", clock.now()
    return result


def compute_agencies(
    codes: list[str], period_text: str, config_version: str = DEFAULT_CONFIG, *, node: bool = False
) -> dict[str, dict]:
    """Every agency's index (each with its subtree) straight from the facts, in one grouped pass;
    with `node`, the province's own index too (key "node") from the same pass."""
    period = parse_period(period_text)
    facts = facts_in(NODE, period)
    aggregates = formulas.aggregates(judged_at(period))
    per_agency = {r.pop("agency_id"): r for r in facts.values("agency_id").order_by().annotate(**aggregates)}

    def counts_of(ids: set[int] | None) -> dict:
        return {k[2:]: sum(r[k] for a, r in per_agency.items() if ids is None or a in ids) for k in aggregates}

    return each_agency(codes, period, config_version, node=node, counts_of=counts_of, usage=usage_of(facts))


def each_agency(
    codes: list[str], period: Period, config_version: str, *, node: bool, counts_of: Callable, usage: list[tuple]
) -> dict[str, dict]:
    """Each agency's index (with its subtree), and with `node` the province's (key "node"), from the counts
    of a set of agencies (`counts_of(ids)`, None: all) and the procedure usage rows, from facts or rollups."""
    catalog = CatalogRows(period)
    scopes = {f"agency:{code}": ids for code, ids in subtrees(codes).items()}
    if node:
        scopes["node"] = None
    return {
        label.removeprefix("agency:"): assemble(
            counts_of(ids), catalog.counts(ids, used_of(usage, ids)), label, period, config_version
        )
        for label, ids in scopes.items()
    }


def drill(
    indicator: str, part: str, scope_text: str, period_text: str, config_version: str = DEFAULT_CONFIG
) -> QuerySet[DossierFact]:
    """The fact rows counted in an indicator's numerator or denominator: the filters the counts use."""
    config = load_config(config_version)
    found = next((i for i in config["indicators"] if i["id"] == indicator), None)
    period, scope = parse_period(period_text), parse_scope(scope_text)
    parts = formulas.parts(found["formula"], judged_at(period)) if found else None
    if parts is None or part not in ("numerator", "denominator"):
        raise InvalidInput(
            "no_drill_down",
            "Chỉ số này không tính từ hồ sơ hoặc phần yêu cầu không hợp lệ (numerator/denominator).",
            "This indicator is not computed from dossiers, or the part is invalid (numerator/denominator).",
        )
    return facts_in(scope, period).filter(parts[0] if part == "numerator" else parts[1])
