"""The column-by-column checker gives exactly the row path's result; the worker table keeps its guarantees.

- `VectorChecker.check_chunk` (Polars, the clean rows decided column by column) against
  `ChunkChecker.check_chunk` (every row through `RowChecker`), on messy chunks: generated and by hypothesis;
- the slimmer worker table (migration 0003) still refuses, at the database level, a worker in a village that
  does not exist (SQLite and PostgreSQL) and the deletion of a village that has workers (PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lindung.registry.importing.chunks import ChunkChecker, ChunkSpec
from lindung.registry.importing.vectorised import VectorChecker
from lindung.registry.tests.test_import_speed_paths import COLUMNS, HEADER, POOLS, TODAY, VILLAGES, random_row

PLAIN_POOLS = {h: [v for v in pool if '"' not in v] for h, pool in POOLS.items()}  # quotes make a chunk not plain


def spec_for(columns: list[str], delimiter: str, fixed_village: str | None = None) -> ChunkSpec:
    return ChunkSpec(
        columns=tuple(columns),
        positions=tuple(range(len(columns))),
        delimiter=delimiter,
        villages=VILLAGES,
        fixed_village=fixed_village,
        today=TODAY,
    )


def plain_chunk(rows: list[list[str]], delimiter: str, newline: str) -> str:
    return "".join(delimiter.join(row) + newline for row in rows)


def both_ways(spec: ChunkSpec, chunk: str, number: int = 1) -> tuple[object, object, int]:
    """(the row path's result, the vectorised result, how many rows the vectorised checker sent row by row)."""
    expected = ChunkChecker(spec).check_chunk(chunk, number)
    vector = VectorChecker(spec)
    by_row = 0
    check_record = vector.rows.check_record

    def counted(*args: object) -> object:
        nonlocal by_row
        by_row += 1
        return check_record(*args)  # type: ignore[arg-type]

    vector.rows.check_record = counted  # type: ignore[method-assign]
    return expected, vector.check_chunk(chunk, number), by_row


@pytest.mark.parametrize("fixed_village", [None, "51.71.03.2008"])
@pytest.mark.parametrize(("delimiter", "newline"), [(";", "\r\n"), (",", "\n"), ("\t", "\r\n")])
def test_vectorised_chunk_is_the_row_path(fixed_village, delimiter, newline):
    rng = random.Random(f"{fixed_village}{delimiter}")
    rows = []
    for n in range(600):
        row = random_row(rng, clean=0.93)
        row = [cell if '"' not in cell else cell.replace('"', "") for cell in row]
        if n % 97 == 5:
            row = [""] * len(row)  # a blank row: skipped, still counted
        elif n % 131 == 7:
            row = row[:5]  # a short row
        elif n % 89 == 3:
            row = [*row, "extra", "cells"]
        rows.append(row)
    chunk = plain_chunk(rows, delimiter, newline) + newline  # and an empty line at the end
    expected, got, by_row = both_ways(spec_for(COLUMNS, delimiter, fixed_village), chunk, number=3)
    assert got == expected
    clean = sum(1 for r in expected.rows if r[4] is None and r[2])
    assert clean > 100
    assert len(rows) - by_row > clean * 0.6  # most clean rows were decided column by column


def test_cells_split_in_python_when_the_csv_reader_cannot_read_the_chunk(monkeypatch):
    """`VectorChecker._cells_of` falls back to splitting the lines itself; the verdicts stay the row path's."""
    import polars as pl

    from lindung.registry.importing import vectorised

    def refusing(*args: object, **kwargs: object) -> object:
        raise pl.exceptions.ComputeError("refused")

    monkeypatch.setattr(vectorised.pl, "read_csv", refusing)
    rng = random.Random(11)
    rows = [[cell.replace('"', "") for cell in random_row(rng, clean=0.9)] for _ in range(200)]
    rows[7] = rows[7][:4]  # a short row
    expected, got, by_row = both_ways(spec_for(COLUMNS, ";"), plain_chunk(rows, ";", "\r\n"))
    assert got == expected
    clean = sum(1 for r in expected.rows if r[4] is None and r[2])
    assert clean > 20 and len(rows) - by_row > clean * 0.6  # still decided column by column


@pytest.mark.parametrize("drop", [("no_kk", "telepon", "keahlian", "catatan_musdes"), ("kode_desa", "desil", "rt")])
def test_vectorised_with_columns_missing_and_reordered(drop):
    rng = random.Random(str(drop))
    keep = [c for c in COLUMNS if c not in drop]
    order = list(reversed(keep))
    rows = []
    for _ in range(300):
        full = dict(zip(COLUMNS, random_row(rng, clean=0.9), strict=True))
        rows.append([full[c].replace('"', "") for c in order])
    fixed = "51.71.03.2008" if "kode_desa" in drop else None
    expected, got, by_row = both_ways(spec_for(order, ";", fixed), plain_chunk(rows, ";", "\r\n"))
    assert got == expected
    clean = sum(1 for r in expected.rows if r[4] is None and r[2])
    assert clean > 20 and len(rows) - by_row > clean * 0.6


def test_a_chunk_with_quotes_goes_the_row_path_whole():
    rng = random.Random(7)
    rows = [random_row(rng) for _ in range(50)]
    chunk = plain_chunk(rows, ";", "\r\n").replace("Jl. Gatot", '"Jl. Gatot"', 1)
    expected, got, by_row = both_ways(spec_for(COLUMNS, ";"), chunk)
    assert got == expected
    assert by_row == len(rows)  # ChunkChecker.check_chunk, every row by the row path


def test_values_remembered_across_chunks_give_the_same_verdicts():
    rng = random.Random(11)
    spec = spec_for(COLUMNS, ";")
    vector, rows_path = VectorChecker(spec), ChunkChecker(spec)
    number = 1
    for _ in range(4):
        rows = [[c.replace('"', "") for c in random_row(rng, clean=0.85)] for _ in range(150)]
        chunk = plain_chunk(rows, ";", "\r\n")
        assert vector.check_chunk(chunk, number) == rows_path.check_chunk(chunk, number)
        number += len(rows)


cell_strategies = [
    st.just("") if header == "NIK" else st.sampled_from(PLAIN_POOLS[header]) | st.sampled_from(PLAIN_POOLS[header][:1])
    for header in HEADER
]
NIK_SHAPES = st.sampled_from(["{nik}", "{nik}", "{nik}", "{short}", "{zeros}", "5.17103E+15", " {nik}", "'{nik}"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(st.tuples(*cell_strategies), NIK_SHAPES, st.integers(1, 9999)), min_size=1, max_size=25),
    fixed=st.sampled_from([None, "51.71.03.2008"]),
)
def test_vectorised_agrees_with_the_row_path_on_any_mix(rows, fixed):
    lines = []
    for cells, shape, serial in rows:
        row = list(cells)
        born = row[HEADER.index("Tanggal Lahir")]
        sex = row[HEADER.index("Jenis Kelamin")].strip()
        try:
            day, month, year = (int(x) for x in born.split("-"))
        except ValueError:
            day, month, year = 1, 1, 1990
        if sex in ("P", "p", "Perempuan", "2"):
            day += 40
        nik = f"517103{day:02d}{month:02d}{year % 100:02d}{serial:04d}"
        row[HEADER.index("NIK")] = shape.format(nik=nik, short=nik[:15], zeros=nik[:12] + "0000")
        lines.append(row)
    expected, got, _by_row = both_ways(spec_for(COLUMNS, ";", fixed), plain_chunk(lines, ";", "\r\n"), number=9)
    assert got == expected


# --- the worker table's guarantees after migration 0003 -----------------------------------------------


def _worker_sql(village: str, nik: str = "5171034508900003") -> tuple[str, list[Any]]:
    columns = ("nik", "kk_number", "name", "sex", "birth_place", "birth_date", "address", "rt", "rw", "hamlet",
               "village_id", "phone", "specialisation", "employment_status", "extreme_poor", "extreme_poor_note",
               "has_disability", "is_wage_earner_member", "consent_given", "registered_at", "updated_at")  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    values = [nik, "", "Ni Luh Contoh", "P", "", dt.date(1990, 8, 5), "", "", "", "", village, "", "", "informal",
              False, "", False, False, False, now, now]  # fmt: skip
    sql = f"INSERT INTO registry_worker ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - constant column names
    return sql, values


@pytest.mark.django_db
def test_worker_village_reference(bali):
    from lindung.registry.models import Worker

    with connection.cursor() as cursor:
        cursor.execute(*_worker_sql("51.71.03.2008"))
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute(*_worker_sql("51.71.03.9999", nik="5171034508900011"))  # no such village
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("UPDATE registry_worker SET village_id = %s", ["99.99.99.9999"])
        if connection.vendor == "postgresql":  # on SQLite the model refuses it (PROTECT), see migration 0003
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute("DELETE FROM regions_region WHERE code = %s", ["51.71.03.2008"])  # it has a worker
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("UPDATE regions_region SET code = %s WHERE code = %s", ["51.71.03.2999", "51.71.03.2008"])
        cursor.execute("UPDATE registry_worker SET village_id = %s", ["51.71.01.1001"])  # an existing village
        cursor.execute("UPDATE registry_worker SET name = %s", ["Ni Luh Contoh Lain"])  # village unchanged
    worker = Worker.objects.get()
    assert (worker.village_id, worker.name) == ("51.71.01.1001", "Ni Luh Contoh Lain")
    with pytest.raises(IntegrityError), transaction.atomic():
        Worker.objects.filter(pk=worker.pk).update(village_id="51.71.01.9999")
    with connection.cursor() as cursor:  # a village without workers may go
        cursor.execute("DELETE FROM regions_region WHERE code = %s", ["51.71.03.2008"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Worker.objects.create(
            nik="5171034508900003", name="Ni Luh Contoh", sex="P", birth_date=dt.date(1990, 8, 5),
            village_id="51.71.01.1001",
        )  # fmt: skip  # the NIK is unique nation-wide


@pytest.mark.django_db(transaction=True)
def test_one_statement_of_many_workers_checks_every_village_and_stamps_the_time(bali):
    """Migration 0005 (PostgreSQL): the statement check reads the new rows once and still refuses a statement
    naming one unknown village among known ones; rows that name neither timestamp get the transaction's now()."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL statement trigger and column defaults")
    from lindung.registry.models import Worker

    sql, values = _worker_sql("51.71.03.2008")
    columns = sql[sql.index("(") + 1 : sql.index(")")].split(", ")[:-2]  # without registered_at, updated_at
    rows = []
    for serial, village in enumerate(["51.71.03.2008", "51.71.01.1001", "51.71.03.2008", "51.71.01.1001"], start=11):
        row = values[:-2]
        row[0], row[columns.index("village_id")] = f"51710345089000{serial}", village
        rows.append(row)
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    many = f"INSERT INTO registry_worker ({', '.join(columns)}) VALUES {placeholders}"  # noqa: S608 - constant column names
    bad = [list(row) for row in rows]
    bad[2][columns.index("village_id")] = "51.71.03.9999"  # no such village, between known ones
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(many, [value for row in bad for value in row])
    assert not Worker.objects.exists()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        (started,) = cursor.fetchone()
        cursor.execute(many, [value for row in rows for value in row])
    stamps = set(Worker.objects.values_list("registered_at", "updated_at"))
    assert stamps == {(started, started)}
    assert Worker.objects.count() == 4


@pytest.mark.django_db
def test_worker_table_indexes():
    """Only the indexes migration 0003 keeps (PostgreSQL; SQLite lists its own automatic ones)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL index definitions")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'registry_worker' ORDER BY indexname")
        definitions = [row[0].split(" USING ")[1] for row in cursor.fetchall()]
    assert definitions == [
        "btree (id)",
        "btree (nik)",
        "btree (village_id varchar_pattern_ops, name varchar_ops)",
    ]


# --- the error report written by another process --------------------------------------------------------


def test_report_written_by_another_process_is_the_same_workbook(tmp_path, monkeypatch):
    from lindung.registry.importing import pipeline
    from lindung.registry.tests.test_import_speed_paths import (
        lookups,
        messy_file,
        registered_from,
        visible,
        workbook_cells,
    )

    path = messy_file(tmp_path / "pekerja.csv")
    _old, lookup = lookups(registered_from(path))
    summaries = {}
    for name, min_bytes in (("here", 0), ("process", 1)):
        monkeypatch.setattr(pipeline, "REPORT_PROCESS_MIN_BYTES", min_bytes)
        monkeypatch.setattr(pipeline._ReportInAnotherProcess, "BATCH", 7)  # many batches
        summaries[name] = pipeline.validate_file(
            path,
            out_dir=tmp_path / name,
            villages=VILLAGES,
            visible_villages=visible,
            fixed_village=None,
            existing=lookup,
            today=TODAY,
            block_size=37,
        )
    assert summaries["here"] == summaries["process"] and summaries["here"].errors_written > 50
    assert workbook_cells(tmp_path / "here" / "errors.xlsx") == workbook_cells(tmp_path / "process" / "errors.xlsx")
    here, there = (tmp_path / "here" / "valid.csv").read_bytes(), (tmp_path / "process" / "valid.csv").read_bytes()
    assert here == there


def _broken_csv(tmp_path: Path) -> Path:
    """A 700-row messy file whose row 651 opens a quote that runs past the csv module's field limit."""
    from lindung.registry.tests.test_import_speed_paths import messy_file

    path = messy_file(tmp_path / "pekerja.csv", rows=700)
    data = path.read_bytes().split(b"\r\n")
    data[650] += b'"' + b"x" * 140_000 + b'"'
    path.write_bytes(b"\r\n".join(data))
    return path


def _validate_broken(path: Path, out_dir: Path) -> None:
    from lindung.registry.importing import pipeline
    from lindung.registry.importing.reading import FileProblem

    with pytest.raises(FileProblem, match="baris 651"):
        pipeline.validate_file(
            path,
            out_dir=out_dir,
            villages=VILLAGES,
            visible_villages=lambda code: None,
            fixed_village=None,
            existing=lambda niks, fields: {},
            today=TODAY,
            block_size=40,
            chunk_chars=900,
        )


def test_a_broken_csv_stops_the_report_process(tmp_path, monkeypatch):
    from lindung.registry.importing import pipeline

    path = _broken_csv(tmp_path)
    monkeypatch.setattr(pipeline, "REPORT_PROCESS_MIN_BYTES", 1)
    started: list[pipeline._ReportInAnotherProcess] = []
    original = pipeline._ReportInAnotherProcess.__init__

    def recording(self: pipeline._ReportInAnotherProcess, *args: object) -> None:
        original(self, *args)  # type: ignore[arg-type]
        started.append(self)

    monkeypatch.setattr(pipeline._ReportInAnotherProcess, "__init__", recording)
    _validate_broken(path, tmp_path / "out")
    assert len(started) == 1 and started[0]._process.poll() is not None  # the writer is gone
    assert not list((tmp_path / "out").glob("errors.xlsx*"))  # nor its unfinished workbook


def test_a_broken_csv_leaves_no_unfinished_report_in_this_process(tmp_path):
    from lindung.registry.importing import pipeline

    path = _broken_csv(tmp_path)
    assert path.stat().st_size < pipeline.REPORT_PROCESS_MIN_BYTES  # the report is written in this process
    _validate_broken(path, tmp_path / "out")
    assert not list((tmp_path / "out").glob("errors.xlsx*"))
