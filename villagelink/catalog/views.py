from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from villagelink.accounts.models import Role
from villagelink.accounts.permissions import can_work_in_registry
from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError
from villagelink.core.forms import add_service_error, int_or_none
from villagelink.core.money import fen_to_yuan
from villagelink.core.scope import in_scope

from .forms import ProductForm, ShippingForm, ShopOpenForm, ShopStatusForm, StockForm
from .models import Platform, ShopStatus
from .selectors import (
    product_get_for_work,
    seller_shops,
    shop_get,
    shop_get_for_work,
    shop_list,
    shop_products,
    stock_history,
)
from .services import (
    can_manage_shop,
    product_add_photo,
    product_create,
    product_photo_first,
    product_photo_remove,
    product_update,
    shop_open,
    shop_set_shipping,
    shop_set_status,
    stock_adjust,
)

PAGE_SIZE = 25

# What the button that moves a shop into each status says.
STATUS_ACTIONS = {
    ShopStatus.OPEN: gettext_lazy("Reopen"),
    ShopStatus.SUSPENDED: gettext_lazy("Suspend"),
    ShopStatus.CLOSED: gettext_lazy("Close"),
}


@login_required
def shops(request):
    platform = request.GET.get("platform") if request.GET.get("platform") in Platform.values else ""
    status = request.GET.get("status") if request.GET.get("status") in ShopStatus.values else ""
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(
        shop_list(user=request.user, search=search, platform=platform, status=status), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/shops.html",
        {
            "page": page,
            "platforms": Platform.choices,
            "platform": platform,
            "statuses": ShopStatus.choices,
            "status": status,
            "search": search,
            "can_open": can_work_in_registry(request.user),
        },
    )


@login_required
def my_shops(request):
    """A seller's way in: their shop's page (or the list of them, when they run several)."""
    found = list(seller_shops(user=request.user)[:2])
    if len(found) == 1:
        return redirect("catalog:shop_detail", pk=found[0].pk)
    if not found and request.user.role != Role.SELLER:
        return redirect("catalog:shops")
    return render(request, "catalog/my_shops.html", {"shops": seller_shops(user=request.user)})


@login_required
def shop_detail(request, pk: int):
    shop = shop_get_for_work(user=request.user, pk=pk)
    return render(request, "catalog/shop_detail.html", _shop_context(request, shop))


def _shop_context(request, shop, **extra):
    site = shop.opened_with
    return {
        "shop": shop,
        "products": shop_products(shop=shop),
        "site_in_scope": site is not None and in_scope(request.user, site.unit.path),
        "can_edit": can_manage_shop(request.user, shop),
        # the shop's status, and links into the registry and the units, are for the people of its area
        "can_browse": can_work_in_registry(request.user),
        "actions": [(status, label) for status, label in STATUS_ACTIONS.items() if status != shop.status],
        "shipping_form": ShippingForm(initial=ShippingForm.initial_for(shop)),
        "sells_here": shop.platform == Platform.STOREFRONT,
        **extra,
    }


@login_required
@require_POST
def shop_shipping(request, pk: int):
    """The shop's shipping rules, set by whoever runs its products (its seller, the operators of its area)."""
    shop = shop_get_for_work(user=request.user, pk=pk)
    if not can_manage_shop(request.user, shop):
        raise PermissionDenied
    form = ShippingForm(request.POST)
    if form.is_valid():
        try:
            shop_set_shipping(by=request.user, shop=shop, rules=form.rules())
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The shipping rules are saved; they apply to orders from now on."))
            return redirect("catalog:shop_detail", pk=shop.pk)
    return render(request, "catalog/shop_detail.html", _shop_context(request, shop, shipping_form=form))


@login_required
@require_POST
def shop_status(request, pk: int):
    shop = shop_get(user=request.user, pk=pk)
    if not can_work_in_registry(request.user):
        raise PermissionDenied
    form = ShopStatusForm(request.POST)
    if form.is_valid():
        try:
            shop = shop_set_status(by=request.user, shop=shop, status=form.cleaned_data["status"])
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("The status of “%(shop)s” is now: %(status)s.")
                % {"shop": shop.local_name, "status": shop.get_status_display()},
            )
            return redirect("catalog:shop_detail", pk=shop.pk)
    return render(request, "catalog/shop_detail.html", _shop_context(request, shop, status_form=form))


@login_required
@require_http_methods(["GET", "POST"])
def shop_new(request):
    """Opens a shop for a household or an organisation, named by its number (prefilled from ?household= or
    ?organisation=); both are read through the person's scope."""
    if not can_work_in_registry(request.user):
        raise PermissionDenied
    initial = {
        "opened_on": region_today(),
        "household": int_or_none(request.GET.get("household", "")),
        "organisation": int_or_none(request.GET.get("organisation", "")),
    }
    form = ShopOpenForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            shop = shop_open(
                by=request.user,
                name=form.cleaned_data["name"],
                name_bo=form.cleaned_data["name_bo"],
                name_en=form.cleaned_data["name_en"],
                platform=form.cleaned_data["platform"],
                opened_on=form.cleaned_data["opened_on"],
                household=form.cleaned_data["household"],
                organisation=form.cleaned_data["organisation"],
                external_id=form.cleaned_data["external_id"],
                site=form.cleaned_data["site"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The shop “%(shop)s” is open.") % {"shop": shop.local_name})
            return redirect("catalog:shop_detail", pk=shop.pk)
    return _form_page(request, {"form": form, "title": _("Open a shop")})


def _form_page(request, context: dict):
    """A form's page; a refused one (a POST that did not move on) answers 400, shown as typed."""
    return render(request, "core/form.html", context, status=400 if request.method == "POST" else 200)


def _shop_url(shop) -> str:
    return reverse("catalog:shop_detail", kwargs={"pk": shop.pk})


@login_required
@require_http_methods(["GET", "POST"])
def shop_product_new(request, pk: int):
    shop = shop_get_for_work(user=request.user, pk=pk)
    if not can_manage_shop(request.user, shop):
        raise PermissionDenied
    form = ProductForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            product = product_create(by=request.user, shop=shop, data=form.product_data())
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("“%(product)s” is added.") % {"product": product.name})
            return redirect("catalog:shop_detail", pk=shop.pk)
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Add a product to %(shop)s") % {"shop": shop.local_name},
            "back_url": _shop_url(shop),
        },
    )


def _product_initial(product) -> dict:
    return {
        "name_zh": product.name_zh,
        "name_en": product.name_en,
        "name_bo": product.name_bo,
        "category": product.category,
        "price": fen_to_yuan(product.price_fen),
        "unit_label": product.unit_label,
        "origin_village": product.origin_village_id,
        "poverty_area_product": product.poverty_area_product,
        "is_listed": product.is_listed,
        "description_zh": product.description_zh,
        "description_en": product.description_en,
        "description_bo": product.description_bo,
    }


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk: int):
    product = product_get_for_work(user=request.user, pk=pk)
    if not can_manage_shop(request.user, product.shop):
        raise PermissionDenied
    initial = _product_initial(product)
    form = ProductForm(request.POST or None, user=request.user, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            product = product_update(
                by=request.user,
                product=product,
                data=form.product_data(stock=product.stock, origin_village=product.origin_village),
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("“%(product)s” is saved.") % {"product": product.name})
            return redirect("catalog:shop_detail", pk=product.shop_id)
    return _product_page(request, product, form=form)


def _product_page(request, product, *, form=None, stock_form=None):
    """A product's page for those who run it: its details, its stock with the form that changes it, and the
    stock's history."""
    refused = request.method == "POST" and bool((form and form.errors) or (stock_form and stock_form.errors))
    return render(
        request,
        "catalog/product_edit.html",
        {
            "product": product,
            "form": form or ProductForm(user=request.user, initial=_product_initial(product), editing=True),
            "stock_form": stock_form or StockForm(),
            "history": stock_history(product=product),
            "title": _("Edit %(product)s") % {"product": product.name},
            "back_url": _shop_url(product.shop),
        },
        status=400 if refused else 200,
    )


@login_required
@require_POST
def product_stock(request, pk: int):
    """A change of the product's stock by hand, with its reason; the page again with the error beside its
    field when refused."""
    product = product_get_for_work(user=request.user, pk=pk)
    if not can_manage_shop(request.user, product.shop):
        raise PermissionDenied
    form = StockForm(request.POST)
    if form.is_valid():
        try:
            stock_adjust(by=request.user, product=product, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            product.refresh_from_db(fields=["stock"])
            messages.success(
                request,
                _("The stock of “%(product)s” is now %(stock)d.")
                % {"product": product.name, "stock": product.stock},
            )
            return redirect("catalog:product_edit", pk=product.pk)
    return _product_page(request, product, stock_form=form)


MAX_PHOTO_UPLOAD = 5 * 1024 * 1024


@login_required
@require_POST
def product_photo_add(request, pk: int):
    """Adds a photo to one of the shop's products; the service checks the file and re-encodes it."""
    shop = shop_get_for_work(user=request.user, pk=pk)
    if not can_manage_shop(request.user, shop):
        raise PermissionDenied
    product = shop_products(shop=shop).filter(pk=int_or_none(request.POST.get("product", ""))).first()
    upload = request.FILES.get("photo")
    if product is None or upload is None:
        messages.error(request, _("Choose one of the shop's products and a photo file."))
    elif upload.size > MAX_PHOTO_UPLOAD:
        messages.error(request, _("The photo is larger than 5 MB; take or save it smaller."))
    else:
        try:
            product_add_photo(by=request.user, product=product, data=upload.read())
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The photo of “%(product)s” is added.") % {"product": product.name})
    if product is not None and request.POST.get("back") == "product":  # sent from the product's own page
        return redirect("catalog:product_edit", pk=product.pk)
    return redirect("catalog:shop_detail", pk=shop.pk)


@login_required
@require_POST
def product_photo_act(request, pk: int):
    """Puts one of the product's photos first, or takes it off."""
    product = product_get_for_work(user=request.user, pk=pk)
    if not can_manage_shop(request.user, product.shop):
        raise PermissionDenied
    photo_pk = int_or_none(request.POST.get("photo", ""))
    photo = product.photos.filter(pk=photo_pk).first() if photo_pk is not None else None
    action = request.POST.get("action")
    if photo is None or action not in ("first", "remove"):
        messages.error(request, _("Choose one of the product's photos."))
    elif action == "first":
        product_photo_first(by=request.user, photo=photo)
        messages.success(request, _("The photo is shown first now."))
    else:
        product_photo_remove(by=request.user, photo=photo)
        messages.success(request, _("The photo is removed."))
    return redirect("catalog:product_edit", pk=product.pk)
