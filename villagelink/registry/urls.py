from django.urls import path

from villagelink.core.pickers import picker_view

from . import views
from .pickers import HOUSEHOLDS, ORGANISATIONS

app_name = "registry"

urlpatterns = [
    path("households/", views.households, name="households"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/import/", views.household_import, name="household_import"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("pick/households/", picker_view(HOUSEHOLDS), name="pick_households"),
    path("pick/organisations/", picker_view(ORGANISATIONS), name="pick_organisations"),
]
