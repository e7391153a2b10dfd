"""Membership of an approved worker with BPJS Ketenagakerjaan in a programme, with its dated status history.

`paid_through` and the statuses active / arrears / lapsed are derived from the village's payments by
`lindung.billing.services.cover_recompute` (RULES.md "Cover and lapse"), never typed in. A lapse ends the membership;
the village's next payment starts a new one (`renews` points at the lapsed one).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.programmes.models import Package, Programme
from lindung.registry.models import Worker


class Membership(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending registration")
        ACTIVE = "active", _("Active")
        ARREARS = "arrears", _("In arrears")
        LAPSED = "lapsed", _("Lapsed")
        ENDED = "ended", _("Ended")

    class EndReason(models.TextChoices):
        NONE = "", _("(none)")
        DEATH = "death", _("Death")
        MOVED = "moved", _("Moved away")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        WAGE_EARNER = "wage_earner", _("Became a wage earner")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("programme")
    )
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("worker"))
    kpj_number = models.CharField(_("KPJ number"), max_length=20, blank=True)
    kpj_effective_on = models.DateField(_("effective date at BPJS"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    declared_income = models.PositiveIntegerField(_("declared income (Rp)"))
    package = models.CharField(_("benefit package"), max_length=12, choices=Package.choices, default=Package.JKK_JKM)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    end_reason = models.CharField(_("reason for ending"), max_length=12, choices=EndReason.choices, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    renews = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renews the lapsed membership"),
    )
    # Derived from payments (RULES.md): the first day of the last month paid for; the month before the start month
    # when nothing is paid yet.
    paid_through = models.DateField(_("paid through"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["programme", "worker", "starts_on", "pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "worker"],
                condition=Q(status__in=["pending", "active", "arrears"]),
                name="membership_one_open_per_worker",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "status"], name="membership_programme_status"),
            models.Index(fields=["kpj_number"], name="membership_kpj"),
            # The arrears warnings of the home and billing pages: open memberships by paid_through (without it,
            # every home page scans all memberships).
            models.Index(fields=["paid_through"], condition=Q(ended_on__isnull=True), name="membership_open_paid"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} — {self.programme}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.ACTIVE, self.Status.ARREARS)


class MembershipStatusChange(models.Model):
    """One dated change of a membership's status; appended, never edited."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=8, choices=Membership.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=8, choices=Membership.Status.choices)
    on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["membership", "on", "pk"]
        verbose_name = _("membership status change")
        verbose_name_plural = _("membership status changes")

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.from_status} → {self.to_status} ({self.on.isoformat()})"


class RegistrationFile(models.Model):
    """A collective registration file sent to the BPJS branch, and the branch's answer (KPJ numbers) once imported."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    region_code = models.CharField(_("region"), max_length=20, blank=True)
    memberships = models.ManyToManyField(Membership, related_name="registration_files")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answer imported at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("collective registration file")
        verbose_name_plural = _("collective registration files")

    def __str__(self) -> str:
        return f"{self.pk} {self.region_code} {self.created_at:%Y-%m-%d}"
