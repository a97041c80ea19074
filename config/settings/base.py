"""Settings shared by every environment. Everything a deployment changes comes from the environment."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "villagelink"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("VILLAGELINK_DATA_DIR", BASE_DIR / "var")).resolve()


def _development_secret_key() -> str:
    """A key generated once per data folder and kept there, so sessions survive a restart."""
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()


def _derived(purpose: str) -> str:
    """A development key derived from SECRET_KEY; production sets its own keys (config/settings/production.py)."""
    import base64
    import hashlib

    return base64.urlsafe_b64encode(hashlib.sha256(f"{purpose}:{SECRET_KEY}".encode()).digest()).decode()


# Personal data at rest (villagelink/core/crypto.py): Fernet keys, the first encrypts; and the look-up hash key.
VILLAGELINK_ENCRYPTION_KEYS = [
    k for k in os.environ.get("VILLAGELINK_ENCRYPTION_KEYS", "").split(",") if k.strip()
] or [_derived("encryption")]
VILLAGELINK_LOOKUP_KEY = os.environ.get("VILLAGELINK_LOOKUP_KEY") or _derived("lookup")
# Payments (villagelink/orders/payments.py): the provider behind "pay online" ("off": cash on delivery only),
# whether the simulated provider (no money moves) may serve, its signing secret, and how long an unpaid online
# order keeps its stock. The production settings refuse the simulated provider unless it is explicitly allowed.
VILLAGELINK_ONLINE_PAYMENT_PROVIDER = os.environ.get(
    "VILLAGELINK_ONLINE_PAYMENT_PROVIDER", "simulated"
).strip()
VILLAGELINK_ALLOW_SIMULATED_PAYMENTS = env_bool("VILLAGELINK_ALLOW_SIMULATED_PAYMENTS", True)
VILLAGELINK_SIMULATED_PAY_SECRET = os.environ.get("VILLAGELINK_SIMULATED_PAY_SECRET") or _derived(
    "simulated-pay"
)
VILLAGELINK_RESERVATION_MINUTES = int(os.environ.get("VILLAGELINK_RESERVATION_MINUTES", "30"))
# Against stock hoarding by guests (no account): a cash-on-delivery order of a guest keeps its stock this long
# unless the seller ships it; a guest may take at most this share of a product's stock (but always a few); and
# at most so many guest checkouts per client address per hour and per phone number per day.
VILLAGELINK_COD_CONFIRM_HOURS = int(os.environ.get("VILLAGELINK_COD_CONFIRM_HOURS", "72"))
VILLAGELINK_GUEST_STOCK_SHARE_PERCENT = int(os.environ.get("VILLAGELINK_GUEST_STOCK_SHARE_PERCENT", "50"))
VILLAGELINK_GUEST_CHECKOUTS_PER_CLIENT_HOUR = int(
    os.environ.get("VILLAGELINK_GUEST_CHECKOUTS_PER_CLIENT_HOUR", "5")
)
VILLAGELINK_GUEST_CHECKOUTS_PER_PHONE_DAY = int(
    os.environ.get("VILLAGELINK_GUEST_CHECKOUTS_PER_PHONE_DAY", "3")
)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "auditlog",
    # Before django_tasks_db: its `db_worker` (the same worker, plus the heartbeat /readyz reads) takes the name.
    "villagelink.ops",
    "django_tasks",
    "django_tasks_db",
    "villagelink.core",
    "villagelink.geo",
    "villagelink.accounts",
    "villagelink.audit",
    "villagelink.approvals",
    "villagelink.network",
    "villagelink.registry",
    "villagelink.catalog",
    "villagelink.assistance",
    "villagelink.orders",
    "villagelink.storefront",
    "villagelink.imports",
    "villagelink.desk",
    "villagelink.monitoring",
    "villagelink.quality",
    "villagelink.api",
    "villagelink.demo",
]

MIDDLEWARE = [
    # First, to time the whole answer (villagelink/ops/metrics.py).
    "villagelink.ops.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "villagelink.core.middleware.LargeUploadBodiesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "villagelink.core.replicas.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "villagelink.core.middleware.ApplicationErrorMiddleware",
    "villagelink.core.middleware.RejectNulBytesMiddleware",
    "villagelink.core.middleware.PrivateResponsesMiddleware",
    # Axes must come last: it turns a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "villagelink.storefront.pagecache.placeholder_token",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'villagelink.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Read replicas (PostgreSQL streaming replicas of "default"): the reads that tolerate a second's lag go there
# (villagelink/core/replicas.py). Comma-separated URLs; none: every read goes to "default".
VILLAGELINK_REPLICAS = []
for _number, _url in enumerate(
    [u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()], start=1
):
    DATABASES[f"replica{_number}"] = {
        **dj_database_url.parse(
            _url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
        ),
        "TEST": {"MIRROR": "default"},
    }
    VILLAGELINK_REPLICAS.append(f"replica{_number}")
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        # The few statements VillageLink prepares itself (the facts' upkeep for each order, `orders/facts.py`)
        # are planned once: PostgreSQL would otherwise plan them again at every run, which cost more than running
        # them. Django binds every other query's parameters on the client, so nothing else is prepared.
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
DATABASE_ROUTERS = ["villagelink.core.replicas.ReplicaRouter"]
# How long after a browser's last write its reads stay on the primary (read-your-writes).
VILLAGELINK_REPLICA_STICKY_SECONDS = int(os.environ.get("VILLAGELINK_REPLICA_STICKY_SECONDS", "10"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite keeps connections cheap; WAL lets readers run beside one writer. IMMEDIATE transactions take the
    # write lock when they begin, so two writers queue instead of failing when a reader upgrades to a writer
    # (SQLite has no row locks: select_for_update() is a no-op there, the database lock serialises writes).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
# Two caches: "default" for what every app server must agree on (tracking throttles), "pages" for rendered
# storefront pages and pieces. Both live in each process unless REDIS_URL is set; with several app servers,
# set it, so that they share one set of throttles and render each page once.
_REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    name: (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL, "KEY_PREFIX": name}
        if _REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}
    )
    for name in ("default", "pages")
}
# In front of a shared "pages" cache, each process keeps the copies it has just served (see
# storefront/pagecache.py): a local hit costs no round trip.
CACHES["local"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"}
# What the web processes and the background worker must all see (an import's progress): Redis, else files in
# the data folder.
CACHES["shared"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL, "KEY_PREFIX": "shared"}
    if _REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
)
# Background work (imports of large files) through django-tasks: its database backend by default, run by
# `villagelink db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
# Uploaded tables (order reports, households, units), all read by villagelink/core/tabular/, which holds each
# file to these limits as it reads it; an upload may take less (households: 10 MB, 100,000 rows). An .xlsx is
# refused unread if its parts unpack to more than MAX_UNCOMPRESSED_BYTES (a zip bomb).
VILLAGELINK_IMPORT_MAX_BYTES = 20 * 1024 * 1024  # the file as uploaded
VILLAGELINK_IMPORT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
VILLAGELINK_IMPORT_MAX_ROWS = 1_000_000  # rows with something in them, the header aside
VILLAGELINK_IMPORT_MAX_COLUMNS = 1_000  # of one row
VILLAGELINK_IMPORT_MAX_CELLS = 20_000_000  # of the whole file
VILLAGELINK_IMPORT_BACKGROUND_ROWS = 20_000  # an order report longer than this is imported in the background
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: HttpOnly, SameSite, a fresh key at every login (django.contrib.auth.login does that),
# and an idle timeout: each request pushes the expiry forward, silence for this long ends the session.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ENGINE = "villagelink.core.sessions"  # the expiry moves without writing back a stale copy
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): scripts, styles, fonts and pictures from this site only; no inline script
# (a nonce is there should one be needed), no plugins, no framing, forms post here only. Inline style attributes
# are allowed (htmx's swaps and Swagger UI set them); they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The proxies in front of the app (nginx: 1) whose X-Forwarded-For is believed: the client's address for
# lock-outs and throttles is the one they report (villagelink/core/clients.py). 0: the header is ignored.
VILLAGELINK_TRUSTED_PROXIES = int(os.environ.get("VILLAGELINK_TRUSTED_PROXIES", "0"))

# Lock-out after repeated failed logins, per user name and address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Axes logs each failure; name the client by a keyed digest so no user name or address reaches the logs.
AXES_CLIENT_STR_CALLABLE = "villagelink.accounts.security.axes_client_str"
AXES_CLIENT_IP_CALLABLE = "villagelink.core.clients.client_address"

LANGUAGE_CODE = "en"
# The switch offers each language in its own script; the browser's Accept-Language picks the first time.
# Django knows no Tibetan: its name in its own script is added here (its messages are in our catalogues).
LANG_INFO.setdefault("bo", {"bidi": False, "code": "bo", "name": "Tibetan", "name_local": "བོད་ཡིག"})
LANGUAGES = [
    ("bo", _("Tibetan")),
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Date formats for the languages Django has none for (Tibetan: villagelink/core/formats/bo/formats.py).
FORMAT_MODULE_PATH = ["villagelink.core.formats"]
USE_I18N = True
USE_TZ = True
# Times are stored in UTC and shown in the region's own time.
TIME_ZONE = os.environ.get("VILLAGELINK_REGION_TIME_ZONE", "Asia/Shanghai")
# The region's own clock: local days for facts and reports are counted in it.
VILLAGELINK_REGION_TIME_ZONE = os.environ.get("VILLAGELINK_REGION_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "/static/"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

# The app serves its own assets (WhiteNoise): here straight from the apps; production collects them first.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous call is answered 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: one body format to document, check and fuzz (and JSON can say null, a form cannot).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "villagelink.core.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "VillageLink API",
    "DESCRIPTION": "E-commerce poverty alleviation: units, network, registry, orders and indicators.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CategoryEnum": "villagelink.catalog.models.Category",
        "PurchaseCategoryEnum": "villagelink.orders.models.PurchaseCategory",
        "DeskPlatformEnum": "villagelink.desk.forms.PLATFORMS",
    },
}


# Prometheus metrics at /metrics for a caller sending `Authorization: Bearer <this token>`; empty: /metrics is 404.
VILLAGELINK_METRICS_TOKEN = os.environ.get("VILLAGELINK_METRICS_TOKEN", "").strip()

# VILLAGELINK_LOG_FORMAT=json: one JSON object per line (python-json-logger), for a log collector.
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_LOG_FORMATTER = "json" if os.environ.get("VILLAGELINK_LOG_FORMAT", "").strip() == "json" else "plain"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": _LOG_FORMAT},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": _LOG_FORMAT},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": _LOG_FORMATTER}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines carry query strings; personal data never goes in URLs, but keep them quiet anyway.
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Accounts that `villagelink demo` creates; production settings refuse to start while any exists.
VILLAGELINK_DEMO_USERNAMES = (
    "admin",
    "region-officer",
    "county-officer",
    "point-operator",
    "seller",
    "buyer",
)
