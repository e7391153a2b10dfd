"""CPU cost per request of the load-test profile (issue 11), without locust: what each endpoint costs Django and
PostgreSQL, weighted by how often locustfile.py calls it.

    DATABASE_URL=postgres://…/lindung_perf .venv/bin/python scripts/loadtest/profile_requests.py USERS.json \
        [-n 20] [--only NAME] [--reconnect] [--cprofile NAME|mix] [--sql NAME] [--set NAME=VALUE] [--json OUT]

USERS.json is what setup_users.py wrote. Every request goes through Django's test Client (the whole middleware stack,
DEBUG off, no test instrumentation), logged in as the load test's accounts (force_login) or with the API token, in the
same mix as locustfile.py; the edit and payment POSTs send the fields of the form they just fetched, as locust does
(the CSRF check included). The POSTs write: use a database made for this.

Per endpoint: SQL queries per request, Django's CPU (time.process_time of this process), wall time, time spent in the
database driver (sum of query durations through connection.execute_wrapper) and PostgreSQL's CPU (the time on a CPU
of the backend serving this connection, /proc/PID/schedstat: the database must run on this machine). The table is
sorted by each endpoint's share of the profile's CPU (Django + PostgreSQL), weighted by the rate locust gives it.

--reconnect closes the database connection before every request, as Django does at the end of each request with
CONN_MAX_AGE = 0: the connection's set-up then counts in every request, and the backend's CPU is that of its whole
life (its start-up included, the postmaster's fork not). Without it the connection persists (CONN_MAX_AGE > 0).
--cprofile profiles one endpoint (or `mix`: all, as often as locust calls them) in CPU time; --sql prints the queries
of one request; --set tries a setting (a Python literal), e.g. --set SESSION_SAVE_EVERY_REQUEST=False.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import itertools
import json
import os
import pstats
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from htmlforms import form_fields  # beside this file (also used by locustfile.py)

ROOT = Path(__file__).resolve().parents[2]
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Requests per second each endpoint gets from locustfile.py: users of the class x task weight / the class's total
# weight (every task then waits 1-3 s). Users: 35 browsing, 10 editing, 3 officers, 2 API clients.
WEIGHTS = {
    "workers ?desa": 35 * 4 / 12 + 3 * 1 / 7,
    "workers ?q": 35 * 3 / 12,
    "worker detail": 35 * 3 / 12,
    "workers page 2": 35 * 1 / 12,
    "home": 35 * 1 / 12,
    "worker edit GET": 10 * 3 / 6,
    "worker edit POST": 10 * 3 / 6,
    "payment GET": 10 * 1 / 6,
    "payment POST": 10 * 1 / 6,
    "village billing": 10 * 2 / 6,
    "dashboard": 3 * 3 / 7,
    "dashboard data.json": 3 * 2 / 7,
    "regions list": 3 * 1 / 7,
    "api workers": 2 * 2 / 4,
    "api dashboard": 2 * 1 / 4,
    "api invoices": 2 * 1 / 4,
}


@dataclass
class Figures:
    count: int = 0
    queries: int = 0
    cpu: float = 0.0
    wall: float = 0.0
    db: float = 0.0
    pg_ns: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def per(self, value: float) -> float:
        return value / self.count if self.count else 0.0


class Meter:
    """Counts the queries and their duration through connection.execute_wrapper."""

    def __init__(self) -> None:
        self.queries = 0
        self.db = 0.0
        self.log: list[tuple[float, str]] | None = None

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.queries += 1
            self.db += spent
            if self.log is not None:
                self.log.append((spent, sql))


def _backend_cpu(pid: int | None) -> int:
    """Nanoseconds the process has run on a CPU (/proc/PID/schedstat: exact, unlike the 10 ms ticks of stat)."""
    if not pid:
        return 0
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except OSError:
        return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("users", help="the JSON written by setup_users.py")
    parser.add_argument("-n", type=int, default=20, help="requests per endpoint")
    parser.add_argument("--only", action="append", help="measure only these endpoints (repeatable)")
    parser.add_argument("--reconnect", action="store_true", help="a new database connection for every request")
    parser.add_argument("--cprofile", help="profile this endpoint (or `mix`: all, weighted) with cProfile")
    parser.add_argument("--cprofile-sort", default="cumulative")
    parser.add_argument("--cprofile-lines", type=int, default=45)
    parser.add_argument("--sql", help="print the queries of one request of this endpoint, with their durations")
    parser.add_argument("--json", help="write the figures as JSON to this file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="try a setting")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    os.environ["LINDUNG_DEBUG"] = "0"
    os.environ.setdefault("LINDUNG_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from lindung.accounts.models import User

    assert not settings.DEBUG  # noqa: S101
    for assignment in options.set:
        name, _, value = assignment.partition("=")
        setattr(settings, name, ast.literal_eval(value))
    random.seed(options.seed)
    users = json.loads(Path(options.users).read_text())
    operators = users["operators"]
    officers = users["officers"]
    by_name = {u.username: u for u in User.objects.filter(username__in=[u["username"] for u in operators + officers])}

    def client_for(username: str) -> Client:
        client = Client(SERVER_NAME="127.0.0.1", enforce_csrf_checks=True)
        client.force_login(by_name[username])
        return client

    operator_clients = [(o, client_for(o["username"])) for o in operators]
    officer_clients = [(o, client_for(o["username"])) for o in officers]
    api_client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {users['api']['token']}")
    ops = itertools.cycle(operator_clients)
    offs = itertools.cycle(officer_clients)
    references = itertools.count(1)
    pending: dict[str, list[tuple[Client, str, dict[str, str]]]] = {"worker edit": [], "payment": []}

    # Each maker returns (client, method, url, data): one request of the endpoint as locust would send it.
    def workers_desa():
        me, c = next(ops)
        return c, "get", f"/pekerja/?desa={me['village']}", None

    def workers_q():
        me, c = next(ops)
        return c, "get", f"/pekerja/?q={random.choice(me['words'])}", None  # noqa: S311

    def worker_detail():
        me, c = next(ops)
        return c, "get", f"/pekerja/{random.choice(me['workers'])}/", None  # noqa: S311

    def page2():
        me, c = next(ops)
        return c, "get", f"/pekerja/?desa={me['village']}&page=2", None

    def home():
        _me, c = next(ops)
        return c, "get", "/", None

    def edit_get():
        me, c = next(ops)
        url = f"/pekerja/{random.choice(me['workers'])}/ubah/"  # noqa: S311
        pending["worker edit"].append((c, url, {}))
        return c, "get", url, None

    def edit_post():
        c, url, data = pending["worker edit"].pop(0)
        data["phone"] = f"08{random.randint(10**9, 10**10 - 1)}"  # noqa: S311
        return c, "post", url, data

    def payment_get():
        me, c = next(ops)
        url = f"/tagihan/{me['village']}/bayar/"
        pending["payment"].append((c, url, {}))
        return c, "get", url, None

    def payment_post():
        c, url, data = pending["payment"].pop(0)
        data.update(amount="16800", reference=f"PROF-{os.getpid()}-{next(references)}", budget_source="dana_desa",
                    confirm="1")  # fmt: skip
        return c, "post", url, data

    def billing():
        me, c = next(ops)
        return c, "get", f"/tagihan/{me['village']}/", None

    def dashboard():
        me, c = next(offs)
        return c, "get", f"/dasbor/{me['region']}/", None

    def dashboard_data():
        me, c = next(offs)
        return c, "get", f"/dasbor/{me['region']}/data.json", None

    def regions():
        _me, c = next(offs)
        return c, "get", "/wilayah/", None

    def api_workers():
        return api_client, "get", f"/api/v1/workers?village={random.choice(users['api']['villages'])}", None  # noqa: S311

    def api_dashboard():
        return api_client, "get", f"/api/v1/dashboard/{users['api']['region']}", None

    def api_invoices():
        return api_client, "get", f"/api/v1/villages/{random.choice(users['api']['villages'])}/invoices", None  # noqa: S311

    makers: dict[str, Callable[[], tuple]] = {
        "workers ?desa": workers_desa, "workers ?q": workers_q, "worker detail": worker_detail,
        "workers page 2": page2, "home": home, "worker edit GET": edit_get, "worker edit POST": edit_post,
        "payment GET": payment_get, "payment POST": payment_post, "village billing": billing,
        "dashboard": dashboard, "dashboard data.json": dashboard_data, "regions list": regions,
        "api workers": api_workers, "api dashboard": api_dashboard, "api invoices": api_invoices,
    }  # fmt: skip
    names = [n for n in makers if not options.only or n in options.only or n.split()[0] in options.only]
    if "worker edit POST" in names and "worker edit GET" not in names:
        names.insert(names.index("worker edit POST"), "worker edit GET")
    if "payment POST" in names and "payment GET" not in names:
        names.insert(names.index("payment POST"), "payment GET")
    measured = {n: Figures() for n in names}
    meter = Meter()

    def one(name: str, *, profiler: cProfile.Profile | None = None) -> None:
        client, method, url, data = makers[name]()
        if method == "post":  # the CSRF token of the page just fetched, as the browser sends it
            data = {**data}
        if options.reconnect:
            connection.close()  # the request opens its own, as under gunicorn (CONN_MAX_AGE = 0)
            pid, pg_before = None, 0
        else:
            connection.ensure_connection()
            pid = connection.connection.info.backend_pid
            pg_before = _backend_cpu(pid)
        meter.queries, meter.db = 0, 0.0
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        with connection.execute_wrapper(meter):
            response = client.post(url, data) if method == "post" else client.get(url)
            body = response.content
        if profiler is not None:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        figures = measured[name]
        figures.count += 1
        figures.queries += meter.queries
        figures.cpu += cpu
        figures.wall += wall
        figures.db += meter.db
        if options.reconnect and connection.connection is not None:  # the whole life of the request's backend
            pid = connection.connection.info.backend_pid
        figures.pg_ns += _backend_cpu(pid) - pg_before
        figures.statuses[response.status_code] = figures.statuses.get(response.status_code, 0) + 1
        expected = 302 if method == "post" else 200
        if response.status_code != expected:
            detail = re.search(rb'role="alert">([^<]+)', body)
            print(f"! {name} {url}: {response.status_code} {detail.group(1).decode() if detail else ''}",
                  file=sys.stderr)  # fmt: skip
        if name == "worker edit GET":
            pending["worker edit"][-1] = (client, url, form_fields(body.decode()))
        elif name == "payment GET":
            pending["payment"][-1] = (client, url, form_fields(body.decode()))

    # Warm-up: one request of each (imports, template loading, the first queries of each worker process).
    for name in names:
        one(name)
    for figures in measured.values():
        figures.__init__()

    if options.sql:
        meter.log = []
        if options.sql == "payment POST":
            one("payment GET")
        if options.sql == "worker edit POST":
            one("worker edit GET")
        meter.log = []
        one(options.sql)
        log, meter.log = meter.log, None
        print(f"{len(log)} queries, {sum(s for s, _ in log) * 1000:.1f} ms")
        for spent, sql in log:
            print(f"{spent * 1000:7.2f} ms  {sql[:400]}")
        return 0

    if options.cprofile:
        profiler = cProfile.Profile(time.process_time)  # CPU time: waiting for PostgreSQL is not counted
        if options.cprofile == "mix":  # every endpoint, as often as locust calls it (n = requests of the rarest)
            rarest = min(WEIGHTS[name] for name in names)
            for _ in range(options.n):
                for name in names:
                    for _ in range(round(WEIGHTS[name] / rarest)):
                        if name.endswith("POST"):
                            one(name.replace("POST", "GET"))
                        one(name, profiler=profiler)
        for _ in range(options.n if options.cprofile != "mix" else 0):
            if options.cprofile == "payment POST":
                one("payment GET")
            if options.cprofile == "worker edit POST":
                one("worker edit GET")
            one(options.cprofile, profiler=profiler)
        stats = pstats.Stats(profiler)
        stats.sort_stats(options.cprofile_sort).print_stats(options.cprofile_lines)
        return 0

    for _ in range(options.n):  # interleaved, so that every endpoint sees the same machine load
        for name in names:
            one(name)

    total_weight = sum(WEIGHTS[n] for n in names)
    rows = []
    for name in names:
        f = measured[name]
        pg_ms = f.per(f.pg_ns) / 1e6
        cpu_ms = f.per(f.cpu) * 1000
        rows.append({
            "endpoint": name, "requests": f.count, "queries": round(f.per(f.queries), 1),
            "django_cpu_ms": round(cpu_ms, 2), "wall_ms": round(f.per(f.wall) * 1000, 2),
            "db_ms": round(f.per(f.db) * 1000, 2), "pg_cpu_ms": round(pg_ms, 2),
            "weight": round(WEIGHTS[name] / total_weight, 4), "statuses": f.statuses,
        })  # fmt: skip
    for row in rows:
        row["cpu_ms"] = row["django_cpu_ms"] + row["pg_cpu_ms"]
        row["weighted_cpu_ms"] = row["weight"] * row["cpu_ms"]
    total = sum(r["weighted_cpu_ms"] for r in rows) or 1
    rows.sort(key=lambda r: -r["weighted_cpu_ms"])
    header = (f"{'endpoint':<22}{'mix %':>7}{'queries':>9}{'Django CPU':>12}{'PG CPU':>9}{'DB wall':>9}"
              f"{'wall':>9}{'share %':>9}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['endpoint']:<22}{r['weight'] * 100:>7.1f}{r['queries']:>9.1f}{r['django_cpu_ms']:>12.1f}"
              f"{r['pg_cpu_ms']:>9.1f}{r['db_ms']:>9.1f}{r['wall_ms']:>9.1f}"
              f"{r['weighted_cpu_ms'] / total * 100:>9.1f}")  # fmt: skip
    weighted = {k: sum(r["weight"] * r[k] for r in rows) for k in ("queries", "django_cpu_ms", "pg_cpu_ms", "db_ms",
                                                                      "wall_ms", "cpu_ms")}  # fmt: skip
    print("-" * len(header))
    print(f"{'weighted mean':<22}{100:>7.1f}{weighted['queries']:>9.1f}{weighted['django_cpu_ms']:>12.1f}"
          f"{weighted['pg_cpu_ms']:>9.1f}{weighted['db_ms']:>9.1f}{weighted['wall_ms']:>9.1f}")  # fmt: skip
    print(f"\nCPU per request of the mix (Django + PostgreSQL): {weighted['cpu_ms']:.1f} ms; at 17 requests/s: "
          f"{weighted['cpu_ms'] * 17 / 1000:.2f} cores (of 2, locust and the OS not counted)")  # fmt: skip
    if options.json:
        Path(options.json).write_text(json.dumps({"rows": rows, "weighted": weighted, "n": options.n,
                                                  "reconnect": options.reconnect}, indent=1))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
