"""Append-only audit trail, hash-chained so that tampering is detectable."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One change or security event. Never updated or deleted by the application."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    region_code = models.CharField(_("region code"), max_length=13, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.CharField(_("IP address"), max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # A record's history (the worker's page, its edit form's version): without it, every such page scans
            # the whole trail, which only grows.
            models.Index(fields=["target_type", "target_id", "seq"], name="audit_target_history"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"


class AuditChainHead(models.Model):
    """The single row every append locks, so concurrent writers cannot fork the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    count = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.count} @ {self.last_hash[:12]}"


class AuditCheckpoint(models.Model):
    """The chain head's count and hash at a moment, kept in the database and written to a log outside it.

    The chain alone cannot see its own latest events removed when the head row is rewritten too (or the whole
    chain recomputed: the hash has no secret); a checkpoint copied to the log file names what existed then.
    """

    count = models.PositiveBigIntegerField(_("events"), unique=True)
    last_hash = models.CharField(_("hash of the last event"), max_length=64)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-count"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"{self.count} @ {self.last_hash[:12]}"
