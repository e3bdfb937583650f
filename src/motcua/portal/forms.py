"""Citizen-facing forms: validation at the boundary with Vietnamese messages next to each field."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from motcua.common.errors import InvalidInput
from motcua.identity.cccd import TYPED_MAX, normalize_cccd, validate_cccd, validate_phone
from motcua.org.models import Commune

# Number keypads on phones and autofill hints; an ID number may be typed in groups ("080 195 000 321").
NUMBER = {"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"}
PHONE = {"inputmode": "numeric", "autocomplete": "tel"}


def _domain_check(check, value):
    try:
        return check(value)
    except InvalidInput as exc:
        raise forms.ValidationError(_message(exc)) from None


def _message(exc: InvalidInput) -> str:
    return exc.message_en if get_language() == "en" else exc.message_vi


class RegisterForm(UserCreationForm):
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    national_id = forms.CharField(
        label=_("Personal ID number (CCCD)"),
        max_length=TYPED_MAX,
        help_text=_("12 digits, as on your citizen identity card."),
        widget=forms.TextInput(attrs=NUMBER),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, widget=forms.TextInput(attrs={"type": "tel", **PHONE}))
    email = forms.EmailField(
        label=_("Email (optional)"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("full_name", "national_id", "phone", "email")

    def clean_national_id(self):
        # Whether the number already has an account is not said here (registration is no oracle): `save`.
        return _domain_check(validate_cccd, self.cleaned_data["national_id"])

    def clean_phone(self):
        return _domain_check(validate_phone, self.cleaned_data["phone"])

    def save(self, commit=True):
        """The new citizen account, or None when the ID number already has one (nothing changes then;
        the password is hashed all the same, so the answer takes as long either way)."""
        user = super().save(commit=False)  # hashes the password
        user.username = number = self.cleaned_data["national_id"]
        user.kind = "citizen"
        if not commit:
            return user
        User = get_user_model()
        if User.objects.filter(Q(username=number) | Q(national_id=number)).exists():
            return None
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # registered at the same moment by another request
            return None
        return user


class ApplicantForm(forms.Form):
    """Step 1 of the wizard (and the desk's intake): who the dossier is for."""

    applicant_type = forms.TypedChoiceField(
        label=_("Applicant type"), coerce=int, choices=[(1, _("Citizen")), (2, _("Business or organization"))]
    )
    name = forms.CharField(
        label=_("Full name or organization name"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Personal ID number or enterprise code"),
        max_length=TYPED_MAX,
        required=False,
        widget=forms.TextInput(attrs=NUMBER),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        help_text=_("Used to track the dossier and to receive notices."),
        widget=forms.TextInput(attrs={"type": "tel", **PHONE}),
    )
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    commune = forms.ChoiceField(label=_("Commune or ward handling the dossier"), required=False)

    def __init__(self, *args, province: str | None = None, needs_commune: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        communes = Commune.objects.filter(province_id=province).order_by("name") if province else Commune.objects.none()
        self.fields["commune"].choices = [("", "—")] + [(c.code, c.name) for c in communes]
        self.fields["commune"].required = needs_commune

    def clean_phone(self):
        return _domain_check(validate_phone, self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        number = normalize_cccd(data.get("id_number") or "")
        if number and data.get("applicant_type") == 1:
            try:
                data["id_number"] = validate_cccd(number)
            except InvalidInput as exc:
                self.add_error("id_number", _message(exc))
        elif number:  # an enterprise code: 10 digits, a branch's 10-3 also typed as 13 digits
            data["id_number"] = f"{number[:10]}-{number[10:]}" if len(number) == 13 and number.isdigit() else number
        return data


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Dossier code"),
        max_length=40,
        help_text=_("As on your receipt, e.g. 000.01.31.H53-261130-0007 (any case)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=_("Phone number given when submitting"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", **PHONE}),
    )


class LoginForm(AuthenticationForm):
    """Django's login; a citizen's ID number may be typed in groups (`080 195 000 321`)."""

    def clean_username(self):
        typed = self.cleaned_data.get("username") or ""
        number = normalize_cccd(typed)
        return number if len(number) == 12 and number.isdigit() else typed


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=2000)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(3, _("Very satisfied")), (2, _("Satisfied")), (1, _("Not satisfied"))],
    )
    comment = forms.CharField(label=_("Comment (optional)"), widget=forms.Textarea, required=False, max_length=2000)
