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
    """A logged-in test client for a demo account (its second factor given when it has or needs one)."""
    from motcua.identity.models import User
    from motcua.identity.testing import verified_login

    def _login(username: str) -> Client:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        client = Client()
        verified_login(client, user)
        return client

    return _login


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's superuser client, its session past the second factor as after a real login."""
    from motcua.identity.testing import verified_login

    client = Client()
    verified_login(client, admin_user)
    return client


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
