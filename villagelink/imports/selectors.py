from django.shortcuts import get_object_or_404

from villagelink.catalog.models import Platform, Shop
from villagelink.core.scope import scoped

from .models import ImportBatch


def batch_list(*, user):
    return scoped(ImportBatch.objects.select_related("uploaded_by"), user).order_by("-created_at", "-pk")


def batch_get(*, user, pk: int) -> ImportBatch:
    """A batch the person may see: in their area and, unless they are an administrator, of their own scope."""
    return get_object_or_404(batch_list(user=user), pk=pk)


def import_shops(*, user):
    """The shops in scope that an import may name: those on an external platform (orders of this storefront
    are never imported), by platform and name."""
    return scoped(Shop.objects.exclude(platform=Platform.STOREFRONT), user).order_by("platform", "name", "pk")
