"""What kind of goods an order sold, when only its title says: a platform's report names the goods, not their
category. And which categories are farm products, the programme's 农产品 (the figure of agricultural products
sold online that the Ministry of Commerce's rural e-commerce programme reports apart from other goods)."""

from functools import lru_cache

from .models import Category

# Meat, dairy, grain, medicinal herbs and fungi, tea and drinks: produce of farming and herding, raw or
# processed. Handicrafts are not, nor is what is not known ("other", or no category).
FARM_PRODUCTS = frozenset({Category.MEAT, Category.DAIRY, Category.GRAIN, Category.HERBS, Category.TEA})

# Words in a title that name goods of a category, in Chinese, English and Tibetan (only words of two syllables
# or more there: a single one, such as ནས་ "barley", is also a common particle). A title takes the category of
# the longest word it holds, so that 酥油茶 (butter tea) is tea, not butter, and 藏香猪 (Tibetan pig) is meat,
# not incense.
WORDS: dict[str, tuple[str, ...]] = {
    Category.MEAT: (
        "牦牛肉", "牛肉", "羊肉", "猪肉", "腊肉", "肉干", "风干肉", "藏香猪", "藏鸡", "鸡肉",
        "yak meat", "beef", "mutton", "lamb", "pork", "jerky", "chicken",
        "གཡག་ཤ", "ཕག་ཤ",
    ),
    Category.DAIRY: (
        "酥油", "奶渣", "曲拉", "奶酪", "牦牛奶", "酸奶", "奶粉", "牛奶", "奶片",
        "butter", "cheese", "curd", "milk", "yogurt", "yoghurt",
        "འབྲི་མར", "ཕྱུར་བ",
    ),
    Category.GRAIN: (
        "青稞", "糌粑", "面粉", "大米", "小麦", "荞麦", "豌豆", "土豆", "马铃薯",
        "barley", "tsampa", "flour", "rice", "wheat", "buckwheat", "potato",
        "རྩམ་པ", "ནས་ཕྱེ",
    ),
    Category.HERBS: (
        "虫草", "冬虫夏草", "藏红花", "红景天", "玛咖", "雪莲", "松茸", "灵芝", "菌", "枸杞", "藏药", "天麻", "贝母",
        "cordyceps", "saffron", "rhodiola", "maca", "matsutake", "mushroom", "goji", "herb",
        "དབྱར་རྩྭ་དགུན་འབུ", "གུར་གུམ",
    ),
    Category.TEA: (
        "茶", "酥油茶", "甜茶", "砖茶", "青稞酒", "饮料",
        "tea", "butter tea", "barley wine", "drink",
        "བོད་ཇ", "ནས་ཆང",
    ),
    Category.CRAFTS: (
        "唐卡", "藏毯", "地毯", "卡垫", "氆氇", "木碗", "藏刀", "藏香", "饰品", "首饰", "围巾", "手工", "陶",
        "thangka", "carpet", "rug", "bowl", "incense", "knife", "jewellery", "jewelry", "scarf", "handmade",
        "wool", "woven", "cloth",
        "ཐང་ཀ", "སྣམ་བུ",
    ),
}  # fmt: skip

_BY_LENGTH = sorted(
    ((word.lower(), category) for category, words in WORDS.items() for word in words),
    key=lambda item: -len(item[0]),
)


@lru_cache(maxsize=10_000)  # a report names the same goods again and again
def category_of_title(title: str) -> str:
    """The category the goods of a title belong to, by the longest of `WORDS` it holds; "" when none."""
    text = title.lower()
    for word, category in _BY_LENGTH:
        if word in text:
            return category
    return ""
