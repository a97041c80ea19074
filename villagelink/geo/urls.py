from django.urls import path

from . import views

app_name = "geo"

urlpatterns = [
    path("", views.unit_tree, name="unit_tree"),
    path("<str:code>/", views.unit_detail, name="unit_detail"),
]
