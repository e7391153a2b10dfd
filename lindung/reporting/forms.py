from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PovertyRateForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    poverty_rate = forms.DecimalField(
        label=_("Poverty rate (%)"), min_value=Decimal(0), max_value=Decimal(100), decimal_places=2, max_digits=5
    )
    extreme_poverty_rate = forms.DecimalField(
        label=_("Extreme poverty rate (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        max_digits=5,
    )
    source = forms.CharField(label=_("Source"), max_length=255, required=False)

    def clean_as_of(self) -> dt.date:
        value: dt.date = self.cleaned_data["as_of"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value
