"""Dossier reads: scoped lists (keyset, no COUNT), detail with access logging, events, tracking."""

from __future__ import annotations

from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from pydantic import BaseModel, Field

from motcua.audit import services as audit
from motcua.catalog.formschema import field_names
from motcua.catalog.models import ProcessStep
from motcua.common import clock
from motcua.common.errors import DomainError, InvalidInput, NotFound
from motcua.common.numbers import format_vnd
from motcua.common.text import fold
from motcua.common.timeutil import VN_TZ
from motcua.documents.models import StoredFile
from motcua.dossiers import authz, codes
from motcua.dossiers.models import (
    RUNNING,
    AccessLog,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFact,
    DossierResult,
    ReturnMethod,
    Status,
    applicant_hashes,
)
from motcua.dossiers.services.steps import step_agency
from motcua.dossiers.transitions import edge_of
from motcua.identity.cccd import normalize_phone
from motcua.org.models import Agency, StaffRole
from motcua.org.selectors import in_scope
from motcua.protocol.facts import standing

MAX_PAGE = 100


class ListFilters(BaseModel):
    """Filters of a dossier list; also the query parameters of GET /api/v1/dossiers."""

    status: list[int] | None = None
    agency: str | None = None
    unit: str | None = None
    procedure: str | None = None
    assignee: str | None = None
    applicant: str | None = Field(
        default=None, max_length=20, description="The applicant's ID number (CCCD, tax code) or phone, exactly"
    )
    overdue: bool | None = None
    at_risk: bool | None = None
    received_from: date | None = None
    received_to: date | None = None
    cursor: int | None = None
    limit: int = 20


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, VN_TZ)


def list_dossiers(user, f: ListFilters) -> tuple[list[Dossier], int | None]:
    """Newest first, keyset-paginated by id; the next cursor is None on the last page."""
    if not 1 <= f.limit <= MAX_PAGE:
        raise InvalidInput("invalid_limit", f"limit phải từ 1 đến {MAX_PAGE}.", f"limit must be 1 to {MAX_PAGE}.")
    qs = _filtered(authz.visible_dossiers(user), f)
    if f.cursor:
        qs = qs.filter(id__lt=f.cursor)
    rows = list(
        qs.select_related(
            "procedure", "procedure_version", "competent_agency", "receiving_agency", "current_step"
        ).order_by("-id")[: f.limit + 1]
    )
    more = len(rows) > f.limit
    rows = rows[: f.limit]
    return rows, (rows[-1].id if more and rows else None)


def _filtered(qs: QuerySet[Dossier], f: ListFilters) -> QuerySet[Dossier]:
    now = clock.now()
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.agency:
        qs = qs.filter(competent_agency__code=f.agency) | qs.filter(receiving_agency__code=f.agency)
    if f.unit:
        qs = qs.filter(current_step__unit__code=f.unit)
    if f.procedure:
        qs = qs.filter(procedure__code=f.procedure)
    if f.assignee:
        qs = qs.filter(current_step__assignee__username=f.assignee)
    if f.applicant:
        # the values are encrypted: an exact match goes through their keyed hashes
        by_id, by_phone = applicant_hashes(f.applicant, f.applicant)
        qs = qs.filter(Q(applicant_id_hash=by_id) | Q(applicant_phone_hash=by_phone or "-"))
    running = list(RUNNING)
    if f.overdue is not None:
        overdue = {"status__in": running, "due_at__lt": now}
        qs = qs.filter(**overdue) if f.overdue else qs.exclude(**overdue)
    if f.at_risk is not None:
        risk = {"status__in": running, "risk_from__lte": now, "due_at__gte": now}
        qs = qs.filter(**risk) if f.at_risk else qs.exclude(**risk)
    if f.received_from:
        qs = qs.filter(received_at__gte=_day_start(f.received_from))
    if f.received_to:
        qs = qs.filter(received_at__lt=_day_start(f.received_to) + timezone.timedelta(days=1))
    return qs


def get_dossier(user, code: str, *, purpose: str = "view", ip: str | None = None) -> Dossier:
    """A dossier the user may see; a staff read of its personal data is logged."""
    dossier = (
        authz.visible_dossiers(user)
        .select_related("procedure", "procedure_version", "competent_agency", "receiving_agency", "current_step")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise authz.not_found(code)
    log_staff_reads(user, [dossier], purpose, ip)
    return dossier


def log_staff_reads(user, dossiers: list[Dossier], purpose: str, ip: str | None) -> None:
    if dossiers and not authz.is_citizen(user):
        AccessLog.objects.bulk_create(AccessLog(user=user, dossier=d, purpose=purpose, ip=ip) for d in dossiers)


def events_of(user, code: str) -> list[DossierEvent]:
    dossier = get_dossier(user, code, purpose="events")
    return list(dossier.events.order_by("seq"))


def flags(d: Dossier, now: datetime | None = None) -> dict:
    now = now or clock.now()
    open_running = d.status in RUNNING and d.due_at is not None
    overdue = open_running and d.due_at < now
    return {
        "overdue": overdue,
        "at_risk": bool(open_running and not overdue and d.risk_from and d.risk_from <= now),
        "timeliness": standing(d.fact, now) if hasattr(d, "fact") else "",
        "rescheduled": d.rescheduled,
        "supplement_count": d.supplement_count,
        "flagged_late_by_supplements": d.supplement_count > 1,
    }


def track(code: str, phone: str) -> Dossier:
    """Public tracking: code + phone. Wrong phone and unknown code answer the same."""
    wanted = normalize_phone(phone)
    dossier = (
        Dossier.objects.select_related("procedure_version", "competent_agency", "receiving_agency")
        .filter(code__in=_code_forms(code))
        .first()
    )
    if dossier is None or not wanted or normalize_phone(dossier.applicant_phone) != wanted:
        raise NotFound(
            "tracking_not_found",
            "Không tìm thấy hồ sơ với mã và số điện thoại đã nhập.",
            "No dossier matches this code and phone number.",
        )
    return dossier


FIND_MAX = 10


def find_code(user, text: str) -> list[Dossier]:
    """The dossiers `user` may see that `text` names ("Mở hồ sơ theo mã"): a whole code in any case and
    with stray spaces, or — for staff — the short form `YYMMDD-NNNN`, the code of that day and sequence at
    a one-stop desk; one of the officer's own desks' answers alone, otherwise every desk's in scope (at
    most FIND_MAX). Empty when none is in scope, whether it exists elsewhere or not (no existence oracle)."""
    forms = _code_forms(text)
    if not forms:
        return []
    visible = authz.visible_dossiers(user).select_related("procedure_version", "receiving_agency", "current_step")
    whole = list(visible.filter(code__in=forms)[:1])
    short = codes.short_form(text) if not whole and not authz.is_citizen(user) else None
    if short is None:
        return whole
    found = list(visible.filter(code__in=codes.desk_codes_of(*short)).order_by("code")[:FIND_MAX])
    own = [d for d in found if in_scope(user, d.receiving_agency)]
    return own if len(own) == 1 else found


def _code_forms(text: str) -> set[str]:
    """A typed code as typed (less spaces) and as codes are written (upper case): both exact lookups."""
    typed = "".join((text or "").split())
    return {typed, codes.normalize_code(typed)} if 0 < len(typed) <= codes.CODE_MAX else set()


def readable_file(user, file_id, ip: str | None = None) -> StoredFile:
    """A stored file for its uploader, or for anyone who may see a dossier that uses it (as a
    component or a result); otherwise "not found", the same answer as an unknown id. Every download
    is in the audit log; a staff download of a dossier's file is also in its access log."""
    stored = StoredFile.objects.filter(pk=file_id).first()
    holders = _visible_holders(user, str(file_id)) if stored is not None else []
    if stored is None or (stored.owner_id != getattr(user, "pk", None) and not holders):
        raise NotFound("file_not_found", "Không tìm thấy tệp.", "The file was not found.")
    audit.record("file.download", actor=user, target=str(stored.pk), payload={"name": stored.original_name}, ip=ip)
    log_staff_reads(user, holders, "download", ip)
    return stored


def _visible_holders(user, ref: str) -> list[Dossier]:
    """The dossiers the user may see that hold file `ref` (as a component or a result)."""
    held = {*DossierComponent.objects.filter(file_ref=ref).values_list("dossier_id", flat=True)}
    held |= {*DossierResult.objects.filter(file_ref=ref).values_list("dossier_id", flat=True)}
    return list(authz.visible_dossiers(user).filter(pk__in=held)) if held else []


def most_used_procedures(since: datetime, limit: int) -> list[str]:
    """Codes of the procedures with the most dossiers submitted since `since` (a GROUP BY over the
    fact rows), most used first."""
    return list(
        DossierFact.objects.filter(submitted_at__gte=since)
        .values("procedure__code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("procedure__code", flat=True)[:limit]
    )


# -- the case as people read it: the declaration, the history, the next expected action ----------
def declaration(d: Dossier) -> list[dict]:
    """The applicant's declaration (tờ khai) in the procedure's own words: one {name, label, value}
    per answered field, in the form's order (fields the schema no longer names last, by their
    names), each value as people read it (see `declaration_items`)."""
    return declaration_items(d.procedure_version.form_schema or {}, d.form_data or {})


def declaration_items(schema: dict, data: dict) -> list[dict]:
    """`declaration` for any schema and answers (a draft's too): dates dd/mm/yyyy, yes/no as
    Có/Không, choices by their labels, large whole numbers grouped (500.000.000)."""
    props = (schema or {}).get("properties") or {}
    data = data or {}
    names = [n for n in field_names(schema) if n in data] + [n for n in data if n not in props]
    items = []
    for name in names:
        value, prop = data[name], props.get(name) or {}
        if value in (None, "", [], {}):
            continue
        items.append({"name": name, "label": str(prop.get("title") or name), "value": _answer(value, prop)})
    return items


def _answer(value, prop: dict) -> str:
    if isinstance(value, bool) or prop.get("type") == "boolean":
        yes = value is True or str(value).lower() in ("true", "1", "on", "yes")
        return pgettext("form answer", "Yes") if yes else pgettext("form answer", "No")
    if isinstance(value, list):
        return ", ".join(_answer(v, {**prop, "type": prop.get("items", {}).get("type")}) for v in value)
    if "enum" in prop or "oneOf" in prop:
        return _choice_label(value, prop)
    if prop.get("format") in ("date", "date-time") and isinstance(value, str):
        return _date_text(value)
    if isinstance(value, int) or (prop.get("type") == "integer" and str(value).lstrip("-").isdigit()):
        number = int(value)
        return f"{number:,}".replace(",", ".") if abs(number) >= 10_000 else str(number)  # years stay 2026
    return str(value)


def _choice_label(value, prop: dict) -> str:
    """A choice's label: `enumNames` (parallel to `enum`) or `oneOf: [{const, title}]`, else the value."""
    for option in prop.get("oneOf") or []:
        if isinstance(option, dict) and option.get("const") == value and option.get("title"):
            return str(option["title"])
    names, values = prop.get("enumNames") or [], prop.get("enum") or []
    if value in values and values.index(value) < len(names):
        return str(names[values.index(value)])
    return str(value)


def _date_text(value: str) -> str:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value  # as typed: never hide what the applicant wrote
    if len(value) <= 10:
        return parsed.strftime("%d/%m/%Y")
    return timezone.localtime(parsed if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)).strftime("%d/%m/%Y %H:%M")


# Payload fields of the events, in the order they are told, with their words and whether the applicant
# reads them too (handover comments, assignees and due instants of steps are the office's own).
_NOTES = [
    ("to", _("Sent to"), True),
    ("assignee", _("Assigned to"), False),
    ("items", _("Items to supplement"), True),
    ("reason", _("Reason"), True),
    ("comment", _("Comment"), False),
    ("note", _("Note"), True),
    ("components", _("Documents supplemented"), True),
    ("appointment_at", _("Appointment"), True),
    ("old_appointment", _("Previous appointment"), True),
    ("new_appointment", _("New appointment"), True),
    ("due_at", _("Due"), False),
    ("amount_vnd", _("Amount"), True),
    ("reference", _("Receipt or transaction reference"), True),
    ("method", _("Return method"), True),
    ("results", _("Results"), True),
    ("score", _("Rating"), True),
]
_STAFF_ONLY_ACTIONS = frozenset({"reassign"})  # internal routing: says nothing to the applicant
_SCORES = {1: _("Not satisfied"), 2: _("Satisfied"), 3: _("Very satisfied")}


def timeline(d: Dossier, *, staff: bool = True) -> list[dict]:
    """The dossier's history in words, oldest first, one entry per event: when, who (full name),
    what (the action's words from the transition table), the new status, and what was said
    (comment, reason, items, appointment, …). `staff=False` is the applicant's view: no officers'
    names, no internal comments or routing, no hashes."""
    events = list(d.events.select_related("actor").order_by("seq"))
    steps = {s.seq: s for s in d.steps.select_related("agency", "unit", "assignee")}
    agencies = _names_of_agencies({e.payload.get("agency") for e in events} - {None, ""})
    people = _names_of_people({e.payload.get("assignee") for e in events} - {None, ""})
    components = dict(d.components.values_list("code", "name"))
    results = dict(d.results.values_list("code", "name"))
    # a step's assignee is its latest one: a forward names it only if no reassignment came later
    reassigned = {e.payload.get("step") for e in events if e.action == "reassign"}
    entries = []
    for e in events:
        if not staff and e.action in _STAFF_ONLY_ACTIONS:
            continue
        edge = edge_of(e.action)
        p = dict(e.payload or {})
        step = steps.get(p.get("to_step"))
        if e.action in ("forward", "send-back", "transfer") and (p.get("step") or p.get("agency")):
            place = agencies.get(p.get("agency")) or (step.agency.name if step else p.get("agency"))
            if step is not None and step.unit_id and step.unit.name != place:
                place = f"{step.unit.name}, {place}"
            p["to"] = " — ".join(x for x in (p.get("step") or (step.name if step else ""), place) if x)
        if e.action == "forward" and step is not None and step.assignee and step.seq not in reassigned:
            p["assignee"] = step.assignee.full_name or step.assignee.username
        elif p.get("assignee"):
            p["assignee"] = people.get(p["assignee"], p["assignee"])
        changed = e.from_status != e.to_status
        entries.append(
            {
                "seq": e.seq,
                "action": e.action,
                "at": e.at,
                "what": str(edge.label or edge.reason_vi) if edge else e.action,
                "who": _who(e, d, staff),
                "status": str(Status(e.to_status).label) if changed and e.to_status in Status.values else "",
                "notes": _notes(p, components, results, staff),
                **({"from_status": e.from_status, "to_status": e.to_status, "hash": e.hash} if staff else {}),
            }
        )
    return entries


def _who(e: DossierEvent, d: Dossier, staff: bool) -> str:
    mine = e.actor_id is not None and e.actor_id == d.owner_id
    if not staff:
        return str(_("You")) if mine else ""
    if e.actor is None:
        return str(_("System"))
    name = e.actor.full_name or e.actor.username
    return str(_("%(name)s (the applicant)") % {"name": name}) if mine else name


def _notes(p: dict, components: dict, results: dict, staff: bool) -> list[dict]:
    notes = []
    for key, label, public in _NOTES:
        value = p.get(key)
        if value in (None, "", [], False) or not (public or staff):
            continue
        text = _note_text(key, value, components, results)
        if text:
            notes.append({"label": str(label), "text": text})
    return notes


def _note_text(key: str, value, components: dict, results: dict) -> str:
    if key == "items":
        return "; ".join(str(v) for v in value)
    if key == "components":
        return "; ".join(components.get(c, c) for c in value if c)
    if key == "results":
        return "; ".join(results.get(c, c) for c in value if c)
    if key.endswith(("_at", "_appointment")):
        return _date_text(str(value))
    if key == "amount_vnd":
        return format_vnd(int(value))
    if key == "method":
        return str(ReturnMethod(value).label) if value in ReturnMethod.values else str(value)
    if key == "score":
        return str(_SCORES.get(value, value))
    return str(value).strip()


def _names_of_agencies(codes: set[str]) -> dict[str, str]:
    return dict(Agency.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def _names_of_people(usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    rows = get_user_model().objects.filter(username__in=usernames).values_list("username", "full_name")
    return {username: full_name or username for username, full_name in rows}


def next_template_step(d: Dossier) -> ProcessStep | None:
    """The process template's step after the current one (the first when no template step is open):
    where `forward` goes next."""
    steps = d.procedure_version.steps.select_related("agency", "unit").order_by("order")
    order = d.current_step.template_order if d.current_step_id and d.current_step else None
    return steps.filter(order__gt=order).first() if order is not None else steps.first()


def expected_action(d: Dossier) -> str | None:
    """The action the process expects next, whoever may take it: a new dossier is received, a
    paused one resubmitted (at the desk for the applicant), an awaited payment confirmed, a
    resolved one returned; while it is handled, forwarded to the template's next step, or resolved
    at the last handling step (the next is the desk's return, or there is none)."""
    if d.status in _EXPECTED_BY_STATUS:
        return _EXPECTED_BY_STATUS[d.status]
    if d.status not in (Status.RECEIVED, Status.PROCESSING):
        return None  # ended: refused, withdrawn, stopped, returned
    following = next_template_step(d)
    return "forward" if following is not None and following.role != "receptionist" else "resolve"


_EXPECTED_BY_STATUS = {
    Status.SUBMITTED: "receive",
    Status.SUPPLEMENT: "resubmit",
    Status.PAYMENT: "confirm-payment",
    Status.RESOLVED: "return",
}


def step_staff(*, role: str, agency: Agency, unit: Agency | None = None) -> list:
    """Who may be handed a step at `agency`: the active staff holding the step's role there (in its
    unit when the template names one); when nobody does, whoever handles work at the agency.
    Never an inspector or administrator (they read, never act). Full name order."""
    roles = StaffRole.objects.filter(
        agency=agency, active=True, user__is_active=True, role__in=_HANDLING_ROLES
    ).select_related("user")
    tiers = [roles.filter(role=role, unit=unit)] if unit else []
    tiers += [roles.filter(role=role), roles]
    for tier in tiers:
        people = {r.user_id: r.user for r in tier}
        if people:
            return sorted(people.values(), key=lambda u: (fold(u.full_name or u.username), u.username))
    return []


_HANDLING_ROLES = ("receptionist", "specialist", "division_head", "agency_leader")


def forward_staff(d: Dossier) -> list:
    """The people `forward` may hand the dossier to: those of the template's next step."""
    following = next_template_step(d)
    if following is None or following.role == "receptionist":
        return []
    try:
        agency = step_agency(d, following)
    except DomainError:
        return []  # no agency of that kind: the service says so when the officer forwards
    return step_staff(role=following.role, agency=agency, unit=following.unit)


def reassign_staff(d: Dossier) -> list:
    """The people the current step may be reassigned to: those of its own agency (and unit)."""
    step = d.current_step
    if step is None:
        return []
    return step_staff(role=step.role, agency=step.agency, unit=step.unit)


def transfer_targets(d: Dossier) -> tuple[Agency | None, list[Agency]]:
    """Where an inter-agency leg (liên thông) may go: the agency of the template's next step when
    that step is a leg (the service's default), and the active handling agencies of the province
    (not the current step's agency, not divisions inside an agency, not one-stop desks)."""
    following = next_template_step(d)
    leg = None
    if following is not None and (following.inter_agency or following.agency_id or following.agency_kind):
        try:
            leg = step_agency(d, following)
        except DomainError:
            leg = None
    here = d.current_step.agency_id if d.current_step_id and d.current_step else None
    others = (
        Agency.objects.filter(province_id=d.competent_agency.province_id, active=True, is_one_stop_desk=False)
        .exclude(kind=Agency.Kind.DIVISION)
        .exclude(pk=here)
        .order_by("name")
    )
    return leg, list(others)
