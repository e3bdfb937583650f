"""The citizen's answer to a supplement request in "Hồ sơ của tôi": one row per requested item, with
files and a note; each row needs at least one of them (the service checks the same, `resubmit`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.common.errors import DomainError
from motcua.documents.models import StoredFile
from motcua.documents.services import store_upload
from motcua.dossiers.files import file_id_of

ACCEPT = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's recipe): the cleaned value is a list, maybe empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data if item]
        return [one(data, initial)] if data else []


class AnswerForm(forms.Form):
    """The answer to the open request `items`: fields `bs-file_N` and `bs-note_N` for item N (from 1).

    Files are stored as soon as they pass their checks, even when another row has an error: the page
    comes back listing them (`bs-kept_N`, the ids of the user's own uploads), so nobody chooses them twice."""

    prefix = "bs"
    MAX_KEPT = 20

    def __init__(self, items: list[str], *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self.data.copy()  # the kept files are written back for the page that comes back
        self.user = user
        self.items = list(items)
        self.kept: dict[int, list[StoredFile]] = {}
        for n, _item in enumerate(self.items, 1):
            self.fields[f"file_{n}"] = MultipleFileField(
                label=_("Files (PDF, PNG or JPEG)"),
                required=False,
                help_text=_("You can choose several files."),
            )
            self.fields[f"note_{n}"] = forms.CharField(
                label=_("Note to the desk"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
            )
            self.fields[f"kept_{n}"] = forms.CharField(required=False, widget=forms.HiddenInput, max_length=1000)

    def clean(self):
        data = super().clean()
        for n in range(1, len(self.items) + 1):
            files = self._kept(n) + self._store(n, data.get(f"file_{n}") or [])
            self.kept[n] = files
            self.data[self.add_prefix(f"kept_{n}")] = ",".join(str(f.id) for f in files)
            if not files and not (data.get(f"note_{n}") or "").strip() and not self.has_error(f"file_{n}"):
                self.add_error(f"file_{n}", _("Attach a file or write a note for this item."))
        return data

    def _kept(self, n: int) -> list[StoredFile]:
        """The files this user already sent for row n (ids from the page; anyone else's are ignored)."""
        ids = [i for i in (self.data.get(self.add_prefix(f"kept_{n}")) or "").split(",") if file_id_of(i)]
        found = {str(f.id): f for f in StoredFile.objects.filter(pk__in=ids[: self.MAX_KEPT], owner=self.user)}
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    def _store(self, n: int, uploads) -> list[StoredFile]:
        stored = []
        for upload in uploads:
            try:
                stored.append(store_upload(upload, self.user))
            except DomainError as exc:
                self.add_error(f"file_{n}", exc.message_vi)
        return stored

    def rows(self) -> list[dict]:
        return [
            {
                "number": n,
                "item": item,
                "file": self[f"file_{n}"],
                "note": self[f"note_{n}"],
                "kept_field": self[f"kept_{n}"],
                "kept": self.kept.get(n, []),
            }
            for n, item in enumerate(self.items, 1)
        ]

    def summary(self) -> list[dict]:
        """The error summary's entries (includes/error_summary.html): a link to the row's first field."""
        out = [{"id": "", "label": "", "message": e} for e in self.non_field_errors()]
        for row in self.rows():
            label = f"{row['number']}. {row['item']}"
            for field in (row["file"], row["note"]):
                out += [{"id": field.auto_id, "label": label, "message": e} for e in field.errors]
        return out

    def answers(self) -> list[dict]:
        """The answers for `resubmit` (a valid form): each row's note and files."""
        out = []
        for n in range(1, len(self.items) + 1):
            note = self.cleaned_data[f"note_{n}"].strip()
            if note:
                out.append({"item": n, "note": note})
            out += [{"item": n, "file_ref": str(f.id)} for f in self.kept[n]]
        return out
