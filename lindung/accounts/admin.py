from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from lindung.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    filter_horizontal = ["regions"]


@admin.register(User)
class LindungUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "full_name", "is_active", "is_staff"]
