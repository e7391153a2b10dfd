"""The registry of vulnerable workers: who they are, where they live, what they do, who depends on them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.regions.models import Region


class Worker(models.Model):
    """A candidate or covered worker. The NIK is unique nation-wide: one person, one record."""

    class Sex(models.TextChoices):
        MALE = "L", _("Male")
        FEMALE = "P", _("Female")

    class EmploymentStatus(models.TextChoices):
        INFORMAL = "informal", _("Informal work, no fixed employer")
        SELF_EMPLOYED = "self_employed", _("Own business")
        DAILY_LABOURER = "daily_labourer", _("Daily labourer")
        NOT_WORKING = "not_working", _("Not working")

    nik = models.CharField(_("NIK"), max_length=16)  # unique nation-wide: Meta.constraints
    kk_number = models.CharField(_("family card number"), max_length=16, blank=True)
    name = models.CharField(_("full name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    hamlet = models.CharField(_("banjar/dusun"), max_length=100, blank=True)
    village = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="workers",
        verbose_name=_("village"),
        limit_choices_to={"level": Region.Level.VILLAGE},
        # Indexed by worker_village_name (its first column); the reference to the region is enforced by
        # set-based triggers, not a per-row foreign-key check (migration 0003 says why and how).
        db_index=False,
        db_constraint=False,
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    occupation_code = models.PositiveSmallIntegerField(_("occupation"), null=True, blank=True)
    specialisation = models.CharField(_("specialisation"), max_length=150, blank=True)
    monthly_income = models.PositiveIntegerField(_("monthly income (Rp)"), null=True, blank=True)
    employment_status = models.CharField(
        _("employment status"),
        max_length=20,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.INFORMAL,
    )
    decile = models.PositiveSmallIntegerField(_("P3KE/DTSEN decile"), null=True, blank=True)
    extreme_poor = models.BooleanField(_("extreme poor (village deliberation)"), default=False)
    extreme_poor_note = models.CharField(_("deliberation note"), max_length=255, blank=True)
    has_disability = models.BooleanField(_("disability"), default=False)
    is_wage_earner_member = models.BooleanField(_("already a BPJS wage-earner (PU) member"), default=False)
    consent_given = models.BooleanField(_("consent to data processing"), default=False)
    consent_on = models.DateField(_("consent date"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Set once by the retention rule (`lindung.registry.retention`): the personal data is gone, the row stays for
    # statistics, invoices and the audit chain.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        # Every index is paid for by each imported row (8.4 million workers nation-wide): only those the reads
        # need. See migration 0003.
        indexes = [
            models.Index(
                fields=["village", "name"], name="worker_village_name", opclasses=["varchar_pattern_ops", "varchar_ops"]
            )
        ]
        constraints = [models.UniqueConstraint(fields=["nik"], name="worker_nik_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_extreme_poor(self) -> bool:
        """RULES.md: decile 1, or flagged by the village deliberation."""
        return self.decile == 1 or self.extreme_poor


class Child(models.Model):
    class SchoolLevel(models.TextChoices):
        NONE = "none", _("Not in school")
        TK = "TK", _("Kindergarten (TK)")
        SD = "SD", _("Primary (SD)")
        SMP = "SMP", _("Junior secondary (SMP)")
        SMA = "SMA", _("Senior secondary (SMA/SMK)")
        PT = "PT", _("Higher education / vocational (PT)")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(_("name"), max_length=150)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    birth_date = models.DateField(_("date of birth"))
    school_level = models.CharField(
        _("school level"), max_length=4, choices=SchoolLevel.choices, default=SchoolLevel.NONE
    )
    grade = models.PositiveSmallIntegerField(_("grade within the level"), null=True, blank=True)
    grade_estimated = models.BooleanField(_("grade estimated from age"), default=False)
    married = models.BooleanField(_("married"), default=False)
    working = models.BooleanField(_("working"), default=False)

    class Meta:
        ordering = ["birth_date", "pk"]
        verbose_name = _("child")
        verbose_name_plural = _("children")

    def __str__(self) -> str:
        return self.name


class Heir(models.Model):
    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("Husband/wife")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        SIBLING = "sibling", _("Sibling")
        GRANDCHILD = "grandchild", _("Grandchild")
        GRANDPARENT = "grandparent", _("Grandparent")
        OTHER = "other", _("Other (by heir statement)")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="heirs")
    name = models.CharField(_("name"), max_length=150)
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("heir")
        verbose_name_plural = _("heirs")

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """One uploaded file: kept, validated, summarised, then applied all-or-nothing or cancelled."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Checking")
        VALIDATED = "validated", _("Checked, waiting for your decision")
        APPLYING = "applying", _("Saving")
        APPLIED = "applied", _("Saved")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    original_name = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(max_length=500)
    file_format = models.CharField(max_length=8, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField(_("message"), blank=True)
    rows = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    columns = models.JSONField(default=list, blank=True)  # canonical columns present in the file
    errors_path = models.CharField(max_length=500, blank=True)
    valid_path = models.CharField(max_length=500, blank=True)
    dry_run = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class WorkerTransfer(models.Model):
    """A worker moving between villages: requested by the new village, confirmed by the old one."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="transfers")
    from_village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    to_village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    note = models.CharField(_("note"), max_length=255, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("village transfer")
        verbose_name_plural = _("village transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=models.Q(status="requested"), name="one_open_transfer_per_worker"
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.from_village_id} → {self.to_village_id}"
