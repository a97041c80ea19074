"""Product photos are public (the storefront shows them): served by the app, cached by browsers, and in the
widths a screen needs (`srcset`), so that a phone on a rural network loads a small file."""

import io
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from PIL import Image

from .models import ProductPhoto

WIDTHS = (160, 320, 640, 960)


def _sized(photo: ProductPhoto, width: int) -> Path:
    """The photo scaled to `width` pixels (never enlarged), made once and kept beside the media."""
    target = Path(settings.MEDIA_ROOT) / "sized" / f"{photo.pk}-w{width}.jpg"
    if not target.exists():
        with photo.image.open("rb") as source, Image.open(source) as image:
            image = image.convert("RGB")
            if image.width > width:
                image = image.resize(
                    (width, max(1, round(image.height * width / image.width))), Image.LANCZOS
                )
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=78, optimize=True, progressive=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(out.getvalue())
        partial.replace(target)
    return target


@require_GET
@cache_control(public=True, max_age=7 * 24 * 3600)
def product_photo(request, pk: int, width: int | None = None):
    photo = get_object_or_404(ProductPhoto.objects.filter(product__is_listed=True), pk=pk)
    if width is not None and width not in WIDTHS:
        raise Http404
    try:
        if width is None:
            return FileResponse(photo.image.open("rb"), content_type="image/jpeg")
        return FileResponse(_sized(photo, width).open("rb"), content_type="image/jpeg")
    except FileNotFoundError as exc:
        raise Http404 from exc
