"""The shops in the network's stock (`network.stock`): +1 on the day a shop opens, −1 on the day it closes, in
`shops` and in `shops:<kind of owner>` (household, cooperative or enterprise)."""

from villagelink.network.stock import open_close, stock_source

from .models import Shop


def _shops(unit_ids: set[int] | None):
    shops = Shop.objects.all() if unit_ids is None else Shop.objects.filter(unit_id__in=unit_ids)
    rows = shops.values_list("unit__path", "opened_on", "closed_on", "organisation__kind")
    for path, opened, closed, organisation_kind in rows.iterator(chunk_size=10_000):
        yield from open_close(path, "shops", opened, closed)
        yield from open_close(path, f"shops:{organisation_kind or 'household'}", opened, closed)


def stock_connect() -> None:
    stock_source(_shops, Shop, lambda shop: shop.unit_id)
