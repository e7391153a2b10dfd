"""Write a synth measurement as the benchmark harness's JSON (docs/benchmarks/results/synth.json).

Usage, after `DATABASE_URL=… /usr/bin/time -v lindung synth --all … --json > OUT 2> ERR`:

    python -m lindung.synth.record OUT ERR DEST --command "…" [--database-url URL]

Reads the last JSON line of OUT (counts, seconds, size_bytes, checksum) and `/usr/bin/time -v`'s wall time and
maximum resident set size from ERR (the Python process and its generating children; the database server excluded).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
from pathlib import Path

import psycopg

TARGET_SECONDS = 1800


def _wall_seconds(text: str) -> float:
    match = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    if not match:
        return 0.0
    parts = [float(p) for p in match.group(1).split(":")]
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


def _machine() -> dict:
    from lindung.benchmarks.harness import machine_info  # the harness's own fields (memory_gib, python)

    return machine_info()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("err")
    parser.add_argument("dest")
    parser.add_argument("--command", required=True)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    result = json.loads(Path(args.out).read_text().strip().splitlines()[-1])
    err = Path(args.err).read_text()
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    wall = _wall_seconds(err)
    version = ""
    if args.database_url:
        with psycopg.connect(args.database_url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            version = str(row[0]) if row else ""
    counts = result["counts"]
    seconds = float(result["seconds"])
    report = {
        "benchmark": "synth",
        "command": args.command,
        "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "machine": _machine(),
        "database": {"vendor": "postgresql", "version": version},
        "size": {
            "villages": result["villages"],
            "members": counts["membership_membership"],
            "candidates": counts["registry_worker"],
            "rows": counts,
        },
        "variants": {
            "synth": {
                "median_s": round(seconds, 1),
                "runs_s": [round(seconds, 1)],
                "peak_rss_mb": round(int(rss.group(1)) / 1024, 1) if rss else None,
            }
        },
        "ratios": {},
        "targets": [
            {
                "metric": "national generation (s)",
                "max": TARGET_SECONDS,
                "measured": round(seconds, 1),
                "met": seconds <= TARGET_SECONDS,
            }
        ],
        "targets_met": seconds <= TARGET_SECONDS,
        "size_on_disk_bytes": result["size_bytes"],
        "checksum": result["checksum"],
        "wall_s_with_checksum": round(wall, 1),
        "note": args.note,
    }
    Path(args.dest).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
