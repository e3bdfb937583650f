"""Append to the audit chain, export it, verify it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db import transaction

from motcua.audit.models import AuditEvent, AuditHead
from motcua.common import clock
from motcua.common.chain import GENESIS, chain_hash, first_break, instant


def _body(seq: int, at: datetime, actor_id, action: str, target: str, payload: dict, ip) -> dict:
    return {
        "seq": seq,
        "at": instant(at),
        "actor": actor_id,
        "action": action,
        "target": target,
        "payload": payload,
        "ip": ip,
    }


def record(action: str, *, actor=None, target: str = "", payload: dict | None = None, ip: str | None = None):
    """Append one audit event (in the caller's transaction when there is one)."""
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    payload = payload or {}
    target = str(target)[:200]
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head, _ = AuditHead.objects.get_or_create(pk=1)
            head = AuditHead.objects.select_for_update().get(pk=1)
        seq, prev, at = head.seq + 1, head.hash or GENESIS, clock.now()
        digest = chain_hash(prev, _body(seq, at, actor_id, action, target, payload, ip))
        event = AuditEvent.objects.create(
            seq=seq,
            at=at,
            actor_id=actor_id,
            action=action,
            target=target,
            payload=payload,
            ip=ip,
            prev_hash=prev,
            hash=digest,
        )
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=digest)
    return event


def record_admin_entry(sender, instance, created, **kwargs) -> None:
    """Django admin's LogEntry (add, change, delete of any object) joins the audit chain."""
    if not created:
        return
    kind = {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, str(instance.action_flag))
    model = instance.content_type.model if instance.content_type_id else ""
    record(
        f"admin.{kind}",
        actor=instance.user,
        target=f"{model}:{instance.object_id or ''}",
        payload={"object": instance.object_repr, "change": instance.change_message},  # raw: language-free
    )


def verify() -> tuple[int, str] | None:
    """The first broken link of the audit chain as (seq, problem), or None; a removed tail shows
    against the head row."""
    rows = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    broken = first_break(
        rows, lambda e: _body(e.seq, e.at, e.actor_id, e.action, e.target, e.payload, e.ip), noun="audit event"
    )
    if broken is not None:
        return broken
    head = AuditHead.objects.filter(pk=1).first()
    last = AuditEvent.objects.order_by("-seq").first()
    if head is not None and head.seq != (last.seq if last else 0):
        return head.seq, "the audit head does not match the last audit event"
    return None


def export(since: datetime | None = None) -> Iterator[dict]:
    """Audit events (oldest first) as plain dicts, with their hashes, for JSON lines."""
    rows = AuditEvent.objects.order_by("seq")
    if since is not None:
        rows = rows.filter(at__gte=since)
    for e in rows.iterator(chunk_size=2000):
        yield {
            **_body(e.seq, e.at, e.actor_id, e.action, e.target, e.payload, e.ip),
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
