from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class OpensidUploadForm(forms.Form):
    village = forms.ChoiceField(label=_("Village"))
    file = forms.FileField(label=_("OpenSID population export (XLSX)"))

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = list(villages)  # type: ignore[attr-defined]


class OpensidExportForm(forms.Form):
    desa = forms.ChoiceField(label=_("Village"))
    tahun = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desa"].choices = list(villages)  # type: ignore[attr-defined]


class PovertyUploadForm(forms.Form):
    village = forms.ChoiceField(label=_("Village"), required=False)
    file = forms.FileField(label=_("P3KE/DTSEN extract (XLSX or CSV)"))

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("Every village of my area")), *villages]  # type: ignore[attr-defined]
