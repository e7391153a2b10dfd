"""`lindung bench dashboard` (issue 8): the dashboard's JSON payload of the country, one province, one city and one
village, read from the summary tables, against a baseline that computes the same figures by direct aggregate queries
over the raw tables, in the same run and through the same client, view and JSON code.

Data: an existing PostgreSQL database (`--pg-url`, e.g. the national synthetic set `lindung_national`), which is left
as it was apart from the summary tables (their full refresh is timed and reported); or, without it, a fresh bench
database generated here (`regions-load` of the whole country and `lindung synth --prefix P`).

Measured in one child process (its peak RSS is reported, the database server excluded):
- **refresh**: `refresh_summaries(full=True)`, what `lindung refresh-summaries --all` does (once);
- **summary_<level>**: `--requests` GETs of `/dasbor/<code>/data.json` through Django's test client as a national
  user (p50 and p95);
- **raw_<level>**: the same URL with the view's figures computed from the raw tables
  (`refresh.current_figures`/`month_figures` grouped by the child regions' code prefix, the same definitions), for
  `--raw-requests` GETs (a national raw request scans every table once per figure group: minutes, not milliseconds);
- **checks**: the summary payload and the raw payload carry identical figures, children and trends at each level.
Everything the requests write (the bench user, its session, the refresh request of a stale page) is rolled back.
Targets (issue 8): p95 ≤ 100 ms at every level; raw/summary ≥ 50 at the national level.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import tempfile
import time
from contextlib import nullcontext
from typing import Any
from unittest import mock

from lindung.benchmarks import harness

LEVELS = ("national", "province", "city", "village")
P95_MAX_MS = 100.0
NATIONAL_RATIO_MIN = 50.0


def add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("LINDUNG_BENCH_DASHBOARD_URL", ""),
        help="An existing populated database to measure on (only its summary tables are rewritten). Default: a "
        "fresh bench database generated with --prefix.",
    )
    parser.add_argument("--prefix", default="51", help="Region generated when --pg-url is not given (default Bali).")
    parser.add_argument("--per-village", type=int, default=100)
    parser.add_argument(
        "--bench-pg-url", default=harness.DEFAULT_PG_URL + "_dashboard", help="The fresh bench database (recreated)."
    )
    parser.add_argument("--requests", type=int, default=50, help="Requests per level from the summary tables.")
    parser.add_argument("--raw-requests", type=int, default=3, help="Requests per level of the raw baseline.")
    parser.add_argument("--keep", action="store_true", help="Keep the generated bench database.")


def run(options: dict[str, Any], log: harness.Log) -> dict[str, Any]:
    url = options.get("pg_url") or ""
    generated = not url
    with tempfile.TemporaryDirectory(prefix="lindung-bench-dashboard-") as var:
        if generated:
            url = options["bench_pg_url"]
            log(f"generating {options['prefix']} into a fresh database")
            harness.pg_recreate(url)
            env = harness.child_env(url, var)
            harness.run_child(["migrate", "--noinput", "-v0"], env, json_out=False)
            harness.run_child(["regions-load", "--json"], env)
            harness.run_child(
                ["synth", "--prefix", options["prefix"], "--per-village", str(options["per_village"]), "--json"], env
            )
        try:
            env = harness.child_env(
                url,
                var,
                LINDUNG_BENCH_DASHBOARD=json.dumps(
                    {"requests": options["requests"], "raw_requests": options["raw_requests"]}
                ),
            )
            log("refreshing the summaries, then measuring (one child process)")
            child = harness.run_child(
                ["shell", "-c", "from lindung.reporting.benchmark import measure; measure()"], env
            )
            database = harness.database_info(url)
        finally:
            if generated and not options.get("keep"):
                harness.pg_drop(url)
    out = child.output
    if not out:
        raise harness.BenchmarkFailed(f"the measuring child printed no result: {child.stdout[-2000:]}")
    variants: dict[str, dict[str, Any]] = {"refresh": harness.variant([out["refresh_s"]], child.peak_rss_mb)}
    for level in LEVELS:
        variants[f"summary_{level}"] = harness.variant(out["runs"][f"summary_{level}"], child.peak_rss_mb)
        variants[f"raw_{level}"] = harness.variant(out["runs"][f"raw_{level}"], child.peak_rss_mb)
    ratios = {f"raw/summary {level}": harness.ratio(variants, f"raw_{level}", f"summary_{level}") for level in LEVELS}
    ratios["raw/summary"] = ratios["raw/summary national"]
    targets = [
        harness.target(f"p95 {level} (ms)", out["p95_ms"][f"summary_{level}"], max=P95_MAX_MS) for level in LEVELS
    ]
    targets.append(harness.target("raw/summary national (times)", ratios["raw/summary"], min=NATIONAL_RATIO_MIN))
    targets.append(harness.target("identical figures (levels differing)", float(len(out["differences"])), max=0))
    for level in LEVELS:
        log(
            f"{level:9s} {out['codes'][level]:14s} summary p50 {out['p50_ms'][f'summary_{level}']:.1f} ms "
            f"p95 {out['p95_ms'][f'summary_{level}']:.1f} ms · raw median {variants[f'raw_{level}']['median_s']:.3f} s"
        )
    return {
        "database": database,
        "size": {**out["size"], "generated": generated, "prefix": options["prefix"] if generated else None},
        "variants": variants,
        "ratios": ratios,
        "targets": targets,
        "details": {
            "codes": out["codes"],
            "p50_ms": out["p50_ms"],
            "p95_ms": out["p95_ms"],
            "refresh": out["refresh"],
            "payload_bytes": out["payload_bytes"],
        },
        "checks": {"identical_figures": not out["differences"], "differences": out["differences"]},
        "notes": (
            "Summary requests read the summary tables (≈7 indexed queries); raw requests compute the same payload "
            "from the raw tables in the same view. Measured through Django's test client in one process."
        ),
    }


# --- the child: runs inside `lindung shell` on the measured database ------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return float(statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1])


def raw_dashboard_get(*, viewer: Any, code: str, today: Any = None) -> Any:
    """The dashboard of `code` with its figures computed from the raw tables (the benchmark's baseline)."""
    import datetime as dt

    from django.utils import timezone

    from lindung.reporting import selectors
    from lindung.reporting.models import COUNTRY, CURRENT_FIELDS, MONTH_FIELDS
    from lindung.reporting.refresh import CODE_LENGTH, Grouping, current_figures, month_figures

    d = selectors.dashboard_get(viewer=viewer, code=code, today=today)  # scope, names, breadcrumb, poverty rates
    prefix = None if code == COUNTRY else code
    level = 0 if code == COUNTRY else code.count(".") + 1
    if level < 4:
        child_len = CODE_LENGTH[level + 1]
        children = current_figures(Grouping(prefix=prefix, key_len=child_len))
        zero = dict.fromkeys(CURRENT_FIELDS, 0)
        d.children = [(place, children.get(place.code, zero)) for place, _figures in d.children]
        d.figures = {name: sum(f[name] for _p, f in d.children) for name in CURRENT_FIELDS}
        months = month_figures(Grouping(prefix=prefix, key_len=child_len))
    else:
        d.figures = current_figures(Grouping(codes=[code])).get(code, dict.fromkeys(CURRENT_FIELDS, 0))
        months = month_figures(Grouping(codes=[code]))
    per_month: dict[dt.date, dict[str, int]] = {}
    for (_key, month), values in months.items():
        target = per_month.setdefault(month, dict.fromkeys(MONTH_FIELDS, 0))
        for name, value in zip(MONTH_FIELDS, values, strict=True):
            target[name] += value
    today = today or timezone.localdate()
    if per_month:
        first, last = min(per_month), max(max(per_month), today.replace(day=1))
        d.months = selectors._month_range(first, last)
    else:
        d.months = []
    d.trend = {name: [per_month.get(m, {}).get(name, 0) for m in d.months] for name in MONTH_FIELDS}
    return d


def _pick_codes() -> dict[str, str]:
    """The province with the most active members, its largest city, that city's largest village."""
    from lindung.reporting.models import COUNTRY, Summary

    def top(**filters: Any) -> str:
        row = Summary.objects.filter(**filters).order_by("-members_active", "region_code").first()
        if row is None:
            raise RuntimeError(f"no summary row for {filters}")
        return row.region_code

    province = top(level=1)
    city = top(level=2, parent_code=province)
    village = top(level=4, region_code__startswith=f"{city}.")
    return {"national": COUNTRY, "province": province, "city": city, "village": village}


def measure() -> None:
    """Refresh, then time the four levels both ways; print one JSON object."""
    from django.db import transaction
    from django.test import Client

    from lindung.accounts.models import Role, RoleAssignment, User
    from lindung.reporting import views
    from lindung.reporting.models import COUNTRY, Summary
    from lindung.reporting.refresh import refresh_summaries

    settings_in = json.loads(os.environ.get("LINDUNG_BENCH_DASHBOARD", "{}"))
    requests = int(settings_in.get("requests", 50))
    raw_requests = int(settings_in.get("raw_requests", 3))
    started = time.perf_counter()
    result = refresh_summaries(full=True)
    refresh_s = time.perf_counter() - started
    codes = _pick_codes()
    country = Summary.objects.get(region_code=COUNTRY)
    out: dict[str, Any] = {
        "refresh_s": round(refresh_s, 3),
        "refresh": {"villages": result.villages, "regions": result.regions, "village_months": result.months},
        "codes": codes,
        "size": {
            "rows": country.workers_registered,
            "villages": country.villages_desa + country.villages_kelurahan,
            "members": country.members_active,
            "workers": country.workers_registered,
        },
        "runs": {},
        "p50_ms": {},
        "p95_ms": {},
        "payload_bytes": {},
        "differences": [],
    }
    with transaction.atomic():
        user = User.objects.create_user(username="bench.dashboard", password=None, full_name="Bench")
        RoleAssignment.objects.create(user=user, role=Role.ADMIN, national=True)
        client = Client(HTTP_HOST="localhost")  # an allowed host of the default settings
        client.force_login(user)
        for level in LEVELS:
            url = f"/dasbor/{codes[level]}/data.json"
            payloads = {}
            for variant, count in (("summary", requests), ("raw", raw_requests)):
                runs = []
                patch = (
                    mock.patch.object(views, "dashboard_get", raw_dashboard_get) if variant == "raw" else nullcontext()
                )
                with patch:
                    if variant == "summary":
                        client.get(url)  # warm-up, not counted (a raw request is long enough to need none)
                    for _ in range(count):
                        t0 = time.perf_counter()
                        response = client.get(url)
                        runs.append(time.perf_counter() - t0)
                        if response.status_code != 200:
                            raise RuntimeError(f"{url}: HTTP {response.status_code}")
                payloads[variant] = response.json()
                name = f"{variant}_{level}"
                out["runs"][name] = [round(s, 5) for s in runs]
                out["p50_ms"][name] = round(_percentile(runs, 50) * 1000, 2)
                out["p95_ms"][name] = round(_percentile(runs, 95) * 1000, 2)
                out["payload_bytes"][name] = len(response.content)
            summary, raw = payloads["summary"], payloads["raw"]
            for key in ("figures", "children", "months", "trend"):
                if summary[key] != raw[key]:
                    out["differences"].append(f"{level}: {key}")
        transaction.set_rollback(True)
    out["peak_rss_mb_self"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))
