"""Imports from and exports to the systems villages already run (OpenSID, P3KE/DTSEN extracts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.regions.models import Region
from lindung.registry.models import ImportBatch, Worker


class OpensidImport(models.Model):
    """One OpenSID population export for one village: planned, previewed, then applied all-or-nothing.

    The workers travel through the registry's staged import (`batch`); the plan keeps what the registry does
    not hold: children, skipped rows with their reasons, and residents marked dead.
    """

    class Status(models.TextChoices):
        VALIDATED = "validated", _("Checked, waiting for your decision")
        APPLIED = "applied", _("Saved")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(max_length=500)
    file_sha256 = models.CharField(max_length=64)
    reference_date = models.DateField(_("ages taken on"))
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALIDATED)
    summary = models.JSONField(default=dict, blank=True)
    plan = models.JSONField(default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("OpenSID import")
        verbose_name_plural = _("OpenSID imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class LifeEventReview(models.Model):
    """A life event reported by another system about a member, waiting for the village to act on it.

    The claims app starts an incident only from a report with its place, reporter and description; a line in
    an OpenSID export is not that, so it becomes a review item that the operator turns into an incident report
    (or dismisses) by hand.
    """

    class Kind(models.TextChoices):
        DEATH = "death", _("Marked dead in OpenSID: possible death claim")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Handled")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="+", verbose_name=_("worker"))
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    source = models.ForeignKey(OpensidImport, on_delete=models.SET_NULL, null=True, related_name="reviews")
    source_row = models.PositiveIntegerField(_("row in the file"), null=True)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["status", "-created_at", "-pk"]
        verbose_name = _("life event to review")
        verbose_name_plural = _("life events to review")
        constraints = [models.UniqueConstraint(fields=["worker", "kind"], name="life_event_review_once")]

    def __str__(self) -> str:
        return f"{self.worker} — {self.get_kind_display()}"


class PovertyProposal(models.Model):
    """A poor resident in a P3KE/DTSEN extract who is not registered: proposed, never created, until the
    village confirms them."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Registered")
        DISMISSED = "dismissed", _("Dismissed")

    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    nik = models.CharField(_("NIK"), max_length=16)
    kk_number = models.CharField(_("family card number"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    decile = models.PositiveSmallIntegerField(_("decile"), null=True)
    extreme_poor = models.BooleanField(_("extreme poor"), default=False)
    reason = models.CharField(_("why proposed"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    source_file = models.CharField(_("file"), max_length=255)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["village", "status", "decile", "name"]
        verbose_name = _("proposed worker (P3KE/DTSEN)")
        verbose_name_plural = _("proposed workers (P3KE/DTSEN)")
        constraints = [models.UniqueConstraint(fields=["village", "nik"], name="poverty_proposal_once")]

    def __str__(self) -> str:
        return self.name or self.nik
