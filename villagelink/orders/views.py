"""Fulfilment: the seller's order pages, and the village point operator's on the seller's behalf."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from villagelink.accounts.models import Role
from villagelink.catalog.selectors import seller_shops
from villagelink.core.exceptions import ApplicationError
from villagelink.core.forms import add_service_error

from .forms import ReasonForm, ShipForm
from .models import Status
from .selectors import order_get, order_list, order_points, reviews_to_moderate, shop_sales_by_month
from .services import (
    can_fulfil,
    order_cancel,
    order_complete,
    order_deliver,
    order_refund,
    order_ship,
    review_moderate,
)


@login_required
@require_GET
def orders(request):
    # A search by number looks through every status unless one is chosen: an imported order is mostly completed.
    search = request.GET.get("q", "").strip()[:64]
    status = request.GET.get("status", "all" if search else "open")
    status = status if status in {"open", "all", *Status.values} else "open"
    page = Paginator(
        order_list(user=request.user, status=status, search=search).prefetch_related("lines"), 25
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/orders.html",
        {"page": page, "status": status, "statuses": Status.choices, "search": search},
    )


@login_required
@require_GET
def order_detail(request, pk: int):
    order = order_get(user=request.user, pk=pk)
    return render(request, "orders/order_detail.html", _context(request, order))


def _context(request, order, **extra):
    fulfil = can_fulfil(request.user, order)
    return {
        "order": order,
        "can_fulfil": fulfil,
        "ship_form": ShipForm(points=order_points(order)) if fulfil else None,
        "reason_form": ReasonForm(),
        **extra,
    }


def _act(request, pk: int, action) -> object:
    order = order_get(user=request.user, pk=pk)
    try:
        action(order)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("orders:order", pk=order.pk)


@login_required
@require_POST
def order_ship_view(request, pk: int):
    order = order_get(user=request.user, pk=pk)
    form = ShipForm(request.POST, points=order_points(order))
    if not form.is_valid():
        return render(
            request, "orders/order_detail.html", _context(request, order, ship_form=form), status=400
        )
    data = form.cleaned_data
    try:
        order_ship(
            by=request.user,
            order=order,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            site=data["point"],
        )
    except ApplicationError as error:  # a mistyped tracking number: beside its field, as typed
        add_service_error(form, error)
        return render(
            request, "orders/order_detail.html", _context(request, order, ship_form=form), status=400
        )
    messages.success(request, _("Order %(number)s is shipped.") % {"number": order.number})
    return redirect("orders:order", pk=order.pk)


@login_required
@require_POST
def order_deliver_view(request, pk: int):
    return _act(request, pk, lambda order: order_deliver(by=request.user, order=order))


@login_required
@require_POST
def order_complete_view(request, pk: int):
    return _act(request, pk, lambda order: order_complete(by=request.user, order=order))


@login_required
@require_POST
def order_cancel_view(request, pk: int):
    reason = request.POST.get("reason", "")[:300]
    return _act(request, pk, lambda order: order_cancel(by=request.user, order=order, reason=reason))


@login_required
@require_POST
def order_refund_view(request, pk: int):
    reason = request.POST.get("reason", "")[:300]
    return _act(request, pk, lambda order: order_refund(by=request.user, order=order, reason=reason))


@login_required
@require_GET
def sales(request):
    """A seller's sales by month for each of their shops, and the income they brought its poor households."""
    if request.user.role != Role.SELLER:
        raise PermissionDenied
    shops = [(shop, shop_sales_by_month(shop=shop)) for shop in seller_shops(user=request.user)]
    return render(request, "orders/sales.html", {"shops": shops})


@login_required
@require_GET
def reviews(request):
    """The reviews waiting for the officer's approval, in their area."""
    if not (request.user.is_administrator or request.user.role == Role.OFFICER):
        raise PermissionDenied
    page = Paginator(reviews_to_moderate(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "orders/reviews.html", {"page": page})


@login_required
@require_POST
def review_moderate_view(request, pk: int):
    review = reviews_to_moderate(user=request.user).filter(pk=pk).first()
    if review is None:
        raise Http404
    approve = request.POST.get("action") == "approve"
    try:
        review_moderate(by=request.user, review=review, approve=approve)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The review is shown.") if approve else _("The review is not shown."))
    return redirect("orders:reviews")
