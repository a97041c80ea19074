"""What the platforms' seller back-offices write in their order reports' status columns, and what it means
for us: one table per platform of order statuses (订单状态) and one of after-sale statuses (售后状态 /
退款状态), each phrase as the platform writes it.

A cell is matched after normalising (full-width letters, digits, punctuation and spaces to half-width, spaces
dropped, lower case), as a whole phrase first: the office's own words for the platform (the import profile's
status words), then the platform's table. A phrase not found whole is cut at its punctuation
("买家已付款，等待卖家发货" → "买家已付款" + "等待卖家发货"); when every part is known and they all mean the
same, that is its meaning. Anything else is unknown, and the row is refused naming the cell.

Where the phrases come from: the platforms' open-platform documentation of order and refund states, as
quoted by open-source clients of those APIs (Taobao's trade statuses WAIT_BUYER_PAY … TRADE_CLOSED_BY_TAOBAO
and refund statuses; JD's WAIT_SELLER_STOCK_OUT … LOCKED; Pinduoduo's order_status 1-3 and refund_status
1-4), and the wording of the seller back-offices' order exports.
"""

import re
import unicodedata
from collections.abc import Mapping

from .models import Outcome

PLACED, PAID, SHIPPED = Outcome.PLACED.value, Outcome.PAID.value, Outcome.SHIPPED.value
COMPLETED, CANCELLED, REFUNDED = Outcome.COMPLETED.value, Outcome.CANCELLED.value, Outcome.REFUNDED.value

# What an after-sale status means: the money went back to the buyer, or the order status stands (no
# after-sale, one refused, withdrawn or still in progress: nothing has been paid back yet).
AFTER_REFUNDED = "refunded"
AFTER_NONE = "none"

ORDER_STATUSES: dict[str, dict[str, str]] = {
    # 淘宝 / 天猫 卖家中心 → 已卖出的宝贝 → 批量导出 (订单报表, column 订单状态)
    "taobao": {
        "等待买家付款": PLACED,  # WAIT_BUYER_PAY
        "没有创建支付宝交易": PLACED,  # TRADE_NO_CREATE_PAY
        "外卡支付付款确认中": PLACED,  # PAY_PENDING
        "买家已付款，等待卖家发货": PAID,  # WAIT_SELLER_SEND_GOODS
        "等待卖家发货": PAID,
        "买家已付款": PAID,
        "卖家部分发货": SHIPPED,  # SELLER_CONSIGNED_PART
        "卖家已发货，等待买家确认": SHIPPED,  # WAIT_BUYER_CONFIRM_GOODS
        "等待买家确认收货": SHIPPED,
        "卖家已发货": SHIPPED,
        "买家已签收": COMPLETED,  # TRADE_BUYER_SIGNED (cash on delivery)
        "交易成功": COMPLETED,  # TRADE_FINISHED
        "交易关闭": CANCELLED,  # TRADE_CLOSED, TRADE_CLOSED_BY_TAOBAO
        "交易被淘宝关闭": CANCELLED,
        "付款以前，卖家或买家主动关闭交易": CANCELLED,
        "付款以后用户退款成功，交易自动关闭": REFUNDED,
    },
    # 京东 商家后台 → 订单管理 → 订单导出 (column 订单状态)
    "jd": {
        "等待付款": PLACED,
        "等待出库": PAID,  # WAIT_SELLER_STOCK_OUT
        "等待发货": PAID,  # WAIT_SELLER_DELIVERY
        "暂停": PAID,  # PAUSE
        "发往配送中心": SHIPPED,  # SEND_TO_DISTRIBUTION_CENER
        "配送中心已收货": SHIPPED,  # DISTRIBUTION_CENTER_RECEIVED
        "等待确认收货": SHIPPED,  # WAIT_GOODS_RECEIVE_CONFIRM
        "收款确认": COMPLETED,  # RECEIPTS_CONFIRM
        "完成": COMPLETED,  # FINISHED_L
        "已完成": COMPLETED,
        "已取消": CANCELLED,  # TRADE_CANCELED
        "取消": CANCELLED,
        "锁定": CANCELLED,  # LOCKED: held by JD, never delivered
        "已锁定": CANCELLED,
        "(删除)锁定": CANCELLED,
        "(删除)已取消": CANCELLED,
    },
    # 拼多多 商家后台 → 订单查询 → 导出 (column 订单状态)
    "pinduoduo": {
        "待支付": PLACED,
        "待成团": PAID,  # paid, the group not yet formed
        "待发货": PAID,  # order_status 1
        "已发货，待收货": SHIPPED,  # order_status 2
        "已发货，待签收": SHIPPED,
        "已签收": COMPLETED,  # order_status 3
        "已收货": COMPLETED,
        "已取消": CANCELLED,
        "未发货，退款成功": REFUNDED,
        "已发货，退款成功": REFUNDED,
        "已签收，退款成功": REFUNDED,
    },
    # A sheet laid out by hand: English words, and every platform's phrases (below)
    "other": {
        "placed": PLACED,
        "unpaid": PLACED,
        "paid": PAID,
        "shipped": SHIPPED,
        "completed": COMPLETED,
        "cancelled": CANCELLED,
        "canceled": CANCELLED,
        "closed": CANCELLED,
        "refunded": REFUNDED,
    },
}

# Short words any report may use (hand-edited sheets, older exports), known before the tables above existed;
# a platform's own table wins over them.
_ORDER_COMMON = {
    "未付款": PLACED,
    "已付款": PAID,
    "已发货": SHIPPED,
    "待收货": SHIPPED,
    "已收货": COMPLETED,
    "确认收货": COMPLETED,
    "已完成": COMPLETED,
    "交易成功": COMPLETED,
    "已关闭": CANCELLED,
    "已取消": CANCELLED,
    "交易关闭": CANCELLED,
    "已退款": REFUNDED,
    "退款成功": REFUNDED,
    "退款完成": REFUNDED,
}

AFTER_SALE_STATUSES: dict[str, dict[str, str]] = {
    # 淘宝 退款状态 (refund statuses of the trade API, as the export writes them)
    "taobao": {
        "没有申请退款": AFTER_NONE,
        "买家已经申请退款，等待卖家同意": AFTER_NONE,  # WAIT_SELLER_AGREE
        "卖家已经同意退款，等待买家退货": AFTER_NONE,  # WAIT_BUYER_RETURN_GOODS
        "买家已经退货，等待卖家确认收货": AFTER_NONE,  # WAIT_SELLER_CONFIRM_GOODS
        "卖家拒绝退款": AFTER_NONE,  # SELLER_REFUSE_BUYER
        "退款关闭": AFTER_NONE,  # CLOSED
        "退款成功": AFTER_REFUNDED,  # SUCCESS
    },
    # 京东 售后状态 / 退款状态
    "jd": {
        "无售后": AFTER_NONE,
        "审核中": AFTER_NONE,
        "退款中": AFTER_NONE,
        "审核不通过": AFTER_NONE,
        "取消": AFTER_NONE,
        "退款成功": AFTER_REFUNDED,
        "已退款": AFTER_REFUNDED,
        "售后完成": AFTER_REFUNDED,
    },
    # 拼多多 售后状态 (refund_status 1-4)
    "pinduoduo": {
        "无售后或售后关闭": AFTER_NONE,  # 1
        "无售后": AFTER_NONE,
        "售后关闭": AFTER_NONE,
        "售后处理中": AFTER_NONE,  # 2
        "退款中": AFTER_NONE,  # 3
        "售后取消": AFTER_NONE,
        "退款成功": AFTER_REFUNDED,  # 4
        "售后完成": AFTER_REFUNDED,
    },
    "other": {
        "none": AFTER_NONE,
        "refunded": AFTER_REFUNDED,
    },
}

# Said by every platform's after-sale column: nothing, or a finished refund.
_AFTER_SALE_COMMON = {
    "无": AFTER_NONE,
    "-": AFTER_NONE,
    "--": AFTER_NONE,
    "退款关闭": AFTER_NONE,
    "售后关闭": AFTER_NONE,
    "退款成功": AFTER_REFUNDED,
    "退款完成": AFTER_REFUNDED,
    "已退款": AFTER_REFUNDED,
    "售后完成": AFTER_REFUNDED,
}

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[,;/|、:]+")


def normalise(text: str) -> str:
    """Full-width to half-width (，→, （→( ：→: and the ideographic space), spaces dropped, lower case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()


def _table(tables: Mapping[str, Mapping[str, str]], platform: str) -> dict[str, str]:
    if platform == "other":
        merged: dict[str, str] = {}
        for name in ("taobao", "jd", "pinduoduo", "other"):
            merged.update(tables.get(name, {}))
        return {normalise(word): meaning for word, meaning in merged.items()}
    return {normalise(word): meaning for word, meaning in tables.get(platform, {}).items()}


def _lookup(words: Mapping[str, str], text: str) -> str | None:
    whole = normalise(text)
    if whole in words:
        return words[whole]
    parts = [part for part in _PUNCTUATION.split(whole) if part]
    meanings = {words.get(part) for part in parts}
    if len(parts) > 1 and len(meanings) == 1:
        return meanings.pop()  # None when no part is known
    return None


class Vocabulary:
    """The status words of one platform's reports, with the office's own (an import profile's) first."""

    def __init__(
        self,
        platform: str,
        office_words: Mapping[str, str] | None = None,
        office_after_sales: Mapping[str, str] | None = None,
    ):
        self.orders = {normalise(w): m for w, m in _ORDER_COMMON.items()}
        self.orders.update(_table(ORDER_STATUSES, platform))
        self.orders.update({normalise(word): meaning for word, meaning in (office_words or {}).items()})
        self.after_sales = {normalise(w): m for w, m in _AFTER_SALE_COMMON.items()}
        self.after_sales.update(_table(AFTER_SALE_STATUSES, platform))
        self.after_sales.update({normalise(w): m for w, m in (office_after_sales or {}).items()})
        self._orders_read: dict[str, str | None] = {}
        self._after_sales_read: dict[str, str | None] = {}

    def order(self, text: str) -> str | None:
        """The outcome of an order status, None if unknown."""
        return self._remembered(self._orders_read, self.orders, text)

    def after_sale(self, text: str) -> str | None:
        """AFTER_REFUNDED or AFTER_NONE for an after-sale status, None if unknown."""
        return self._remembered(self._after_sales_read, self.after_sales, text)

    REMEMBERED = 1000  # words read, per kind: a report uses a handful; a file of made-up words adds no memory

    def _remembered(self, read: dict[str, str | None], words: Mapping[str, str], text: str) -> str | None:
        if text in read:
            return read[text]
        meaning = _lookup(words, text)
        if len(read) < self.REMEMBERED:
            read[text] = meaning
        return meaning
