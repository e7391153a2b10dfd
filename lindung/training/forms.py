from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.accounts.models import User
from lindung.regions.models import Region
from lindung.registry.occupations import occupations
from lindung.training.models import Outcome

_DATE = {"type": "date"}


def _occupation_choices() -> list[tuple[str, str]]:
    return [(str(o.code), f"{o.code} {o.name}") for o in occupations().values() if not o.excluded]


class ProgrammeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    organiser = forms.CharField(
        label=_("Organising office (OPD)"),
        max_length=200,
        help_text=_("For example: Dinas Tenaga Kerja Kota Denpasar."),
    )
    region = forms.ModelChoiceField(label=_("Region served"), queryset=Region.objects.none(), empty_label=None)
    target_occupations = forms.TypedMultipleChoiceField(
        label=_("Target occupations"),
        choices=_occupation_choices,
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Civil-registry occupation codes; hold Ctrl to choose several."),
    )
    target_keywords = forms.CharField(
        label=_("Specialisation keywords"),
        max_length=500,
        required=False,
        help_text=_("Separated by commas, for example: cukur, pangkas rambut. A worker matches when the "
                    "specialisation contains one of them."),
    )  # fmt: skip
    skill = forms.CharField(
        label=_("Skill taught"),
        max_length=100,
        help_text=_("Workers already enrolled in or finished with a programme of the same skill are not invited."),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    capacity = forms.IntegerField(label=_("Capacity (participants)"), min_value=1, max_value=100_000)
    cost = forms.IntegerField(label=_("Cost (Rp, whole rupiah)"), min_value=0, initial=0)
    trainers = forms.ModelMultipleChoiceField(
        label=_("Trainers (owners)"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, regions=None, trainers=None, **kwargs):
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        region_field.queryset = regions  # type: ignore[attr-defined]
        region_field.label_from_instance = lambda r: f"{r.code} {r.name}"  # type: ignore[attr-defined]
        if trainers is None:
            del self.fields["trainers"]
        else:
            self.fields["trainers"].queryset = trainers  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean() or {}
        if not data.get("target_occupations") and not (data.get("target_keywords") or "").strip():
            self.add_error("target_occupations", _("Choose at least one occupation or give a keyword."))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return data


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    topic = forms.CharField(label=_("Topic"), max_length=200)


class StatusForm(forms.Form):
    on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"), initial=timezone.localdate
    )
    reason = forms.CharField(label=_("Reason (for dropping out)"), max_length=255, required=False)

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return on


class CertificateForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=100, required=False)
    file = forms.FileField(label=_("Certificate scan (PDF, PNG or JPEG)"), required=False)


class OutcomeForm(forms.Form):
    month = forms.TypedChoiceField(label=_("Follow-up"), choices=Outcome.Month.choices, coerce=int)
    recorded_on = forms.DateField(
        label=_("Recorded on"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"), initial=timezone.localdate
    )
    monthly_income = forms.IntegerField(label=_("Monthly income (Rp)"), min_value=0, required=False)
    new_job_or_business = forms.BooleanField(label=_("Has a new job or own business"), required=False)
    decile = forms.IntegerField(label=_("Decile (P3KE/DTSEN)"), min_value=1, max_value=10, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
