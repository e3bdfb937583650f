"""The periodic report of administrative-procedure handling results per agency (báo cáo kết quả
giải quyết TTHC): received (carried over / new online / new at the desk or by post), handled
(early / on time / late), in progress (within time / overdue), as JSON, CSV or XLSX."""

from __future__ import annotations

import csv
import io

from django.db.models import Count, Q

from motcua.dossiers.models import DossierFact
from motcua.metrics.periods import Period, parse_period
from motcua.org.models import Agency
from motcua.protocol.index766 import MORE_THAN_ONE_REQUEST

COLUMNS = [
    ("carried_over", "Kỳ trước chuyển qua"),
    ("new_online", "Mới tiếp nhận trực tuyến"),
    ("new_direct", "Mới tiếp nhận trực tiếp, bưu chính"),
    ("received", "Tổng số nhận giải quyết"),
    ("early", "Đã giải quyết trước hạn"),
    ("on_time", "Đã giải quyết đúng hạn"),
    ("late", "Đã giải quyết quá hạn"),
    ("handled", "Tổng số đã giải quyết"),
    ("within", "Đang giải quyết trong hạn"),
    ("overdue", "Đang giải quyết quá hạn"),
    ("in_progress", "Tổng số đang giải quyết"),
]


def _counts(period: Period, agency_ids: list[int] | None) -> dict[int, dict]:
    start, end = period.bounds
    base = DossierFact.objects.filter(received_at__lt=end).exclude(ended_at__lt=start)
    if agency_ids is not None:  # the caller's agencies, as competent agency or as receiving desk
        base = base.filter(Q(agency_id__in=agency_ids) | Q(receiving_agency_id__in=agency_ids))
    open_at_end = Q(ended_at__isnull=True) | Q(ended_at__gte=end)
    # judged as the index judges (deadline plus supplement time; more than one request is late)
    overdue = open_at_end & (Q(index_due_at__lt=end) | MORE_THAN_ONE_REQUEST)
    ended_in = Q(ended_at__gte=start, ended_at__lt=end)
    rows = base.values("agency_id").annotate(
        n_carried_over=Count("pk", filter=Q(received_at__lt=start)),
        n_new_online=Count("pk", filter=Q(received_at__gte=start, channel=2)),
        n_new_direct=Count("pk", filter=Q(received_at__gte=start) & ~Q(channel=2)),
        n_early=Count("pk", filter=ended_in & Q(timeliness="early")),
        n_on_time=Count("pk", filter=ended_in & Q(timeliness="on_time")),
        n_late=Count("pk", filter=ended_in & Q(timeliness="late")),
        n_overdue=Count("pk", filter=overdue),
        n_open=Count("pk", filter=open_at_end),
    )
    out = {}
    for r in rows:
        c = {k[2:]: v for k, v in r.items() if k.startswith("n_")}
        c["received"] = c["carried_over"] + c["new_online"] + c["new_direct"]
        c["handled"] = c["early"] + c["on_time"] + c["late"]
        c["within"] = c.pop("open") - c["overdue"]
        c["in_progress"] = c["within"] + c["overdue"]
        out[r["agency_id"]] = c
    return out


def handling_report(period_text: str, agency_ids: list[int] | None = None) -> dict:
    """Rows per top-level agency (department or commune), plus the total."""
    period = parse_period(period_text)
    per_agency = _counts(period, agency_ids)
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=per_agency)}
    tops = {a.pk: a for a in Agency.objects.filter(parent__kind=Agency.Kind.PROVINCE_PC)}
    grouped: dict[int, dict] = {}
    for agency_id, counts in per_agency.items():
        agency = agencies[agency_id]
        top = next((t for t in tops.values() if agency.tree_path.startswith(t.tree_path)), agency)
        target = grouped.setdefault(top.pk, {"agency": top.name, "code": top.code, **{k: 0 for k, _ in COLUMNS}})
        for key, _ in COLUMNS:
            target[key] += counts[key]
    rows = sorted(grouped.values(), key=lambda r: r["agency"])
    total = {"agency": "Tổng cộng", "code": "", **{k: sum(r[k] for r in rows) for k, _ in COLUMNS}}
    return {
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "columns": [{"key": k, "label": label} for k, label in COLUMNS],
        "rows": rows,
        "total": total,
    }


def to_csv(report: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Đơn vị", "Mã", *[label for _, label in COLUMNS]])
    for row in [*report["rows"], report["total"]]:
        writer.writerow([row["agency"], row["code"], *[row[k] for k, _ in COLUMNS]])
    return buffer.getvalue()


def to_xlsx(report: dict, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "Ket qua giai quyet"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells("A1:M1")
    ws["A1"] = "BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=14), center
    ws.merge_cells("A2:M2")
    ws["A2"] = f"{title} — Kỳ báo cáo: {report['start']} đến {report['end']}"
    ws["A2"].alignment = center
    groups = [
        ("A4:A5", "STT"),
        ("B4:B5", "Đơn vị"),
        ("C4:F4", "Số hồ sơ nhận giải quyết"),
        ("G4:J4", "Kết quả giải quyết"),
        ("K4:M4", "Số hồ sơ đang giải quyết"),
    ]
    for cells, label in groups:
        ws.merge_cells(cells)
        ws[cells.split(":")[0]] = label
    subs = [
        "Kỳ trước chuyển qua",
        "Trực tuyến",
        "Trực tiếp, bưu chính",
        "Tổng số",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Tổng số",
        "Trong hạn",
        "Quá hạn",
        "Tổng số",
    ]
    for col, label in enumerate(subs, start=3):
        ws.cell(row=5, column=col, value=label)
    keys = [
        "carried_over",
        "new_online",
        "new_direct",
        "received",
        "early",
        "on_time",
        "late",
        "handled",
        "within",
        "overdue",
        "in_progress",
    ]
    for n, row in enumerate([*report["rows"], report["total"]], start=1):
        r = 5 + n
        ws.cell(row=r, column=1, value=n if row["code"] else "")
        ws.cell(row=r, column=2, value=row["agency"])
        for col, key in enumerate(keys, start=3):
            ws.cell(row=r, column=col, value=row[key])
        if not row["code"]:
            for col in range(1, 14):
                ws.cell(row=r, column=col).font = Font(bold=True)
    for row in ws.iter_rows(min_row=4, max_row=5 + len(report["rows"]) + 1, max_col=13):
        for cell in row:
            cell.border = box
            if cell.row <= 5:
                cell.alignment, cell.font = center, Font(bold=True)
    ws.column_dimensions["B"].width = 48
    for col in "CDEFGHIJKLM":
        ws.column_dimensions[col].width = 13
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
