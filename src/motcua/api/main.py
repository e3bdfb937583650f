"""The REST API: /api/v1/, OpenAPI 3 at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled, ValidationError
from ninja.throttling import AnonRateThrottle

from motcua import __version__
from motcua.api import catalog, dossiers, index, tracking, workdays
from motcua.api.renderer import VietnamJSONRenderer
from motcua.common.errors import DomainError

api = NinjaAPI(
    title="motcua API",
    version="1",
    description=(
        "Hệ thống thông tin giải quyết thủ tục hành chính — REST API. Errors always carry a stable `code`, "
        "a Vietnamese `message` and an English `message_en`."
    ),
    urls_namespace="api-v1",
    renderer=VietnamJSONRenderer(),
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Public lookups are rate-limited per client address (Django cache; use Redis in production).
    throttle=[AnonRateThrottle(settings.MOTCUA_PUBLIC_API_RATE)],
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    problems = [{"loc": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")} for e in exc.errors]
    body = {
        "code": "invalid_input",
        "message": "Dữ liệu gửi lên không hợp lệ.",
        "message_en": "The request is invalid.",
        "details": {"problems": problems},
    }
    return api.create_response(request, body, status=400)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig):
    body = {
        "code": "payload_too_large",
        "message": "Dữ liệu gửi lên quá lớn.",
        "message_en": "The request body is too large.",
    }
    return api.create_response(request, body, status=413)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled):
    body = {
        "code": "rate_limited",
        "message": "Quá nhiều yêu cầu, vui lòng thử lại sau ít phút.",
        "message_en": "Too many requests, please try again shortly.",
    }
    response = api.create_response(request, body, status=429)
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


HTTP_ERRORS = {
    400: (
        "invalid_input",
        "Dữ liệu gửi lên không hợp lệ (JSON không đọc được).",
        "The request body could not be read.",
    ),
    401: ("unauthorized", "Cần đăng nhập hoặc mã truy cập (Bearer).", "Log in or send a Bearer token."),
    403: ("forbidden", "Không có quyền.", "Forbidden."),
    404: ("not_found", "Không tìm thấy.", "Not found."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ.", "Method not allowed."),
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    code, vi, en = HTTP_ERRORS.get(exc.status_code, (f"http_{exc.status_code}", str(exc), str(exc)))
    return api.create_response(request, {"code": code, "message": vi, "message_en": en}, status=exc.status_code)


api.add_router("/v1/workdays", workdays.router)
api.add_router("/v1/procedures", catalog.router)
api.add_router("/v1/dossiers", dossiers.router)
api.add_router("/v1/public", tracking.router)
api.add_router("/v1/index", index.router)
api.add_router("/v1/reports", index.reports_router)


@api.get("/v1/version", tags=["meta"], summary="Software version")
def version(request):
    return {"name": "motcua", "version": __version__}
