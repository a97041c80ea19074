"""A small market for order tests: a poor household's storefront shop in Namling with a seller account and
two products, and a shop in Chengguan (another county)."""

import datetime
import itertools
from dataclasses import dataclass

from conftest import make_user
from villagelink.accounts.models import Role, User
from villagelink.catalog.models import Product, Shop
from villagelink.catalog.services import ProductData, product_create, shop_assign_seller, shop_open
from villagelink.orders.services import CartLine, Contact, checkout_place
from villagelink.registry.idnumbers import check_digit
from villagelink.registry.models import Household
from villagelink.registry.services import HouseholdData, household_register

OPENED = datetime.date(2018, 3, 1)
CONTACT = Contact(
    name="Zhang San", phone="13800138000", address="1 Renmin Road, Chengdu", note="", province="51"
)
_keys = itertools.count(1)


def household(by: User, village, serial: str, poor: int | None = 2016) -> Household:
    first17 = f"{village.code[:6]}19800101{serial}"
    return household_register(
        by=by,
        village=village,
        id_number=first17 + check_digit(first17),
        data=HouseholdData(head_name=f"Head {serial}", registered_poor_in=poor),
    )


def product(by: User, shop: Shop, name_en: str, name_zh: str, price_fen: int, stock: int) -> Product:
    return product_create(
        by=by,
        shop=shop,
        data=ProductData(
            name_zh=name_zh,
            name_en=name_en,
            category="dairy",
            price_fen=price_fen,
            unit_label="500 g",
            stock=stock,
            description_en=f"{name_en} from the highlands.",
            description_zh=f"高原{name_zh}。",
            poverty_area_product=True,
        ),
    )


@dataclass
class Market:
    shop: Shop
    butter: Product
    barley: Product
    seller: User
    other_shop: Shop
    other_product: Product
    household: Household


def build_market(units, admin: User) -> Market:
    village = units["540221101201"]
    owner = household(admin, village, "101")
    shop = shop_open(
        by=admin, name="Namling butter", platform="storefront", opened_on=OPENED, household=owner
    )
    seller = make_user("shopkeeper", Role.SELLER)
    shop_assign_seller(by=admin, shop=shop, user=seller)
    butter = product(admin, shop, "Yak butter", "牦牛酥油", 6800, 20)
    barley = product(admin, shop, "Highland barley", "青稞", 2500, 50)
    other_owner = household(admin, units["540102101201"], "201")
    other_shop = shop_open(
        by=admin, name="Lhasa crafts", platform="storefront", opened_on=OPENED, household=other_owner
    )
    other_product = product(admin, other_shop, "Wooden bowl", "木碗", 12000, 5)
    return Market(shop, butter, barley, seller, other_shop, other_product, owner)


def new_key() -> str:
    return f"test-key-{next(_keys):06d}"


def place(*products_and_quantities, method: str = "cod", buyer=None, key: str | None = None):
    lines = [CartLine(p.pk, q) for p, q in products_and_quantities]
    return checkout_place(
        key=key or new_key(), lines=lines, contact=CONTACT, payment_method=method, buyer=buyer
    )
