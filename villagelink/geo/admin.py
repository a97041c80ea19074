from django.contrib import admin

from .models import AdminUnit


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    """Units enter through the importer (which checks the tree); here only names and coordinates change."""

    list_display = ("code", "name_zh", "name_en", "level", "is_synthetic")
    list_filter = ("level", "is_synthetic")
    search_fields = ("code", "name_zh", "name_en", "name_bo")
    readonly_fields = ("code", "parent", "level", "path", "is_synthetic")
    fields = (
        "code",
        "parent",
        "level",
        "path",
        "name_zh",
        "name_en",
        "name_bo",
        "longitude",
        "latitude",
        "is_synthetic",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
