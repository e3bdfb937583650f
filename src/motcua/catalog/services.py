"""Catalog writes: import and export of the whole catalog (motcua.catalog/1).

Import is all-or-nothing: the file is validated in full (shape, references,
time budgets, immutability of published versions) and every problem is reported
with its location; only a clean file is written, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from motcua.audit import services as audit
from motcua.catalog.models import (
    Field,
    Procedure,
    ProcedureComponent,
    ProcedureFee,
    ProcedureVersion,
    ProcessStep,
    ResultDocument,
)
from motcua.catalog.schemas import FORMAT, CatalogFile, VersionIn
from motcua.common import bounds
from motcua.common.errors import InvalidInput
from motcua.org.models import Agency

WORKING_HOURS_PER_DAY = Decimal(8)
CATALOG_DEPTH = 32  # a catalog nests ~6 deep; a version's form schema a few levels more


@dataclass
class ImportReport:
    fields_created: int = 0
    procedures_created: int = 0
    versions_created: int = 0
    drafts_updated: int = 0
    versions_unchanged: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "problems"}


def _invalid(problems: list[dict[str, str]]) -> InvalidInput:
    return InvalidInput(
        "invalid_catalog_file",
        f"Tệp danh mục không hợp lệ: {len(problems)} lỗi; không có gì được ghi.",
        f"The catalog file is invalid: {len(problems)} problem(s); nothing was written.",
        problems=problems,
    )


def parse_catalog(raw: bytes | str | dict) -> CatalogFile:
    """Shape validation; every pydantic error becomes a located problem. Text that is not UTF-8 or
    JSON, nests too deep, or holds what no column can (control characters, lone surrogates,
    non-finite or out-of-range numbers) is refused first, with its own code in the problem."""
    try:
        if isinstance(raw, bytes | str):
            data = bounds.loads(raw, max_depth=CATALOG_DEPTH)
        else:  # already parsed (the API, the demo): the same checks on its values
            data = raw
            problem = bounds.json_problem(data, CATALOG_DEPTH)
            if problem:
                raise bounds.refusal(*problem)
    except InvalidInput as exc:
        where = exc.details.get("location", "$")
        raise _invalid([{"loc": where, "problem": f"[{exc.code}] {exc.message_en}", "code": exc.code}]) from None
    try:
        return CatalogFile.model_validate(data)
    except ValidationError as exc:
        problems = [{"loc": ".".join(str(p) for p in err["loc"]) or "$", "problem": err["msg"]} for err in exc.errors()]
        raise _invalid(problems) from None


def _in_hours(value: Decimal, unit: str) -> Decimal:
    return value * WORKING_HOURS_PER_DAY if unit == "working_days" else value


def check_references(catalog: CatalogFile) -> list[dict[str, str]]:
    """Problems a valid shape can still have: unknown fields and agencies, over-budget steps."""
    problems: list[dict[str, str]] = []
    field_codes = {f.code for f in catalog.fields} | set(Field.objects.values_list("code", flat=True))
    agencies = dict(Agency.objects.values_list("code", "tree_path"))
    for i, proc in enumerate(catalog.procedures):
        for j, ver in enumerate(proc.versions):
            loc = f"procedures.{i}.versions.{j}"
            if ver.field not in field_codes:
                problems.append({"loc": f"{loc}.field", "problem": f"unknown field code {ver.field!r}"})
            if ver.competent_agency and ver.competent_agency not in agencies:
                problems.append({"loc": f"{loc}.competent_agency", "problem": f"unknown agency {ver.competent_agency}"})
            for k, step in enumerate(ver.steps):
                for attr in ("agency", "unit"):
                    value = getattr(step, attr)
                    if value and value not in agencies:
                        problems.append({"loc": f"{loc}.steps.{k}.{attr}", "problem": f"unknown agency {value}"})
            if ver.statutory_time_unit in ("working_days", "working_hours") and ver.steps:
                total = sum(_in_hours(s.budget, s.budget_unit) for s in ver.steps)
                limit = _in_hours(ver.statutory_time, ver.statutory_time_unit)
                if total > limit:
                    problems.append(
                        {
                            "loc": f"{loc}.steps",
                            "problem": f"step budgets add up to {total} working hours, "
                            f"more than the statutory {limit} working hours",
                        }
                    )
    return problems


def version_to_dict(version: ProcedureVersion) -> dict[str, Any]:
    """One version in the interchange format (the inverse of `_write_version`)."""
    return {
        "version": version.version,
        "status": version.status,
        "effective_from": version.effective_from.isoformat(),
        "effective_to": version.effective_to.isoformat() if version.effective_to else None,
        "name": version.name,
        "field": version.field.code,
        "level": version.level,
        "competent_agency_kind": version.competent_agency_kind or None,
        "competent_agency": version.competent_agency.code if version.competent_agency else None,
        "online_level": version.online_level,
        "full_process_eligible": version.full_process_eligible,
        "statutory_time": str(version.statutory_time_value),
        "statutory_time_unit": version.statutory_time_unit,
        "applicant_types": version.applicant_types,
        "steps_description": version.steps_description,
        "requirements": version.requirements,
        "legal_basis": version.legal_basis,
        "publication_decision_number": version.publication_decision_number,
        "publication_decision_date": (
            version.publication_decision_date.isoformat() if version.publication_decision_date else None
        ),
        "internal": version.internal,
        "paper_result_required": version.paper_result_required,
        "form_schema": version.form_schema,
        "fees": [
            {"code": f.code, "name": f.name, "kind": f.kind, "amount_vnd": f.amount_vnd, "note": f.note}
            for f in version.fees.all()
        ],
        "components": [
            {
                "code": c.code,
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
                "form_template": c.form_template,
                "required": c.required,
                "reusable": c.reusable,
                "note": c.note,
            }
            for c in version.components.all()
        ],
        "results": [{"code": r.code, "name": r.name, "electronic": r.electronic} for r in version.results.all()],
        "steps": [
            {
                "name": s.name,
                "role": s.role,
                "agency": s.agency.code if s.agency else None,
                "agency_kind": s.agency_kind or None,
                "unit": s.unit.code if s.unit else None,
                "inter_agency": s.inter_agency,
                "budget": str(s.budget_value),
                "budget_unit": s.budget_unit,
            }
            for s in version.steps.all()
        ],
    }


def _versions_queryset():
    return ProcedureVersion.objects.select_related("procedure", "field", "competent_agency").prefetch_related(
        "fees", "components", "results", "steps__agency", "steps__unit"
    )


def export_catalog() -> dict[str, Any]:
    """The whole catalog, every version, in the interchange format."""
    procedures: dict[str, list[dict[str, Any]]] = {}
    for version in _versions_queryset().order_by("procedure__code", "version"):
        procedures.setdefault(version.procedure.code, []).append(version_to_dict(version))
    return {
        "format": FORMAT,
        "exported_at": timezone.localtime().isoformat(),
        "fields": [{"code": f.code, "name": f.name} for f in Field.objects.order_by("code")],
        "procedures": [{"code": code, "versions": versions} for code, versions in procedures.items()],
    }


def _comparable(version: VersionIn) -> dict[str, Any]:
    return version.model_dump(mode="json", exclude={"version"})


def import_catalog(raw: bytes | str | dict, progress=None, dry_run: bool = False) -> ImportReport:
    """Validate the whole file, then write it in one transaction (or nothing)."""
    catalog = parse_catalog(raw)
    problems = check_references(catalog)
    if problems:
        raise _invalid(problems)
    report = ImportReport()
    task = progress.add_task("Danh mục TTHC", total=len(catalog.procedures)) if progress else None
    with transaction.atomic():
        for f in catalog.fields:
            _, created = Field.objects.update_or_create(code=f.code, defaults={"name": f.name})
            report.fields_created += created
        fields = {f.code: f for f in Field.objects.all()}
        agencies = {a.code: a for a in Agency.objects.all()}
        for i, proc in enumerate(catalog.procedures):
            _import_procedure(i, proc, fields, agencies, report)
            if progress:
                progress.advance(task)
        if report.problems:
            raise _invalid(report.problems)
        if dry_run:
            transaction.set_rollback(True)
        else:
            audit.record("catalog.import", payload={"procedures": len(catalog.procedures), **report.as_dict()})
    return report


def _import_procedure(index, proc, fields, agencies, report: ImportReport) -> None:
    procedure, created = Procedure.objects.get_or_create(code=proc.code)
    report.procedures_created += created
    existing = {v.version: v for v in _versions_queryset().filter(procedure=procedure)}
    for j, ver in enumerate(proc.versions):
        loc = f"procedures.{index}.versions.{j}"
        current = existing.get(ver.version) if ver.version else (existing[max(existing)] if existing else None)
        if current is not None and _comparable(VersionIn.model_validate(version_to_dict(current))) == _comparable(ver):
            report.versions_unchanged += 1
            continue
        if ver.version and current is not None:
            if current.status != ProcedureVersion.Status.DRAFT:
                report.problems.append(
                    {
                        "loc": loc,
                        "problem": f"version {ver.version} of {proc.code} is {current.status}: published "
                        "versions are never edited; add a new version instead",
                    }
                )
                continue
            current.delete()
            report.drafts_updated += 1
        else:
            report.versions_created += 1
        number = ver.version or (max(existing) + 1 if existing else 1)
        existing[number] = _write_version(procedure, number, ver, fields, agencies)


def _write_version(procedure, number: int, ver: VersionIn, fields, agencies) -> ProcedureVersion:
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        version=number,
        status=ver.status,
        effective_from=ver.effective_from,
        effective_to=ver.effective_to,
        name=ver.name,
        field=fields[ver.field],
        level=ver.level,
        competent_agency_kind=ver.competent_agency_kind or "",
        competent_agency=agencies.get(ver.competent_agency) if ver.competent_agency else None,
        online_level=ver.online_level,
        full_process_eligible=ver.full_process_eligible,
        statutory_time_value=ver.statutory_time,
        statutory_time_unit=ver.statutory_time_unit,
        applicant_types=ver.applicant_types,
        steps_description=ver.steps_description,
        requirements=ver.requirements,
        legal_basis=ver.legal_basis,
        publication_decision_number=ver.publication_decision_number,
        publication_decision_date=ver.publication_decision_date,
        internal=ver.internal,
        paper_result_required=ver.paper_result_required,
        form_schema=ver.form_schema,
    )
    ProcedureFee.objects.bulk_create(
        ProcedureFee(version=version, code=f.code, name=f.name, kind=f.kind, amount_vnd=f.amount_vnd, note=f.note)
        for f in ver.fees
    )
    ProcedureComponent.objects.bulk_create(
        ProcedureComponent(version=version, order=n, **c.model_dump()) for n, c in enumerate(ver.components, 1)
    )
    ResultDocument.objects.bulk_create(
        ResultDocument(version=version, order=n, **r.model_dump()) for n, r in enumerate(ver.results, 1)
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(
            version=version,
            order=n,
            name=s.name,
            role=s.role,
            agency=agencies.get(s.agency) if s.agency else None,
            agency_kind=s.agency_kind or "",
            unit=agencies.get(s.unit) if s.unit else None,
            inter_agency=s.inter_agency,
            budget_value=s.budget,
            budget_unit=s.budget_unit,
        )
        for n, s in enumerate(ver.steps, 1)
    )
    return version
