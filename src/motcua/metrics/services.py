"""Closing a period: figures frozen with the digest of the facts they came from. A later change of
those facts makes the next close a new, logged version; the old one is never overwritten."""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from motcua.metrics import fact_index
from motcua.metrics.models import IndexSnapshot
from motcua.metrics.periods import parse_period
from motcua.metrics.scopes import facts_in, parse_scope
from motcua.metrics.scoring import DEFAULT_CONFIG


def inputs_digest(scope_text: str, period_text: str) -> tuple[str, int]:
    """sha256 over (dossier id, fact update time) of every fact in scope and period, streamed."""
    scope, period = parse_scope(scope_text), parse_period(period_text)
    digest, n = hashlib.sha256(), 0
    rows = facts_in(scope, period).order_by("dossier_id").values_list("dossier_id", "updated_at")
    for dossier_id, updated in rows.iterator(chunk_size=5000):
        digest.update(f"{dossier_id}:{updated.isoformat()}\n".encode())
        n += 1
    return digest.hexdigest(), n


@transaction.atomic
def close_period(scope_text: str, period_text: str, config: str = DEFAULT_CONFIG, by: str = "") -> IndexSnapshot:
    result = fact_index.compute(scope_text, period_text, config)
    digest, n = inputs_digest(scope_text, period_text)
    key = {"config_version": result["config_version"], "scope": result["scope"], "period": result["period"]}
    last = IndexSnapshot.objects.select_for_update().filter(**key).order_by("-version").first()
    if last is not None and last.inputs_digest == digest:
        return last
    return IndexSnapshot.objects.create(
        **key,
        version=(last.version + 1) if last else 1,
        figures=json.loads(json.dumps(result, cls=DjangoJSONEncoder)),
        inputs_digest=digest,
        dossiers=n,
        created_by=by,
        reason="closed" if last is None else f"recomputed: inputs changed since v{last.version}",
    )
