"""Encryption at rest for personal data, and keyed hashes to look it up without decrypting.

The keys come from settings (the environment in production), never from the database:
VILLAGELINK_ENCRYPTION_KEYS is a comma-separated list of Fernet keys; the first encrypts, all decrypt, so a
key can be rotated by putting a new one first. The look-up hash is an HMAC-SHA256 under
VILLAGELINK_LOOKUP_KEY, which must not change once data is stored.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@cache
def _cipher() -> MultiFernet:
    return MultiFernet([Fernet(key.strip()) for key in settings.VILLAGELINK_ENCRYPTION_KEYS if key.strip()])


def encrypt(text: str) -> str:
    return _cipher().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    return _cipher().decrypt(token.encode("ascii")).decode()


def keyed_hash(text: str) -> str:
    """A stable, keyed digest of `text` for exact look-up and uniqueness; useless without the key."""
    return hmac.new(settings.VILLAGELINK_LOOKUP_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def reset_cache() -> None:
    """For tests that change the keys."""
    _cipher.cache_clear()


def buyer_key(account: str) -> str:
    """A buyer's platform account or phone as a keyed hash (blank for none): the same buyer gives the same
    key however the report spaced or cased it, and nothing of the account can be read back."""
    cleaned = "".join(account.split()).replace("-", "").lower()
    return keyed_hash(f"buyer:{cleaned}") if cleaned else ""
