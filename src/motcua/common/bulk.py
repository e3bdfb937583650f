"""Bulk writing with raw SQL that stores values exactly as the ORM would.

Each value goes through its model field's `get_db_prep_save`, so an aware timestamp is stored as UTC
on SQLite (raw sqlite3 would store local-offset text that period filters compare wrongly) and JSON is
encoded once. PostgreSQL gets COPY; SQLite executemany.
"""

from __future__ import annotations

from django.db import connection


def adapted(model, columns: list[str], rows: list[list]) -> list[list]:
    """`rows` (Python values, one per column attname) as the database stores them."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    prep = [by_attname[c].get_db_prep_save for c in columns]
    return [[p(v, connection) for p, v in zip(prep, row, strict=True)] for row in rows]


def copy(cursor, table: str, columns: list[str], rows: list[list]) -> None:
    """COPY already adapted rows into `table` (PostgreSQL)."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as out:
        for row in rows:
            out.write_row(row)


def insert(model, columns: list[str], rows: list[list]) -> int:
    """Insert Python-valued rows into the model's table (inside the caller's transaction)."""
    if not rows:
        return 0
    values = adapted(model, columns, rows)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy(cursor, table, columns, values)
        else:
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
    return len(rows)


def columns_of(model) -> list[str]:
    """Every concrete column of a model by attname (the writer fills each one)."""
    return [f.attname for f in model._meta.concrete_fields]
