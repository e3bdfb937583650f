"""Shared fixtures: the national divisions and the demo province's organization and staff
are loaded once per test database; every test then runs in its own rolled-back transaction."""

import pytest
from django.test import Client

from motcua.demo.services import DEMO_PASSWORD, load_org, load_staff
from motcua.org.services import load_divisions


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_divisions()
        load_org()
        load_staff()


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Each test sees the calendar of its own database state."""
    from motcua.workdays.services import forget_calendar

    forget_calendar()
    yield
    forget_calendar()


@pytest.fixture
def api(db) -> Client:
    return Client()


@pytest.fixture
def login(db):
    """A logged-in test client for a demo account."""

    def _login(username: str) -> Client:
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD)
        return client

    return _login


@pytest.fixture
def clock(monkeypatch):
    """Move the service clock: clock.set('2026-02-13T09:00') (Vietnam time)."""
    from datetime import datetime

    from motcua.common.timeutil import VN_TZ

    class Clock:
        value = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)

        def set(self, text):
            self.value = datetime.fromisoformat(text).replace(tzinfo=VN_TZ)

    c = Clock()
    monkeypatch.setattr("motcua.common.clock.now", lambda: c.value)
    return c
