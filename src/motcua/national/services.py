"""National monitor services: node credentials and tokens, request signatures, idempotent ingest,
per-day digests for reconciliation, rates computed from what was synced."""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing as django_signing
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from motcua.common import bounds, bulk, clock
from motcua.common.errors import DomainError, InvalidInput
from motcua.common.timeutil import VN_TZ
from motcua.national.models import MonitorRole, Node, NodeReport, SyncedDossier, SyncedProgress
from motcua.protocol import facts, index766, schema, signing
from motcua.workdays.services import get_calendar

log = logging.getLogger("motcua.national")
TOKEN_SALT = "motcua.national.token"
TOKEN_TTL_SECONDS = 3600


class Unauthorized(DomainError):
    status = 401


# -- credentials ------------------------------------------------------------------------------------
def node_secret(client_id: str) -> str:
    """The node's secret, derived from the monitor's key: nothing secret is stored in the database."""
    return signing.node_secret(settings.SECRET_KEY, client_id)


def register_node(
    code: str, name: str, code_suffix: str, kind: str = Node.Kind.PROVINCE, client_id: str | None = None
) -> tuple[Node, str]:
    client_id = client_id or f"{code.lower()}-{secrets.token_hex(6)}"
    node, _ = Node.objects.update_or_create(
        code=code, defaults={"name": name, "code_suffix": code_suffix, "kind": kind, "client_id": client_id}
    )
    return node, node_secret(node.client_id)


def issue_token(client_id: str, client_secret: str) -> str:
    node = Node.objects.filter(client_id=client_id, active=True).first()
    if node is None or not hmac.compare_digest(node_secret(client_id), client_secret or ""):
        raise Unauthorized("invalid_credentials", "Sai mã định danh hoặc khóa bí mật.", "Invalid client credentials.")
    return django_signing.dumps({"node": node.pk}, salt=TOKEN_SALT)


def node_for_token(token: str) -> Node:
    try:
        data = django_signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_TTL_SECONDS)
    except django_signing.BadSignature:
        raise Unauthorized(
            "invalid_token", "Mã truy cập không hợp lệ hoặc đã hết hạn.", "Invalid or expired token."
        ) from None
    node = Node.objects.filter(pk=data.get("node"), active=True).first()
    if node is None:
        raise Unauthorized("invalid_token", "Mã truy cập không hợp lệ.", "Invalid token.")
    return node


def verify_signature(node: Node, body: bytes, signature: str) -> None:
    if not signing.verify(node_secret(node.client_id), body, signature):
        raise Unauthorized(
            "bad_signature", "Chữ ký HMAC của yêu cầu không đúng.", "The request's HMAC signature is wrong."
        )


# -- ingest ------------------------------------------------------------------------------------------
def _owned(node: Node, code: str) -> None:
    """A node writes only dossiers whose agency code carries its suffix (both feeds)."""
    if not code.split("-", 1)[0].endswith(node.code_suffix):
        raise schema.PayloadError(
            "not_own_dossier",
            f"Hồ sơ {code} không thuộc nút {node.code} (mã cơ quan phải kết thúc bằng {node.code_suffix}).",
            f"{code} does not belong to node {node.code} (its agency code must end with {node.code_suffix}).",
        )


def _row(node: Node, item: dict, calendar, now: datetime) -> dict:
    """The stored columns of one payload item: parsed and validated by the shared schema, counted by
    the shared definition (`protocol.facts.derive`), exactly as the node counts its own dossiers."""
    record = schema.parse(item)
    if record.version is None:
        raise schema.PayloadError("version_required", "Thiếu PhienBan.", "PhienBan is required.")
    _owned(node, record.code)
    values = facts.derive(record, calendar)
    return {
        "node_id": node.pk,
        "code": record.code,
        "version": record.version,
        "procedure_code": record.procedure_code,
        "agency_code": record.agency_code,
        **{k: values[k] for k in INDEX_COLUMNS},
        "payload": item,
        "synced_at": now,
    }


INDEX_COLUMNS = (
    "status",
    "channel",
    "submitted_at",
    "received_at",
    "first_appointment_at",
    "ended_at",
    "returned_at",
    "supplement_count",
    "supplement_seconds",
    "index_end_at",
    "index_due_at",
    "paid_online",
    "fee_bearing",
    "counted_online",
    "digitized",
    "reused",
    "from_data_store",
    "electronic_result",
    "paper_result_required",
    "disliked",
    "timeliness",
)
_COLS = ["node_id", "code", "version", "procedure_code", "agency_code", *INDEX_COLUMNS, "payload", "synced_at"]
_PROGRESS_COLS = ["node_id", "code", "version", "steps", "synced_at"]


def _echo(item) -> tuple:
    """The item's MaHoSo and PhienBan as its answer repeats them (only when they are sane)."""
    if not isinstance(item, dict):
        return None, None
    code, version = item.get("MaHoSo"), item.get("PhienBan")
    code = code if isinstance(code, str) and len(code) <= 40 and not bounds.text_problem(code) else None
    ok = isinstance(version, int) and not isinstance(version, bool) and 0 <= version <= bounds.INT64_MAX
    return code, version if ok else None


def _refusal(item, code: str, message_vi: str, message_en: str) -> dict:
    ma, version = _echo(item)
    return {
        "MaHoSo": ma,
        "PhienBan": version,
        "KetQua": "rejected",
        "MaLoi": code,
        "LyDo": f"[{code}] {message_vi} / {message_en}",
    }


def _answer(node: Node, items: list, build) -> tuple[list[dict], list[tuple[int, list]]]:
    """Each item parsed on its own: a refusal answers that item only, whatever went wrong with it."""
    results: list[dict] = []
    rows: list[tuple[int, list]] = []
    for index, item in enumerate(items):
        try:
            code, version, row = build(item)
        except (schema.PayloadError, DomainError) as exc:
            results.append(_refusal(item, exc.code, exc.message_vi, exc.message_en))
            continue
        except Exception:  # a node's item must never fail the batch, nor answer 500
            log.exception("unexpected refusal of an item", extra={"node": node.code})
            results.append(_refusal(item, "invalid_item", "Hồ sơ không hợp lệ.", "The item is invalid."))
            continue
        results.append({"MaHoSo": code, "PhienBan": version, "KetQua": "accepted"})
        rows.append((index, row))
    return results, rows


def ingest_dossiers(node: Node, items: list) -> list[dict]:
    """Store every valid snapshot whose version is newer than the one held; answer each item, in
    order (`accepted`, or `rejected` with `MaLoi` and `LyDo`)."""
    now = timezone.now()
    calendar = get_calendar()

    def build(item):
        row = _row(node, item, calendar, now)
        [values] = bulk.adapted(SyncedDossier, _COLS, [[row[c] for c in _COLS]])
        return row["code"], row["version"], values

    results, rows = _answer(node, items, build)
    with transaction.atomic():
        _store(SyncedDossier, _COLS, rows, results)
        Node.objects.filter(pk=node.pk).update(last_sync_at=now)
    return results


def ingest_progress(node: Node, items: list) -> list[dict]:
    """Each dossier's steps (CapNhatTienDoHoSoMC), validated by the shared schema, kept when newer
    than those held; a node updates only its own dossiers, as in the main feed."""
    now = timezone.now()

    def build(item):
        head, _steps = schema.parse_progress(item)
        _owned(node, head.code)
        [values] = bulk.adapted(
            SyncedProgress, _PROGRESS_COLS, [[node.pk, head.code, head.version, item["TienDo"], now]]
        )
        return head.code, head.version, values

    results, rows = _answer(node, items, build)
    with transaction.atomic():
        _store(SyncedProgress, _PROGRESS_COLS, rows, results)
    return results


def _store(model, columns: list[str], rows: list[tuple[int, list]], results: list[dict]) -> None:
    """Insert or replace (only with a newer version) in one statement per batch. Should the database
    still refuse the batch, each row is tried alone and only the rows it refuses are answered
    `not_storable`: one item never loses the others."""
    if not rows:
        return
    try:
        with transaction.atomic():
            _upsert(model, columns, [values for _, values in rows])
        return
    except DatabaseError:
        log.warning("batch refused by the database, storing item by item", extra={"size": len(rows)})
    for index, values in rows:
        try:
            with transaction.atomic():
                _upsert(model, columns, [values], scratch=False)
        except DatabaseError as exc:
            log.warning("item refused by the database", extra={"code": results[index]["MaHoSo"], "error": str(exc)})
            item = {"MaHoSo": results[index]["MaHoSo"], "PhienBan": results[index]["PhienBan"]}
            results[index] = _refusal(
                item, "not_storable", "Không lưu được hồ sơ này.", "This item could not be stored."
            )


def _upsert(model, columns: list[str], values: list[list], scratch: bool = True) -> None:
    """One INSERT … ON CONFLICT (node, code) DO UPDATE … WHERE the stored version is older, with
    values already adapted by the model's fields (stored as the ORM stores them on every database).
    PostgreSQL: COPY into a scratch table first, ~10× fewer round trips."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(columns)
    update = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("node_id", "code"))
    upsert = f"ON CONFLICT (node_id, code) DO UPDATE SET {update} WHERE {table}.version < excluded.version"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and scratch:
            name = f"_ingest_{model._meta.model_name}"
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {name} ON COMMIT DELETE ROWS AS "
                f"SELECT {cols} FROM {table} WITH NO DATA"
            )
            bulk.copy(cursor, name, columns, values)
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT DISTINCT ON (node_id, code) {cols} FROM {name} "
                f"ORDER BY node_id, code, version DESC {upsert}"
            )
            cursor.execute(f"TRUNCATE {name}")
            return
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for start in range(0, len(values), 500):
            chunk = _latest(values[start : start + 500], columns)
            cursor.execute(
                f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(chunk))} {upsert}",
                [v for r in chunk for v in r],
            )


def _latest(values: list[list], columns: list[str]) -> list[list]:
    """One row per code, its highest version (a statement cannot touch the same row twice)."""
    code, version = columns.index("code"), columns.index("version")
    best: dict = {}
    for row in values:
        if row[code] not in best or best[row[code]][version] < row[version]:
            best[row[code]] = row
    return list(best.values())


SKEW_MS = 5 * 60 * 1000


def declare_total(node: Node, total: int, sent_at: int | None) -> bool:
    """The number of dossiers the node says it holds, replaced only by a request sent later than the
    one that declared the current figure (its signed `thoiDiemGui`): a replayed or delayed batch
    never resets it. Without a sending time the order is unknown and the figure is not taken; a
    time more than 5 minutes ahead of the monitor's clock neither. Returns whether it was taken."""
    if sent_at is None or sent_at > signing.now_ms() + SKEW_MS:
        return False
    newer = Q(declared_total_sent_at__isnull=True) | Q(declared_total_sent_at__lt=sent_at)
    return bool(Node.objects.filter(newer, pk=node.pk).update(declared_total=total, declared_total_sent_at=sent_at))


# -- reconciliation -----------------------------------------------------------------------------------
def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
    return start, start + timedelta(days=1)


def day_versions(node: Node, day: date) -> dict[str, int]:
    start, end = day_bounds(day)
    return dict(
        SyncedDossier.objects.filter(node=node, submitted_at__gte=start, submitted_at__lt=end).values_list(
            "code", "version"
        )
    )


def day_digests(node: Node, first: date, last: date) -> dict[str, dict]:
    out = {}
    day = first
    while day <= last:
        versions = day_versions(node, day)
        if versions:
            out[day.isoformat()] = {"count": len(versions), "digest": signing.digest_of(versions)}
        day += timedelta(days=1)
    return out


# -- what the monitor shows ------------------------------------------------------------------------------
def node_rates(node: Node) -> dict:
    """Raw rates from the synced dossiers (the Decision 766 engine comes with its own issue)."""
    qs = SyncedDossier.objects.filter(node=node)
    agg = qs.aggregate(
        n_held=Count("pk"),
        n_ended=Count("pk", filter=~Q(timeliness="")),
        n_on_time=Count("pk", filter=Q(timeliness__in=["early", "on_time"])),
        n_online=Count("pk", filter=Q(channel=2)),
        n_fee=Count("pk", filter=Q(fee_bearing=True)),
        n_paid=Count("pk", filter=Q(fee_bearing=True, paid_online=True)),
        n_digitized=Count("pk", filter=Q(digitized=True)),
    )

    def pct(n, d):
        return round(100 * n / d, 2) if d else None

    return {
        "held": agg["n_held"],
        "sync_rate": pct(agg["n_held"], node.declared_total) if node.declared_total else None,
        "on_time": pct(agg["n_on_time"], agg["n_ended"]),
        "online": pct(agg["n_online"], agg["n_held"]),
        "paid_online": pct(agg["n_paid"], agg["n_fee"]),
        "digitized": pct(agg["n_digitized"], agg["n_held"]),
        "lag_seconds": int((timezone.now() - node.last_sync_at).total_seconds()) if node.last_sync_at else None,
    }


def file_report(node: Node, figures, filed_by: str = "") -> NodeReport:
    """File the figures of a node's own report (`from`, `to`, `received`, `on_time_rate`,
    `online_rate`), validated by the shared schema: rates are percentages, counts fit their column.
    Filing the same figures again (a replayed request, a double submit) adds nothing."""
    try:
        r = schema.parse_report(figures)
    except schema.PayloadError as exc:
        raise InvalidInput(exc.code, exc.message_vi, exc.message_en) from None
    values = {
        "period_start": r.period_start,
        "period_end": r.period_end,
        "received": r.received,
        "on_time_rate": r.on_time_rate,
        "online_rate": r.online_rate,
    }
    report, created = NodeReport.objects.get_or_create(node=node, **values, defaults={"filed_by": filed_by[:150]})
    if created:
        log.info("report filed", extra={"node": node.code, "filed_by": filed_by, "period_end": str(r.period_end)})
    return report


# -- who may act on the monitor ----------------------------------------------------------------------
class Forbidden(DomainError):
    status = 403


def _roles(user):
    return MonitorRole.objects.filter(user_id=user.pk, user__is_active=True)


def may_view(user) -> bool:
    """The monitor page: staff, or anyone holding a monitor role."""
    return bool(user.is_authenticated and user.is_active and (user.is_staff or _roles(user).exists()))


def filing_nodes(user):
    """The nodes this user may file figures for: all (monitor administrators, superusers), their own
    node (its reporting officers), none (everyone else — inspectors included)."""
    nodes = Node.objects.filter(active=True)
    if not (user.is_authenticated and user.is_active):
        return nodes.none()
    if user.is_superuser or _roles(user).filter(role=MonitorRole.Role.ADMINISTRATOR).exists():
        return nodes
    return nodes.filter(roles__user_id=user.pk, roles__role=MonitorRole.Role.REPORTER).distinct()


def check_may_file(user, node: Node) -> None:
    if not filing_nodes(user).filter(pk=node.pk).exists():
        raise Forbidden(
            "monitor_forbidden",
            f"Bạn không có quyền báo cáo số liệu cho {node.name}.",
            f"You may not file figures for {node.name}.",
        )


def grant_role(user, role: str, node: Node | None = None) -> MonitorRole:
    """Give a user a monitor role (an administrator has no node; a reporting officer has one)."""
    if role not in MonitorRole.Role.values:
        raise InvalidInput("invalid_role", "Vai trò không hợp lệ.", f"Unknown role (one of {MonitorRole.Role.values}).")
    if (role == MonitorRole.Role.REPORTER) != (node is not None):
        raise InvalidInput(
            "invalid_role_scope",
            "Cán bộ báo cáo gắn với một nút; quản trị viên thì không.",
            "A reporting officer has a node; an administrator has none.",
        )
    grant, created = MonitorRole.objects.get_or_create(user=user, role=role, node=node)
    if created:
        log.info("monitor role granted", extra={"user": user.pk, "role": role, "node": node.code if node else ""})
    return grant


def synced_figures(node: Node, period_start: date, period_end: date) -> dict:
    start, _ = day_bounds(period_start)
    _, end = day_bounds(period_end)
    qs = SyncedDossier.objects.filter(node=node, submitted_at__gte=start, submitted_at__lt=end)
    agg = qs.aggregate(
        n_received=Count("pk", filter=Q(received_at__isnull=False)),
        n_ended=Count("pk", filter=~Q(timeliness="")),
        n_on_time=Count("pk", filter=Q(timeliness__in=["early", "on_time"])),
        n_online=Count("pk", filter=Q(channel=2)),
        n_all=Count("pk"),
    )
    return {
        "received": agg["n_received"],
        "on_time_rate": round(100 * agg["n_on_time"] / agg["n_ended"], 2) if agg["n_ended"] else None,
        "online_rate": round(100 * agg["n_online"] / agg["n_all"], 2) if agg["n_all"] else None,
    }


MONITOR_SCOPES = ("node", "agency:MÃ (DonViXuLy)", "procedure:MÃ (MaTTHC)")


def node_index(
    node: Node, period_text: str, config_version: str = index766.DEFAULT_CONFIG, scope: str = "node"
) -> dict:
    """The Decision 766 index of a node from what it synced: the shared formulas over the columns the
    shared definition derived, so for the same dossiers it equals the node's own figures.

    Indicators that need the procedure catalog (1.3, 3.1, 3.2, 3.5a/b) have no data at the monitor."""
    period = index766.parse_period(period_text)
    start, end = period.bounds
    rows = SyncedDossier.objects.filter(node=node, received_at__gte=start, received_at__lt=end)
    kind, _, value = scope.partition(":")
    if kind == "agency":
        rows = rows.filter(agency_code=value)
    elif kind == "procedure":
        rows = rows.filter(procedure_code=value)
    elif kind != "node":
        raise InvalidInput(
            "invalid_scope",
            f"Phạm vi không hợp lệ ({', '.join(MONITOR_SCOPES)}).",
            "Invalid scope (node, agency:CODE, procedure:CODE).",
        )
    counts = index766.counts(rows, min(clock.now(), end), synced=Q(pk__isnull=False))
    label = f"node:{node.code}" + ("" if kind == "node" else f" {scope}")
    return index766.assemble(counts, index766.NO_CATALOG, label, period, config_version)
