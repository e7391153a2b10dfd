from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.billing.models import Invoice, Payment
from lindung.billing.services import parse_period
from lindung.core.errors import ApplicationError
from lindung.programmes.models import Programme

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PaymentForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), label=_("Programme"), empty_label=None)
    value_date = forms.DateField(label=_("Value date (the day the money was paid)"), widget=_DATE)
    amount = forms.IntegerField(label=_("Amount (Rp)"), min_value=1, max_value=10_000_000_000)
    reference = forms.CharField(label=_("Reference (transfer or receipt number)"), max_length=100)
    budget_source = forms.ChoiceField(label=_("Budget source"), choices=Payment.BudgetSource.choices)
    account_code = forms.CharField(label=_("Account code (kode rekening)"), max_length=50, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, programmes=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = programmes if programmes is not None else Programme.objects.none()


class ReversalForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the reversal"), max_length=255)


class InvoiceFilterForm(forms.Form):
    periode = forms.CharField(label=_("Period (YYYY-MM)"), required=False, max_length=7)
    status = forms.ChoiceField(label=_("Status"), required=False)
    wilayah = forms.CharField(label=_("Region code"), required=False, max_length=20)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("All")), *Invoice.Status.choices]

    def clean_periode(self) -> str:
        value = self.cleaned_data["periode"].strip()
        if value:
            try:
                parse_period(value)
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message) from None
        return value


class StatementForm(forms.Form):
    period = forms.CharField(
        label=_("Month of the statement"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    region = forms.CharField(label=_("Region code (village, district or city)"), max_length=20)
    statement = forms.FileField(label=_("Statement of the BPJS branch (XLSX)"))

    def clean_period(self) -> str:
        value = self.cleaned_data["period"].strip()
        try:
            parse_period(value)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None
        return value


class BudgetForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), label=_("Programme"), empty_label=None)
    year = forms.IntegerField(label=_("Budget year"), min_value=2000, max_value=2100)
    budget = forms.IntegerField(label=_("Amount in the APBDes for contributions (Rp)"), min_value=0,
                                max_value=100_000_000_000)  # fmt: skip
    account_code = forms.CharField(label=_("Account code (kode rekening)"), max_length=50, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, programmes=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = programmes if programmes is not None else Programme.objects.none()
