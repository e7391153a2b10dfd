"""`lindung bench import`: the worker import against the physical floor (COPY) and django-import-export.

The orchestrator (`run_import_benchmark`) writes the file once, outside the timing, then for each database
creates a fresh database, migrates it and loads the regions, and runs every measured step in a child process
(`python -m lindung bench import-run VARIANT …`) with `DATABASE_URL` and `LINDUNG_VAR_DIR` set: settings are
read at import time, and a child of its own gives the importer's true peak RSS, unpolluted by the generator.

The child steps (`run_lindung`, `run_copy`, `run_die`) empty the worker table first and print one JSON line.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from lindung.benchmarks.harness import BenchmarkFailed, pg_drop, pg_recreate
from lindung.benchmarks.harness import commit as checked_out_commit
from lindung.benchmarks.workers_file import BAD_COLUMN, GeneratedFile, generate_workers_file

ROOT: Final = Path(__file__).resolve().parents[2]
DEFAULT_PG_URL: Final = "postgres://lindung:lindung@127.0.0.1:5432/lindung_bench"
LINDUNG: Final = (sys.executable, "-m", "lindung")

#: Issue 3's targets; printed beside the figures, never asserted by the tests.
TARGETS: Final = {
    "applies_to": "1,000,000 CSV rows on PostgreSQL; for XLSX 100,000 rows under the same memory bound",
    "lindung/copy": {"at_most": 2.0, "stretch": 1.5},
    "die/lindung": {"at_least": 75, "stretch": 100},
    "peak_rss_mb": {"below": 512},
}


@dataclass(frozen=True)
class ImportBenchOptions:
    rows: int
    format: str = "csv"
    database: str = "both"
    repeat: int = 3
    die_sample: int = 20_000
    seed: int = 3
    pg_url: str = DEFAULT_PG_URL
    output_dir: Path | None = None

    @property
    def databases(self) -> list[str]:
        return ["sqlite", "postgresql"] if self.database == "both" else [self.database]

    def command_line(self) -> str:
        return (
            f"lindung bench import --rows {self.rows} --format {self.format} --database {self.database} "
            f"--repeat {self.repeat} --die-sample {self.die_sample} --json"
        )


# --- the orchestrator -----------------------------------------------------------------------------


def run_import_benchmark(options: ImportBenchOptions, log: Callable[[str], None]) -> dict[str, Any]:
    """Write the file, measure every variant on every database, check the importer's findings; the report."""
    if options.rows < 1 or options.repeat < 1 or options.die_sample < 1:
        raise BenchmarkFailed("--rows, --repeat and --die-sample must be at least 1")
    started_at = datetime.now(UTC)
    commit = checked_out_commit()  # the code the children import; another commit may land while this runs
    with tempfile.TemporaryDirectory(prefix="lindung-bench-import-") as tmp:
        work = Path(tmp)
        log(f"Writing {options.rows:,} rows ({options.format}, seed {options.seed}) …")
        generated = generate_workers_file(
            work / f"workers-{options.rows}.{options.format}",
            rows=options.rows,
            seed=options.seed,
            format="xlsx" if options.format == "xlsx" else "csv",
            copy_path=work / "copy.csv" if "postgresql" in options.databases else None,
        )
        log(
            f"  {generated.bytes / 1e6:.1f} MB in {generated.seconds:.1f} s: {len(generated.bad)} bad rows, "
            f"{len(generated.duplicates)} duplicates"
        )
        results = {db: _bench_database(db, generated, options, work, log) for db in options.databases}
    report: dict[str, Any] = {
        "benchmark": "import",
        "command": options.command_line(),
        "rows": options.rows,
        "format": options.format,
        "database": options.database,
        "repeat": options.repeat,
        "die_sample": min(options.die_sample, options.rows),
        "date": started_at.isoformat(timespec="seconds"),
        "commit": commit,
        "commit_at_end": checked_out_commit(),
        "machine": _machine(results),
        "file": generated.as_dict(),
        "targets": TARGETS,
        "summary": {db: _summary(result) for db, result in results.items()},
        "results": results,
    }
    out_dir = options.output_dir or _default_output_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    out_file = out_dir / f"import-{options.database}-{options.rows}-{options.format}.json"
    out_file.write_text(json.dumps(report, indent=2) + "\n")
    report["output"] = str(out_file)
    return report


def _default_output_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "bench"


def _bench_database(
    db: str, generated: GeneratedFile, options: ImportBenchOptions, work: Path, log: Callable[[str], None]
) -> dict[str, Any]:
    var = work / f"var-{db}"
    var.mkdir()
    url = f"sqlite:///{var / 'bench.sqlite3'}" if db == "sqlite" else options.pg_url
    env = {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "lindung.settings"}
    env.pop("LINDUNG_TEST_SQLITE", None)
    if db == "postgresql":
        pg_recreate(url)
    try:
        log(f"[{db}] migrate, load the regions of the whole country …")
        from lindung.benchmarks.harness import migrate

        migrate(env)
        regions = _child(["regions-load", "--json"], env)
        lindung_runs: list[dict[str, Any]] = []
        checks: dict[str, Any] = {}
        for rep in range(options.repeat):
            run = _child(["bench", "import-run", "lindung", "--file", str(generated.path)], env)
            found = _check_lindung(run, generated)
            if rep == 0:
                checks = found
            shutil.rmtree(var / "media" / "imports", ignore_errors=True)  # keep the disk small at 1M rows
            lindung_runs.append(run)
            log(
                f"[{db}] lindung {rep + 1}/{options.repeat}: {run['import']['seconds']:.2f} s, re-import "
                f"{run['reimport']['seconds']:.2f} s, peak RSS {run['peak_rss_mb']:.0f} MB"
            )
        copy_runs: dict[str, list[dict[str, Any]]] = {"indexed": [], "bare": []}
        if db == "postgresql" and generated.copy_path is not None:
            for rep in range(options.repeat):
                run = _child(["bench", "import-run", "copy", "--file", str(generated.copy_path)], env)
                for label in copy_runs:
                    if run[label]["rows"] != generated.copy_rows:
                        raise BenchmarkFailed(f"COPY {label} loaded {run[label]['rows']} of {generated.copy_rows}")
                    copy_runs[label].append(run[label])
                log(
                    f"[{db}] copy {rep + 1}/{options.repeat}: indexed {run['indexed']['seconds']:.2f} s, "
                    f"bare {run['bare']['seconds']:.2f} s"
                )
        sample = min(options.die_sample, generated.rows)
        die_runs: list[dict[str, Any]] = []
        for rep in range(options.repeat):
            args = ["bench", "import-run", "die", "--file", str(generated.path), "--die-sample", str(sample)]
            run = _child(args, env)
            if run["rolled_back"]:
                raise BenchmarkFailed(f"django-import-export rolled its import back: {run['totals']}")
            die_runs.append(run)
            log(f"[{db}] django-import-export {rep + 1}/{options.repeat}: {sample:,} rows in {run['seconds']:.2f} s")
    finally:
        if db == "postgresql":
            pg_drop(url)
    return _db_result(db, generated, lindung_runs, copy_runs, die_runs, sample, checks, regions)


def _db_result(
    db: str,
    generated: GeneratedFile,
    lindung_runs: list[dict[str, Any]],
    copy_runs: dict[str, list[dict[str, Any]]],
    die_runs: list[dict[str, Any]],
    sample: int,
    checks: dict[str, Any],
    regions: dict[str, Any],
) -> dict[str, Any]:
    rows = generated.rows
    lindung = _timings([r["import"]["seconds"] for r in lindung_runs], rows)
    lindung["phases_median"] = {
        phase: round(statistics.median(r["import"]["phases"][phase] for r in lindung_runs), 3)
        for phase in lindung_runs[0]["import"]["phases"]
    }
    steps = _timings([r["two_steps"]["seconds"] for r in lindung_runs], rows)
    steps["phases_median"] = {
        phase: round(statistics.median(r["two_steps"]["phases"][phase] for r in lindung_runs), 3)
        for phase in lindung_runs[0]["two_steps"]["phases"]
    }
    # Peak RSS of the whole child process: the import and the re-import that follows it.
    lindung["peak_rss_mb"] = [r["peak_rss_mb"] for r in lindung_runs]
    lindung["peak_rss_mb_max"] = max(lindung["peak_rss_mb"])
    lindung["peak_rss_mb_after_first_import"] = [r["peak_rss_mb_import"] for r in lindung_runs]
    reimport = _timings([r["reimport"]["seconds"] for r in lindung_runs], rows)
    last = lindung_runs[-1]["reimport"]
    reimport.update(created=last["created"], updated=last["updated"], unchanged=last["unchanged"])
    result: dict[str, Any] = {
        "database_version": lindung_runs[0]["database_version"],
        "regions_loaded": regions.get("regions"),
        "lindung": lindung,
        "reimport": reimport,
        "two_steps": steps,
        "copy_indexed": None,
        "copy_bare": None,
        "store": None,
    }
    if all(r.get("store") for r in lindung_runs):
        result["store"] = _timings([r["store"]["seconds"] for r in lindung_runs], lindung_runs[0]["store"]["rows"])
        result["store"]["rows"] = lindung_runs[0]["store"]["rows"]
    for label, runs in copy_runs.items():
        if runs:
            result[f"copy_{label}"] = {**_timings([r["seconds"] for r in runs], generated.copy_rows)}
            result[f"copy_{label}"]["rows"] = generated.copy_rows
    die = _timings([r["seconds"] for r in die_runs], sample)
    die.update(
        sample=sample,
        prepare_seconds_median=round(statistics.median(r["prepare_seconds"] for r in die_runs), 3),
        per_row_ms=round(die["median"] / sample * 1000, 3),
        extrapolated_seconds=round(die["median"] / sample * rows, 1),
        totals=die_runs[-1]["totals"],
        workers_in_table=die_runs[-1]["workers_in_table"],
    )
    result["die"] = die
    copy = result["copy_indexed"]
    result["ratios"] = {
        "lindung/copy": round(lindung["median"] / copy["median"], 2) if copy else None,
        "two steps/copy": round(steps["median"] / copy["median"], 2) if copy else None,
        "store/copy": round(result["store"]["median"] / copy["median"], 2) if copy and result["store"] else None,
        "lindung/store": round(lindung["median"] / result["store"]["median"], 2) if result["store"] else None,
        "die/lindung": round((die["median"] / sample) / (lindung["median"] / rows), 1),
    }
    result["checks"] = checks
    return result


def _timings(seconds: list[float], rows: int) -> dict[str, Any]:
    median = statistics.median(seconds)
    return {
        "seconds": [round(s, 3) for s in seconds],
        "median": round(median, 3),
        "rows_per_s": round(rows / median) if median > 0 else None,
    }


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    copy = result["copy_indexed"]
    return {
        "lindung_s": result["lindung"]["median"],
        "lindung_rows_per_s": result["lindung"]["rows_per_s"],
        "reimport_s": result["reimport"]["median"],
        "copy_indexed_s": copy["median"] if copy else None,
        "die_rows_per_s": result["die"]["rows_per_s"],
        "die_extrapolated_s": result["die"]["extrapolated_seconds"],
        "lindung/copy": result["ratios"]["lindung/copy"],
        "two_steps_s": result["two_steps"]["median"],
        "two steps/copy": result["ratios"]["two steps/copy"],
        "store_s": result["store"]["median"] if result["store"] else None,
        "store/copy": result["ratios"]["store/copy"],
        "lindung/store": result["ratios"]["lindung/store"],
        "die/lindung": result["ratios"]["die/lindung"],
        "peak_rss_mb": result["lindung"]["peak_rss_mb_max"],
        "injected_defects_confirmed": result["checks"].get("confirmed", False),
    }


def summary_lines(report: dict[str, Any]) -> list[str]:
    """The figures with the targets beside them, for people."""
    commit = report["commit"] or "?"
    if report["commit_at_end"] != report["commit"]:
        commit += f" (HEAD moved to {report['commit_at_end']} during the run)"
    lines = [
        f"Worker import, {report['rows']:,} {report['format'].upper()} rows "
        f"({report['file']['bad_rows']} bad, {report['file']['duplicates']} duplicates), "
        f"median of {report['repeat']}, commit {commit}:"
    ]
    for db, s in report["summary"].items():
        copy = f"{s['copy_indexed_s']:.2f} s" if s["copy_indexed_s"] is not None else "n/a"
        ratio = f"{s['lindung/copy']:.2f}" if s["lindung/copy"] is not None else "n/a"
        lines.append(
            f"  {db}: lindung {s['lindung_s']:.2f} s ({s['lindung_rows_per_s']:,} rows/s), re-import "
            f"{s['reimport_s']:.2f} s, COPY indexed {copy}, die {s['die_rows_per_s']:,} rows/s"
        )
        steps_ratio = f"{s['two steps/copy']:.2f}" if s["two steps/copy"] is not None else "n/a"
        lines.append(f"    web page's two steps (check, then apply): {s['two_steps_s']:.2f} s, ÷ COPY {steps_ratio}")
        if s.get("store_s") is not None:
            lines.append(
                f"    storing alone (COPY of the checked rows into the worker table, nothing checked): "
                f"{s['store_s']:.2f} s, ÷ COPY {s['store/copy']:.2f}; lindung ÷ storing alone {s['lindung/store']:.2f}"
            )
        lines.append(
            f"    lindung/copy {ratio} (target <= 2, stretch 1.5) | die/lindung {s['die/lindung']:.1f} "
            f"(target >= 75, stretch 100) | peak RSS {s['peak_rss_mb']:.0f} MB (target < 512) | "
            f"injected defects confirmed: {s['injected_defects_confirmed']}"
        )
    lines.append(f"  targets apply to: {TARGETS['applies_to']}")
    return lines


def _child(args: list[str], env: dict[str, str], *, json_out: bool = True) -> dict[str, Any]:
    done = subprocess.run([*LINDUNG, *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise BenchmarkFailed(f"`lindung {' '.join(args)}` failed ({done.returncode}):\n{tail}")
    if not json_out:
        return {}
    lines = done.stdout.strip().splitlines()
    if not lines or not lines[-1].startswith("{"):
        raise BenchmarkFailed(f"`lindung {' '.join(args)}` printed no JSON: {done.stdout[-500:]!r}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _check_lindung(run: dict[str, Any], generated: GeneratedFile) -> dict[str, Any]:
    """Lindung must reject exactly the injected bad rows (naming the broken column) and find the duplicates."""
    first, again = run["import"], run["reimport"]
    valid = generated.valid_rows
    reported = _error_report_rows(Path(first["errors_file"])) if first["errors_file"] else {}
    rejected_rows = {n for n, (status, _r) in reported.items() if status == "Ditolak"}
    duplicate_rows = {n for n, (status, _r) in reported.items() if status == "Duplikat"}
    wrong_reason = [
        n for n, kind in generated.bad.items() if f"{BAD_COLUMN[kind]}:" not in reported.get(n, ("", ""))[1]
    ]
    checks = {
        "expected_rejected": len(generated.bad),
        "rejected": first["rejected"],
        "rejected_rows_match": rejected_rows == set(generated.bad),
        "rejected_reasons_match": not wrong_reason,
        "expected_duplicates": len(generated.duplicates),
        "duplicates": first["duplicates"],
        "duplicate_rows_match": duplicate_rows == set(generated.duplicates),
        "expected_created": valid,
        "created": first["created"],
        "updated": first["updated"],
        "workers_in_table": run["workers_in_table"],
        "reimport_created": again["created"],
        "reimport_updated": again["updated"],
        "reimport_unchanged": again["unchanged"],
        "two_steps_created": run["two_steps"]["created"],
        "two_steps_rejected": run["two_steps"]["rejected"],
        "two_steps_duplicates": run["two_steps"]["duplicates"],
        "warnings": first["warnings"],
    }
    problems = []
    if first["rejected"] != len(generated.bad) or not checks["rejected_rows_match"]:
        missed = sorted(set(generated.bad) - rejected_rows)[:10]
        extra = sorted(rejected_rows - set(generated.bad))[:10]
        problems.append(
            f"rejected {first['rejected']} rows, expected {len(generated.bad)} (missed {missed}, extra {extra})"
        )
    if wrong_reason:
        problems.append(f"rows rejected for another reason than the injected defect: {wrong_reason[:10]}")
    if first["duplicates"] != len(generated.duplicates) or not checks["duplicate_rows_match"]:
        problems.append(f"found {first['duplicates']} duplicates, expected {len(generated.duplicates)}")
    if (first["created"], first["updated"], run["workers_in_table"]) != (valid, 0, valid):
        problems.append(
            f"created {first['created']}, updated {first['updated']}, {run['workers_in_table']} in the table; "
            f"expected {valid} created"
        )
    if (again["created"], again["updated"], again["unchanged"]) != (0, 0, valid):
        problems.append(f"re-import created {again['created']}, updated {again['updated']}: not idempotent")
    steps = run["two_steps"]
    if (steps["created"], steps["rejected"], steps["duplicates"]) != (valid, first["rejected"], first["duplicates"]):
        problems.append(
            f"the two-step import created {steps['created']}, rejected {steps['rejected']}, found "
            f"{steps['duplicates']} duplicates; the command {valid}, {first['rejected']}, {first['duplicates']}"
        )
    if problems:
        raise BenchmarkFailed("Lindung's findings differ from the injected defects: " + "; ".join(problems))
    checks["confirmed"] = True
    return checks


def _error_report_rows(path: Path) -> dict[int, tuple[str, str]]:
    """Row number -> (status, reason) from the importer's errors.xlsx."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = list(next(rows))
        status_at, reason_at = header.index("Status"), header.index("Alasan")
        return {int(r[0]): (str(r[status_at]), str(r[reason_at] or "")) for r in rows if r and r[0] is not None}
    finally:
        book.close()


def _machine(results: dict[str, Any]) -> dict[str, Any]:
    cpu = platform.processor()
    memory_gib = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024**2, 1)
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "databases": {db: r["database_version"] for db, r in results.items()},
    }


# --- the measured steps, each in its own process ---------------------------------------------------


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def _database_version() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return f"SQLite {sqlite3.sqlite_version}"


def _empty_worker_table() -> None:
    """A fresh, empty worker table (and its dependants) before each measured run."""
    from django.db import connection

    from lindung.registry.models import Worker

    table = Worker._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
            cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            for related in Worker._meta.related_objects:
                dependant = related.related_model
                if isinstance(dependant, type):  # Child, Heir, …: empty before the worker rows
                    cursor.execute(f"DELETE FROM {dependant._meta.db_table}")  # noqa: S608 - model names
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the model's own table name
            cursor.execute("VACUUM")


def _timed_import(path: Path, *, two_steps: bool = False) -> dict[str, Any]:
    """What `lindung import-workers FILE` does, as a national actor (`import_batch_check_and_apply`), or with
    `two_steps` what the web page does (check, then — once the operator confirms — apply), timed per service."""
    from lindung.registry.services import (
        import_batch_apply,
        import_batch_check_and_apply,
        import_batch_create,
        import_batch_validate,
    )

    started = time.perf_counter()
    batch = import_batch_create(acting_user=None, source=path, original_name=path.name)
    created_at = time.perf_counter()
    if two_steps:
        summary = import_batch_validate(batch=batch)
        validated_at = time.perf_counter()
        import_batch_apply(batch=batch, acting_user=None)
        applied_at = time.perf_counter()
        phases = {"validate": round(validated_at - created_at, 4), "apply": round(applied_at - validated_at, 4)}
    else:
        summary = import_batch_check_and_apply(batch=batch, acting_user=None)
        applied_at = time.perf_counter()
        phases = {"check and store": round(applied_at - created_at, 4)}
    batch.refresh_from_db()
    return {
        "seconds": applied_at - started,
        "phases": {"create": round(created_at - started, 4), **phases},
        "rows": summary.rows,
        "valid": summary.valid,
        "warnings": summary.warnings,
        "rejected": summary.rejected,
        "duplicates": summary.duplicates,
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "errors_file": batch.errors_path or None,
        "valid_file": batch.valid_path or None,
    }


def run_lindung(path: Path) -> dict[str, Any]:
    """Import into an empty worker table, then re-import the same file (which must change nothing), as the
    command does; then, into an empty table again, the same import in the web page's two steps."""
    from lindung.registry.models import Worker

    _empty_worker_table()
    first = _timed_import(path)
    peak_import = _peak_rss_mb()  # before anything else runs in this process
    again = _timed_import(path)
    workers = Worker.objects.count()
    _empty_worker_table()
    steps = _timed_import(path, two_steps=True)
    store = _timed_store(Path(steps["valid_file"])) if steps["valid_file"] else None
    return {
        "import": first,
        "reimport": again,
        "two_steps": steps,
        "store": store,
        "peak_rss_mb_import": peak_import,
        "peak_rss_mb": _peak_rss_mb(),
        "workers_in_table": workers,
        "database_version": _database_version(),
    }


def _timed_store(valid_csv: Path) -> dict[str, Any] | None:
    """PostgreSQL: only the storing of what the import stores — the checked rows (valid.csv of the two-step
    import) copied into the emptied worker table as the apply copies them, committed — with no reading,
    checking or report. What the worker table itself costs beside the COPY baseline's text table."""
    from django.db import connection, transaction

    from lindung.registry.importing.apply import _insert_new_workers

    if connection.vendor != "postgresql":
        return None
    _empty_worker_table()
    started = time.perf_counter()
    with transaction.atomic():
        rows = _insert_new_workers(valid_csv)
    return {"seconds": time.perf_counter() - started, "rows": rows}


def run_copy(path: Path) -> dict[str, Any]:
    """COPY the CSV into a table of the file's columns with a unique NIK index, and into a bare table."""
    from django.db import connection

    from lindung.registry.importing.reading import COLUMNS

    if connection.vendor != "postgresql":
        raise BenchmarkFailed("the COPY variant needs PostgreSQL")
    columns = ", ".join(f"{column.name} text" for column in COLUMNS)
    result: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for label, unique_nik in (("indexed", True), ("bare", False)):
            table = f"bench_copy_{label}"
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TABLE {table} ({columns})")
            if unique_nik:
                cursor.execute(f"CREATE UNIQUE INDEX {table}_nik ON {table} (nik)")
            started = time.perf_counter()
            with (
                path.open("rb") as source,
                cursor.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER, DELIMITER ';')") as copy,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            seconds = time.perf_counter() - started  # autocommit: the COPY is committed when it returns
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a constant table name
            result[label] = {"seconds": seconds, "rows": cursor.fetchone()[0]}
            cursor.execute(f"DROP TABLE {table}")
    result["database_version"] = _database_version()
    return result


def run_die(path: Path, sample: int) -> dict[str, Any]:
    """django-import-export on the first `sample` rows, into an empty worker table."""
    from lindung.benchmarks.die import WorkerResource, prepared_dataset
    from lindung.registry.models import Worker

    _empty_worker_table()
    resource_ = WorkerResource()
    started = time.perf_counter()
    dataset = prepared_dataset(path, sample)
    prepared_at = time.perf_counter()
    outcome = resource_.import_data(dataset, dry_run=False, raise_errors=False)
    finished = time.perf_counter()
    totals = {str(kind): count for kind, count in outcome.totals.items()}
    return {
        "seconds": finished - started,
        "prepare_seconds": prepared_at - started,
        "import_seconds": finished - prepared_at,
        "rows": len(dataset),
        "totals": totals,
        "rolled_back": outcome.has_errors(),
        "workers_in_table": Worker.objects.count(),
        "peak_rss_mb": _peak_rss_mb(),
    }


# --- the harness's interface (`lindung bench import`) ------------------------------------------------------------


def add_arguments(parser) -> None:
    from lindung.benchmarks.workers_file import DEFAULT_SEED

    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each variant (median reported).")
    parser.add_argument("--die-sample", type=int, default=20_000, help="Rows imported by django-import-export.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("LINDUNG_BENCH_PG_URL", DEFAULT_PG_URL),
        help="Bench database (dropped and recreated through the `lindung` database).",
    )


def run(options: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    """The import benchmark in the harness's schema; its full report stays in var/bench/import-….json."""
    bench_options = ImportBenchOptions(
        rows=options["rows"],
        format=options["format"],
        database=options["database"],
        repeat=options["repeat"],
        die_sample=options["die_sample"],
        seed=options["seed"],
        pg_url=options["pg_url"],
        output_dir=Path(options["output_dir"]) if options.get("output_dir") else None,
    )
    detail = run_import_benchmark(bench_options, log=log)
    return to_schema(detail)


def to_schema(detail: dict[str, Any]) -> dict[str, Any]:
    """Issue 7's fields from the import benchmark's detailed report."""
    variants: dict[str, dict[str, Any]] = {}
    ratios: dict[str, float | None] = {}
    targets: list[dict[str, Any]] = []
    databases = []
    rows = detail["rows"]
    for db, result in detail["results"].items():
        vendor, _, version = result["database_version"].partition(" ")
        databases.append({"vendor": vendor.lower(), "version": version})
        lindung = result["lindung"]
        variants[f"{db}: lindung"] = {
            "median_s": lindung["median"],
            "runs_s": lindung["seconds"],
            "peak_rss_mb": lindung["peak_rss_mb_max"],
        }
        variants[f"{db}: lindung in two steps (web page)"] = {
            "median_s": result["two_steps"]["median"],
            "runs_s": result["two_steps"]["seconds"],
            "peak_rss_mb": lindung["peak_rss_mb_max"],
        }
        variants[f"{db}: re-import"] = {
            "median_s": result["reimport"]["median"],
            "runs_s": result["reimport"]["seconds"],
            "peak_rss_mb": lindung["peak_rss_mb_max"],
        }
        if result.get("store"):
            variants[f"{db}: storing alone (checked rows into the worker table)"] = {
                "median_s": result["store"]["median"],
                "runs_s": result["store"]["seconds"],
                "peak_rss_mb": None,
            }
            ratios[f"storing alone/copy ({db})"] = result["ratios"]["store/copy"]
            ratios[f"lindung/storing alone ({db})"] = result["ratios"]["lindung/store"]
        for label in ("indexed", "bare"):
            copy = result[f"copy_{label}"]
            if copy:
                variants[f"{db}: copy {label}"] = {
                    "median_s": copy["median"],
                    "runs_s": copy["seconds"],
                    "peak_rss_mb": None,
                }
        die = result["die"]
        variants[f"{db}: die ({die['sample']} rows)"] = {
            "median_s": die["median"],
            "runs_s": die["seconds"],
            "peak_rss_mb": None,
        }
        ratios[f"lindung/copy ({db})"] = result["ratios"]["lindung/copy"]
        ratios[f"lindung in two steps/copy ({db})"] = result["ratios"]["two steps/copy"]
        ratios[f"die/lindung ({db}, per row)"] = result["ratios"]["die/lindung"]
        if db == "postgresql":
            targets.append(target_entry("lindung/copy (postgresql)", result["ratios"]["lindung/copy"], at_most=2.0))
        targets.append(target_entry(f"die/lindung ({db}, per row)", result["ratios"]["die/lindung"], at_least=75))
        targets.append(target_entry(f"peak RSS of the import, {db} (MB)", lindung["peak_rss_mb_max"], at_most=512))
    return {
        "benchmark": "import",
        "command": detail["command"],
        "date": detail["date"],
        "machine": {k: v for k, v in detail["machine"].items() if k != "databases"},
        "database": databases if len(databases) > 1 else databases[0],
        "size": {"rows": rows, "villages": detail["file"].get("villages"), "format": detail["format"]},
        "variants": variants,
        "ratios": ratios,
        "targets": targets,
        "commit": detail["commit"],
        "checks": {db: r["checks"] for db, r in detail["results"].items()},
        "details": detail["output"],
        "notes": "lindung: `lindung import-workers` (check and store in one go; on PostgreSQL the check feeds the "
        "COPY). lindung in two steps: the web page's check, then apply (an operator confirms in between). die: "
        "django-import-export on a sample; die/lindung compares time per row. Peak RSS of the lindung variant "
        "covers the import, the re-import and the two-step import (one child process). storing alone: the checked "
        "rows (valid.csv of the two-step import) copied into the emptied worker table as the apply copies them, "
        "without reading or checking the file: what the worker table itself (typed columns, key, unique NIK, "
        "village index and check) costs beside the COPY baseline's text table.",
    }


def target_entry(metric: str, measured: float | None, *, at_most: float | None = None, at_least: float | None = None):
    from lindung.benchmarks.harness import target

    return target(metric, measured, max=at_most, min=at_least)
