from django.test import override_settings

from villagelink.core.checks import shared_cache_configured

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1"}
}


def test_production_without_a_shared_cache_fails_the_deploy_check():
    with override_settings(VILLAGELINK_REQUIRE_SHARED_CACHE=True, CACHES=LOCAL):
        assert [message.id for message in shared_cache_configured()] == ["villagelink.E004"]
    with override_settings(VILLAGELINK_REQUIRE_SHARED_CACHE=True, CACHES=REDIS):
        assert shared_cache_configured() == []
    with override_settings(VILLAGELINK_REQUIRE_SHARED_CACHE=False, CACHES=LOCAL):
        assert shared_cache_configured() == []
