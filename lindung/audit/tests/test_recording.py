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
