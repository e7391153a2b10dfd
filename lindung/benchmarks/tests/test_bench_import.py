"""The import benchmark: a reproducible file with exactly the stated defects, and one small end-to-end run.

The defects are recognised here by independent checks of the cells (and `check_nik` for the NIKs), not by the
importer under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from lokal import wilayah

from lindung.benchmarks import harness
from lindung.benchmarks.workers_file import BAD_KINDS, HEADERS, generate_workers_file
from lindung.registry.identity import check_nik

TODAY = dt.date(2026, 11, 25)
_AMOUNT = re.compile(r"(?:Rp )?[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+")
_SEX = {"L": "L", "P": "P", "Laki-laki": "L", "Perempuan": "P", "1": "L", "2": "P"}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        assert tuple(reader.fieldnames or ()) == HEADERS
        return list(reader)


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%d-%m-%Y").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        return None


def _defects(row: dict[str, str], villages: dict[str, str]) -> set[str]:
    """The injected kinds of defect this row shows; a good row shows none."""
    found = set()
    birth = _date(row["Tanggal Lahir"])
    if birth is None:
        found.add("impossible_date")
    sex = _SEX.get(row["Jenis Kelamin"])
    if sex is None:
        found.add("sex_x")
    nik = row["NIK"]
    if len(nik) != 16:
        found.add("nik_15_digits")
    else:
        verdict = check_nik(nik, birth_date=birth, sex=sex, today=TODAY)
        assert verdict.ok and not verdict.warnings, (nik, verdict)
        assert nik[:6] == row["Kode Desa"].replace(".", "")[:6] or row["Kode Desa"] not in villages
    if row["Kode Desa"] not in villages:
        found.add("unknown_village")
    if not _AMOUNT.fullmatch(row["Penghasilan per Bulan"]):
        found.add("amount_abc")
    assert _date(row["Tanggal Persetujuan"]) is not None or row["Persetujuan Data"] != "Ya"
    return found


def test_generator_is_deterministic_for_a_seed(tmp_path):
    first = generate_workers_file(tmp_path / "a.csv", rows=3_000, seed=7)
    again = generate_workers_file(tmp_path / "b.csv", rows=3_000, seed=7)
    other = generate_workers_file(tmp_path / "c.csv", rows=3_000, seed=8)

    assert first.sha256 == again.sha256
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (first.bad, first.duplicates) == (again.bad, again.duplicates)
    assert other.sha256 != first.sha256


def test_generator_injects_exactly_the_stated_bad_rows_and_duplicates(tmp_path):
    rows = 5_000
    generated = generate_workers_file(tmp_path / "w.csv", rows=rows, seed=11, copy_path=tmp_path / "copy.csv")
    data = _read(tmp_path / "w.csv")
    by_number = dict(enumerate(data, start=2))
    villages = wilayah._desa()

    assert len(data) == rows
    assert len(generated.bad) == rows * 2 // 100 == 100
    assert len(generated.duplicates) == rows // 100 == 50
    assert Counter(generated.bad.values()) == dict.fromkeys(BAD_KINDS, 20)
    assert not set(generated.bad) & set(generated.duplicates)
    assert generated.valid_rows == rows - 150

    niks = Counter()
    for number, row in by_number.items():
        if number in generated.duplicates:
            source = generated.duplicates[number]
            assert source < number
            assert source not in generated.bad and source not in generated.duplicates
            assert row == by_number[source]
            continue
        niks[row["NIK"]] += 1
        expected = {generated.bad[number]} if number in generated.bad else set()
        assert _defects(row, villages) == expected, (number, row)
    assert max(niks.values()) == 1  # every NIK is unique apart from the injected duplicates
    assert len(set(generated.duplicates.values())) == 50  # each duplicate repeats a different row

    # The COPY file: the same rows without the duplicates.
    copy_rows = _read(tmp_path / "copy.csv")
    assert len(copy_rows) == generated.copy_rows == rows - 50
    assert copy_rows == [row for number, row in by_number.items() if number not in generated.duplicates]


def test_generator_spreads_rows_over_real_villages_about_a_hundred_each(tmp_path):
    generated = generate_workers_file(tmp_path / "w.csv", rows=1_000, seed=3)
    per_village = Counter(row["Kode Desa"] for row in _read(tmp_path / "w.csv"))
    villages = wilayah._desa()

    assert generated.villages == 10
    real = {code: count for code, count in per_village.items() if code in villages}
    assert len(real) == 10
    assert all(code[:2] in {"51", "52", "53", "33"} for code in real)
    assert all(90 <= count <= 110 for count in real.values())  # 100 each, give or take the defects


def test_bench_import_end_to_end_on_its_own_sqlite_database(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the JSON report goes to tmp_path/bench
    out = StringIO()

    call_command(
        "bench", "import", "--rows", "2000", "--database", "sqlite", "--repeat", "1", "--die-sample", "300",
        "--json", stdout=out,
    )  # fmt: skip

    summary = json.loads(out.getvalue().strip().splitlines()[-1])  # issue 7's schema
    assert harness.validate_report(summary) == []
    assert summary["benchmark"] == "import" and summary["database"]["vendor"] == "sqlite"
    assert set(summary["variants"]) == {
        "sqlite: lindung", "sqlite: lindung in two steps (web page)", "sqlite: re-import", "sqlite: die (300 rows)",
    }  # fmt: skip
    assert summary["size"]["rows"] == 2000
    report = json.loads(Path(summary["details"]).read_text())  # the detailed report, every run and check
    assert {"rows", "format", "database", "date", "command", "machine", "file", "targets", "results"} <= set(report)
    assert (report["rows"], report["format"], report["database"]) == (2000, "csv", "sqlite")
    assert {"cpu", "cores", "memory_gib"} <= set(report["machine"])
    result = report["results"]["sqlite"]
    for variant in ("lindung", "two_steps", "reimport", "die"):
        assert {"seconds", "median", "rows_per_s"} <= set(result[variant])
        assert len(result[variant]["seconds"]) == 1
    assert result["lindung"]["peak_rss_mb_max"] > 0
    assert (result["reimport"]["created"], result["reimport"]["updated"]) == (0, 0)
    assert result["copy_indexed"] is None  # COPY is PostgreSQL only
    assert result["ratios"]["lindung/copy"] is None
    assert result["store"] is None and result["ratios"]["store/copy"] is result["ratios"]["lindung/store"] is None
    assert result["ratios"]["die/lindung"] > 0
    assert result["die"]["sample"] == 300
    checks = result["checks"]
    assert checks["confirmed"] is True
    assert (checks["rejected"], checks["duplicates"]) == (40, 20)
    assert checks["rejected_rows_match"] and checks["duplicate_rows_match"] and checks["rejected_reasons_match"]
    assert checks["created"] == checks["two_steps_created"] == 2000 - 40 - 20
    saved = json.loads((tmp_path / "bench" / "import-sqlite-2000-csv.json").read_text())
    assert saved["results"]["sqlite"]["checks"] == checks


@pytest.mark.django_db(transaction=True)
def test_storing_alone_copies_the_checked_rows_into_an_emptied_worker_table(tmp_path, bali):
    """The bench's "storing alone" variant stores exactly what the two-step import stored, and nothing else."""
    from django.db import connection

    from lindung.benchmarks.import_bench import _timed_import, _timed_store
    from lindung.registry.models import Worker
    from lindung.registry.tests.test_import import write_messy_csv

    if connection.vendor != "postgresql":
        pytest.skip("storing alone is a COPY: PostgreSQL only")
    imported = _timed_import(write_messy_csv(tmp_path / "pekerja.csv"), two_steps=True)
    columns = ("nik", "name", "birth_date", "village_id", "monthly_income", "consent_given", "occupation_code")
    applied = sorted(Worker.objects.values_list(*columns))
    # test_import.py's file, imported with no scope (as the bench does): rows 3, 4, 8, 9 and 10 are new workers
    assert len(applied) == imported["created"] == 5

    stored = _timed_store(Path(imported["valid_file"]))

    assert stored is not None and stored["rows"] == 5 and stored["seconds"] > 0
    assert sorted(Worker.objects.values_list(*columns)) == applied  # emptied first, then the same rows again
