"""Forms of the claims pages (plain forms: the services do the checking that matters)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.claims.models import Incident, IncidentType, ScholarshipPlan
from lindung.registry.models import Child


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _children_field(children: list[Child]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Children for the scholarship (at most two; empty: the two eldest eligible)"),
        choices=[(str(c.pk), f"{c.name} ({c.birth_date:%d-%m-%Y})") for c in children],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class IncidentForm(forms.Form):
    date = forms.DateField(label=_("Date of the incident"), widget=DateInput())
    type = forms.ChoiceField(label=_("Type"), choices=IncidentType.choices)
    cause_under_assessment = forms.BooleanField(
        label=_("The cause of death is still being assessed (it may be a work accident)"), required=False
    )
    place = forms.CharField(label=_("Place"), max_length=255)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
    reporter_name = forms.CharField(label=_("Reported by (name)"), max_length=150)
    reporter_role = forms.ChoiceField(label=_("Reporter's relation"), choices=Incident.ReporterRole.choices)
    months_unable = forms.IntegerField(label=_("Months unable to work (STMB)"), min_value=0, required=False)
    disability_percent = forms.DecimalField(
        label=_("Disability table percentage (partial disability)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
    )
    function_loss_percent = forms.DecimalField(
        label=_("Percentage of function lost (loss of function only)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
    )
    medical_cost = forms.IntegerField(label=_("Medical costs billed (Rp)"), min_value=0, required=False)
    transport_land = forms.IntegerField(label=_("Land transport (Rp)"), min_value=0, required=False)
    transport_sea = forms.IntegerField(label=_("Sea transport (Rp)"), min_value=0, required=False)
    transport_air = forms.IntegerField(label=_("Air transport (Rp)"), min_value=0, required=False)

    def __init__(self, *args: Any, children: list[Child], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        if children:
            self.fields["chosen_children"] = _children_field(children)


class RecomputeForm(forms.Form):
    def __init__(self, *args: Any, children: list[Child], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chosen_children"] = _children_field(children)


class DocumentForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))


class SubmitForm(forms.Form):
    on = forms.DateField(label=_("Date of submission"), widget=DateInput())
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PaymentForm(forms.Form):
    CAUSES = [("", "—"), ("work", _("Work accident (JKK)")), ("not_work", _("Not a work accident (JKM)"))]

    on = forms.DateField(label=_("Date BPJS paid"), widget=DateInput())
    reference = forms.CharField(label=_("BPJS payment reference"), max_length=100)
    amount = forms.IntegerField(label=_("Amount paid by BPJS (Rp)"), min_value=0)
    note = forms.CharField(
        label=_("Reason, if the amount differs from the quote"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, needs_cause: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if needs_cause:
            self.fields["cause"] = forms.ChoiceField(label=_("BPJS decided the cause of death"), choices=self.CAUSES)


class RejectForm(forms.Form):
    on = forms.DateField(label=_("Date of the decision"), widget=DateInput())
    reason = forms.CharField(label=_("Reason given by BPJS"), widget=forms.Textarea(attrs={"rows": 3}))


class CauseForm(forms.Form):
    cause = forms.ChoiceField(label=_("The cause of death is"), choices=PaymentForm.CAUSES[1:])


class PayoutForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount paid (Rp)"), min_value=0)
    bank = forms.CharField(label=_("Bank"), max_length=100)
    account_number = forms.CharField(label=_("Account number of the recipient"), max_length=34, required=False)
    is_minor = forms.BooleanField(label=_("Minor (paid to a guardian's account)"), required=False)
    guardian_name = forms.CharField(label=_("Guardian (wali)"), max_length=150, required=False)
    guardian_account = forms.CharField(label=_("Guardian's account number"), max_length=34, required=False)
    difference_reason = forms.CharField(
        label=_("Reason, if the amount differs from the share"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class PaidOnForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())


class DisbursementForm(forms.Form):
    school_year = forms.TypedChoiceField(label=_("School year"), coerce=int)
    amount = forms.IntegerField(label=_("Amount (Rp)"), min_value=1)
    proof = forms.FileField(label=_("Proof of enrolment (PDF, JPEG or PNG)"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    difference_reason = forms.CharField(
        label=_("Reason, if the amount differs from the plan"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.TypedChoiceField = self.fields["school_year"]  # type: ignore[assignment]
        field.choices = [(y, f"{y}/{y + 1}") for y in years]


class StopForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ScholarshipPlan.StopReason.choices)
    from_year = forms.IntegerField(label=_("From school year (e.g. 2027 for 2027/2028)"), min_value=2000)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
