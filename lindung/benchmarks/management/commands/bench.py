"""`lindung bench <name> [--json] …`: one of the registered benchmarks (`lindung bench list`), its report saved to
var/bench/<name>.json and printed as the last line of stdout with --json. `lindung bench report` regenerates
docs/benchmarks.md from docs/benchmarks/results/*.json and docs/benchmarks/notes/*.md.

Internal steps, run by the benchmarks in child processes: `import-run`, `billing-step`.
"""

import argparse
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.benchmarks import harness, registry


def _import_run(argv: list[str]) -> dict:
    from lindung.benchmarks.import_bench import run_copy, run_die, run_lindung

    parser = argparse.ArgumentParser(prog="lindung bench import-run")
    parser.add_argument("variant", choices=["lindung", "copy", "die"])
    parser.add_argument("--file", required=True)
    parser.add_argument("--die-sample", type=int, default=20_000)
    options = parser.parse_args(argv)
    path = Path(options.file)
    if options.variant == "lindung":
        return run_lindung(path)
    if options.variant == "copy":
        return run_copy(path)
    return run_die(path, options.die_sample)


def _billing_step(argv: list[str]) -> dict:
    from lindung.benchmarks.billing import step

    return step(argv)


INTERNAL = {"import-run": _import_run, "billing-step": _billing_step}


class Command(BaseCommand):
    help = (
        "Benchmarks: `lindung bench list`, `lindung bench NAME [--json] …` (NAME: "
        + ", ".join(registry.BENCHMARKS)
        + "), `lindung bench report` (regenerate docs/benchmarks.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="benchmark, or list / report")
        parser.add_argument("rest", nargs=argparse.REMAINDER, help="the benchmark's options (NAME --help)")

    def handle(self, *args, name, rest, **options):
        if name in INTERNAL:
            try:
                self.stdout.write(json.dumps(INTERNAL[name](rest)))
            except harness.BenchmarkFailed as exc:
                raise CommandError(str(exc)) from exc
            return
        if name == "list":
            for bench, path in registry.BENCHMARKS.items():
                self.stdout.write(f"{bench}\t{path}\tmake bench: {' '.join(registry.MAKE_BENCH[bench])}")
            return
        if name == "report":
            from lindung.benchmarks.report import main as report_main

            report_main(rest, out=self.stdout.write)
            return
        try:
            module = registry.load(name)
        except registry.BenchmarkMissing as exc:
            raise CommandError(str(exc)) from exc
        parser = argparse.ArgumentParser(prog=f"lindung bench {name}", description=module.__doc__)
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the report as JSON, last")
        parser.add_argument("--output-dir", help="where <name>.json goes (default: var/bench)")
        module.add_arguments(parser)
        parsed = vars(parser.parse_args(rest))
        started = harness.now()
        command = " ".join(["lindung bench", name, *rest])
        try:
            raw = module.run(parsed, lambda line: self.stderr.write(line))
        except harness.BenchmarkFailed as exc:
            raise CommandError(f"benchmark {name} failed: {exc}") from exc
        report = harness.finish_report(name, command, raw, started)
        problems = harness.validate_report(report)
        if problems:
            raise CommandError(f"benchmark {name} returned a report that does not fit the schema: {problems}")
        saved = harness.save_report(report, Path(parsed["output_dir"]) if parsed.get("output_dir") else None)
        for line in summary_lines(report):
            self.stdout.write(line)
        self.stdout.write(f"Report: {saved}")
        if parsed["as_json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))


def summary_lines(report: dict) -> list[str]:
    lines = [f"{report['benchmark']}: {report['size']}"]
    for name, v in report["variants"].items():
        rss = f", peak RSS {v['peak_rss_mb']:.0f} MB" if v["peak_rss_mb"] is not None else ""
        lines.append(f"  {name}: median {v['median_s']:.3f} s of {len(v['runs_s'])}{rss}")
    for name, value in report["ratios"].items():
        lines.append(f"  {name} = {value}")
    for t in report["targets"]:
        bound = f"<= {t['max']}" if "max" in t else f">= {t['min']}"
        lines.append(f"  target {t['metric']} {bound}: {t['measured']} ({'met' if t['met'] else 'NOT met'})")
    return lines
