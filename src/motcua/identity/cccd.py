"""Personal identification numbers (số định danh cá nhân / CCCD), per Decree 137/2015 Art. 13.

12 digits: birth-registration province (3, the 63 pre-2025 codes, kept after the merger),
century+gender (1), year of birth (2), random (6). There is no checksum.
"""

from __future__ import annotations

import re
from datetime import date

from motcua.common.errors import InvalidInput
from motcua.org.legacy import LEGACY_PROVINCES

PREFIXES = frozenset(f"0{code}" for code, _, _ in LEGACY_PROVINCES)
_DIGITS12 = re.compile(r"^\d{12}$")


def birth_year(number: str) -> int:
    century = 1900 + (int(number[3]) // 2) * 100
    return century + int(number[4:6])


def validate_cccd(number: str, today: date | None = None) -> str:
    value = (number or "").strip()
    today = today or date.today()
    if not _DIGITS12.match(value) or value[:3] not in PREFIXES or birth_year(value) > today.year:
        raise InvalidInput(
            "invalid_citizen_id",
            "Số định danh cá nhân phải gồm 12 chữ số hợp lệ (mã tỉnh, giới tính, năm sinh).",
            "The personal ID number must be 12 valid digits (province, gender, year of birth).",
        )
    return value


def normalize_phone(phone: str) -> str:
    """'+84 912-345-678' → '0912345678' (comparison form)."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def validate_phone(phone: str) -> str:
    value = normalize_phone(phone)
    if not re.fullmatch(r"0\d{9,10}", value):
        raise InvalidInput(
            "invalid_phone",
            "Số điện thoại không hợp lệ (10 chữ số, ví dụ 0912345678).",
            "Invalid phone number (10 digits, e.g. 0912345678).",
        )
    return value
