"""`make bench`: every registered benchmark at its documented size, then docs/benchmarks.md regenerated.

Each benchmark runs as `lindung bench NAME ARGS --json` (arguments: `MAKE_BENCH` in lindung/benchmarks/registry.py)
and saves var/bench/NAME.json; the reports are copied to docs/benchmarks/results/ and the page is rendered from
them and docs/benchmarks/notes/. A benchmark whose module does not exist yet is reported and skipped; a failing one
is reported, the others still run, and the script exits non-zero at the end.

    python scripts/bench.py [NAME …]      # all, or only these
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lindung.benchmarks.registry import BENCHMARKS, MAKE_BENCH  # noqa: E402


def main(names: list[str]) -> int:
    failed = []
    for name in names or list(BENCHMARKS):
        args = [sys.executable, "-m", "lindung", "bench", name, *MAKE_BENCH[name], "--json"]
        print(f"== {' '.join(args[2:])}", flush=True)
        done = subprocess.run(args, cwd=ROOT, check=False)  # noqa: S603
        if done.returncode != 0:
            failed.append(name)
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "lindung", "bench", "report", "--collect", str(ROOT / "var" / "bench")],
        cwd=ROOT,
        check=True,
    )
    if failed:
        print(f"failed or missing: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
