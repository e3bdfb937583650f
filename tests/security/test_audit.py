"""Issue 12: writes outside the dossier chain are in one append-only, hash-chained audit log,
exportable and verified by `motcua verify-events`."""

import json
from datetime import date

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from motcua.audit import services as audit
from motcua.audit.models import AuditEvent
from motcua.org.models import Agency
from motcua.org.services import assign_role
from motcua.workdays.services import set_override


def _since(seq):
    return AuditEvent.objects.filter(seq__gt=seq)


def _head():
    last = AuditEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


def test_role_grants_calendar_changes_and_admin_edits_are_chained(db, django_user_model):
    start = _head()  # the demo staff's role grants are already there
    admin = django_user_model.objects.create_superuser("quantri.kiemtoan", password="x")
    user = django_user_model.objects.create_user("moi.vao", password="x", full_name="Cán bộ mới")
    assign_role(user, "specialist", Agency.objects.get(code="000.00.05.H53"), granted_by=admin)
    set_override(date(2026, 12, 31), "holiday", "Quyết định 99/QĐ-UBND", actor=admin)
    # what the admin site writes for every add, change and delete
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(user),
        object_id=str(user.pk),
        object_repr="moi.vao",
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["Full name"]}}]),
    )
    actions = list(_since(start).values_list("action", flat=True))
    assert actions == ["role.grant", "calendar.created", "admin.change"]
    assert "Full name" in _since(start).get(action="admin.change").payload["change"]
    assert audit.verify() is None
    grant = _since(start).get(action="role.grant")
    assert (grant.actor_id, grant.target, grant.payload["role"]) == (admin.pk, "moi.vao", "specialist")


def test_the_chain_refuses_edits_and_shows_tampering(db, capsys):
    start = _head()
    for n in range(3):
        audit.record("token.issue", target=f"user{n}", payload={"n": n})
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.first().save()
    call_command("verify-events", "--no-progress")
    assert "audit chain is intact" in capsys.readouterr().out
    AuditEvent.objects.filter(seq=start + 2).update(target="someone-else")  # behind the model's back
    with pytest.raises(SystemExit) as exc:
        call_command("verify-events", "--no-progress")
    assert exc.value.code == 1
    assert f"BROKEN audit event #{start + 2}" in capsys.readouterr().err


def test_a_removed_tail_shows(db):
    for n in range(3):
        audit.record("file.download", target=str(n))
    last = _head()
    AuditEvent.objects.filter(seq=last)._raw_delete(AuditEvent.objects.db)
    assert audit.verify() == (last, "the audit head does not match the last audit event")


def test_export_as_json_lines_since_a_date(db, tmp_path, clock):
    clock.set("2027-01-01T09:00")  # after the session's own events
    first = audit.record("catalog.import", payload={"procedures": 80})
    clock.set("2027-01-20T09:00")
    audit.record("token.revoke", target="7")
    out = tmp_path / "audit.jsonl"
    call_command("audit", "export", "--since", "2027-01-10", "--output", str(out))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["seq"], r["action"], r["at"]) for r in rows] == [
        (first.seq + 1, "token.revoke", "2027-01-20T02:00:00.000000+00:00")
    ]
    assert rows[0]["prev_hash"] == first.hash
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "export", "--since", "hôm qua")
    assert exc.value.code == 2
