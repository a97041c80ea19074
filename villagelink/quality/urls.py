from django.urls import path

from . import views

app_name = "quality"
urlpatterns = [
    path("<str:code>/", views.flags, name="flags"),
    path("<str:code>/check/", views.check, name="check"),
    path("<str:code>/completeness/", views.completeness, name="completeness"),
    path("<str:code>/workbook.xlsx", views.workbook, name="workbook"),
    path("flags/<int:pk>/", views.flag_detail, name="flag"),
]
