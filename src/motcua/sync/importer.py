"""Historical import: dossiers from an older system, one national-format snapshot per JSONL line.

Each line is validated on its own; errors are reported with their line number and valid lines are
loaded (COPY on PostgreSQL), with a hash-chained "import" event, a fact row and a pending sync row,
so the worker then delivers them. Re-running the same file skips dossiers already imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone

from motcua.catalog.models import ProcedureVersion
from motcua.demo.generator import DOSSIER_COLS, EVENT_COLS, FACT_COLS, SYNC_COLS, _insert
from motcua.dossiers import timing
from motcua.dossiers.events import GENESIS, chain_hash, event_body
from motcua.dossiers.models import Dossier, DossierEvent, DossierFact
from motcua.national.services import parse_ts
from motcua.org import selectors as org
from motcua.org.models import Agency
from motcua.sync.models import SyncState


@dataclass
class ImportReport:
    lines: int = 0
    imported: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)


class Importer:
    def __init__(self):
        self.versions: dict[str, ProcedureVersion | None] = {}
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.desks: dict[int, Agency | None] = {}
        self.now = timezone.now()

    def version(self, code: str) -> ProcedureVersion | None:
        if code not in self.versions:
            self.versions[code] = (
                ProcedureVersion.objects.filter(procedure__code=code)
                .exclude(status=ProcedureVersion.Status.DRAFT)
                .order_by("-version")
                .first()
            )
        return self.versions[code]

    def row(self, item: dict, ids: tuple[int, int]) -> tuple[list, list, list, list]:
        """Rows for one valid snapshot (raises ValueError with a reason otherwise)."""
        code = item.get("MaHoSo")
        if not isinstance(code, str) or not 5 <= len(code) <= 40:
            raise ValueError("MaHoSo is missing or invalid")
        version = self.version(str(item.get("MaTTHC", "")))
        if version is None:
            raise ValueError(f"unknown procedure MaTTHC={item.get('MaTTHC')!r}")
        competent = self.agencies.get(item.get("DonViXuLy"))
        if competent is None:
            raise ValueError(f"unknown agency DonViXuLy={item.get('DonViXuLy')!r}")
        desk = self.agencies.get(item.get("NoiNopHoSo")) or self._desk(competent)
        status, channel = item.get("TrangThaiHoSo"), item.get("KenhThucHien")
        if status not in range(1, 11) or channel not in (1, 2, 3):
            raise ValueError("TrangThaiHoSo must be 1–10 and KenhThucHien 1–3")
        name = str(item.get("ChuHoSo") or "").strip()
        if not name:
            raise ValueError("ChuHoSo is required")
        dates = {k: _date(item, k) for k in ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra")}
        if dates["NgayNopHoSo"] is None:
            raise ValueError("NgayNopHoSo is required")
        waited, count = _supplements(item.get("DanhSachHoSoBoSung") or [])
        dossier_id, event_id = ids
        body = event_body(code, 1, "import", None, status, None, self.now, {"source": "import"})
        digest = chain_hash(GENESIS, body)
        fee = sum(int(f.get("Gia") or 0) for f in item.get("DanhSachLePhi") or [])
        paid = item.get("DuocThanhToanTrucTuyen") in (1, 2)
        d = SimpleNamespace(
            received_at=dates["NgayTiepNhan"],
            first_appointment_at=dates["NgayHenTra"],
            ended_at=dates["NgayKetThucXuLy"],
            status=status,
            supplement_count=count,
            supplement_seconds=waited,
            paused_at=None,
        )
        docs = item.get("TaiLieuNop") or []
        dossier = [
            dossier_id,
            code,
            version.procedure_id,
            version.pk,
            status,
            channel,
            item.get("LoaiDoiTuong") or 1,
            name[:255],
            str(item.get("SoDinhDanh") or "")[:20],
            str(item.get("SoDienThoai") or "")[:20],
            "",
            "",
            False,
            desk.pk,
            competent.pk,
            competent.commune_id,
            "{}",
            dates["NgayNopHoSo"],
            dates["NgayTiepNhan"],
            dates["NgayHenTra"],
            dates["NgayHenTra"],
            dates["NgayHenTra"],
            None,
            dates["NgayKetThucXuLy"],
            dates["NgayTra"],
            "",
            None,
            None,
            count,
            waited,
            False,
            fee,
            0,
            None,
            paid,
            None,
            1,
            digest,
            self.now,
        ]
        event = [
            event_id,
            dossier_id,
            1,
            "import",
            None,
            status,
            self.now,
            json.dumps({"source": "import"}),
            GENESIS,
            digest,
        ]
        fact = [
            dossier_id,
            version.procedure_id,
            version.pk,
            competent.pk,
            desk.pk,
            None,
            status,
            channel,
            version.online_level,
            dates["NgayNopHoSo"],
            dates["NgayTiepNhan"],
            dates["NgayHenTra"],
            dates["NgayHenTra"],
            dates["NgayKetThucXuLy"],
            dates["NgayTra"],
            count,
            waited,
            False,
            fee > 0,
            paid,
            bool(docs) and all(x.get("DuocSoHoa") for x in docs),
            any(x.get("DuocTaiSuDung") for x in docs),
            bool(item.get("DanhSachGiayToKetQua")) and status in (9, 10),
            version.paper_result_required,
            timing.classify(d, self.now) if d.ended_at else "",
            "[]",
            self.now,
        ]
        sync = [dossier_id, 1, 0, True, self.now, self.now, 0, False, "", ""]
        return dossier, event, fact, sync

    def _desk(self, competent: Agency) -> Agency:
        if competent.pk not in self.desks:
            self.desks[competent.pk] = org.desk_for(competent) or competent
        return self.desks[competent.pk]


def _date(item: dict, key: str) -> datetime | None:
    try:
        return parse_ts(item.get(key))
    except ValueError:
        raise ValueError(f"{key} must be yyyyMMddHHmmss") from None


def _supplements(items: list) -> tuple[int, int]:
    waited = 0
    for s in items:
        asked, answered = _date(s, "NgayBoSung"), _date(s, "NgayTiepNhanBoSung")
        if asked and answered:
            waited += int((answered - asked).total_seconds())
    return waited, len(items)


def reserve_ids(model, n: int) -> list[int]:
    """Ids from the table's own sequence on PostgreSQL (safe beside live writers)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # SQLite: one writer at a time
        top = cursor.fetchone()[0]
    return list(range(top + 1, top + n + 1))


def import_lines(lines, progress=None, batch: int = 5000, total: int | None = None) -> ImportReport:
    report = ImportReport()
    importer = Importer()
    task = progress.add_task("Nhập hồ sơ", total=total) if progress else None
    chunk: list[tuple[int, dict]] = []
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
    return report


def _load(importer: Importer, chunk: list, report: ImportReport) -> None:
    parsed = []
    for number, line in chunk:
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("each line must be a JSON object")
            parsed.append((number, item))
        except ValueError as exc:
            report.errors.append({"line": number, "problem": str(exc)[:300]})
    codes = [i.get("MaHoSo") for _, i in parsed]
    existing = set(
        Dossier.objects.filter(code__in=[c for c in codes if isinstance(c, str)]).values_list("code", flat=True)
    )
    with transaction.atomic():
        dossier_ids = reserve_ids(Dossier, len(parsed))
        event_ids = reserve_ids(DossierEvent, len(parsed))
        rows: tuple[list, list, list, list] = ([], [], [], [])
        seen = set()
        for (number, item), ids in zip(parsed, zip(dossier_ids, event_ids, strict=True), strict=True):
            code = item.get("MaHoSo")
            if code in existing:
                report.skipped += 1
                continue
            if code in seen:
                report.errors.append({"line": number, "problem": f"{code} appears twice in the file"})
                continue
            try:
                for target, row in zip(rows, importer.row(item, ids), strict=True):
                    target.append(row)
            except (ValueError, TypeError) as exc:
                report.errors.append({"line": number, "problem": str(exc)[:300]})
                continue
            seen.add(code)
        _insert(Dossier, DOSSIER_COLS, rows[0])
        _insert(DossierEvent, EVENT_COLS, rows[1])
        _insert(DossierFact, FACT_COLS, rows[2])
        _insert(SyncState, SYNC_COLS, rows[3])
        report.imported += len(rows[0])
