"""`python -m lindung.registry.importing.report_writer PATH COLUMNS_JSON`: write a CSV import's error report
from the rows the importing process sends on standard input (pickled lists of `_TextErrorReport.add` arguments,
until end of input), so that building the report's XML runs on another core beside the checking.

A fresh interpreter rather than a fork: the importing process runs Polars's threads, and a fork copies none of
them and whatever locks they hold. It imports only the import modules, not Django.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path


def main() -> None:
    from lindung.registry.importing.pipeline import _TextErrorReport

    path, columns = Path(sys.argv[1]), json.loads(sys.argv[2])
    report = _TextErrorReport(path, columns)
    source = sys.stdin.buffer
    while True:
        try:
            batch = pickle.load(source)  # noqa: S301 - from the parent process, through a pipe only it holds
        except EOFError:
            break
        for row in batch:
            report.add(*row)
    report.close()


if __name__ == "__main__":
    main()
