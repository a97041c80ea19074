from django.urls import path

from . import views

app_name = "assistance"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("new/", views.event_new, name="event_new"),
    path("training/new/", views.training_new, name="training_new"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/reverse/", views.event_reverse, name="event_reverse"),
]
