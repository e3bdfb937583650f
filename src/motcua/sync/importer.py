"""Historical import: dossiers from an older system, one national-format snapshot per JSONL line.

Each line is parsed and checked by the shared schema (`protocol.schema`: types, and a history that
could have happened), then matched to this node's catalog and agencies. A bad line (not UTF-8, not
JSON, nested too deep, a control character, a value out of range, the wrong shape) is reported with
its number, the dossier code, a stable error code and the reason, and nothing of it is written; the
valid lines are loaded whole, those of the same batch too — components with their flags, the
dossier's own fees, supplement requests and answers, results with their file links, payment and
rating, steps (`TienDo`, optional) — by the dossiers bulk writer, with a
hash-chained "import" event, a fact row and a pending sync row, so the worker then delivers them.
Re-running the same file skips dossiers already imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import DatabaseError
from django.utils import timezone

from motcua.catalog.models import ProcedureVersion
from motcua.common import bounds
from motcua.common.errors import DomainError
from motcua.dossiers import bulk, timing
from motcua.dossiers.events import GENESIS, chain_hash, event_body
from motcua.dossiers.models import OPEN, RUNNING, Dossier, DossierEvent, DossierStep, Status
from motcua.org import selectors as org
from motcua.org.models import Agency
from motcua.protocol import schema
from motcua.protocol.record import Record
from motcua.workdays.services import get_calendar


@dataclass
class ImportReport:
    lines: int = 0
    imported: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)


RECEIVED_OPEN = OPEN - {Status.SUBMITTED}  # open dossiers whose deadline has started


class Importer:
    def __init__(self):
        self.versions: dict[str, ProcedureVersion | None] = {}
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.desks: dict[int, Agency | None] = {}
        self.now = timezone.now()
        self.calendar = get_calendar()

    def version(self, code: str) -> ProcedureVersion | None:
        if code not in self.versions:
            self.versions[code] = (
                ProcedureVersion.objects.filter(procedure__code=code)
                .exclude(status=ProcedureVersion.Status.DRAFT)
                .order_by("-version")
                .first()
            )
        return self.versions[code]

    def add(self, batch: bulk.Batch, item: dict, ids: dict) -> None:
        """Rows of one valid line into the batch (raises ValueError with a reason otherwise)."""
        version = self.version(str(item.get("MaTTHC") or ""))
        if version is not None and item.get("ThoiGianGiaiQuyet") in (None, ""):
            # the node's catalog knows the statutory time the old system did not send
            item = {
                **item,
                "ThoiGianGiaiQuyet": str(version.statutory_time_value),
                "DonViTinh": version.statutory_time_unit,
            }
        r = schema.parse(item)
        if version is None:
            raise schema.PayloadError(
                "unknown_procedure",
                f"Không có thủ tục MaTTHC={r.procedure_code!r} trong danh mục.",
                f"unknown procedure MaTTHC={r.procedure_code!r}",
            )
        competent = self.agencies.get(r.agency_code)
        if competent is None:
            raise schema.PayloadError(
                "unknown_agency",
                f"Không có cơ quan DonViXuLy={r.agency_code!r}.",
                f"unknown agency DonViXuLy={r.agency_code!r}",
            )
        desk = self.agencies.get(r.desk_code) or self._desk(competent)
        steps = self._steps(item, ids["steps"], competent) if item.get("TienDo") is not None else []
        did = ids["dossier"]
        digest = chain_hash(
            GENESIS, event_body(r.code, 1, "import", None, r.status, None, self.now, {"source": "import"})
        )
        batch.dossiers.append(self._dossier(r, did, version, competent, desk, steps, digest))
        batch.events.append(
            {
                "id": ids["event"],
                "dossier_id": did,
                "seq": 1,
                "action": "import",
                "to_status": r.status,
                "at": self.now,
                "payload": {"source": "import"},
                "prev_hash": GENESIS,
                "hash": digest,
            }
        )
        batch.components += [
            {
                "dossier_id": did,
                "code": c.code,
                "name": c.name,
                "file_ref": c.file_link,
                "digitized": c.digitized,
                "reused": c.reuse in (1, 2),  # 2 without MaKetQuaThayThe is sent again as 1: still reused
                "replaced_by": c.replaced_by if c.reuse == 2 else "",
                "from_data_store": c.from_data_store,
            }
            for c in r.components
        ]
        batch.fees += [
            {"dossier_id": did, "code": f.code, "name": f.name, "kind": f.kind, "amount_vnd": f.amount} for f in r.fees
        ]
        batch.supplements += [
            {
                "dossier_id": did,
                "requested_at": s.requested_at,
                "resubmitted_at": s.answered_at,
                "reason": s.reason,
                "during_reception": False,
                "items": [s.reason] if s.reason else [],
                "requested_by_id": None,
            }
            for s in r.supplements
        ]
        batch.results += [
            {"dossier_id": did, "code": x.code, "name": x.name, "number": x.number, "file_ref": x.file_link}
            for x in r.results
        ]
        batch.steps += [{**s, "dossier_id": did} for s in steps]

    def _dossier(self, r: Record, did, version, competent, desk, steps, digest) -> dict:
        waited = sum(int((s.answered_at - s.requested_at).total_seconds()) for s in r.supplements if s.answered_at)
        unanswered = [s.requested_at for s in r.supplements if s.answered_at is None]
        first = r.appointment_at
        if first is None and r.received_at is not None:
            first_due = self.calendar.deadline(r.received_at, version.statutory_time_value, version.statutory_time_unit)
        else:
            first_due = first
        current = r.new_appointment_at or first
        running = [s for s in steps if s["state"] == DossierStep.State.ACTIVE]
        return {
            "id": did,
            "code": r.code,
            "procedure_id": version.procedure_id,
            "procedure_version_id": version.pk,
            "status": r.status,
            "channel": r.channel,
            "applicant_type": r.applicant_type,
            "applicant_name": r.applicant_name[:255],
            "applicant_id_number": r.id_number,
            "applicant_phone": r.phone,
            "receiving_agency_id": desk.pk,
            "competent_agency_id": competent.pk,
            "commune_id": competent.commune_id,
            "submitted_at": r.submitted_at,
            "received_at": r.received_at,
            "appointment_at": current,
            "first_appointment_at": first,
            "due_at": (first_due + timedelta(seconds=waited)) if first_due and r.status in RECEIVED_OPEN else None,
            "ended_at": r.ended_at,
            "returned_at": r.returned_at,
            "paused_at": min(unanswered) if unanswered and r.status == Status.SUPPLEMENT else None,
            "resume_status": Status.PROCESSING if unanswered and r.status == Status.SUPPLEMENT else None,
            "supplement_count": len(r.supplements),
            "supplement_seconds": waited,
            "rescheduled": r.new_appointment_at is not None,
            "fee_total_vnd": sum(f.amount for f in r.fees),
            "amount_due_vnd": r.amount_due,
            "paid_online": r.online_payment in (1, 2),
            "payment_platform": r.online_payment or None,
            "satisfaction": r.rating,
            "current_step_id": running[-1]["id"] if running and r.status in RUNNING - {Status.SUBMITTED} else None,
            "version": 1,
            "last_hash": digest,
        }

    def _steps(self, item: dict, ids: list[int], competent: Agency) -> list[dict]:
        steps = schema.parse_steps(item["TienDo"])
        out = []
        for step, sid in zip(steps, ids, strict=False):
            agency = self.agencies.get(step.agency_code) or competent
            budget = max(0, self.calendar.working_seconds_between(step.started_at, step.due_at))
            done = step.finished_at is not None
            out.append(
                {
                    "id": sid,
                    "seq": step.seq,
                    "name": step.name[:255] or f"Bước {step.seq}",
                    "role": "specialist",
                    "agency_id": agency.pk,
                    "inter_agency": agency.pk != competent.pk,
                    "budget_seconds": budget,
                    "state": DossierStep.State.DONE if done else DossierStep.State.ACTIVE,
                    "started_at": step.started_at,
                    "due_at": step.due_at,
                    "finished_at": step.finished_at,
                    "office_seconds": timing.office_seconds_spent(self.calendar, budget, step.due_at, step.finished_at)
                    if done
                    else None,
                    "outcome": "imported" if done else "",
                    "handler_name": step.handler,
                }
            )
        return out

    def _desk(self, competent: Agency) -> Agency:
        if competent.pk not in self.desks:
            self.desks[competent.pk] = org.desk_for(competent) or competent
        return self.desks[competent.pk]


def _step_count(item: dict) -> int:
    steps = item.get("TienDo")
    return min(len(steps), schema.MAX_STEPS) if isinstance(steps, list) else 0


def import_lines(lines, progress=None, batch: int = 5000, total: int | None = None) -> ImportReport:
    """Lines as text or as bytes (decoded one by one: a line that is not UTF-8 is refused alone)."""
    report = ImportReport()
    importer = Importer()
    task = progress.add_task("Nhập hồ sơ", total=total) if progress else None
    chunk: list[tuple[int, str | bytes]] = []
    for number, line in enumerate(lines, 1):
        report.lines += 1
        if line.strip():
            chunk.append((number, line))
        if len(chunk) >= batch:
            _load(importer, chunk, report)
            chunk = []
        if progress:
            progress.advance(task)
    if chunk:
        _load(importer, chunk, report)
    report.errors.sort(key=lambda e: e["line"])
    return report


def _refuse(report: ImportReport, number: int, code, error: str, vi: str, en: str) -> None:
    report.errors.append(
        {
            "line": number,
            "code": code if isinstance(code, str) and not bounds.text_problem(code) else None,
            "error": error,
            "problem": f"[{error}] {vi} / {en}"[:400],
        }
    )


def _parse(line: str | bytes):
    """One line: UTF-8 JSON, bounded depth, nothing a column cannot hold, an object (raises
    DomainError or PayloadError with a stable code)."""
    item = bounds.loads(line, max_depth=schema.MAX_ITEM_DEPTH)
    schema.check_raw(item)
    return item


def _load(importer: Importer, chunk: list, report: ImportReport) -> None:
    """One transaction per chunk: an interrupted import keeps whole chunks, and a rerun skips them.
    A bad line is refused alone, with its number and a stable code; the valid lines of the chunk
    load even so (should the database refuse the chunk, each line is written on its own)."""
    parsed = []
    for number, line in chunk:
        try:
            parsed.append((number, _parse(line)))
        except (DomainError, schema.PayloadError) as exc:
            _refuse(report, number, None, exc.code, exc.message_vi, exc.message_en)
    codes = [i.get("MaHoSo") for _, i in parsed]
    existing = set(
        Dossier.objects.filter(code__in=[c for c in codes if isinstance(c, str)]).values_list("code", flat=True)
    )
    dossier_ids = bulk.reserve_ids(Dossier, len(parsed))
    event_ids = bulk.reserve_ids(DossierEvent, len(parsed))
    step_ids = bulk.reserve_ids(DossierStep, sum(_step_count(i) for _, i in parsed))
    staged_lines: list[tuple[int, str, bulk.Batch]] = []
    seen: set[str] = set()
    for (number, item), did, eid in zip(parsed, dossier_ids, event_ids, strict=True):
        code = item.get("MaHoSo")
        if isinstance(code, str) and code in existing:
            report.skipped += 1
            continue
        if isinstance(code, str) and code in seen:
            _refuse(
                report,
                number,
                code,
                "duplicate_line",
                f"{code} xuất hiện hai lần trong tệp",
                f"{code} appears twice in the file",
            )
            continue
        ids = {"dossier": did, "event": eid, "steps": step_ids[: _step_count(item)]}
        staged = bulk.Batch()
        try:
            importer.add(staged, item, ids)
        except schema.PayloadError as exc:
            _refuse(report, number, code, exc.code, exc.message_vi, exc.message_en)
            continue
        except DomainError as exc:  # e.g. a date beyond the working calendar: this line only
            _refuse(report, number, code, exc.code, exc.message_vi, exc.message_en)
            continue
        except (ValueError, TypeError, ArithmeticError) as exc:
            _refuse(report, number, code, "invalid_line", "Dòng không hợp lệ", str(exc)[:200])
            continue
        del step_ids[: _step_count(item)]
        staged_lines.append((number, code, staged))
        seen.add(code)
    _write(importer, staged_lines, report)


def _write(importer: Importer, staged_lines: list, report: ImportReport) -> None:
    batch = bulk.Batch()
    for _, _, staged in staged_lines:
        for name in vars(batch):
            getattr(batch, name).extend(getattr(staged, name))
    try:
        report.imported += bulk.write(batch, importer.now)
        return
    except DatabaseError:
        pass  # a value the checks let through and the database refuses: find the line, keep the others
    for number, code, staged in staged_lines:
        try:
            report.imported += bulk.write(staged, importer.now)
        except DatabaseError as exc:
            _refuse(
                report, number, code, "not_storable", "Cơ sở dữ liệu từ chối dòng này", str(exc).splitlines()[0][:200]
            )
