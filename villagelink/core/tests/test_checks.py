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


def test_attempts_are_counted_per_window_and_old_windows_are_purged(db):
    from villagelink.core.models import ThrottleCount
    from villagelink.core.throttle import throttle_count, throttle_exceeded, throttle_hit, throttles_purge

    for _ in range(3):
        throttle_hit("track-number", "123", window=3600, now=7200)
    assert throttle_count("track-number", "123", window=3600, now=7300) == 3
    assert throttle_exceeded("track-number", "123", limit=3, window=3600, now=7300)
    assert not throttle_exceeded("track-number", "123", limit=3, window=3600, now=10800)  # the next hour
    assert not throttle_exceeded("track-client", "123", limit=1, window=3600, now=7300)  # another scope
    assert "123" not in "".join(ThrottleCount.objects.values_list("key", flat=True))  # keyed hashes only
    assert throttles_purge(older_than=3600, now=20000) == 1
