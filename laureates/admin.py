from django.contrib import admin

from laureates.models import Ptce, PtceLabel, PtceMember, PtceStatusChange
from laureates.services import recompute_geography


class PtceLabelInline(admin.TabularInline):
    model = PtceLabel
    extra = 0
    raw_id_fields = ["call"]


class PtceMemberInline(admin.TabularInline):
    model = PtceMember
    extra = 0


class PtceStatusChangeInline(admin.TabularInline):
    model = PtceStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["changed_at", "from_status", "to_status", "reason", "actor_label"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ptce)
class PtceAdmin(admin.ModelAdmin):
    """Staff edit identity, territory and members here; the status only changes through
    laureates.services.change_ptce_status (read-only in this form)."""

    list_display = ["name", "status", "main_region", "main_department", "needs_review"]
    list_filter = ["status", "needs_review", "main_region"]
    search_fields = ["name", "search_name", "lead_organisation_name"]
    readonly_fields = [
        "uuid",
        "status",
        "status_changed_at",
        "main_region",
        "main_department",
        "population_covered",
        "updated_at",
    ]
    autocomplete_fields = []
    raw_id_fields = ["communes", "epcis"]
    inlines = [PtceLabelInline, PtceMemberInline, PtceStatusChangeInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        recompute_geography(form.instance)
