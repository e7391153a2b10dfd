"""`lindung synth`: determinism, valid identities, distributions, billing consistent with Lindung's own cover rules.

Expected values come from outside the generator: RULES.md/PP 44/2015 arithmetic by hand (JKK 1% of Rp1,000,000 =
Rp10,000, JKM Rp6,800), `check_nik` for identities, `cover_recompute` (billing's own derivation) for the statuses,
and a school-level table written here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from lindung.billing.models import Account, Invoice, InvoiceLine, Payment
from lindung.billing.services import cover_recompute
from lindung.claims.models import Claim, Incident
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership
from lindung.programmes.models import Agreement, Programme
from lindung.regions.models import Region
from lindung.regions.services import regions_load
from lindung.registry.identity import check_nik
from lindung.registry.models import Child, Heir, Worker
from lindung.synth.models import SynthRun
from lindung.synth.services import AS_OF, G, synth_run

pytestmark = pytest.mark.django_db

SMALL = "51.71.03"  # Denpasar Timur: 11 villages
#: Checksum of `synth_run(prefix="51.71.03", seed=1, per_village=20, months=6)`: the same on SQLite and PostgreSQL
#: (the suite runs on both; a change to the generator changes it on purpose — re-record it then).
SMALL_CHECKSUM = "9f5356921bc42873d395e61e4d143e1d3b0011ab7e1d5cddd43b5ab3d8c09be4"


@pytest.fixture
def bali(db):
    regions_load(prefix="51")


def _small(seed: int = 1) -> str:
    return synth_run(prefix=SMALL, seed=seed, per_village=20, months=6, jobs=1).checksum


def _wipe() -> None:
    """Delete every generated row (children first), as a fresh database would be."""
    with connection.cursor() as cursor:
        for table in reversed(list(G.COLUMNS)):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    Programme.objects.all().delete()
    SynthRun.objects.all().delete()


def test_same_seed_same_checksum_other_seed_differs(bali):
    first = _small()
    assert len(first) == 64
    _wipe()
    assert _small() == first  # ids differ now (the tables' maxima moved on): the checksum leaves them out
    _wipe()
    assert _small(seed=2) != first
    assert first == SMALL_CHECKSUM  # cross-database: the same constant on SQLite and PostgreSQL


def test_command_json_and_refusal(bali):
    out = StringIO()
    call_command(
        "synth", "--prefix", SMALL, "--per-village", "10", "--months", "2", "--seed", "3", "--json", stdout=out
    )
    data = json.loads(out.getvalue().strip().splitlines()[-1])
    assert data["villages"] == Region.objects.filter(code__startswith=f"{SMALL}.", level=4).count()
    assert data["counts"]["registry_worker"] == Worker.objects.count() == 15 * data["villages"]
    assert data["size_bytes"] > 0
    before = Worker.objects.count()
    with pytest.raises(ApplicationError, match="sudah ada"):
        synth_run(prefix="51.71", seed=3)  # overlaps the earlier run's scope
    assert Worker.objects.count() == before


def test_refuses_villages_with_workers(bali):
    village = Region.objects.get(code="51.71.03.2008")
    Worker.objects.create(nik="5171030101900001", name="Ada", sex="L", birth_date=dt.date(1990, 1, 1), village=village)
    with pytest.raises(ApplicationError, match="sudah memiliki pekerja"):
        synth_run(prefix=SMALL, seed=1, per_village=5, months=1)
    assert Worker.objects.count() == 1
    # Leaving the village out works, and no generated NIK collides with the existing one.
    synth_run(prefix=SMALL, seed=1, per_village=5, months=1, exclude=["51.71.03.2008"], with_checksum=False)
    assert Worker.objects.filter(village=village).count() == 1
    assert Worker.objects.filter(nik="5171030101900001").count() == 1


@pytest.fixture
def denpasar(bali):
    return synth_run(prefix="51.71", seed=1, months=12, profile="realistic", with_checksum=False)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def test_identities_valid_and_in_their_district(denpasar):
    today = dt.date(2026, 11, 25)
    workers = list(Worker.objects.values_list("nik", "birth_date", "sex", "village_id"))
    assert len(workers) == 43 * 150
    assert len({w[0] for w in workers}) == len(workers)
    for nik, birth, sex, village in workers:
        check = check_nik(nik, birth_date=birth, sex=sex, today=today)
        assert check.errors == [] and check.warnings == [], (nik, check)
        assert nik[:6] == village[:8].replace(".", "")
    children = list(Child.objects.exclude(nik="").values_list("nik", "birth_date", "worker__village_id"))
    heirs = list(Heir.objects.exclude(nik="").values_list("nik", "worker__village_id"))
    for nik, birth, village in children:
        assert check_nik(nik, birth_date=birth, today=today).ok and nik[:6] == village[:8].replace(".", "")
    for nik, village in heirs:
        assert check_nik(nik, today=today).ok and nik[:6] == village[:8].replace(".", "")
    everyone = [w[0] for w in workers] + [c[0] for c in children] + [h[0] for h in heirs]
    assert len(set(everyone)) == len(everyone)  # one person, one NIK


def test_distributions(denpasar):
    workers = list(Worker.objects.values_list("birth_date", "decile", "occupation_code", "is_wage_earner_member"))
    n = len(workers)
    ages = [_age(w[0], AS_OF) for w in workers]
    assert min(ages) >= 18 and max(ages) <= 65
    assert 35 <= sum(ages) / n <= 48
    deciles = Counter(w[1] for w in workers)
    assert (deciles[1] + deciles[2] + deciles[3]) / n == pytest.approx(0.57, abs=0.04)  # skewed poor
    assert (deciles[9] + deciles[10]) / n < 0.08
    occupations = Counter(w[2] for w in workers)
    assert occupations[9] / n == pytest.approx(0.23, abs=0.03)  # farmers first
    informal = {9, 20, 19, 84, 8, 11, 21, 10, 13, 26, 27, 14, 81, 24, 30, 35}
    assert sum(occupations[c] for c in informal) / n > 0.8
    assert not set(occupations) & ({5, 6, 7} | set(range(48, 64)))  # never civil servants or office holders
    # School levels match the children's ages (table written here).
    for birth, level, grade in Child.objects.values_list("birth_date", "school_level", "grade"):
        age = _age(birth, AS_OF)
        expected = {5: "TK", 6: "TK", **dict.fromkeys(range(7, 13), "SD"), **dict.fromkeys(range(13, 16), "SMP")}
        if age in expected:
            assert level == expected[age]
        if 16 <= age <= 18:
            assert level in ("SMA", "none")
        if age < 4 or age >= 24:
            assert level == "none" and grade is None
    # Agreements: about 60% signed; members only in signed villages, up to the quota.
    signed = set(Agreement.objects.filter(status="active").values_list("village_id", flat=True))
    assert 0.4 <= len(signed) / 43 <= 0.8
    per_village = Counter(Membership.objects.values_list("worker__village_id", flat=True))
    assert set(per_village) == signed and all(85 <= c <= 100 for c in per_village.values())
    assert not Membership.objects.filter(worker__is_wage_earner_member=True).exists()
    # Some villages behind with payments; none with an invoice paid twice.
    behind = set(
        Membership.objects.filter(status__in=["arrears", "lapsed"]).values_list("worker__village_id", flat=True)
    )
    assert 1 <= len(behind) <= len(signed) // 2
    # Incidents at about the annual rates (12 months): deaths ~0.5%, work accidents ~1%.
    members = Membership.objects.count()
    deaths = Incident.objects.filter(type="death").count()
    accidents = Incident.objects.exclude(type="death").count()
    assert 0.3 * 0.005 * members <= deaths <= 2.5 * 0.005 * members
    assert 0.4 * 0.01 * members <= accidents <= 2 * 0.01 * members
    assert Claim.objects.count() == Incident.objects.count()
    assert len(set(Claim.objects.values_list("status", flat=True))) >= 3
    assert (
        Membership.objects.filter(status="ended", end_reason="death").count()
        == Incident.objects.filter(type__in=["death", "work_accident_death"]).count()
    )


def test_billing_is_what_lindungs_own_rules_derive(denpasar):
    # Amounts by hand (PP 44/2015, declared income Rp1,000,000, no discount for APBDes/APBD): 10,000 + 6,800.
    assert set(InvoiceLine.objects.values_list("jkk", "jkm", "jht", "amount")) == {(10_000, 6_800, 0, 16_800)}
    for invoice in Invoice.objects.all()[:50]:
        assert invoice.total == 16_800 * invoice.lines.count()
    snapshot = (
        sorted(Membership.objects.values_list("worker__nik", "status", "paid_through")),
        sorted(Invoice.objects.values_list("village_id", "period", "status", "paid_amount", "paid_on")),
        sorted(
            InvoiceLine.objects.values_list(
                "invoice__village_id", "invoice__period", "membership__worker__nik", "status"
            )
        ),
    )
    pairs = set(Invoice.objects.values_list("programme_id", "village_id"))
    for programme_id, village_id in pairs:
        result = cover_recompute(
            programme=Programme.objects.get(pk=programme_id), village=Region.objects.get(code=village_id), today=AS_OF
        )
        assert (result.memberships_changed, result.renewals_created, result.credit) == (0, 0, 0), village_id
    after = (
        sorted(Membership.objects.values_list("worker__nik", "status", "paid_through")),
        sorted(Invoice.objects.values_list("village_id", "period", "status", "paid_amount", "paid_on")),
        sorted(
            InvoiceLine.objects.values_list(
                "invoice__village_id", "invoice__period", "membership__worker__nik", "status"
            )
        ),
    )
    assert after == snapshot
    assert Payment.objects.filter(amount__lte=0).count() == 0
    assert Account.objects.count() == len(pairs)


def test_demo_synth_leaves_tegal_harum_alone(bali):
    from lindung.programmes.demo import TEGAL_HARUM, demo_programmes
    from lindung.synth.demo import demo_synth

    demo_programmes()
    agreements_before = dict(Agreement.objects.values_list("village_id", "status"))
    first = demo_synth()
    assert first["created"] and first["villages"] == 42
    assert not Worker.objects.filter(village_id=TEGAL_HARUM).exists()
    # The 12 desa in discussion keep their agreement (candidates only); nobody else's agreement changed.
    after = dict(Agreement.objects.values_list("village_id", "status"))
    assert all(after[code] == status for code, status in agreements_before.items())
    in_discussion = [c for c, s in agreements_before.items() if s == "in_discussion"]
    assert not Membership.objects.filter(worker__village_id__in=in_discussion).exists()
    assert Programme.objects.count() == 1
    counts = Worker.objects.count()
    assert demo_synth() == {"created": False}
    assert Worker.objects.count() == counts
