"""Invoices per paying village and month, their lines per member, payments, and the settlement derived from them.

Payments are never edited: a correction is a reversal entry (negative amount, `reversal_of` the payment). Everything
marked "derived" (invoice and line status, paid amounts, allocations, the account's credit) is rewritten by
`lindung.billing.services.cover_recompute` from the invoices and payments alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.membership.models import Membership
from lindung.programmes.models import Funder, Programme
from lindung.regions.models import Region


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Issuing invoices")
    SETTLING = "settling", _("Settling from credit")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BillingRun(models.Model):
    """One run of `billing_run` for a month (and optionally a region): what it created."""

    period = models.DateField(_("period"))
    region_prefix = models.CharField(_("region"), max_length=20, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invoices_created = models.PositiveIntegerField(default=0)
    invoices_unchanged = models.PositiveIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    # A run started from the page is a background task: queued → running → settling (credit) → done / failed. A run
    # of `billing_run` called directly (the command) is written whole in one transaction, hence the default "done".
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.DONE)
    message = models.TextField(_("message"), blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.region_prefix}".strip()


class Invoice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void (members lapsed or left)")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("programme")
    )
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("village"))
    funder = models.CharField(_("funder"), max_length=8, choices=Funder.choices)
    funder_name = models.CharField(_("funder name"), max_length=150, blank=True)
    period = models.DateField(_("period"), help_text=_("First day of the month billed."))
    discounted = models.BooleanField(_("PP 50/2025 discount applied"), default=False)
    total = models.BigIntegerField(_("total (Rp)"), default=0)
    run = models.ForeignKey(BillingRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Derived from payments by cover_recompute.
    status = models.CharField(_("status"), max_length=4, choices=Status.choices, default=Status.OPEN)
    paid_amount = models.BigIntegerField(_("paid (Rp)"), default=0)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        ordering = ["village", "period"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["programme", "village", "period"], name="invoice_one_per_village_month")
        ]
        indexes = [models.Index(fields=["period", "status"], name="invoice_period_status")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.period:%Y-%m}"


class InvoiceLine(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        LAPSED = "lapsed", _("Not payable: membership lapsed")
        LEFT = "left", _("Not payable: member left")
        BEFORE_START = "before_start", _("Not payable: before the start")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="invoice_lines")
    jkk = models.PositiveIntegerField(_("JKK (Rp)"))
    jkm = models.PositiveIntegerField(_("JKM (Rp)"))
    jht = models.PositiveIntegerField(_("JHT (Rp)"), default=0)
    amount = models.PositiveIntegerField(_("amount (Rp)"))
    rules = models.CharField(_("parameters used"), max_length=500)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["invoice", "pk"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [models.UniqueConstraint(fields=["invoice", "membership"], name="invoice_line_one_per_member")]

    def __str__(self) -> str:
        return f"{self.invoice} {self.membership_id}: {self.amount}"


class Payment(models.Model):
    class BudgetSource(models.TextChoices):
        DANA_DESA = "dana_desa", _("Dana Desa (APBDes)")
        ADD = "add", _("Alokasi Dana Desa (APBDes)")
        PADES = "pades", _("Village own revenue (APBDes)")
        APBD = "apbd", _("City/regency budget (APBD)")
        OTHER = "other", _("Other funder")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="payments", verbose_name=_("programme")
    )
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="payments", verbose_name=_("village"))
    value_date = models.DateField(_("value date"))
    amount = models.BigIntegerField(_("amount (Rp)"))  # negative for a reversal
    reference = models.CharField(_("reference"), max_length=100)
    budget_source = models.CharField(_("budget source"), max_length=10, choices=BudgetSource.choices)
    account_code = models.CharField(_("account code (kode rekening)"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    reversal_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("reverses"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["village", "value_date", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["programme", "village", "value_date"], name="payment_village_date")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.value_date.isoformat()} {self.amount}"


class PaymentAllocation(models.Model):
    """Derived: how much of a payment settled an invoice (oldest money first)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="allocations")
    amount = models.BigIntegerField()

    class Meta:
        ordering = ["invoice", "pk"]

    def __str__(self) -> str:
        return f"{self.payment_id} -> {self.invoice_id}: {self.amount}"


class Account(models.Model):
    """Derived: a paying village's credit in a programme after settling every invoice it can."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="billing_accounts")
    credit = models.BigIntegerField(_("credit (Rp)"), default=0)
    refundable = models.BigIntegerField(_("refundable (Rp)"), default=0)
    recomputed_at = models.DateTimeField(_("recomputed at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "village"], name="account_one_per_village")]

    def __str__(self) -> str:
        return f"{self.village_id}: {self.credit}"


class StatementImport(models.Model):
    """The BPJS branch's monthly contribution statement for a region, imported and reconciled against Lindung.

    One record per distinct content (period, region, layout and the normalised rows): importing the same statement
    again finds this record and creates nothing. The differences found are stored with it (`StatementDifference`).
    """

    class Layout(models.TextChoices):
        MEMBER = "member", _("One row per member (KPJ/NIK)")
        VILLAGE = "village", _("One row per village")

    period = models.DateField(_("period"), help_text=_("First day of the month of the statement."))
    region_code = models.CharField(_("region"), max_length=20)
    layout = models.CharField(_("layout"), max_length=8, choices=Layout.choices)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_hash = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    matched = models.PositiveIntegerField(_("rows that agree"), default=0)
    bpjs_total = models.BigIntegerField(_("total at BPJS (Rp)"), default=0)
    lindung_total = models.BigIntegerField(_("total recorded in Lindung (Rp)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        ordering = ["-period", "-created_at"]
        verbose_name = _("contribution statement")
        verbose_name_plural = _("contribution statements")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "period", "layout", "content_hash"], name="statement_one_per_content"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.period:%Y-%m}"


class StatementDifference(models.Model):
    class Kind(models.TextChoices):
        NOT_RECORDED = "not_recorded", _("Paid at BPJS, not recorded in Lindung")
        NOT_AT_BPJS = "not_at_bpjs", _("Recorded in Lindung, not at BPJS")
        AMOUNT = "amount", _("Different amounts")
        UNKNOWN = "unknown", _("Unknown KPJ/NIK or village")

    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="differences")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)  # none for "not at BPJS"
    village_code = models.CharField(_("village"), max_length=20, blank=True)
    kpj = models.CharField(_("KPJ"), max_length=20, blank=True)
    nik_masked = models.CharField(_("NIK"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    bpjs_amount = models.BigIntegerField(_("at BPJS (Rp)"), default=0)
    lindung_amount = models.BigIntegerField(_("in Lindung (Rp)"), default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["statement", "kind", "row", "village_code", "pk"]
        verbose_name = _("statement difference")
        verbose_name_plural = _("statement differences")

    def __str__(self) -> str:
        return f"{self.statement_id} {self.kind} {self.row}"


class BudgetPlan(models.Model):
    """What a village has set aside in its APBDes (Dana Desa) for the contributions of a programme in a year."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="budget_plans", verbose_name=_("village")
    )
    year = models.PositiveIntegerField(_("budget year"))
    budget = models.BigIntegerField(_("amount in the APBDes (Rp)"))
    account_code = models.CharField(_("account code (kode rekening)"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["village", "-year"]
        verbose_name = _("budget plan")
        verbose_name_plural = _("budget plans")
        constraints = [
            models.UniqueConstraint(fields=["programme", "village", "year"], name="budget_plan_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.year}: {self.budget}"
