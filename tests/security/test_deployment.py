"""Production cannot run on the demo's conveniences; it runs behind TLS; the dependencies are locked (issue 12).

Defect 4: `make serve` ran with the published dev key and non-Secure cookies, `MOTCUA_DEV=0` counted as on and a
5-character key was accepted. Each case starts the real command (`motcua check`, gunicorn, make) in a subprocess
with an environment of its own, as an operator would.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from django.test import Client, override_settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STRONG_KEY = "q7Vx-2mZ_pL9rT4wK8sN1bH6yC3fJ0dG5aE-uR2iO7lP9xM4vB_nQ8"  # 54 characters, many distinct
DEV_KEY = "insecure-dev-key-only-for-local-demo"
FIELD_KEY = "QBqoCNS1QJKEYR0hhQILRMqXzakdRYcqZNsQM37ry1g="  # a Fernet key made for this test
# what an operator's shell or the test run may carry that would change the mode under test
# (DJANGO_ALLOW_ASYNC_UNSAFE, set for the browser tests, is one check --deploy rightly refuses; the MAKE* variables of
# `make test` would pass its command line on to the `make` started here)
SCRUBBED = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SECURE_COOKIES", "WEB_CONCURRENCY")
SCRUBBED += ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")


def environment(tmp_path: Path, **values: str) -> dict[str, str]:
    """This process's environment less every mode switch, with its own SQLite directory, plus `values`."""
    prefixes = ("MOTCUA_", "DJANGO_", "GUNICORN")
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED and not k.startswith(prefixes)}
    env.update(MOTCUA_VAR_DIR=str(tmp_path / "var"), LOG_FORMAT="text", LOG_LEVEL="WARNING")
    env.update(values)
    return env


def production(tmp_path: Path, **values: str) -> dict[str, str]:
    """What docs/deployment.md asks of a production server: its secrets, Redis and the site's host name."""
    return environment(
        tmp_path,
        SECRET_KEY=STRONG_KEY,
        MOTCUA_FIELD_KEYS=FIELD_KEY,
        MOTCUA_FIELD_HASH_KEY=STRONG_KEY[::-1],
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="motcua.example.gov.vn,127.0.0.1",
        **values,
    )


def motcua(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "motcua"), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def settings_in(env: dict[str, str], *names: str) -> dict:
    """The named settings as a fresh process with `env` sees them."""
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'motcua.settings'\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# -- defect 4: no production without a strong key ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({}, "SECRET_KEY is not set"),
        ({"MOTCUA_DEV": "0"}, "SECRET_KEY is not set"),  # "0" used to count as on
        ({"MOTCUA_DEV": "false", "DEBUG": "0"}, "SECRET_KEY is not set"),
        ({"MOTCUA_DEV": "", "DEBUG": ""}, "SECRET_KEY is not set"),
        ({"DEBUG": "off"}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "abcde"}, "5 characters"),  # used to be accepted
        ({"SECRET_KEY": "x" * 49 + "y"}, "distinct characters"),
        ({"SECRET_KEY": "ab" * 40}, "distinct characters"),
        ({"SECRET_KEY": DEV_KEY}, "published development key"),
        ({"SECRET_KEY": DEV_KEY + STRONG_KEY}, "published development key"),
        ({"SECRET_KEY": "django-insecure-" + STRONG_KEY}, "published development key"),
    ],
)
def test_production_refuses_to_start_without_a_strong_key(tmp_path, values, reason):
    done = motcua(environment(tmp_path, **values), "check")
    assert done.returncode != 0
    assert "motcua refuses to run in production" in done.stderr
    assert reason in done.stderr
    assert "MOTCUA_DEV=1" in done.stderr  # says how to run the demo instead


@pytest.mark.parametrize("values", [{"MOTCUA_DEV": "1"}, {"MOTCUA_DEV": "true"}, {"DEBUG": "1"}, {"DEBUG": "yes"}])
def test_the_demo_and_the_tests_start_without_a_key(tmp_path, values):
    done = motcua(environment(tmp_path, **values), "check")
    assert done.returncode == 0, done.stderr


def test_a_mode_switch_that_is_not_a_boolean_is_refused(tmp_path):
    done = motcua(environment(tmp_path, MOTCUA_DEV="maybe"), "check")
    assert done.returncode != 0
    assert "MOTCUA_DEV='maybe' is not a boolean" in done.stderr


def test_production_starts_with_a_strong_key(tmp_path):
    done = motcua(production(tmp_path), "check")
    assert done.returncode == 0, done.stderr


def test_nothing_in_production_derives_from_the_dev_key(tmp_path):
    prod = settings_in(production(tmp_path), "SECRET_KEY", "MOTCUA_NATIONAL_CLIENT_ID", "MOTCUA_NATIONAL_CLIENT_SECRET")
    assert prod == {"SECRET_KEY": STRONG_KEY, "MOTCUA_NATIONAL_CLIENT_ID": "", "MOTCUA_NATIONAL_CLIENT_SECRET": ""}
    demo = settings_in(environment(tmp_path, MOTCUA_DEV="1"), "SECRET_KEY", "MOTCUA_NATIONAL_CLIENT_SECRET")
    assert demo["SECRET_KEY"] == DEV_KEY and demo["MOTCUA_NATIONAL_CLIENT_SECRET"]  # the demo's own client


# -- deployment behind TLS --------------------------------------------------------------------------------------

TLS_SETTINGS = (
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
)


def test_production_settings_require_tls(tmp_path):
    assert settings_in(production(tmp_path), *TLS_SETTINGS) == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None,  # no proxy named: no forwarded header is believed
    }
    behind_nginx = settings_in(
        production(tmp_path, MOTCUA_TRUSTED_PROXIES="127.0.0.1", MOTCUA_HSTS_SECONDS="3600"), *TLS_SETTINGS
    )
    assert behind_nginx["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert behind_nginx["SECURE_HSTS_SECONDS"] == 3600


def test_the_demo_runs_on_plain_http(tmp_path):
    demo = settings_in(environment(tmp_path, MOTCUA_DEV="1"), *TLS_SETTINGS)
    assert not demo["SESSION_COOKIE_SECURE"] and not demo["SECURE_SSL_REDIRECT"] and demo["SECURE_HSTS_SECONDS"] == 0


def test_check_deploy_is_clean_in_production(tmp_path):
    done = motcua(
        production(tmp_path, MOTCUA_TRUSTED_PROXIES="127.0.0.1"), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Host": "motcua.example.gov.vn", **headers})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn as `make serve` and the systemd unit start it, in production, on a free port."""
    port = free_port()
    env = production(tmp_path, MOTCUA_BIND=f"127.0.0.1:{port}", MOTCUA_TRUSTED_PROXIES="127.0.0.1", WEB_CONCURRENCY="1")
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "python:motcua.gunicorn_conf"], env=env, stderr=log, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_gunicorn_serves_tls_only_and_names_no_server_software(gunicorn):
    secure = get(gunicorn, "/healthz", **{"X-Forwarded-Proto": "https"})  # as nginx, on a trusted address, sends it
    assert secure.status == 200
    assert secure.getheader("Server") is None
    assert secure.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
    plain = get(gunicorn, "/tra-cuu/?ma=1")
    assert plain.status == 301 and plain.getheader("Location") == "https://motcua.example.gov.vn/tra-cuu/?ma=1"
    assert plain.getheader("Server") is None
    health = get(gunicorn, "/healthz")  # local probes over plain HTTP are not redirected
    assert health.status == 200 and health.getheader("Strict-Transport-Security") is None
    docs = get(gunicorn, "/api/docs", **{"X-Forwarded-Proto": "https"})
    assert docs.status == 302 and "/dang-nhap/" in docs.getheader("Location")  # staff only: log in first


def test_gunicorn_refuses_to_start_without_a_key(tmp_path):
    env = environment(tmp_path, MOTCUA_BIND=f"127.0.0.1:{free_port()}")
    done = subprocess.run(
        [str(BIN / "gunicorn"), "-c", "python:motcua.gunicorn_conf"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "motcua refuses to run in production: SECRET_KEY is not set" in done.stderr


# -- Swagger UI and the OpenAPI JSON: staff only in production ---------------------------------------------------


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_api_docs_are_for_staff_in_production(login, path, db):
    from motcua.identity.models import User

    assert Client().get(path).status_code == 200  # the demo and the tests: open
    with override_settings(MOTCUA_DEV=False):
        anonymous = Client().get(path)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/dang-nhap/?next=")
        citizen = Client()
        citizen.force_login(User.objects.create_user("congdan.docs", kind=User.Kind.CITIZEN))
        assert citizen.get(path).status_code == 403
        assert login("tiepnhan.tinh").get(path).status_code == 200


# -- make: the demo's switch only where the demo runs; hashed lock files ----------------------------------------


@pytest.fixture
def sandbox(tmp_path):
    """`make` with a throwaway venv whose commands record their arguments and whether the demo switch reached
    them; its install stamp is newer than the lock files, so `setup` has nothing to do and installs nothing."""
    stub = tmp_path / "venv" / "bin"
    stub.mkdir(parents=True)
    for name in ("motcua", "gunicorn"):
        script = stub / name
        script.write_text(
            f'#!/bin/sh\necho "{name} $* MOTCUA_DEV=${{MOTCUA_DEV-unset}} DEBUG=${{DEBUG-unset}}" >> {tmp_path}/calls\n'
        )
        script.chmod(0o755)
    (stub / "pip-audit").symlink_to(BIN / "pip-audit")
    stamp = tmp_path / "venv" / ".installed"
    stamp.touch()

    def make(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
        sandboxed = [f"VENV={tmp_path / 'venv'}", f"BIN={stub}", f"STAMP={stamp}"]
        return subprocess.run(
            ["make", "-s", *args, *sandboxed], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )

    return make


def test_make_serve_is_production_whatever_the_shell_exports(tmp_path, sandbox):
    done = sandbox(environment(tmp_path, MOTCUA_DEV="1", DEBUG="1"), "serve")
    assert done.returncode == 0, done.stderr
    assert "make serve is production" in done.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls[0] == "motcua check --deploy MOTCUA_DEV=0 DEBUG=unset"
    # gunicorn runs in the foreground, the sync worker and the rollup refresher beside it (issue 13: their lines
    # may come before or after gunicorn's; tests/test_readme_commands.py checks them)
    assert "gunicorn -c python:motcua.gunicorn_conf MOTCUA_DEV=0 DEBUG=unset" in calls
    assert all(call.endswith("MOTCUA_DEV=0 DEBUG=unset") for call in calls)


def test_make_sets_the_demo_switch_for_the_dev_targets_only(tmp_path, sandbox):
    done = sandbox(environment(tmp_path), "openapi")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "calls").read_text().startswith("motcua export_openapi_schema ")
    assert "MOTCUA_DEV=1 " in (tmp_path / "calls").read_text()


def test_make_audit_fails_clearly_when_the_vulnerability_database_is_unreachable(tmp_path, sandbox):
    lock = tmp_path / "one.lock"
    lock.write_text(re.search(r"^six==.*?(?=^\S)", (ROOT / "requirements/dev.lock").read_text(), re.M | re.S)[0])
    os.utime(lock, (time.time() - 3600, time.time() - 3600))  # older than the stamp
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there: no request leaves this machine
    env = environment(tmp_path, HTTPS_PROXY=dead, HTTP_PROXY=dead, https_proxy=dead, http_proxy=dead)
    for name in ("NO_PROXY", "no_proxy"):
        env.pop(name, None)
    done = sandbox(env, "audit", f"LOCK={lock}", f"AUDIT_FLAGS=--cache-dir={tmp_path / 'cache'}")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "make audit: the vulnerability database could not be reached" in done.stderr


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """name → (version, number of hashes) of a pip-compile lock file."""
    entries = re.findall(
        r"^([A-Za-z0-9._-]+)==(\S+)((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})*)", path.read_text(), re.M
    )
    return {canonicalize_name(name): (version, hashes.count("--hash=")) for name, version, hashes in entries}


def test_lock_files_pin_every_dependency_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [Requirement(r) for r in project["dependencies"]]
    dev_only = [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    dev, prod = locked(ROOT / "requirements/dev.lock"), locked(ROOT / "requirements/prod.lock")
    for lock in (dev, prod):
        assert all(hashes for _, hashes in lock.values()), "every pin carries its hashes"
    for requirement in runtime + dev_only:
        name = canonicalize_name(requirement.name)
        assert name in dev and requirement.specifier.contains(dev[name][0]), f"{requirement}: run `make lock`"
    for requirement in runtime:
        assert canonicalize_name(requirement.name) in prod, f"{requirement}: run `make lock`"
    assert not {canonicalize_name(r.name) for r in dev_only} & prod.keys(), "no dev tool on a server"
    assert all(dev[name][0] == version for name, (version, _) in prod.items()), "one version of each package"
    for path in (ROOT / "requirements").glob("*.lock"):
        assert not re.search(r"--(extra-)?index-url|--find-links|file://", path.read_text()), "no machine's paths"
