"""Worker table: only the indexes the reads need, and the village reference checked per statement, not per row.

A national import writes up to a million workers into a table that will hold 8.4 million; every index and
every per-row check is paid by every imported row (issue 3's target: the import within twice a plain COPY).

Indexes kept:
- the primary key;
- `worker_nik_unique`: one person, one record, nation-wide. A `UniqueConstraint` rather than `unique=True`,
  which on PostgreSQL also builds a second, `varchar_pattern_ops` index on the NIK for LIKE; the NIK is only
  ever looked up whole (`nik = …`).
- `worker_village_name` (village, name): every list is first narrowed to the user's villages, by code
  (`village_id = '51.71.03.2008'`) or code prefix (`village_id LIKE '51.71.%'`), and ordered by village and
  name. On PostgreSQL its village column uses `varchar_pattern_ops`, which serves `=` and the prefix LIKE
  whatever the database collation; it also serves the region-delete check below.

Indexes dropped: the separate village index and its `_like` twin (the composite index starts with the
village), and the NIK `_like` index. Occupation, decile and eligibility filters run on the rows of the user's
villages, a few thousand at most; single-column indexes on them would cost every import and every edit and
serve no query that the village index does not narrow first.

The village reference: a foreign key checks each inserted row with its own lookup (a deferred queue of a
million events at commit, ~3-4 s per million rows here). Validation already refuses unknown villages, but the
database keeps the guarantee: triggers check whole statements instead.
- PostgreSQL: after each INSERT or UPDATE statement on the workers, one set-based check over the statement's
  new rows (transition table) that every village exists; the villages named are locked `FOR KEY SHARE`, as a
  foreign key does, so a concurrent delete of a village waits and then sees the new workers. After a region
  row is deleted or its code changed, the change is refused while workers name it.
- SQLite: row triggers refuse a worker whose village does not exist and a change of a region code that
  workers use (SQLite has no statement triggers; this path is not the fast one). A region's deletion is not
  refused by a trigger there: Django empties a SQLite database (flush, between tests) with one DELETE per
  table in any order, which a foreign key allows because it is checked at commit and an immediate trigger
  would not; deleting a village that has workers is refused by the model (`on_delete=PROTECT`).
  Django rebuilds a SQLite table for some later schema changes, which drops its triggers: a later migration
  that alters the worker table on SQLite must re-create them (`test_worker_village_reference` fails if not).
TRUNCATE of the regions is not covered (it bypasses row triggers); nothing in the application truncates them.
"""

import django.db.models.deletion
from django.db import migrations, models

_PG_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION registry_worker_villages_exist() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        -- like a foreign key, an UPDATE is checked only where it changed the village
        PERFORM 1 FROM regions_region r
          WHERE r.code IN (SELECT DISTINCT n.village_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                           WHERE o.village_id IS DISTINCT FROM n.village_id)
          FOR KEY SHARE OF r;
        IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE o.village_id IS DISTINCT FROM n.village_id
                     AND NOT EXISTS (SELECT 1 FROM regions_region r WHERE r.code = n.village_id)) THEN
          RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = 'registry_worker.village_id names a region that does not exist';
        END IF;
      ELSE
        PERFORM 1 FROM regions_region r WHERE r.code IN (SELECT DISTINCT n.village_id FROM new_rows n)
          FOR KEY SHARE OF r;
        IF EXISTS (SELECT 1 FROM new_rows n
                   WHERE NOT EXISTS (SELECT 1 FROM regions_region r WHERE r.code = n.village_id)) THEN
          RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = 'registry_worker.village_id names a region that does not exist';
        END IF;
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER registry_worker_village_insert AFTER INSERT ON registry_worker
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_worker_villages_exist()
    """,
    """
    CREATE TRIGGER registry_worker_village_update AFTER UPDATE ON registry_worker
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION registry_worker_villages_exist()
    """,
    """
    CREATE OR REPLACE FUNCTION registry_region_not_in_use() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM registry_worker w WHERE w.village_id = OLD.code) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
          MESSAGE = 'region ' || OLD.code || ' is the village of registered workers';
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER registry_region_delete AFTER DELETE ON regions_region
      FOR EACH ROW EXECUTE FUNCTION registry_region_not_in_use()
    """,
    """
    CREATE TRIGGER registry_region_code_update AFTER UPDATE OF code ON regions_region
      FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION registry_region_not_in_use()
    """,
]
_PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS registry_region_code_update ON regions_region",
    "DROP TRIGGER IF EXISTS registry_region_delete ON regions_region",
    "DROP FUNCTION IF EXISTS registry_region_not_in_use()",
    "DROP TRIGGER IF EXISTS registry_worker_village_update ON registry_worker",
    "DROP TRIGGER IF EXISTS registry_worker_village_insert ON registry_worker",
    "DROP FUNCTION IF EXISTS registry_worker_villages_exist()",
]
_SQLITE_REFUSE_WORKER = "BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: registry_worker.village_id'); END"
_SQLITE_REFUSE_REGION = "BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: regions_region in use'); END"
_SQLITE_FORWARD = [
    "CREATE TRIGGER registry_worker_village_insert BEFORE INSERT ON registry_worker "
    "WHEN NOT EXISTS (SELECT 1 FROM regions_region WHERE code = NEW.village_id) " + _SQLITE_REFUSE_WORKER,
    "CREATE TRIGGER registry_worker_village_update BEFORE UPDATE OF village_id ON registry_worker "
    "WHEN NOT EXISTS (SELECT 1 FROM regions_region WHERE code = NEW.village_id) " + _SQLITE_REFUSE_WORKER,
    "CREATE TRIGGER registry_region_code_update BEFORE UPDATE OF code ON regions_region "
    "WHEN OLD.code IS NOT NEW.code AND EXISTS (SELECT 1 FROM registry_worker WHERE village_id = OLD.code) "
    + _SQLITE_REFUSE_REGION,
]
_SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in ("registry_region_code_update", "registry_worker_village_update", "registry_worker_village_insert")
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('regions', '0001_initial'),
        ('registry', '0002_worker_transfer'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='worker',
            name='worker_village_name',
        ),
        migrations.AlterField(
            model_name='worker',
            name='nik',
            field=models.CharField(max_length=16, verbose_name='NIK'),
        ),
        migrations.AlterField(
            model_name='worker',
            name='village',
            field=models.ForeignKey(db_constraint=False, db_index=False, limit_choices_to={'level': 4}, on_delete=django.db.models.deletion.PROTECT, related_name='workers', to='regions.region', verbose_name='village'),
        ),
        migrations.AddIndex(
            model_name='worker',
            index=models.Index(fields=['village', 'name'], name='worker_village_name', opclasses=['varchar_pattern_ops', 'varchar_ops']),
        ),
        migrations.AddConstraint(
            model_name='worker',
            constraint=models.UniqueConstraint(fields=('nik',), name='worker_nik_unique'),
        ),
        migrations.RunPython(
            _run({"postgresql": _PG_FORWARD, "sqlite": _SQLITE_FORWARD}),
            _run({"postgresql": _PG_BACKWARD, "sqlite": _SQLITE_BACKWARD}),
            elidable=False,
        ),
    ]
