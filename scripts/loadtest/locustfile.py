"""Lindung's load profile (issue 11): 50 users, 1-3 s think time, against gunicorn on loopback.

- 70 % village operators browsing and searching their own village's workers (OperatorBrowsing);
- 20 % village operators editing their own workers and recording payments (OperatorEditing);
- 10 % city/regency officers on the dashboards (CityOfficer) and API clients with a bearer token (ApiClient).

Accounts and samples come from the JSON written by setup_users.py (LINDUNG_LOADTEST_USERS). Each operator user takes
a village of its own, so two simulated operators never edit the same worker (an edit conflict would be refused by
design, not an error). Every response that is not what a browser expects counts as a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading

from htmlforms import form_fields  # beside this file; locust puts its folder on sys.path
from locust import HttpUser, between, task

USERS = json.loads(open(os.environ["LINDUNG_LOADTEST_USERS"], encoding="utf-8").read())  # noqa: SIM115
_lock = threading.Lock()
_operators = itertools.cycle(USERS["operators"])
_officers = itertools.cycle(USERS["officers"])
_references = itertools.count(1)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _next(pool):
    with _lock:
        return next(pool)


class LoggedIn(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def login(self, username: str) -> None:
        page = self.client.get("/masuk/", name="/masuk/").text
        token = _CSRF.search(page).group(1)
        with self.client.post("/masuk/", data={"username": username, "password": USERS["password"],
                                               "csrfmiddlewaretoken": token}, name="/masuk/ [POST]",
                              catch_response=True, allow_redirects=False) as response:  # fmt: skip
            if response.status_code != 302:
                response.failure(f"login of {username} refused ({response.status_code})")

    def get(self, url: str, name: str, expect: str | None = None) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif expect is not None and expect not in response.text:
                response.failure(f"{expect!r} missing")
            return response.text

    def post_form(self, url: str, data: dict[str, str], name: str, refusal: str) -> None:
        with self.client.post(url, data=data, name=name, catch_response=True, allow_redirects=False,
                              headers={"Referer": self.host + url}) as response:  # fmt: skip
            if response.status_code != 302:
                detail = re.search(r'role="alert">([^<]+)', response.text)
                response.failure(f"{refusal}: {response.status_code} {detail.group(1) if detail else ''}")


class OperatorBrowsing(LoggedIn):
    weight = 35

    def on_start(self) -> None:
        self.me = _next(_operators)
        self.login(self.me["username"])

    @task(4)
    def list_workers(self) -> None:
        self.get(f"/pekerja/?desa={self.me['village']}", "/pekerja/?desa=[desa]", expect="<table")

    @task(3)
    def search(self) -> None:
        word = random.choice(self.me["words"])  # noqa: S311
        self.get(f"/pekerja/?q={word}", "/pekerja/?q=[nama]")

    @task(3)
    def worker(self) -> None:
        self.get(f"/pekerja/{random.choice(self.me['workers'])}/", "/pekerja/[id]/")  # noqa: S311

    @task(1)
    def next_page(self) -> None:
        self.get(f"/pekerja/?desa={self.me['village']}&page=2", "/pekerja/?page=2")

    @task(1)
    def home(self) -> None:
        self.get("/", "/")


class OperatorEditing(LoggedIn):
    weight = 10

    def on_start(self) -> None:
        self.me = _next(_operators)
        self.login(self.me["username"])

    @task(3)
    def edit_worker(self) -> None:
        worker = random.choice(self.me["workers"])  # noqa: S311
        url = f"/pekerja/{worker}/ubah/"
        data = form_fields(self.get(url, "/pekerja/[id]/ubah/", expect='name="version"'))
        data["phone"] = f"08{random.randint(10**9, 10**10 - 1)}"  # noqa: S311
        self.post_form(url, data, "/pekerja/[id]/ubah/ [POST]", "edit refused")

    @task(1)
    def record_payment(self) -> None:
        code = self.me["village"]
        url = f"/tagihan/{code}/bayar/"
        data = form_fields(self.get(url, "/tagihan/[desa]/bayar/"))
        with _lock:
            reference = f"UJI-{os.getpid()}-{next(_references)}"
        data.update(amount="16800", reference=reference, budget_source="dana_desa", confirm="1")
        self.post_form(url, data, "/tagihan/[desa]/bayar/ [POST]", "payment refused")

    @task(2)
    def village_billing(self) -> None:
        self.get(f"/tagihan/{self.me['village']}/", "/tagihan/[desa]/")


class CityOfficer(LoggedIn):
    weight = 3

    def on_start(self) -> None:
        self.me = _next(_officers)
        self.login(self.me["username"])

    @task(3)
    def dashboard(self) -> None:
        self.get(f"/dasbor/{self.me['region']}/", "/dasbor/[wilayah]/")

    @task(2)
    def dashboard_data(self) -> None:
        self.get(f"/dasbor/{self.me['region']}/data.json", "/dasbor/[wilayah]/data.json")

    @task(1)
    def villages(self) -> None:
        self.get("/wilayah/", "/wilayah/")

    @task(1)
    def village_workers(self) -> None:
        self.get(f"/pekerja/?desa={random.choice(self.me['villages'])}", "/pekerja/?desa=[desa]")  # noqa: S311


class ApiClient(HttpUser):
    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {USERS['api']['token']}"

    def _get(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(str(response.status_code))

    @task(2)
    def workers(self) -> None:
        village = random.choice(USERS["api"]["villages"])  # noqa: S311
        self._get(f"/api/v1/workers?village={village}", "/api/v1/workers?village=[desa]")

    @task(1)
    def dashboard(self) -> None:
        self._get(f"/api/v1/dashboard/{USERS['api']['region']}", "/api/v1/dashboard/[wilayah]")

    @task(1)
    def invoices(self) -> None:
        village = random.choice(USERS["api"]["villages"])  # noqa: S311
        self._get(f"/api/v1/villages/{village}/invoices", "/api/v1/villages/[desa]/invoices")
