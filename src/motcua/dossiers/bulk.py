"""The bulk writer of whole dossiers: the historical import and the demo generator both use it.

A batch holds plain rows (dicts of the models' attribute names) for dossiers and their components,
fees, supplements, results, steps and events. `write` completes every row from the model's fields
(columns are never listed by hand), derives each fact row with the same definition the services and
the national monitor use, and inserts everything in one transaction, announcing the new dossiers (`changes`) in it
(COPY on PostgreSQL), values adapted by their fields so timestamps are stored as the ORM stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace

from django.db import connection, models, transaction
from django.utils import timezone

from motcua.catalog.models import ProcedureFee, ProcedureVersion
from motcua.common import bulk
from motcua.dossiers.changes import Change, announce
from motcua.dossiers.codes import advance_past
from motcua.dossiers.facts import node_values
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFact,
    DossierFee,
    DossierResult,
    DossierStep,
    DossierSupplement,
    applicant_hashes,
)
from motcua.dossiers.records import grouped, record_of
from motcua.org.models import Agency
from motcua.protocol.facts import derive
from motcua.workdays.services import get_calendar

CHILDREN = {
    "components": DossierComponent,
    "fees": DossierFee,
    "supplements": DossierSupplement,
    "results": DossierResult,
    "steps": DossierStep,
    "events": DossierEvent,
}


@dataclass
class Batch:
    dossiers: list[dict] = field(default_factory=list)
    components: list[dict] = field(default_factory=list)
    fees: list[dict] = field(default_factory=list)
    supplements: list[dict] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)


def write(batch: Batch, now: datetime, *, own_codes: bool = False) -> int:
    """Insert the batch (one transaction); returns the number of dossiers written. Codes written by
    others advance the desks' code counters; `own_codes`: the writer keeps the counters itself."""
    if not batch.dossiers:
        return 0
    complete = {name: _complete(model, getattr(batch, name), now) for name, model in CHILDREN.items()}
    for d in batch.dossiers:  # what Dossier.save() sets: the keyed search hashes
        d["applicant_id_hash"], d["applicant_phone_hash"] = applicant_hashes(
            d.get("applicant_id_number", ""), d.get("applicant_phone", "")
        )
    dossiers = _complete(Dossier, batch.dossiers, now)
    facts = _complete(DossierFact, fact_rows(dossiers, complete, now), now)
    with transaction.atomic():
        _insert(Dossier, dossiers)
        for name, model in CHILDREN.items():
            _insert(model, complete[name])
        _insert(DossierFact, facts)
        if not own_codes:
            _advance_counters(dossiers)
        announce([Change(d["id"], d["version"], "import", now, new=True) for d in dossiers])
    return len(dossiers)


def fact_rows(dossiers: list[dict], children: dict[str, list[dict]], now: datetime) -> list[dict]:
    """Each dossier's fact row, derived from its record exactly as the services derive it."""
    by_dossier = {name: grouped(rows) for name, rows in children.items()}
    version_ids = {d["procedure_version_id"] for d in dossiers}
    versions = ProcedureVersion.objects.in_bulk(version_ids)
    charging = set(
        ProcedureFee.objects.filter(version_id__in=version_ids, amount_vnd__gt=0).values_list("version_id", flat=True)
    )
    calendar = get_calendar()
    out = []
    for d in dossiers:
        dossier, v = SimpleNamespace(**d), versions[d["procedure_version_id"]]
        mine = {name: rows.get(d["id"], []) for name, rows in by_dossier.items()}
        supplements = sorted((s for s in mine["supplements"] if not s.during_reception), key=lambda s: s.requested_at)
        record = record_of(
            dossier,
            v,
            fee_procedure=v.pk in charging,
            components=mine["components"],
            fees=mine["fees"],
            supplements=supplements,
            results=mine["results"],
        )
        steps = sorted(mine["steps"], key=lambda s: s.seq)
        out.append(
            {
                "dossier_id": d["id"],
                "procedure_id": d["procedure_id"],
                "procedure_version_id": d["procedure_version_id"],
                "agency_id": d["competent_agency_id"],
                "receiving_agency_id": d["receiving_agency_id"],
                "online_level": v.online_level,
                **derive(record, calendar),
                **node_values(dossier, steps),
                "updated_at": now,
            }
        )
    return out


def reserve_ids(model, n: int) -> list[int]:
    """Ids from the table's own sequence on PostgreSQL (safe beside live writers)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # SQLite: one writer at a time
        top = cursor.fetchone()[0]
    return list(range(top + 1, top + n + 1))


def _columns(model, row: dict) -> list[str]:
    """The model's columns; an auto primary key is left to the database when the rows do not set it."""
    pk = model._meta.pk
    auto = isinstance(pk, models.AutoField) and pk.attname not in row
    return [c for c in bulk.columns_of(model) if not (auto and c == pk.attname)]


def _complete(model, rows: list[dict], now: datetime) -> list[dict]:
    """Every column of every row: a value not given takes the field's default (auto_now fields: now)."""
    if not rows:
        return []
    fields = {f.attname: f for f in model._meta.concrete_fields}
    defaults = {}
    for name in _columns(model, rows[0]):
        f = fields[name]
        auto_now = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        defaults[name] = now if auto_now else f.get_default()
    unknown = set(rows[0]) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no field(s) {sorted(unknown)}")
    return [{**defaults, **row} for row in rows]


def _insert(model, rows: list[dict]) -> None:
    if rows:
        columns = _columns(model, rows[0])
        bulk.insert(model, columns, [[r[c] for c in columns] for r in rows])


def _advance_counters(dossiers: list[dict]) -> None:
    """Imported codes that follow this node's pattern raise their desk's counter for that day."""
    by_desk_day: dict[tuple[int, date], list[str]] = {}
    for d in dossiers:
        day = timezone.localdate(d["submitted_at"])
        by_desk_day.setdefault((d["receiving_agency_id"], day), []).append(d["code"])
    agency_codes = dict(Agency.objects.filter(pk__in={a for a, _ in by_desk_day}).values_list("pk", "code"))
    for (agency_id, day), codes in by_desk_day.items():
        advance_past(agency_id, agency_codes[agency_id], day, codes)
