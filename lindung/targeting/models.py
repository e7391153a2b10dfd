"""The list of who a village protects: numbered versions, their frozen entries, overrides and deliberations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.programmes.models import Programme
from lindung.regions.models import Region
from lindung.registry.models import Worker


class SelectionList(models.Model):
    """One village's list in one programme for one budget year (each budget year starts a new decree)."""

    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="selection_lists", verbose_name=_("village")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="selection_lists", verbose_name=_("programme")
    )
    budget_year = models.PositiveSmallIntegerField(_("budget year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["village", "-budget_year", "programme"]
        verbose_name = _("recipient list")
        verbose_name_plural = _("recipient lists")
        constraints = [
            models.UniqueConstraint(fields=["village", "programme", "budget_year"], name="selection_list_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.village} — {self.programme} {self.budget_year}"


class SelectionVersion(models.Model):
    """A numbered version of a list. Approval freezes it; any later change opens the next number."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Replaced by a later version")

    selection_list = models.ForeignKey(SelectionList, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    reference_date = models.DateField(_("rules applied as on"))
    rules = models.JSONField(_("rules applied"), default=dict)
    quota = models.PositiveIntegerField(_("quota"))
    quota_source = models.CharField(_("quota from"), max_length=12)  # "agreement" | "programme"
    selected_count = models.PositiveIntegerField(default=0)
    waiting_count = models.PositiveIntegerField(default=0)
    excluded_count = models.PositiveIntegerField(default=0)
    ineligible_count = models.PositiveIntegerField(default=0)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("prepared by")
    )
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    decree_number = models.CharField(_("decree number"), max_length=100, blank=True)
    decree_date = models.DateField(_("decree date"), null=True, blank=True)
    return_note = models.TextField(_("note from the village head"), blank=True)

    class Meta:
        ordering = ["selection_list", "-number"]
        verbose_name = _("list version")
        verbose_name_plural = _("list versions")
        constraints = [
            models.UniqueConstraint(fields=["selection_list", "number"], name="selection_version_number_unique"),
            models.UniqueConstraint(
                fields=["selection_list"],
                condition=Q(status__in=["draft", "awaiting_approval"]),
                name="selection_version_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.selection_list} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.SUPERSEDED)


class SelectionEntry(models.Model):
    """One worker in one version, with the data the decree needs copied in (frozen with the version)."""

    class Status(models.TextChoices):
        SELECTED = "selected", _("Selected")
        WAITING = "waiting", _("Waiting list")
        EXCLUDED = "excluded", _("Excluded by override")
        INELIGIBLE = "ineligible", _("Not eligible")

    version = models.ForeignKey(SelectionVersion, on_delete=models.CASCADE, related_name="entries")
    worker = models.ForeignKey(Worker, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    rank = models.PositiveIntegerField(_("priority rank"), null=True)
    position = models.PositiveIntegerField(_("number in its list"), null=True)
    name = models.CharField(_("name"), max_length=150)
    nik = models.CharField(_("NIK"), max_length=16)
    occupation_code = models.PositiveSmallIntegerField(null=True)
    occupation_name = models.CharField(_("occupation"), max_length=150, blank=True)
    hamlet = models.CharField(_("banjar/dusun"), max_length=100, blank=True)
    factors = models.JSONField(_("factors"), default=list)
    failures = models.JSONField(_("reasons not eligible"), default=list)
    decided_by = models.CharField(max_length=20, blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)
    notes = models.JSONField(default=list)

    class Meta:
        ordering = ["version", "pk"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        indexes = [models.Index(fields=["version", "status", "position"], name="selection_entry_place")]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class Override(models.Model):
    """A decision of the village to put a worker in or out regardless of rank, with its written reason."""

    class Kind(models.TextChoices):
        FORCE_IN = "force_in", _("Include")
        FORCE_OUT = "force_out", _("Exclude")

    selection_list = models.ForeignKey(SelectionList, on_delete=models.CASCADE, related_name="overrides")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        ordering = ["selection_list", "-created_at"]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["selection_list", "worker"], condition=Q(revoked_at__isnull=True), name="override_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.worker_id}"


class VillageDeliberation(models.Model):
    """The musyawarah desa that agreed on a version of the list."""

    version = models.ForeignKey(SelectionVersion, on_delete=models.CASCADE, related_name="deliberations")
    held_on = models.DateField(_("held on"))
    attendees = models.PositiveIntegerField(_("number of attendees"))
    minutes = models.FileField(_("minutes (PDF/image)"), upload_to="targeting/minutes/%Y/")
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["version", "-held_on", "-pk"]
        verbose_name = _("village deliberation")
        verbose_name_plural = _("village deliberations")

    def __str__(self) -> str:
        return f"Musyawarah {self.held_on.isoformat()} ({self.version})"
