"""Deploy checks of the project's own settings."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def shared_cache_configured(app_configs=None, **kwargs):
    """Throttles, lock-outs and cached pages must be one set for every app server (and survive any volume of
    other traffic): under the production settings a shared cache (Redis) is required."""
    if not getattr(settings, "VILLAGELINK_REQUIRE_SHARED_CACHE", False):
        return []
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("RedisCache"):
        return []
    return [
        Error(
            "No shared cache: each app server would count throttles and failed tracking tries on its own, in a "
            "small memory cache that other traffic can empty.",
            hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/0).",
            id="villagelink.E004",
        )
    ]
