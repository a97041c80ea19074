"""Settings for the test suite: the same as base, with fast password hashing."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
# Tests place many guest orders from one address and phone and take whole stocks: the guest limits are lifted
# here and set back by the tests of those limits (villagelink/orders/tests/test_guest_limits.py).
VILLAGELINK_GUEST_STOCK_SHARE_PERCENT = 100
VILLAGELINK_GUEST_CHECKOUTS_PER_CLIENT_HOUR = 1_000_000
VILLAGELINK_GUEST_CHECKOUTS_PER_PHONE_DAY = 1_000_000
