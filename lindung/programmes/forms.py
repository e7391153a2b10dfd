from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.programmes.models import DEFAULT_PRIORITY_ORDER, Agreement, FrameworkAgreement, Funder, Programme
from lindung.regions.models import Region

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PRIORITY_LABELS = {
    "extreme_poor": _("extreme poor first"),
    "decile": _("lower decile"),
    "dependants": _("more dependants (children under 18)"),
    "occupation_risk": _("higher occupational risk"),
    "age": _("older age"),
    "registered_at": _("earlier registration"),
    "nik": _("NIK ascending (tie-breaker)"),
}


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "name", "region", "quota_per_village", "package", "declared_income", "kelurahan_funder",
            "starts_on", "ends_on", "legal_basis",
        ]  # fmt: skip
        widgets = {"starts_on": _DATE, "ends_on": _DATE, "legal_basis": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, regions: QuerySet[Region] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions  # type: ignore[attr-defined]


class RulesForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=_DATE)
    min_age = forms.IntegerField(label=_("Minimum age"), min_value=1, max_value=120, initial=18)
    max_age = forms.IntegerField(label=_("Maximum age"), min_value=1, max_value=120, initial=65)
    income_threshold = forms.IntegerField(
        label=_("Income threshold (Rp)"),
        min_value=1,
        initial=1_000_000,
        help_text=_("A worker is eligible when the monthly income is below this amount."),
    )
    priority_order = forms.CharField(
        label=_("Priority order"),
        initial=", ".join(DEFAULT_PRIORITY_ORDER),
        help_text=_("Every factor once, separated by commas; nik stays last."),
    )
    apply_discount_for_apbdes = forms.BooleanField(
        label=_("Apply the PP 50/2025 discount to members paid from APBDes"), required=False
    )
    note = forms.CharField(label=_("Reason for the change"), max_length=255, required=True)

    def clean_priority_order(self) -> list[str]:
        return [p.strip() for p in self.cleaned_data["priority_order"].split(",") if p.strip()]


class AgreementForm(forms.ModelForm):
    document_file = forms.FileField(
        label=_("Scanned agreement (PDF, PNG or JPEG)"),
        required=False,
        help_text=_("At most %(mb)s MB."),
    )

    class Meta:
        model = Agreement
        fields = [
            "village", "village_number", "partner_number", "signed_on", "valid_from", "valid_until",
            "village_signatory", "partner_signatory", "quota", "funder", "funder_name", "framework",
        ]  # fmt: skip
        widgets = {"signed_on": _DATE, "valid_from": _DATE, "valid_until": _DATE}
        help_texts = {"quota": _("Leave empty to use the programme's quota per village.")}

    def __init__(
        self,
        *args,
        villages: QuerySet[Region] | None = None,
        frameworks: QuerySet[FrameworkAgreement] | None = None,
        max_mb: int = 10,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["village"]
        elif villages is not None:
            self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        if frameworks is not None:
            self.fields["framework"].queryset = frameworks  # type: ignore[attr-defined]
        self.fields["funder"].required = False
        self.fields["funder"].choices = [("", _("(by village kind)")), *Funder.choices]  # type: ignore[attr-defined]
        if not self.instance.pk:
            self.initial["funder"] = ""
        self.fields["funder"].help_text = _("Empty: a desa pays from its APBDes, a kelurahan as the programme says.")
        self.fields["document_file"].help_text = _("At most %(mb)s MB.") % {"mb": max_mb}

    def clean(self):
        data = super().clean() or {}
        start, until = data.get("valid_from"), data.get("valid_until")
        if start and until and until < start:
            self.add_error("valid_until", _("The end of validity cannot be before its start."))
        if data.get("funder") == Funder.OTHER and not (data.get("funder_name") or "").strip():
            self.add_error("funder_name", _("Name the other funder."))
        return data


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=Agreement.Status.choices, widget=forms.HiddenInput)
    on = forms.DateField(label=_("Date"), widget=_DATE)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class FrameworkForm(forms.ModelForm):
    document_file = forms.FileField(label=_("Document (PDF, PNG or JPEG)"), required=False)

    class Meta:
        model = FrameworkAgreement
        fields = ["region", "kind", "number", "title", "signed_on"]
        widgets = {"signed_on": _DATE}

    def __init__(self, *args, regions: QuerySet[Region] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions  # type: ignore[attr-defined]
