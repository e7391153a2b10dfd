"""Helpers for the benefit tests: run `lindung quote-benefits --json` and read its answer."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def run_quote(payload: Any) -> tuple[int, dict]:
    """`lindung quote-benefits --input - --json` with `payload` on stdin: (exit code, decoded stdout)."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    out = StringIO()
    try:
        call_command("quote-benefits", "--input", "-", "--json", stdin=StringIO(text), stdout=out)
    except CommandError as exc:
        return exc.returncode, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


@pytest.fixture
def quote_cli():
    return run_quote
