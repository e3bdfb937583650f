"""The README's "Command line" block works exactly as written on a fresh checkout, and every documented way of
starting the node keeps the sync worker and the rollup refresher running (issue 13, items 15 and 17).

Defect 15: every command of the block failed with a traceback (`SECRET_KEY must be set when DEBUG is off`)
unless MOTCUA_DEV=1 was set, and some lines could not run as written (`[--dry-run]`, `show|close`, `<any
Django command>`). Defect 17: `make serve` started gunicorn alone, so figures and the national sync stood
still. Commands run in subprocesses with an environment of their own, in a directory holding only `.venv`
(a link to this checkout's), so `.venv/bin/motcua …` resolves as it does in a checkout and SQLite, outputs and
uploads land in the temporary directory.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[1]
# commands whose first positional argument is a subcommand: the key of a line is "command subcommand"
GROUPS = {"workdays", "catalog", "staff", "audit", "keys", "index", "national"}
# the lines run by the test, in README order: the setup the README asks for (migrate, demo), then a safe subset
# (nothing that runs forever, needs the server or the network, or a file of the reader's)
RUN = ("migrate", "demo", "workdays deadline", "catalog export", "verify-events", "transitions-table")
RUN += ("sync-status", "index show")


def command_block() -> list[str]:
    """The lines of the README's "Command line" block, as a reader copies them."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Command line", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the Command line section has a ```sh block"
    return [line for line in block[1].splitlines() if line.strip()]


def key_of(args: list[str]) -> str:
    """The key of a line: its command and, for groups, its subcommand ("workdays deadline", "verify-events")."""
    name = args[1]
    if name in GROUPS and len(args) > 2 and not args[2].startswith("-"):
        return f"{name} {args[2]}"
    return name


def scrubbed_environment(**values: str) -> dict[str, str]:
    """This process's environment without anything that would choose the mode, the database or the settings:
    what a fresh shell on a developer's machine has."""
    drop = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "SECURE_COOKIES", "WEB_CONCURRENCY")
    drop += ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith(("MOTCUA_", "DJANGO_"))}
    env.update(LOG_FORMAT="text", LOG_LEVEL="WARNING", **values)
    return env


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A directory where `.venv/bin/motcua` is this checkout's command, and nothing else."""
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    return tmp_path


def shell(checkout: Path, script: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", script],
        cwd=checkout,
        env=env or scrubbed_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_line_of_the_block_can_run_as_written():
    """No placeholder, alternative or optional part a reader would have to edit: each line is the demo switch
    or a `.venv/bin/motcua` command whose arguments its own parser accepts."""
    lines = command_block()
    assert lines[0] == "export MOTCUA_DEV=1", "the block starts by turning the demo switch on"
    commands = get_commands()
    for line in lines[1:]:
        args = shlex.split(line, comments=True)
        assert args[0] == ".venv/bin/motcua", line
        assert not any(mark in word for word in args for mark in ("[", "]", "|", "<", ">", "…")), line
        assert args[1] in commands, f"no command {args[1]!r}: {line}"
        command = load_command_class(commands[args[1]], args[1])
        parser = command.create_parser("motcua", args[1])
        try:
            parser.parse_args(args[2:])
        except (CommandError, SystemExit) as exc:
            pytest.fail(f"{line}\n  its parser refuses it: {exc}")
    documented = {key_of(shlex.split(line, comments=True)) for line in lines[1:]}
    assert set(RUN) <= documented, set(RUN) - documented


def test_the_readme_commands_run_as_written_on_a_fresh_checkout(checkout):
    lines = command_block()
    ran = []
    for line in lines[1:]:
        if key_of(shlex.split(line, comments=True)) not in RUN:
            continue
        done = shell(checkout, f"{lines[0]}\n{line}")  # the block's own first line, then the command as written
        assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr, line
        ran.append((key_of(shlex.split(line, comments=True)), done.stdout))
    assert [key for key, _ in ran] == list(RUN)
    outputs = dict(ran)
    assert json.loads(outputs["workdays deadline"])["due"] == "2026-02-25T09:00:00+07:00"
    assert json.loads((checkout / "catalog.json").read_text(encoding="utf-8"))  # written where the reader stands
    assert "| receive |" in outputs["transitions-table"]
    assert "Cổng quốc gia / national portal" in outputs["sync-status"]
    assert (checkout / "var" / "motcua.sqlite3").exists()  # the checkout's own database, nothing shared


@pytest.mark.parametrize(
    ("values", "reason"),
    [({}, "SECRET_KEY is not set"), ({"MOTCUA_DEV": "maybe"}, "MOTCUA_DEV='maybe' is not a boolean")],
)
def test_without_the_demo_switch_the_command_says_how_in_one_line(checkout, values, reason):
    """Production stays strict (no key, no start: tests/security/test_deployment.py); the command says so in
    one line naming the fix, exit status 2, never a traceback."""
    line = next(line for line in command_block() if " workdays deadline " in line)
    done = shell(checkout, line, scrubbed_environment(**values))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert reason in done.stderr and "for the local demo: export MOTCUA_DEV=1" in done.stderr


def test_a_database_never_migrated_is_named_in_one_line(checkout):
    line = next(line for line in command_block() if " verify-events" in line)
    done = shell(checkout, f"export MOTCUA_DEV=1\n{line}")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "run `motcua migrate` first" in done.stderr


# -- make serve: gunicorn, and the sync worker and the rollup refresher beside it ----------------------------------


@pytest.fixture
def serve(tmp_path):
    """`make serve` with a throwaway venv: `motcua` records its arguments (the sync worker and the refresher
    then run until stopped, or the worker stops at once when asked), gunicorn records and runs a moment."""
    stub = tmp_path / "venv" / "bin"
    stub.mkdir(parents=True)
    calls = tmp_path / "calls"
    (stub / "motcua").write_text(
        "#!/bin/sh\n"
        f'echo "motcua $* MOTCUA_DEV=${{MOTCUA_DEV-unset}} pid=$$" >> {calls}\n'
        f'case "$1" in sync-worker) [ -e {tmp_path}/crash ] && exit 3; exec sleep 60;; index) exec sleep 60;; esac\n'
    )
    (stub / "gunicorn").write_text(f'#!/bin/sh\necho "gunicorn $*" >> {calls}\nexec sleep 3\n')
    for script in stub.iterdir():
        script.chmod(0o755)
    stamp = tmp_path / "venv" / ".installed"
    stamp.touch()

    def make(*args: str) -> subprocess.CompletedProcess:
        sandboxed = [f"VENV={tmp_path / 'venv'}", f"BIN={stub}", f"STAMP={stamp}", *args]
        env = scrubbed_environment(MOTCUA_DEV="1")
        return subprocess.run(["make", "-s", "serve", *sandboxed], env=env, cwd=ROOT, capture_output=True, text=True)

    return make, calls, tmp_path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_make_serve_runs_the_sync_worker_and_the_rollup_refresher_beside_gunicorn(serve):
    make, calls, _ = serve
    done = make()
    assert done.returncode == 0, done.stderr
    lines = calls.read_text().splitlines()
    assert "gunicorn -c python:motcua.gunicorn_conf" in lines
    workers = [line for line in lines if " sync-worker " in line or " index rollup " in line]
    assert len(workers) == 2, lines
    assert any(line.startswith("motcua index rollup --every 60 --no-progress ") for line in workers)
    # production: MOTCUA_DEV explicitly off, so var/local-demo is never read
    assert all("MOTCUA_DEV=0" in line for line in lines if line.startswith("motcua"))
    time.sleep(0.3)
    pids = [int(line.rsplit("pid=", 1)[1]) for line in workers]
    assert not any(_alive(pid) for pid in pids), "stopped with gunicorn"


def test_make_serve_starts_a_stopped_worker_again(serve):
    make, calls, tmp_path = serve
    (tmp_path / "crash").touch()
    done = make("RESTART_DELAY=1")
    assert done.returncode == 0, done.stderr
    starts = [line for line in calls.read_text().splitlines() if " sync-worker " in line]
    assert len(starts) >= 2, starts  # gunicorn ran 3 s: the worker stopped at once and was started again
    assert "sync-worker' stopped (status 3), starting it again in 1 s" in done.stderr


def test_a_set_up_checkout_runs_the_commands_without_the_switch(checkout):
    """After `make setup` (which writes var/local-demo) a line copied alone runs as written; an explicit
    MOTCUA_DEV=0 or any SECRET_KEY still means production, which refuses without its secrets."""
    (checkout / "var").mkdir()
    (checkout / "var" / "local-demo").write_text("make setup\n", encoding="utf-8")
    lines = [line for line in command_block()[1:] if key_of(shlex.split(line, comments=True)) in RUN[:3]]
    for line in lines:
        done = shell(checkout, line)  # no `export MOTCUA_DEV=1` before it
        assert done.returncode == 0, f"{line}\n{done.stderr[-2000:]}"
    for values in ({"MOTCUA_DEV": "0"}, {"SECRET_KEY": "short"}):
        done = shell(checkout, ".venv/bin/motcua verify-events", scrubbed_environment(**values))
        assert done.returncode == 2 and "refuses to run in production" in done.stderr, values
