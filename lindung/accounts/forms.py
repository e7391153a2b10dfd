from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lindung.accounts.models import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong username or password. Note: after 5 failed attempts the account is locked for 15 minutes."
        ),
        "inactive": _("This account has been deactivated. Contact your city officer."),
    }


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    region_codes = forms.CharField(
        label=_("Region codes"),
        required=False,
        help_text=_("One or more Kemendagri codes separated by commas, e.g. 51.71.03.2008."),
    )
    national = forms.BooleanField(label=_("Whole country"), required=False)

    def clean_region_codes(self) -> list[str]:
        raw = self.cleaned_data.get("region_codes", "")
        return [c.strip() for c in raw.replace("\n", ",").split(",") if c.strip()]


class BulkVillageUsersForm(forms.Form):
    village_codes = forms.CharField(
        label=_("Village or area codes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One code per line. A district or city code means every village in it."),
    )


class PasswordChangeForm(forms.Form):
    password1 = forms.CharField(label=_("New password"), widget=forms.PasswordInput, min_length=8)
    password2 = forms.CharField(label=_("Repeat new password"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords differ."))
        return data
