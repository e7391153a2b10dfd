# ruff: noqa: S603 - runs our own executables with fixed arguments
"""Databases of their own for tests that run `lindung` in other processes (crash tests, concurrency).

The backend follows the test session: PostgreSQL when DATABASE_URL names one, else a SQLite *file* (a process
of its own must see the data, an in-memory database would not do). One template is migrated and given Bali's
regions per session; every test gets a fresh copy (a file copy, or CREATE DATABASE … TEMPLATE).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINDUNG = str(Path(sys.executable).with_name("lindung"))
SESSION_URL = os.environ.get("DATABASE_URL", "")
IS_POSTGRES = SESSION_URL.startswith(("postgres://", "postgresql://"))


def _pg_url(name: str) -> str:
    return urlunsplit(urlsplit(SESSION_URL)._replace(path=f"/{name}"))


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


class Database:
    """A database for other processes, with the helpers the tests use on it."""

    def __init__(self, url: str, var_dir: Path) -> None:
        self.url = url
        self.var_dir = var_dir
        self.vendor = "postgresql" if url.startswith("postgres") else "sqlite"
        var_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))},
            "DATABASE_URL": url,
            "LINDUNG_VAR_DIR": str(var_dir),
            "LINDUNG_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }

    # --- processes ---
    def run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [LINDUNG, *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and done.returncode != 0:
            raise AssertionError(f"lindung {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def scenario(self, name: str, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "tests.robustness.scenario", name, *args],
            env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise AssertionError(f"scenario {name} failed:\n{done.stdout}\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def run_until_crashpoint(
        self, at: str, *command: str, when: str = "after", nth: int = 1, timeout: float = 90
    ) -> subprocess.Popen[str]:
        """Start `lindung COMMAND` stopped at `at` (see crashpoint.py); return once it is there."""
        cue = self.var_dir / f"crashpoint-{uuid.uuid4().hex}"
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.robustness.crashpoint", "--at", at, "--when", when, "--nth", str(nth),
             "--signal", str(cue), "--", *command],
            env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not cue.exists():
            if process.poll() is not None:
                out, err = process.communicate()
                raise AssertionError(f"{command} ended before reaching {at}:\n{out}\n{err}")
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"{command} did not reach {at} within {timeout} s")
            time.sleep(0.05)
        return process

    @staticmethod
    def kill(process: subprocess.Popen[str]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL

    # --- reading, with plain SQL from this process ---
    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as conn:
                return [tuple(r) for r in conn.execute(sql.replace("?", "%s"), params).fetchall()]
        conn = sqlite3.connect(urlsplit(self.url).path, timeout=30)
        try:
            return [tuple(r) for r in conn.execute(sql, params).fetchall()]
        finally:
            conn.close()

    def value(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.rows(sql, params)[0][0]


@pytest.fixture(scope="session")
def _template(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("robustness-template")
    if IS_POSTGRES:
        name = f"{urlsplit(SESSION_URL).path.lstrip('/')}_tpl_{uuid.uuid4().hex[:8]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    else:
        name = str(folder / "template.sqlite3")
        url = f"sqlite:///{name}"
    template = Database(url, folder / "var")
    template.run("migrate", "--noinput", "-v0")
    template.run("regions-load", "--prefix", "51")
    if not IS_POSTGRES:
        template.rows("PRAGMA wal_checkpoint(TRUNCATE)")
    yield name
    if IS_POSTGRES:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database(_template, tmp_path) -> Iterator[Any]:
    """`fresh_database("label")`: a new migrated database with Bali's regions, and its own var folder."""
    made: list[str] = []

    def make(label: str) -> Database:
        if IS_POSTGRES:
            name = f"{_template.rsplit('_tpl_', 1)[0]}_{label}_{uuid.uuid4().hex[:8]}"
            _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{_template}"')
            made.append(name)
            return Database(_pg_url(name), tmp_path / label)
        path = tmp_path / f"{label}.sqlite3"
        shutil.copyfile(_template, path)
        return Database(f"sqlite:///{path}", tmp_path / label)

    yield make
    for name in made:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
