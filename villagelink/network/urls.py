from django.urls import path

from villagelink.core.pickers import picker_view

from . import views
from .pickers import SITES

app_name = "network"

urlpatterns = [
    path("", views.network_home, name="home"),
    path("units/<str:code>/", views.network_unit, name="unit"),
    path("sites/new/", views.site_new, name="site_new"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("designations/", views.designations, name="designations"),
    path("poor-villages/", views.poor_villages_page, name="poor_villages"),
    path("pick/sites/", picker_view(SITES), name="pick_sites"),
]
