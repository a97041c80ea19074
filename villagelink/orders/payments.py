"""Payments behind one interface.

A provider is a `PaymentGateway`: `start` a payment (the provider may send the buyer to its own page), `parse`
a notification it sends (checking its signature), `query` a payment's state (when the buyer comes back before
the notification), and `refund`. Every call carries an idempotency key (our payment or refund reference), so
a call repeated after a time-out does the thing once. The services in `villagelink.orders.services` never call
a provider inside a transaction that holds stock rows.

Two providers come with VillageLink:

- `CashOnDelivery`: nothing to start; the village point or courier records the cash when it delivers.
- `SimulatedProvider`: an online provider with its own books (`SimulatedCharge`), a page where the buyer
  "pays", and HMAC-SHA256-signed notifications, so that the whole online flow runs in tests and the demo.

A real provider fits the same four methods. WeChat Pay (API v3), for instance:
  - `start` calls the JSAPI/H5 "place order" endpoint with `out_trade_no` = our `provider_ref`, the amount in
    fen and `notify_url` = /shop/pay/notify/wechat/, and returns the `h5_url` (or the JSAPI parameters page);
  - `parse` checks the `Wechatpay-Signature` header against the platform certificate, decrypts the
    AES-GCM `resource` with the API v3 key and returns out_trade_no, transaction_id, amount and trade_state;
  - `query` calls "query order by out_trade_no";
  - `refund` calls "apply for refund" with `out_refund_no` = the refund's idempotency key.
Alipay's `alipay.trade.wap.pay` / async notify (RSA2 signature) / `alipay.trade.query` / `alipay.trade.refund`
with `out_request_no` map the same way. Register the class in `GATEWAYS` and name it in
`VILLAGELINK_ONLINE_PAYMENT_PROVIDER`.
"""

import hashlib
import hmac
import json
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from villagelink.core.exceptions import ApplicationError, ErrorCode

from .models import SimulatedCharge, SimulatedRefund


class PaymentError(ApplicationError):
    pass


@dataclass(frozen=True)
class Started:
    provider_ref: str
    redirect_url: str  # where the buyer goes to pay; "" when there is nothing to do now


@dataclass(frozen=True)
class Notification:
    provider_ref: str
    notification_id: str
    amount_fen: int
    paid: bool


@dataclass(frozen=True)
class RefundResult:
    provider_ref: str
    succeeded: bool


class PaymentGateway(ABC):
    code: str

    @abstractmethod
    def start(
        self, *, provider_ref: str, amount_fen: int, description: str, return_url: str, idempotency_key: str
    ) -> Started: ...

    @abstractmethod
    def parse(self, *, body: bytes, signature: str) -> Notification:
        """Checks the signature and reads the notification; raises PaymentError if it is not genuine."""

    @abstractmethod
    def query(self, *, provider_ref: str) -> Notification | None: ...

    @abstractmethod
    def refund(self, *, provider_ref: str, amount_fen: int, idempotency_key: str) -> RefundResult: ...


class CashOnDelivery(PaymentGateway):
    code = "cod"

    def start(self, *, provider_ref, amount_fen, description, return_url, idempotency_key) -> Started:
        return Started(provider_ref=provider_ref, redirect_url="")

    def parse(self, *, body, signature) -> Notification:
        raise PaymentError(_("Cash on delivery sends no notifications."), code=ErrorCode.FORBIDDEN)

    def query(self, *, provider_ref) -> Notification | None:
        return None

    def refund(self, *, provider_ref, amount_fen, idempotency_key) -> RefundResult:
        # The cash goes back by hand at the village point; the refund is recorded as done.
        return RefundResult(provider_ref=f"cash-{idempotency_key}", succeeded=True)


def _secret() -> bytes:
    return settings.VILLAGELINK_SIMULATED_PAY_SECRET.encode()


def sign(body: bytes) -> str:
    return hmac.new(_secret(), body, hashlib.sha256).hexdigest()


class SimulatedProvider(PaymentGateway):
    code = "simulated"

    def start(self, *, provider_ref, amount_fen, description, return_url, idempotency_key) -> Started:
        try:
            with transaction.atomic():
                charge, _created = SimulatedCharge.objects.get_or_create(
                    idempotency_key=idempotency_key,
                    defaults={
                        "ref": provider_ref,
                        "amount_fen": amount_fen,
                        "description": description[:200],
                        "return_url": return_url[:300],
                    },
                )
        except IntegrityError:
            charge = SimulatedCharge.objects.get(idempotency_key=idempotency_key)
        return Started(
            provider_ref=charge.ref, redirect_url=reverse("storefront:simulated_pay", args=[charge.ref])
        )

    def parse(self, *, body, signature) -> Notification:
        if not hmac.compare_digest(sign(body), signature or ""):
            raise PaymentError(_("The notification's signature is wrong."), code=ErrorCode.FORBIDDEN)
        try:
            data = json.loads(body)
            return Notification(
                provider_ref=str(data["ref"]),
                notification_id=str(data["id"]),
                amount_fen=int(data["amount_fen"]),
                paid=data["status"] == "paid",
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise PaymentError(_("The notification cannot be read.")) from exc

    def query(self, *, provider_ref) -> Notification | None:
        charge = SimulatedCharge.objects.filter(ref=provider_ref).first()
        if charge is None or charge.status != "paid":
            return None
        return Notification(
            provider_ref=charge.ref,
            notification_id=f"query-{charge.ref}",
            amount_fen=charge.amount_fen,
            paid=True,
        )

    def refund(self, *, provider_ref, amount_fen, idempotency_key) -> RefundResult:
        with transaction.atomic():
            charge = SimulatedCharge.objects.select_for_update().get(ref=provider_ref)
            if SimulatedRefund.objects.filter(idempotency_key=idempotency_key).exists():
                return RefundResult(provider_ref=idempotency_key, succeeded=True)
            if charge.status != "paid" or charge.refunded_fen + amount_fen > charge.amount_fen:
                return RefundResult(provider_ref="", succeeded=False)
            SimulatedRefund.objects.create(
                charge=charge, idempotency_key=idempotency_key, amount_fen=amount_fen
            )
            charge.refunded_fen += amount_fen
            charge.save(update_fields=["refunded_fen"])
        return RefundResult(provider_ref=idempotency_key, succeeded=True)

    # The provider's side: what its payment page does when the buyer pays.
    def pay(self, *, ref: str) -> tuple[bytes, str]:
        """Marks the charge paid and returns the signed notification the provider sends to the merchant."""
        with transaction.atomic():
            charge = SimulatedCharge.objects.select_for_update().get(ref=ref)
            charge.status = "paid"
            charge.save(update_fields=["status"])
        return self.notification(charge)

    def notification(self, charge: SimulatedCharge) -> tuple[bytes, str]:
        body = json.dumps(
            {
                "ref": charge.ref,
                "id": uuid.uuid4().hex,
                "amount_fen": charge.amount_fen,
                "status": charge.status,
            },
            separators=(",", ":"),
        ).encode()
        return body, sign(body)


GATEWAYS: dict[str, PaymentGateway] = {
    gateway.code: gateway for gateway in (CashOnDelivery(), SimulatedProvider())
}


OFF = "off"


def simulated_allowed() -> bool:
    return bool(settings.VILLAGELINK_ALLOW_SIMULATED_PAYMENTS)


def gateway_for(code: str) -> PaymentGateway:
    """The provider called `code`. The simulated one answers only where it is explicitly allowed: elsewhere
    its pay page and its notifications are refused as an unknown provider's."""
    gateway = GATEWAYS.get(code)
    if gateway is None or (code == SimulatedProvider.code and not simulated_allowed()):
        raise PaymentError(_("There is no payment provider called “%(code)s”.") % {"code": code[:40]})
    return gateway


def online_provider() -> str | None:
    """The provider behind "pay online", or None where online payment is off (or names no usable provider)."""
    code = settings.VILLAGELINK_ONLINE_PAYMENT_PROVIDER
    if code == OFF or code not in GATEWAYS or code == CashOnDelivery.code:
        return None
    if code == SimulatedProvider.code and not simulated_allowed():
        return None
    return code
