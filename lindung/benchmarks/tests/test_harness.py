"""The benchmark harness: the schema, the registry, the generated docs page, and a smoke run of every registered
benchmark at a tiny size (each in its own temporary databases, seconds each), whose report must fit the schema."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lindung.benchmarks import harness, registry, report


def _good() -> dict:
    variants = {"lindung": harness.variant([3.0, 1.0, 2.0], [100, 120]), "sql": harness.variant([1.0], None)}
    return harness.finish_report(
        "demo",
        "lindung bench demo",
        {
            "database": {"vendor": "sqlite", "version": "3.40.1"},
            "size": {"rows": 10, "villages": 1},
            "variants": variants,
            "ratios": {"lindung/sql": harness.ratio(variants, "lindung", "sql")},
            "targets": [harness.target("lindung/sql", 2.0, max=2), harness.target("rows/s", 5, min=10)],
        },
        harness.now(),
    )


def test_a_report_fits_the_schema_and_targets_met_follows_the_targets():
    good = _good()

    assert harness.validate_report(good) == []
    assert good["variants"]["lindung"] == {"median_s": 2.0, "runs_s": [3.0, 1.0, 2.0], "peak_rss_mb": 120.0}
    assert good["ratios"] == {"lindung/sql": 2.0}
    assert [t["met"] for t in good["targets"]] == [True, False]  # 2.0 ≤ 2 met; 5 ≥ 10 not met
    assert good["targets_met"] is False
    assert {"cpu", "cores", "memory_gib"} <= set(good["machine"])


@pytest.mark.parametrize(
    ("breaks", "problem"),
    [
        (lambda r: r.pop("variants"), "missing 'variants'"),
        (lambda r: r["variants"]["sql"].update(median_s=9.0), "median_s is not the median"),
        (lambda r: r.update(targets_met=True), "'targets_met' disagrees"),
        (lambda r: r["targets"][0].update(min=1), "exactly one of max and min"),
        (lambda r: r.update(ratios={"lindung": 1.0}), "flat object"),
        (lambda r: r.update(database={"vendor": "sqlite"}), "'database'"),
        (lambda r: r.update(size={"rows": 1}), "'size' needs rows and villages"),
    ],
)
def test_a_broken_report_is_named(breaks, problem):
    broken = _good()
    breaks(broken)

    assert any(problem in p for p in harness.validate_report(broken))


def test_registry_names_a_missing_module_without_a_traceback(monkeypatch):
    monkeypatch.setitem(registry.BENCHMARKS, "ghost", "lindung.ghost.benchmark")

    with pytest.raises(CommandError, match=r"lindung\.ghost\.benchmark, which does not exist yet"):
        call_command("bench", "ghost", "--json")


def test_every_registered_benchmark_has_make_bench_arguments_and_a_smoke_entry():
    assert set(registry.BENCHMARKS) == set(registry.MAKE_BENCH) == set(registry.SMOKE)


def test_docs_benchmarks_md_is_generated_from_the_committed_results_and_notes():
    """docs/benchmarks.md is exactly what `lindung bench report` renders now: edit the notes or results, then run it."""
    assert report.OUTPUT.read_text(encoding="utf-8") == report.render()


def test_every_committed_result_fits_the_schema():
    for path in sorted(report.RESULTS.glob("*.json")):
        saved = json.loads(path.read_text(encoding="utf-8"))
        assert saved["benchmark"] == path.stem
        assert harness.validate_report(saved) == [], path.name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """One migrated, empty SQLite database that every smoke run copies instead of migrating its own."""
    path = tmp_path_factory.mktemp("bench-template") / "template.sqlite3"
    harness.run_child(
        ["migrate", "--noinput", "-v0"], harness.child_env(f"sqlite:///{path}", path.parent), json_out=False
    )
    return path


@pytest.mark.parametrize("name", list(registry.BENCHMARKS))
def test_smoke_run(name, settings, tmp_path, monkeypatch, sqlite_template):
    args = registry.SMOKE[name]
    try:
        registry.load(name)
    except registry.BenchmarkMissing as exc:
        pytest.skip(str(exc))
    if args is None:
        pytest.skip(f"no smoke arguments registered for {name} in lindung/benchmarks/registry.py SMOKE")
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("LINDUNG_BENCH_SQLITE_TEMPLATE", str(sqlite_template))
    out = StringIO()

    call_command("bench", name, *args, "--json", stdout=out, stderr=StringIO())

    printed = json.loads(out.getvalue().strip().splitlines()[-1])
    assert harness.validate_report(printed) == []
    assert printed["benchmark"] == name
    assert json.loads((tmp_path / "bench" / f"{name}.json").read_text()) == printed
    if name == "billing":
        checks = printed["checks"]["sqlite"]
        assert (checks["differences"], checks["paid_through_mismatches"]) == (0, 0)
        assert checks["paid_through_checked"] >= 8
