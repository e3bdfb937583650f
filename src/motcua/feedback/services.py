"""Ratings: the owner rates a dossier once its result has been returned."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from motcua.common.errors import Conflict, InvalidInput
from motcua.dossiers import authz, services
from motcua.dossiers.models import Dossier, Status
from motcua.feedback.models import Rating


def rate(user, code: str, score: int, comment: str = "") -> Rating:
    dossier = Dossier.objects.filter(code=code, owner=user).first()
    if dossier is None or not authz.is_citizen(user):
        raise authz.not_found(code)
    if dossier.status != Status.RETURNED:
        raise Conflict(
            "not_returned_yet",
            "Chỉ đánh giá được sau khi đã nhận kết quả.",
            "You can rate a dossier once its result has been returned.",
        )
    if score not in Rating.Score.values:
        raise InvalidInput("invalid_score", "Mức đánh giá không hợp lệ.", "Invalid rating.")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(dossier=dossier, score=score, comment=comment.strip()[:2000])
            services.rate(code, user, score=score)  # on the dossier: its fact and its sync carry it
            return rating
    except IntegrityError:
        raise Conflict("already_rated", "Hồ sơ này đã được đánh giá.", "This dossier was already rated.") from None
