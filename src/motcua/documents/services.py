"""Upload checks and storage. The type is decided by the file's first bytes, not its name
or the browser's claim; the size is capped (MOTCUA_UPLOAD_MAX_BYTES)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from motcua.common.errors import InvalidInput
from motcua.documents.models import StoredFile

SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
]


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def store_upload(uploaded, owner) -> StoredFile:
    """Check and store one uploaded file (a Django UploadedFile)."""
    limit = settings.MOTCUA_UPLOAD_MAX_BYTES
    if uploaded.size > limit:
        raise InvalidInput(
            "file_too_large",
            f"Tệp '{uploaded.name}' vượt quá {limit // (1024 * 1024)} MB.",
            f"'{uploaded.name}' is larger than {limit // (1024 * 1024)} MB.",
        )
    data = uploaded.read(limit + 1)
    kind = sniff(data[:16])
    if kind is None:
        raise InvalidInput(
            "file_type_not_allowed",
            f"Tệp '{uploaded.name}' không phải PDF, PNG hoặc JPEG.",
            f"'{uploaded.name}' is not a PDF, PNG or JPEG file.",
        )
    content_type, ext = kind
    record = StoredFile(
        owner=owner,
        original_name=uploaded.name[:255],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    record.path = default_storage.save(f"uploads/{timezone.now():%Y/%m}/{record.id}.{ext}", ContentFile(data))
    record.save()
    return record
