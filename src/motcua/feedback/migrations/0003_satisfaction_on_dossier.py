"""Ratings given before the rating was recorded on the dossier (so the index and the sync carry it)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_scores(apps, schema_editor):
    Rating = apps.get_model("feedback", "Rating")
    Dossier = apps.get_model("dossiers", "Dossier")
    score = Rating.objects.filter(dossier_id=OuterRef("pk")).values("score")[:1]
    Dossier.objects.filter(pk__in=Rating.objects.values("dossier_id")).update(satisfaction=Subquery(score))


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_fact_relation"),
        ("dossiers", "0007_dossierfee_remove_dossierfact_fact_open_and_more"),
    ]

    operations = [migrations.RunPython(copy_scores, migrations.RunPython.noop)]
