"""Backup and restore of the whole database: SQLite's online backup, pg_dump/pg_restore on PostgreSQL.

A backup is one file. Restoring replaces everything in the database with the file's contents, in one step:
on SQLite the backup API copies the pages under a lock; on PostgreSQL `pg_restore --clean --single-transaction`
either restores all or leaves the database as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.utils.translation import gettext as _

from lindung.audit.recording import ChainReport, audit_verify
from lindung.core.errors import ApplicationError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    size_bytes: int


@dataclass(frozen=True)
class RestoreResult:
    engine: str
    audit: ChainReport


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise ApplicationError(_("The %(vendor)s database is not supported for backups.") % {"vendor": vendor})
    return vendor


def _pg_env() -> tuple[list[str], dict[str, str]]:
    settings = connection.settings_dict
    args = ["--host", settings.get("HOST") or "127.0.0.1", "--port", str(settings.get("PORT") or 5432)]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return args, env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ApplicationError(
            _("Program %(name)s not found: install the PostgreSQL client (package postgresql-client).") % {"name": name}
        )
    return path


def backup_create(path: Path) -> BackupResult:
    """Write the whole database to `path` (overwritten), consistent as of one moment."""
    engine = _engine()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.unlink(missing_ok=True)
    if engine == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(tmp) as target:
            connection.connection.backup(target)
        target.close()
    else:
        args, env = _pg_env()
        command = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp), *args]
        result = subprocess.run(  # noqa: S603
            [*command, connection.settings_dict["NAME"]], env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise ApplicationError(_("pg_dump failed: %(error)s") % {"error": result.stderr.strip()})
    tmp.replace(path)  # a half-written file never carries the backup's name
    return BackupResult(path=path, engine=engine, size_bytes=path.stat().st_size)


def backup_restore(path: Path) -> RestoreResult:
    """Replace the database's contents with the backup at `path`, then verify the audit chain."""
    engine = _engine()
    if not path.is_file():
        raise ApplicationError(_("Backup file not found: %(path)s") % {"path": path})
    with path.open("rb") as handle:
        magic = handle.read(16)
    if engine == "sqlite":
        if magic != SQLITE_MAGIC:
            raise ApplicationError(_("This file is not a Lindung SQLite backup (the contents are not recognised)."))
        connection.ensure_connection()
        with sqlite3.connect(path) as source:
            source.backup(connection.connection)
        source.close()
    else:
        if not magic.startswith(PGDUMP_MAGIC):
            raise ApplicationError(_("This file is not a Lindung PostgreSQL backup (pg_dump custom format)."))
        connection.close()
        args, env = _pg_env()
        command = [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *args,
            "--dbname",
            connection.settings_dict["NAME"],
            str(path),
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise ApplicationError(
                _("pg_restore failed, the database was not changed: %(error)s") % {"error": result.stderr.strip()}
            )
    return RestoreResult(engine=engine, audit=audit_verify())
