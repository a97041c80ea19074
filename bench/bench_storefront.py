"""How many storefront pages gunicorn serves per second, next to a bare Django view, and what a product page
weighs on first load.

    .venv/bin/python bench/bench_storefront.py [--database-url URL] [--seconds 10] [--concurrency 16]
                                               [--workers 4]

Against PostgreSQL (default: the database vl_bench_storefront on 127.0.0.1, created when missing, migrated
and emptied on every run), builds a storefront through the services: the Tibet units with villages under a
few counties, poor households' shops and ~200 products, each with a JPEG photo. Then starts gunicorn (sync
workers, DEBUG off, CONN_MAX_AGE=60) on a free local port with bench/bench_settings.py, whose URLconf
(bench/bench_urls.py) adds a bare view, /bench/bare/, to the project's URLs.

A stdlib client (threads, one http.client connection each, reopened whenever the server closes it, as sync
workers do after every response) loads in turn, for `--seconds` each right after its own warm-up (a second of
load, then each of its addresses visited once): the bare view, the product list (/search/?q=), the list
filtered and sorted (40 combinations in turn) and the product pages (/products/<id>/, every product in turn).
Prints per URL the requests per second, p50 and p99 latency, errors and the rate as a share of the bare view's (goal: at
least half for the lists and the product page).

Then loads one product page as a browser with a 640-px wide screen would on first visit (empty cache, asking
for gzip or brotli): the HTML, its stylesheets (and what they import), scripts, icons, and for each <img> not
loaded lazily the srcset candidate its `sizes` pick at that width. Prints each resource and the total bytes
transferred, bodies only (goal: under 300 KB). Gunicorn is stopped (SIGTERM, graceful) at the end.

The server runs on the base settings (bench_settings.py only swaps the URLconf): static files come straight
from the apps, uncompressed; production serves the compressed copies that `collectstatic` makes.
"""

import argparse
import html.parser
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import benchdata

ROOT = benchdata.ROOT
# Filters and sorts a buyer combines: every sort, with and without a price range, a prefecture and the mark.
FILTERED = [
    f"/search/?q={q}&sort={sort}{extra}"
    for q in ("", "yak")
    for sort in ("relevance", "best_selling", "newest", "price_low", "price_high")
    for extra in ("", "&min_price=20&max_price=150", "&prefecture=5402&mark=on", "&category=dairy&page=2")
]
VIEWPORT = 640  # px, the screen of the first-load measurement (device pixel ratio 1)
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (Linux; Android 13) bench_storefront",
    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
    "Accept-Encoding": "gzip, deflate, br",
    "Accept-Language": "en",
}


# Data ---------------------------------------------------------------------------------------------------------


def build_storefront(*, shops: int, products: int) -> list[int]:
    """Returns the ids of the products, each listed on an open storefront shop with one photo."""
    from villagelink.catalog.services import product_add_photo

    admin = benchdata.administrator()
    villages = benchdata.load_units(counties=8, villages_per_county=2)
    opened = benchdata.open_shops(by=admin, villages=villages, shops=shops, story=True)
    photos = [benchdata.photo_jpeg(seed) for seed in range(6)]
    ids = []
    for i in range(products):
        product = benchdata.add_product(by=admin, shop=opened[i % shops], number=i, stock=100)
        product_add_photo(by=admin, product=product, data=photos[i % len(photos)])
        ids.append(product.pk)
    return ids


# Server -------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving the project with bench/bench_settings.py, started and stopped by this script."""

    def __init__(self, *, url: str, data_dir: str, workers: int, redis_url: str = ""):
        self.port = free_port()
        self.log = Path(data_dir) / "gunicorn.log"
        self.env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH"}}
        self.env.update(
            DJANGO_SETTINGS_MODULE="bench.bench_settings",
            DATABASE_URL=url,
            VILLAGELINK_DATA_DIR=data_dir,  # the same secret key and media as the set-up used
            CONN_MAX_AGE="60",
            DEBUG="0",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            LOG_LEVEL="WARNING",
        )
        if redis_url:  # the production set-up: one cache shared by the workers
            self.env["REDIS_URL"] = redis_url
        self.command = [
            sys.executable, "-m", "gunicorn",
            "--chdir", str(ROOT),
            "--pythonpath", str(ROOT),
            "--worker-class", "sync",
            "--workers", str(workers),
            "--bind", f"127.0.0.1:{self.port}",
            "--error-logfile", str(self.log),
            "--log-level", "warning",
            "--graceful-timeout", "10",
            "config.wsgi:application",
        ]  # fmt: skip
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL)
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                status, _body = fetch(connection, "/bench/bare/")
            except OSError:
                time.sleep(0.2)
                continue
            finally:
                connection.close()
            if status != 200:
                raise SystemExit(f"/bench/bare/ answered {status}:\n{self.log_tail()}")
            return
        raise SystemExit(f"gunicorn did not answer within 60 s:\n{self.log_tail()}")

    def __exit__(self, *exc) -> None:
        self.stop()
        print(f"gunicorn stopped (exit code {self.process.returncode})")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their request, then exit
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else ""


# Client -------------------------------------------------------------------------------------------------------


def fetch(connection: http.client.HTTPConnection, path: str, headers=None) -> tuple[int, bytes]:
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.read()


@dataclass
class Load:
    requests: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return (self.requests - self.errors) / self.elapsed

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100)[p - 1] * 1000


def load(port: int, paths: list[str], *, seconds: float, concurrency: int) -> Load:
    """`concurrency` threads GET the paths in turn for `seconds`, each over its own connection."""
    result = Load()
    lock = threading.Lock()
    clock = {"began": 0.0, "deadline": 0.0}

    def go() -> None:  # run by the last thread to be ready: every thread starts at once
        clock["began"] = time.monotonic()
        clock["deadline"] = clock["began"] + seconds

    start = threading.Barrier(concurrency, action=go)

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies, errors, i = [], 0, offset
        start.wait()
        while time.monotonic() < clock["deadline"]:
            path = paths[i % len(paths)]
            i += 1
            began = time.monotonic()
            try:
                status, _body = fetch(connection, path)
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()  # the next request opens a new one
            latencies.append(time.monotonic() - began)
            errors += status != 200
        connection.close()
        with lock:
            result.latencies += latencies
            result.requests += len(latencies)
            result.errors += errors

    threads = [threading.Thread(target=client, args=(n * 7,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.monotonic() - clock["began"]
    return result


def visit_each(port: int, paths: list[str], *, concurrency: int) -> None:
    """Every path GET once, by `concurrency` threads taking the next path not yet visited."""
    pending = iter(paths)
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                path = next(pending, None)
            if path is None:
                break
            try:
                fetch(connection, path)
            except (OSError, http.client.HTTPException):
                connection.close()
        connection.close()

    threads = [threading.Thread(target=client) for _n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# First load of a product page ---------------------------------------------------------------------------------


class Resources(html.parser.HTMLParser):
    """What a page makes a browser fetch: stylesheets, icons, scripts, images (lazy ones set apart)."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        rel = attrs.get("rel", "").lower().split()
        if (
            tag == "link"
            and attrs.get("href")
            and ({"stylesheet", "icon", "preload", "modulepreload"} & set(rel))
        ):
            self.found.append(("stylesheet" if "stylesheet" in rel else "link", attrs))
        elif tag == "script" and attrs.get("src"):
            self.found.append(("script", attrs))
        elif tag == "img" and (attrs.get("src") or attrs.get("srcset")):
            self.found.append(("img", attrs))


def css_length(value: str, viewport: int) -> float:
    number, unit = re.fullmatch(r"\s*([\d.]+)(vw|px|rem|em)\s*", value).groups()
    return float(number) * {"vw": viewport / 100, "px": 1, "rem": 16, "em": 16}[unit]


def slot_width(sizes: str, viewport: int) -> float:
    """The width `sizes` gives the image on a screen `viewport` px wide (width media conditions only)."""
    for entry in [e.strip() for e in sizes.split(",") if e.strip()]:
        condition = re.fullmatch(r"\(\s*(max|min)-width\s*:\s*([\d.]+\w+)\s*\)\s*(.+)", entry)
        if condition is None:
            return css_length(entry, viewport)
        bound, limit, length = condition.groups()
        limit_px = css_length(limit, viewport)
        if (viewport <= limit_px) if bound == "max" else (viewport >= limit_px):
            return css_length(length, viewport)
    return viewport


def picked_image(attrs: dict, viewport: int) -> str:
    """The srcset candidate a browser picks: the narrowest at least as wide as the slot, else the widest."""
    candidates = []
    for candidate in attrs.get("srcset", "").split(","):
        parts = candidate.split()
        if len(parts) == 2 and parts[1].endswith("w"):
            candidates.append((int(parts[1][:-1]), parts[0]))
    if not candidates:
        return attrs["src"]
    slot = slot_width(attrs.get("sizes", "100vw"), viewport)
    wide_enough = [c for c in candidates if c[0] >= slot]
    return min(wide_enough)[1] if wide_enough else max(candidates)[1]


def first_load(port: int, path: str) -> tuple[list[tuple[str, int, str]], list[str], list[str]]:
    """[(path, bytes, what)] fetched for the page on a first visit, the lazy images left for later, and the
    fonts a browser would not fetch (those the stylesheet uses only for another language's text). The page
    refers to its resources by path (same origin), which is all this follows."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    fetched, lazy, skipped, seen = [], [], [], set()

    def get(url: str, what: str) -> bytes:
        connection.request("GET", url, headers=BROWSER_HEADERS)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")
        encoding = response.getheader("Content-Encoding", "not compressed")
        fetched.append((url, len(body), f"{what}, {response.getheader('Content-Type', '?')}, {encoding}"))
        seen.add(url)
        return body

    page = get(path, "html").decode()
    parser = Resources()
    parser.feed(page)
    for kind, attrs in parser.found:
        if kind == "img":
            url = urljoin(path, picked_image(attrs, VIEWPORT))
            if attrs.get("loading") == "lazy":
                lazy.append(url)
            elif url not in seen:
                get(url, f"img for a {VIEWPORT}-px screen")
            continue
        url = urljoin(path, attrs.get("href") or attrs.get("src"))
        if url in seen:
            continue
        body = get(url, kind)
        if kind == "stylesheet":  # what the stylesheet imports or points at: fonts, images
            css = body.decode()
            unused = fonts_not_used(css, page_lang(page))
            for ref in re.findall(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""", css):
                ref = ref[0] or ref[1]
                if ref in unused:
                    skipped.append(urljoin(url, ref))
                elif not ref.startswith("data:") and urljoin(url, ref) not in seen:
                    get(urljoin(url, ref), "from the stylesheet")
    connection.close()
    return fetched, lazy, skipped


def page_lang(html: str) -> str:
    found = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", html)
    return found[1] if found else ""


def fonts_not_used(css: str, lang: str) -> set[str]:
    """The font files of the families that the stylesheet applies only under `:lang(X)` for another language
    than the page's: a browser fetches a font only for text drawn in it."""
    unused = set()
    for block in re.findall(r"@font-face\s*\{([^}]*)\}", css):
        family = re.search(r"font-family:\s*['\"]([^'\"]+)['\"]", block)
        if family is None:
            continue
        selectors = [
            selector
            for selector, declarations in re.findall(r"([^{}@]+)\{([^{}]*)\}", css)
            if family[1] in declarations and "@font-face" not in selector and "src:" not in declarations
        ]
        langs = {re.search(r":lang\((\w+)\)", sel)[1] if ":lang(" in sel else None for sel in selectors}
        if selectors and None not in langs and lang.split("-")[0] not in langs:
            unused.update(re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", block))
    return unused


# Main ---------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--database-url", default=None, help="Default: vl_bench_storefront on 127.0.0.1:5432."
    )
    parser.add_argument("--seconds", type=float, default=10, help="Of load on each URL.")
    parser.add_argument("--concurrency", type=int, default=16, help="Client threads (connections).")
    parser.add_argument(
        "--workers",
        type=int,
        default=max(2, min(4, 2 * (os.cpu_count() or 1))),
        help="gunicorn sync workers.",
    )
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/5",
        help="The workers' shared cache, emptied first (as in production); '' for a cache per worker.",
    )
    parser.add_argument("--shops", type=int, default=10)
    args = parser.parse_args()
    url = benchdata.database_url(args.database_url, "vl_bench_storefront")
    benchdata.ensure_database(url)
    with tempfile.TemporaryDirectory() as data_dir:
        benchdata.django_setup(url=url, data_dir=data_dir)
        from django.db import connections

        began = time.perf_counter()
        benchdata.fresh_database()
        ids = build_storefront(shops=args.shops, products=args.products)
        connections.close_all()
        print(
            f"set-up: {args.shops} shops, {len(ids)} products with a photo each, in "
            f"{time.perf_counter() - began:.1f} s"
        )
        targets = [  # (name, what to print, the paths loaded in turn)
            ("bare view", "/bench/bare/", ["/bench/bare/"]),
            ("product list", "/search/?q=", ["/search/?q="]),
            # the listing narrowed and sorted, many ways (each address is rendered and kept on its own)
            ("filtered list", "/search/?…&sort=…", FILTERED),
            ("product page", "/products/<id>/", [f"/products/{pk}/" for pk in ids]),
        ]
        if args.redis_url:
            import redis

            redis.Redis.from_url(args.redis_url).flushdb()
        with Gunicorn(url=url, data_dir=data_dir, workers=args.workers, redis_url=args.redis_url) as server:
            print(
                f"gunicorn: {args.workers} sync workers on 127.0.0.1:{server.port}; client: "
                f"{args.concurrency} threads, {args.seconds:g} s per URL; cache: {args.redis_url or 'per worker'}; "
                f"{os.cpu_count()} CPUs shared by both "
                f"(load average {os.getloadavg()[0]:.2f} before the run)"
            )
            # Warm-up, right before each URL's run: every worker imports its code, loads the templates and
            # opens its connection (a second of load), and every page is visited once (a live shop's pages are
            # in the cache most of the time). Warming them all at the start would let all 200 product pages
            # expire at once in the middle of the last run, 30 s later, which live traffic spreads out.
            results = []
            for name, shown, paths in targets:
                load(server.port, paths, seconds=1.0, concurrency=args.concurrency)
                visit_each(server.port, paths, concurrency=args.concurrency)
                results.append(
                    (
                        name,
                        shown,
                        load(server.port, paths, seconds=args.seconds, concurrency=args.concurrency),
                    )
                )
            fetched, lazy, skipped = first_load(server.port, f"/products/{ids[0]}/")

    bare = results[0][2].rate
    print(
        f"{'':14} {'URL':18} {'requests/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}  of the bare view"
    )
    for name, path, result in results:
        print(
            f"{name:14} {path:18} {result.rate:10.0f} {result.percentile(50):7.1f} {result.percentile(99):7.1f} "
            f"{result.errors:6}  {result.rate / bare:5.0%}"
        )
    pages = [result.rate / bare for _name, _path, result in results[1:]]
    print(f"goal: list and product page ≥ 50% of the bare view: {'met' if min(pages) >= 0.5 else 'NOT met'}")
    print(f"first load of /products/{ids[0]}/ on a {VIEWPORT}-px wide screen:")
    for resource, size, what in fetched:
        print(f"  {size:>9,} B  {resource}  ({what})")
    for resource in lazy:
        print(f"  {'(lazy)':>11}  {resource}  (not loaded until scrolled to)")
    for resource in skipped:
        print(f"  {'(not used)':>11}  {resource}  (a font for another language's text only)")
    total = sum(size for _url, size, _what in fetched)
    print(
        f"  {total:>9,} B  in all, {len(fetched)} requests (goal < 300 KB: {'met' if total < 300_000 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
