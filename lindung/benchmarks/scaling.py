"""`lindung bench scaling` (issue 7): the import and billing benchmarks at growing sizes (default 10,000, 100,000
and 1,000,000 members), to show how time and peak memory grow. The goal is linear: the time per member at the
largest size ÷ at the smallest (the "per-member ratio") is 1 for linear growth; anything above 1.5 is named as
worse than linear in `findings`.

- import: `lindung bench import --rows N --repeat 1` on one database (the worker import, re-import and COPY; the
  django-import-export sample is kept small, it does not scale with N);
- billing: `lindung bench billing` on the first N/100 villages of the country with 100 members each (the
  benchmark's own builder: `synth` cannot take a village count), one billing run of Lindung and of the baseline
  SQL, and the cover recomputation of `--cover-villages` villages, given per village.
"""

from __future__ import annotations

import os
from typing import Any

from lindung.benchmarks import harness

WORSE_THAN_LINEAR = 1.5


def add_arguments(parser) -> None:
    parser.add_argument("--members", default="10000,100000,1000000", help="Comma-separated sizes.")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--parts", default="import,billing", help="import, billing or both (comma-separated).")
    parser.add_argument("--per-village", type=int, default=100)
    parser.add_argument("--months", type=int, default=3, help="Months of history built for billing.")
    parser.add_argument("--cover-villages", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--die-sample", type=int, default=500)
    parser.add_argument("--skip-verify", action="store_true", help="Billing without its checks (faster).")
    parser.add_argument(
        "--bench-pg-url", default=os.environ.get("LINDUNG_BENCH_PG_URL", harness.DEFAULT_PG_URL + "_scaling")
    )


def run(options: dict[str, Any], log: harness.Log) -> dict[str, Any]:
    sizes = sorted({int(s) for s in str(options["members"]).split(",") if s.strip()})
    parts = {p.strip() for p in options["parts"].split(",")}
    db = options["database"]
    variants: dict[str, dict[str, Any]] = {}
    per_member: dict[str, dict[int, float]] = {}
    rss: dict[str, dict[int, float | None]] = {}
    database = None
    for n in sizes:
        if "import" in parts:
            from lindung.benchmarks.import_bench import ImportBenchOptions, run_import_benchmark

            log(f"[scaling] import {n:,} rows on {db} …")
            detail = run_import_benchmark(
                ImportBenchOptions(
                    rows=n, database=db, repeat=options["repeat"], die_sample=min(options["die_sample"], n),
                    pg_url=options["bench_pg_url"], output_dir=_tmp_dir(options),
                ),
                log=log,
            )  # fmt: skip
            result = detail["results"][db]
            vendor, _, version = result["database_version"].partition(" ")
            database = {"vendor": vendor.lower(), "version": version}
            runs = result["lindung"]["seconds"]
            variants[f"import {n}"] = harness.variant(runs, result["lindung"]["peak_rss_mb_max"])
            per_member.setdefault("import", {})[n] = variants[f"import {n}"]["median_s"] / n
            rss.setdefault("import", {})[n] = result["lindung"]["peak_rss_mb_max"]
        if "billing" in parts:
            from lindung.benchmarks import billing

            villages = max(1, n // options["per_village"])
            log(f"[scaling] billing {n:,} members ({villages:,} villages) on {db} …")
            report = billing.run(
                {
                    "prefix": "", "database": db, "repeat": options["repeat"], "pg_url": "",
                    "bench_pg_url": options["bench_pg_url"], "per_village": options["per_village"],
                    "months": options["months"], "villages": villages, "seed": 5, "data": "builtin",
                    "cover_villages": min(options["cover_villages"], villages), "cover_repeat": 1,
                    "sample": min(1000, n), "sqlite_path": "", "skip_verify": options["skip_verify"],
                },
                log,
            )  # fmt: skip
            database = report["database"]
            members = report["size"]["invoice_lines_billed"] or n
            for name in ("lindung", "sql"):
                v = report["variants"][f"{db}: {name}"]
                variants[f"billing {name} {n}"] = v
                per_member.setdefault(f"billing {name}", {})[n] = v["median_s"] / members
                rss.setdefault(f"billing {name}", {})[n] = v["peak_rss_mb"]
            cover = report["variants"][f"{db}: cover (all villages)"]
            variants[f"cover per village {n}"] = harness.variant(
                [s / villages for s in cover["runs_s"]], cover["peak_rss_mb"]
            )
            per_member.setdefault("cover", {})[n] = cover["median_s"] / villages / options["per_village"]
            rss.setdefault("cover", {})[n] = cover["peak_rss_mb"]
    ratios: dict[str, float | None] = {}
    targets, findings = [], []
    small, large = sizes[0], sizes[-1]
    for part, by_size in per_member.items():
        if len(by_size) < 2 or not by_size[small]:
            continue
        key = f"{part} per member {_label(large)}/{_label(small)}"
        growth = round(by_size[large] / by_size[small], 3)
        ratios[key] = growth
        targets.append(harness.target(key, growth, max=WORSE_THAN_LINEAR))
        if growth > WORSE_THAN_LINEAR:
            findings.append(
                f"{part}: time per member grows {growth:.2f}x from {small:,} to {large:,}: worse than linear"
            )
        peak_small, peak_large = rss.get(part, {}).get(small), rss.get(part, {}).get(large)
        if peak_small and peak_large:
            ratios[f"{part} peak RSS {_label(large)}/{_label(small)}"] = round(peak_large / peak_small, 3)
    return {
        "database": database or {"vendor": db, "version": "?"},
        "size": {"rows": large, "villages": max(1, large // options["per_village"]), "members": sizes},
        "variants": variants,
        "ratios": ratios,
        "targets": targets,
        "findings": findings or ["every part grows at most linearly (per-member ratio ≤ 1.5)"],
        "per_member_s": {part: {str(n): v for n, v in by.items()} for part, by in per_member.items()},
    }


def _label(n: int) -> str:
    return (
        f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)
    )


def _tmp_dir(options: dict[str, Any]):
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp(prefix="lindung-bench-scaling-"))
