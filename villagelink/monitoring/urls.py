from django.urls import path

from . import evaluation_page, views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/report/", views.report, name="report"),
    path("<str:code>/approval/", views.approval, name="approval"),
    path("<str:code>/workbook.xlsx", views.workbook, name="workbook"),
    path("<str:code>/targets/", views.targets, name="targets"),
    path("<str:code>/evaluation/", evaluation_page.evaluation, name="evaluation"),
]
