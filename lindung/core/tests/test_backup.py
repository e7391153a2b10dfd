"""Backup and restore round trip: every row of every table, and the audit chain, identical after restore."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from lindung.accounts.models import Role
from lindung.audit.recording import audit_record, audit_verify
from lindung.registry.models import Worker

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads committed data from its own connection


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every model, in primary-key order (an independent read, not the backup's own check)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        fields = [f.attname for f in model._meta.concrete_fields]
        tables[model._meta.db_table] = list(model.objects.order_by("pk").values_list(*fields))
    return tables


def _some_data(make_user) -> None:
    user = make_user("op.cadangan", Role.VILLAGE_OPERATOR, "51.71.03.2008")
    Worker.objects.create(
        nik="5171034507900003",
        name="Ni Made Sari",
        sex="P",
        birth_date="1990-07-05",
        village_id="51.71.03.2008",
        monthly_income=750_000,
    )
    for i in range(3):
        audit_record(actor=user, action="test.backup", target_id=i, changes={"i": i})


def test_backup_restore_round_trip(bali, make_user, tmp_path):
    _some_data(make_user)
    before = _snapshot()
    assert sum(len(rows) for rows in before.values()) > 700  # Bali's regions at least

    backup = tmp_path / "lindung.backup"
    call_command("backup", str(backup))
    assert backup.stat().st_size > 0
    assert not (tmp_path / "lindung.backup.partial").exists()

    # Changes after the backup: a worker removed, another event, a new user.
    Worker.objects.all().delete()
    audit_record(actor=None, actor_username="system", action="test.after")
    make_user("pengguna.baru", Role.CITY_OFFICER, "51.71")
    assert _snapshot() != before

    call_command("restore", str(backup), "--yes")
    assert _snapshot() == before
    report = audit_verify()
    assert report.ok and report.checked == len(before["audit_auditevent"])


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    bogus = tmp_path / "not-a-backup.backup"
    bogus.write_bytes(b"PK\x03\x04 this is a zip file, not a database")
    with pytest.raises(CommandError, match="bukan cadangan"):
        call_command("restore", str(bogus), "--yes")


def test_restore_asks_for_confirmation(db, tmp_path):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "x.backup"))
