"""Time helpers: every instant is aware and shown in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from motcua.common.errors import InvalidInput

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def to_local(value: datetime) -> datetime:
    """Aware datetime in Vietnam time; a naive value is taken as Vietnam local time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=VN_TZ)
    return value.astimezone(VN_TZ)


def parse_instant(raw: str, field: str = "start") -> datetime:
    """Parse an ISO 8601 date or date-time; naive values are Vietnam local time."""
    text = (raw or "").strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "invalid_datetime",
            f"Giá trị '{raw}' của trường '{field}' không phải ngày giờ hợp lệ "
            "(định dạng ISO 8601, ví dụ 2026-02-13T09:00).",
            f"'{raw}' in field '{field}' is not a valid ISO 8601 date-time (for example 2026-02-13T09:00).",
            field=field,
        ) from None
    return to_local(value)
