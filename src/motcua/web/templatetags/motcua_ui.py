"""Template helpers every page shares (`{% load motcua_ui %}`): money as people write it
(`{{ fee.amount_vnd|vnd }}` → 200.000 đ) and the items of a form's error summary
(`{% error_items form as errors %}`, listed by `includes/error_summary.html`)."""

from __future__ import annotations

from decimal import InvalidOperation

from django import template

from motcua.common.numbers import format_vnd

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """Money in đồng: `200000` → `200.000 đ`; a value that is no amount is shown as it is."""
    try:
        return format_vnd(amount)
    except (InvalidOperation, ValueError, TypeError):
        return str(amount)


@register.simple_tag
def error_items(form) -> list[dict]:
    """One {id, label, message} per error of `form`, in the order of its fields (the form's own errors
    first, without a field): what the error summary lists and links to. `id` is the element to move to
    (the first option of a group of radio buttons or checkboxes); empty for errors of hidden fields."""
    if form is None or not form.errors:
        return []
    items = [{"id": "", "label": "", "message": str(e)} for e in form.non_field_errors()]
    for field in form:
        target = "" if field.is_hidden else field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else "")
        label = str(field.label or "")
        for error in map(str, field.errors):  # a message that names its field already needs no label before it
            named = label and error.casefold().startswith(label.casefold())
            items.append({"id": target, "label": "" if named else label, "message": error})
    return items
