"""National monitor endpoints in the national integration style, and the monitor page."""

from __future__ import annotations

import json
from datetime import date

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.common.errors import DomainError
from motcua.national import services
from motcua.national.models import Node

MAX_BATCH = 5000


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse(
        {"error_code": exc.code, **exc.as_dict()}, status=exc.status, json_dumps_params={"ensure_ascii": False}
    )


def _node(request: HttpRequest) -> Node:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise services.Unauthorized("unauthorized", "Thiếu mã truy cập.", "Missing bearer token.")
    return services.node_for_token(header[7:])


def _json(request: HttpRequest):
    try:
        return json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DomainError("invalid_json", "Dữ liệu không phải JSON hợp lệ.", "The body is not valid JSON.") from None


@csrf_exempt
@require_POST
def auth(request):
    try:
        body = _json(request)
        token = services.issue_token(str(body.get("client_id", "")), str(body.get("client_secret", "")))
    except DomainError as exc:
        return _error(exc)
    return JsonResponse(
        {"error_code": 0, "access_token": token, "token_type": "Bearer", "expires_in": services.TOKEN_TTL_SECONDS}
    )


@csrf_exempt
@require_POST
def integration(request):
    """{"service": "DongBoHoSoMC" | "CapNhatTienDoHoSoMC", "isUpdating": …, "data": [...]} → per-item results."""
    try:
        node = _node(request)
        services.verify_signature(node, request.body, request.headers.get("X-Signature", ""))
        body = _json(request)
        data = body.get("data")
        if not isinstance(data, list) or len(data) > MAX_BATCH:
            raise DomainError(
                "invalid_batch",
                f"'data' phải là danh sách tối đa {MAX_BATCH} hồ sơ.",
                f"'data' must be a list of at most {MAX_BATCH} items.",
            )
        service = body.get("service")
        if service == "DongBoHoSoMC":
            total = body.get("tongSoHoSo")
            results = services.ingest_dossiers(node, data, total if isinstance(total, int) else None)
        elif service == "CapNhatTienDoHoSoMC":
            results = services.ingest_progress(node, data)
        else:
            raise DomainError("unknown_service", "Dịch vụ không hỗ trợ.", "Unknown service.")
    except DomainError as exc:
        return _error(exc)
    accepted = sum(1 for r in results if r["KetQua"] == "accepted")
    return JsonResponse(
        {"error_code": 0, "accepted": accepted, "rejected": len(results) - accepted, "results": results},
        json_dumps_params={"ensure_ascii": False},
    )


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise DomainError("invalid_date", "Ngày không hợp lệ (YYYY-MM-DD).", "Invalid date (YYYY-MM-DD).") from None


@require_GET
def digests(request):
    try:
        node = _node(request)
        first, last = _day(request.GET.get("from")), _day(request.GET.get("to"))
        if (last - first).days > 400:
            raise DomainError("range_too_long", "Tối đa 400 ngày.", "At most 400 days.")
    except DomainError as exc:
        return _error(exc)
    return JsonResponse({"error_code": 0, "days": services.day_digests(node, first, last)})


@require_GET
def versions(request):
    try:
        node = _node(request)
        held = services.day_versions(node, _day(request.GET.get("date")))
    except DomainError as exc:
        return _error(exc)
    return JsonResponse({"error_code": 0, "versions": held})


@csrf_exempt
@require_POST
def report(request):
    try:
        node = _node(request)
        services.verify_signature(node, request.body, request.headers.get("X-Signature", ""))
        b = _json(request)
        services.file_report(
            node,
            _day(b.get("from")),
            _day(b.get("to")),
            int(b["received"]),
            b["on_time_rate"],
            b.get("online_rate"),
            filed_by=f"node:{node.code}",
        )
    except (KeyError, TypeError, ValueError):
        return _error(DomainError("invalid_report", "Báo cáo thiếu số liệu.", "The report lacks figures."))
    except DomainError as exc:
        return _error(exc)
    return JsonResponse({"error_code": 0})


@staff_member_required
def monitor(request):
    rows = []
    year = str(timezone.localdate().year)
    for node in Node.objects.filter(active=True):
        report = node.reports.first()
        synced = services.synced_figures(node, report.period_start, report.period_end) if report else None
        gap = (
            (float(report.on_time_rate) - synced["on_time_rate"])
            if report and synced["on_time_rate"] is not None
            else None
        )
        rows.append(
            {
                "node": node,
                "rates": services.node_rates(node),
                "index_total": services.node_index(node, year)["total"],
                "report": report,
                "synced": synced,
                "gap": gap,
                "gap_big": gap is not None and abs(gap) >= 5,
            }
        )
    return render(request, "national/monitor.html", {"rows": rows, "nodes": Node.objects.filter(active=True)})


@staff_member_required
@require_POST
def file_report(request):
    try:
        node = Node.objects.get(pk=request.POST.get("node"))
        services.file_report(
            node,
            _day(request.POST.get("from")),
            _day(request.POST.get("to")),
            int(request.POST.get("received", "0")),
            request.POST.get("on_time_rate"),
            request.POST.get("online_rate") or None,
            filed_by=request.user.username,
        )
        messages.success(request, "Đã ghi nhận số liệu báo cáo.")
    except (Node.DoesNotExist, ValueError, DomainError) as exc:
        messages.error(request, getattr(exc, "message_vi", "Số liệu không hợp lệ."))
    return redirect("national:monitor")
