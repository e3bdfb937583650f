"""One-stop back office (Một cửa điện tử): inbox, counter intake, dossier handling."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from motcua.backoffice.forms import IntakeApplicantForm, form_for
from motcua.backoffice.inbox import (
    INBOX_STATUSES,
    action_panels,
    allowed_actions,
    deadline_badge,
    label_of,
    status_counts,
)
from motcua.catalog import selectors as catalog
from motcua.common import clock
from motcua.common.errors import DomainError
from motcua.common.params import int_param as _int  # bounded: a 23-digit cursor is no cursor
from motcua.documents.services import store_upload
from motcua.dossiers import selectors, services
from motcua.dossiers.models import Status
from motcua.feedback.models import Rating
from motcua.portal.forms import ApplicantForm

PAGE = 25


def staff_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if request.user.kind != "staff" and not request.user.is_superuser:
            return redirect("portal:my-dossiers")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


@staff_required
def inbox(request):
    g = request.GET
    typed = (g.get("ma") or "").strip()
    found = selectors.find_code(request.user, typed) if typed else []
    if len(found) == 1:  # "Mở hồ sơ theo mã": any case, stray spaces, or the short form of the officer's desk
        url = reverse("backoffice:dossier", args=[found[0].code])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    chosen = g.getlist("status")  # open dossiers unless asked otherwise ("all", or one state)
    filters = selectors.ListFilters(
        status=[s for s in (_int(x) for x in chosen) if s in Status.values]
        or (None if "all" in chosen else [int(s) for s in INBOX_STATUSES]),
        overdue=True if g.get("qua_han") else None,
        at_risk=True if g.get("nguy_co") else None,
        procedure=g.get("thu_tuc") or None,
        assignee=request.user.username if g.get("cua_toi") else None,
        cursor=_int(g.get("sau")),
        limit=PAGE,
    )
    # several desks' dossiers answer a short form; none in scope is said in words, the same whether it
    # exists elsewhere or not, above the usual list
    rows, cursor = (found, None) if found else selectors.list_dossiers(request.user, filters)
    selectors.log_staff_reads(request.user, rows, "inbox", request.META.get("REMOTE_ADDR"))
    now = clock.now()
    items = [{"d": d, "badge": deadline_badge(d, now)} for d in rows]
    context = {
        "items": items,
        "next": cursor,
        "counts": status_counts(request.user),
        "g": g,
        "status": chosen[0] if chosen else "open",
        "statuses": Status.choices,
        "typed": typed,
        "code_errors": [{"id": "ma", "message": _("The dossier is not in your scope or does not exist.")}]
        if typed and not found
        else [],
    }
    template = "backoffice/_inbox_rows.html" if request.htmx else "backoffice/inbox.html"
    return render(request, template, context)


@staff_required
def intake(request):
    code = request.GET.get("thu_tuc") or request.POST.get("thu_tuc") or ""
    version = None
    if code:
        try:
            version = catalog.version_in_force(code)
        except DomainError as exc:
            messages.error(request, exc.message_vi)
    data = request.POST if request.method == "POST" else None
    applicant = ApplicantForm(
        data,
        province=settings.MOTCUA_PROVINCE_CODE,
        needs_commune=bool(version and not version.competent_agency_id),
        prefix="nn",
    )
    meta = IntakeApplicantForm(data, prefix="tn")
    if request.method == "POST" and version and applicant.is_valid() and meta.is_valid():
        try:
            components = _intake_components(request, version)
            a = applicant.cleaned_data
            dossier = services.submit(
                request.user,
                services.Submission(
                    procedure_code=code,
                    applicant_type=a["applicant_type"],
                    applicant_name=a["name"],
                    applicant_phone=a["phone"],
                    applicant_id_number=a["id_number"],
                    applicant_email=a["email"],
                    applicant_address=a["address"],
                    commune_code=a["commune"] or None,
                    channel=meta.cleaned_data["channel"],
                    on_behalf=meta.cleaned_data["on_behalf"],
                    components=components,
                    form_data=_form_data(request, version),
                ),
            )
        except DomainError as exc:
            messages.error(request, exc.message_vi)
        else:
            messages.success(
                request,
                _("Dossier %(code)s received; appointment %(when)s.")
                % {"code": dossier.code, "when": dossier.appointment_at.astimezone().strftime("%H:%M %d/%m/%Y")},
            )
            return redirect("backoffice:dossier", code=dossier.code)
    procedures = catalog.search_procedures(request.GET.get("q")).select_related("field")[:200] if not version else []
    return render(
        request,
        "backoffice/intake.html",
        {
            "version": version,
            "applicant": applicant,
            "meta": meta,
            "procedures": procedures,
            "q": request.GET.get("q", ""),
            "posted": request.POST,
        },
    )


def _intake_components(request, version) -> list[dict]:
    out = []
    for c in version.components.all():
        if not request.POST.get(f"co_{c.code}"):
            continue
        item = {"code": c.code, "provided": True}
        upload = request.FILES.get(f"scan_{c.code}")
        if upload:
            item.update(file_ref=str(store_upload(upload, request.user).id), digitized=True)
        out.append(item)
    return out


def _form_data(request, version) -> dict:
    names = version.form_schema.get("properties", {}) if version.form_schema else {}
    return {n: request.POST.get(f"tk_{n}") for n in names if request.POST.get(f"tk_{n}")}


@staff_required
def dossier(request, code: str, failed: str | None = None, failed_form=None):
    try:
        d = selectors.get_dossier(request.user, code, ip=request.META.get("REMOTE_ADDR"))
    except DomainError:
        raise Http404 from None
    actions = [
        {"name": a, "label": label_of(a), "form": failed_form if a == failed else form_for(a)(prefix=a, dossier=d)}
        for a in allowed_actions(request.user, d)
    ]
    lead, others = action_panels(actions, selectors.expected_action(d))
    return render(
        request,
        "backoffice/dossier.html",
        {
            "d": d,
            "flags": selectors.flags(d),
            "badge": deadline_badge(d, clock.now()),
            "steps": d.steps.select_related("agency", "unit", "assignee", "finished_by"),
            "components": d.components.all(),
            "supplements": d.supplements.all(),
            "results": d.results.all(),
            "declaration": selectors.declaration(d),
            "timeline": selectors.timeline(d),
            "rating": getattr(d, "rating", None),
            "satisfaction": Rating.Score(d.satisfaction).label if d.satisfaction in Rating.Score.values else None,
            "actions": actions,
            "lead": lead,
            "others": others,
            "failed": failed,
        },
        status=400 if failed else 200,
    )


@staff_required
@require_POST
def act(request, code: str, action: str):
    if action not in services.lifecycle_actions():
        raise Http404
    try:  # the dossier the form's pick lists are built from (its read is logged, as the API's)
        d = selectors.get_dossier(request.user, code, purpose=action, ip=request.META.get("REMOTE_ADDR"))
    except DomainError:
        raise Http404 from None
    form = form_for(action)(request.POST, request.FILES, prefix=action, dossier=d)
    if not form.is_valid():
        return dossier(request, code, failed=action, failed_form=form)
    version = _int(request.POST.get("version"))  # a malformed or out-of-range version is no lock (not a 500)
    try:
        services.perform(action, code, request.user, version=version, **form.params(request.user))
    except DomainError as exc:
        form.add_error(None, exc.message_vi)
        return dossier(request, code, failed=action, failed_form=form)
    messages.success(request, _("Done: %(action)s.") % {"action": label_of(action)})
    return redirect(reverse("backoffice:dossier", args=[code]))


@staff_required
def leaders(request):
    """Leaders' dashboard for the user's agencies (the whole province for provincial leaders): leaders,
    division heads, inspectors and administrators only (`metrics.dashboard.may_view`)."""
    from motcua.metrics.dashboard import chart, dashboard, may_view, scope_of
    from motcua.metrics.periods import period_from, picker
    from motcua.metrics.scopes import describe

    if not may_view(request.user):
        raise PermissionDenied
    period = period_from(request.GET)
    scope, ids = scope_of(request.user)
    try:
        data = dashboard(scope, period, ids)
    except DomainError as exc:
        messages.error(request, exc.message_vi)
        return redirect("backoffice:leaders")
    context = {"d": data, "period": period, "picker": picker(period), "chart": chart(data["monthly"])}
    context |= {"scope": scope, "scope_name": describe(scope)}
    return render(request, "backoffice/leaders.html", context)


@staff_required
def drill(request):
    """The dossiers behind a figure of the dashboard (those the user may see), a page at a time; for those
    who may read the dashboard only."""
    from motcua.metrics.dashboard import may_view
    from motcua.metrics.periods import default_period, describe_period, normalize_period
    from motcua.metrics.scopes import describe
    from motcua.metrics.scoring import indicator_of
    from motcua.metrics.selectors import drill_page

    if not may_view(request.user):
        raise PermissionDenied
    args = {k: request.GET.get(k, "") for k in ("indicator", "part", "scope", "ky")}
    args["ky"] = normalize_period(args["ky"]) or default_period()
    try:
        items, next_cursor = drill_page(
            request.user,
            args["indicator"],
            args["part"] or "numerator",
            args["scope"] or "node",
            args["ky"],
            _int(request.GET.get("cursor")),
        )
    except DomainError as exc:
        messages.error(request, exc.message_vi)
        return redirect("backoffice:leaders")
    labels = dict(Status.choices)
    for item in items:
        item["status_label"] = labels.get(item["status"], item["status"])
    names = {"scope_name": describe(args["scope"] or "node"), "period_name": describe_period(args["ky"])}
    names["indicator_set"] = indicator_of(args["indicator"])
    return render(request, "backoffice/drill.html", {"items": items, "next_cursor": next_cursor, "a": args, **names})
