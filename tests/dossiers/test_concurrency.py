"""Concurrent writers on PostgreSQL with real threads: actions serialize, codes never collide."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from motcua.catalog.services import import_catalog
from motcua.common.errors import DomainError
from motcua.demo.services import load_org, load_staff
from motcua.dossiers import services
from motcua.dossiers.events import verify_chain
from motcua.dossiers.models import Dossier
from motcua.identity.models import User
from motcua.org.services import load_divisions
from tests.catalog.factories import catalog

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]


@pytest.fixture
def world(transactional_db):
    load_divisions()
    load_org()
    load_staff()
    import_catalog(catalog())


def _intake(desk) -> Dossier:
    return services.submit(
        desk,
        services.Submission(
            procedure_code="1.009972",
            applicant_type=2,
            applicant_name="Công ty A",
            applicant_phone="0912345678",
            components=[{"code": "DN"}],
        ),
    )


def _in_threads(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except DomainError as exc:
            results[i] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_officers_clicking_at_once_one_wins(world):
    desk = User.objects.get(username="tiepnhan.tinh")
    dossier = _intake(desk)
    version = dossier.version
    results = _in_threads(2, lambda i: services.forward(dossier.code, desk, version=version).version)
    assert sorted(map(str, results)) == sorted([str(version + 1), "version_conflict"])
    dossier.refresh_from_db()
    assert dossier.version == version + 1 and dossier.steps.count() == 2


def test_concurrent_actions_without_a_version_serialize(world):
    desk = User.objects.get(username="tiepnhan.tinh")
    specialist = User.objects.get(username="xaydung.chuyenvien")
    dossier = _intake(desk)
    services.forward(dossier.code, desk)
    # four officers act at once: each either succeeds in turn or sees the state the previous one left
    results = _in_threads(
        4, lambda i: services.request_supplement(dossier.code, specialist, items=[f"Mục {i}"], reason="Thiếu").status
    )
    assert Counter(results) == Counter({5: 1, "invalid_transition": 3})
    dossier.refresh_from_db()
    events = list(dossier.events.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert verify_chain(dossier.code, events, dossier.last_hash) is None


def test_codes_allocated_concurrently_are_unique_and_gapless(world):
    desk = User.objects.get(username="tiepnhan.tinh")
    results = _in_threads(8, lambda i: [_intake(desk).code for _ in range(5)])
    codes = [c for batch in results for c in batch]
    assert len(codes) == len(set(codes)) == 40
    assert sorted(int(c.rsplit("-", 1)[1]) for c in codes) == list(range(1, 41))
