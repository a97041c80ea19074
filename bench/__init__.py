"""Benchmarks: scripts that print figures (not tests). The server of bench_storefront.py imports
bench.bench_settings and bench.bench_urls from here."""
