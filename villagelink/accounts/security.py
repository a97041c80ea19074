"""Log-in security helpers."""

import hashlib
import hmac

from django.conf import settings


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """How django-axes names a client in its log lines: a keyed digest, never the user name or address.

    The same person and address give the same digest, so repeated failures can still be followed in the logs.
    """
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"{username}|{ip_address}".encode(), hashlib.sha256).hexdigest()[:12]
    return f"client {digest}"
