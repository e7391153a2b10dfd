import pytest
from django.urls import reverse

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.core.errors import ApplicationError
from lindung.registry.lifecycle import transfer_decide, transfer_request, worker_correct_nik, worker_merge
from lindung.registry.models import Child, Heir, Worker, WorkerTransfer

TEGAL_HARUM, PADANGSAMBIAN = "51.71.03.2008", "51.71.03.2001"


@pytest.fixture
def operators(bali, make_user):
    return (
        make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM),
        make_user("op.lain", Role.VILLAGE_OPERATOR, PADANGSAMBIAN),
    )


@pytest.fixture
def worker_elsewhere(bali):
    return Worker.objects.create(
        nik="5171031712750006", name="Gede Lain", sex="L", birth_date="1975-12-17", village_id=PADANGSAMBIAN
    )


def test_transfer_requested_by_new_village_confirmed_by_old(operators, worker_elsewhere):
    new_village_op, old_village_op = operators
    transfer = transfer_request(acting_user=new_village_op, nik="5171 0317 1275 0006", to_village_code=TEGAL_HARUM)
    with pytest.raises(ApplicationError):  # the requesting village cannot confirm its own request
        transfer_decide(acting_user=new_village_op, transfer=transfer, confirm=True)
    transfer_decide(acting_user=old_village_op, transfer=transfer, confirm=True)
    worker_elsewhere.refresh_from_db()
    assert worker_elsewhere.village_id == TEGAL_HARUM
    assert list(AuditEvent.objects.filter(target_type="worker").values_list("action", flat=True).order_by("seq")) == [
        "registry.transfer.request",
        "registry.transfer.confirm",
    ]


def test_transfer_reject_needs_reason_and_keeps_worker(operators, worker_elsewhere):
    new_village_op, old_village_op = operators
    transfer = transfer_request(acting_user=new_village_op, nik="5171031712750006", to_village_code=TEGAL_HARUM)
    with pytest.raises(ApplicationError):
        transfer_decide(acting_user=old_village_op, transfer=transfer, confirm=False, reason=" ")
    transfer_decide(acting_user=old_village_op, transfer=transfer, confirm=False, reason="Masih tinggal di sini")
    worker_elsewhere.refresh_from_db()
    assert worker_elsewhere.village_id == PADANGSAMBIAN
    assert WorkerTransfer.objects.get().status == WorkerTransfer.Status.REJECTED


def test_transfer_request_twice_or_into_foreign_village_rejected(operators, worker_elsewhere):
    new_village_op, _old = operators
    transfer_request(acting_user=new_village_op, nik="5171031712750006", to_village_code=TEGAL_HARUM)
    with pytest.raises(ApplicationError):
        transfer_request(acting_user=new_village_op, nik="5171031712750006", to_village_code=TEGAL_HARUM)
    with pytest.raises(ApplicationError):
        transfer_request(acting_user=new_village_op, nik="5171031712750006", to_village_code="51.71.01.1001")


def test_transfer_pages_scoped(client, operators, worker_elsewhere, make_user):
    new_village_op, old_village_op = operators
    transfer = transfer_request(acting_user=new_village_op, nik="5171031712750006", to_village_code=TEGAL_HARUM)
    stranger = make_user("op.jauh", Role.VILLAGE_OPERATOR, "51.71.01.1001")
    client.force_login(stranger)
    assert client.get(reverse("registry:transfer_decide", args=[transfer.pk])).status_code == 404
    client.force_login(old_village_op)
    assert client.get(reverse("registry:transfer_decide", args=[transfer.pk])).status_code == 200
    client.post(reverse("registry:transfer_decide", args=[transfer.pk]), {"decision": "confirm"})
    worker_elsewhere.refresh_from_db()
    assert worker_elsewhere.village_id == TEGAL_HARUM


def test_worker_merge_moves_dependants_fills_blanks_and_deletes_duplicate(operators):
    operator, _other = operators
    keep = Worker.objects.create(nik="5171034508900003", name="Ni Made Suryani", sex="P", birth_date="1990-08-05",
                                 village_id=TEGAL_HARUM)  # fmt: skip
    dup = Worker.objects.create(nik="5171034508900030", name="Ni Made Suryani", sex="P", birth_date="1990-08-05",
                                village_id=TEGAL_HARUM, phone="081234567890", decile=1)  # fmt: skip
    Child.objects.create(worker=dup, name="Putu", birth_date="2015-01-01")
    Heir.objects.create(worker=dup, name="I Made", relation=Heir.Relation.SPOUSE)
    with pytest.raises(ApplicationError):
        worker_merge(acting_user=operator, keep=keep, remove=dup, reason="")
    worker_merge(acting_user=operator, keep=keep, remove=dup, reason="Data ganda, NIK salah ketik")
    keep.refresh_from_db()
    assert (keep.phone, keep.decile) == ("081234567890", 1)
    assert (keep.children.count(), keep.heirs.count()) == (1, 1)
    assert not Worker.objects.filter(nik="5171034508900030").exists()
    event = AuditEvent.objects.get(action="registry.worker.merge")
    assert event.changes["removed"]["nik"] == "5171********0030"


def test_worker_correct_nik_checks_and_audits(operators, worker_elsewhere):
    operator, other_operator = operators
    worker = Worker.objects.create(nik="5171034508900030", name="Ni Made Suryani", sex="P", birth_date="1990-08-05",
                                   village_id=TEGAL_HARUM)  # fmt: skip
    worker.refresh_from_db()
    with pytest.raises(ApplicationError):  # reason required
        worker_correct_nik(acting_user=operator, worker=worker, new_nik="5171034508900003", reason="")
    with pytest.raises(ApplicationError):  # structurally impossible NIK
        worker_correct_nik(acting_user=operator, worker=worker, new_nik="5171033102900003", reason="salah ketik")
    with pytest.raises(ApplicationError) as exc:  # belongs to someone else: merge instead, village not named
        worker_correct_nik(acting_user=operator, worker=worker, new_nik="5171031712750006", reason="salah ketik")
    assert "desa lain" in exc.value.message
    with pytest.raises(ApplicationError):  # not the operator's village
        worker_correct_nik(acting_user=other_operator, worker=worker, new_nik="5171034508900003", reason="x")
    worker_correct_nik(acting_user=operator, worker=worker, new_nik="5171034508900003", reason="sesuai KTP")
    worker.refresh_from_db()
    assert worker.nik == "5171034508900003"
    event = AuditEvent.objects.get(action="registry.worker.correct_nik")
    assert event.changes["nik"] == ["5171********0030", "5171********0003"]
