"""The transition table is the single source: every (status, action) pair, allowed and forbidden,
behaves in the services as `authz.may` says; the docs table is the code's; a new edge plus its
service function shows up in the API and the back office with nothing else written."""

from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.utils import translation

from motcua.common.errors import Conflict, DomainError, NotFound
from motcua.dossiers import authz, services
from motcua.dossiers.authz import Forbidden
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.services._core import HANDLERS, act, handles, required_text
from motcua.dossiers.transitions import HANDLERS as HANDLER_ROLES
from motcua.dossiers.transitions import RECORDINGS, TRANSITIONS, Edge, Where, lifecycle_edges, markdown_table
from motcua.identity.models import User
from tests.dossiers.conftest import TAN_AN

DOCS = Path(__file__).resolve().parents[2] / "docs" / "dossiers.md"
STAFF = ["tanan.tiepnhan", "tanan.congchuc", "tanan.chutich", "tiepnhan.tinh"]
RESULT = [{"code": "GKS", "name": "Giấy khai sinh", "number": "1/GKS"}]


def test_every_edge_has_its_service_function_and_nothing_else_does():
    assert set(HANDLERS) == set(TRANSITIONS) | set(RECORDINGS)
    assert services.lifecycle_actions() == lifecycle_edges()


def test_the_docs_table_is_generated_from_the_code():
    with translation.override("vi"):
        table = markdown_table()
    assert table in DOCS.read_text(encoding="utf-8"), "run: motcua transitions-table --write"


def _submission(**kw):
    base = {
        "procedure_code": "1.001193",
        "applicant_type": 1,
        "applicant_name": "Nguyễn Văn A",
        "applicant_phone": "0912345678",
        "applicant_id_number": "080095000123",
        "commune_code": TAN_AN,
        "components": [{"code": "TK"}, {"code": "GCS"}],
    }
    return services.Submission(**{**base, **kw})


def _user(name):
    return User.objects.get(username=name)


@pytest.fixture
def owner(db, django_user_model):
    return django_user_model.objects.create_user("chu.hoso", password="x", kind="citizen", phone="0912345678")


@pytest.fixture
def stranger(db, django_user_model):
    return django_user_model.objects.create_user("nguoi.la", password="x", kind="citizen", phone="0987654321")


@pytest.fixture
def in_every_status(procedures, owner):
    """One dossier per national status 1–10, each brought there through the services."""
    desk, specialist, leader = _user("tanan.tiepnhan"), _user("tanan.congchuc"), _user("tanan.chutich")

    def online():
        return services.submit(owner, _submission()).code

    def processing():
        code = services.submit(desk, _submission(receive_now=True)).code
        services.forward(code, desk)
        return code

    def resolved():
        code = processing()
        services.resolve(code, leader, results=RESULT)
        return code

    codes = {Status.SUBMITTED: online(), Status.RECEIVED: services.submit(desk, _submission()).code}
    services.refuse(codes.setdefault(Status.REFUSED, online()), desk, reason="Thiếu giấy tờ")
    codes[Status.PROCESSING] = processing()
    codes[Status.SUPPLEMENT] = processing()
    services.request_supplement(codes[Status.SUPPLEMENT], specialist, items=["GCS"], reason="Thiếu")
    services.request_payment(codes.setdefault(Status.PAYMENT, processing()), specialist, amount_vnd=8000)
    services.withdraw(codes.setdefault(Status.WITHDRAWN, processing()), desk, reason="Công dân rút")
    services.stop(codes.setdefault(Status.STOPPED, processing()), leader, reason="Dừng")
    codes[Status.RESOLVED] = resolved()
    services.return_result(codes.setdefault(Status.RETURNED, resolved()), desk, method="counter")
    # the owner's dossiers are the online ones; give the counter ones to the owner too
    Dossier.objects.filter(code__in=codes.values()).update(owner=owner)
    for status, code in codes.items():
        assert Dossier.objects.get(code=code).status == status
    return codes


def _outcome(action, code, user) -> str:
    """What the writer says, rolled back: 'refused' (table, role or scope) or 'taken' (done, or
    refused only for what was asked: a missing reason, a bad amount, …)."""
    try:
        with transaction.atomic():
            services.perform(action, code, user, reason="Lý do", comment="Ý kiến", method="counter")
            raise _Undo
    except _Undo:
        return "taken"
    except Forbidden:
        return "refused"
    except NotFound as exc:
        assert exc.code == "dossier_not_found"
        return "refused"
    except Conflict as exc:
        return "refused" if exc.code == "invalid_transition" else "taken"
    except DomainError:
        return "taken"


class _Undo(Exception):
    pass


def test_every_status_and_action_is_allowed_or_forbidden_as_the_table_and_authz_say(in_every_status, owner, stranger):
    users = [_user(name) for name in STAFF] + [owner, stranger]
    checked = 0
    for status, code in in_every_status.items():
        for action in services.lifecycle_actions():
            allowed_somewhere = status in TRANSITIONS[action].sources
            for user in users:
                d = Dossier.objects.select_related("current_step__agency", "current_step__unit").get(code=code)
                may = authz.may(user, d, action)
                assert not may or allowed_somewhere, (status, action, user.username)
                assert _outcome(action, code, user) == ("taken" if may else "refused"), (
                    int(status),
                    action,
                    user.username,
                )
                checked += 1
    assert checked == 10 * len(services.lifecycle_actions()) * len(users)


def test_an_invalid_transition_names_the_actions_the_table_allows(in_every_status):
    code = in_every_status[Status.RETURNED]
    with pytest.raises(Conflict) as exc:
        services.perform("forward", code, _user("tanan.tiepnhan"))
    assert exc.value.code == "invalid_transition"
    assert exc.value.details["allowed"] == []
    with pytest.raises(NotFound) as exc:
        services.perform("teleport", code, _user("tanan.tiepnhan"))
    assert exc.value.code == "unknown_action"


@pytest.fixture
def annotate(monkeypatch):
    """A new action: one edge in the table plus its service function, nothing else."""
    edge = Edge(
        "annotate",
        frozenset({Status.RECEIVED, Status.PROCESSING}),
        None,
        HANDLER_ROLES,
        False,
        "Ghi chú nội bộ",
        "—",
        Where.STEP,
        "Annotate",
    )
    monkeypatch.setitem(TRANSITIONS, "annotate", edge)

    def annotate(code, actor, *, comment: str = "", version: int | None = None):
        return act(code, "annotate", actor, version, lambda ctx: {"comment": required_text(comment, "comment")})

    monkeypatch.setitem(HANDLERS, "annotate", None)
    handles("annotate")(annotate)
    return edge


def test_a_new_edge_and_its_function_appear_in_the_api_and_the_back_office(in_every_status, annotate, login):
    from tests.dossiers.conftest import Api

    code = in_every_status[Status.PROCESSING]
    specialist = Api(_user("tanan.congchuc"))
    assert "annotate" in specialist.get(f"/dossiers/{code}").json()["actions"]
    assert specialist.act(code, "annotate", comment="").json()["code"] == "reason_required"
    r = specialist.act(code, "annotate", comment="Đã gọi điện cho công dân")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == Status.PROCESSING
    assert specialist.get(f"/dossiers/{code}/events").json()[-1]["payload"] == {"comment": "Đã gọi điện cho công dân"}
    # the receptionist's role is judged at the current step (the commune PC), where she has none
    assert "annotate" not in Api(_user("tanan.tiepnhan")).get(f"/dossiers/{code}").json()["actions"]

    page = login("tanan.congchuc")
    html = page.get(f"/mot-cua/ho-so/{code}/").content.decode()
    assert 'data-action="annotate"' in html and 'name="annotate-comment"' in html
    r = page.post(f"/mot-cua/ho-so/{code}/annotate/", {"annotate-comment": "Đã xác minh"})
    assert r.status_code == 302
    assert Dossier.objects.get(code=code).events.order_by("-seq").first().payload == {"comment": "Đã xác minh"}


def test_the_portal_offers_withdrawal_and_rating_as_authz_says(in_every_status, owner):
    client = Client()
    client.force_login(owner)
    for status, code in in_every_status.items():
        html = client.get(f"/ho-so-cua-toi/{code}/").content.decode()
        d = Dossier.objects.get(code=code)
        assert (f"/ho-so-cua-toi/{code}/withdraw/" in html) == authz.may(owner, d, "withdraw"), int(status)
