"""Programmes, their effective-dated rules, and the cooperation agreements (PKS) that bring villages in."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.regions.models import Region

#: RULES.md priority order (default): extreme-poor, lower decile, more dependants, higher occupational risk,
#: older age, earlier registration, NIK ascending.
DEFAULT_PRIORITY_ORDER = ["extreme_poor", "decile", "dependants", "occupation_risk", "age", "registered_at", "nik"]


def default_priority_order() -> list[str]:
    return list(DEFAULT_PRIORITY_ORDER)


class Funder(models.TextChoices):
    """Who pays a village's contributions (RULES.md "Contributions")."""

    APBDES = "apbdes", _("Village budget (APBDes / Dana Desa)")
    APBD = "apbd", _("City/regency budget (APBD)")
    OTHER = "other", _("Other funder")


class Package(models.TextChoices):
    JKK_JKM = "jkk_jkm", _("JKK + JKM")
    JKK_JKM_JHT = "jkk_jkm_jht", _("JKK + JKM + JHT")


class Programme(models.Model):
    """A protection programme running in a region (its villages are those whose code starts with region's)."""

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("region"))
    quota_per_village = models.PositiveIntegerField(_("quota per village"), default=100)
    package = models.CharField(_("benefit package"), max_length=12, choices=Package.choices, default=Package.JKK_JKM)
    declared_income = models.PositiveIntegerField(_("declared income (Rp)"), default=1_000_000)
    kelurahan_funder = models.CharField(
        _("funder for kelurahan"), max_length=8, choices=Funder.choices, default=Funder.APBD
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True, help_text=_("One reference per line."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def legal_basis_lines(self) -> list[str]:
        return [line.strip() for line in self.legal_basis.splitlines() if line.strip()]

    def default_funder_for(self, village: Region) -> str:
        """A desa pays from its APBDes; a kelurahan is paid by the programme's kelurahan funder."""
        if village.kind == Region.Kind.KELURAHAN:
            return str(self.kelurahan_funder)
        return Funder.APBDES.value


class ProgrammeRules(models.Model):
    """The RULES.md defaults for a programme from a date on. A change adds a row; rows are never edited."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rules")
    effective_from = models.DateField(_("effective from"))
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), default=65)
    income_threshold = models.PositiveIntegerField(_("income threshold (Rp)"), default=1_000_000)
    priority_order = models.JSONField(_("priority order"), default=default_priority_order)
    apply_discount_for_apbdes = models.BooleanField(_("apply the PP 50/2025 discount to APBDes members"), default=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["programme", "-effective_from"]
        verbose_name = _("programme rules")
        verbose_name_plural = _("programme rules")
        constraints = [
            models.UniqueConstraint(fields=["programme", "effective_from"], name="programme_rules_one_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.programme} ({self.effective_from.isoformat()})"


class FrameworkAgreement(models.Model):
    """A provincial or city-level framework agreement, or a circular, that village agreements refer to."""

    class Kind(models.TextChoices):
        FRAMEWORK = "framework", _("Framework agreement")
        CIRCULAR = "circular", _("Circular")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="framework_agreements", verbose_name=_("region")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FRAMEWORK)
    number = models.CharField(_("number"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    document = models.FileField(_("document"), upload_to="programmes/framework/%Y/", blank=True)

    class Meta:
        ordering = ["region", "signed_on", "number"]
        verbose_name = _("framework agreement")
        verbose_name_plural = _("framework agreements")

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"


class Agreement(models.Model):
    """A cooperation agreement (PKS) of one village in one programme."""

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        IN_DISCUSSION = "in_discussion", _("In discussion")
        SIGNED = "signed", _("Signed")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("programme")
    )
    village = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("village"),
        limit_choices_to={"level": Region.Level.VILLAGE},
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROSPECT)
    village_number = models.CharField(_("village's agreement number"), max_length=100, blank=True)
    partner_number = models.CharField(_("partner's agreement number"), max_length=100, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    village_signatory = models.CharField(_("village signatory"), max_length=150, blank=True)
    partner_signatory = models.CharField(_("partner signatory"), max_length=150, blank=True)
    quota = models.PositiveIntegerField(_("quota"), null=True, blank=True)
    funder = models.CharField(_("funder"), max_length=8, choices=Funder.choices, default=Funder.APBDES)
    funder_name = models.CharField(_("funder name"), max_length=150, blank=True)
    document = models.FileField(_("scanned agreement"), upload_to="programmes/agreements/%Y/", blank=True)
    framework = models.ForeignKey(
        FrameworkAgreement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("framework agreement"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["programme", "village"]
        verbose_name = _("agreement (PKS)")
        verbose_name_plural = _("agreements (PKS)")
        constraints = [models.UniqueConstraint(fields=["programme", "village"], name="agreement_one_per_village")]
        indexes = [models.Index(fields=["status", "valid_from"], name="agreement_status_from")]

    def __str__(self) -> str:
        return f"PKS {self.village} — {self.programme}"

    @property
    def effective_quota(self) -> int:
        """The agreement's own quota, else the programme's quota per village."""
        return self.quota if self.quota is not None else self.programme.quota_per_village

    def is_in_force(self, on: date) -> bool:
        """Signed or active, and `on` within the validity dates (either end may be open)."""
        if self.status not in (self.Status.SIGNED, self.Status.ACTIVE):
            return False
        if self.valid_from is not None and on < self.valid_from:
            return False
        return not (self.valid_until is not None and on > self.valid_until)


class AgreementTransition(models.Model):
    """One dated move of an agreement along its status pipeline."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=16, choices=Agreement.Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Agreement.Status.choices)
    on = models.DateField(_("date"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["agreement", "on", "pk"]
        verbose_name = _("agreement transition")
        verbose_name_plural = _("agreement transitions")

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.from_status} → {self.to_status} ({self.on.isoformat()})"
