"""Demo data: ~135 registered workers in Tegal Harum and their approved 2026 recipient list. Idempotent.

The people are fictional (seeded random choices; Balinese birth-order names with given names from Faker
``id_ID``); NIKs are structurally valid for Kecamatan Denpasar Barat (51.71.03) with the birth date and sex
encoded. The banjar names are illustrative. Deciles lean poor, a few workers fail a rule (too young, too old,
income at or above the threshold, already a wage-earner member, civil servant) so that the list shows reasons.

Flow, by the demo users of ``core.demo``: ``operator.tegalharum`` prepares the list and records the village
deliberation, ``perbekel.tegalharum`` approves version 1 — 100 selected, the rest on the waiting list.
Requires ``demo_setup()`` (regions, users) and ``demo_programmes()`` (the programme) to have run.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from faker import Faker

from lindung.accounts.models import User
from lindung.audit.recording import audit_record
from lindung.programmes.models import Programme
from lindung.regions.models import Region
from lindung.registry.models import Child, Worker
from lindung.targeting import services
from lindung.targeting.models import SelectionVersion

TEGAL_HARUM = "51.71.03.2008"
DISTRICT_DIGITS = "517103"
PROGRAMME_NAME = "Gerakan 1 Desa 100 Pekerja Rentan"
BUDGET_YEAR = 2026
REFERENCE_DATE = dt.date(2026, 1, 5)  # the list is computed at the start of the budget year
DELIBERATION_ON = dt.date(2026, 1, 8)
DECREE_ON = dt.date(2026, 1, 12)
DECREE_NUMBER = "141/03/SK/TH/I/2026"
WORKERS = 135
SEED = 20260105

HAMLETS = ("Banjar Tegal Harum", "Banjar Tegal Buah", "Banjar Tegal Kaja", "Banjar Tegal Kelod", "Banjar Tegal Sari")
BIRTH_ORDER_MALE = ("I Wayan", "I Putu", "I Gede", "I Made", "I Kadek", "I Nyoman", "I Komang", "I Ketut")
BIRTH_ORDER_FEMALE = ("Ni Wayan", "Ni Putu", "Ni Luh", "Ni Made", "Ni Kadek", "Ni Nyoman", "Ni Komang", "Ni Ketut")
# Urban Denpasar: traders, labourers, builders, drivers, cooks, domestic helpers, a few farmers and barbers.
OCCUPATIONS = (84, 84, 84, 19, 19, 19, 26, 27, 13, 81, 14, 46, 23, 23, 9, 24, 88, 11)
DECILES = (1, 2, 2, 3, 3, 3, 4, 4, 4, 5, None, None, None)


def _nik(born: dt.date, sex: str, serial: int) -> str:
    day = born.day + (40 if sex == "P" else 0)
    return f"{DISTRICT_DIGITS}{day:02d}{born:%m%y}{serial:04d}"


def _people() -> list[dict]:
    """The same 135 workers on every run (seeded), with their children."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not a secret
    fake = Faker("id_ID")
    fake.seed_instance(SEED)
    people = []
    for i in range(WORKERS):
        sex = rng.choice("LP")
        born = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 44))  # 19 to 63 on the day
        income: int | None = rng.randrange(300_000, 960_000, 10_000)
        occupation = rng.choice(OCCUPATIONS)
        wage_earner = False
        # A few who fail a rule, so that the list shows its reasons.
        if i in (7, 61):
            born = dt.date(2008, 3, 14) + dt.timedelta(days=i)  # 17 on the reference day
        elif i in (19, 88):
            born = dt.date(1958, 6, 2) + dt.timedelta(days=i)  # 67
        elif i in (33, 104):
            income = 1_500_000 if i == 33 else 1_000_000
        elif i == 47:
            wage_earner = True
        elif i == 75:
            occupation = 5  # PNS: has its own scheme
        elif i % 17 == 5:
            income = None  # not recorded yet
        given = fake.first_name_male() if sex == "L" else fake.first_name_female()
        order = rng.choice(BIRTH_ORDER_MALE if sex == "L" else BIRTH_ORDER_FEMALE)
        decile = rng.choice(DECILES)
        children = [
            dt.date(2007, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 18))
            for _ in range(rng.choice((0, 0, 1, 1, 2, 2, 3)))
        ]
        people.append(
            {
                "nik": _nik(born, sex, i + 1),
                "name": f"{order} {given}",
                "sex": sex,
                "birth_place": "Denpasar",
                "birth_date": born,
                "address": f"{fake.street_name()} No. {rng.randrange(1, 120)}",
                "rt": "",
                "rw": "",
                "hamlet": rng.choice(HAMLETS),
                "phone": fake.numerify("08##########"),
                "occupation_code": occupation,
                "monthly_income": income,
                "decile": decile,
                "extreme_poor": decile not in (1,) and i in (12, 58, 97),
                "extreme_poor_note": "Ditetapkan musyawarah desa: lansia tinggal sendiri" if i in (12, 58, 97) else "",
                "is_wage_earner_member": wage_earner,
                "consent_given": True,
                "consent_on": dt.date(2025, 11, 1) + dt.timedelta(days=i % 40),
                "registered_at": dt.datetime(2025, 11, 3, 8, 0, tzinfo=dt.UTC) + dt.timedelta(hours=7 * i),
                "children": children,
            }
        )
    return people


def _minutes_pdf() -> SimpleUploadedFile:
    from weasyprint import HTML

    html = (
        "<h1>Berita Acara Musyawarah Desa Tegal Harum</h1>"
        "<p>Pada hari Kamis, 8 Januari 2026, musyawarah desa membahas dan menyepakati daftar penerima "
        "perlindungan jaminan sosial ketenagakerjaan bagi pekerja rentan tahun anggaran 2026.</p>"
        "<p>Jumlah peserta: 48 orang (perangkat desa, BPD, kelian banjar, tokoh masyarakat).</p>"
    )
    return SimpleUploadedFile("berita-acara.pdf", bytes(HTML(string=html).write_pdf()), "application/pdf")


def demo_targeting() -> dict:
    """Register the demo workers of Tegal Harum and approve their 2026 list (once)."""
    village = Region.objects.get(code=TEGAL_HARUM)
    programme = Programme.objects.get(name=PROGRAMME_NAME, region_id="51.71")
    operator = User.objects.get(username="operator.tegalharum")
    head = User.objects.get(username="perbekel.tegalharum")
    with transaction.atomic():
        people = _people()
        existing = set(Worker.objects.filter(nik__in=[p["nik"] for p in people]).values_list("nik", flat=True))
        new = [p for p in people if p["nik"] not in existing]
        workers = Worker.objects.bulk_create(
            [Worker(village=village, **{k: v for k, v in p.items() if k != "children"}) for p in new]
        )
        by_nik = {w.nik: w for w in workers}
        Child.objects.bulk_create(
            [
                Child(worker=by_nik[p["nik"]], name=f"Anak {j + 1} dari {p['name']}", birth_date=born)
                for p in new
                for j, born in enumerate(p["children"])
            ]
        )
        if new:
            audit_record(
                actor=None,
                actor_username="system",
                action="demo.targeting.workers",
                region_code=TEGAL_HARUM,
                changes={"workers_created": len(new)},
            )
        selection_list = services.selection_list_open(
            acting_user=operator, village=village, programme=programme, budget_year=BUDGET_YEAR
        )
        version = selection_list.versions.filter(status=SelectionVersion.Status.APPROVED).first()
        approved_now = False
        if version is None and not selection_list.versions.exists():
            version = services.selection_prepare(acting_user=operator, selection_list=selection_list, on=REFERENCE_DATE)
            services.deliberation_record(
                acting_user=operator,
                version=version,
                held_on=DELIBERATION_ON,
                attendees=48,
                minutes=_minutes_pdf(),
                note="Disepakati seluruh peserta; tiga lansia tinggal sendiri ditetapkan miskin ekstrem.",
            )
            services.version_submit(acting_user=operator, version=version)
            version = services.version_approve(
                acting_user=head, version=version, decree_number=DECREE_NUMBER, decree_date=DECREE_ON
            )
            approved_now = True
    return {
        "workers_created": len(new),
        "list": selection_list,
        "version": version,
        "approved_now": approved_now,
        "selected": version.selected_count if version else 0,
        "waiting": version.waiting_count if version else 0,
    }
