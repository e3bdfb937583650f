"""Vietnamese text helpers: diacritic folding for search (tìm kiếm không dấu)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not a d with a combining mark: NFD leaves them.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics and collapse spaces: 'Đăng ký  khai sinh' → 'dang ky khai sinh'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()


def search_terms(query: str | None) -> list[str]:
    """Folded, de-duplicated words of a search query, in order."""
    seen: dict[str, None] = {}
    for word in fold(query).split(" "):
        if word:
            seen.setdefault(word, None)
    return list(seen)
