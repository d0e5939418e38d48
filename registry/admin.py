from django.contrib import admin

from registry.models import ImportRun, PendingVerification


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "status", "legal_units", "establishments", "skipped"]
    readonly_fields = [field.name for field in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(PendingVerification)
class PendingVerificationAdmin(admin.ModelAdmin):
    list_display = ["siret", "created_at", "last_checked_at", "attempts", "resolved_at"]
    list_filter = ["resolved_at"]
    search_fields = ["siret"]
    readonly_fields = [field.name for field in PendingVerification._meta.fields]

    def has_add_permission(self, request):
        return False
