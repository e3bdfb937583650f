"""Personal data at rest (dữ liệu cá nhân): field encryption and keyed search hashes.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`); several keys
may be configured (`MOTCUA_FIELD_KEYS`, comma-separated, newest first): the first encrypts, all
decrypt, and `motcua keys rotate` re-encrypts every row with the first (MultiFernet). Equality search
goes through an HMAC-SHA256 of the normalized value under its own key (`MOTCUA_FIELD_HASH_KEY`), so
the database never holds a plain CCCD or phone number and its hash cannot be brute-forced offline
without the key. In the demo and the tests (MOTCUA_DEV) both keys derive from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1:"  # marks ciphertext, so a plain legacy value is recognised (and encrypted on rotation)


def _derived(label: str) -> bytes:
    return hashlib.sha256(f"motcua:{label}:{settings.SECRET_KEY}".encode()).digest()


@cache
def _fernet() -> MultiFernet:
    keys = list(settings.MOTCUA_FIELD_KEYS)
    if not keys:
        if not settings.MOTCUA_DEV:
            raise ImproperlyConfigured("MOTCUA_FIELD_KEYS must be set in production (docs/deployment.md)")
        keys = [base64.urlsafe_b64encode(_derived("fields")).decode()]
    return MultiFernet([Fernet(k.strip().encode()) for k in keys])


@cache
def _hash_key() -> bytes:
    if settings.MOTCUA_FIELD_HASH_KEY:
        return settings.MOTCUA_FIELD_HASH_KEY.encode()
    if not settings.MOTCUA_DEV:
        raise ImproperlyConfigured("MOTCUA_FIELD_HASH_KEY must be set in production (docs/deployment.md)")
    return _derived("hash")


def forget_keys() -> None:
    """Read the keys from the settings again (tests, key rotation)."""
    _fernet.cache_clear()
    _hash_key.cache_clear()


def encrypt(value: str) -> str:
    if not value:
        return value
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    """The plain value; a value without the prefix is a legacy plain value and is returned as is."""
    if not stored or not stored.startswith(PREFIX):
        return stored
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("a personal-data field cannot be decrypted: is its key in MOTCUA_FIELD_KEYS?") from (
            exc
        )


def rotated(stored: str) -> str:
    """The same value encrypted with the first key (plain legacy values get encrypted)."""
    if not stored:
        return stored
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    return PREFIX + _fernet().rotate(stored[len(PREFIX) :].encode()).decode()


def search_hash(normalized: str) -> str:
    """The keyed hash stored beside an encrypted value for equality search ("" for no value)."""
    if not normalized:
        return ""
    return hmac.new(_hash_key(), normalized.encode(), hashlib.sha256).hexdigest()
