"""Schemathesis against the live OpenAPI document (loaded from the app through WSGI), as two roles with different
scopes: Tegal Harum's village operator and Kota Denpasar's city officer.

For every operation: a bounded number of generated cases (valid and invalid data), plus a few cases whose path
parameters and bodies name seeded objects of the caller's scope, so that every operation can succeed. The standard
checks run on every response (no 5xx, documented status codes, content types and headers, bodies conforming to the
schema, invalid data rejected, valid data accepted). The one adjustment: valid-by-schema data may still be refused
with 422 by the business rules the schema cannot express (a NIK's structure, a village outside the caller's
scope), exactly as the form refuses it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from lindung.api.tests.conftest import documents_complete, make_token, report_claim
from lindung.billing.models import Invoice
from lindung.billing.services import billing_run, payment_record
from lindung.claims.services import claim_submit
from lindung.membership.tests.factories import make_member
from lindung.programmes.models import Agreement, Programme, ProgrammeRules
from lindung.regions.models import Region
from lindung.registry.models import ImportBatch, Worker
from lindung.registry.services import import_batch_create, import_batch_validate
from lindung.training.services import programme_create

GENERATED_EXAMPLES = 4  # per operation, role and mode: keeps the whole run well under a minute
QUOTE = {
    "event": {"type": "death", "date": "2026-03-10"},
    "member": {"declared_income": 1_000_000, "membership_start": "2022-04-01", "paid_through": "2026-03"},
    "children": [{"name": "Ayu", "birth_date": "2019-01-15", "level": "SD", "grade": 1}],
}
IMPORT_CSV = "NIK;Nama;JK;Tgl Lahir;Kode Desa\r\n{nik};Pekerja Impor;L;05-08-1990;51.71.03.2008\r\n"

CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"],
            }
        }
    }
)


@pytest.fixture
def keep_test_connection():
    """Django's WSGI handler closes the database connection after each request (as the test client does not):
    inside a test's transaction on PostgreSQL that would end the test's connection. Keep it, like the client."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _batch(user, tmp_path, name: str, nik: str) -> ImportBatch:
    path = tmp_path / name
    path.write_text(IMPORT_CSV.format(nik=nik))
    batch = import_batch_create(acting_user=user, source=path, original_name=name)
    import_batch_validate(batch=batch)
    return batch


@pytest.fixture
def seeded(bali, operator_tegal_harum, city_officer, tmp_path, settings):
    settings.LINDUNG_API_RATE_LIMIT = "100000/min"
    worker = Worker.objects.create(
        nik="5171034508900003", name="Ni Made Suryani", sex="P", birth_date="1990-08-05", village_id="51.71.03.2008"
    )
    Worker.objects.create(
        nik="5103050505900007", name="Made Badung", sex="L", birth_date="1990-05-05", village_id="51.03.05.2001"
    )
    programme = Programme.objects.create(
        name="Gerakan 1 Desa 100 Pekerja Rentan", region_id="51.71", starts_on=dt.date(2025, 1, 1)
    )
    agreement = Agreement.objects.create(
        programme=programme, village_id="51.71.03.2008", status="signed", valid_from=dt.date(2023, 2, 1)
    )
    # Memberships, an invoice with its line, a payment per role to reverse, a claim and a training programme.
    ProgrammeRules.objects.create(programme=programme, effective_from=dt.date(2023, 1, 1))
    tegal_harum = Region.objects.get(code="51.71.03.2008")
    membership = make_member(programme, "51.71.03.2008", dt.date(2025, 1, 10), kpj="23011234567")
    billing_run(period=dt.date(2025, 1, 1))
    invoice = Invoice.objects.get(village=tegal_harum)
    deceased = make_member(programme, "51.71.03.2008", dt.date(2025, 1, 10), kpj="1", paid_through=dt.date(2026, 10, 1))
    claim = report_claim(operator_tegal_harum, deceased)
    # Claims for the transitions (the city officer approves and records BPJS's decision; the operator prepared them).
    steps = {}
    for step, serial in (("submit", "2"), ("pay", "3"), ("reject", "4")):
        member = make_member(
            programme, "51.71.03.2008", dt.date(2025, 1, 10), kpj=serial, paid_through=dt.date(2026, 10, 1)
        )
        steps[step] = documents_complete(operator_tegal_harum, report_claim(operator_tegal_harum, member))
        if step != "submit":
            claim_submit(actor=city_officer, claim=steps[step], on=dt.date(2026, 3, 20))
    training = programme_create(
        acting_user=city_officer, organiser="Disnaker", title="Pangkas Rambut", region=Region.objects.get(code="51.71"),
        skill="Pangkas rambut", starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 20), capacity=20,
        target_occupations=[24],
    )  # fmt: skip
    roles = {}
    for user, nik_new, nik_import, nik_apply, nik_cancel in (
        (operator_tegal_harum, "5171030508900011", "5171030508900021", "5171030508900031", "5171030508900041"),
        (city_officer, "5171030508900012", "5171030508900022", "5171030508900032", "5171030508900042"),
    ):
        roles[user.username] = {
            "headers": {"Authorization": f"Bearer {make_token(user)}"},
            "worker_body": {
                "nik": nik_new,
                "name": "Pekerja Baru",
                "sex": "L",
                "birth_date": "1990-08-05",
                "village": "51.71.03.2008",
            },
            "upload": {"file": IMPORT_CSV.format(nik=nik_import).encode()},
            "path": {
                "worker_id": worker.pk,
                "nik": worker.nik,
                "code": "51.71.03.2008",
                "programme_id": programme.pk,
                "agreement_id": agreement.pk,
                "membership_id": membership.pk,
                "invoice_id": invoice.pk,
                "payment_id": payment_record(
                    actor=None,
                    programme=programme,
                    village=tegal_harum,
                    value_date=dt.date(2025, 1, 20),
                    amount=1_000,
                    reference=f"TRF-{user.pk}",
                    budget_source="dana_desa",
                ).pk,
                "claim_id": claim.pk,
                "training_programme_id": training.pk,
            },
            "claim_steps": steps,
            "payment_body": {
                "programme": programme.pk,
                "value_date": "2025-01-20",
                "amount": 16_800,
                "reference": f"TRF-API-{user.pk}",
                "budget_source": "dana_desa",
            },
            "apply_id": _batch(user, tmp_path, f"a-{user.pk}.csv", nik_apply).pk,
            "cancel_id": _batch(user, tmp_path, f"c-{user.pk}.csv", nik_cancel).pk,
        }
    return roles


def _pinned(operation, role):
    """A case naming objects of the caller's scope, so that the operation can succeed."""
    path = operation.path
    params = {name: value for name, value in role["path"].items() if "{" + name + "}" in path}
    if "/claims/{claim_id}/" in path:
        params["claim_id"] = role["claim_steps"][path.rsplit("/", 1)[1]].pk
    if "import_id" in path:
        params["import_id"] = role["cancel_id"] if path.endswith("/cancel") else role["apply_id"]
    kwargs = {"path_parameters": params} if params else {}
    method = operation.method.upper()
    if path.endswith("/workers") and method == "POST":
        kwargs["body"] = role["worker_body"]
    elif path.endswith("/workers/{worker_id}") and method == "PATCH":
        kwargs["body"] = {"phone": "081234567890"}
    elif path.endswith("/villages/{code}/payments") and method == "POST":
        kwargs["body"] = role["payment_body"]
    elif path.endswith("/reverse"):
        kwargs["body"] = {"reason": "Salah input nominal"}
    elif path.endswith("/claims/{claim_id}/submit"):
        kwargs["body"] = {"on": "2026-03-20"}
    elif path.endswith("/claims/{claim_id}/reject"):
        kwargs["body"] = {"on": "2026-04-01", "reason": "Bukan peserta aktif"}
    elif path.endswith("/claims/{claim_id}/pay"):
        kwargs["body"] = {"on": "2026-04-01", "reference": "BPJS-1", "amount": 1, "note": "Dibayar sebagian"}
    elif path.endswith("/quotes/benefits"):
        kwargs["body"] = QUOTE
    elif path.endswith("/imports") and method == "POST":
        kwargs["body"] = role["upload"]
        kwargs["media_type"] = "multipart/form-data"
    return operation.as_strategy(**kwargs)


def _run(strategy, examples: int, call) -> None:
    @given(case=strategy)
    @hsettings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        call(case)

    run()


def test_schemathesis_two_roles(seeded, keep_test_connection):
    from lindung.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 34
    statuses: dict[str, list[int]] = defaultdict(list)
    for role in seeded.values():
        for operation in operations:

            def call(case, operation=operation, role=role):
                response = case.call_and_validate(headers=role["headers"])
                statuses[operation.label].append(response.status_code)

            _run(_pinned(operation, role), 1, call)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _run(operation.as_strategy(generation_mode=mode), GENERATED_EXAMPLES, call)
    missing = sorted(
        label for label in (op.label for op in operations) if not any(200 <= s < 300 for s in statuses[label])
    )
    assert missing == [], {label: sorted(set(statuses[label])) for label in missing}
