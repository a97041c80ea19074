"""Tibetan and English names for the demo's shops and service sites, made from the same parts as their Chinese
names (the owner's name or the unit's, and what the shop or site is), so that a Tibetan or English page names
them in its own language. The sites' Tibetan words follow docs/glossary.md."""

from django.db import transaction

from villagelink.catalog.models import Shop
from villagelink.core.paths import subtree_q
from villagelink.geo.models import AdminUnit
from villagelink.network.models import ServiceSite, SiteKind
from villagelink.registry.models import Organisation

from .registry import GIVEN

# The given names of the demo's household heads in Tibetan script (their Chinese and English forms: registry.GIVEN).
GIVEN_BO = {
    "扎西": "བཀྲ་ཤིས",
    "多吉": "རྡོ་རྗེ",
    "白玛": "པདྨ",
    "次仁": "ཚེ་རིང",
    "卓玛": "སྒྲོལ་མ",
    "拉姆": "ལྷ་མོ",
    "朗杰": "རྣམ་རྒྱལ",
    "格桑": "སྐལ་བཟང",
    "平措": "ཕུན་ཚོགས",
    "达瓦": "ཟླ་བ",
    "尼玛": "ཉི་མ",
    "巴桑": "པ་སངས",
    "边巴": "སྤེན་པ",
    "米玛": "མིག་དམར",
    "拉巴": "ལྷག་པ",
    "丹增": "བསྟན་འཛིན",
    "索朗": "བསོད་ནམས",
    "德吉": "བདེ་སྐྱིད",
    "央宗": "དབྱངས་འཛོམས",
    "曲珍": "ཆོས་སྒྲོན",
}
GIVEN_EN = {zh: en for en, zh in GIVEN}
# What the shop is, after the owner's name: (Chinese, Tibetan, English).
SHOP_WORDS = {
    "小店": ("ཚོང་ཁང་།", "shop"),
    "特产店": ("ཁྱད་ཐོན་ཚོང་ཁང་།", "speciality shop"),
    "土特产": ("ས་གནས་ཁྱད་ཐོན།", "local products"),
    "农家店": ("ཞིང་པའི་ཚོང་ཁང་།", "farm shop"),
}
# The words of the demo's cooperatives' and companies' names (registry demo).
TRADE_WORDS = {
    "牦牛": ("གཡག", "Yak"),
    "青稞": ("ནས", "Highland Barley"),
    "酥油": ("མར", "Butter"),
    "藏药材": ("བོད་སྨན", "Tibetan Medicinal Herbs"),
    "手工艺": ("ལག་ཤེས", "Handicrafts"),
    "高原": ("མཐོ་སྒང", "Plateau"),
    "雪域": ("གངས་ལྗོངས", "Snowland"),
    "圣洁": ("གཙང་མ", "Pure"),
}
COOPERATIVE = ("专业合作社", "ཆེད་ལས་མཉམ་ལས་ཁང་།", "Cooperative")
COMPANY = ("农牧产品有限公司", "ཞིང་འབྲོག་ཐོན་རྫས་ཚད་ཡོད་ཀུང་སི།", "Farm Products Co., Ltd.")
SITE_WORDS = {
    SiteKind.COUNTY_CENTRE: ("གློག་རྡུལ་ཚོང་ལས་སྤྱི་པའི་ཞབས་ཞུ་ལྟེ་གནས།", "e-commerce public service centre"),
    SiteKind.TOWNSHIP_STATION: ("གློག་རྡུལ་ཚོང་ལས་ཞབས་ཞུ་ཚན།", "e-commerce service station"),
    SiteKind.VILLAGE_POINT: ("གློག་རྡུལ་ཚོང་ལས་ཞབས་ཞུ་ས་ཚིགས།", "e-commerce service point"),
}
VOWEL_SIGNS = "ིེོུ"


def unit_bo(unit: AdminUnit) -> str:
    """The unit's Tibetan name without the demo's "(example)" mark and without its final shad."""
    return unit.name_bo.replace("(དཔེ་)", "").strip().rstrip("།").rstrip("་")


def _unit_en(unit: AdminUnit) -> str:
    return unit.name_en.replace("(synthetic)", "").strip()


def with_shad(text: str) -> str:
    """`text` closed by a shad; after ང a tsheg comes first (ཁང་།), as Tibetan writes it."""
    return text + ("་།" if text.endswith("ང") else "།")


def genitive(name: str) -> str:
    """`name` followed by the genitive particle its last letter takes (ཀྱི་ after ད བ ས, གི་ after ག ང, གྱི་ after
    ན མ ར ལ, འི་ after a vowel), as in རྣམ་གླིང་རྫོང་གི་…"""
    syllable = name.split("་")[-1]
    last = syllable[-1]
    if last in VOWEL_SIGNS or len(syllable) == 1 or last == "འ":
        return name + "འི་"
    if last in "གང":
        return name + "་གི་"
    if last in "དབས":
        return name + "་ཀྱི་"
    return name + "་གྱི་"


def owner_names(shop: Shop) -> tuple[str, str] | None:
    """The owner's name in Tibetan and English, for the demo's households and organisations."""
    if shop.household is not None:
        head = shop.household.head_name
        parts = [head[:2], head[2:]]
        if all(part in GIVEN_BO for part in parts):
            return "་".join(GIVEN_BO[p] for p in parts), " ".join(GIVEN_EN[p] for p in parts)
        return None
    assert shop.organisation is not None  # a shop has one owner
    return organisation_names(shop.organisation)


def organisation_names(organisation: Organisation) -> tuple[str, str] | None:
    """A demo cooperative's or company's name in Tibetan (without its final shad) and English."""
    for chinese, bo, en in (COOPERATIVE, COMPANY):
        if organisation.name.endswith(chinese):
            place = organisation.unit.name_zh.replace("（示例）", "")
            word = organisation.name[: -len(chinese)].replace(place, "")
            if word in TRADE_WORDS:
                return (
                    f"{unit_bo(organisation.unit)}་{TRADE_WORDS[word][0]}་{bo}".rstrip("།").rstrip("་"),
                    f"{_unit_en(organisation.unit)} {TRADE_WORDS[word][1]} {en}",
                )
    return None


def shop_names(shop: Shop) -> tuple[str, str] | None:
    owner, _of, word = shop.name.rpartition("的")
    names = owner_names(shop)
    if not owner or word not in SHOP_WORDS or names is None:
        return None
    bo, en = names
    shop_bo, shop_en = SHOP_WORDS[word]
    return f"{bo}་{shop_bo}", f"{en}'s {shop_en}" if shop.household_id else f"{en} {shop_en}"


def site_names(site: ServiceSite) -> tuple[str, str]:
    bo, en = SITE_WORDS[SiteKind(site.kind)]
    return genitive(unit_bo(site.unit)) + bo, f"{_unit_en(site.unit)} {en}"


@transaction.atomic
def name_in_every_language(region: AdminUnit) -> int:
    """Gives the demo's organisations, shops and sites that have none their Tibetan and English names; only
    names change, so no figure does. A demo built before they had them gets them too."""
    organisations = Organisation.objects.filter(
        subtree_q("unit__path", region.path), name_bo=""
    ).select_related("unit")
    named_organisations = []
    for organisation in organisations:
        found = organisation_names(organisation)
        if found is not None:
            organisation.name_bo, organisation.name_en = with_shad(found[0]), found[1]
            named_organisations.append(organisation)
    Organisation.objects.bulk_update(named_organisations, ["name_bo", "name_en"], batch_size=500)
    shops = Shop.objects.filter(subtree_q("unit__path", region.path), name_bo="").select_related(
        "household", "organisation__unit"
    )
    named_shops = []
    for shop in shops:
        names = shop_names(shop)
        if names is not None:
            shop.name_bo, shop.name_en = names
            named_shops.append(shop)
    Shop.objects.bulk_update(named_shops, ["name_bo", "name_en"], batch_size=500)
    sites = ServiceSite.objects.filter(subtree_q("unit__path", region.path), name_bo="").select_related(
        "unit"
    )
    named_sites = []
    for site in sites:
        if site.unit.name_bo:
            site.name_bo, site.name_en = site_names(site)
            named_sites.append(site)
    ServiceSite.objects.bulk_update(named_sites, ["name_bo", "name_en"], batch_size=500)
    return len(named_organisations) + len(named_shops) + len(named_sites)
