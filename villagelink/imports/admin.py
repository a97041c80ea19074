from django.contrib import admin

from .models import ImportBatch, ImportProfile


@admin.register(ImportProfile)
class ImportProfileAdmin(admin.ModelAdmin):
    """A platform's column names and status words: edit here when a platform changes its report."""

    list_display = ("platform", "name")
    fields = ("platform", "name", "columns", "statuses")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "file_name",
        "platform",
        "status",
        "created",
        "updated",
        "unchanged",
        "older",
        "rejected",
    )
    list_filter = ("status", "platform")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
