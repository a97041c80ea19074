"""Production: everything secret or host-specific must come from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable for production.")
    return value


SECRET_KEY = required("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in required("ALLOWED_HOSTS").split(",") if h.strip()]
# Personal data keys must be set explicitly, never derived: losing them loses the data they protect.
VILLAGELINK_ENCRYPTION_KEYS = [
    k.strip() for k in required("VILLAGELINK_ENCRYPTION_KEYS").split(",") if k.strip()
]
VILLAGELINK_LOOKUP_KEY = required("VILLAGELINK_LOOKUP_KEY")
DEBUG = False
VILLAGELINK_REFUSE_DEMO_ACCOUNTS = True
# Online payment: a real provider, or "off" (cash on delivery only). The simulated provider marks orders paid
# with no money moving: only for a trial server, named explicitly, and `check --deploy` reports it.
VILLAGELINK_ONLINE_PAYMENT_PROVIDER = os.environ.get("VILLAGELINK_ONLINE_PAYMENT_PROVIDER", "off").strip()
VILLAGELINK_ALLOW_SIMULATED_PAYMENTS = env_bool("VILLAGELINK_ALLOW_SIMULATED_PAYMENTS", False)  # noqa: F405
# Throttles, lock-outs and cached pages must be shared by every app server: `check --deploy` requires REDIS_URL.
VILLAGELINK_REQUIRE_SHARED_CACHE = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
# Probes and the metrics scraper call the app server directly over plain HTTP (see deploy/).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
WHITENOISE_USE_FINDERS = False
STATIC_ROOT = DATA_DIR / "static"  # noqa: F405  (fill with `villagelink collectstatic`)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
