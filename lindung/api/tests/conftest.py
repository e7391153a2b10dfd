"""Fixtures for the API tests: tokens for the shared users, workers in two villages, a JSON client."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from lindung.accounts.models import Role
from lindung.api.services import token_create
from lindung.billing.services import billing_run, payment_record
from lindung.claims.models import Claim
from lindung.claims.services import claim_document_upload, claim_missing_documents, incident_report
from lindung.membership.models import Membership, MembershipStatusChange
from lindung.membership.tests.factories import TEGAL_HARUM, make_member
from lindung.programmes.models import Agreement, Programme, ProgrammeRules
from lindung.regions.models import Region
from lindung.registry.models import Worker
from lindung.training.models import Enrolment
from lindung.training.services import programme_create

OTHER_VILLAGE = "51.03.05.2001"  # Kabupaten Badung: outside Kota Denpasar and Tegal Harum
DENPASAR_VILLAGE = "51.71.01.1001"  # in Kota Denpasar, not Tegal Harum


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LINDUNG_API_RATE_LIMIT = "600/min"


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def make_token(user, name: str = "uji", days: int = 90) -> str:
    _token, secret = token_create(acting_user=user, name=name, last_day=timezone.localdate() + dt.timedelta(days=days))
    return secret


@pytest.fixture
def operator_token(operator_tegal_harum) -> str:
    return make_token(operator_tegal_harum)


@pytest.fixture
def city_token(city_officer) -> str:
    return make_token(city_officer)


@pytest.fixture
def workers(bali):
    """One worker in Tegal Harum, one elsewhere in Denpasar, one in Badung."""
    mine = Worker.objects.create(
        nik="5171034508900003", name="Ni Made Suryani", sex="P", birth_date="1990-08-05", village_id="51.71.03.2008",
        occupation_code=24, decile=1, monthly_income=750_000,
    )  # fmt: skip
    denpasar = Worker.objects.create(
        nik="5171011203850001", name="I Wayan Darma", sex="L", birth_date="1985-03-12", village_id=DENPASAR_VILLAGE
    )
    badung = Worker.objects.create(
        nik="5103050505900007", name="Made Badung", sex="L", birth_date="1990-05-05", village_id=OTHER_VILLAGE,
        decile=1, occupation_code=24,
    )  # fmt: skip
    return mine, denpasar, badung


@pytest.fixture
def api_client() -> Client:
    return Client(enforce_csrf_checks=True)


# --- memberships, invoices and payments, claims, training (issue 10, second part) -------------------

SESETAN = DENPASAR_VILLAGE  # a kelurahan of Kota Denpasar with an active agreement, paid by the city


@pytest.fixture
def bpjs_officer(bali, make_user):
    return make_user("bpjs.denpasar", Role.BPJS_OFFICER, "51.71")


@pytest.fixture
def scheme(bali) -> Programme:
    """The Denpasar programme with its rules, Tegal Harum paying from its APBDes and Sesetan paid by the city."""
    programme = Programme.objects.create(
        name="Gerakan 1 Desa 100 Pekerja Rentan", region_id="51.71", starts_on=dt.date(2023, 1, 1)
    )
    ProgrammeRules.objects.create(programme=programme, effective_from=dt.date(2023, 1, 1))
    Agreement.objects.create(
        programme=programme, village_id=TEGAL_HARUM, status=Agreement.Status.SIGNED, valid_from=dt.date(2023, 2, 1),
        funder="apbdes",
    )  # fmt: skip
    Agreement.objects.create(
        programme=programme, village_id=SESETAN, status=Agreement.Status.ACTIVE, valid_from=dt.date(2023, 6, 1),
        funder="apbd",
    )  # fmt: skip
    return programme


@pytest.fixture
def billing_data(scheme):
    """A member in Tegal Harum and one in Sesetan, both billed for January and February 2025 by the billing run;
    Sesetan has paid something."""
    programme = scheme
    mine = make_member(programme, TEGAL_HARUM, dt.date(2025, 1, 10), kpj="23011234567")
    MembershipStatusChange.objects.create(
        membership=mine, from_status="pending", to_status="active", on=dt.date(2025, 1, 10), reason="KPJ terbit"
    )
    other = make_member(programme, SESETAN, dt.date(2025, 1, 10), kpj="23011234568")
    for month in (dt.date(2025, 1, 1), dt.date(2025, 2, 1)):
        billing_run(period=month)
    other_payment = payment_record(
        actor=None, programme=programme, village=Region.objects.get(code=SESETAN), value_date=dt.date(2025, 1, 20),
        amount=5_000, reference="SP2D-LAIN", budget_source="apbd",
    )  # fmt: skip
    mine.refresh_from_db()
    other.refresh_from_db()
    return SimpleNamespace(programme=programme, mine=mine, other=other, other_payment=other_payment)


def report_claim(actor, membership: Membership) -> Claim:
    """A death reported through the claims service: the claim carries the engine's quote."""
    return incident_report(
        actor=actor, worker=membership.worker, date=dt.date(2026, 3, 10), type="death", place="Rumah",
        description="Meninggal karena sakit.", reporter_name="Ni Luh Sari", reporter_role="family",
    )  # fmt: skip


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def documents_complete(actor, claim: Claim) -> Claim:
    """Upload every document of the claim's checklist (the claim moves to "documents complete")."""
    for item in claim_missing_documents(claim):
        upload = SimpleUploadedFile(f"{item.code}.pdf", PDF, content_type="application/pdf")
        claim_document_upload(actor=actor, claim=claim, kind=item.code, upload=upload)
    return Claim.objects.get(pk=claim.pk)


@pytest.fixture
def claim_data(scheme, operator_tegal_harum, city_officer):
    """A claim in Tegal Harum (reported by its operator) and one in Sesetan (by the city officer)."""
    mine = make_member(scheme, TEGAL_HARUM, dt.date(2023, 2, 1), kpj="1", paid_through=dt.date(2026, 10, 1))
    other = make_member(scheme, SESETAN, dt.date(2023, 2, 1), kpj="2", paid_through=dt.date(2026, 10, 1))
    return SimpleNamespace(mine=report_claim(operator_tegal_harum, mine), other=report_claim(city_officer, other))


@pytest.fixture
def training_data(bali, city_officer, make_user):
    """A Denpasar programme run by a trainer, with one enrolled worker of Tegal Harum and one of Sesetan."""
    trainer = make_user("pelatih.denpasar", Role.TRAINER, "51.71")
    programme = programme_create(
        acting_user=city_officer, organiser="Dinas Tenaga Kerja Kota Denpasar", title="Pelatihan Pangkas Rambut",
        region=Region.objects.get(code="51.71"), skill="Pangkas rambut", starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 3, 20), capacity=20, target_occupations=[24], target_keywords="cukur",
        place="BLK Denpasar", cost=15_000_000,
    )  # fmt: skip
    programme.trainers.add(trainer)
    enrolments = []
    for nik, village, status in (
        ("5171030101850001", TEGAL_HARUM, "enrolled"),
        ("5171010101850002", SESETAN, "invited"),
    ):
        worker = Worker.objects.create(
            nik=nik, name=f"Peserta {village}", sex="L", birth_date=dt.date(1985, 1, 1), village_id=village
        )
        enrolments.append(
            Enrolment.objects.create(
                programme=programme,
                worker=worker,
                status=status,
                invited_on=dt.date(2026, 2, 1),
                enrolled_on=dt.date(2026, 2, 10) if status == "enrolled" else None,
            )
        )
    return SimpleNamespace(programme=programme, trainer=trainer, mine=enrolments[0], other=enrolments[1])
