"""The REST API: /api/v1/, OpenAPI 3 at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, Throttled, ValidationError
from ninja.throttling import BaseThrottle

from motcua import __version__
from motcua.api import catalog, dossiers, index, tracking, workdays
from motcua.api.renderer import VietnamJSONRenderer
from motcua.api.schemas import BODY_CODES, PARAM_CODES, PUBLIC_ERRORS
from motcua.common import ratelimit
from motcua.common.errors import DomainError


class ClientRateThrottle(BaseThrottle):
    """Anonymous API requests per client address (`MOTCUA_PUBLIC_API_RATE`), counted in the shared cache
    (`common.ratelimit`: Redis in production, so every worker draws on one budget)."""

    def allow_request(self, request: HttpRequest) -> bool:
        return getattr(request, "auth", None) is not None or ratelimit.allow(
            request, "api", settings.MOTCUA_PUBLIC_API_RATE
        )

    def wait(self) -> float:
        return ratelimit.rate_of(settings.MOTCUA_PUBLIC_API_RATE).seconds


def staff_docs(view):
    """Swagger UI (/api/docs) and the OpenAPI JSON: open in the demo and the tests, staff only in production.

    In production the anonymous are sent to the login page and citizens get 403; integrators read the same
    schema from the source (docs/openapi.json). See docs/deployment.md."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs):
        user = request.user
        if settings.MOTCUA_DEV or (user.is_authenticated and (user.is_staff or getattr(user, "kind", "") == "staff")):
            return view(request, *args, **kwargs)
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied

    return guarded


api = NinjaAPI(
    title="motcua API",
    version="1",
    description=(
        "Hệ thống thông tin giải quyết thủ tục hành chính — REST API. Errors always carry a stable `code`, "
        "a Vietnamese `message` and an English `message_en`. A parameter outside its documented bounds answers 400 "
        "with its own code (`invalid_period`, `invalid_scope`, `unknown_config`, `invalid_limit`, `invalid_cursor`, "
        "`invalid_status`, `invalid_date`, `unknown_unit`) or `invalid_input`. Text anywhere (path, query, JSON "
        "body) may not hold control characters other than tab, line feed and carriage return, nor lone surrogates: "
        "400 `control_characters` or `invalid_unicode`; a JSON body nests at most 16 levels (`too_deep`) and its "
        "numbers are finite (`not_finite`) and within 64 bits (`number_too_large`). Anonymous requests are limited "
        "per client address (429 `rate_limited`, with Retry-After)."
    ),
    urls_namespace="api-v1",
    renderer=VietnamJSONRenderer(),
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=staff_docs,
    throttle=[ClientRateThrottle()],
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if isinstance(exc, ratelimit.RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _problem_code(error: dict) -> str:
    """The stable code of one validation error: a parameter's own (`invalid_period`, …), a body's boundary
    refusal (`control_characters`, …), else `invalid_input`."""
    loc = error.get("loc", ())
    if loc and loc[0] in ("query", "path"):  # ("query", "limit"), ("query", "q", "status", 0)
        named = next((part for part in loc[1:] if part in PARAM_CODES), None)
        if named:
            return PARAM_CODES[named]
    kind = str(error.get("type", ""))
    return kind if kind in BODY_CODES else "invalid_input"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    problems = [
        {"loc": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", ""), "code": _problem_code(e)}
        for e in exc.errors
    ]
    codes = {p["code"] for p in problems}
    body = {
        "code": codes.pop() if len(codes) == 1 else "invalid_input",
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


class VersionOut(Schema):
    name: str
    version: str


@api.get("/v1/version", response={200: VersionOut, **PUBLIC_ERRORS}, tags=["meta"], summary="Software version")
def version(request):
    return {"name": "motcua", "version": __version__}
