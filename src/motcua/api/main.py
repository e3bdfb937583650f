"""The REST API: /api/v1/, OpenAPI 3 at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled, ValidationError
from ninja.throttling import AnonRateThrottle

from motcua import __version__
from motcua.api import catalog, workdays
from motcua.common.errors import DomainError

api = NinjaAPI(
    title="motcua API",
    version="1",
    description=(
        "Hệ thống thông tin giải quyết thủ tục hành chính — REST API. Errors always carry a stable `code`, "
        "a Vietnamese `message` and an English `message_en`."
    ),
    urls_namespace="api-v1",
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


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    body = {"code": f"http_{exc.status_code}", "message": str(exc), "message_en": str(exc)}
    return api.create_response(request, body, status=exc.status_code)


api.add_router("/v1/workdays", workdays.router)
api.add_router("/v1/procedures", catalog.router)


@api.get("/v1/version", tags=["meta"], summary="Software version")
def version(request):
    return {"name": "motcua", "version": __version__}
