"""The online submission wizard: applicant → form → components → review. Every step is saved
in a draft row, so a session that expires mid-way loses nothing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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
