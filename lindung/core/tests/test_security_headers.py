"""Security headers on every response, and Django's deployment checklist clean in production mode."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.django_db
def test_login_page_carries_the_security_headers(client):
    response = client.get("/masuk/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no inline or third-party script
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    env = {
        **os.environ,
        "LINDUNG_ENV": "production",
        "LINDUNG_SECRET_KEY": "k" * 20 + "-production-test-key-" + "x9" * 20,
        "LINDUNG_ALLOWED_HOSTS": "lindung.example.go.id",
        "LINDUNG_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop(
        "DJANGO_ALLOW_ASYNC_UNSAFE", None
    )  # set by the browser tests' conftest in this process, never in production
    result = subprocess.run(
        [sys.executable, "-m", "lindung", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
