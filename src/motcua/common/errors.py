"""Typed domain errors: a stable code, a Vietnamese and an English message.

Every layer raises these; the API and the CLI turn them into a 4xx answer or a
non-zero exit with the same code and messages, so clients can rely on `code`.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule was broken by the caller's input or the current state."""

    status = 400

    def __init__(self, code: str, message_vi: str, message_en: str, **details: Any):
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message_vi,
            "message_en": self.message_en,
        }
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(DomainError):
    status = 400


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409
