# ruff: noqa: S608 - SQL from the test's own constants, values bound
"""SIGKILL the real task worker (`lindung db_worker`) in the middle of an import's apply, restart it, and compare
with an uninterrupted run on another database.

The scenario (tests/robustness/scenario.py, `import-setup`): 40 registered workers (NIK serials 1-40); batch 1
(serials 41-70) applied before, a committed import; batch 2 checked (72 rows: 20 renamed workers, 50 new, 2
rejected) and its apply queued. The worker is stopped after the MERGE of batch 2 wrote every row inside its
transaction, and killed there.

"Whole or absent" from the data: batch 1's 30 workers are all there; of batch 2 none of the 50 new NIKs and none of
the 20 new names exist after the kill, and all of them after the restart.
"""

from __future__ import annotations

NEW_2 = tuple(f"517103010185{s:04d}" for s in range(71, 121))
RENAMED_2 = tuple(f"517103010185{s:04d}" for s in range(1, 21))
FIRST = tuple(f"517103010185{s:04d}" for s in range(41, 71))
TASK_TABLE = "django_tasks_database_dbtaskresult"
WORKER_COLUMNS = ("nik, name, sex, birth_date, address, village_id, occupation_code, specialisation, monthly_income, "
                  "consent_given, consent_on, kk_number, phone")  # fmt: skip


def _count(db, niks: tuple[str, ...], name_prefix: str) -> int:
    marks = ", ".join("?" * len(niks))
    return db.value(f"SELECT COUNT(*) FROM registry_worker WHERE nik IN ({marks}) AND name LIKE ?",
                    (*niks, f"{name_prefix}%"))  # fmt: skip


def _workers(db) -> list[tuple]:
    return [tuple(str(v) for v in row) for row in db.rows(f"SELECT {WORKER_COLUMNS} FROM registry_worker ORDER BY nik")]


def _batches(db) -> list[tuple]:
    return db.rows("SELECT original_name, status, rows, valid, rejected, created, updated, unchanged "
                   "FROM registry_importbatch ORDER BY original_name")  # fmt: skip


def test_worker_killed_during_import_apply_leaves_nothing_partial_and_resumes(fresh_database) -> None:
    crashed, clean = fresh_database("crash"), fresh_database("clean")
    ids = crashed.scenario("import-setup")
    clean.scenario("import-setup")
    # The committed chunk of this job's history: batch 1 is in, and batch 2 is queued and marked as being saved.
    assert _count(crashed, FIRST, "Pertama") == 30
    assert crashed.value("SELECT status FROM registry_importbatch WHERE id = ?", (ids["batch2"],)) == "applying"

    worker = crashed.run_until_crashpoint(
        "lindung.registry.services:merge_valid_rows", "db_worker", "--no-reload", "--no-startup-delay", "--batch"
    )
    # Stopped inside the apply's transaction, after the MERGE: the task is claimed, the rows are written but not
    # committed (another connection sees none of them).
    assert crashed.value(f"SELECT status FROM {TASK_TABLE}") == "RUNNING"
    assert _count(crashed, NEW_2, "Kedua") == 0
    crashed.kill(worker)

    # After the kill: batch 1 whole, batch 2 absent — no new worker, no renamed one, no audit event of its apply.
    assert _count(crashed, FIRST, "Pertama") == 30
    assert _count(crashed, NEW_2, "Kedua") == 0
    assert _count(crashed, RENAMED_2, "Lama") == 20
    assert crashed.value("SELECT COUNT(*) FROM registry_worker") == 70
    assert crashed.value("SELECT COUNT(*) FROM audit_auditevent WHERE action = 'registry.import.apply'") == 1
    # The stale running state a dead worker leaves behind.
    assert crashed.value(f"SELECT status FROM {TASK_TABLE}") == "RUNNING"
    assert crashed.value("SELECT status FROM registry_importbatch WHERE id = ?", (ids["batch2"],)) == "applying"

    # Restart as scripts/serve.sh does: recover, then the worker.
    recovered = crashed.run("tasks-recover")
    assert "dikembalikan ke antrean: 1." in recovered.stdout
    assert "Impor yang terhenti: 1 dilanjutkan tugasnya" in recovered.stdout
    crashed.run("db_worker", "--no-reload", "--no-startup-delay", "--batch")
    clean.run("db_worker", "--no-reload", "--no-startup-delay", "--batch")

    # Batch 2 whole: 50 created, 20 updated, 2 rejected (hand count of the file), the task done.
    row = crashed.rows("SELECT status, rows, valid, rejected, created, updated, unchanged FROM registry_importbatch "
                       "WHERE id = ?", (ids["batch2"],))  # fmt: skip
    assert row == [("applied", 72, 70, 2, 50, 20, 0)]
    assert crashed.value(f"SELECT status FROM {TASK_TABLE}") == "SUCCESSFUL"
    assert _count(crashed, NEW_2, "Kedua") == 50
    assert _count(crashed, RENAMED_2, "Baru") == 20
    assert crashed.value("SELECT COUNT(*) FROM registry_worker") == 120
    assert crashed.value("SELECT COUNT(*) FROM audit_auditevent WHERE action = 'registry.import.apply'") == 2
    # The same registry as the uninterrupted run, and the audit chain still verifies.
    assert _workers(crashed) == _workers(clean)
    assert _batches(crashed) == _batches(clean)
    crashed.run("audit-verify")
