"""The buyer's pages. They work without JavaScript; htmx only spares a reload when adding to the cart."""

import hashlib

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest, RawPostDataException
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from villagelink.accounts.services import AccountsError, buyer_signup
from villagelink.catalog.models import Category
from villagelink.catalog.shipping import PROVINCE_NAMES
from villagelink.core import notes
from villagelink.core.clients import client_address
from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError
from villagelink.core.forms import add_service_error
from villagelink.geo.models import Level
from villagelink.orders.models import STEPS, PaymentMethod, PaymentStatus, Review, SimulatedCharge, Status
from villagelink.orders.payments import PaymentError, gateway_for
from villagelink.orders.selectors import (
    TooManyAttempts,
    buyer_orders,
    checkout_get,
    order_track,
    reviews_shown,
)
from villagelink.orders.services import (
    Contact,
    OrderError,
    checkout_pay_again,
    checkout_place,
    order_cancel,
    order_complete,
    payment_notification_receive,
    payment_return,
    review_write,
)

from . import cart
from .forms import (
    BuyerSignupForm,
    CheckoutForm,
    ListingForm,
    ProvinceForm,
    QuantityForm,
    ReviewForm,
    TrackForm,
)
from .pagecache import anonymous_page
from .selectors import (
    category_counts,
    featured_products,
    origin_of,
    prefecture_choices,
    prefecture_counts,
    product_public_get,
    product_search,
    region_get,
    shop_public_facts,
    shop_public_get,
    story_of,
)

PAGE_SIZE = 24


@require_GET
@anonymous_page
def home(request):
    return render(
        request,
        "storefront/home.html",
        {
            "featured": featured_products(),
            "categories": category_counts(),
            "prefectures": prefecture_counts(),
        },
    )


LISTING_CACHE_SECONDS = 30
# A product page's description, photos and origin are kept per product version (its last save), stock and
# language; the shop's or household's own changes show within 5 minutes.
PRODUCT_CACHE_SECONDS = 300


def _listing(request, *, title: str, defaults: dict | None = None, region=None):
    """A page of products, narrowed and sorted by the listing form (`defaults`: what the address's path
    chose, e.g. the category). The rendered cards are kept for 30 s per address and language (a stock badge
    may lag that long; the product page and checkout always read the stock itself)."""
    data = request.GET.copy()
    for name, value in (defaults or {}).items():
        data.setdefault(name, value)
    form = ListingForm(data, prefectures=prefecture_choices())
    filters = form.filters()
    key = (
        f"storefront:listing:{get_language()}:{hashlib.sha256(request.get_full_path().encode()).hexdigest()}"
    )
    results = caches["pages"].get(key)
    if results is None:
        page = Paginator(product_search(**filters, region=region), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        results = render_to_string("storefront/_results.html", {"page": page}, request=request)
        caches["pages"].set(key, results, LISTING_CACHE_SECONDS)
    return render(
        request,
        "storefront/listing.html",
        {"title": title, "results": results, "query": filters["query"], "form": form, "region": region},
    )


@require_GET
@anonymous_page
def search(request):
    query = request.GET.get("q", "").strip()[:100]
    title = _("Results for “%(query)s”") % {"query": query} if query else _("All products")
    return _listing(request, title=title)


@require_GET
@anonymous_page
def category(request, category: str):
    if category not in Category.values:
        raise Http404
    return _listing(request, title=Category(category).label, defaults={"category": category})


@require_GET
@anonymous_page
def region(request, code: str):
    unit = region_get(code=code)
    title = _("Products from %(unit)s") % {"unit": unit.name}
    if unit.level == Level.PREFECTURE:  # the form's own filter, which the buyer may change
        return _listing(request, title=title, defaults={"prefecture": unit.path})
    return _listing(request, title=title, region=unit)


@require_GET
@anonymous_page
def shop(request, pk: int):
    """A shop's page: its story (with the household's consent), where it is and the point that helps it, and
    its products on sale."""
    found = shop_public_get(pk=pk)
    page = Paginator(product_search(sort="best_selling").filter(shop=found), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "storefront/shop.html",
        {"shop": found, "page": page, "reviews": reviews_shown(shop=found), **shop_public_facts(found)},
    )


@require_GET
@anonymous_page
def product(request, pk: int):
    item = product_public_get(pk=pk)
    return render(
        request,
        "storefront/product.html",
        {
            "product": item,
            # Read only when the cached part of the page is rendered again (see the template).
            "photos": SimpleLazyObject(lambda: list(item.photos.all())),
            "origin": SimpleLazyObject(lambda: origin_of(item)),
            "story": story_of(item),
            "reviews": reviews_shown(product=item),
            "cache_seconds": PRODUCT_CACHE_SECONDS,
        },
    )


@require_http_methods(["GET", "POST"])
def cart_view(request):
    if request.method == "POST":
        form = QuantityForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a quantity between 0 and 99."))
            return redirect("storefront:cart")
        add = request.POST.get("action") == "add"
        product_id = form.cleaned_data["product"]
        if add:
            item = product_public_get(pk=product_id)
            quantity = cart.set_quantity(
                request.session, item.pk, form.cleaned_data["quantity"] or 1, add=True
            )
            if request.htmx:
                return render(request, "storefront/_cart_link.html", {"added": item, "quantity": quantity})
            messages.success(request, _("“%(product)s” is in your cart.") % {"product": item.name})
            return redirect("storefront:cart")
        cart.set_quantity(request.session, product_id, form.cleaned_data["quantity"])
        return redirect("storefront:cart")
    province = cart.province(request.session)
    return render(
        request,
        "storefront/cart.html",
        {
            **_summary(request, province),
            "province_form": ProvinceForm(initial={"province": province, "back": "cart"}),
        },
    )


def _summary(request, province: str) -> dict:
    """The cart as the orders it becomes: per shop its goods, its fee and when it should arrive if sent to
    `province` (the usual fee and the widest window when none is chosen), and the whole total."""
    shop_orders = cart.shop_orders(cart.items(request.session), province=province, day=region_today())
    return {
        "shop_orders": shop_orders,
        "items": [item for shop_order in shop_orders for item in shop_order.items],
        "province_name": PROVINCE_NAMES.get(province, ""),
        "total_fen": sum(shop_order.total_fen for shop_order in shop_orders),
    }


@require_POST
def deliver_to(request):
    """Where the goods go, for the cart's fees and windows: the cart page's form, and the checkout's province
    (with htmx, which gets the checkout's summary back)."""
    form = ProvinceForm(request.POST)
    if form.is_valid():
        cart.set_province(request.session, form.cleaned_data["province"])
    if request.htmx and request.htmx.target == "order-summary":  # the checkout's select, not a boosted form
        return render(request, "storefront/_summary.html", _summary(request, cart.province(request.session)))
    if not form.is_valid():
        messages.error(request, _("Choose the province the order goes to."))
    return redirect("storefront:checkout" if form.data.get("back") == "checkout" else "storefront:cart")


@require_http_methods(["GET", "POST"])
def checkout(request):
    form = CheckoutForm(
        request.POST or None,
        initial={**_contact_initial(request), "province": cart.province(request.session)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key = data["key"]
        cart.set_province(request.session, data["province"])
        try:
            result = checkout_place(
                key=key,
                lines=cart.lines(request.session),
                contact=Contact(
                    name=data["name"],
                    phone=data["phone"],
                    address=data["address"],
                    note=data["note"],
                    province=data["province"],
                ),
                payment_method=data["payment_method"],
                buyer=request.user,
                guest=_guest(request),
                client=client_address(request),
                return_url=request.build_absolute_uri(reverse("storefront:pay_return", args=[key])),
            )
        except ApplicationError as error:
            add_service_error(form, error)  # a wrong phone or address beside its field
        else:
            if key == cart.checkout_key(request.session):
                cart.checked_out(request.session, key)
            if result.pay_url:
                return redirect(result.pay_url)
            return redirect("storefront:confirmation", key=key)
    summary = _summary(request, form.data.get("province") or cart.province(request.session))
    if request.method == "GET" and not summary["items"]:
        messages.info(request, _("Your cart is empty."))
        return redirect("storefront:cart")
    form.initial["key"] = cart.checkout_key(request.session)
    return render(request, "storefront/checkout.html", {"form": form, **summary})


def _guest(request) -> str:
    """Who a guest is, for their idempotency keys: their session (the cart lives there)."""
    return f"session:{cart.session_id(request.session)}"


def _contact_initial(request) -> dict:
    if request.user.is_authenticated:
        return {"name": request.user.get_full_name()}
    return {}


def _own_checkout(request, key: str):
    found = checkout_get(key=key, user=request.user)
    if found is None:
        raise Http404
    mine = cart.placed_here(request.session, key) or (
        request.user.is_authenticated and found.buyer_id == request.user.pk
    )
    if not mine:
        raise Http404
    return found


@require_GET
def confirmation(request, key: str):
    found = _own_checkout(request, key)
    orders = list(found.orders.select_related("shop").prefetch_related("lines__product").order_by("pk"))
    return render(
        request,
        "storefront/confirmation.html",
        {"checkout": found, "orders": orders, "payment": found.payment},
    )


@require_GET
def pay_return(request, key: str):
    """The buyer comes back from the payment provider's page."""
    found = _own_checkout(request, key)
    payment_return(checkout=found)
    return redirect("storefront:confirmation", key=key)


@require_http_methods(["GET", "POST"])
def simulated_pay(request, ref: str):
    """The simulated provider's own payment page (what WeChat Pay or Alipay would show)."""
    charge = get_object_or_404(SimulatedCharge, ref=ref)
    gateway = gateway_for("simulated")
    if request.method == "POST" and charge.status == "open":
        body, signature = gateway.pay(ref=ref)
        # The provider notifies the merchant server to server; here it is delivered in-process.
        payment_notification_receive(provider="simulated", body=body, signature=signature)
        return redirect(charge.return_url or "storefront:home")
    return render(request, "storefront/simulated_pay.html", {"charge": charge})


@csrf_exempt
@require_POST
def pay_notify(request, provider: str):
    """A provider's signed server-to-server notification. Answers 200 for a genuine notification, whether
    or not it changed anything (so that the provider stops repeating it), 400/403 otherwise."""
    try:
        body = request.body
    except RawPostDataException:  # a form body, already parsed: providers send JSON
        return HttpResponseBadRequest(_("Send the notification as application/json."))
    try:
        payment_notification_receive(
            provider=provider, body=body, signature=request.headers.get("X-Signature", "")
        )
    except PaymentError as error:
        return HttpResponse(error.message, status=error.status, content_type="text/plain; charset=utf-8")
    except OrderError as error:
        return HttpResponseBadRequest(error.message, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain")


@require_http_methods(["GET", "POST"])
def track(request):
    """Tracking needs the order number and the phone's last 4 digits, sent by POST so neither is in a URL."""
    form = TrackForm(request.POST or None)
    order = None
    if request.method == "POST" and form.is_valid():
        try:
            order = order_track(
                number=form.cleaned_data["number"],
                phone_last4=form.cleaned_data["phone_last4"],
                client=client_address(request),
            )
        except TooManyAttempts:
            form.add_error(None, _("Too many wrong tries for this order number; try again in an hour."))
        else:
            if order is None:
                form.add_error(
                    None, _("No order has this number and phone; check both against your confirmation.")
                )
    return render(request, "storefront/track.html", {"form": form, "order": order, **_steps(order)})


def _steps(order) -> dict:
    if order is None:
        return {}
    reached = {event.status: event for event in order.events.all()}
    # Cash on delivery has no separate payment step: the cash is collected on delivery.
    shown = [
        s for s in STEPS if not (s == Status.PAID and order.payment_method == PaymentMethod.CASH_ON_DELIVERY)
    ]
    steps = [(status, Status(status).label, reached.get(status)) for status in shown]
    return {"steps": steps, "ended": order.status in (Status.CANCELLED, Status.REFUNDED)}


@login_required
@require_GET
def my_orders(request):
    orders = buyer_orders(user=request.user).prefetch_related("lines__product__photos")
    page = Paginator(orders, 20).get_page(request.GET.get("page"))
    return render(request, "storefront/my_orders.html", {"page": page})


def _payable(order) -> bool:
    """An online order still waiting for its payment within its reservation: "Pay now" is offered."""
    checkout = order.checkout
    return (
        checkout is not None
        and checkout.payment_method == PaymentMethod.ONLINE
        and order.status == Status.PLACED
        and checkout.payment.status == PaymentStatus.PENDING
        and (order.expires_at is None or order.expires_at > timezone.now())
    )


@login_required
@require_GET
def my_order(request, pk: int):
    order = get_object_or_404(
        buyer_orders(user=request.user)
        .select_related("checkout__payment")
        .prefetch_related("lines__product", "events"),
        pk=pk,
    )
    return render(
        request,
        "storefront/my_order.html",
        {"order": order, "payable": _payable(order), "reviewable": _reviewable(order), **_steps(order)},
    )


def _reviewable(order) -> list:
    """(line, its review or None, a form for it) for each product of a completed storefront order."""
    if order.status != Status.COMPLETED:
        return []
    written = {review.line_id: review for review in Review.objects.filter(line__order=order)}
    return [
        (line, written.get(line.pk), None if line.pk in written else ReviewForm(prefix=f"line{line.pk}"))
        for line in order.lines.all()
        if line.product_id is not None
    ]


@login_required
@require_POST
def my_order_review(request, pk: int, line: int):
    """The buyer's stars and words on one product of a completed order; refused beside the fields as typed."""
    order = get_object_or_404(
        buyer_orders(user=request.user)
        .select_related("checkout__payment")
        .prefetch_related("lines__product", "events"),
        pk=pk,
    )
    found = get_object_or_404(order.lines.all(), pk=line)
    form = ReviewForm(request.POST, prefix=f"line{found.pk}")
    if form.is_valid():
        try:
            review_write(by=request.user, line=found, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Thank you: the review is shown once the county checks it."))
            return redirect("storefront:my_order", pk=order.pk)
    reviewable = [
        (each, done, form if each.pk == found.pk else blank) for each, done, blank in _reviewable(order)
    ]
    return render(
        request,
        "storefront/my_order.html",
        {"order": order, "payable": _payable(order), "reviewable": reviewable, **_steps(order)},
        status=400,
    )


@login_required
@require_POST
def my_order_act(request, pk: int):
    """The buyer pays an unpaid online order again (while it is reserved), confirms receipt (completes a
    delivered order) or cancels an order not yet paid or shipped."""
    order = get_object_or_404(buyer_orders(user=request.user).select_related("checkout__payment"), pk=pk)
    action = request.POST.get("action")
    try:
        if action == "pay":
            assert order.checkout is not None  # an order placed here has its checkout
            return_url = request.build_absolute_uri(
                reverse("storefront:pay_return", args=[order.checkout.key])
            )
            return redirect(checkout_pay_again(order=order, return_url=return_url))
        if action == "complete":
            order_complete(by=request.user, order=order)
            messages.success(request, _("Thank you: the order is completed."))
        elif action == "cancel":
            order_cancel(by=request.user, order=order, reason=notes.note("buyer_cancelled"))
            messages.success(request, _("The order is cancelled."))
        else:
            messages.error(request, _("Choose what to do with the order."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("storefront:my_order", pk=order.pk)


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("storefront:my_orders")
    form = BuyerSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = buyer_signup(
                username=data["username"], password=data["password1"], first_name=data["first_name"]
            )
        except AccountsError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your orders will be listed under “My orders”."))
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = reverse("storefront:home")
            return redirect(target)
    return render(request, "storefront/signup.html", {"form": form})
