"""Settings of the server bench_storefront.py starts: the project's own, with a URLconf that adds a bare view."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
