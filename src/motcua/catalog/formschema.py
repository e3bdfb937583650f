"""The online form of a procedure, described as a small JSON schema and rendered as a Django form.

Supported: {"type": "object", "properties": {name: {"type": "string" | "integer", "title": …,
"format": "date" | "email", "enum": [...], "maxLength": n, "minimum"/"maximum": n}}, "required": [...]}.
The same schema validates API submissions (dossiers.intake) and drives the portal wizard.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms

from motcua.common.errors import InvalidInput

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TYPES = {"string", "integer"}


def check_schema(schema: dict) -> list[str]:
    """Problems with a schema (empty list when it is usable)."""
    if not schema:
        return []
    problems = []
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return ['form_schema must be {"type": "object", "properties": {...}}']
    for name, prop in schema["properties"].items():
        if not NAME.match(name):
            problems.append(f"field name {name!r} must be lower_snake_case")
        if not isinstance(prop, dict) or prop.get("type") not in TYPES:
            problems.append(f"field {name!r}: type must be string or integer")
    for name in schema.get("required", []):
        if name not in schema["properties"]:
            problems.append(f"required field {name!r} is not defined")
    return problems


def field_names(schema: dict) -> list[str]:
    """The fields in the order the procedure lists them. PostgreSQL's jsonb does not keep the order of
    an object's keys, so the order is stored as a list (`x-order`, added on import by `with_order`)."""
    props = (schema or {}).get("properties") or {}
    order = [n for n in (schema or {}).get("x-order") or [] if n in props]
    return order + [n for n in props if n not in order]


def with_order(schema: dict) -> dict:
    """`schema` with its fields' order written down as `x-order` (a list keeps its order in jsonb)."""
    if not schema or not isinstance(schema.get("properties"), dict) or "x-order" in schema:
        return schema
    return {**schema, "x-order": list(schema["properties"])}


def _field(name: str, prop: dict, required: bool) -> forms.Field:
    label = prop.get("title", name)
    common = {"label": label, "required": required, "help_text": prop.get("description", "")}
    if "enum" in prop:
        choices = [("", "—")] + [(str(v), str(v)) for v in prop["enum"]]
        return forms.ChoiceField(choices=choices, **common)
    if prop["type"] == "integer":
        return forms.IntegerField(min_value=prop.get("minimum"), max_value=prop.get("maximum"), **common)
    if prop.get("format") == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    if prop.get("format") == "email":
        return forms.EmailField(**common)
    return forms.CharField(max_length=prop.get("maxLength", 500), **common)


def form_class(schema: dict) -> type[forms.Form]:
    required = set(schema.get("required", []))
    props = schema.get("properties", {})
    fields = {name: _field(name, props[name], name in required) for name in field_names(schema)}
    return type("ProcedureForm", (forms.Form,), fields)


def to_json(cleaned: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in cleaned.items() if v not in (None, "")}


def validate_form_data(schema: dict, data: dict) -> dict:
    """Clean API/portal data against the schema; raise one located error listing every problem."""
    if not schema:
        return data or {}
    form = form_class(schema)(data=data or {})
    if not form.is_valid():
        problems = [{"loc": f"form_data.{k}", "problem": " ".join(v)} for k, v in form.errors.items()]
        raise InvalidInput(
            "invalid_form_data",
            "Thông tin tờ khai chưa hợp lệ: " + "; ".join(f"{p['loc'][10:]}: {p['problem']}" for p in problems),
            "The form data is invalid.",
            problems=problems,
        )
    return to_json(form.cleaned_data)
