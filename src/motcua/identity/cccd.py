"""Personal identification numbers (số định danh cá nhân / CCCD), per Decree 137/2015 Art. 13.

12 digits: birth-registration province (3, the 63 pre-2025 codes, kept after the merger),
century+gender (1), year of birth (2), random (6). There is no checksum.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NoReturn

from motcua.common.errors import InvalidInput
from motcua.org.legacy import LEGACY_PROVINCES

PREFIXES = frozenset(f"0{code}" for code, _, _ in LEGACY_PROVINCES)
_DIGITS12 = re.compile(r"^\d{12}$")
_TYPING = re.compile(r"[\s.\-]")  # what people put between the groups: "079 195 000 321", "079.195.000.321"
TYPED_MAX = 20  # 12 digits with a separator between every group of three, and some slack


def birth_year(number: str) -> int:
    century = 1900 + (int(number[3]) // 2) * 100
    return century + int(number[4:6])


def normalize_cccd(number: str) -> str:
    """The number as typed, without the spaces, dots and dashes people put between groups of digits."""
    return _TYPING.sub("", number or "")


def validate_cccd(number: str, today: date | None = None) -> str:
    """The normalized 12-digit number, or `InvalidInput` (invalid_citizen_id) saying what is wrong with it."""
    value = normalize_cccd(number)
    today = today or date.today()
    if value and not (value.isascii() and value.isdigit()):
        _invalid("chỉ gồm các chữ số", "may hold digits only")
    if not _DIGITS12.match(value):
        _invalid(
            f"phải gồm đúng 12 chữ số; bạn đã nhập {len(value)}",
            f"must have exactly 12 digits; {len(value)} were given",
        )
    if value[:3] not in PREFIXES:
        _invalid(
            f"phải bắt đầu bằng mã tỉnh nơi đăng ký khai sinh; {value[:3]} không phải mã tỉnh",
            f"must start with the code of the province of birth registration; {value[:3]} is no such code",
        )
    if birth_year(value) > today.year:
        year = birth_year(value)
        _invalid(
            f"cho năm sinh {year} (chữ số thứ 4–6), muộn hơn năm nay",
            f"gives {year} as the year of birth (digits 4–6), after this year",
        )
    return value


def _invalid(vi: str, en: str) -> NoReturn:
    raise InvalidInput(
        "invalid_citizen_id", f"Số định danh cá nhân (CCCD) {vi}.", f"The personal ID number (CCCD) {en}."
    )


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
