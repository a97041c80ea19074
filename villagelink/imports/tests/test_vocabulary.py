"""Each status phrase of each platform's reports, as its seller back-office writes it, and what it means."""

import pytest

from villagelink.imports.vocabulary import (
    AFTER_NONE,
    AFTER_REFUNDED,
    AFTER_SALE_STATUSES,
    ORDER_STATUSES,
    Vocabulary,
)

ORDER_PHRASES = [
    ("taobao", "等待买家付款", "placed"),
    ("taobao", "没有创建支付宝交易", "placed"),
    ("taobao", "外卡支付付款确认中", "placed"),
    ("taobao", "买家已付款，等待卖家发货", "paid"),
    ("taobao", "等待卖家发货", "paid"),
    ("taobao", "买家已付款", "paid"),
    ("taobao", "卖家部分发货", "shipped"),
    ("taobao", "卖家已发货，等待买家确认", "shipped"),
    ("taobao", "等待买家确认收货", "shipped"),
    ("taobao", "卖家已发货", "shipped"),
    ("taobao", "买家已签收", "completed"),
    ("taobao", "交易成功", "completed"),
    ("taobao", "交易关闭", "cancelled"),
    ("taobao", "交易被淘宝关闭", "cancelled"),
    ("taobao", "付款以前，卖家或买家主动关闭交易", "cancelled"),
    ("taobao", "付款以后用户退款成功，交易自动关闭", "refunded"),
    ("jd", "等待付款", "placed"),
    ("jd", "等待出库", "paid"),
    ("jd", "等待发货", "paid"),
    ("jd", "暂停", "paid"),
    ("jd", "发往配送中心", "shipped"),
    ("jd", "配送中心已收货", "shipped"),
    ("jd", "等待确认收货", "shipped"),
    ("jd", "收款确认", "completed"),
    ("jd", "完成", "completed"),
    ("jd", "已完成", "completed"),
    ("jd", "已取消", "cancelled"),
    ("jd", "取消", "cancelled"),
    ("jd", "锁定", "cancelled"),
    ("jd", "已锁定", "cancelled"),
    ("jd", "(删除)锁定", "cancelled"),
    ("jd", "(删除)已取消", "cancelled"),
    ("pinduoduo", "待支付", "placed"),
    ("pinduoduo", "待成团", "paid"),
    ("pinduoduo", "待发货", "paid"),
    ("pinduoduo", "已发货，待收货", "shipped"),
    ("pinduoduo", "已发货，待签收", "shipped"),
    ("pinduoduo", "已签收", "completed"),
    ("pinduoduo", "已收货", "completed"),
    ("pinduoduo", "已取消", "cancelled"),
    ("pinduoduo", "未发货，退款成功", "refunded"),
    ("pinduoduo", "已发货，退款成功", "refunded"),
    ("pinduoduo", "已签收，退款成功", "refunded"),
    ("other", "placed", "placed"),
    ("other", "unpaid", "placed"),
    ("other", "paid", "paid"),
    ("other", "shipped", "shipped"),
    ("other", "completed", "completed"),
    ("other", "cancelled", "cancelled"),
    ("other", "canceled", "cancelled"),
    ("other", "closed", "cancelled"),
    ("other", "refunded", "refunded"),
]

AFTER_SALE_PHRASES = [
    ("taobao", "没有申请退款", AFTER_NONE),
    ("taobao", "买家已经申请退款，等待卖家同意", AFTER_NONE),
    ("taobao", "卖家已经同意退款，等待买家退货", AFTER_NONE),
    ("taobao", "买家已经退货，等待卖家确认收货", AFTER_NONE),
    ("taobao", "卖家拒绝退款", AFTER_NONE),
    ("taobao", "退款关闭", AFTER_NONE),
    ("taobao", "退款成功", AFTER_REFUNDED),
    ("jd", "无售后", AFTER_NONE),
    ("jd", "审核中", AFTER_NONE),
    ("jd", "退款中", AFTER_NONE),
    ("jd", "审核不通过", AFTER_NONE),
    ("jd", "取消", AFTER_NONE),
    ("jd", "退款成功", AFTER_REFUNDED),
    ("jd", "已退款", AFTER_REFUNDED),
    ("jd", "售后完成", AFTER_REFUNDED),
    ("pinduoduo", "无售后或售后关闭", AFTER_NONE),
    ("pinduoduo", "无售后", AFTER_NONE),
    ("pinduoduo", "售后关闭", AFTER_NONE),
    ("pinduoduo", "售后处理中", AFTER_NONE),
    ("pinduoduo", "退款中", AFTER_NONE),
    ("pinduoduo", "售后取消", AFTER_NONE),
    ("pinduoduo", "退款成功", AFTER_REFUNDED),
    ("pinduoduo", "售后完成", AFTER_REFUNDED),
    ("other", "none", AFTER_NONE),
    ("other", "refunded", AFTER_REFUNDED),
]


@pytest.mark.parametrize(("platform", "phrase", "outcome"), ORDER_PHRASES)
def test_each_order_status_phrase_means_its_outcome(platform, phrase, outcome):
    assert Vocabulary(platform).order(phrase) == outcome


@pytest.mark.parametrize(("platform", "phrase", "meaning"), AFTER_SALE_PHRASES)
def test_each_after_sale_phrase_means_refunded_or_nothing(platform, phrase, meaning):
    assert Vocabulary(platform).after_sale(phrase) == meaning


def test_every_phrase_of_the_tables_has_its_test_row():
    assert {(p, w) for p, w, _o in ORDER_PHRASES} == {
        (p, w) for p, words in ORDER_STATUSES.items() for w in words
    }
    assert {(p, w) for p, w, _m in AFTER_SALE_PHRASES} == {
        (p, w) for p, words in AFTER_SALE_STATUSES.items() for w in words
    }


@pytest.mark.parametrize(
    ("platform", "written", "outcome"),
    [
        ("taobao", "买家已付款,等待卖家发货", "paid"),  # half-width comma
        ("taobao", " 买家已付款， 等待卖家发货 ", "paid"),  # spaces
        ("taobao", "买家已付款\u3000，等待卖家发货", "paid"),  # an ideographic space
        ("pinduoduo", "已发货,待收货", "shipped"),
        ("jd", "（删除）锁定", "cancelled"),  # full-width brackets
        ("other", "COMPLETED", "completed"),  # capitals
        ("other", "ｐａｉｄ", "paid"),  # full-width letters
        ("taobao", "卖家已发货；等待买家确认收货", "shipped"),  # not whole: its parts agree
    ],
)
def test_phrases_are_matched_whatever_their_punctuation_and_spaces(platform, written, outcome):
    assert Vocabulary(platform).order(written) == outcome


def test_a_phrase_whose_parts_disagree_or_are_unknown_is_unknown():
    taobao = Vocabulary("taobao")
    assert taobao.order("买家已付款，交易关闭") is None
    assert taobao.order("等待卖家发货，拼团中") is None
    assert taobao.order("发货了") is None
    assert Vocabulary("pinduoduo").order("完成") is None  # JD's word, not Pinduoduo's


def test_the_offices_own_words_come_first():
    words = Vocabulary("jd", {"完成": "cancelled", "已妥投": "completed"})
    assert (words.order("完成"), words.order("已妥投"), words.order("等待出库")) == (
        "cancelled",
        "completed",
        "paid",
    )


def test_a_generic_sheet_knows_every_platforms_phrases():
    other = Vocabulary("other")
    assert (other.order("等待出库"), other.order("已发货，待收货"), other.order("交易成功")) == (
        "paid",
        "shipped",
        "completed",
    )


def test_the_words_a_report_repeats_are_read_once_and_made_up_ones_add_no_memory():
    from villagelink.imports.vocabulary import Vocabulary

    words = Vocabulary("taobao")
    assert [words.order("交易成功") for _ in range(3)] == ["completed"] * 3
    for i in range(3 * Vocabulary.REMEMBERED):
        assert words.order(f"made-up {i}") is None
    assert len(words._orders_read) == Vocabulary.REMEMBERED
    assert words.order("交易 成功") == "completed" and words.after_sale("退款成功") == "refunded"
