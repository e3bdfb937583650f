"""Model fields shared by the apps."""

from __future__ import annotations

from django.db import models

from motcua.common import crypto


class EncryptedTextField(models.TextField):
    """Text stored encrypted (`common.crypto`); reads give the plain value. Not searchable: keep a
    keyed hash beside it for equality lookups. Raw writes (`common.bulk`) encrypt too, because they
    adapt values through `get_db_prep_value`."""

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if value is not None else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return crypto.encrypt(value) if value else value
