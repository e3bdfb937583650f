"""The answer to a supplement request (nộp bổ sung), checked item by item before anything is written.

Every requested item needs its own answer: at least one file or a note. An answer names its item by
number (1 = the first item listed on Form 02) or by its exact text; a file becomes a dossier component,
named after the procedure's component it is (given, or the one whose name the item names) or after
the item itself. A client that sends no `answers` (the back office's single note, an older API
client) answers every item with its note and the files it sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from motcua.common.errors import InvalidInput
from motcua.common.text import fold
from motcua.documents.models import StoredFile
from motcua.dossiers.files import attachable, file_id_of
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import _prepare

# the component code of a supplemented file that is none of the procedure's components (named after the item)
SUPPLEMENT_COMPONENT = "BS"
MAX_NOTE = 4000
MIN_MATCH = 6  # folded characters the shorter name needs before one is taken to name the other


@dataclass
class Answered:
    """What `resubmit` writes: the answer per item (stored on the request) and the new component rows."""

    per_item: list[dict]
    rows: list[dict] = field(default_factory=list)

    def summary(self) -> list[dict]:
        """The answer as the event records it: item number, note, the components its files became."""
        return [
            {"item": a["number"], "note": a["note"], "components": [f["component"] for f in a["files"]]}
            for a in self.per_item
        ]


def answer(d: Dossier, items: list[str], actor, answers: list[dict], components: list[dict], note: str) -> Answered:
    """Check the resubmission against the request's `items`; raise before anything is written."""
    per_item = [{"number": n, "item": text, "note": "", "files": []} for n, text in enumerate(items, 1)]
    other = {"number": None, "item": "", "note": "", "files": []}  # files naming no item, a general note
    out = Answered(per_item)
    for a in answers:
        slot = per_item[_index(items, a.get("item"))]
        _add_note(slot, a.get("note"))
        if a.get("file_ref"):
            _add_file(out, slot, d, actor, a["file_ref"], a.get("component"))
    for c in components:  # components as an older client sends them: by code, no item
        row = _prepare.component_rows(d.procedure_version, [c], actor, d)[0]
        out.rows.append(row)
        if row["file_ref"]:
            only = per_item[0] if len(per_item) == 1 else None
            slot = only or next((a for a in per_item if _names(a["item"], row["name"])), other)
            slot["files"].append(_file_entry(row))
    general = _clean_note(note)
    if general and not answers:  # no answer per item: the note answers every item
        for a in per_item:
            a["note"] = a["note"] or general
    elif general:
        other["note"] = general
    if other["files"] or other["note"]:
        per_item.append(other)
    missing = [a["number"] for a in per_item if a["number"] and not a["note"] and not a["files"]]
    if missing or not any(a["note"] or a["files"] for a in per_item):
        raise InvalidInput(
            "supplement_answer_required",
            "Mỗi nội dung được yêu cầu bổ sung cần ít nhất một tệp hoặc một ghi chú"
            + (f" (chưa trả lời: {', '.join(map(str, missing))})." if missing else "."),
            "Each requested item needs at least one file or a note"
            + (f" (not answered: {', '.join(map(str, missing))})." if missing else "."),
            missing=missing,
        )
    return out


def _index(items: list[str], which) -> int:
    if isinstance(which, int) and not isinstance(which, bool) and 1 <= which <= len(items):
        return which - 1
    if isinstance(which, str):
        text = which.strip()
        if text.isdigit() and 1 <= int(text) <= len(items):
            return int(text) - 1
        for i, item in enumerate(items):
            if item.strip() == text:
                return i
    shown = str(which)[:100]
    raise InvalidInput(
        "unknown_supplement_item",
        f"Không có nội dung yêu cầu bổ sung '{shown}' (ghi số thứ tự 1–{len(items)} hoặc đúng nội dung).",
        f"No requested item '{shown}' (give its number, 1–{len(items)}, or its exact text).",
        item=shown,
    )


def _clean_note(value) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_NOTE:
        raise InvalidInput(
            "note_too_long", f"Ghi chú dài quá {MAX_NOTE} ký tự.", f"A note is longer than {MAX_NOTE} characters."
        )
    return text


def _add_note(slot: dict, value) -> None:
    text = _clean_note(value)
    if text:
        slot["note"] = f"{slot['note']}\n{text}" if slot["note"] else text


def _add_file(out: Answered, slot: dict, d: Dossier, actor, ref, component) -> None:
    code = component or _named_by(slot["item"], d.procedure_version.components.all())
    if code:
        given = {"code": code, "file_ref": ref, "digitized": True}
        row = _prepare.component_rows(d.procedure_version, [given], actor, d)[0]
    else:  # none of the procedure's components: the file is named after the item it answers
        row = {
            "code": SUPPLEMENT_COMPONENT,
            "name": slot["item"][:500],
            "provided": True,
            "file_ref": attachable(actor, ref, d),
            "digitized": True,
        }
    out.rows.append(row)
    slot["files"].append(_file_entry(row))


def _file_entry(row: dict) -> dict:
    file_id = file_id_of(row["file_ref"])
    stored = StoredFile.objects.filter(pk=file_id).values_list("original_name", flat=True).first() if file_id else None
    return {
        "file_ref": row["file_ref"],
        "file_id": str(file_id) if stored is not None else "",  # a stored file (served by /tep/…), not a link
        "component": row["code"],
        "name": row["name"],
        "file_name": stored or "",
    }


def _names(item: str, component_name: str) -> bool:
    """Whether the item's text names the component (or the other way round), diacritics aside."""
    a, b = fold(item), fold(component_name)
    return any(len(x) >= MIN_MATCH and f" {x} " in f" {y} " for x, y in ((b, a), (a, b)))


def _named_by(item: str, components) -> str | None:
    """The procedure's component the item names (the longest such name), if any."""
    named = [c for c in components if _names(item, c.name)]
    return max(named, key=lambda c: len(c.name)).code if named else None
