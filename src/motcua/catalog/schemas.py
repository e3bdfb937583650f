"""The catalog interchange format (`motcua.catalog/1`), shared by import, export and the API.

A file is {"format": "motcua.catalog/1", "fields": [...], "procedures": [...]};
each procedure has a national `code` and one or more `versions`. Documented in
docs/catalog-format.md.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from motcua.catalog.formschema import check_schema, with_order
from motcua.common.timeutil import to_local

FORMAT = "motcua.catalog/1"
AgencyKind = Literal[
    "province_pc",
    "department",
    "division",
    "service_centre",
    "commune_pc",
    "commune_desk",
    "police",
    "tax",
    "social_insurance",
    "military",
    "other",
]
Role = Literal["receptionist", "specialist", "division_head", "agency_leader", "administrator", "inspector"]
AGENCY_CODE = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FieldIn(Strict):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=255)


class FeeIn(Strict):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=255)
    kind: Literal["phi", "le_phi"]
    amount_vnd: int = Field(ge=0, le=10**12, description="Integer VND, no decimals")
    note: str = Field(default="", max_length=500)

    @field_validator("amount_vnd", mode="before")
    @classmethod
    def _integer_vnd(cls, value):
        if isinstance(value, float | str) and not float(value).is_integer():
            raise ValueError("amount_vnd must be a whole number of VND")
        return value


class ComponentIn(Strict):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=500)
    originals: int = Field(default=1, ge=0, le=99)
    copies: int = Field(default=0, ge=0, le=99)
    form_template: str = Field(default="", max_length=255)
    required: bool = True
    reusable: bool = False
    note: str = Field(default="", max_length=500)


class ResultIn(Strict):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=500)
    electronic: bool = True


class StepIn(Strict):
    name: str = Field(min_length=1, max_length=255)
    role: Role
    agency: str | None = Field(default=None, pattern=AGENCY_CODE, description="A fixed agency")
    agency_kind: AgencyKind | None = Field(
        default=None, description="Relative agency: that kind in the dossier's commune, else the province"
    )
    unit: str | None = Field(default=None, pattern=AGENCY_CODE)
    inter_agency: bool = False
    budget: Decimal = Field(ge=0, le=10000, decimal_places=2)
    budget_unit: Literal["working_days", "working_hours"] = "working_days"

    @field_validator("budget")
    @classmethod
    def _two_places(cls, value: Decimal) -> Decimal:
        return value.quantize(Decimal("0.01"))

    @model_validator(mode="after")
    def _leg_has_agency(self):
        if self.inter_agency and not (self.agency or self.agency_kind):
            raise ValueError("an inter-agency step names its agency or agency_kind")
        if self.agency and self.agency_kind:
            raise ValueError("give agency or agency_kind, not both")
        return self


class VersionIn(Strict):
    version: int | None = Field(default=None, ge=1, description="Omit to append a new version")
    status: Literal["draft", "published", "suspended", "abolished"] = "published"
    effective_from: datetime | date
    effective_to: datetime | date | None = None
    name: str = Field(min_length=3, max_length=500)
    field: str = Field(min_length=1, max_length=40, description="Field code")
    level: Literal["ministry", "province", "commune", "multi"]
    competent_agency_kind: AgencyKind | None = None
    competent_agency: str | None = Field(default=None, pattern=AGENCY_CODE)
    online_level: Literal["full", "partial", "none"]
    full_process_eligible: bool = False
    statutory_time: Decimal = Field(ge=0, le=100000, decimal_places=2)
    statutory_time_unit: Literal["working_days", "working_hours", "days", "months"]
    applicant_types: list[str] = Field(default_factory=list)
    steps_description: str = ""
    requirements: str = ""
    legal_basis: str = ""
    publication_decision_number: str = Field(default="", max_length=100)
    publication_decision_date: date | None = None
    internal: bool = False
    paper_result_required: bool = False
    form_schema: dict = Field(default_factory=dict, description="JSON schema (type object) of the online form")
    fees: list[FeeIn] = Field(default_factory=list)
    components: list[ComponentIn] = Field(default_factory=list)
    results: list[ResultIn] = Field(default_factory=list)
    steps: list[StepIn] = Field(default_factory=list)

    @field_validator("effective_from", "effective_to")
    @classmethod
    def _aware(cls, value):
        return None if value is None else _as_dt(value)

    @field_validator("statutory_time")
    @classmethod
    def _two_places(cls, value: Decimal) -> Decimal:
        return value.quantize(Decimal("0.01"))

    @model_validator(mode="after")
    def _consistent(self):
        if not (self.competent_agency or self.competent_agency_kind):
            raise ValueError("name the competent_agency or the competent_agency_kind")
        if self.full_process_eligible and self.online_level != "full":
            raise ValueError("full_process_eligible needs online_level 'full'")
        for label, items in (("fees", self.fees), ("components", self.components), ("results", self.results)):
            codes = [item.code for item in items]
            if len(codes) != len(set(codes)):
                raise ValueError(f"duplicate codes in {label}")
        problems = check_schema(self.form_schema)
        if problems:
            raise ValueError("; ".join(problems))
        self.form_schema = with_order(self.form_schema)
        if self.effective_to is not None and _as_dt(self.effective_to) <= _as_dt(self.effective_from):
            raise ValueError("effective_to must be after effective_from")
        return self


class ProcedureIn(Strict):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z.\-_]+$")
    versions: list[VersionIn] = Field(min_length=1)


class CatalogFile(Strict):
    format: Literal["motcua.catalog/1"]
    exported_at: str | None = None
    fields: list[FieldIn] = Field(default_factory=list)
    procedures: list[ProcedureIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_codes(self):
        codes = [p.code for p in self.procedures]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"procedure codes appear more than once: {', '.join(dupes)}")
        return self


def _as_dt(value: datetime | date) -> datetime:
    """A date means 00:00 Vietnam time that day; naive date-times are Vietnam time."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return to_local(value)
