"""Back-office forms: one per action, validated before the service is called. `form_for(action)`
falls back to a form built from the service function's parameters, so a new edge of the transition
table gets a working form without code here."""

from __future__ import annotations

import inspect

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.documents.services import store_upload
from motcua.dossiers import selectors
from motcua.dossiers.models import ReturnMethod
from motcua.dossiers.services import parameters_of


class ActionForm(forms.Form):
    """An action's form on one dossier (`dossier`: what pick lists are built from; every form takes it)."""

    def __init__(self, *args, dossier=None, **kwargs):
        self.dossier = dossier
        super().__init__(*args, **kwargs)

    def params(self, user) -> dict:
        """The service's keyword arguments (`perform` ignores those the action does not read)."""
        return dict(self.cleaned_data)


class CommentForm(ActionForm):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea, required=False, max_length=4000)


def _people(users) -> list[tuple[str, str]]:
    return [(u.username, f"{u.full_name or u.username} ({u.username})") for u in users]


def _staff_field(label, required: bool) -> forms.ChoiceField:
    # the choices are the dossier's (set by the form); a name not among them is refused by name
    unknown = _("%(value)s is not among the staff who can take this step.")
    return forms.ChoiceField(label=label, required=required, choices=[], error_messages={"invalid_choice": unknown})


class ForwardForm(CommentForm):
    """Forward to the template's next step, to one of its people (or to the step's whole office)."""

    assignee = _staff_field(_("Assign to (optional)"), required=False)
    field_order = ["assignee", "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = selectors.forward_staff(self.dossier) if self.dossier is not None else []
        self.fields["assignee"].choices = [("", _("— Not assigned to one person —")), *_people(staff)]


class ReassignForm(ActionForm):
    """Hand the current step to another person of its agency (and unit)."""

    assignee = _staff_field(_("Assign to"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = selectors.reassign_staff(self.dossier) if self.dossier is not None else []
        self.fields["assignee"].choices = [("", _("— Choose a person —")), *_people(staff)]


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=4000)


class SupplementForm(ReasonForm):
    items = forms.CharField(
        label=_("Items to supplement, one per line (all at once)"), widget=forms.Textarea, max_length=4000
    )

    def clean_items(self):
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class TransferForm(CommentForm):
    """An inter-agency leg (liên thông): to the template's next leg, or to another agency of the province."""

    agency = forms.ChoiceField(
        label=_("Receiving agency"),
        choices=[],
        error_messages={"invalid_choice": _("%(value)s is not an agency this dossier can be transferred to.")},
    )
    budget_hours = forms.FloatField(
        label=_("Time budget (working hours)"),
        required=False,
        min_value=0.5,
        help_text=_("Needed for an agency outside the process; the process's own leg keeps its budget."),
    )
    field_order = ["agency", "budget_hours", "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        leg, others = selectors.transfer_targets(self.dossier) if self.dossier is not None else (None, [])
        first = ("", _("The process's next inter-agency step: %(name)s") % {"name": leg.name}) if leg else None
        field = self.fields["agency"]
        field.required = leg is None  # empty means the process's own leg (the service's default)
        other = [(a.code, a.name) for a in others if leg is None or a.pk != leg.pk]
        choices = [first] if first else [("", _("— Choose an agency —"))]
        field.choices = [*choices, (_("Other agencies of the province"), other)] if other else choices


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
