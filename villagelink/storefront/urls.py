from django.urls import path

from . import views

app_name = "storefront"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("category/<slug:category>/", views.category, name="category"),
    path("from/<str:code>/", views.region, name="region"),
    path("products/<int:pk>/", views.product, name="product"),
    path("shops/<int:pk>/", views.shop, name="shop"),
    path("cart/", views.cart_view, name="cart"),
    path("cart/deliver-to/", views.deliver_to, name="deliver_to"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/<str:key>/", views.confirmation, name="confirmation"),
    path("checkout/<str:key>/paid/", views.pay_return, name="pay_return"),
    path("pay/simulated/<str:ref>/", views.simulated_pay, name="simulated_pay"),
    path("pay/notify/<slug:provider>/", views.pay_notify, name="pay_notify"),
    path("track/", views.track, name="track"),
    path("my/orders/", views.my_orders, name="my_orders"),
    path("my/orders/<int:pk>/", views.my_order, name="my_order"),
    path("my/orders/<int:pk>/act/", views.my_order_act, name="my_order_act"),
    path("my/orders/<int:pk>/review/<int:line>/", views.my_order_review, name="my_order_review"),
    path("signup/", views.signup, name="signup"),
]
