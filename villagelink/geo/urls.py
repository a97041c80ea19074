from django.urls import path

from villagelink.core.pickers import picker_view

from . import views
from .pickers import COUNTIES, SITE_UNITS, UNITS, VILLAGES

app_name = "geo"

urlpatterns = [
    path("", views.unit_tree, name="unit_tree"),
    path("pick/villages/", picker_view(VILLAGES), name="pick_villages"),
    path("pick/counties/", picker_view(COUNTIES), name="pick_counties"),
    path("pick/site-units/", picker_view(SITE_UNITS), name="pick_site_units"),
    path("pick/units/", picker_view(UNITS), name="pick_units"),
    path("<str:code>/", views.unit_detail, name="unit_detail"),
]
