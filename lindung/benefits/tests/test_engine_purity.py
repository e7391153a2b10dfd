"""The benefit engine is pure Python: it imports no Django, directly or through what it imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "engine"


def test_no_module_of_the_engine_names_django():
    for path in ENGINE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name == "django" or name.startswith("django.") for name in names), path.name


def test_importing_and_running_the_engine_loads_no_django():
    code = (
        "import sys, datetime as dt\n"
        "from lindung.benefits.engine import Event, EventType, Member, Month, quote\n"
        "from lindung.benefits.engine.jsonio import parse_request, quote_to_json\n"
        "from lindung.core.parameters import parameters_on\n"
        "day = dt.date(2026, 3, 10)\n"
        "q = quote(Event(EventType.DEATH, day), Member(1000000, dt.date(2022, 4, 1), Month(2026, 3)), [],"
        " parameters_on(day))\n"
        "assert q.cash_total == 42000000\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr
