"""Which stored files a writer may attach to a dossier (thành phần hồ sơ, kết quả).

A file is attached only by its uploader, or again to a dossier that already holds it (staff acting
on that dossier reuse its files). An unknown, malformed or someone else's reference gets the same
answer, so file ids are no oracle. A result issued by another system may be referenced by its
https link: a link is only carried (to the national portal), never served as one of our files.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from motcua.common.errors import InvalidInput
from motcua.documents.models import StoredFile
from motcua.dossiers.models import Dossier, DossierComponent, DossierResult


def file_id_of(ref: str) -> uuid.UUID | None:
    """The stored file's id in a `file_ref`, or None (empty, an imported link, malformed)."""
    try:
        return uuid.UUID(str(ref)) if ref else None
    except ValueError:
        return None


def attachable(actor, ref, dossier: Dossier | None = None) -> str:
    """The canonical reference for `ref` if `actor` may attach it (empty stays empty)."""
    if not ref:
        return ""
    if _is_link(str(ref)):
        return str(ref)
    file_id = file_id_of(ref)
    stored = StoredFile.objects.filter(pk=file_id).values_list("owner_id", flat=True).first() if file_id else None
    if stored is not None and (stored == getattr(actor, "pk", None) or _held_by(dossier, str(file_id))):
        return str(file_id)
    raise InvalidInput(
        "invalid_file_ref",
        "Tệp đính kèm không hợp lệ hoặc không do bạn tải lên; hãy tải tệp lên trước khi đính kèm.",
        "The attached file is invalid or was not uploaded by you; upload it first.",
        file_ref=str(ref)[:100],
    )


def _held_by(dossier: Dossier | None, ref: str) -> bool:
    if dossier is None:
        return False
    return (
        DossierComponent.objects.filter(dossier=dossier, file_ref=ref).exists()
        or DossierResult.objects.filter(dossier=dossier, file_ref=ref).exists()
    )


def _is_link(ref: str) -> bool:
    parts = urlsplit(ref)
    return parts.scheme in ("https", "http") and bool(parts.netloc) and len(ref) <= 500 and " " not in ref
