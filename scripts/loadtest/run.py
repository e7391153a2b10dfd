# ruff: noqa: S603 - runs our own executables with fixed arguments
"""`make loadtest`: the issue 11 load test, bounded and on loopback only.

    .venv/bin/python scripts/loadtest/run.py [--run-time 300] [--users 50] [--database-url postgres://…/lindung_loadtest]

1. The PostgreSQL database (default `lindung_loadtest`) is created and migrated if needed and filled with Bali-scale
   synthetic data (`lindung synth --prefix 51`) if it holds no worker in Bali.
2. Load-test accounts (setup_users.py) through the accounts services.
3. gunicorn serves Lindung on 127.0.0.1 (DEBUG off), locust runs headless with the profile of locustfile.py for the
   given time, then both stop.
4. Locust's statistics go to docs/benchmarks/results/loadtest.json (the benchmark report schema of
   lindung/benchmarks/harness.py) with the targets: 0 errors, p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def _cpu_times() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields), idle


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get(
        "LINDUNG_LOADTEST_DATABASE_URL", "postgres://lindung:lindung@127.0.0.1:5432/lindung_loadtest"))  # fmt: skip
    parser.add_argument("--run-time", type=int, default=300, help="seconds")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=1, help="users started per second (logins spread out)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--locust", default=str(ROOT / ".venv-loadtest" / "bin" / "locust"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks" / "results" / "loadtest.json"))
    options = parser.parse_args()

    work = ROOT / "var" / "loadtest"
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": options.database_url, "LINDUNG_DEBUG": "0", "LINDUNG_LOG_LEVEL": "WARNING",
           "LINDUNG_VAR_DIR": str(work / "var"), "DJANGO_SETTINGS_MODULE": "lindung.settings",
           # Each gunicorn worker keeps its database connection (settings: CONN_MAX_AGE) instead of opening one per
           # request, which costs PostgreSQL ~6 ms of CPU each time (scripts/loadtest/profile_requests.py --reconnect).
           "LINDUNG_DB_CONN_MAX_AGE": os.environ.get("LINDUNG_DB_CONN_MAX_AGE", "600")}  # fmt: skip
    lindung = [str(BIN / "lindung")]

    import psycopg
    from psycopg import sql

    name = options.database_url.rsplit("/", 1)[1]
    admin = options.database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    subprocess.run([*lindung, "migrate", "--noinput", "-v0"], env=env, check=True)
    with psycopg.connect(options.database_url) as conn:
        workers = conn.execute("SELECT COUNT(*) FROM registry_worker WHERE village_id LIKE '51.%%'").fetchone()[0]
    if not workers:
        print("Mengisi data sintetis Bali (lindung synth --prefix 51)…", flush=True)
        subprocess.run([*lindung, "regions-load", "--prefix", "51"], env=env, check=True)
        subprocess.run([*lindung, "synth", "--prefix", "51", "--json"], env=env, check=True)
    users_file = work / "users.json"
    subprocess.run([str(BIN / "python"), str(HERE / "setup_users.py"), str(users_file)], env=env, check=True)
    with psycopg.connect(options.database_url, autocommit=True) as conn:
        conn.execute("ANALYZE")  # planner statistics for freshly generated data (autovacuum may not have run yet)
        size = {
            "rows": conn.execute("SELECT COUNT(*) FROM registry_worker WHERE village_id LIKE '51.%%'").fetchone()[0],
            "villages": conn.execute(
                "SELECT COUNT(*) FROM regions_region WHERE code LIKE '51.%%' AND level = 4"
            ).fetchone()[0],
            "memberships": conn.execute("SELECT COUNT(*) FROM membership_membership").fetchone()[0],
            "invoices": conn.execute("SELECT COUNT(*) FROM billing_invoice").fetchone()[0],
            "payments": conn.execute("SELECT COUNT(*) FROM billing_payment").fetchone()[0],
        }

    host = f"http://127.0.0.1:{options.port}"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "lindung.wsgi:application", "--bind", f"127.0.0.1:{options.port}",
         "--workers", str(options.gunicorn_workers), "--timeout", "60", "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{host}/sehat/", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("gunicorn tidak menjawab di /sehat/")
        load_before = os.getloadavg()
        cpu_before = _cpu_times()
        started = time.time()
        prefix = work / "stats"
        locust = subprocess.run(
            [options.locust, "-f", str(HERE / "locustfile.py"), "--headless", "--users", str(options.users),
             "--spawn-rate", str(options.spawn_rate), "--run-time", f"{options.run_time}s", "--host", host,
             "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0"],
            env={**os.environ, "LINDUNG_LOADTEST_USERS": str(users_file)}, cwd=ROOT, check=False,
        )  # fmt: skip
        elapsed = time.time() - started
        cpu_after = _cpu_times()
        load_after = os.getloadavg()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    if locust.returncode != 0:
        raise SystemExit(f"locust gagal ({locust.returncode})")

    rows = list(csv.DictReader((prefix.parent / f"{prefix.name}_stats.csv").open()))
    failures = list(csv.DictReader((prefix.parent / f"{prefix.name}_failures.csv").open()))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    busy = 1 - (cpu_after[1] - cpu_before[1]) / max(cpu_after[0] - cpu_before[0], 1)

    def entry(r: dict[str, str]) -> dict[str, object]:
        p50 = float(r["50%"]) / 1000
        return {"median_s": p50, "runs_s": [p50], "peak_rss_mb": None, "requests": int(r["Request Count"]),
                "failures": int(r["Failure Count"]), "p95_ms": float(r["95%"]), "p99_ms": float(r["99%"]),
                "max_ms": round(float(r["Max Response Time"]), 1), "rps": round(float(r["Requests/s"]), 2)}  # fmt: skip

    sys.path.insert(0, str(ROOT))
    from lindung.benchmarks.harness import database_info, finish_report, machine_info, now, validate_report

    p95 = float(total["95%"])
    errors = int(total["Failure Count"])
    machine = machine_info()
    machine.update(load_avg_1min_at_start=round(load_before[0], 2), load_avg_1min_at_end=round(load_after[0], 2),
                   cpu_busy_during_run=round(busy, 3))  # fmt: skip
    report = finish_report("loadtest", "make loadtest", {
        "machine": machine,
        "database": database_info(options.database_url),
        "size": {**size, "users": options.users, "duration_s": round(elapsed), "think_time_s": [1, 3]},
        "variants": {r["Name"] if r["Type"] in ("", "None") else f"{r['Type']} {r['Name']}": entry(r) for r in rows},
        "ratios": {},
        "targets": [
            {"metric": "p95 pages (ms)", "max": 300, "measured": p95, "met": p95 < 300},
            {"metric": "errors", "max": 0, "measured": errors, "met": errors == 0},
        ],
        "failures": [{k: f[k] for k in ("Method", "Name", "Error", "Occurrences")} for f in failures],
        "server": {"gunicorn_workers": options.gunicorn_workers, "debug": False, "host": "127.0.0.1"},
    }, now())  # fmt: skip
    problems = validate_report(report)
    if problems:
        raise SystemExit(f"laporan tidak sesuai skema: {problems}")
    out = Path(options.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"{int(total['Request Count'])} permintaan, {errors} gagal, p50 {total['50%']} ms, p95 {p95:.0f} ms, "
          f"p99 {total['99%']} ms; CPU mesin {busy:.0%} sibuk; -> {out}")  # fmt: skip
    return 0 if report["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
