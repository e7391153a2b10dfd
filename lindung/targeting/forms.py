from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.programmes.models import Programme
from lindung.regions.models import Region
from lindung.targeting.models import Override


class ListStartForm(forms.Form):
    village = forms.ModelChoiceField(label=_("Village"), queryset=Region.objects.none())
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    budget_year = forms.IntegerField(label=_("Budget year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, villages: QuerySet[Region], programmes: QuerySet[Programme], **kwargs: Any):
        kwargs.setdefault("initial", {"budget_year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        if villages.count() == 1:
            self.fields["village"].initial = villages.first()
        if programmes.count() == 1:
            self.fields["programme"].initial = programmes.first()


class OverrideForm(forms.Form):
    worker = forms.TypedChoiceField(label=_("Worker"), coerce=int)
    kind = forms.ChoiceField(label=_("Decision"), choices=Override.Kind.choices)
    reason = forms.CharField(
        label=_("Written reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=10,
        help_text=_("Required; recorded in the audit trail and shown on the list."),
    )

    def __init__(self, *args: Any, workers: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "—"), *workers]  # type: ignore[attr-defined]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), min_length=10)


class DeliberationForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the deliberation"), widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.IntegerField(label=_("Number of attendees"), min_value=1)
    minutes = forms.FileField(label=_("Minutes (berita acara)"), help_text=_("PDF, PNG or JPEG, at most 10 MB."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(forms.Form):
    decree_number = forms.CharField(
        label=_("Decree number"), required=False, max_length=100, help_text=_("May be left empty and written by hand.")
    )
    decree_date = forms.DateField(
        label=_("Decree date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("What must be changed"), min_length=10, widget=forms.Textarea(attrs={"rows": 2}))


class LeaveForm(forms.Form):
    worker = forms.TypedChoiceField(label=_("Member who leaves"), coerce=int)
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[
            ("death", _("Died")),
            ("moved", _("Moved away")),
            ("withdrawn", _("Withdrew")),
            ("wage_earner", _("Became a wage earner")),
        ],
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "—"), *members]  # type: ignore[attr-defined]
