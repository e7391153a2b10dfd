"""Benchmarks: `make bench`. Each run writes JSON under var/bench/ and prints a summary.

regions-load: the whole country (91,599 regions, 83,762 desa/kelurahan) into a fresh database, then a
second, no-change run — on SQLite (the laptop default) and on PostgreSQL when BENCH_PG_URL is reachable.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINDUNG = [sys.executable, "-m", "lindung"]


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _run(args: list[str], env: dict[str, str]) -> tuple[float, dict]:
    started = time.perf_counter()
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    seconds = time.perf_counter() - started
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "{}"
    return seconds, json.loads(last) if last.startswith("{") else {}


def _fresh_pg_database(admin_url: str, name: str) -> None:
    for sql in (f"drop database if exists {name}", f"create database {name}"):
        subprocess.run(["psql", admin_url, "-qc", sql], check=True, capture_output=True)  # noqa: S603, S607


def bench_regions_load(database_url: str | None, label: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as var:
        env = {**os.environ, "LINDUNG_VAR_DIR": var}
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        subprocess.run([*LINDUNG, "migrate", "-v0"], env=env, check=True)  # noqa: S603
        first_wall, first = _run([*LINDUNG, "regions-load", "--json"], env)
        second_wall, second = _run([*LINDUNG, "regions-load", "--json"], env)
    return {
        "database": label,
        "first_run": {"wall_seconds": round(first_wall, 2), **first},
        "second_run": {"wall_seconds": round(second_wall, 2), **second},
    }


def main() -> None:
    results = [bench_regions_load(None, "sqlite")]
    admin_url = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://lindung:lindung@127.0.0.1:5432/lindung")
    probe = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False)  # noqa: S607
    if probe.returncode == 0:
        _fresh_pg_database(admin_url, "lindung_bench")
        results.append(bench_regions_load(admin_url.rsplit("/", 1)[0] + "/lindung_bench", "postgresql"))
    report = {
        "benchmark": "regions-load (whole country)",
        "command": "make bench",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu": _cpu(), "cores": os.cpu_count(), "python": platform.python_version()},
        "target": "first run under 60 s on SQLite on this machine (issue 2)",
        "results": results,
    }
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "regions-load.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
