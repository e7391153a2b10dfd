from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.registry.identity import check_nik
from lindung.registry.importing.cells import CellError, parse_nik
from lindung.registry.models import Child, Heir, Worker
from lindung.registry.occupations import occupations
from lindung.registry.services import worker_version


def _occupation_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(str(o.code), f"{o.code} {o.name}") for o in occupations().values()]


class WorkerForm(forms.ModelForm):
    """Inline validation in Indonesian; NIK warnings (old district code, birth date mismatch) are shown, not fatal."""

    # Wider than 16 so that "5171 0345 0890 0003" reaches clean_nik, which removes spaces and dots.
    nik = forms.CharField(label=_("NIK"), max_length=40, help_text=_("16 digits, as on the KTP."))
    kk_number = forms.CharField(label=_("Family card number"), max_length=40, required=False)
    occupation_code = forms.TypedChoiceField(
        label=_("Occupation"), choices=_occupation_choices, coerce=int, empty_value=None, required=False
    )
    # Optimistic locking: the record's version when the form was opened; `worker_save` refuses the save when the
    # record changed since (another operator saved first).
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Worker
        fields = [
            "nik", "kk_number", "name", "sex", "birth_place", "birth_date", "village", "address", "rt", "rw",
            "hamlet", "phone", "occupation_code", "specialisation", "monthly_income", "employment_status",
            "decile", "extreme_poor", "extreme_poor_note", "has_disability", "is_wage_earner_member",
            "consent_given", "consent_on",
        ]  # fmt: skip
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "consent_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        if villages is not None:
            self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        if self.instance.pk is not None:
            self.fields["version"].initial = worker_version(self.instance)
        self.nik_warnings: list[str] = []

    def clean_nik(self) -> str:
        try:
            nik = parse_nik(self.cleaned_data.get("nik"))
        except CellError as exc:
            raise forms.ValidationError(exc.message) from exc
        if nik is None:
            raise forms.ValidationError(_("NIK is required."))
        return nik

    def clean_kk_number(self) -> str:
        value = (self.cleaned_data.get("kk_number") or "").replace(" ", "").replace(".", "")
        if value and (len(value) != 16 or not value.isdigit()):
            raise forms.ValidationError(_("The family card number must be 16 digits."))
        return value

    def clean_decile(self):
        decile = self.cleaned_data.get("decile")
        if decile is not None and not 1 <= decile <= 10:
            raise forms.ValidationError(_("The decile is a number from 1 to 10."))
        return decile

    def clean(self):
        data = super().clean() or {}
        nik = data.get("nik")
        birth = data.get("birth_date")
        if birth and birth > timezone.localdate():
            self.add_error("birth_date", _("The date of birth cannot be in the future."))
        if nik:
            verdict = check_nik(nik, birth_date=birth, sex=data.get("sex"))
            for message in verdict.errors:
                self.add_error("nik", message)
            self.nik_warnings = verdict.warnings
        return data


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        fields = ["name", "nik", "birth_date", "school_level", "grade", "married", "working"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class HeirForm(forms.ModelForm):
    class Meta:
        model = Heir
        fields = ["name", "relation", "nik", "phone"]


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("XLSX or CSV file"))
    village = forms.ChoiceField(label=_("Village"), required=False)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("From the file's Kode Desa column")), *villages]
        self.fields["village"].choices = choices  # type: ignore[attr-defined]


class TransferRequestForm(forms.Form):
    nik = forms.CharField(label=_("NIK of the worker"), max_length=40)
    to_village_code = forms.ChoiceField(label=_("Move to village"))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_village_code"].choices = list(villages)  # type: ignore[attr-defined]


class NikCorrectionForm(forms.Form):
    new_nik = forms.CharField(label=_("Correct NIK"), max_length=40)
    reason = forms.CharField(label=_("Reason"), max_length=255, help_text=_("E.g. typing error, as on the KTP."))


class MergeForm(forms.Form):
    other_nik = forms.CharField(label=_("NIK of the duplicate record"), max_length=40)
    reason = forms.CharField(label=_("Reason"), max_length=255)


class SubjectReportForm(forms.Form):
    nik = forms.CharField(label=_("NIK of the person asking"), max_length=40)

    def clean_nik(self) -> str:
        try:
            nik = parse_nik(self.cleaned_data.get("nik"))
        except CellError as exc:
            raise forms.ValidationError(exc.message) from exc
        if nik is None:
            raise forms.ValidationError(_("NIK is required."))
        return nik


class ConsentWithdrawForm(forms.Form):
    on = forms.DateField(label=_("Withdrawn on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason"), max_length=255, help_text=_("E.g. at the worker's own request."))
