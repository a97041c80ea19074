from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.orders, name="orders"),
    path("sales/", views.sales, name="sales"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:pk>/", views.review_moderate_view, name="review_moderate"),
    path("<int:pk>/", views.order_detail, name="order"),
    path("<int:pk>/ship/", views.order_ship_view, name="ship"),
    path("<int:pk>/deliver/", views.order_deliver_view, name="deliver"),
    path("<int:pk>/complete/", views.order_complete_view, name="complete"),
    path("<int:pk>/cancel/", views.order_cancel_view, name="cancel"),
    path("<int:pk>/refund/", views.order_refund_view, name="refund"),
]
