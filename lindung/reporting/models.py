"""Summary tables behind the dashboards, refreshed set-based from the source tables (`refresh.py`).

`Summary` holds the current figures of one region (a village row computed from the raw tables; district, city,
province and the whole country (`"ID"`) aggregated from the rows below), `SummaryMonth` the monthly flows. A national
page reads one row and its ~38 children, never the 83,762 villages.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.regions.models import Region

COUNTRY = "ID"  # the pseudo region code of the whole country

#: Current figures of a region (stock). Order is the order of the export columns.
CURRENT_FIELDS = (
    "villages_desa",
    "villages_kelurahan",
    "agreements_desa",
    "agreements_kelurahan",
    "quota",
    "members_active",
    "members_arrears",
    "members_lapsed",
    "workers_registered",
    "extreme_registered",
    "extreme_covered",
    "poor_registered",
    "poor_covered",
    "contributions_billed",
    "contributions_paid",
    "claims_reported",
    "claims_documents_complete",
    "claims_submitted",
    "claims_paid",
    "claims_rejected",
    "claims_death",
    "claims_work_accident_death",
    "claims_total_permanent_disability",
    "claims_partial_disability",
    "claims_temporary_disability",
    "benefits_paid",
    "scholarships_active",
    "scholarships_owed",
    "training_enrolled",
    "training_completed",
)

#: Monthly flows of a region.
MONTH_FIELDS = (
    "agreements_signed",
    "workers_registered",
    "members_started",
    "members_paid",
    "contributions_billed",
    "contributions_paid",
    "claims_reported",
    "benefits_paid",
    "scholarships_paid",
    "training_enrolled",
    "training_completed",
)


class Summary(models.Model):
    """Current figures of one region (level 0 = the whole country, 4 = a desa/kelurahan)."""

    region_code = models.CharField(_("region"), max_length=13, primary_key=True)
    level = models.PositiveSmallIntegerField(_("level"), db_index=True)
    parent_code = models.CharField(_("parent region"), max_length=13, blank=True, db_index=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), default=timezone.now)
    villages_desa = models.PositiveIntegerField(default=0)
    villages_kelurahan = models.PositiveIntegerField(default=0)
    agreements_desa = models.PositiveIntegerField(default=0)
    agreements_kelurahan = models.PositiveIntegerField(default=0)
    quota = models.PositiveBigIntegerField(default=0)
    members_active = models.PositiveBigIntegerField(default=0)
    members_arrears = models.PositiveBigIntegerField(default=0)
    members_lapsed = models.PositiveBigIntegerField(default=0)
    workers_registered = models.PositiveBigIntegerField(default=0)
    extreme_registered = models.PositiveBigIntegerField(default=0)
    extreme_covered = models.PositiveBigIntegerField(default=0)
    poor_registered = models.PositiveBigIntegerField(default=0)
    poor_covered = models.PositiveBigIntegerField(default=0)
    contributions_billed = models.BigIntegerField(default=0)
    contributions_paid = models.BigIntegerField(default=0)
    claims_reported = models.PositiveIntegerField(default=0)
    claims_documents_complete = models.PositiveIntegerField(default=0)
    claims_submitted = models.PositiveIntegerField(default=0)
    claims_paid = models.PositiveIntegerField(default=0)
    claims_rejected = models.PositiveIntegerField(default=0)
    claims_death = models.PositiveIntegerField(default=0)
    claims_work_accident_death = models.PositiveIntegerField(default=0)
    claims_total_permanent_disability = models.PositiveIntegerField(default=0)
    claims_partial_disability = models.PositiveIntegerField(default=0)
    claims_temporary_disability = models.PositiveIntegerField(default=0)
    benefits_paid = models.BigIntegerField(default=0)
    scholarships_active = models.PositiveIntegerField(default=0)
    scholarships_owed = models.BigIntegerField(default=0)
    training_enrolled = models.PositiveIntegerField(default=0)
    training_completed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["region_code"]
        verbose_name = _("dashboard summary")
        verbose_name_plural = _("dashboard summaries")

    def __str__(self) -> str:
        return self.region_code


class SummaryMonth(models.Model):
    """Monthly flows of one region (`month` is the first day of the month)."""

    region_code = models.CharField(_("region"), max_length=13)
    level = models.PositiveSmallIntegerField(_("level"))
    month = models.DateField(_("month"))
    agreements_signed = models.PositiveIntegerField(default=0)
    workers_registered = models.PositiveBigIntegerField(default=0)
    members_started = models.PositiveBigIntegerField(default=0)
    members_paid = models.PositiveBigIntegerField(default=0)
    contributions_billed = models.BigIntegerField(default=0)
    contributions_paid = models.BigIntegerField(default=0)
    claims_reported = models.PositiveIntegerField(default=0)
    benefits_paid = models.BigIntegerField(default=0)
    scholarships_paid = models.BigIntegerField(default=0)
    training_enrolled = models.PositiveIntegerField(default=0)
    training_completed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["region_code", "month"]
        verbose_name = _("dashboard monthly summary")
        verbose_name_plural = _("dashboard monthly summaries")
        constraints = [models.UniqueConstraint(fields=["region_code", "month"], name="summary_month_unique")]
        indexes = [models.Index(fields=["level", "region_code"], name="summary_month_level")]

    def __str__(self) -> str:
        return f"{self.region_code} {self.month:%Y-%m}"


class RefreshState(models.Model):
    """The single row saying when the summaries were last refreshed (their "data as of") and from which moment
    the next refresh looks for changes."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    refreshed_at = models.DateTimeField(_("data as of"), null=True, blank=True)
    watermark = models.DateTimeField(null=True, blank=True)  # changes at or after this are not yet summarised
    requested_at = models.DateTimeField(null=True, blank=True)  # the last time a refresh task was enqueued
    last_duration_s = models.FloatField(default=0)
    last_villages = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("summary refresh state")

    def __str__(self) -> str:
        return f"{self.refreshed_at}"


class PovertyRate(models.Model):
    """The city's poverty and extreme-poverty rates as published (entered by the city officer), dated."""

    city = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("city/regency"),
        limit_choices_to={"level": Region.Level.REGENCY},
    )
    as_of = models.DateField(_("as of"))
    poverty_rate = models.DecimalField(_("poverty rate (%)"), max_digits=5, decimal_places=2)
    extreme_poverty_rate = models.DecimalField(_("extreme poverty rate (%)"), max_digits=5, decimal_places=2)
    source = models.CharField(_("source"), max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        ordering = ["city", "as_of"]
        verbose_name = _("poverty rate")
        verbose_name_plural = _("poverty rates")
        constraints = [models.UniqueConstraint(fields=["city", "as_of"], name="poverty_rate_one_per_date")]

    def __str__(self) -> str:
        return f"{self.city_id} {self.as_of}: {self.extreme_poverty_rate}%"
