from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User
from .services import user_save_by_administrator


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "scope_unit", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    list_select_related = ("scope_unit",)
    autocomplete_fields = ("scope_unit",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ("role", "scope_unit")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("role", "scope_unit")}),
    )

    def save_model(self, request, obj, form, change):
        user_save_by_administrator(by=request.user, user=obj)
