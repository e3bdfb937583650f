"""The applicant's rating of how their dossier was handled (đánh giá mức độ hài lòng)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier


class Rating(models.Model):
    class Score(models.IntegerChoices):
        UNSATISFIED = 1, _("Not satisfied")
        SATISFIED = 2, _("Satisfied")
        VERY_SATISFIED = 3, _("Very satisfied")

    dossier = models.OneToOneField(Dossier, models.CASCADE, related_name="rating", verbose_name=_("dossier"))
    score = models.PositiveSmallIntegerField(_("rating"), choices=Score.choices)
    # no column: lets the index join a fact row to its rating directly (fact.rating_row)
    fact = models.ForeignObject(
        "dossiers.DossierFact",
        models.DO_NOTHING,
        from_fields=["dossier"],
        to_fields=["dossier"],
        related_name="rating_row",
        null=True,
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.dossier.code}: {self.get_score_display()}"
