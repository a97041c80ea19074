"""Reviews: a buyer's stars and words on a line of a completed storefront order, once; shown after the shop's
county officer (or one above, or an administrator) approves them."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.accounts.models import Role, User
from villagelink.core.exceptions import ErrorCode, Problems
from villagelink.core.scope import in_scope, is_administrator

from ..models import Channel, OrderLine, Review, ReviewStatus, Status
from .base import OrderError

MAX_REVIEW_CHARS = 1000


@transaction.atomic
def review_write(*, by: User, line: OrderLine, stars: int, text: str = "") -> Review:
    order = line.order
    if not by.is_authenticated or order.buyer_id != by.pk:
        raise OrderError(_("Only the buyer of the order reviews it."), code=ErrorCode.FORBIDDEN)
    if (
        order.channel != Channel.STOREFRONT
        or order.status != Status.COMPLETED
        or line.product_id is None
        or order.shop_id is None
    ):
        raise OrderError(_("A product is reviewed once its order is completed."), code=ErrorCode.CONFLICT)
    problems = Problems(OrderError)
    if not 1 <= stars <= 5:
        problems.add("stars", _("Give from 1 to 5 stars."))
    if len(text.strip()) > MAX_REVIEW_CHARS:
        problems.add("text", _("Keep the review to %(max)d characters.") % {"max": MAX_REVIEW_CHARS})
    problems.raise_if_any()
    try:
        with transaction.atomic():
            return Review.objects.create(
                line=line, product_id=line.product_id, shop_id=order.shop_id, stars=stars, text=text.strip()
            )
    except IntegrityError as exc:
        raise OrderError(
            _("This product of the order is reviewed already."), code=ErrorCode.CONFLICT
        ) from exc


def can_moderate(user, review: Review) -> bool:
    """The officers of the shop's area and administrators."""
    if is_administrator(user):
        return True
    return user.is_authenticated and user.role == Role.OFFICER and in_scope(user, review.shop.unit.path)


@transaction.atomic
def review_moderate(*, by: User, review: Review, approve: bool) -> Review:
    review = Review.objects.select_for_update().select_related("shop__unit").get(pk=review.pk)
    if not can_moderate(by, review):
        raise OrderError(
            _("Reviews are approved by the officers of the shop's area."), code=ErrorCode.FORBIDDEN
        )
    review.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    review.moderated_by, review.moderated_at = by, timezone.now()
    review.save(update_fields=["status", "moderated_by", "moderated_at"])
    return review
