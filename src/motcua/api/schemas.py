"""Schemas shared by every router."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    details: dict[str, Any] | None = None
