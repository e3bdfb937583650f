"""Back-office forms: one per action, validated before the service is called."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import ReturnMethod


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea, required=False, max_length=4000)


class ForwardForm(CommentForm):
    assignee = forms.CharField(label=_("Assign to (account name, optional)"), required=False, max_length=150)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=4000)


class SupplementForm(ReasonForm):
    items = forms.CharField(
        label=_("Items to supplement, one per line (all at once)"), widget=forms.Textarea, max_length=4000
    )

    def clean_items(self):
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class ReassignForm(forms.Form):
    assignee = forms.CharField(label=_("Account name"), max_length=150)


class TransferForm(CommentForm):
    agency = forms.CharField(
        label=_("Receiving agency code (empty: the next inter-agency step)"), required=False, max_length=20
    )
    budget_hours = forms.FloatField(label=_("Time budget (working hours)"), required=False, min_value=0.5)


class PaymentForm(forms.Form):
    amount_vnd = forms.IntegerField(label=_("Amount (VND)"), min_value=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ConfirmPaymentForm(forms.Form):
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


class ReturnForm(forms.Form):
    method = forms.ChoiceField(label=_("Return method"), choices=ReturnMethod.choices)


class EmptyForm(forms.Form):
    pass


ACTION_FORMS = {
    "receive": EmptyForm,
    "refuse": ReasonForm,
    "request-supplement": SupplementForm,
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
ACTION_LABELS = {
    "receive": _("Receive"),
    "refuse": _("Refuse"),
    "request-supplement": _("Request a supplement"),
    "forward": _("Forward to the next step"),
    "send-back": _("Send back"),
    "reassign": _("Reassign"),
    "transfer": _("Transfer to another agency"),
    "request-payment": _("Request payment"),
    "confirm-payment": _("Confirm payment"),
    "reschedule": _("Apologise and reschedule (Form 04)"),
    "stop": _("Stop processing"),
    "withdraw": _("Withdraw at the applicant's request"),
    "resolve": _("Record the result"),
    "return": _("Return the result"),
}


class IntakeApplicantForm(forms.Form):
    channel = forms.TypedChoiceField(
        label=_("Channel"), coerce=int, choices=[(1, _("At the counter")), (3, _("By post"))]
    )
    on_behalf = forms.BooleanField(label=_("Submitted on the applicant's behalf"), required=False)
