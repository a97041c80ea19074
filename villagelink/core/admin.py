from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("VillageLink administration")
admin.site.site_title = _("VillageLink")
admin.site.index_title = _("Users, units and reference data")
