"""Append events to the audit chain. Call inside the transaction of the change being recorded."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from lindung.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent

GENESIS_HASH = "0" * 64
logger = logging.getLogger("lindung.audit")


def event_hash(*, prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the event's own fields in canonical JSON."""
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{prev_hash}|{payload}".encode()).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
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


def _client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def audit_record(
    *,
    actor: Any,
    action: str,
    target_type: str = "",
    target_id: str | int = "",
    region_code: str = "",
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_username: str = "",
) -> AuditEvent:
    """Append one event to the chain; the chain head is locked so appends are strictly serial."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        is_user = actor is not None and getattr(actor, "pk", None) is not None
        event = AuditEvent(
            seq=head.count + 1,
            occurred_at=timezone.now(),
            actor=actor if is_user else None,
            actor_username=actor_username or (actor.get_username() if is_user else ""),
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            region_code=region_code,
            changes=changes or {},
            ip_address=_client_ip(request),
            prev_hash=head.last_hash,
        )
        # Round-trip the JSON so the hash is computed over exactly what the database returns.
        event.changes = json.loads(json.dumps(event.changes, default=str))
        event.hash = event_hash(prev_hash=event.prev_hash, fields=_hashed_fields(event))
        event.save(force_insert=True)
        head.count = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["count", "last_hash"])
        if event.seq % settings.LINDUNG_AUDIT_CHECKPOINT_EVERY == 0:
            _checkpoint_write(head)
    return event


def _checkpoint_write(head: AuditChainHead) -> AuditCheckpoint:
    checkpoint = AuditCheckpoint.objects.create(count=head.count, last_hash=head.last_hash)
    count, last_hash = checkpoint.count, checkpoint.last_hash
    # The log line outside the database is written only once the checkpoint is committed with its events.
    transaction.on_commit(lambda: _checkpoint_log(count, last_hash))
    return checkpoint


def _checkpoint_log(count: int, last_hash: str) -> None:
    line = f"{timezone.now().isoformat()} audit-checkpoint count={count} hash={last_hash}"
    logger.info(line)
    path = Path(settings.LINDUNG_AUDIT_CHECKPOINT_LOG)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def audit_checkpoint() -> AuditCheckpoint | None:
    """Record the chain head now (for a scheduled job and server start); None when the chain is empty."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        if head.count == 0:
            return None
        existing = AuditCheckpoint.objects.filter(count=head.count).first()
        return existing or _checkpoint_write(head)


_CHECKPOINT_LINE = re.compile(r"audit-checkpoint count=(\d+) hash=([0-9a-f]{64})")


def read_checkpoint_log(path: Path) -> list[tuple[int, str]]:
    """The (count, hash) pairs of a checkpoint log; other lines (a shared log file) are skipped."""
    found = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = _CHECKPOINT_LINE.search(line)
            if match:
                found.append((int(match.group(1)), match.group(2)))
    return found


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def audit_verify(batch_size: int = 5000, external_checkpoints: Iterable[tuple[int, str]] = ()) -> ChainReport:
    """Walk the chain in order and name the first event whose link or hash does not match.

    Checkpoints (those in the database and those read from the log outside it) must each match the event at
    their count: that catches the latest events deleted with the head rewritten, or a chain recomputed.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    expected: dict[int, set[str]] = {}
    for count, last_hash in [*AuditCheckpoint.objects.values_list("count", "last_hash"), *external_checkpoints]:
        expected.setdefault(count, set()).add(last_hash)
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                return ChainReport(checked, expected_seq, "urutan terputus (peristiwa hilang)")
            if event.prev_hash != prev_hash:
                return ChainReport(checked, event.seq, "tautan ke peristiwa sebelumnya tidak cocok")
            if event_hash(prev_hash=event.prev_hash, fields=_hashed_fields(event)) != event.hash:
                return ChainReport(checked, event.seq, "isi peristiwa telah diubah")
            if event.seq in expected and expected[event.seq] != {event.hash}:
                return ChainReport(checked, event.seq, "tidak cocok dengan titik periksa (rantai dihitung ulang)")
            prev_hash = event.hash
            expected_seq += 1
            checked += 1
            last_seq = event.seq
    if head is not None and (head.count != checked or head.last_hash != prev_hash):
        return ChainReport(checked, checked + 1, "kepala rantai tidak cocok (peristiwa terakhir dihapus)")
    beyond = [count for count in expected if count > checked]
    if beyond:
        return ChainReport(
            checked, checked + 1, f"titik periksa mencatat {max(beyond)} peristiwa (peristiwa terakhir dihapus)"
        )
    return ChainReport(checked, None, "")
