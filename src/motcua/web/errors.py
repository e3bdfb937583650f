"""The pages people see when something goes wrong (400, 403, 404, 500): in the site's look and language
(Vietnamese, English when chosen), saying what happened in words and offering a way back. They are the
project's handlers (`motcua.urls`), so they answer whenever DEBUG is off; under /api/ the answer keeps the
API's error shape (`{code, message, message_en, details}`).

400 and 500 are rendered without the request's context (no user, no session, no context processors): what
broke the request must not break its error page. Should even that fail, a plain bilingual page answers.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# Views whose 404 means "this dossier": not in the user's scope, not theirs, or no such code (one answer).
DOSSIER_VIEWS = frozenset(
    {"backoffice:dossier", "backoffice:act", "portal:my-dossier", "portal:my-dossier-action", "portal:receipt"}
)
_API = {
    400: ("bad_request", "Yêu cầu không hợp lệ.", "Bad request."),
    403: ("forbidden", "Bạn không có quyền truy cập.", "Forbidden."),
    404: ("not_found", "Không tìm thấy.", "Not found."),
    500: ("server_error", "Hệ thống gặp sự cố; vui lòng thử lại sau.", "Server error; please try again later."),
}
_PLAIN = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Lỗi hệ thống / Server error</title></head>'
    "<body><h1>Xin lỗi, hệ thống đang gặp sự cố</h1><p>Vui lòng thử lại sau ít phút.</p>"
    '<p lang="en">Sorry, something went wrong on our side. Please try again in a few minutes.</p>'
    '<p><a href="/">Trang chủ / Home</a></p></body></html>'
)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in DOSSIER_VIEWS:
        title, message = _("Dossier not found"), _("The dossier is not in your scope or does not exist.")
    else:
        title = _("Page not found")
        message = _("The address may be mistyped, or the page no longer exists. Check it, or start again below.")
    return _page(request, 404, title, message)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    message = _("Your account may not open this page. If your work needs it, ask your agency's administrator.")
    return _page(request, 403, _("You may not open this page"), message)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    message = _("The address or the data sent could not be understood. Go back and try again.")
    return _page(request, 400, _("The request could not be understood"), message, bare=True)


def server_error(request: HttpRequest) -> HttpResponse:
    message = _(
        "What you were doing may not have been saved. Please try again in a few minutes; if it keeps happening, "
        "contact the one-stop desk."
    )
    return _page(request, 500, _("Sorry, something went wrong on our side"), message, bare=True)


def _page(request: HttpRequest, status: int, title: str, message: str, *, bare: bool = False) -> HttpResponse:
    if request.path.startswith("/api/"):
        code, vi, en = _API[status]
        body = {"code": code, "message": vi, "message_en": en, "details": None}
        return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")
    context = {"status": status, "title": title, "message": message, "back": _back(request)}
    try:
        if bare:  # no request context: no user, session or context processor to fail
            context |= {"province_name": settings.MOTCUA_SITE_NAME, "LANGUAGE_CODE": get_language()}
            html = loader.render_to_string("error.html", context)
        else:
            context["staff"] = getattr(getattr(request, "user", None), "kind", "") == "staff"
            html = loader.render_to_string("error.html", context, request=request)
    except Exception:  # the error page itself must answer
        log.exception("error page %s could not be rendered", status)
        return HttpResponse(_PLAIN, status=status)
    return HttpResponse(html, status=status)


def _back(request: HttpRequest) -> str:
    """The page the user came from, when it is on this site (never another site's address)."""
    try:
        referer = request.META.get("HTTP_REFERER", "")
        same_site = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
    except Exception:  # a request refused for its Host header has no host to compare with
        return ""
    return referer if referer and same_site and referer != request.build_absolute_uri() else ""
