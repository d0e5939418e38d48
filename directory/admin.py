from django.contrib import admin

from directory.models import ApiToken
from directory.tokens import revoke_token


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by ``manage.py issue_api_token`` (shown once); here they are listed
    and revoked."""

    list_display = ["prefix", "name", "owner", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "owner__email", "prefix"]
    readonly_fields = ["owner", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    fields = ["name", *readonly_fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_token(token, actor=request.user)
