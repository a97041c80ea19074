from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("shops/", views.shops, name="shops"),
    path("shops/mine/", views.my_shops, name="my_shops"),
    path("shops/new/", views.shop_new, name="shop_new"),
    path("shops/<int:pk>/", views.shop_detail, name="shop_detail"),
    path("shops/<int:pk>/status/", views.shop_status, name="shop_status"),
    path("shops/<int:pk>/shipping/", views.shop_shipping, name="shop_shipping"),
    path("shops/<int:pk>/products/new/", views.shop_product_new, name="shop_product_new"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/stock/", views.product_stock, name="product_stock"),
    path("products/<int:pk>/photos/", views.product_photo_act, name="product_photo_act"),
    path("shops/<int:pk>/photos/", views.product_photo_add, name="shop_photo_add"),
]
