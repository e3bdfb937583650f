"""Reliability of the national sync over real HTTP: faults between the worker and the monitor,
killed workers and receivers, several workers, duplicate batches. The end state is checked dossier
by dossier: the monitor holds exactly the node's version of every dossier."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from motcua.catalog.services import import_catalog
from motcua.demo.services import load_org, load_staff
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.identity.models import User
from motcua.national import services as national
from motcua.national.models import SyncedDossier
from motcua.org.services import load_divisions
from motcua.sync.client import NationalClient
from motcua.sync.models import SyncState
from motcua.sync.worker import Worker
from tests.catalog.factories import catalog
from tests.sync.factories import submit_dossiers

pytestmark = pytest.mark.live
BIN = Path(sys.executable).parent
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="subprocesses need a shared database")


@pytest.fixture
def node_world(transactional_db, settings):
    settings.MOTCUA_SYNC_BACKOFF_BASE_SECONDS = 0.05
    settings.MOTCUA_SYNC_LEASE_SECONDS = 1.5
    load_divisions()
    load_org()
    load_staff()
    import_catalog(catalog())
    node, secret = national.register_node("H53", "Tỉnh Tây Ninh", ".H53", client_id="h53-test")
    submit_dossiers(24)
    return {"client_id": node.client_id, "secret": secret, "node": node}


class FaultProxy:
    """An HTTP proxy in front of the monitor that can fail, hang, drop after forwarding, or be down."""

    def __init__(self, target: str):
        self.target = target.replace("http://", "").rstrip("/")
        self.fail, self.hang, self.drop = 0, 0.0, 0
        self.server = None
        self.port = _free_port()
        self.up()

    def up(self):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one connection per request: "down" really refuses

            def log_message(self, *args):
                pass

            def _relay(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if proxy.fail > 0:
                    proxy.fail -= 1
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if proxy.hang:
                    time.sleep(proxy.hang)
                host, port = proxy.target.split(":")
                upstream = http.client.HTTPConnection(host, int(port), timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                if proxy.drop > 0 and self.path.endswith("/integration"):
                    proxy.drop -= 1  # the monitor has stored the batch; the answer never arrives
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(response.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _relay

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/national/api"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drain(worker: Worker, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        worker.run_once()
        if not SyncState.objects.filter(pending=True, dead=False).exists():
            return
        time.sleep(0.05)
    raise AssertionError("the backlog did not drain")


def assert_in_sync(node) -> None:
    node_side = dict(Dossier.objects.values_list("code", "version"))
    monitor_side = dict(SyncedDossier.objects.filter(node=node).values_list("code", "version"))
    assert monitor_side == node_side
    assert not SyncState.objects.exclude(acked_version=models_F("node_version")).exists()


def models_F(name):
    from django.db.models import F

    return F(name)


def worker_for(world, url, timeout=2.0, batch=7) -> Worker:
    return Worker(NationalClient(url, world["client_id"], world["secret"], timeout=timeout), batch=batch)


def test_receiver_errors_timeouts_and_dropped_answers(node_world, live_server):
    proxy = FaultProxy(live_server.url)
    worker = worker_for(node_world, proxy.url, timeout=1.0)
    proxy.fail = 3  # 503s
    assert worker.run_once() == 0
    proxy.hang = 1.5  # longer than the client timeout
    assert worker.run_once() == 0
    proxy.hang = 0
    proxy.drop = 2  # stored by the monitor, answer lost: the worker must resend, idempotently
    drain(worker)
    assert_in_sync(node_world["node"])
    assert SyncState.objects.filter(attempts__gt=0).count() == 0


def test_receiver_down_then_back(node_world, live_server):
    proxy = FaultProxy(live_server.url)
    worker = worker_for(node_world, proxy.url)
    worker.run_once()
    proxy.down()
    for _ in range(3):
        assert worker.run_once() == 0
    proxy.up()
    drain(worker)
    assert_in_sync(node_world["node"])


def test_new_changes_after_delivery_are_delivered_again(node_world, live_server):
    worker = worker_for(node_world, f"{live_server.url}/national/api")
    drain(worker)
    desk = User.objects.get(username="tiepnhan.tinh")
    some = Dossier.objects.filter(status=2).order_by("id")[:5]
    for d in some:
        services.forward(d.code, desk)
    assert SyncState.objects.filter(pending=True).count() == 5
    drain(worker)
    assert_in_sync(node_world["node"])


def test_the_same_batch_delivered_twice_changes_nothing(node_world, live_server):
    worker = worker_for(node_world, f"{live_server.url}/national/api")
    drain(worker)
    before = list(SyncedDossier.objects.order_by("code").values_list("code", "version", "payload"))
    from motcua.sync import payload

    snapshots = [s for _, s in payload.snapshots(list(Dossier.objects.values_list("id", flat=True)))]
    for _ in range(2):
        results = worker.client.push("DongBoHoSoMC", snapshots)
        assert {r["KetQua"] for r in results} == {"accepted"}
    assert list(SyncedDossier.objects.order_by("code").values_list("code", "version", "payload")) == before


def test_a_rejected_snapshot_is_dead_lettered_and_resent(node_world, live_server):
    from motcua.sync import outbox

    node = node_world["node"]
    node.code_suffix = ".H99"  # the monitor now refuses this node's codes
    node.save()
    worker = worker_for(node_world, f"{live_server.url}/national/api")
    worker.run_once()
    dead = list(SyncState.objects.filter(dead=True).values_list("dossier_id", flat=True))
    assert dead and "does not belong" in SyncState.objects.get(dossier_id=dead[0]).last_error
    node.code_suffix = ".H53"
    node.save()
    outbox.resend(list(SyncState.objects.values_list("dossier_id", flat=True)))
    drain(worker)
    assert_in_sync(node)


# -- with processes: killed workers, several workers, a killed receiver (PostgreSQL) -----------------
def _env(extra=None) -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "MOTCUA_DEV": "1",
        "LOG_LEVEL": "WARNING",
        "MOTCUA_SYNC_BACKOFF_BASE_SECONDS": "0.05",
        "MOTCUA_SYNC_LEASE_SECONDS": "1.5",
        **(extra or {}),
    }


def _worker_process(world, url, *args) -> subprocess.Popen:
    env = _env(
        {
            "MOTCUA_NATIONAL_URL": url,
            "MOTCUA_NATIONAL_CLIENT_ID": world["client_id"],
            "MOTCUA_NATIONAL_CLIENT_SECRET": world["secret"],
            "MOTCUA_NATIONAL_TIMEOUT": "3",
        }
    )
    return subprocess.Popen(
        [str(BIN / "motcua"), "sync-worker", "--batch", "5", "--poll", "0.1", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_drained(seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not SyncState.objects.filter(pending=True, dead=False).exists():
            return
        time.sleep(0.2)
    raise AssertionError("not drained")


@postgres_only
def test_worker_killed_mid_batch_and_restarted(node_world, live_server):
    proxy = FaultProxy(live_server.url)
    proxy.hang = 2.0  # every request is slow: the kill lands mid-batch
    first = _worker_process(node_world, proxy.url)
    deadline = time.monotonic() + 30  # wait for a claimed batch (a fixed sleep raced the worker's start)
    while not SyncState.objects.filter(claimed_until__isnull=False).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert SyncState.objects.filter(claimed_until__isnull=False).exists()  # a batch was in flight
    proxy.hang = 0
    second = _worker_process(node_world, proxy.url)
    try:
        _wait_drained()
    finally:
        second.terminate()
        second.wait()
    assert_in_sync(node_world["node"])


@postgres_only
def test_several_workers_at_once(node_world, live_server):
    workers = [_worker_process(node_world, f"{live_server.url}/national/api") for _ in range(3)]
    try:
        _wait_drained()
    finally:
        for w in workers:
            w.terminate()
            w.wait()
    assert_in_sync(node_world["node"])


@postgres_only
def test_receiver_killed_and_restarted(node_world):
    port = _free_port()

    def receiver():
        return subprocess.Popen(
            [str(BIN / "motcua"), "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_up():
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)

    server = receiver()
    wait_up()
    worker = worker_for(node_world, f"http://127.0.0.1:{port}/national/api")
    worker.run_once()
    server.send_signal(signal.SIGKILL)
    server.wait()
    assert worker.run_once() == 0  # refused while the receiver is dead
    server = receiver()
    wait_up()
    try:
        time.sleep(0.2)
        drain(worker)
    finally:
        server.terminate()
        server.wait()
    assert_in_sync(node_world["node"])


def test_sync_status_reports_the_rate(node_world, live_server, capsys):
    from django.core.management import call_command

    call_command("sync-status", "--json")
    before = json.loads(capsys.readouterr().out)
    assert before["pending"] == 24 and before["sync_rate"] == 0
    drain(worker_for(node_world, f"{live_server.url}/national/api"))
    call_command("sync-status", "--json")
    after = json.loads(capsys.readouterr().out)
    assert after["pending"] == 0 and after["sync_rate"] == 100.0
