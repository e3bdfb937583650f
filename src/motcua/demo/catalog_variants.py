"""Variants of the demo procedures, so a benchmark province has as many procedures as a real one.

A real province publishes hundreds of procedures (the issue's benchmark asks for ~500); the demo
catalog holds 80 real ones. Variants copy a real procedure's latest version under a new code
(`{code}.{k:02d}`), say so in their name, and spread the province-level ones over every department,
so the load is realistic in shape. They go through the normal catalog import (validated,
all-or-nothing, idempotent).
"""

from __future__ import annotations

import copy
import json

from motcua.catalog.models import Procedure
from motcua.catalog.services import import_catalog
from motcua.demo.services import demo_catalog_bytes
from motcua.org.models import Agency

PROVINCIAL_KINDS = [Agency.Kind.DEPARTMENT, Agency.Kind.TAX, Agency.Kind.SOCIAL_INSURANCE, Agency.Kind.MILITARY]


def add_variants(target: int, progress=None) -> int:
    """Make sure at least `target` procedures exist; returns how many were added."""
    have = Procedure.objects.count()
    if have >= target:
        return 0
    data = json.loads(demo_catalog_bytes())
    originals = [p for p in data["procedures"] if not p["versions"][-1].get("internal")]
    departments = list(
        Agency.objects.filter(kind__in=PROVINCIAL_KINDS, parent__kind=Agency.Kind.PROVINCE_PC, active=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    existing = set(Procedure.objects.values_list("code", flat=True))
    variants, i = [], 0
    while have + len(variants) < target:
        source = originals[i % len(originals)]
        k = i // len(originals) + 1
        i += 1
        code = f"{source['code']}.{k:02d}"
        if code in existing:
            continue
        variants.append({"code": code, "versions": [_variant(source["versions"][-1], k, departments, i)]})
    import_catalog({"format": data["format"], "fields": data["fields"], "procedures": variants}, progress=progress)
    return len(variants)


def _variant(version: dict, k: int, departments: list[str], i: int) -> dict:
    v = copy.deepcopy(version)
    v.pop("version", None)
    v["name"] = f"{v['name']} (biến thể {k})"
    if v.get("competent_agency") and departments:
        v["competent_agency"] = departments[i % len(departments)]
        for step in v["steps"]:
            step.pop("unit", None)  # the source's units belong to its own agency
    return v
