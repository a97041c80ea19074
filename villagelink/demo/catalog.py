"""The demo's online shops and products, generated the same way every time.

1,229 shops are open at the end of the demo period (2019-06-30): one for each cooperative and enterprise, the
rest for households in the villages that have a service point; a few more closed before the period's end.
Shops opened for a household registered as poor at the time come with their shop set-up assistance event,
as the service would record it (assistance/demo.py builds the rest of the ledger).
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from villagelink.assistance.models import AssistanceEvent, AssistanceKind
from villagelink.catalog.models import Platform, Product, Shop, ShopStatus, StockMove, StockReason
from villagelink.core import notes
from villagelink.core.paths import subtree_q
from villagelink.geo.models import AdminUnit
from villagelink.network.models import ServiceSite
from villagelink.network.stock import stock_follow
from villagelink.registry.models import Household, Organisation

from .names import name_in_every_language, unit_bo

OPEN_SHOPS, CLOSED_SHOPS = 1229, 37
START, END = datetime.date(2015, 1, 1), datetime.date(2019, 6, 30)
PLATFORMS = [
    (Platform.STOREFRONT, 35),
    (Platform.TAOBAO, 20),
    (Platform.PINDUODUO, 15),
    (Platform.WECHAT, 12),
    (Platform.JD, 10),
    (Platform.DOUYIN, 8),
]
# (zh, en, category, price range in yuan, unit)
PRODUCTS = [
    ("风干牦牛肉", "Air-dried yak meat", "meat", (68, 168), "500 g"),
    ("牦牛肉干", "Yak jerky", "meat", (38, 98), "250 g"),
    ("藏香猪腊肉", "Tibetan pork, cured", "meat", (88, 188), "500 g"),
    ("牦牛酥油", "Yak butter", "dairy", (45, 95), "500 g"),
    ("牦牛奶渣", "Yak milk curd", "dairy", (25, 60), "250 g"),
    ("青稞糌粑", "Highland barley tsampa", "grain", (18, 45), "1 kg"),
    ("黑青稞面", "Black highland barley flour", "grain", (22, 50), "1 kg"),
    ("青稞酒", "Highland barley wine", "tea", (35, 120), "500 ml"),
    ("酥油茶粉", "Butter tea powder", "tea", (28, 68), "400 g"),
    ("藏红花", "Saffron", "herbs", (88, 298), "5 g"),
    ("冬虫夏草", "Cordyceps", "herbs", (380, 1280), "10 g"),
    ("松茸", "Matsutake mushrooms, dried", "herbs", (98, 398), "100 g"),
    ("手工氆氇", "Hand-woven pulu wool cloth", "crafts", (120, 680), "a piece"),
    ("藏式木碗", "Tibetan wooden bowl", "crafts", (58, 260), "a piece"),
    ("唐卡挂饰", "Thangka pendant", "crafts", (80, 480), "a piece"),
    ("林芝蜂蜜", "Nyingchi honey", "other", (48, 128), "500 g"),
]
# The Tibetan name of each product above, by its Chinese name (kept apart so that the tuples above, which the
# regional trades unpack too, and the random draws over them stay as they were: the demo's figures are unchanged).
NAMES_BO = {
    "风干牦牛肉": "གཡག་ཤ་རླུང་སྐམ།",  # g.yag sha rlung skam: wind-dried yak meat
    "牦牛肉干": "གཡག་ཤ་སྐམ་པོ།",  # g.yag sha skam po: dried yak meat
    "藏香猪腊肉": "བོད་ཕག་ཤ་སྐམ།",  # bod phag sha skam: dried meat of the Tibetan pig
    "牦牛酥油": "འབྲི་མར།",  # 'bri mar: butter (of the dri, the female yak)
    "牦牛奶渣": "ཕྱུར་བ།",  # phyur ba: dried curd (chura)
    "青稞糌粑": "ནས་རྩམ་པ།",  # nas rtsam pa: barley tsampa
    "黑青稞面": "ནས་ནག་གི་ཕྱེ།",  # nas nag gi phye: flour of black barley
    "青稞酒": "ནས་ཆང་།",  # nas chang: barley beer
    "酥油茶粉": "བོད་ཇའི་ཕྱེ་མ།",  # bod ja'i phye ma: butter-tea powder
    "藏红花": "གུར་གུམ།",  # gur gum: saffron
    "冬虫夏草": "དབྱར་རྩྭ་དགུན་འབུ།",  # dbyar rtswa dgun 'bu: cordyceps
    "松茸": "ཐང་ཤིང་ཤ་མོ་སྐམ་པོ།",  # thang shing sha mo skam po: dried pine mushrooms
    "手工氆氇": "ལག་ཐག་སྣམ་བུ།",  # lag thag snam bu: hand-woven woollen cloth
    "藏式木碗": "བོད་ཀྱི་ཤིང་ཕོར།",  # bod kyi shing phor: Tibetan wooden bowl
    "唐卡挂饰": "ཐང་ཀའི་འཕྱང་རྒྱན།",  # thang ka'i 'phyang rgyan: thangka hanging ornament
    "林芝蜂蜜": "ཉིང་ཁྲིའི་སྦྲང་རྩི།",  # nying khri'i sbrang rtsi: Nyingchi honey
}


@dataclass(frozen=True)
class CatalogDemoResult:
    shops: int
    products: int
    setup_events: int


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _platform(rng: random.Random) -> str:
    return rng.choices([p for p, _w in PLATFORMS], weights=[w for _p, w in PLATFORMS])[0]


def _name_in_tibetan(region: AdminUnit) -> int:
    """Gives the demo's products that have none their Tibetan name and description; only words change, so no
    figure does."""
    named = 0
    for zh, bo in NAMES_BO.items():
        named += Product.objects.filter(
            subtree_q("shop__unit__path", region.path), name_zh=zh, name_bo=""
        ).update(name_bo=bo, updated_at=timezone.now())
    undescribed = list(
        Product.objects.filter(subtree_q("shop__unit__path", region.path), description_bo="")
        .exclude(name_bo="")
        .select_related("shop__unit")
    )
    for product in undescribed:
        product.description_bo = description_bo(product.name_bo, product.shop.unit)
        product.updated_at = timezone.now()
    Product.objects.bulk_update(undescribed, ["description_bo", "updated_at"], batch_size=500)
    return named


def description_bo(name_bo: str, unit: AdminUnit) -> str:
    """ "<product> from <unit>" in Tibetan: ལྷུན་པོ་ཁ་གྲོང་ཚོ་ནས་ཐོན་པའི་འབྲི་མར།"""
    place = unit_bo(unit)
    return f"{place}་ནས་ཐོན་པའི་{name_bo}" if place else ""


@transaction.atomic
def build_catalog_demo(*, region: AdminUnit) -> CatalogDemoResult:
    if Shop.objects.filter(subtree_q("unit__path", region.path)).exists():
        _name_in_tibetan(region)  # a demo built before the products had Tibetan names gets them
        name_in_every_language(region)  # and its shops and sites theirs
        return CatalogDemoResult(0, 0, 0)
    rng = random.Random(20170301)
    sites = list(ServiceSite.objects.filter(subtree_q("unit__path", region.path)).select_related("unit"))
    sites_by_path: dict[str, list[ServiceSite]] = {}
    for site in sites:
        sites_by_path.setdefault(site.unit.path, []).append(site)

    def helping_site(path: str, day: datetime.date) -> ServiceSite | None:
        """The nearest site that was open on `day`: the village point, else the station, else the centre."""
        for width in (12, 9, 6):
            for site in sites_by_path.get(path[:width], []):
                if site.is_open_on(day):
                    return site
        return None

    organisations = list(
        Organisation.objects.filter(subtree_q("unit__path", region.path)).select_related("unit")
    )
    point_villages = {s.unit.path for s in sites if s.kind == "village_point"}
    households = [
        h
        for h in Household.objects.filter(subtree_q("village__path", region.path)).select_related("village")
        if h.village.path in point_villages
    ]
    owners: list[tuple[Household | None, Organisation | None]] = [(None, o) for o in organisations]
    poor_first = sorted(households, key=lambda h: (h.registered_poor_in is None, rng.random()))
    wanted = OPEN_SHOPS + CLOSED_SHOPS - len(owners)
    # about three in five household shops belong to households registered as poor
    poor = [h for h in poor_first if h.registered_poor_in][: int(wanted * 0.6)]
    others = [h for h in households if not h.registered_poor_in]
    rng.shuffle(others)
    owners += [(h, None) for h in poor + others[: wanted - len(poor)]]
    rng.shuffle(owners)

    shops, events = [], []
    for n, (household, organisation) in enumerate(owners):
        unit = household.village if household else organisation.unit
        closes = n < CLOSED_SHOPS
        opened = _day(rng, START, END - datetime.timedelta(days=1) if closes else END)
        platform = _platform(rng)
        closed = _day(rng, opened, END) if closes else None
        shops.append(
            Shop(
                name=f"{(household.head_name if household else organisation.name)}的{rng.choice(['小店', '特产店', '土特产', '农家店'])}",
                household=household,
                organisation=organisation,
                unit=unit,
                platform=platform,
                external_id="" if platform == Platform.STOREFRONT else f"{platform}-{540000 + n}",
                opened_on=opened,
                opened_with=helping_site(unit.path, opened),
                status=ShopStatus.CLOSED if closed else ShopStatus.OPEN,
                closed_on=closed,
            )
        )
    with stock_follow(shop.unit_id for shop in shops):
        Shop.objects.bulk_create(shops, batch_size=1000)
    saved = list(
        Shop.objects.filter(subtree_q("unit__path", region.path)).select_related("household", "unit")
    )
    products = []
    for shop in saved:
        for zh, en, category, (low, high), unit_label in rng.sample(PRODUCTS, rng.randint(1, 4)):
            products.append(
                Product(
                    shop=shop,
                    name_zh=zh,
                    name_en=en,
                    name_bo=NAMES_BO[zh],
                    category=category,
                    price_fen=rng.randint(low, high) * 100 + rng.choice((0, 0, 50, 80, 90)),
                    unit_label=unit_label,
                    stock=rng.randint(0, 200),
                    origin_village=shop.unit if len(shop.unit.path) == 12 else None,
                    poverty_area_product=True,
                    description_en=f"{en} from {shop.unit.name_en}.",
                    description_zh=f"产自{shop.unit.name_zh}的{zh}。",
                    description_bo=description_bo(NAMES_BO[zh], shop.unit),
                )
            )
        if shop.household and shop.household.is_poor_in(shop.opened_on.year):
            events.append(
                AssistanceEvent(
                    household=shop.household,
                    kind=AssistanceKind.SHOP_SETUP,
                    day=shop.opened_on,
                    site=shop.opened_with,
                    shop=shop,
                    note=notes.note("shop_opened", shop=shop.name),
                )
            )
    Product.objects.bulk_create(products, batch_size=1000)
    StockMove.objects.bulk_create(  # each listing's opening stock, as the service records it
        (
            StockMove(
                product=product, change=product.stock, reason=StockReason.OPENING, at=product.created_at
            )
            for product in Product.objects.filter(subtree_q("shop__unit__path", region.path), stock__gt=0)
            .only("pk", "stock", "created_at")
            .iterator(chunk_size=2000)
        ),
        batch_size=1000,
    )
    AssistanceEvent.objects.bulk_create(events, batch_size=1000)
    name_in_every_language(region)
    return CatalogDemoResult(shops=len(shops), products=len(products), setup_events=len(events))
