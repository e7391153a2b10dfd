"""A login while a long import holds SQLite's write lock waits for it instead of failing.

Runs against its own SQLite file in subprocesses (whatever database the rest of the suite uses), because
the point is the settings a laptop install gets: WAL, busy_timeout, IMMEDIATE write transactions.
"""

import os
import subprocess
import sys
import textwrap
import time

HOLD_SECONDS = 7  # longer than SQLite's and Django's default 5 s timeout, so the default would fail


def _run(code: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_login_waits_for_long_write_transaction_instead_of_failing(tmp_path):
    env = {**os.environ, "LINDUNG_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "lindung.settings"}
    env.pop("DATABASE_URL", None)
    setup = subprocess.run(
        [sys.executable, "-m", "lindung", "migrate", "-v0"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert setup.returncode == 0, setup.stderr
    make_user = _run(
        """
        import django; django.setup()
        from lindung.accounts.models import User
        User.objects.create_user("op.uji", password="rahasia-uji-123")
        """,
        env,
    )
    assert make_user.wait(60) == 0, make_user.stderr.read()

    importer = _run(
        f"""
        import time, django; django.setup()
        from django.db import transaction
        from lindung.audit.recording import audit_record
        with transaction.atomic():
            audit_record(actor=None, actor_username="import", action="import.batch")
            print("locked", flush=True)
            time.sleep({HOLD_SECONDS})
        print("committed", flush=True)
        """,
        env,
    )
    assert importer.stdout.readline().strip() == "locked"
    started = time.monotonic()
    login = _run(
        """
        import django; django.setup()
        from django.test import Client
        response = Client().post("/masuk/", {"username": "op.uji", "password": "rahasia-uji-123"})
        print(response.status_code, flush=True)
        """,
        {**env, "LINDUNG_ALLOWED_HOSTS": "testserver"},
    )
    out, err = login.communicate(timeout=90)
    waited = time.monotonic() - started
    assert login.returncode == 0, err
    assert out.strip() == "302", err
    assert "database is locked" not in err
    assert importer.wait(30) == 0
    assert waited >= 1  # it really had to wait for the importer's transaction
