"""Citizen portal (Cổng dịch vụ công): find procedures, submit online, follow and rate dossiers."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.api import tracking
from motcua.catalog import selectors as catalog
from motcua.catalog.formschema import form_class, to_json
from motcua.catalog.models import Field, ProcedureVersion
from motcua.common import clock
from motcua.common.errors import DomainError
from motcua.common.params import int_param as _int  # bounded: a 23-digit cursor is no cursor
from motcua.common.ratelimit import RateLimited
from motcua.documents.services import store_upload
from motcua.dossiers import authz, selectors, services
from motcua.dossiers.models import Status
from motcua.feedback.services import rate
from motcua.identity.redirects import safe_next
from motcua.portal import wizard
from motcua.portal.forms import ApplicantForm, LoginForm, RatingForm, ReasonForm, RegisterForm, TrackForm
from motcua.portal.supplement import AnswerForm

PAGE = 20
REGISTERED_ID_KEY = "registered_id"  # prefills the login after registering


def home(request):
    return render(request, "portal/home.html", {"popular": _popular(), "fields": Field.objects.all()})


def _popular() -> list:
    """The most used procedures of the last year (cached: a GROUP BY over the fact table)."""
    codes = cache.get("portal:popular")
    if codes is None:
        codes = selectors.most_used_procedures(clock.now() - timedelta(days=365), 8)
        cache.set("portal:popular", codes, 600)
    return catalog.in_force_first(codes, 8)


def search(request):
    q = request.GET.get("q", "")
    filters = {k: request.GET.get(k) or None for k in ("field", "level", "online_level")}
    qs = catalog.search_procedures(q, **filters).prefetch_related("fees")
    cursor = request.GET.get("sau")
    if cursor:
        qs = qs.filter(procedure__code__gt=cursor)
    rows = list(qs[: PAGE + 1])
    more = len(rows) > PAGE
    template = "portal/_results.html" if request.htmx else "portal/search.html"
    return render(
        request,
        template,
        {
            "q": q,
            "filters": filters,
            "results": rows[:PAGE],
            "next": rows[PAGE - 1].procedure.code if more else None,
            "fields": Field.objects.all(),
            "levels": ProcedureVersion.Level.choices,
            "online_levels": ProcedureVersion.OnlineLevel.choices,
        },
    )


def procedure(request, code: str):
    try:
        version = catalog.version_in_force(code)
    except DomainError:
        raise Http404 from None
    return render(request, "portal/procedure.html", {"v": version})


def register(request):
    """The answer is the same whether the ID number already has an account or not (registration is no
    way to learn who has one): a free number gets its account, a taken one is left alone, and either
    way the next step is the login page, prefilled with the number."""
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        request.session[REGISTERED_ID_KEY] = form.cleaned_data["national_id"]
        messages.success(
            request,
            _(
                "If this ID number had no account yet, your account is now created: log in with the number and "
                "the password you chose. If it already had one, log in with that account's password or reset it."
            ),
        )
        next_url = safe_next(request, "portal:my-dossiers")
        return redirect(f"{reverse('portal:login')}?{urlencode({'next': next_url})}")
    return render(request, "portal/register.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Django's login (a `next` outside the site is ignored), prefilled after registering; failed
    attempts are counted and locked out by django-axes, staff go on to their second factor."""

    template_name = "portal/login.html"
    authentication_form = LoginForm  # an ID number typed in groups is the number

    def get_initial(self):
        return {**super().get_initial(), "username": self.request.session.get(REGISTERED_ID_KEY, "")}


@login_required
def after_login(request):
    return redirect("backoffice:inbox" if request.user.kind == "staff" else "portal:my-dossiers")


# -- the submission wizard ----------------------------------------------------------------------
@login_required
def submit(request, code: str):
    if request.user.kind == "staff":
        return redirect(f"{reverse('backoffice:intake')}?thu_tuc={code}")
    try:
        version = catalog.version_in_force(code)
    except DomainError:
        raise Http404 from None
    if version.online_level == ProcedureVersion.OnlineLevel.NONE:
        messages.error(request, _("This procedure is not offered online; submit it at a one-stop desk."))
        return redirect("portal:procedure", code=code)
    step = _step(request)
    draft = wizard.draft_for(request.user, code)
    handler = {1: _step_applicant, 2: _step_form, 3: _step_documents, 4: _step_review}[step]
    return handler(request, version, draft)


def _step(request) -> int:
    try:
        return min(4, max(1, int(request.GET.get("buoc", 1))))
    except ValueError:
        return 1


def _go(code: str, step: int) -> HttpResponseRedirect:
    return redirect(f"{reverse('portal:submit', args=[code])}?buoc={step}")


def _render_step(request, version, step: int, context: dict):
    return render(request, "portal/wizard.html", {"v": version, "step": step, "steps": wizard.STEPS, **context})


def _step_applicant(request, version, draft):
    needs_commune = not version.competent_agency_id
    province = settings.MOTCUA_PROVINCE_CODE
    form = ApplicantForm(
        request.POST or None,
        initial=wizard.initial_applicant(request.user, draft),
        province=province,
        needs_commune=needs_commune,
    )
    if request.method == "POST" and form.is_valid():
        wizard.save_part(draft, "applicant", form.cleaned_data)
        return _go(version.procedure.code, 2 if version.form_schema else 3)
    return _render_step(request, version, 1, {"form": form})


def _step_form(request, version, draft):
    if not version.form_schema:
        return _go(version.procedure.code, 3)
    form = form_class(version.form_schema)(request.POST or None, initial=draft.data.get("form_data"))
    if request.method == "POST" and form.is_valid():
        wizard.save_part(draft, "form_data", to_json(form.cleaned_data))
        return _go(version.procedure.code, 3)
    return _render_step(request, version, 2, {"form": form})


def _step_documents(request, version, draft):
    files = dict(draft.data.get("files", {}))
    errors: dict[str, str] = {}
    components = list(version.components.all())
    if request.method == "POST":
        for c in components:
            upload = request.FILES.get(f"tp_{c.code}")
            if upload:
                try:
                    stored = store_upload(upload, request.user)
                    files[c.code] = {"id": str(stored.id), "name": stored.original_name}
                except DomainError as exc:
                    errors[c.code] = exc.message_vi
            elif c.required and c.code not in files:
                errors[c.code] = _("Please attach this document.")
        wizard.save_part(draft, "files", files)
        if not errors:
            return _go(version.procedure.code, 4)
    rows = [{"c": c, "file": files.get(c.code), "error": errors.get(c.code)} for c in components]
    return _render_step(request, version, 3, {"rows": rows, "errors": wizard.document_errors(rows)})


def _step_review(request, version, draft):
    applicant = draft.data.get("applicant")
    if not applicant:
        return _go(version.procedure.code, 1)
    if request.method == "POST":
        files = draft.data.get("files", {})
        try:
            dossier = services.submit(
                request.user,
                services.Submission(
                    procedure_code=version.procedure.code,
                    applicant_type=applicant["applicant_type"],
                    applicant_name=applicant["name"],
                    applicant_phone=applicant["phone"],
                    applicant_id_number=applicant.get("id_number", ""),
                    applicant_email=applicant.get("email", ""),
                    applicant_address=applicant.get("address", ""),
                    commune_code=applicant.get("commune") or None,
                    components=[{"code": code, "file_ref": f["id"], "digitized": True} for code, f in files.items()],
                    form_data=draft.data.get("form_data", {}),
                ),
            )
        except DomainError as exc:
            messages.error(request, exc.message_vi)
            return _render_step(request, version, 4, {"draft": draft.data})
        draft.delete()
        return redirect("portal:receipt", code=dossier.code)
    return _render_step(request, version, 4, {"draft": draft.data, "answers": wizard.review_answers(version, draft)})


@login_required
def receipt(request, code: str):
    dossier = _mine(request, code)
    return render(request, "portal/receipt.html", {"d": dossier})


# -- my dossiers ----------------------------------------------------------------------------------
def _mine(request, code: str):
    """The citizen's own dossier ("Hồ sơ của tôi" is the owner's page; staff use the back office)."""
    try:
        dossier = selectors.get_dossier(request.user, code)
    except DomainError:
        raise Http404 from None
    if dossier.owner_id != request.user.pk:
        raise Http404
    return dossier


@login_required
def my_dossiers(request):
    rows, cursor = selectors.list_dossiers(
        request.user, selectors.ListFilters(cursor=_int(request.GET.get("sau")), limit=PAGE)
    )
    return render(
        request,
        "portal/my_dossiers.html",
        {"rows": rows, "next": cursor, "drafts": request.user.drafts.order_by("-updated_at")},
    )


@login_required
def my_dossier(request, code: str, supplement_form: AnswerForm | None = None):
    if not authz.is_citizen(request.user):
        return redirect("backoffice:dossier", code=code)
    d = _mine(request, code)
    waiting = d.supplements.filter(resubmitted_at__isnull=True).last() if d.status == Status.SUPPLEMENT else None
    return render(
        request,
        "portal/my_dossier.html",
        {
            "d": d,
            "steps": d.steps.select_related("agency"),
            "flags": selectors.flags(d),
            "supplement": waiting,
            "supplement_form": supplement_form or (AnswerForm(waiting.items) if waiting else None),
            "components": d.components.all(),
            "results": d.results.all(),
            "declaration": selectors.declaration(d),
            "history": selectors.timeline(d, staff=False),
            "rating": getattr(d, "rating", None) if d.status == Status.RETURNED else None,
            "withdraw_form": ReasonForm(),
            "rating_form": RatingForm(),
            "can_withdraw": authz.may(request.user, d, "withdraw"),
            "can_rate": authz.may(request.user, d, "rate"),
        },
    )


@login_required
@require_POST
def my_dossier_action(request, code: str, action: str):
    _mine(request, code)
    try:
        if action == "resubmit":
            return _resubmit(request, code)
        if action == "withdraw":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise DomainError("reason_required", _("Please give a reason."), "Reason required")
            services.perform("withdraw", code, request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Your dossier was withdrawn."))
        elif action == "rate":
            form = RatingForm(request.POST)
            if not form.is_valid():
                raise DomainError("invalid_score", _("Please choose a rating."), "Choose a rating")
            rate(request.user, code, form.cleaned_data["score"], form.cleaned_data["comment"])
            messages.success(request, _("Thank you for your rating."))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message_vi)
    return redirect("portal:my-dossier", code=code)


def _resubmit(request, code: str):
    """The answer to the open supplement request, every requested item with a file or a note; with errors
    the page comes back with them (400), the notes kept."""
    d = _mine(request, code)
    waiting = d.supplements.filter(resubmitted_at__isnull=True).last() if d.status == Status.SUPPLEMENT else None
    if waiting is None:
        messages.error(request, _("There is no supplement request to answer."))
        return redirect("portal:my-dossier", code=code)
    form = AnswerForm(waiting.items, request.POST, request.FILES, user=request.user)
    if form.is_valid():
        try:
            services.perform("resubmit", code, request.user, answers=form.answers())
        except DomainError as exc:
            form.add_error(None, exc.message_vi)
        else:
            messages.success(request, _("Your additional documents were sent."))
            return redirect("portal:my-dossier", code=code)
    response = my_dossier(request, code, supplement_form=form)
    response.status_code = 400
    return response


# -- tracking and files ----------------------------------------------------------------------------
def track(request):
    form = TrackForm(request.GET or None)
    dossier = None
    not_found = False
    if form.is_bound and form.is_valid():
        try:  # the API's lookup: the same budgets, shared with /api/v1/public/tracking/
            dossier = tracking.lookup(request, form.cleaned_data["code"], form.cleaned_data["phone"])
        except RateLimited as exc:
            minutes = max(1, -(-exc.retry_after // 60))
            context = {"form": form, "limited": True, "minutes": minutes}
            response = render(request, "portal/track.html", context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except DomainError:
            not_found = True
    steps = dossier.steps.select_related("agency") if dossier else []
    return render(request, "portal/track.html", {"form": form, "d": dossier, "steps": steps, "not_found": not_found})


@login_required
def download(request, file_id):
    """A stored file for its uploader, or for anyone who may see a dossier that uses it."""
    from django.core.files.storage import default_storage

    try:
        stored = selectors.readable_file(request.user, file_id, ip=request.META.get("REMOTE_ADDR"))
    except DomainError:
        raise Http404 from None
    return FileResponse(
        default_storage.open(stored.path, "rb"), content_type=stored.content_type, filename=stored.original_name
    )
