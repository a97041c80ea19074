"""Reads that tolerate a short lag go to the read replicas (`DATABASE_REPLICA_URLS`); everything else to the
primary, with read-your-writes for the person who has just written.

Which pages may read from a replica is one list, `LAG_TOLERANT` (route names): the dashboards, their report and
workbooks, the KPI API, and the storefront's browsing. What they show may be a second or so behind the primary
(streaming replication's lag), which nobody reading a month's figures or a product list can tell; anything
that writes, locks or must see its own change (a checkout, a desk entry, an approval, an import) stays on the
primary. A replica page that writes after all (a log line in the database, say) reads from the primary for the
rest of the request.

Read-your-writes: every request that may write (any method but GET, HEAD and OPTIONS) sets a short-lived cookie
(`VILLAGELINK_REPLICA_STICKY_SECONDS`, 10 s by default, far beyond a healthy replica's lag); while a browser
holds it, its reads stay on the primary. So an officer who approves a month sees the approval on the dashboard
they land on, even if the replica has not replayed it yet.
"""

import random
from contextvars import ContextVar

from django.conf import settings

LAG_TOLERANT = frozenset(
    {
        "monitoring:dashboard",
        "monitoring:report",
        "monitoring:workbook",
        "kpi-list",
        "kpi-children",
        "kpi-trade",
        "storefront:home",
        "storefront:search",
        "storefront:category",
        "storefront:region",
        "storefront:product",
        "storefront-product-list",
        "storefront-product-detail",
    }
)
WROTE_COOKIE = "vl_wrote"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_replica_ok: ContextVar[bool] = ContextVar("replica_ok", default=False)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "VILLAGELINK_REPLICAS", []))


class ReplicaRouter:
    """Django's router: a replica for the reads of a lag-tolerant request, the primary for all else."""

    def db_for_read(self, model, **hints):
        aliases = replica_aliases()
        if aliases and _replica_ok.get():
            return random.choice(aliases)
        return "default"

    def db_for_write(self, model, **hints):
        _replica_ok.set(False)  # what this request reads next must see what it wrote
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, copied: every object is in all of them

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replicas replay the primary's schema


class ReplicaReadsMiddleware:
    """Marks a lag-tolerant request's reads for a replica (unless its browser wrote a moment ago), and marks a
    browser that may have written. After the authentication middleware: the session and the user are read
    from the primary before the view's reads begin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._replica_token = None
        try:
            response = self.get_response(request)
        finally:
            if request._replica_token is not None:
                _replica_ok.reset(request._replica_token)
        if request.method not in SAFE_METHODS and replica_aliases():
            response.set_cookie(
                WROTE_COOKIE,
                "1",
                max_age=settings.VILLAGELINK_REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method in SAFE_METHODS
            and match is not None
            and match.view_name in LAG_TOLERANT
            and WROTE_COOKIE not in request.COOKIES
            and replica_aliases()
        ):
            user = getattr(request, "user", None)
            if user is not None:
                user.is_authenticated  # noqa: B018 - the session and the user come from the primary, now
            request._replica_token = _replica_ok.set(True)
        return None
