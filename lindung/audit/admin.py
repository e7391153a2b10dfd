from django.contrib import admin

from lindung.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = [
        "seq",
        "occurred_at",
        "actor_username",
        "action",
        "target_type",
        "target_id",
        "region_code",
    ]
    list_filter = ["action"]
    search_fields = ["actor_username", "target_id", "region_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
