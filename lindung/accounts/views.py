from __future__ import annotations

import csv
from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lindung.accounts.access import USER_ADMIN_ROLES, user_scope, villages_visible
from lindung.accounts.forms import BulkVillageUsersForm, LoginForm, PasswordChangeForm, UserCreateForm
from lindung.accounts.selectors import access_user_by_id, user_list
from lindung.accounts.services import (
    user_change_own_password,
    user_create,
    user_reset_password,
    user_set_active,
    users_bulk_create_for_villages,
)
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out login sees: the login page with a clear Indonesian message (HTTP 429)."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return TemplateResponse(
        request,
        "accounts/login.html",
        {"form": LoginForm(request), "locked": True, "lock_minutes": minutes},
        status=429,
    ).render()


def user_admin_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not user_scope(request.user).has_role(*USER_ADMIN_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@user_admin_required
def users(request: AuthedRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    page = Paginator(user_list(viewer=request.user, search=search), 25).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "search": search})


@user_admin_required
@require_http_methods(["GET", "POST"])
def user_new(request: AuthedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = user_create(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "accounts/password_shown.html", {"target": user, "password": password})
    return render(request, "accounts/user_form.html", {"form": form})


@user_admin_required
def user_detail(request: AuthedRequest, user_id: int) -> HttpResponse:
    target = access_user_by_id(request.user, user_id)
    return render(request, "accounts/user_detail.html", {"target": target})


@user_admin_required
@require_http_methods(["GET", "POST"])
def user_password_reset(request: AuthedRequest, user_id: int) -> HttpResponse:
    target = access_user_by_id(request.user, user_id)
    if request.method == "POST":
        password = user_reset_password(acting_user=request.user, user=target)
        return render(request, "accounts/password_shown.html", {"target": target, "password": password})
    return render(
        request,
        "accounts/confirm.html",
        {
            "target": target,
            "title": _("Reset password"),
            "question": _("Give %(user)s a new temporary password? The old password stops working at once.")
            % {"user": target.username},
            "button": _("Yes, reset the password"),
        },
    )


@user_admin_required
@require_http_methods(["GET", "POST"])
def user_toggle_active(request: AuthedRequest, user_id: int) -> HttpResponse:
    target = access_user_by_id(request.user, user_id)
    activate = not target.is_active
    if request.method == "POST":
        try:
            user_set_active(acting_user=request.user, user=target, active=activate)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Account activated.") if activate else _("Account deactivated."))
        return redirect("accounts:user_detail", user_id=target.pk)
    return render(
        request,
        "accounts/confirm.html",
        {
            "target": target,
            "title": _("Activate account") if activate else _("Deactivate account"),
            "question": (
                _("Activate %(user)s again?")
                if activate
                else _("Deactivate %(user)s? They can no longer log in; nothing they entered is deleted.")
            )
            % {"user": target.username},
            "button": _("Yes, activate") if activate else _("Yes, deactivate"),
            "danger": not activate,
        },
    )


@user_admin_required
@require_http_methods(["GET", "POST"])
def users_bulk(request: AuthedRequest) -> HttpResponse:
    form = BulkVillageUsersForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = [c.strip() for c in form.cleaned_data["village_codes"].split() if c.strip()]
        village_codes = _expand_to_villages(request, codes)
        try:
            created = users_bulk_create_for_villages(acting_user=request.user, village_codes=village_codes)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if request.POST.get("format") == "csv":
                return _accounts_csv(created)
            return render(request, "accounts/bulk_result.html", {"created": created})
    return render(request, "accounts/bulk_form.html", {"form": form})


def _expand_to_villages(request: AuthedRequest, codes: list[str]) -> list[str]:
    """Village codes stay; a district/city code becomes the villages in it that the user may see."""
    villages = set()
    for code in codes:
        if code.count(".") == 3:
            villages.add(code)
        else:
            found = list(
                villages_visible(request.user).filter(code__startswith=f"{code}.").values_list("code", flat=True)
            )
            villages.update(found or [code])
    return sorted(villages)


def _accounts_csv(created) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="akun-desa.csv"'
    writer = csv.writer(response)
    writer.writerow(["kode_desa", "nama_desa", "peran", "nama_pengguna", "kata_sandi_sementara"])
    for c in created:
        writer.writerow([c.village_code, c.village_name, c.role, c.username, c.password])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_change_own_password(user=request.user, password=form.cleaned_data["password1"])
        except ApplicationError as exc:
            form.add_error("password1", exc.message)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})
