from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("parcels/report/<str:code>/", views.parcels_report, name="parcels_report"),
    path("entries/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("households.json", views.households_offline, name="households_offline"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("purchase/", views.purchase, name="purchase"),
    path("sale/", views.sale, name="sale"),
    path("parcel/", views.parcel, name="parcel"),
    path("parcels/<int:pk>/picked-up/", views.parcel_picked_up, name="parcel_picked_up"),
    path("entries/<int:pk>/reverse/", views.reverse_entry, name="reverse"),
]
