"""motcua transitions-table [--write] — print the transition table (Markdown) generated from
dossiers.transitions, or write it into docs/dossiers.md between its markers."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from motcua.dossiers.transitions import markdown_table

START, END = "<!-- transitions:start -->", "<!-- transitions:end -->"


def replaced(text: str, table: str) -> str:
    """`text` with the part between the markers replaced by `table`."""
    if START not in text or END not in text:
        raise CommandError(f"The markers {START} … {END} are missing.")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}{END}{tail}"


class Command(BaseCommand):
    help = "Print (or --write into docs/dossiers.md) the transition table generated from the code."

    def add_arguments(self, parser):
        parser.add_argument("--write", metavar="PATH", nargs="?", const="docs/dossiers.md")

    def handle(self, *args, write=None, **options):
        with translation.override("vi"):
            table = markdown_table()
        if write is None:
            self.stdout.write(table, ending="")
            return
        path = Path(write)
        path.write_text(replaced(path.read_text(encoding="utf-8"), table), encoding="utf-8")
        self.stdout.write(f"{path}: transition table updated")
