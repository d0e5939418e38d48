from django.contrib import admin

from territories.models import Commune, Department, Epci, Region


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
    list_display = ["code", "name", "type", "department", "population", "retired"]
    list_filter = ["type", "zone", "retired"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent", "epci"]
    list_select_related = ["department"]
