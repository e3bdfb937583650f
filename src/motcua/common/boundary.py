"""The node's HTTP boundary refuses text no column may hold: control characters (other than tab and line
breaks) and lone surrogates in the URL's path, its query string and form posts (every field and file name),
on every page and endpoint, before any view runs. A NUL thus never reaches the database, a log line or the
national sync (PostgreSQL refuses it, and would stall whichever side first tries to store it).

The answer is 400 with the stable code `control_characters` (or `invalid_unicode`): JSON under /api/,
a short page elsewhere. JSON bodies are the API's to check (`api.schemas.BodyIn`), with the same rule.
"""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import escape

from motcua.common.bounds import PROBLEMS, text_problem

CODES = {"control_character": "control_characters", "invalid_unicode": "invalid_unicode"}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _form_values(request):
    for key, values in request.POST.lists():
        yield key
        yield from values
    for key, files in request.FILES.lists():
        yield key
        yield from (f.name or "" for f in files)


def problem_of(request) -> tuple[str, str] | None:
    """(problem, where) for the first unfit text of the request's URL or form, or None."""
    if problem := text_problem(request.path_info):
        return problem, "path"
    for key, values in request.GET.lists():
        for value in (key, *values):
            if problem := text_problem(value):
                return problem, "query"
    if request.method in ("POST", "PUT", "PATCH") and request.content_type in FORM_TYPES:
        try:
            values = list(_form_values(request))
        except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError, UnicodeDecodeError):
            return None  # the view answers these as it always has
        for value in values:
            if problem := text_problem(value):
                return problem, "form"
    return None


def refusal(request, problem: str, where: str) -> HttpResponse:
    code = CODES.get(problem, problem)
    vi, en = PROBLEMS[problem]
    message_vi, message_en = f"Dữ liệu gửi lên không hợp lệ: {vi.lower()} ({where}).", f"The request {en} ({where})."
    if request.path.startswith("/api/"):
        body = {"code": code, "message": message_vi, "message_en": message_en, "details": {"location": where}}
        return HttpResponse(json.dumps(body, ensure_ascii=False), status=400, content_type="application/json")
    page = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>400</title></head><body>'
        f'<h1>{escape(message_vi)}</h1><p lang="en">{escape(message_en)}</p><p><code>{code}</code></p>'
        '<p><a href="/">Trang chủ / Home</a></p></body></html>'
    )
    return HttpResponse(page, status=400, content_type="text/html; charset=utf-8")


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = problem_of(request)
        if found:
            return refusal(request, *found)
        return self.get_response(request)
