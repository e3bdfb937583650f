"""National monitor endpoints in the national integration style, and the monitor page."""

from __future__ import annotations

import logging
from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.common import bounds
from motcua.common.errors import DomainError, InvalidInput
from motcua.national import services
from motcua.national.models import Node
from motcua.protocol import codec, schema

log = logging.getLogger("motcua.national")


class TooLarge(DomainError):
    status = 413


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse(
        {"error_code": exc.code, **exc.as_dict()}, status=exc.status, json_dumps_params={"ensure_ascii": False}
    )


def _node(request: HttpRequest) -> Node:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise services.Unauthorized("unauthorized", "Thiếu mã truy cập.", "Missing bearer token.")
    return services.node_for_token(header[7:])


def _body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise TooLarge(
            "body_too_large",
            f"Nội dung yêu cầu vượt quá {limit} byte; hãy gửi lô nhỏ hơn.",
            f"The body is larger than {limit} bytes; send smaller batches.",
        ) from None


def _json(request: HttpRequest, values: bool = True):
    """The body as JSON: UTF-8, bounded depth and (unless each item is checked on its own) nothing a
    column cannot hold (`common.bounds`)."""
    return bounds.loads(_body(request) or b"{}", values=values)


def _object(request: HttpRequest, values: bool = True) -> dict:
    body = _json(request, values)
    if not isinstance(body, dict):
        raise InvalidInput(
            "invalid_body", "Nội dung yêu cầu phải là một đối tượng JSON.", "The body must be a JSON object."
        )
    return body


def _refused(exc: schema.PayloadError) -> InvalidInput:
    return InvalidInput(exc.code, exc.message_vi, exc.message_en)


@csrf_exempt
@require_POST
def auth(request):
    try:
        body = _object(request)
        client_id, secret = body.get("client_id"), body.get("client_secret")
        if not isinstance(client_id, str) or not isinstance(secret, str) or len(client_id) > 64 or len(secret) > 128:
            raise services.Unauthorized(
                "invalid_credentials", "Sai mã định danh hoặc khóa bí mật.", "Invalid client credentials."
            )
        token = services.issue_token(client_id, secret)
    except DomainError as exc:
        return _error(exc)
    return JsonResponse(
        {"error_code": 0, "access_token": token, "token_type": "Bearer", "expires_in": services.TOKEN_TTL_SECONDS}
    )


@csrf_exempt
@require_POST
def integration(request):
    """{"service": "DongBoHoSoMC" | "CapNhatTienDoHoSoMC", "isUpdating": …, "data": [...], "tongSoHoSo": n,
    "thoiDiemGui": ms} → one answer per item, in order. A request of the wrong shape is refused whole
    with 400 (413 when too large) and a stable code; a bad item is refused alone."""
    try:
        node = _node(request)
        services.verify_signature(node, _body(request), request.headers.get("X-Signature", ""))
        try:
            envelope = schema.parse_envelope(_json(request, values=False))
        except schema.PayloadError as exc:
            raise _refused(exc) from None
        extra = {}
        if envelope.service == "DongBoHoSoMC":
            results = services.ingest_dossiers(node, envelope.data)
            if envelope.total is not None:
                extra["total_applied"] = services.declare_total(node, envelope.total, envelope.sent_at)
        else:
            results = services.ingest_progress(node, envelope.data)
    except DomainError as exc:
        return _error(exc)
    accepted = sum(1 for r in results if r["KetQua"] == "accepted")
    return JsonResponse(
        {"error_code": 0, "accepted": accepted, "rejected": len(results) - accepted, "results": results, **extra},
        json_dumps_params={"ensure_ascii": False},
    )


def _day(value: str | None) -> date:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        day = None
    if day is None or not codec.YEARS[0] <= day.year <= codec.YEARS[1]:
        raise InvalidInput(
            "invalid_date",
            f"Ngày không hợp lệ (YYYY-MM-DD, năm {codec.YEARS[0]}–{codec.YEARS[1]}).",
            f"Invalid date (YYYY-MM-DD, years {codec.YEARS[0]}–{codec.YEARS[1]}).",
        )
    return day


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
    """A node files the figures of its own report, for itself only (its token names it)."""
    try:
        node = _node(request)
        services.verify_signature(node, _body(request), request.headers.get("X-Signature", ""))
        services.file_report(node, _object(request, values=False), filed_by=f"node:{node.code}")
    except DomainError as exc:
        return _error(exc)
    return JsonResponse({"error_code": 0})


def monitor_access(view):
    """The monitor's pages: log in first; then staff or a monitor role (403 otherwise)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "admin:login")
        if not services.may_view(request.user):
            return HttpResponseForbidden("Không có quyền / Forbidden")
        return view(request, *args, **kwargs)

    return wrapped


def sync_health(node: Node, now) -> str:
    """How a node syncs: "never" (it has never delivered a batch), "stale" (none for longer than
    MOTCUA_SYNC_STALE_MINUTES: its worker is down or posts elsewhere, e.g. a wrong MOTCUA_NATIONAL_URL) or "ok"."""
    if node.last_sync_at is None:
        return "never"
    minutes = (now - node.last_sync_at).total_seconds() / 60
    return "stale" if minutes > settings.MOTCUA_SYNC_STALE_MINUTES else "ok"


@monitor_access
def monitor(request):
    rows = []
    year = str(timezone.localdate().year)
    now = timezone.now()
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
                "health": sync_health(node, now),
            }
        )
    context = {"rows": rows, "nodes": services.filing_nodes(request.user)}
    context |= {"silent": [r for r in rows if r["health"] != "ok"], "stale_minutes": settings.MOTCUA_SYNC_STALE_MINUTES}
    return render(request, "national/monitor.html", context)


@monitor_access
@require_POST
def file_report(request):
    """Figures filed by hand: monitor administrators for any node, a node's reporting officer for
    that node only; anyone else (an inspector too) gets 403 and nothing is stored."""
    raw = request.POST.get("node", "")
    node = (
        Node.objects.filter(active=True, pk=int(raw)).first()
        if raw.isascii() and raw.isdigit() and len(raw) < 19
        else None
    )
    try:
        if node is None:
            raise InvalidInput("unknown_node", "Không có nút này.", "No such node.")
        services.check_may_file(request.user, node)
        services.file_report(
            node,
            {k: request.POST.get(k) for k in ("from", "to", "received", "on_time_rate", "online_rate")},
            filed_by=request.user.get_username(),
        )
    except services.Forbidden as exc:
        log.warning("monitor write refused", extra={"user": request.user.pk, "node": node.code if node else ""})
        return HttpResponseForbidden(f"{exc.message_vi} / {exc.message_en}")
    except DomainError as exc:
        messages.error(request, f"{exc.message_vi} / {exc.message_en}")
        return redirect("national:monitor")
    messages.success(request, "Đã ghi nhận số liệu báo cáo.")
    return redirect("national:monitor")
