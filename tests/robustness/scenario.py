"""Data for the crash tests, written through the services in a process of its own (`DATABASE_URL`,
`LINDUNG_VAR_DIR` from the environment). Prints one JSON line.

    python -m tests.robustness.scenario import-setup
    python -m tests.robustness.scenario billing-setup
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
from pathlib import Path

VILLAGE = "51.71.03.2008"  # Tegal Harum


def nik(serial: int) -> str:
    # Kota Denpasar / Denpasar Timur (51.71.03), born 01-01-1985, a man: the NIK agrees with the birth date and sex.
    return f"517103010185{serial:04d}"


def _row(serial: int, name: str, address: str) -> dict[str, str]:
    return {"Kode Desa": VILLAGE, "NIK": nik(serial), "Nama Lengkap": name, "Jenis Kelamin": "L",
            "Tanggal Lahir": "1985-01-01", "Alamat": address, "Pekerjaan": "Petani",
            "Penghasilan per Bulan": "800000", "Persetujuan Data": "Ya",
            "Tanggal Persetujuan": "2025-06-02"}  # fmt: skip


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    from lindung.registry.importing.reading import COLUMNS

    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=[column.header for column in COLUMNS])
        writer.writeheader()
        writer.writerows(rows)
    return path


def import_setup() -> dict[str, object]:
    """40 registered workers (serials 1-40), batch 1 (serials 41-70) applied, batch 2 checked and its apply queued
    as the import page queues it: 20 updates (serials 1-20 renamed), 50 new workers (71-120), 2 rejected rows."""
    from django.conf import settings

    from lindung.registry.models import ImportBatch, Worker
    from lindung.registry.services import import_batch_apply, import_batch_create, import_batch_validate
    from lindung.registry.tasks import import_batch_apply_task

    Worker.objects.bulk_create(
        Worker(nik=nik(s), name=f"Lama {s}", sex="L", birth_date=dt.date(1985, 1, 1), village_id=VILLAGE,
               address=f"Jl. Lama {s}", occupation_code=None, monthly_income=800_000)
        for s in range(1, 41)
    )  # fmt: skip
    folder = Path(settings.MEDIA_ROOT)
    folder.mkdir(parents=True, exist_ok=True)
    first = _write(folder / "batch1.csv", [_row(s, f"Pertama {s}", f"Jl. Satu {s}") for s in range(41, 71)])
    rows = [_row(s, f"Baru {s}", f"Jl. Baru {s}") for s in range(1, 21)]
    rows += [_row(s, f"Kedua {s}", f"Jl. Dua {s}") for s in range(71, 121)]
    rows.insert(10, {**_row(900, "Salah Tanggal", ""), "Tanggal Lahir": "1985-02-30"})
    rows.insert(40, {**_row(901, "Salah Kelamin", ""), "Jenis Kelamin": "X"})
    second = _write(folder / "batch2.csv", rows)

    batch1 = import_batch_create(acting_user=None, source=first, original_name="batch1.csv")
    import_batch_validate(batch=batch1)
    import_batch_apply(batch=batch1, acting_user=None)
    batch2 = import_batch_create(acting_user=None, source=second, original_name="batch2.csv")
    import_batch_validate(batch=batch2)
    # What the page does when the operator presses "save" (registry.views.import_batch_apply).
    ImportBatch.objects.filter(pk=batch2.pk).update(status=ImportBatch.Status.APPLYING)
    task = import_batch_apply_task.enqueue(batch2.pk)
    return {"batch1": batch1.pk, "batch2": batch2.pk, "task": str(task.id)}


BILLING_MEMBERS = (3, 4, 5)  # members of the first, second and third paying village
BILLING_PAYMENTS = (100_000, 100_000, 0)  # paid in advance (credit) by each village


def billing_setup() -> dict[str, object]:
    """A programme over Kota Denpasar with three paying villages; members start 2024-03-01; the first two villages
    paid Rp100.000 each in advance (February), the third nothing."""
    from lindung.billing.services import payment_record
    from lindung.membership.models import Membership
    from lindung.programmes.models import Agreement, Programme, ProgrammeRules
    from lindung.regions.models import Region
    from lindung.registry.models import Worker

    programme = Programme.objects.create(name="Uji Tahan Banting", region_id="51.71", starts_on=dt.date(2023, 1, 1))
    ProgrammeRules.objects.create(programme=programme, effective_from=dt.date(2023, 1, 1))
    villages = list(Region.objects.filter(level=Region.Level.VILLAGE, code__startswith="51.71.").order_by("code")[:3])
    serial = 0
    for village, members, paid in zip(villages, BILLING_MEMBERS, BILLING_PAYMENTS, strict=True):
        Agreement.objects.create(programme=programme, village=village, status=Agreement.Status.SIGNED,
                                 valid_from=dt.date(2023, 1, 1), funder="apbd")  # fmt: skip
        for _ in range(members):
            serial += 1
            worker = Worker.objects.create(nik=nik(serial), name=f"Peserta {serial}", sex="L",
                                           birth_date=dt.date(1985, 1, 1), village=village)  # fmt: skip
            Membership.objects.create(programme=programme, worker=worker, starts_on=dt.date(2024, 3, 1),
                                      declared_income=1_000_000, package="jkk_jkm", kpj_number=f"KPJ{serial}",
                                      status="active")  # fmt: skip
        if paid:
            payment_record(actor=None, programme=programme, village=village, value_date=dt.date(2024, 2, 20),
                           amount=paid, reference=f"SP2D-{village.code}", budget_source="apbd")  # fmt: skip
    return {"programme": programme.pk, "villages": [v.code for v in villages]}


def billing_queue() -> dict[str, object]:
    """`billing_setup`, then the run of March 2024 queued as the billing page queues it (a BillingRun row and its
    task)."""
    from lindung.billing.models import BillingRun, RunStatus
    from lindung.billing.tasks import billing_run_task

    made = billing_setup()
    run = BillingRun.objects.create(period=dt.date(2024, 3, 1), status=RunStatus.QUEUED)
    task = billing_run_task.enqueue(run.pk)
    return {**made, "run": run.pk, "task": str(task.id)}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    import django

    django.setup()
    action = {"import-setup": import_setup, "billing-setup": billing_setup, "billing-queue": billing_queue}[sys.argv[1]]
    print(json.dumps(action()))
