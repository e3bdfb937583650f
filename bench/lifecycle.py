"""Benchmark: complete dossier lifecycles through the HTTP API, gunicorn + PostgreSQL,
with a million dossiers already in the database; then list and tracking lookups.

A lifecycle is: citizen submits online → desk receives → desk forwards → specialist forwards
→ division head forwards → leader resolves → desk returns the result (7 calls).

    .venv/bin/python bench/lifecycle.py                      # 1,000,000 dossiers, defaults below
    .venv/bin/python bench/lifecycle.py --dossiers 100000 --lifecycles 200

It creates (or reuses) the database in --database-url, loads the demo, tops the dossiers up
with the bulk generator, starts gunicorn on 127.0.0.1 and drives it from client threads.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
console = Console()


def motcua(env: dict, *args: str) -> str:
    return subprocess.run([str(BIN / "motcua"), *args], env=env, check=True, capture_output=True, text=True).stdout


def setup(env: dict, dossiers: int) -> None:
    console.print("[bold]setup[/]: migrate, demo, generate dossiers (resumable; the first run takes minutes)")
    motcua(env, "migrate", "-v0")
    motcua(env, "demo", "--no-progress")
    subprocess.run([str(BIN / "motcua"), "generate_dossiers", "--count", str(dossiers)], env=env, check=True)


def prepare_actors(env: dict) -> dict:
    """Tokens for the citizen and the Department of Finance staff, and a business-registration procedure."""
    os.environ.update(env)
    import django

    django.setup()
    from motcua.catalog.selectors import versions_in_force
    from motcua.dossiers.models import Dossier
    from motcua.identity.models import User
    from motcua.identity.services import issue_token

    citizen, _ = User.objects.get_or_create(username="bench.citizen", defaults={"kind": "citizen"})
    wanted = ["receptionist", "specialist", "division_head", "agency_leader", "receptionist"]
    version = next(
        v
        for v in versions_in_force().filter(competent_agency__code="000.00.04.H53").exclude(online_level="none")
        if [s.role for s in v.steps.all()] == wanted and not any(s.inter_agency for s in v.steps.all())
    )
    users = {
        "citizen": citizen.username,
        "desk": "tiepnhan.tinh",
        "specialist": "dkkd.chuyenvien",
        "head": "dkkd.truongphong",
        "leader": "taichinh.lanhdao",
    }
    tokens = {role: issue_token(User.objects.get(username=u), "bench") for role, u in users.items()}
    sample = list(Dossier.objects.order_by("?").values_list("code", "applicant_phone")[:300])
    components = [{"code": c.code} for c in version.components.all() if c.required]
    return {"tokens": tokens, "procedure": version.procedure.code, "components": components, "sample": sample}


class Client:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, token: str | None, body: dict | None = None) -> tuple[int, dict, float]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        t0 = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        return response.status, json.loads(payload or b"{}"), (time.perf_counter() - t0) * 1000


def lifecycle(client: Client, ctx: dict, timings: dict) -> bool:
    t = ctx["tokens"]
    submit = {
        "procedure_code": ctx["procedure"],
        "applicant": {"name": "Nguyễn Văn Bench", "phone": "0912345678"},
        "components": ctx["components"],
        "form_data": {
            "ten_doanh_nghiep": "DNTN Bench",
            "dia_chi_tru_so": "Tân An, Tây Ninh",
            "nganh_nghe": "Bán lẻ",
            "von_dau_tu": 100000000,
        },
    }
    status, body, ms = client.call("POST", "/api/v1/dossiers", t["citizen"], submit)
    timings["submit"].append(ms)
    if status != 201:
        console.print(f"submit failed {status} {body}")
        return False
    code = body["code"]
    steps = [
        ("receive", "desk", {}),
        ("forward", "desk", {}),
        ("forward", "specialist", {}),
        ("forward", "head", {}),
        ("resolve", "leader", {"results": [{"code": "KQ", "name": "Kết quả"}]}),
        ("return", "desk", {"method": "online"}),
    ]
    for action, who, extra in steps:
        status, body, ms = client.call("POST", f"/api/v1/dossiers/{code}/{action}", t[who], extra)
        timings[action if action != "forward" else f"forward ({who})"].append(ms)
        if status != 200:
            console.print(f"{action} failed {status} {body}")
            return False
    return True


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_lifecycles(port: int, ctx: dict, total: int, concurrency: int) -> tuple[float, dict, int]:
    timings: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()
    remaining = [total]
    done = [0]

    def worker(progress, task):
        client = Client(port)
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            local: dict[str, list[float]] = defaultdict(list)
            ok = lifecycle(client, ctx, local)
            with lock:
                for k, v in local.items():
                    timings[k].extend(v)
                done[0] += ok
            progress.advance(task)

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("lifecycles", total=total)
        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(progress, task)) for _ in range(concurrency)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - t0
    return elapsed, timings, done[0]


def lookups(port: int, ctx: dict, n: int) -> dict[str, list[float]]:
    client = Client(port)
    t = ctx["tokens"]
    out: dict[str, list[float]] = defaultdict(list)
    queries = {
        "list (desk inbox)": "/api/v1/dossiers?limit=20",
        "list status=4": "/api/v1/dossiers?limit=20&status=4",
        "list overdue": "/api/v1/dossiers?limit=20&overdue=true",
    }
    for _ in range(n):
        for label, path in queries.items():
            status, _body, ms = client.call("GET", path, t["desk"])
            out[label].append(ms)
        status, _body, ms = client.call("GET", "/api/v1/dossiers?limit=20&at_risk=true", t["specialist"])
        out["list at_risk (specialist)"].append(ms)
        code, phone = random.choice(ctx["sample"])
        status, _body, ms = client.call("GET", f"/api/v1/public/tracking/{code}?phone={phone}", None)
        assert status == 200, (status, _body)
        out["tracking"].append(ms)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Dossier lifecycles through the HTTP API (gunicorn + PostgreSQL)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/motcua_bench")
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--lifecycles", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", args.database_url.rsplit("/", 1)[1]], capture_output=True
    )
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "MOTCUA_DEV": "1",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "MOTCUA_PUBLIC_API_RATE": "1000000/s",
        "MOTCUA_TRACKING_RATE": "1000000/s",
        "CONN_MAX_AGE": "600",
    }
    setup(env, args.dossiers)
    ctx = prepare_actors(env)
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "motcua.wsgi",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                Client(args.port).call("GET", "/healthz", None)
                break
            except OSError:
                time.sleep(0.2)
        run_lifecycles(args.port, ctx, min(20, args.lifecycles), args.concurrency)  # warm-up
        elapsed, timings, ok = run_lifecycles(args.port, ctx, args.lifecycles, args.concurrency)
        looked = lookups(args.port, ctx, args.lookups)
    finally:
        server.terminate()
        server.wait()
    calls = sum(len(v) for v in timings.values())
    table = Table(
        title=f"bench/lifecycle — {ok}/{args.lifecycles} lifecycles, {args.concurrency} clients, "
        f"gunicorn ×{args.workers}, ≥{args.dossiers:,} dossiers in PostgreSQL"
    )
    for col in ("call", "n", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(col, justify="right" if col != "call" else "left")
    everything = [x for v in timings.values() for x in v]
    for label, values in [*timings.items(), ("all lifecycle calls", everything), *looked.items()]:
        table.add_row(
            label,
            str(len(values)),
            f"{statistics.median(values):.1f}",
            f"{pct(values, 95):.1f}",
            f"{pct(values, 99):.1f}",
        )
    console.print(table)
    console.print(
        f"lifecycles/s: [bold]{ok / elapsed:.1f}[/]  ·  calls/s: {calls / elapsed:.0f}  ·  "
        f"elapsed {elapsed:.1f}s  ·  goal ≥ 100 lifecycles/s, p95 < 100 ms; lookups p95 < 50 ms"
    )


if __name__ == "__main__":
    main()
