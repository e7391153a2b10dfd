"""Every benchmark of the project: name → dotted path of its module, imported only when it runs.

A module exposes `add_arguments(parser)` (its options, beside the harness's `--json` and `--output-dir`) and
`run(options: dict, log) -> dict` (the report; see `lindung.benchmarks.harness` for the schema). `make bench` runs
each with the arguments in `MAKE_BENCH`, its documented size.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Final

BENCHMARKS: Final[dict[str, str]] = {
    "regions-load": "lindung.benchmarks.regions_load",
    "import": "lindung.benchmarks.import_bench",
    "billing": "lindung.benchmarks.billing",
    "scaling": "lindung.benchmarks.scaling",
    "synth": "lindung.synth.benchmark",
    "dashboard": "lindung.reporting.benchmark",
}

#: The arguments `make bench` gives each benchmark (its size as documented in docs/benchmarks/notes/<name>.md).
MAKE_BENCH: Final[dict[str, list[str]]] = {
    "regions-load": ["--database", "both"],
    "import": ["--rows", "1000000", "--database", "postgresql"],
    "billing": ["--prefix", "51", "--database", "both", "--cover-villages", "150"],
    "scaling": ["--members", "10000,100000,1000000", "--skip-verify"],
    "synth": [],
    "dashboard": [],
}

#: Tiny sizes for the smoke test in `make test` (seconds each); None: no smoke run here (see the comment).
SMOKE: Final[dict[str, list[str] | None]] = {
    "regions-load": ["--database", "sqlite", "--prefix", "51.71"],
    "import": None,  # runs in test_bench_import.py (test_bench_import_end_to_end_on_its_own_sqlite_database)
    "billing": [
        "--prefix", "51.71", "--villages", "2", "--per-village", "4", "--months", "3", "--database", "sqlite",
        "--repeat", "1", "--data", "builtin", "--sample", "8",
    ],
    # The import part only: the billing part is the billing benchmark, smoke-tested above.
    "scaling": ["--members", "40,80", "--database", "sqlite", "--parts", "import", "--die-sample", "10"],
    "synth": None,  # to be given by the synth helper (lindung/synth/benchmark.py's tiny size)
    "dashboard": None,  # to be given by the dashboard helper
}  # fmt: skip


class BenchmarkMissing(Exception):
    """A registered benchmark whose module is not (yet) in the code base."""


def load(name: str) -> ModuleType:
    if name not in BENCHMARKS:
        known = ", ".join(sorted(BENCHMARKS))
        raise BenchmarkMissing(f"unknown benchmark {name!r}; known: {known}")
    path = BENCHMARKS[name]
    try:
        module = importlib.import_module(path)
    except ModuleNotFoundError as exc:
        if exc.name and path.startswith(exc.name):
            raise BenchmarkMissing(
                f"benchmark {name!r} is registered as {path}, which does not exist yet in this code base"
            ) from None
        raise
    if not callable(getattr(module, "run", None)) or not callable(getattr(module, "add_arguments", None)):
        raise BenchmarkMissing(f"{path} must define add_arguments(parser) and run(options, log)")
    return module
