from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.billing.models import Payment
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
