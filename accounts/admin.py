from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User
from core import audit


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "region", "is_active"]
    list_filter = ["role", "region", "is_active"]
    search_fields = ["email", "first_name", "last_name", "organisation", "siret"]
    readonly_fields = ["proconnect_sub"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "organisation", "siret"]}),
        ("ProConnect", {"fields": ["proconnect_sub"]}),
        ("Rôle", {"fields": ["role", "region"]}),
        (
            "Statut",
            {"fields": ["is_active", "is_staff", "is_superuser", "email_confirmed_at"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "role", "region", "password1", "password2"],
            },
        )
    ]

    def save_model(self, request, obj, form, change):
        watched = ["role", "region", "is_active", "is_staff", "is_superuser"]
        before = None
        if change:
            before = audit.snapshot(User.objects.get(pk=obj.pk), watched)
        super().save_model(request, obj, form, change)
        after = audit.snapshot(obj, watched)
        if before != after:
            audit.record(
                "account.permissions_changed",
                actor=request.user,
                obj=obj,
                before=before,
                after=after,
            )
