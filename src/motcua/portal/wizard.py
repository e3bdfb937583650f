"""The online submission wizard: applicant → form → components → review. Every step is saved
in a draft row, so a session that expires mid-way loses nothing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from motcua.dossiers.selectors import declaration_items
from motcua.portal.models import SubmissionDraft

STEPS = [(1, _("Applicant")), (2, _("Declaration")), (3, _("Documents")), (4, _("Review and submit"))]


def draft_for(user, code: str) -> SubmissionDraft:
    draft, _created = SubmissionDraft.objects.get_or_create(user=user, procedure_code=code)
    return draft


def initial_applicant(user, draft: SubmissionDraft) -> dict:
    saved = draft.data.get("applicant")
    if saved:
        return saved
    return {
        "applicant_type": 1,
        "name": user.full_name,
        "id_number": user.national_id,
        "phone": user.phone,
        "email": user.email,
    }


def save_part(draft: SubmissionDraft, key: str, value) -> None:
    draft.data[key] = value
    draft.save(update_fields=["data", "updated_at"])


def review_answers(version, draft: SubmissionDraft) -> list[dict]:
    """The declaration as the review step shows it, in the words the dossier's "Tờ khai" will use: the
    procedure's own labels, dates as dd/mm/yyyy (the draft keeps them as ISO dates)."""
    return declaration_items(version.form_schema or {}, draft.data.get("form_data") or {})


def document_errors(rows: list[dict]) -> list[dict]:
    """The error summary's items of the documents step: one per component whose upload failed or is missing."""
    return [{"id": f"tp_{r['c'].code}", "label": r["c"].name, "message": str(r["error"])} for r in rows if r["error"]]
