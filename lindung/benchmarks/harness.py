"""What every benchmark shares: the report schema (issue 7), the machine and database it ran on, timed child
processes with their peak RSS, medians, and saving the report to `var/bench/<name>.json`.

A benchmark module (registered in `lindung.benchmarks.registry`) exposes `add_arguments(parser)` and
`run(options: dict, log) -> dict`. `run` returns at least `database`, `size`, `variants`, `ratios` and `targets`;
`finish_report` adds `benchmark`, `command`, `date`, `machine` (when missing) and `targets_met`, and
`validate_report` checks the result:

- `benchmark` (str), `command` (str), `date` (ISO 8601 UTC)
- `machine`: {"cpu": str, "cores": int, "memory_gib": float, "python": str}
- `database`: {"vendor": "sqlite"|"postgresql", "version": str}, or a list of them when several were measured
- `size`: {"rows": int, "villages": int, …} (more keys allowed)
- `variants`: {name: {"median_s": float, "runs_s": [float, …], "peak_rss_mb": float|None}}; the peak RSS is that of
  the Python process doing the work (a child process of the harness), the database server excluded
- `ratios`: {"a/b": float|None} (a's median time ÷ b's)
- `targets`: [{"metric": str, "max"|"min": float, "measured": float|None, "met": bool}]
- `targets_met`: true only if every target is met
Any other key (`notes`, `checks`, `details`, …) is kept as it is.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

ROOT: Final = Path(__file__).resolve().parents[2]
LINDUNG: Final = (sys.executable, "-m", "lindung")
ADMIN_DATABASE: Final = "lindung"
DEFAULT_PG_URL: Final = "postgres://lindung:lindung@127.0.0.1:5432/lindung_bench"

Log = Callable[[str], None]


class BenchmarkFailed(Exception):
    """A step failed or a check of the results did not hold; the harness prints the message, no traceback."""


# --- figures ----------------------------------------------------------------------------------------------------


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


def variant(runs_s: Iterable[float], peak_rss_mb: float | Iterable[float] | None) -> dict[str, Any]:
    """One variant of a benchmark: its runs in seconds, their median, the largest peak RSS of its runs."""
    runs = [round(float(s), 4) for s in runs_s]
    if runs == []:
        raise BenchmarkFailed("a variant needs at least one run")
    peak: float | None
    if peak_rss_mb is None or isinstance(peak_rss_mb, int | float):
        peak = None if peak_rss_mb is None else round(float(peak_rss_mb), 1)
    else:
        peaks = [float(p) for p in peak_rss_mb if p is not None]
        peak = round(max(peaks), 1) if peaks else None
    return {"median_s": round(median(runs), 4), "runs_s": runs, "peak_rss_mb": peak}


def ratio(variants: dict[str, dict[str, Any]], a: str, b: str, *, per: tuple[float, float] = (1, 1)) -> float | None:
    """a's median ÷ b's median (each divided by its own size in `per`, for per-row ratios)."""
    if a not in variants or b not in variants or not variants[b]["median_s"]:
        return None
    return round((variants[a]["median_s"] / per[0]) / (variants[b]["median_s"] / per[1]), 3)


def target(metric: str, measured: float | None, *, max: float | None = None, min: float | None = None) -> dict:
    """A target entry: met when measured ≤ max (or ≥ min); a target that was not measured is not met."""
    if (max is None) == (min is None):
        raise ValueError("a target has exactly one of max and min")
    entry: dict[str, Any] = {"metric": metric}
    if max is not None:
        entry["max"] = max
        met = measured is not None and measured <= max
    else:
        entry["min"] = min
        met = measured is not None and min is not None and measured >= min
    entry.update(measured=measured, met=bool(met))
    return entry


# --- the machine and the database ---------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu, memory_gib = platform.processor() or platform.machine(), None
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
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "load_avg_1min_at_start": round(load, 2) if load is not None else None,
    }


def database_info(vendor_or_url: str | None = None) -> dict[str, str]:
    """{"vendor", "version"} of Django's default connection, or of a database URL (sqlite:/// or postgres://)."""
    if vendor_or_url and vendor_or_url.startswith(("postgres://", "postgresql://")):
        import psycopg

        with psycopg.connect(vendor_or_url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return {"vendor": "postgresql", "version": str(row[0]).split()[0] if row else "?"}
    if vendor_or_url and (vendor_or_url == "sqlite" or vendor_or_url.startswith("sqlite:")):
        return {"vendor": "sqlite", "version": sqlite3.sqlite_version}
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return {"vendor": "postgresql", "version": str(cursor.fetchone()[0]).split()[0]}
    return {"vendor": connection.vendor, "version": sqlite3.sqlite_version}


def commit() -> str | None:
    """The checked-out commit, read from .git without running git (None outside a checkout)."""
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:7]
        ref = head[5:]
        if (git / ref).is_file():
            return (git / ref).read_text().strip()[:7]
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(f" {ref}"):
                return line.split()[0][:7]
    except OSError:
        return None
    return None


# --- child processes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildResult:
    seconds: float  # wall time of the whole child, Python start-up included
    peak_rss_mb: float  # the child's own peak resident set (ru_maxrss from wait4), the database server excluded
    output: dict[str, Any]  # the JSON object on the last line of its stdout ({} when it printed none)
    stdout: str


def child_env(database_url: str, var_dir: Path | str, **extra: str) -> dict[str, str]:
    """Environment of a `lindung` child working on `database_url` with its own var directory."""
    env = {**os.environ, "DATABASE_URL": database_url, "LINDUNG_VAR_DIR": str(var_dir)}
    env["DJANGO_SETTINGS_MODULE"] = "lindung.settings"
    env.pop("LINDUNG_TEST_SQLITE", None)
    env.update(extra)
    return env


def run_child(args: list[str], env: dict[str, str], *, json_out: bool = True) -> ChildResult:
    """Run `python -m lindung ARGS` and wait for it with wait4, whose rusage is this child's alone (unlike
    RUSAGE_CHILDREN, which keeps the largest child seen so far)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([*LINDUNG, *args], env=env, stdout=out, stderr=err)  # noqa: S603
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        tail = "\n".join((stderr or stdout).strip().splitlines()[-15:])
        raise BenchmarkFailed(f"`lindung {' '.join(args)}` failed ({proc.returncode}):\n{tail}")
    output: dict[str, Any] = {}
    lines = stdout.strip().splitlines()
    if lines and lines[-1].startswith("{"):
        output = json.loads(lines[-1])
    elif json_out:
        raise BenchmarkFailed(f"`lindung {' '.join(args)}` printed no JSON: {stdout[-500:]!r}")
    return ChildResult(seconds=seconds, peak_rss_mb=round(usage.ru_maxrss / 1024, 1), output=output, stdout=stdout)


# --- bench databases ------------------------------------------------------------------------------------------


def pg_admin_url(url: str) -> tuple[str, str]:
    """(database name, URL of the administrative `lindung` database) for a bench database URL."""
    parts = urlsplit(url)
    return parts.path.lstrip("/"), urlunsplit(parts._replace(path=f"/{ADMIN_DATABASE}"))


def _bench_name(url: str) -> tuple[str, str]:
    name, admin = pg_admin_url(url)
    if "bench" not in name or name == ADMIN_DATABASE:
        raise BenchmarkFailed(f"refusing to drop and recreate database {name!r}: its name must contain 'bench'")
    return name, admin


def pg_recreate(url: str) -> None:
    import psycopg
    from psycopg import sql

    name, admin = _bench_name(url)
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise BenchmarkFailed(f"cannot create the bench database {name} through {ADMIN_DATABASE}: {exc}") from exc


def pg_drop(url: str) -> None:
    import psycopg
    from psycopg import sql

    name, admin = _bench_name(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def pg_reachable(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(pg_admin_url(url)[1], connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def with_database_name(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


# --- the report -----------------------------------------------------------------------------------------------

REQUIRED: Final = ("benchmark", "command", "date", "machine", "database", "size", "variants", "ratios", "targets")


def finish_report(name: str, command: str, report: dict[str, Any], started_at: datetime) -> dict[str, Any]:
    """Fill in the fields the harness knows and `targets_met`; the keys in issue 7's order, extras after."""
    base: dict[str, Any] = {
        "benchmark": report.get("benchmark", name),
        "command": report.get("command", command),
        "date": report.get("date", started_at.isoformat(timespec="seconds")),
        "machine": report.get("machine") or machine_info(),
    }
    for key in ("database", "size", "variants", "ratios", "targets"):
        base[key] = report.get(key)
    base["targets_met"] = all(t.get("met") is True for t in report.get("targets") or [])
    base["commit"] = report.get("commit", commit())
    for key, value in report.items():
        base.setdefault(key, value)
    return base


def validate_report(report: dict[str, Any]) -> list[str]:
    """What is wrong with a report against the schema above (empty when it conforms)."""
    problems = [f"missing {key!r}" for key in (*REQUIRED, "targets_met") if key not in report]
    if problems:
        return problems
    problems += [
        f"{key!r} is not a non-empty string"
        for key in ("benchmark", "command", "date")
        if not isinstance(report[key], str) or not report[key]
    ]
    machine = report["machine"]
    if not isinstance(machine, dict) or not {"cpu", "cores", "memory_gib"} <= machine.keys():
        problems.append("'machine' needs cpu, cores and memory_gib")
    databases = report["database"] if isinstance(report["database"], list) else [report["database"]]
    if not databases or not all(isinstance(d, dict) and {"vendor", "version"} <= d.keys() for d in databases):
        problems.append("'database' must be {vendor, version} or a list of them")
    size = report["size"]
    if not isinstance(size, dict) or not {"rows", "villages"} <= size.keys():
        problems.append("'size' needs rows and villages")
    variants = report["variants"]
    if not isinstance(variants, dict) or not variants:
        problems.append("'variants' must be a non-empty object")
    else:
        for name, v in variants.items():
            if not isinstance(v, dict) or not {"median_s", "runs_s", "peak_rss_mb"} <= v.keys():
                problems.append(f"variant {name!r} needs median_s, runs_s and peak_rss_mb")
            elif not v["runs_s"] or not all(isinstance(s, int | float) for s in v["runs_s"]):
                problems.append(f"variant {name!r}: runs_s must be a non-empty list of seconds")
            elif abs(median(v["runs_s"]) - v["median_s"]) > 1e-3:
                problems.append(f"variant {name!r}: median_s is not the median of runs_s")
    ratios = report["ratios"]
    if not isinstance(ratios, dict) or not all(
        "/" in k and (r is None or isinstance(r, int | float)) for k, r in ratios.items()
    ):
        problems.append("'ratios' must be a flat object of 'a/b': number")
    targets = report["targets"]
    if not isinstance(targets, list):
        problems.append("'targets' must be a list")
    else:
        for t in targets:
            if not isinstance(t, dict) or "metric" not in t or "measured" not in t or "met" not in t:
                problems.append(f"target {t!r} needs metric, measured and met")
            elif ("max" in t) == ("min" in t):
                problems.append(f"target {t['metric']!r} needs exactly one of max and min")
        if report["targets_met"] != all(isinstance(t, dict) and t.get("met") is True for t in targets):
            problems.append("'targets_met' disagrees with the targets")
    return problems


def bench_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "bench"


def save_report(report: dict[str, Any], output_dir: Path | None = None) -> Path:
    out_dir = output_dir or bench_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{report['benchmark']}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return path


def now() -> datetime:
    return datetime.now(UTC)


def migrate(env: dict[str, str]) -> None:
    """`lindung migrate` in the child's database; on SQLite, a copy of LINDUNG_BENCH_SQLITE_TEMPLATE (a migrated,
    empty database) instead when that is set — the smoke tests migrate once and copy, to stay within seconds."""
    import shutil

    template = os.environ.get("LINDUNG_BENCH_SQLITE_TEMPLATE", "")
    url = env.get("DATABASE_URL", "")
    if template and Path(template).is_file() and url.startswith("sqlite:///"):
        shutil.copyfile(template, url.removeprefix("sqlite://"))
        return
    run_child(["migrate", "--noinput", "-v0"], env, json_out=False)
