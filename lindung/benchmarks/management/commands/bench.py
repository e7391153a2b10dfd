import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.benchmarks.import_bench import (
    DEFAULT_PG_URL,
    BenchmarkFailed,
    ImportBenchOptions,
    run_copy,
    run_die,
    run_import_benchmark,
    run_lindung,
    summary_lines,
)
from lindung.benchmarks.workers_file import DEFAULT_SEED


class Command(BaseCommand):
    help = "Benchmarks. `bench import`: the worker import against PostgreSQL COPY and django-import-export."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="benchmark", required=True)
        bench = sub.add_parser(
            "import",
            help="Write a realistic worker file, import it on fresh databases, compare with COPY and "
            "django-import-export; JSON to var/bench/.",
        )
        bench.add_argument("--rows", type=int, required=True)
        bench.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        bench.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
        bench.add_argument("--repeat", type=int, default=3, help="Runs of each variant (median reported).")
        bench.add_argument("--die-sample", type=int, default=20_000, help="Rows imported by django-import-export.")
        bench.add_argument("--seed", type=int, default=DEFAULT_SEED)
        bench.add_argument(
            "--pg-url",
            default=os.environ.get("LINDUNG_BENCH_PG_URL", DEFAULT_PG_URL),
            help="Bench database (dropped and recreated through the `lindung` database).",
        )
        bench.add_argument("--output-dir", help="Where the JSON report goes (default: var/bench).")
        bench.add_argument("--json", action="store_true", dest="as_json")

        run = sub.add_parser("import-run", help="(internal) one measured step, in this process's database.")
        run.add_argument("variant", choices=["lindung", "copy", "die"])
        run.add_argument("--file", required=True)
        run.add_argument("--die-sample", type=int, default=20_000)

    def handle(self, *args, benchmark, **options):
        try:
            if benchmark == "import-run":
                self._run_step(options)
                return
            self._import(options)
        except BenchmarkFailed as exc:
            raise CommandError(str(exc)) from exc

    def _import(self, options):
        bench_options = ImportBenchOptions(
            rows=options["rows"],
            format=options["format"],
            database=options["database"],
            repeat=options["repeat"],
            die_sample=options["die_sample"],
            seed=options["seed"],
            pg_url=options["pg_url"],
            output_dir=Path(options["output_dir"]) if options["output_dir"] else None,
        )
        report = run_import_benchmark(bench_options, log=lambda line: self.stderr.write(line))
        for line in summary_lines(report):
            self.stdout.write(line)
        self.stdout.write(f"Report: {report['output']}")
        if options["as_json"]:
            self.stdout.write(json.dumps(report))

    def _run_step(self, options):
        path = Path(options["file"])
        variant = options["variant"]
        if variant == "lindung":
            result = run_lindung(path)
        elif variant == "copy":
            result = run_copy(path)
        else:
            result = run_die(path, options["die_sample"])
        self.stdout.write(json.dumps(result))
