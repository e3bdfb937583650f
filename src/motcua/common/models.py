"""Abstract models shared by the apps."""

from django.db import models

from motcua.common.text import fold


class FoldedNameModel(models.Model):
    """Keeps `name_folded` (no diacritics, lower case) in step with `name`, for search."""

    name_folded = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)
