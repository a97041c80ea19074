"""Product photos are public (the storefront shows them): served by the app, cached by browsers."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .models import ProductPhoto


@require_GET
@cache_control(public=True, max_age=7 * 24 * 3600)
def product_photo(request, pk: int):
    photo = get_object_or_404(ProductPhoto.objects.filter(product__is_listed=True), pk=pk)
    try:
        return FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    except FileNotFoundError as exc:
        raise Http404 from exc
