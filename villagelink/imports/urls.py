from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.batches, name="batches"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.batch, name="batch"),
    path("<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("<int:pk>/commit/", views.batch_commit, name="batch_commit"),
    path("<int:pk>/check-again/", views.batch_recheck, name="batch_recheck"),
    path("<int:pk>/words/", views.batch_word, name="batch_word"),
    path("<int:pk>/rejections.xlsx", views.batch_rejections, name="batch_rejections"),
]
