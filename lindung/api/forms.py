from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.api.services import default_last_day, latest_last_day


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. the village information system.")
    )
    last_day = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("At most one year from today."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"last_day": default_last_day()})
        super().__init__(*args, **kwargs)

    def clean_last_day(self):
        day = self.cleaned_data["last_day"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(_("The expiry date cannot be in the past."))
        if day > latest_last_day(today):
            raise forms.ValidationError(_("A token is valid for at most one year."))
        return day
