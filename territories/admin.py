from django.contrib import admin

from territories.models import Commune, Department, Epci, Qpv, ReferenceFile, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "zone", "retired"]
    list_filter = ["zone", "retired"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "zone", "retired"]
    list_filter = ["zone", "region"]


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "population", "retired"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "type",
        "department",
        "population",
        "density_degree",
        "is_rural",
        "retired",
    ]
    list_filter = ["type", "zone", "retired", "is_rural"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent", "epci"]
    list_select_related = ["department"]


@admin.register(Qpv)
class QpvAdmin(admin.ModelAdmin):
    """Loaded by ``manage.py import_qpv`` (docs/priority-territories.md): read only."""

    list_display = ["code", "name"]
    search_fields = ["code", "name", "communes__name"]
    filter_horizontal = []
    readonly_fields = ["code", "name", "communes"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReferenceFile)
class ReferenceFileAdmin(admin.ModelAdmin):
    """Which official density grid and QPV list are loaded: read only."""

    list_display = ["kind", "file_name", "levels", "loaded_at"]
    readonly_fields = ["kind", "file_name", "sha256", "levels", "loaded_at", "report"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
