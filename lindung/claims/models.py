"""Incidents, claims with their BPJS workflow, documents, payouts to heirs and scholarship plans (issue 6).

Amounts are whole rupiah. The quote a claim carries is the benefit engine's output (`lindung.benefits.engine`,
`jsonio.quote_to_json`) as of the event date; nothing here re-computes a benefit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.membership.models import Membership
from lindung.regions.models import Region
from lindung.registry.models import Child, Heir, Worker


class IncidentType(models.TextChoices):
    """The engine's event types (`lindung.benefits.engine.EventType`), with their names for people."""

    DEATH = "death", _("Death, not a work accident (JKM)")
    WORK_ACCIDENT_DEATH = "work_accident_death", _("Death from a work accident (JKK)")
    TOTAL_PERMANENT_DISABILITY = "total_permanent_disability", _("Total permanent disability (JKK)")
    PARTIAL_DISABILITY = "partial_disability", _("Partial disability (JKK)")
    TEMPORARY_DISABILITY = "temporary_disability", _("Temporary inability to work (JKK, STMB)")


DEATH_TYPES = (IncidentType.DEATH, IncidentType.WORK_ACCIDENT_DEATH)


class Incident(models.Model):
    class ReporterRole(models.TextChoices):
        FAMILY = "family", _("Family member")
        NEIGHBOUR = "neighbour", _("Neighbour")
        HAMLET_HEAD = "hamlet_head", _("Head of banjar/dusun")
        VILLAGE_STAFF = "village_staff", _("Village staff")
        EMPLOYER = "employer", _("Work partner or customer")
        OTHER = "other", _("Other")

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("worker"))
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("membership")
    )
    # The worker's village on the day of the report: scope and liabilities follow it even if the family moves.
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    date = models.DateField(_("date of the incident"))
    type = models.CharField(_("type"), max_length=32, choices=IncidentType.choices)
    place = models.CharField(_("place"), max_length=255)
    description = models.TextField(_("what happened"))
    reporter_name = models.CharField(_("reported by (name)"), max_length=150)
    reporter_role = models.CharField(_("reporter's relation"), max_length=16, choices=ReporterRole.choices)
    # Details the engine needs for some types.
    months_unable = models.PositiveSmallIntegerField(_("months unable to work"), null=True, blank=True)
    disability_percent = models.DecimalField(
        _("disability table percentage"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    function_loss_percent = models.DecimalField(
        _("percentage of function lost"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    medical_cost = models.PositiveBigIntegerField(_("medical costs billed (Rp)"), default=0)
    transport_land = models.PositiveIntegerField(_("land transport (Rp)"), default=0)
    transport_sea = models.PositiveIntegerField(_("sea transport (Rp)"), default=0)
    transport_air = models.PositiveIntegerField(_("air transport (Rp)"), default=0)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["village", "date"], name="incident_village_date")]

    def __str__(self) -> str:
        return f"{self.worker} — {self.get_type_display()} ({self.date.isoformat()})"

    @property
    def is_death(self) -> bool:
        return self.type in DEATH_TYPES


class Claim(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        DOCUMENTS_COMPLETE = "documents_complete", _("Documents complete")
        SUBMITTED = "submitted", _("Submitted to BPJS")
        PAID = "paid", _("Paid by BPJS")
        REJECTED = "rejected", _("Rejected by BPJS")

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="claim")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REPORTED)
    # The engine's output (jsonio.quote_to_json) under the parameter rows in force on `parameters_on`.
    quote = models.JSONField(_("quote"), default=dict)
    # While the cause of a death is being assessed: the quote for the other cause (JKM vs JKK), shown beside it.
    alternative_quote = models.JSONField(_("quote for the other cause"), null=True, blank=True)
    cause_under_assessment = models.BooleanField(_("cause under assessment (possible work accident)"), default=False)
    parameters_on = models.DateField(_("parameters as of"))
    member_inputs = models.JSONField(_("membership data used"), default=dict)
    chosen_children = models.JSONField(_("children chosen for scholarships"), default=list, blank=True)  # Child pks
    quote_children = models.JSONField(default=dict, blank=True)  # name in the quote -> Child pk
    quoted_at = models.DateTimeField(_("quoted at"), default=timezone.now)
    bpjs_reference = models.CharField(_("BPJS reference"), max_length=100, blank=True)
    bpjs_paid_amount = models.PositiveBigIntegerField(_("amount paid by BPJS (Rp)"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        indexes = [models.Index(fields=["status"], name="claim_status")]

    def __str__(self) -> str:
        return f"{_('Claim')} {self.pk}: {self.incident}"

    @property
    def cash_total(self) -> int:
        return int(self.quote.get("cash_total", 0))


class ClaimTransition(models.Model):
    """One dated move of a claim's status; appended, never edited."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=20, choices=Claim.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Claim.Status.choices)
    on = models.DateField(_("date"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["claim", "recorded_at", "pk"]
        verbose_name = _("claim status change")
        verbose_name_plural = _("claim status changes")

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_status} → {self.to_status} ({self.on.isoformat()})"


class ClaimDocument(models.Model):
    """One uploaded document of a claim's checklist (`checklist.py`); several files may answer one item."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=32)
    file = models.FileField(_("file"), upload_to="claims/%Y/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["claim", "kind", "uploaded_at", "pk"]
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")

    def __str__(self) -> str:
        return f"{self.claim_id} {self.kind}: {self.original_name}"


class Payout(models.Model):
    """Money that reached one recipient (an heir, or the worker for a disability), against the quoted share."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payouts")
    heir = models.ForeignKey(
        Heir, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("heir")
    )
    recipient_name = models.CharField(_("recipient"), max_length=150)
    relation = models.CharField(_("relation"), max_length=16, blank=True)
    quoted_amount = models.PositiveBigIntegerField(_("quoted share (Rp)"))
    amount = models.PositiveBigIntegerField(_("amount paid (Rp)"))
    paid_on = models.DateField(_("paid on"))
    bank = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=34)  # where the money went
    is_minor = models.BooleanField(_("minor"), default=False)
    guardian_name = models.CharField(_("guardian (wali)"), max_length=150, blank=True)
    difference_reason = models.TextField(_("reason for the difference from the quote"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["claim", "pk"]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount=models.F("quoted_amount")) | ~Q(difference_reason=""),
                name="payout_difference_has_reason",
            ),
            models.CheckConstraint(condition=Q(is_minor=False) | ~Q(guardian_name=""), name="payout_minor_guardian"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name}: {self.amount}"

    @property
    def masked_account(self) -> str:
        """All but the last four digits hidden, for lists."""
        number = self.account_number
        return "•" * max(0, len(number) - 4) + number[-4:]


class ScholarshipPlan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        STOPPED = "stopped", _("Stopped")

    class StopReason(models.TextChoices):
        MARRIED = "married", _("Married")
        WORKING = "working", _("Started work")
        LEFT_SCHOOL = "left_school", _("Left school / did not continue")
        AGE_23 = "age_23", _("Reached the age limit (23)")
        NO_PROOF = "no_proof", _("No proof of enrolment for the year")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="plans")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+", verbose_name=_("child"))
    child_name = models.CharField(_("child"), max_length=150)  # as named in the quote
    schedule = models.JSONField(_("projected schedule"), default=list)  # the quote's years for this child
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    stop_reason = models.CharField(_("reason for stopping"), max_length=12, choices=StopReason.choices, blank=True)
    stopped_from = models.PositiveSmallIntegerField(_("stopped from school year"), null=True, blank=True)
    stop_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["claim", "child__birth_date", "pk"]
        verbose_name = _("scholarship plan")
        verbose_name_plural = _("scholarship plans")
        constraints = [models.UniqueConstraint(fields=["claim", "child"], name="plan_one_per_child")]

    def __str__(self) -> str:
        return f"{self.child_name} ({self.claim_id})"

    @property
    def projected_total(self) -> int:
        return sum(int(year["amount"]) for year in self.schedule)


class PlannedYear(models.Model):
    """One projected school year of a plan, as rows so that liabilities are summed by the database."""

    plan = models.ForeignKey(ScholarshipPlan, on_delete=models.CASCADE, related_name="planned_years")
    school_year = models.PositiveSmallIntegerField(_("school year"))
    level = models.CharField(_("level"), max_length=4)
    grade = models.PositiveSmallIntegerField(_("grade"))
    amount = models.PositiveIntegerField(_("amount (Rp)"))

    class Meta:
        ordering = ["plan", "school_year"]
        constraints = [models.UniqueConstraint(fields=["plan", "school_year"], name="planned_year_unique")]
        indexes = [models.Index(fields=["school_year"], name="planned_year_year")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.school_year}/{self.school_year + 1}: {self.amount}"


class ScholarshipDisbursement(models.Model):
    plan = models.ForeignKey(ScholarshipPlan, on_delete=models.PROTECT, related_name="disbursements")
    school_year = models.PositiveSmallIntegerField(_("school year"))
    amount = models.PositiveIntegerField(_("amount (Rp)"))
    difference_reason = models.TextField(_("reason for the difference from the plan"), blank=True)
    proof = models.FileField(_("proof of enrolment"), upload_to="claims/enrolment/%Y/")
    proof_name = models.CharField(_("file name"), max_length=255)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "school_year"]
        verbose_name = _("scholarship disbursement")
        verbose_name_plural = _("scholarship disbursements")
        constraints = [models.UniqueConstraint(fields=["plan", "school_year"], name="disbursement_one_per_year")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.school_year}: {self.amount}"
