"""Run a `lindung` command in this process and stop it dead at a chosen point, for the crash tests.

    python -m tests.robustness.crashpoint --at MODULE:NAME --when after --nth 1 --signal FILE -- db_worker --batch

The function `NAME` of `MODULE` is wrapped: on its `nth` call, before or after the real call, the process writes
`FILE` (the test's cue that the point is reached) and sleeps until the test kills it with SIGKILL. Nothing else
changes: the command, its transactions and its database connection are the real ones, so what the database holds
after the kill is what a crash at that instant leaves. (A random kill would hit the same instants by chance; the
pause only makes the instant certain.)
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--at", required=True)
    parser.add_argument("--when", choices=["before", "after"], default="after")
    parser.add_argument("--nth", type=int, default=1)
    parser.add_argument("--signal", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    import django

    django.setup()
    module_name, name = options.at.split(":")
    module = importlib.import_module(module_name)
    real = getattr(module, name)
    calls = 0

    def stop() -> None:
        Path(options.signal).write_text(str(os.getpid()))
        while True:
            time.sleep(60)

    @functools.wraps(real)
    def wrapped(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == options.nth and options.when == "before":
            stop()
        result = real(*args, **kwargs)
        if calls == options.nth:
            stop()
        return result

    setattr(module, name, wrapped)
    from django.core.management import execute_from_command_line

    command = [arg for arg in options.command if arg != "--"]
    execute_from_command_line(["lindung", *command])


if __name__ == "__main__":
    sys.exit(main())
