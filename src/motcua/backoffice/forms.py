"""Back-office forms: one per action, validated before the service is called. `form_for(action)`
falls back to a form built from the service function's parameters, so a new edge of the transition
table gets a working form without code here."""

from __future__ import annotations

import inspect

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.documents.services import store_upload
from motcua.dossiers.models import ReturnMethod
from motcua.dossiers.services import parameters_of


class ActionForm(forms.Form):
    def params(self, user) -> dict:
        """The service's keyword arguments (`perform` ignores those the action does not read)."""
        return dict(self.cleaned_data)


class CommentForm(ActionForm):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea, required=False, max_length=4000)


class ForwardForm(CommentForm):
    assignee = forms.CharField(label=_("Assign to (account name, optional)"), required=False, max_length=150)


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=4000)


class SupplementForm(ReasonForm):
    items = forms.CharField(
        label=_("Items to supplement, one per line (all at once)"), widget=forms.Textarea, max_length=4000
    )

    def clean_items(self):
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class ReassignForm(ActionForm):
    assignee = forms.CharField(label=_("Account name"), max_length=150)


class TransferForm(CommentForm):
    agency = forms.CharField(
        label=_("Receiving agency code (empty: the next inter-agency step)"), required=False, max_length=20
    )
    budget_hours = forms.FloatField(label=_("Time budget (working hours)"), required=False, min_value=0.5)


class PaymentForm(ActionForm):
    amount_vnd = forms.IntegerField(label=_("Amount (VND)"), min_value=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ConfirmPaymentForm(ActionForm):
    paid_online = forms.BooleanField(label=_("Paid online"), required=False)
    reference = forms.CharField(label=_("Receipt or transaction reference"), required=False, max_length=100)


class RescheduleForm(ReasonForm):
    new_appointment = forms.DateTimeField(label=_("New appointment (dd/mm/yyyy hh:mm)"))


class ResolveForm(CommentForm):
    result_code = forms.CharField(label=_("Result document code"), max_length=40)
    result_name = forms.CharField(label=_("Result document"), max_length=500)
    number = forms.CharField(label=_("Number"), required=False, max_length=100)
    electronic = forms.BooleanField(label=_("Issued electronically"), required=False, initial=True)
    file = forms.FileField(label=_("Result file (PDF)"), required=False)

    def params(self, user) -> dict:
        c = self.cleaned_data
        file_ref = str(store_upload(c["file"], user).id) if c.get("file") else ""
        result = {"code": c["result_code"], "name": c["result_name"], "number": c["number"]}
        result.update(electronic=c["electronic"], file_ref=file_ref)
        return {"results": [result], "comment": c["comment"]}


class ReturnForm(ActionForm):
    method = forms.ChoiceField(label=_("Return method"), choices=ReturnMethod.choices)


class EmptyForm(ActionForm):
    pass


class ResubmitForm(ActionForm):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False, max_length=4000)


ACTION_FORMS = {
    "receive": EmptyForm,
    "refuse": ReasonForm,
    "request-supplement": SupplementForm,
    "resubmit": ResubmitForm,
    "forward": ForwardForm,
    "send-back": CommentForm,
    "reassign": ReassignForm,
    "transfer": TransferForm,
    "request-payment": PaymentForm,
    "confirm-payment": ConfirmPaymentForm,
    "reschedule": RescheduleForm,
    "stop": ReasonForm,
    "withdraw": ReasonForm,
    "resolve": ResolveForm,
    "return": ReturnForm,
}

# a service parameter's type (annotation, or its text under postponed annotations) → form field
_FIELDS = {
    "str": forms.CharField,
    "bool": forms.BooleanField,
    "int": forms.IntegerField,
    "float": forms.FloatField,
    "datetime": forms.DateTimeField,
}


def _type_name(annotation) -> str:
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))


def form_for(action: str) -> type[ActionForm]:
    """The action's form: its own if it has one, else one field per simple service parameter."""
    if action in ACTION_FORMS:
        return ACTION_FORMS[action]
    fields = {}
    for name, p in parameters_of(action).items():
        kind = _FIELDS.get(_type_name(p.annotation).removesuffix(" | None"))
        if kind is not None:
            required = p.default is inspect.Parameter.empty and kind is not forms.BooleanField
            fields[name] = kind(label=name.replace("_", " ").capitalize(), required=required)
    return type(f"{action.title().replace('-', '')}Form", (ActionForm,), fields)


class IntakeApplicantForm(forms.Form):
    channel = forms.TypedChoiceField(
        label=_("Channel"), coerce=int, choices=[(1, _("At the counter")), (3, _("By post"))]
    )
    on_behalf = forms.BooleanField(label=_("Submitted on the applicant's behalf"), required=False)
