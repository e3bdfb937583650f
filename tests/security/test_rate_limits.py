"""Issue 12, defect 3: the tracking budget could be bypassed with X-Forwarded-For, lived in each process's memory,
and the page had a budget of its own. Now: one trusted-proxy setting for the whole site, budgets shared by every
process (Redis), one budget per person across the API and the page, and failed lookups cost a budget per address,
per phone number and per code prefix."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from motcua.common import ratelimit
from motcua.common.net import parse_trusted, resolve
from tests.dossiers.conftest import birth_submission

ROOT = Path(__file__).resolve().parents[2]
TRACK = "/api/v1/public/tracking/"


@pytest.fixture
def budgets(settings):
    settings.MOTCUA_TRUSTED_PROXIES = "10.0.0.0/8"
    settings.MOTCUA_TRACKING_RATE = "5/m"
    settings.MOTCUA_TRACKING_MISS_RATE = "1000/h"
    settings.MOTCUA_TRACKING_PREFIX_MISS_RATE = "1000/h"
    cache.clear()
    yield settings
    cache.clear()


def api(client, code="X-1", phone="0900000000", **meta):
    return client.get(TRACK + code, {"phone": phone}, **meta)


def page(client, code="X-1", phone="0900000000", **meta):
    return client.get("/tra-cuu/", {"code": code, "phone": phone}, **meta)


# -- the client address ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        ("203.0.113.9", "1.2.3.4", "", "203.0.113.9"),  # no proxy is trusted: the header is never read
        ("203.0.113.9", "1.2.3.4", "10.0.0.1", "203.0.113.9"),  # the peer is not a trusted proxy
        ("10.0.0.1", "198.51.100.7", "10.0.0.1", "198.51.100.7"),
        ("10.0.0.1", "1.2.3.4, 198.51.100.7", "10.0.0.1", "198.51.100.7"),  # what the client prepended is ignored
        ("10.0.0.1", "1.2.3.4, 198.51.100.7, 10.0.0.2", "10.0.0.0/24", "198.51.100.7"),  # two proxies
        ("10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.0/24", "10.0.0.3"),  # only proxies: the left-most
        ("10.0.0.1", "", "10.0.0.1", "10.0.0.1"),
        ("10.0.0.1", "garbage, 198.51.100.7", "10.0.0.1", "198.51.100.7"),
        ("10.0.0.1", "198.51.100.7, garbage", "10.0.0.1", "10.0.0.1"),  # no proxy wrote that: stop at the proxy
        ("10.0.0.1", "[2001:db8::1]:443", "10.0.0.1", "2001:db8::1"),
        ("::ffff:10.0.0.1", "198.51.100.7:5555", "10.0.0.1", "198.51.100.7"),
        ("", "198.51.100.7", "unix", "198.51.100.7"),  # gunicorn's unix socket
        ("", "198.51.100.7", "", ""),
    ],
)
def test_the_client_address_follows_only_trusted_proxies(remote, forwarded, trusted, client):
    assert resolve(remote, forwarded, parse_trusted(trusted)) == client


def test_the_middleware_puts_the_client_in_remote_addr(rf, settings):
    from motcua.common.net import ClientAddressMiddleware, client_ip

    settings.MOTCUA_TRUSTED_PROXIES = "10.0.0.1"
    seen = {}
    middleware = ClientAddressMiddleware(lambda request: seen.update(addr=request.META["REMOTE_ADDR"]))
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    middleware(request)
    assert seen["addr"] == client_ip(request) == "198.51.100.7"
    assert request.META["MOTCUA_PEER_ADDR"] == "10.0.0.1"


def test_a_bad_trusted_proxy_setting_is_refused():
    with pytest.raises(ValueError):
        parse_trusted("10.0.0.1, not-an-address")


def test_production_refuses_to_start_without_redis():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        ratelimit.caches("", dev=False)
    assert ratelimit.caches("redis://127.0.0.1:6379/0", dev=False)["default"]["BACKEND"].endswith("RedisCache")
    assert ratelimit.caches("", dev=True)["default"]["BACKEND"].endswith("LocMemCache")  # demo and tests only


def test_one_ipv6_network_is_one_client(db, client, budgets):
    assert [api(client, REMOTE_ADDR=f"2001:db8:1:2::{i}").status_code for i in range(6)] == [404] * 5 + [429]
    assert api(client, REMOTE_ADDR="2001:db8:1:3::1").status_code == 404


def test_the_cache_holds_no_phone_number(db, client, budgets):
    from django.core.cache import caches

    api(client, phone="0912345678")
    keys = list(caches["default"]._cache)  # local memory in the tests
    assert keys and not any("0912345678" in key or "127.0.0.1" in key for key in keys)


def test_rates_parse():
    assert ratelimit.Rate.parse("30/m") == ratelimit.Rate(30, 60)
    assert ratelimit.Rate.parse("10/h") == ratelimit.Rate(10, 3600)
    assert ratelimit.Rate.parse("100/5m") == ratelimit.Rate(100, 300)
    assert ratelimit.Rate.parse("600/min") == ratelimit.Rate(600, 60)
    for bad in ("30", "x/m", "30/w", "0/m", "-1/m"):
        with pytest.raises(ValueError):
            ratelimit.Rate.parse(bad)


# -- budgets, in one process -----------------------------------------------------------------------------
def test_x_forwarded_for_from_an_untrusted_client_buys_no_budget(db, client, budgets):
    codes = [api(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(7)]
    assert codes == [404] * 5 + [429] * 2


def test_behind_a_trusted_proxy_each_client_has_its_budget(db, client, budgets):
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = [api(client, HTTP_X_FORWARDED_FOR=f"{i}.{i}.{i}.{i}, 198.51.100.1", **proxy).status_code for i in range(6)]
    assert first == [404] * 5 + [429]  # what the client prepends does not make it someone else
    assert api(client, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 404


def test_api_and_page_share_one_budget(db, client, budgets):
    answers = [(api if i % 2 else page)(client).status_code for i in range(7)]
    assert answers == [200, 404, 200, 404, 200, 429, 429]  # the page answers 200 "no such dossier", the API 404


def test_a_limited_answer_says_so_with_a_stable_code(db, client, budgets):
    budgets.MOTCUA_TRACKING_RATE = "1/m"
    api(client)
    r = api(client)
    assert r.status_code == 429 and r.json()["code"] == "rate_limited" and int(r["Retry-After"]) > 0
    assert r.json()["message"] and r.json()["message_en"]


@pytest.fixture
def dossier(procedures, django_user_model):
    """A dossier taken in at a commune desk (through the API): (code, applicant phone)."""
    from django.test import Client

    from motcua.identity.services import issue_token

    token = issue_token(django_user_model.objects.get(username="tanan.tiepnhan"), "t")
    desk = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = birth_submission()
    created = desk.post("/api/v1/dossiers", body, content_type="application/json")
    assert created.status_code == 201, created.content
    return created.json()["code"], body["applicant"]["phone"]


def test_guessing_codes_for_a_known_phone_stops_at_its_budget(dossier, client, budgets):
    """Sequential codes guessed from many addresses for one phone number: the phone's budget of failed
    lookups runs out, and then even the right code answers 429 (nothing tells the guess was right)."""
    code, phone = dossier
    budgets.MOTCUA_TRACKING_MISS_RATE = "3/h"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    prefix = code.rstrip("0123456789")
    guesses = [
        api(client, f"{prefix}{n:04d}", phone, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}", **proxy).status_code
        for n in range(500, 504)
    ]
    assert guesses == [404, 404, 404, 429]
    right = api(client, code, phone, HTTP_X_FORWARDED_FOR="198.51.100.99", **proxy)
    assert right.status_code == 429
    assert page(client, code, "+84 " + phone[1:], HTTP_X_FORWARDED_FOR="198.51.100.98", **proxy).status_code == 429


def test_guessing_one_desk_day_stops_at_its_budget(dossier, client, budgets):
    """Many phones and many addresses against one desk's day: the code prefix has its own budget."""
    code, phone = dossier
    budgets.MOTCUA_TRACKING_PREFIX_MISS_RATE = "3/h"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    prefix = code.rstrip("0123456789")
    guesses = [
        api(client, f"{prefix}{n:04d}", f"09{n:08d}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n % 250}", **proxy)
        for n in range(600, 604)
    ]
    assert [r.status_code for r in guesses] == [404, 404, 404, 429]
    assert api(client, code, phone, HTTP_X_FORWARDED_FOR="198.51.100.251", **proxy).status_code == 429
    other_day = api(client, "000.00.01.H53-260101-0001", phone, HTTP_X_FORWARDED_FOR="198.51.100.252", **proxy)
    assert other_day.status_code == 404


def test_failed_lookups_cost_the_address_its_budget(dossier, client, budgets):
    code, phone = dossier
    budgets.MOTCUA_TRACKING_MISS_RATE = "2/h"
    assert [api(client, "X-1", f"090000000{i}").status_code for i in range(3)] == [404, 404, 429]
    assert api(client, code, phone).status_code == 429


def test_a_right_lookup_costs_no_failure_budget(dossier, client, budgets):
    code, phone = dossier
    budgets.MOTCUA_TRACKING_MISS_RATE = "1/h"
    assert [api(client, code, phone).status_code for _ in range(3)] == [200, 200, 200]


def test_a_wrong_phone_and_an_unknown_code_answer_alike(dossier, client, budgets):
    code, phone = dossier
    wrong, unknown = api(client, code, "0987654321"), api(client, code[:-4] + "9999", phone)
    assert wrong.status_code == unknown.status_code == 404 and wrong.json() == unknown.json()


# -- two real processes sharing Redis ---------------------------------------------------------------------
REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")  # this suite's own database
PER_CLIENT = 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        MOTCUA_DEV="1",
        MOTCUA_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp / 'live.sqlite3'}",
        REDIS_URL=REDIS_URL,
        MOTCUA_TRUSTED_PROXIES="127.0.0.1",
        MOTCUA_TRACKING_RATE=f"{PER_CLIENT}/m",
        MOTCUA_TRACKING_MISS_RATE="1000/h",
        MOTCUA_TRACKING_PREFIX_MISS_RATE="1000/h",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two `motcua runserver` processes on one SQLite file and one Redis database (flushed first)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"these tests need Redis at {REDIS_URL}: {exc}")
    tmp = tmp_path_factory.mktemp("two-processes")
    env = _environment(tmp)
    motcua = str(Path(sys.executable).with_name("motcua"))
    subprocess.run([motcua, "migrate", "--no-input", "-v0"], env=env, check=True, cwd=tmp)
    ports = [_free_port(), _free_port()]
    procs = [
        subprocess.Popen(
            [motcua, "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if _get(port, "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"the server on port {port} did not start")
                time.sleep(0.2)
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)
        redis.Redis.from_url(REDIS_URL).flushdb()


def _get(port: int, path: str, headers: dict | None = None, source: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0) if source else None)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _track(port: int, client: str | None = None, source: str | None = None, api_side=True) -> int:
    query = {"phone": "0900000000"}
    path = f"{TRACK}X-1?{urlencode(query)}" if api_side else f"/tra-cuu/?{urlencode({'code': 'X-1', **query})}"
    return _get(port, path, {"X-Forwarded-For": client} if client else {}, source)[0]


@pytest.mark.live
def test_two_processes_share_one_budget(servers):
    """Alternating between two server processes, one client gets exactly its budget in all."""
    answers = [_track(servers[i % 2], "203.0.113.10") for i in range(2 * PER_CLIENT)]
    assert answers == [404] * PER_CLIENT + [429] * PER_CLIENT


@pytest.mark.live
def test_two_processes_api_and_page_share_one_budget(servers):
    answers = [_track(servers[i % 2], "203.0.113.11", api_side=i % 3 != 0) for i in range(PER_CLIENT + 2)]
    assert sum(code != 429 for code in answers) == PER_CLIENT and answers[-2:] == [429, 429]
    assert set(answers[:PER_CLIENT]) == {200, 404}  # the page answers 200 "not found", the API 404


@pytest.mark.live
def test_two_processes_ignore_x_forwarded_for_from_an_untrusted_client(servers):
    """127.0.0.2 is no trusted proxy: a new X-Forwarded-For on every request buys nothing."""
    answers = [_track(servers[i % 2], f"198.51.100.{i}", source="127.0.0.2") for i in range(PER_CLIENT + 2)]
    assert answers == [404] * PER_CLIENT + [429, 429]


@pytest.mark.live
def test_two_processes_believe_a_trusted_proxy(servers):
    """From the trusted proxy, each client has its own budget; what a client prepends is not believed."""
    spoofed = [_track(servers[i % 2], f"10.9.9.{i}, 203.0.113.12") for i in range(PER_CLIENT + 1)]
    assert spoofed == [404] * PER_CLIENT + [429]
    assert _track(servers[0], "203.0.113.13") == 404


def test_only_a_trusted_proxy_may_say_the_request_came_over_https(client, settings):
    """X-Forwarded-Proto from anyone else is dropped, whatever SECURE_PROXY_SSL_HEADER says."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from motcua.common.net import ClientAddressMiddleware

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = {}

    def view(request):
        seen["secure"] = request.is_secure()
        return HttpResponse()

    middleware = ClientAddressMiddleware(view)
    for trusted, expected in (("", False), ("10.0.0.1", True)):
        settings.MOTCUA_TRUSTED_PROXIES = trusted
        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        middleware(request)
        assert seen["secure"] is expected, trusted
