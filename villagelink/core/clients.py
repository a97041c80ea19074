"""Who is asking: the client's address, as the trusted proxies in front of the app report it.

Behind N proxies that each append the address they received from (nginx: `$proxy_add_x_forwarded_for`), the
client is the N-th address from the right of `X-Forwarded-For`; anything to its left was sent by the client and
is not believed. With no trusted proxy (`VILLAGELINK_TRUSTED_PROXIES=0`, the default) the header is ignored.
Lock-outs (django-axes) and every throttle name the client this way.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "VILLAGELINK_TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
