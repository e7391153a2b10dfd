"""`lindung bench regions-load`: the whole country's regions (91,599, of which 83,762 desa/kelurahan) loaded by
`lindung regions-load` into a fresh, migrated database, then a second run that finds nothing to change; on SQLite
and/or PostgreSQL. Issue 2's target: the first run under 60 s on SQLite on this machine.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from lindung.benchmarks import harness


def add_arguments(parser) -> None:
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--prefix", default="", help="Only the regions under this code (smoke runs); default all.")
    parser.add_argument("--repeat", type=int, default=1, help="Fresh loads per database (median reported).")
    parser.add_argument("--pg-url", default=os.environ.get("LINDUNG_BENCH_PG_URL", harness.DEFAULT_PG_URL))


def run(options: dict[str, Any], log: harness.Log) -> dict[str, Any]:
    databases = ["sqlite", "postgresql"] if options["database"] == "both" else [options["database"]]
    prefix = ["--prefix", options["prefix"]] if options["prefix"] else []
    variants: dict[str, dict[str, Any]] = {}
    infos, size = [], {"rows": 0, "villages": 0}
    for db in databases:
        first_runs, second_runs, first_rss, second_rss, load_s = [], [], [], [], []
        for rep in range(options["repeat"]):
            with tempfile.TemporaryDirectory(prefix="lindung-bench-regions-") as var:
                url = f"sqlite:///{Path(var) / 'bench.sqlite3'}" if db == "sqlite" else options["pg_url"]
                if db == "postgresql":
                    harness.pg_recreate(url)
                try:
                    env = harness.child_env(url, var)
                    harness.migrate(env)
                    first = harness.run_child(["regions-load", *prefix, "--json"], env)
                    second = harness.run_child(["regions-load", *prefix, "--json"], env)
                    if rep == 0:
                        infos.append(harness.database_info(url))
                finally:
                    if db == "postgresql":
                        harness.pg_drop(url)
            if first.output["created"] != first.output["regions"] or second.output["changed"]:
                raise harness.BenchmarkFailed(f"unexpected regions-load results: {first.output} / {second.output}")
            size = {"rows": first.output["regions"], "villages": first.output["villages"]}
            first_runs.append(first.seconds)
            second_runs.append(second.seconds)
            first_rss.append(first.peak_rss_mb)
            second_rss.append(second.peak_rss_mb)
            load_s.append(first.output["seconds"])
            log(
                f"[{db}] first run {first.seconds:.2f} s (load {first.output['seconds']} s), "
                f"second {second.seconds:.2f} s"
            )
        variants[f"{db}: first run"] = harness.variant(first_runs, first_rss)
        variants[f"{db}: of which the load"] = harness.variant(load_s, None)
        variants[f"{db}: second run (no changes)"] = harness.variant(second_runs, second_rss)
    ratios = {}
    if len(databases) == 2:
        ratios["postgresql: first run/sqlite: first run"] = harness.ratio(
            variants, "postgresql: first run", "sqlite: first run"
        )
    targets = []
    if "sqlite" in databases and not options["prefix"]:
        measured = variants["sqlite: first run"]["median_s"]
        targets.append(harness.target("sqlite first run, whole country (s)", measured, max=60))
    return {
        "database": infos if len(infos) > 1 else infos[0],
        "size": {**size, "prefix": options["prefix"] or "whole country"},
        "variants": variants,
        "ratios": ratios,
        "targets": targets,
        "notes": "first/second run: wall time of the whole `lindung regions-load` process, start-up included",
    }
