from django.contrib import admin

from privacy.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence, nobody edits nor deletes it from the admin site."""

    list_display = ["at", "user_label", "action", "path"]
    list_filter = ["action"]
    search_fields = ["user_label", "path", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
