"""Merge the staged clean rows into the worker table, set-based, in the caller's transaction.

PostgreSQL: COPY into a temporary staging table, then one MERGE that writes nothing for unchanged rows.
SQLite: executemany into a temporary staging table, then one INSERT … ON CONFLICT … DO UPDATE … WHERE.
Only the fields present in the file are compared and updated.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone

from lindung.registry.importing.rows import WORKER_FIELDS
from lindung.registry.models import Worker

_TABLE = Worker._meta.db_table
_TEXT = {"nik", "kk_number", "name", "sex", "birth_place", "address", "rt", "rw", "hamlet", "village_id", "phone",
         "specialisation", "employment_status", "extreme_poor_note"}  # fmt: skip
_BOOL = {"extreme_poor", "has_disability", "is_wage_earner_member", "consent_given"}
_INT = {"occupation_code", "monthly_income", "decile"}
_DATE = {"birth_date", "consent_on"}
_SQL_TYPE = {**dict.fromkeys(_TEXT, "text"), **dict.fromkeys(_BOOL, "boolean"), **dict.fromkeys(_INT, "bigint"),
             **dict.fromkeys(_DATE, "date")}  # fmt: skip
_BATCH = 5000


@dataclass(frozen=True)
class MergeResult:
    created: int
    updated: int
    unchanged: int
    moved_away: int  # rows whose NIK now belongs to another village (must be 0 to apply)


class StagedConflict(Exception):
    """Since validation, a NIK of this file was registered in another village."""


def _staged_expr(f: str) -> str:
    # Staging columns are nullable; text columns become '' like the model's blank=True fields.
    return f"COALESCE(s.{f}, '')" if f in _TEXT else f"s.{f}"


def _changed_condition(fields: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"w.{f} {distinct} {_staged_expr(f)}" for f in fields if f != "nik")


def merge_valid_rows(valid_csv: Path, *, fields: tuple[str, ...], dry_run: bool = False) -> MergeResult:
    """Insert new workers and update changed ones from `valid_csv`. Call inside `transaction.atomic()`."""
    vendor = connection.vendor
    now = timezone.now()
    with connection.cursor() as cursor:
        columns_sql = ", ".join(f"{f} {_SQL_TYPE[f]}" for f in WORKER_FIELDS)
        if vendor == "postgresql":
            # ON COMMIT DROP cleans up after a real import; the DROP covers several imports inside one
            # outer transaction (tests, or a caller batching files).
            cursor.execute("DROP TABLE IF EXISTS pg_temp.worker_stage")
            cursor.execute(f"CREATE TEMPORARY TABLE worker_stage ({columns_sql}) ON COMMIT DROP")
            with (
                valid_csv.open("rb") as source,
                cursor.copy(
                    f"COPY worker_stage ({', '.join(WORKER_FIELDS)}) FROM STDIN WITH (FORMAT csv, HEADER true)"
                ) as copy,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            cursor.execute("CREATE UNIQUE INDEX ON worker_stage (nik)")
            cursor.execute("ANALYZE worker_stage")
            distinct = "IS DISTINCT FROM"
        else:
            cursor.execute("DROP TABLE IF EXISTS temp.worker_stage")
            cursor.execute(f"CREATE TEMPORARY TABLE worker_stage ({columns_sql})")
            insert = (f"INSERT INTO worker_stage ({', '.join(WORKER_FIELDS)}) "
                      f"VALUES ({', '.join(['%s'] * len(WORKER_FIELDS))})")  # fmt: skip
            with valid_csv.open(newline="", encoding="utf-8") as source:
                reader = csv.reader(source)
                next(reader)
                batch: list[list[Any]] = []
                for line in reader:
                    batch.append([_sqlite_value(f, v) for f, v in zip(WORKER_FIELDS, line, strict=True)])
                    if len(batch) >= _BATCH:
                        cursor.executemany(insert, batch)
                        batch = []
                if batch:
                    cursor.executemany(insert, batch)
            cursor.execute("CREATE UNIQUE INDEX temp.worker_stage_nik ON worker_stage (nik)")
            distinct = "IS NOT"

        cursor.execute(
            f"SELECT COUNT(*) FROM worker_stage s JOIN {_TABLE} w ON w.nik = s.nik WHERE w.village_id <> s.village_id"
        )
        moved_away = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM worker_stage s LEFT JOIN {_TABLE} w ON w.nik = s.nik WHERE w.id IS NULL")
        created = cursor.fetchone()[0]
        changed = _changed_condition(fields, distinct)
        cursor.execute(f"SELECT COUNT(*) FROM worker_stage s JOIN {_TABLE} w ON w.nik = s.nik WHERE {changed}")
        updated = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM worker_stage")
        total = cursor.fetchone()[0]
        result = MergeResult(created=created, updated=updated, unchanged=total - created - updated,
                             moved_away=moved_away)  # fmt: skip
        if moved_away:
            raise StagedConflict(moved_away)
        if dry_run:
            return result

        insert_fields = [*WORKER_FIELDS, "registered_at", "updated_at"]
        insert_values = [_staged_expr(f) for f in WORKER_FIELDS] + ["%s", "%s"]
        defaults = {f: f"COALESCE({_staged_expr(f)}, {_default_sql(f)})" for f in WORKER_FIELDS if f in _BOOL}
        insert_values = [defaults.get(f, v) for f, v in zip(insert_fields, insert_values, strict=False)]
        updates = ", ".join(f"{f} = {_staged_expr(f)}" for f in fields if f != "nik")
        if vendor == "postgresql":
            cursor.execute(
                f"MERGE INTO {_TABLE} w USING worker_stage s ON w.nik = s.nik "
                f"WHEN MATCHED AND ({changed}) THEN UPDATE SET {updates}, updated_at = %s "
                f"WHEN NOT MATCHED THEN INSERT ({', '.join(insert_fields)}) VALUES ({', '.join(insert_values)})",
                [now, now, now],
            )
        else:
            excluded_updates = ", ".join(f"{f} = excluded.{f}" for f in fields if f != "nik")
            changed_excluded = " OR ".join(f"{_TABLE}.{f} IS NOT excluded.{f}" for f in fields if f != "nik")
            cursor.execute(
                f"INSERT INTO {_TABLE} ({', '.join(insert_fields)}) "
                f"SELECT {', '.join(insert_values)} FROM worker_stage s WHERE true "
                f"ON CONFLICT (nik) DO UPDATE SET {excluded_updates}, updated_at = excluded.updated_at "
                f"WHERE {changed_excluded}",
                [now, now],
            )
            cursor.execute("DROP TABLE temp.worker_stage")
        return result


def _default_sql(f: str) -> str:
    return "false" if f in _BOOL else "NULL"


def _sqlite_value(f: str, v: str) -> object:
    if v == "":
        return None
    if f in _BOOL:
        return v == "1"
    if f in _INT:
        return int(v)
    if f in _DATE:
        return dt.date.fromisoformat(v).isoformat()
    return v
