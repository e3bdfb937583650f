"""Closing a period: figures frozen with the digest of the facts they came from. A later change of
those facts makes the next close a new, logged version; the old one is never overwritten."""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from motcua.metrics import engine
from motcua.metrics.models import IndexSnapshot


def inputs_digest(scope_text: str, period_text: str) -> tuple[str, int]:
    """sha256 over (dossier id, fact update time) of every fact in scope and period, streamed."""
    scope, period = engine.parse_scope(scope_text), engine.parse_period(period_text)
    digest, n = hashlib.sha256(), 0
    rows = engine._facts(scope, period).order_by("dossier_id").values_list("dossier_id", "updated_at")
    for dossier_id, updated in rows.iterator(chunk_size=5000):
        digest.update(f"{dossier_id}:{updated.isoformat()}\n".encode())
        n += 1
    return digest.hexdigest(), n


@transaction.atomic
def close_period(scope_text: str, period_text: str, config: str = engine.DEFAULT_CONFIG, by: str = "") -> IndexSnapshot:
    figures = engine.compute(scope_text, period_text, config)
    digest, n = inputs_digest(scope_text, period_text)
    key = {"config_version": figures["config_version"], "scope": figures["scope"], "period": figures["period"]}
    last = IndexSnapshot.objects.select_for_update().filter(**key).order_by("-version").first()
    if last is not None and last.inputs_digest == digest:
        return last
    return IndexSnapshot.objects.create(
        **key,
        version=(last.version + 1) if last else 1,
        figures=json.loads(json.dumps(figures, cls=DjangoJSONEncoder)),
        inputs_digest=digest,
        dossiers=n,
        created_by=by,
        reason="closed" if last is None else f"recomputed: inputs changed since v{last.version}",
    )


def band(total, config: str = engine.DEFAULT_CONFIG) -> dict:
    levels = engine.load_config(config)["bands"]["levels"]
    return next(level for level in levels if float(total) >= level["min"])
