"""Merge the staged clean rows into the worker table, set-based, in the caller's transaction.

PostgreSQL: COPY into a temporary staging table, then one MERGE that writes nothing for unchanged rows (a
plain INSERT when every row is new, nothing at all when nothing changed). A first import, where validation
found none of the NIKs registered, is copied straight into the worker table instead; the unique NIK index
makes that safe (see `merge_valid_rows`).
SQLite: executemany into a temporary staging table, then one INSERT … ON CONFLICT … DO UPDATE … WHERE.
Only the fields present in the file are compared and updated. The counts come from one pass over the staged
rows joined to the workers.

`registered_workers` is validation's lookup of the NIKs already registered, one query per block.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
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
_NULL_IF_EMPTY = "NULLIF(%s, '')"
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


def merge_valid_rows(
    valid_csv: Path, *, fields: tuple[str, ...], dry_run: bool = False, expect_new: bool = False
) -> MergeResult:
    """Insert new workers and update changed ones from `valid_csv`. Call inside `transaction.atomic()`.

    `expect_new`: validation found none of the file's NIKs registered (a first import). On PostgreSQL the rows
    are then copied straight into the worker table; should a NIK have been registered since, the unique index
    refuses the copy, it is undone (savepoint) and the rows are merged through the staging table as usual.
    """
    vendor = connection.vendor
    now = timezone.now()
    if expect_new and not dry_run and vendor == "postgresql":
        try:
            with transaction.atomic(), connection.wrap_database_errors:  # psycopg's errors as Django's
                inserted = _insert_new_workers(valid_csv)
        except IntegrityError:
            pass
        else:
            return MergeResult(created=inserted, updated=0, unchanged=0, moved_away=0)
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
            # No index on the staged NIKs (unique by construction: validation drops duplicates): every join
            # below is a hash join over the whole stage, or a loop over it probing the workers' NIK index; the
            # statistics tell the planner which.
            cursor.execute("ANALYZE worker_stage")
            distinct = "IS DISTINCT FROM"
        else:
            cursor.execute("DROP TABLE IF EXISTS temp.worker_stage")
            cursor.execute(f"CREATE TEMPORARY TABLE worker_stage ({columns_sql})")
            # The staged text goes in as it is, no conversion per value in Python: "" becomes NULL and the
            # columns' affinity stores the integers and the flags (1/0) as numbers, dates stay ISO text.
            insert = (f"INSERT INTO worker_stage ({', '.join(WORKER_FIELDS)}) "
                      f"VALUES ({', '.join([_NULL_IF_EMPTY] * len(WORKER_FIELDS))})")  # fmt: skip
            with valid_csv.open(newline="", encoding="utf-8") as source:
                reader = csv.reader(source)
                next(reader)
                while batch := list(islice(reader, _BATCH)):
                    cursor.executemany(insert, batch)
            cursor.execute("CREATE UNIQUE INDEX temp.worker_stage_nik ON worker_stage (nik)")
            distinct = "IS NOT"

        # One pass over the staged rows for every count (each staged NIK matches at most one worker).
        changed = _changed_condition(fields, distinct)
        cursor.execute(
            "SELECT COUNT(*), "
            "COUNT(*) FILTER (WHERE w.id IS NULL), "
            f"COUNT(*) FILTER (WHERE w.id IS NOT NULL AND ({changed})), "
            "COUNT(*) FILTER (WHERE w.village_id <> s.village_id) "
            f"FROM worker_stage s LEFT JOIN {_TABLE} w ON w.nik = s.nik"
        )
        total, created, updated, moved_away = cursor.fetchone()
        result = MergeResult(created=created, updated=updated, unchanged=total - created - updated,
                             moved_away=moved_away)  # fmt: skip
        if moved_away:
            raise StagedConflict(moved_away)
        if dry_run:
            return result
        if not created and not updated:  # the merge would write nothing
            if vendor != "postgresql":
                cursor.execute("DROP TABLE temp.worker_stage")
            return result

        insert_fields = [*WORKER_FIELDS, "registered_at", "updated_at"]
        insert_values = [_staged_expr(f) for f in WORKER_FIELDS] + ["%s", "%s"]
        defaults = {f: f"COALESCE({_staged_expr(f)}, {_default_sql(f)})" for f in WORKER_FIELDS if f in _BOOL}
        insert_values = [defaults.get(f, v) for f, v in zip(insert_fields, insert_values, strict=False)]
        updates = ", ".join(f"{f} = {_staged_expr(f)}" for f in fields if f != "nik")
        if vendor == "postgresql" and created == total:
            # Every staged NIK is new (a first import): the MERGE would only insert; a plain INSERT does the
            # same with less work per row.
            cursor.execute(
                f"INSERT INTO {_TABLE} ({', '.join(insert_fields)}) "
                f"SELECT {', '.join(insert_values)} FROM worker_stage s",
                [now, now],
            )
        elif vendor == "postgresql":
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


def new_workers_copy_sql(*, header: bool) -> str:
    """PostgreSQL: COPY of valid.csv lines into the worker table as the merge would insert them: empty text is
    '', not NULL (the staged flags are always 1 or 0); both timestamps come from the columns' database default,
    the transaction's `now()` (migration 0005)."""
    text_columns = ", ".join(f for f in WORKER_FIELDS if f in _TEXT)
    return (
        f"COPY {_TABLE} ({', '.join(WORKER_FIELDS)}) FROM STDIN "
        f"WITH (FORMAT csv, HEADER {'true' if header else 'false'}, FORCE_NOT_NULL ({text_columns}))"
    )


def _insert_new_workers(valid_csv: Path) -> int:
    """COPY valid.csv into the worker table as it is. (On SQLite the staged merge is faster than inserting the
    rows one by one into the indexed table.)"""
    with connection.cursor() as cursor:
        with valid_csv.open("rb") as source, cursor.copy(new_workers_copy_sql(header=True)) as copy:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        return int(cursor.rowcount)


def _as_staged_sql(f: str, vendor: str) -> str:
    """SQL giving a worker column as `csv_value` writes the field in valid.csv (never NULL)."""
    if f in _BOOL:
        return f"CASE WHEN {f} THEN '1' ELSE '0' END"
    if f in _INT:
        return f"COALESCE(CAST({f} AS TEXT), '')"
    if f in _DATE:
        return f"COALESCE(to_char({f}, 'YYYY-MM-DD'), '')" if vendor == "postgresql" else f"COALESCE({f}, '')"
    return f"COALESCE({f}, '')"


def registered_workers(
    niks: list[str], fields: tuple[str, ...], db: BaseDatabaseWrapper | None = None
) -> dict[str, tuple[str, str]]:
    """`{nik: (village code, fields as staged)}` for the NIKs already registered, in one query.

    "Fields as staged" is each of `fields` as valid.csv writes it (`rows.csv_value`), joined by "\\x1f" like the
    staged record's values. Each field's text form is one-to-one and a staged value never holds "\\x1f", so the
    two strings are equal exactly when every field is: a stored worker is compared without a model instance,
    a dict or even a tuple per row. The NIKs (16 digits each) travel as one parameter: Django's psycopg
    cursor binds on the client, where a list of thousands of strings is quoted one by one and then planned as
    thousands of constants. `db`: another connection than Django's default (see
    `services.import_batch_check_and_apply`).
    """
    db = db or connection
    vendor = db.vendor
    separator = " || chr(31) || " if vendor == "postgresql" else " || char(31) || "
    staged = separator.join(_as_staged_sql(f, vendor) for f in fields)
    with db.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                f"SELECT nik, village_id, {staged} FROM {_TABLE} "
                f"WHERE nik IN (SELECT unnest(string_to_array(%s, ',')))",
                [",".join(niks)],
            )
        else:
            cursor.execute(
                f"SELECT nik, village_id, {staged} FROM {_TABLE} WHERE nik IN (SELECT value FROM json_each(%s))",
                [json.dumps(niks)],
            )
        return {nik: (village, text) for nik, village, text in cursor.fetchall()}


def _default_sql(f: str) -> str:
    return "false" if f in _BOOL else "NULL"
