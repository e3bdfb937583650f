"""The `motcua` command: Django's manage.py plus our own commands.

motcua migrate
motcua workdays deadline --start 2026-02-13T09:00 --amount 3 --unit working_days --json
motcua catalog export --output catalog.json
motcua demo

Settings that cannot start (production without its secrets, a mode switch that is not a boolean), and a database
never migrated, end the command with one line naming the fix and exit status 2, never a traceback.
"""

from __future__ import annotations

import os
import sys

DEMO_HINT = "for the local demo: export MOTCUA_DEV=1, or run `make setup` in this checkout (README, Command line)"
SETUP_HINT = "`make demo` migrates and loads the demo province"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 — reading a setting loads them all
    except ImproperlyConfigured as exc:
        reason = " ".join(str(exc).split())
        sys.stderr.write(f"motcua: {reason} — {DEMO_HINT}\n")
        sys.exit(2)
    from django.db.utils import OperationalError, ProgrammingError

    try:
        execute_from_command_line(["motcua", *(sys.argv[1:] if argv is None else argv)])
    except (OperationalError, ProgrammingError) as exc:
        if not _missing_table(exc):
            raise
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        sys.stderr.write(f"motcua: the database has no tables yet ({why}) — run `motcua migrate` first; {SETUP_HINT}\n")
        sys.exit(2)


def _missing_table(exc: Exception) -> bool:
    """SQLite's "no such table", PostgreSQL's undefined_table (42P01): a database never migrated."""
    return "no such table" in str(exc) or getattr(exc.__cause__, "sqlstate", None) == "42P01"


if __name__ == "__main__":
    main()
