"""A dossier of this node as the national format carries it (`protocol.record.Record`).

Built from model instances or from plain rows with the same attribute names, so the services, the
bulk writer (import, generator) and the sync payload all describe a dossier the same way, and its
fact row is derived from exactly what the monitor will receive.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

from django.conf import settings
from django.db.models import F

from motcua.catalog.models import ProcedureFee, ProcedureVersion
from motcua.dossiers.models import Dossier, DossierComponent, DossierFee, DossierResult, DossierSupplement
from motcua.protocol.record import Component, Fee, Record, Result, Supplement


def file_link(ref: str) -> str:
    """The link the national format carries for a stored file (an imported link is kept as it was)."""
    if not ref:
        return ""
    if ref.startswith(("http://", "https://")):
        return ref
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/tep/{ref}/"


def record_of(d, v, *, agency_code="", desk_code="", fee_procedure=None, **children) -> Record:
    """The record of dossier `d` (procedure version `v`); children not given stay None (not read).

    `children`: components, fees, supplements (handling requests only), results — rows with the
    model's attribute names."""
    components, fees = children.get("components"), children.get("fees")
    supplements, results = children.get("supplements"), children.get("results")
    return Record(
        code=d.code,
        version=d.version,
        procedure_code=getattr(v, "procedure_code", ""),
        procedure_name=getattr(v, "name", ""),
        field_code=getattr(v, "field_code", ""),
        field_name=getattr(v, "field_name", ""),
        applicant_name=d.applicant_name,
        applicant_type=d.applicant_type,
        id_number=d.applicant_id_number or "",
        phone=d.applicant_phone or "",
        agency_code=agency_code,
        desk_code=desk_code,
        status=d.status,
        channel=d.channel,
        submitted_at=d.submitted_at,
        received_at=d.received_at,
        appointment_at=d.first_appointment_at,
        new_appointment_at=d.appointment_at if d.appointment_at != d.first_appointment_at else None,
        ended_at=d.ended_at,
        returned_at=d.returned_at,
        statutory_value=v.statutory_time_value,
        statutory_unit=v.statutory_time_unit,
        procedure_fee_bearing=fee_procedure,
        paper_result_required=v.paper_result_required,
        online_payment=d.payment_platform or (2 if d.paid_online else 0),
        amount_due=d.amount_due_vnd,
        rating=d.satisfaction,
        components=None if components is None else [_component(c) for c in components if c.provided],
        fees=None if fees is None else [Fee(f.code, f.name, f.kind, f.amount_vnd) for f in fees],
        supplements=None
        if supplements is None
        else [Supplement(s.requested_at, s.resubmitted_at, s.reason, getattr(s, "id", None)) for s in supplements],
        results=None if results is None else [Result(x.code, x.name, file_link(x.file_ref), x.number) for x in results],
    )


def _component(c) -> Component:
    reuse = 2 if c.replaced_by else int(c.reused)
    return Component(c.code, c.name, c.digitized, reuse, c.from_data_store, file_link(c.file_ref), c.replaced_by)


DOSSIER_FIELDS = [f.attname for f in Dossier._meta.concrete_fields if f.attname != "form_data"]


def grouped(rows, key="dossier_id") -> dict[int, list[SimpleNamespace]]:
    """Rows (dicts) as objects `record_of` reads, by dossier."""
    out: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(SimpleNamespace(**row))
    return out


def records_for(ids: list[int]) -> list[tuple[int, Record]]:
    """(dossier id, complete record) of each dossier, in a handful of queries whatever their number."""
    rows = list(
        Dossier.objects.filter(id__in=ids).values(
            *DOSSIER_FIELDS, agency_code=F("competent_agency__code"), desk_code=F("receiving_agency__code")
        )
    )
    version_ids = {r["procedure_version_id"] for r in rows}
    versions = {
        v["id"]: SimpleNamespace(**v)
        for v in ProcedureVersion.objects.filter(id__in=version_ids).values(
            "id",
            "name",
            "statutory_time_value",
            "statutory_time_unit",
            "paper_result_required",
            procedure_code=F("procedure__code"),
            field_code=F("field__code"),
            field_name=F("field__name"),
        )
    }
    charging = set(
        ProcedureFee.objects.filter(version_id__in=version_ids, amount_vnd__gt=0).values_list("version_id", flat=True)
    )
    children = {
        "components": grouped(DossierComponent.objects.filter(dossier_id__in=ids).order_by("id").values()),
        "fees": grouped(DossierFee.objects.filter(dossier_id__in=ids).order_by("id").values()),
        "supplements": grouped(
            DossierSupplement.objects.filter(dossier_id__in=ids, during_reception=False)
            .order_by("requested_at", "id")
            .values("dossier_id", "id", "requested_at", "resubmitted_at", "reason")
        ),
        "results": grouped(DossierResult.objects.filter(dossier_id__in=ids).order_by("id").values()),
    }
    out = []
    for r in rows:
        agency_code, desk_code = r.pop("agency_code"), r.pop("desk_code")
        record = record_of(
            SimpleNamespace(**r),
            versions[r["procedure_version_id"]],
            agency_code=agency_code,
            desk_code=desk_code,
            fee_procedure=r["procedure_version_id"] in charging,
            **{name: grouped.get(r["id"], []) for name, grouped in children.items()},
        )
        out.append((r["id"], record))
    return out
