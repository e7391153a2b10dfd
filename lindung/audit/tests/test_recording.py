"""The chain detects edits, deletions and reordering done directly in the database."""

import hashlib
import itertools
import json

import pytest

from lindung.audit.models import AuditEvent
from lindung.audit.recording import GENESIS_HASH, audit_record, audit_verify


@pytest.fixture
def chain(db):
    for i in range(5):
        audit_record(actor=None, actor_username="system", action="test.event", target_id=i, changes={"i": i})
    return list(AuditEvent.objects.order_by("seq"))


def test_audit_record_links_each_event_to_the_previous(chain):
    assert chain[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1
    # Recompute the first hash independently of the module's helper.
    e = chain[0]
    fields = {
        "seq": 1,
        "occurred_at": e.occurred_at.isoformat(),
        "actor_id": None,
        "actor_username": "system",
        "action": "test.event",
        "target_type": "",
        "target_id": "0",
        "region_code": "",
        "changes": {"i": 0},
        "ip_address": "",
    }
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert e.hash == hashlib.sha256(f"{GENESIS_HASH}|{payload}".encode()).hexdigest()
    assert audit_verify().ok and audit_verify().checked == 5


def test_audit_verify_edited_event_detected(chain):
    AuditEvent.objects.filter(seq=3).update(changes={"i": 99})
    report = audit_verify()
    assert (report.ok, report.first_broken_seq) == (False, 3)


def test_audit_verify_deleted_middle_event_detected(chain):
    AuditEvent.objects.filter(seq=2).delete()
    assert audit_verify().first_broken_seq == 2


def test_audit_verify_deleted_last_event_detected(chain):
    AuditEvent.objects.filter(seq=5).delete()
    assert audit_verify().first_broken_seq == 5


def test_audit_verify_swapped_events_detected(chain):
    a, b = chain[1], chain[2]
    AuditEvent.objects.filter(pk=a.pk).update(seq=1000)
    AuditEvent.objects.filter(pk=b.pk).update(seq=a.seq)
    AuditEvent.objects.filter(pk=a.pk).update(seq=b.seq)
    assert audit_verify().first_broken_seq == 2


def test_audit_verify_command_fails_on_broken_chain(chain):
    from django.core.management import CommandError, call_command

    AuditEvent.objects.filter(seq=4).update(action="tampered")
    with pytest.raises(CommandError, match="#4"):
        call_command("audit-verify")


def _rewrite_chain_consistently():
    """What an attacker with database access and the source code can do: recompute every hash and the head."""
    from lindung.audit.models import AuditChainHead

    prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq"):
        fields = {
            "seq": event.seq,
            "occurred_at": event.occurred_at.isoformat(),
            "actor_id": event.actor_id,
            "actor_username": event.actor_username,
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "region_code": event.region_code,
            "changes": event.changes,
            "ip_address": event.ip_address,
        }
        payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        event.prev_hash = prev
        event.hash = hashlib.sha256(f"{prev}|{payload}".encode()).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        prev = event.hash
    AuditChainHead.objects.filter(pk=1).update(count=AuditEvent.objects.count(), last_hash=prev)


@pytest.fixture
def checkpointed(db, settings, tmp_path):
    settings.LINDUNG_AUDIT_CHECKPOINT_EVERY = 3
    settings.LINDUNG_AUDIT_CHECKPOINT_LOG = tmp_path / "checkpoints.log"
    return settings.LINDUNG_AUDIT_CHECKPOINT_LOG


@pytest.mark.django_db(transaction=True)  # the log line is written on commit
def test_checkpoint_every_n_events_in_database_and_log(checkpointed):
    from lindung.audit.models import AuditCheckpoint
    from lindung.audit.recording import read_checkpoint_log

    for i in range(7):
        audit_record(actor=None, actor_username="system", action="test.event", target_id=i)
    events = {e.seq: e.hash for e in AuditEvent.objects.all()}
    assert list(AuditCheckpoint.objects.order_by("count").values_list("count", "last_hash")) == [
        (3, events[3]),
        (6, events[6]),
    ]
    assert read_checkpoint_log(checkpointed) == [(3, events[3]), (6, events[6])]


@pytest.mark.django_db(transaction=True)
def test_deleting_latest_events_and_rewriting_the_head_is_caught_by_the_log(checkpointed):
    from django.core.management import CommandError, call_command

    from lindung.audit.models import AuditCheckpoint

    for i in range(7):
        audit_record(actor=None, actor_username="system", action="test.event", target_id=i)
    # Delete the last three events and the database checkpoint that covered them; rewrite the head.
    AuditEvent.objects.filter(seq__gte=5).delete()
    AuditCheckpoint.objects.filter(count=6).delete()
    _rewrite_chain_consistently()
    assert audit_verify().ok  # the database alone no longer shows it
    with pytest.raises(CommandError, match=r"#5: titik periksa mencatat 6 peristiwa"):
        call_command("audit-verify")  # the log outside the database does


@pytest.mark.django_db(transaction=True)
def test_recomputed_chain_after_an_edit_is_caught_by_a_checkpoint(checkpointed):
    from lindung.audit.recording import read_checkpoint_log

    for i in range(4):
        audit_record(actor=None, actor_username="system", action="test.event", target_id=i)
    AuditEvent.objects.filter(seq=2).update(changes={"forged": True})
    _rewrite_chain_consistently()
    report = audit_verify()  # the database checkpoint at #3 no longer matches
    assert (report.ok, report.first_broken_seq) == (False, 3)
    report = audit_verify(external_checkpoints=read_checkpoint_log(checkpointed))
    assert report.first_broken_seq == 3


@pytest.mark.django_db(transaction=True)
def test_reordered_latest_events_detected_even_when_rehashed(checkpointed):
    for i in range(6):
        audit_record(actor=None, actor_username="system", action="test.event", target_id=i)
    five, six = AuditEvent.objects.get(seq=5), AuditEvent.objects.get(seq=6)
    AuditEvent.objects.filter(pk=five.pk).update(seq=1000)
    AuditEvent.objects.filter(pk=six.pk).update(seq=5)
    AuditEvent.objects.filter(pk=five.pk).update(seq=6)
    assert audit_verify().first_broken_seq == 5
    _rewrite_chain_consistently()
    assert audit_verify().first_broken_seq == 6  # the checkpoint at #6 names the original last event


def test_audit_checkpoint_command_records_the_head(chain, checkpointed):
    from django.core.management import call_command

    from lindung.audit.models import AuditCheckpoint

    call_command("audit-checkpoint")
    call_command("audit-checkpoint")  # idempotent for the same head
    assert list(AuditCheckpoint.objects.values_list("count", "last_hash")) == [(5, chain[-1].hash)]
