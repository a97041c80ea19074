"""Load held: the production setup on PostgreSQL + Redis under many users at once (locust, headless, loopback
only), with the rate, latencies and errors per kind of request, and a count of oversold units.

    .venv/bin/python bench/load.py [--users 50,100,200] [--seconds 60] [--max-requests N]
                                   [--think 2,8] [--server gunicorn|granian] [--workers 5]
                                   [--database-url postgres://postgres@127.0.0.1:5432/vl_bench_load]
                                   [--redis-url redis://127.0.0.1:6379/3] [--reset]
    .venv/bin/python bench/load.py --host http://127.0.0.1:8000 --data-dir DIR --database-url URL ...

Without `--host`, the run sets up its own production setup: the regional demo (`villagelink demo --no-serve`,
only when the database does not hold it yet, or with `--reset`) in the PostgreSQL database of `--database-url`
(its name must hold "bench"), `collectstatic`, then the web server under the production settings with Redis as
the shared cache and one trusted proxy (nginx's place; the simulated users come from their own addresses in
`X-Forwarded-For`, as nginx passes them on): `villagelink serve` (gunicorn sync workers, the background worker
and the periodic jobs), or granian's WSGI workers beside `villagelink db_worker` (`--server granian`). It is
stopped at the end. With `--host` (a loopback address only), the server there is loaded; it must run on
`--database-url` with the data of `--data-dir` and the keys below (CI starts it so).

The users, in these proportions (locust weights):
- 70 % buyers without an account: the storefront's home page, searches in English, Chinese and Tibetan,
  categories, product pages, and now and then (1 task in 34) a checkout paid on delivery: put a product in the
  cart, open the checkout, place it. Half the products bought are a few "hot" products whose stock is set low
  (`HOT_STOCK`) before the run, so that buyers compete for the last units.
- 15 % officers (the region's and Namling county's): the dashboard for a year, a quarter or a month, the KPI
  API, and now and then the dashboard's workbook.
- 15 % service-point operators: the desk, and an assisted purchase recorded at it.

Each user waits between `--think` seconds (default 2 to 8, a person reading the page) before the next request;
with no wait at all the figures would be of robots, not of people at a storefront, a dashboard or a desk. The
server's ceiling shows as the rate stops growing with the users. Each level runs `--seconds` after a ramp-up of a few seconds (not measured): the figures are of the steady
load. `--max-requests` stops a level early once that many requests were made. Prints per kind of request: the
rate, p50/p95/p99 and errors, for each level; whether the p95 of all requests passed 1 s; and the oversold
units: for every product, the units taken by the orders placed during the run that still hold stock must equal
what its stock went down by, and never more than it had. Exits 1 on any error or oversold unit.

The goal (issue 19): 0 errors and 0 oversold units at every level, p95 under 500 ms with 100 users.
"""

import argparse
import html.parser
import http.cookiejar
import ipaddress
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
# Throwaway keys, the same for building the demo and for serving it (the personal data stays readable).
SECRET_KEY = "bench-load-secret-key-not-for-production"  # noqa: S105
ENCRYPTION_KEY = "YmVuY2gtbG9hZC1lbmNyeXB0aW9uLWtleS0zMmJ5dGU="  # base64 of 32 bytes: a Fernet key
LOOKUP_KEY = "bench-load-lookup-key"
PASSWORD = "villagelink-demo"  # noqa: S105 - the demo accounts'
HOT_PRODUCTS = 8
HOT_STOCK = 25
SEARCHES = ["butter", "酥油", "yak", "牦牛肉", "barley", "青稞", "tea", "藏香", "མར་", "bowl"]
PERIODS = ["2019", "2018", "2019-Q2", "2019-06", "2018-Q4"]
# where checkouts send their orders (catalog.shipping's codes)
PROVINCES = ["54", "51", "11", "31", "44", "65"]
P95_GOAL_MS = 500


def environment(database_url: str, data_dir: str, redis_url: str) -> dict:
    """The production settings of the served system (and the same keys for the demo's build)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        VILLAGELINK_ENCRYPTION_KEYS=ENCRYPTION_KEY,
        VILLAGELINK_LOOKUP_KEY=LOOKUP_KEY,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        VILLAGELINK_DATA_DIR=data_dir,
        VILLAGELINK_TRUSTED_PROXIES="1",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def villagelink(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "villagelink", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"villagelink {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


# The data (in child processes: Django is never imported beside locust's patched sockets) ---------------------


def child_state(kind: str) -> dict:
    """`prepare`: the product ids on sale and the hot ones, their stock set low; then every product's stock.
    `stock`: every product's stock, and per product the units held by orders placed since `--since`."""
    import django

    django.setup()
    from django.db.models import Sum

    from villagelink.catalog.models import Product
    from villagelink.orders.models import OrderLine
    from villagelink.storefront.selectors import products_on_sale

    if kind == "prepare":
        _background_done()
        on_sale = list(products_on_sale().filter(stock__gt=HOT_STOCK).values_list("pk", flat=True))
        if len(on_sale) < HOT_PRODUCTS * 2:
            raise SystemExit("The storefront has too few products on sale: load the regional demo first.")
        hot = random.Random(19).sample(sorted(on_sale), HOT_PRODUCTS)
        Product.objects.filter(pk__in=hot).update(stock=HOT_STOCK)
        stock = dict(Product.objects.values_list("pk", "stock"))
        return {"products": on_sale, "hot": hot, "stock": stock, "since": time.time()}
    since = float(os.environ["LOAD_SINCE"])
    import datetime

    moment = datetime.datetime.fromtimestamp(since, tz=datetime.UTC)
    held = (
        OrderLine.objects.filter(order__placed_at__gte=moment, order__holds_stock=True)
        .values("product_id")
        .annotate(units=Sum("quantity"))
    )
    return {
        "stock": dict(Product.objects.values_list("pk", "stock")),
        "held": {row["product_id"]: row["units"] for row in held if row["product_id"]},
    }


def _background_done(seconds: float = 600) -> None:
    """Waits until the background worker has nothing left to do (after the demo's load, the quality checks it
    queued), so that the levels measure the load and not that work."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + seconds
    busy = DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
    while busy.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"The background worker still has tasks after {seconds:.0f} s.")
        time.sleep(2)


def state(env: dict, kind: str, since: float = 0.0) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind],
        cwd=ROOT,
        env={**env, "LOAD_SINCE": str(since)},
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"The {kind} step failed (exit {done.returncode}); see above.")
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    answer["stock"] = {int(k): v for k, v in answer["stock"].items()}
    answer["held"] = {int(k): v for k, v in answer.get("held", {}).items()}
    return answer


def oversold(before: dict, after: dict) -> list[str]:
    """Each product whose stock went down by other than the units its new orders hold, or below nothing."""
    problems = []
    for pk, had in before["stock"].items():
        now = after["stock"].get(pk, 0)
        held = after["held"].get(pk, 0)
        if now < 0 or held > had or had - now != held:
            problems.append(f"product {pk}: stock {had} → {now}, units held by the run's orders {held}")
    return problems


# The server ----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env: dict, server: str, workers: int, port: int) -> list[subprocess.Popen]:
    metrics = tempfile.mkdtemp(prefix="vl-load-metrics-")
    env = {**env, "PROMETHEUS_MULTIPROC_DIR": metrics}
    python = sys.executable
    if server == "gunicorn":  # the whole production setup in one command
        command = [
            python,
            "-m",
            "villagelink",
            "serve",
            "--addr",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ]
        return [subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)]
    web = [
        python, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--blocking-threads", "1", "--no-ws", "config.wsgi:application",
    ]  # fmt: skip
    worker = [python, "-m", "villagelink", "db_worker", "--no-reload", "--no-startup-delay"]
    return [
        subprocess.Popen(web, cwd=ROOT, env=env, start_new_session=True),
        subprocess.Popen(worker, cwd=ROOT, env=env, start_new_session=True),
    ]


def stop_server(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_ready(host: str, processes: list[subprocess.Popen], seconds: float = 120) -> None:
    import http.client

    parts = urlsplit(host)
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise SystemExit("The server stopped while starting; see above.")
        try:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            connection.request("GET", "/readyz")
            response = connection.getresponse()
            last = response.read().decode()
            if response.status == 200:
                return
        except OSError as error:
            last = str(error)
        time.sleep(1)
    raise SystemExit(f"/readyz did not answer 200 within {seconds:.0f} s: {last}")


def loopback_only(host: str) -> None:
    name = urlsplit(host).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, None)}
    except OSError as error:
        raise SystemExit(f"{host}: {error}") from error
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise SystemExit(f"{host} is not a loopback address: the load test runs only against this machine.")


# The users -----------------------------------------------------------------------------------------------------


class Hidden(html.parser.HTMLParser):
    """The hidden inputs of the form posting to `action` (the CSRF token, the checkout's key, the site)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.values = action, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":  # "" names a form posting to its own page (no action)
            action = attrs.get("action")
            self.inside = action is None if not self.action else (action or "").endswith(self.action)
        elif tag == "input" and self.inside and attrs.get("type") == "hidden" and attrs.get("name"):
            self.values.setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def hidden(page: str, action: str) -> dict:
    parser = Hidden(action)
    parser.feed(page)
    return parser.values


def send_secure_cookies_over_http() -> None:
    """Sends the server's Secure cookies back over plain HTTP, in this process only: nginx speaks HTTPS to
    browsers in production, and this client stands where nginx does, on the loopback (its requests say
    X-Forwarded-Proto: https). requests copies each session's cookies into a jar of the default policy for
    every request, so the policy itself is changed."""
    http.cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True


def user_classes(products: list[int], hot: list[int], counters: dict, think: tuple[float, float]):
    from locust import HttpUser, between, task

    class Visitor(HttpUser):
        abstract = True
        wait_time = between(*think)

        def on_start(self):
            self.address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
            self.client.headers.update(
                {
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-For": self.address,
                    "Accept-Language": random.choice(["bo", "zh-Hans", "en", "fr"]),
                    "User-Agent": "VillageLink bench/load.py",
                }
            )

        def post(self, path: str, data: dict, name: str, expect: int = 302):
            """A form post as a browser sends it (CSRF token, Referer of this site), counted a failure unless
            the server answers `expect`."""
            referer = f"https://{urlsplit(self.host).netloc}{path}"
            with self.client.post(
                path,
                data,
                name=name,
                headers={"Referer": referer},
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != expect:
                    response.failure(f"{response.status_code} instead of {expect}")
                return response

        def log_in(self, username: str) -> None:
            page = self.client.get("/accounts/login/", name="log in (page)").text
            data = {**hidden(page, "/accounts/login/"), "username": username, "password": PASSWORD}
            self.post("/accounts/login/", data, "log in")

    class Buyer(Visitor):
        weight = 70

        @task(10)
        def home(self):
            self.client.get("/", name="storefront home")

        @task(20)
        def search(self):
            self.client.get("/search/", params={"q": random.choice(SEARCHES)}, name="search")

        @task(5)
        def category(self):
            self.client.get(f"/category/{random.choice(['meat', 'dairy', 'grain', 'tea', 'crafts'])}/",
                            name="category")  # fmt: skip

        @task(30)
        def product(self):
            self.client.get(f"/products/{random.choice(products)}/", name="product page")

        @task(2)
        def checkout(self):
            product = random.choice(hot) if random.random() < 0.5 else random.choice(products)
            page = self.client.get(f"/products/{product}/", name="product page").text
            token = hidden(page, "/cart/").get("csrfmiddlewaretoken") or self.client.cookies.get(
                "csrftoken", ""
            )
            cart = {"csrfmiddlewaretoken": token, "product": product, "quantity": 1, "action": "add"}
            self.post("/cart/", cart, "cart add")
            page = self.client.get("/checkout/", name="checkout page").text
            form = hidden(page, "")
            self.address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
            self.client.headers["X-Forwarded-For"] = self.address  # the next buyer of this slot
            data = {
                **form,
                "name": "Load test buyer",
                "phone": f"139{random.randrange(10**8):08d}",
                "address": "1 Bench Road, Lhasa",
                "province": random.choice(PROVINCES),
                "payment_method": "cod",
            }
            response = self.post("/checkout/", data, "checkout place", expect=302)
            if response.status_code == 302 and "/checkout/" in response.headers.get("Location", ""):
                counters["placed"] += 1  # to the confirmation (not back to an empty cart)
            self.client.cookies.clear()  # a new buyer, a new cart

    class Officer(Visitor):
        weight = 15

        def on_start(self):
            super().on_start()
            self.code = random.choice(["540000", "540221"])
            self.log_in("region-officer" if self.code == "540000" else "county-officer")

        @task(10)
        def dashboard(self):
            self.client.get(f"/monitoring/{self.code}/", params={"period": random.choice(PERIODS)},
                            name="dashboard")  # fmt: skip

        @task(5)
        def kpis(self):
            start, end = random.choice([("2019-01-01", "2019-06-30"), ("2018-01-01", "2018-12-31")])
            self.client.get("/api/v1/kpis/", params={"unit": self.code, "start": start, "end": end},
                            name="KPI API")  # fmt: skip

        @task(1)
        def workbook(self):
            self.client.get(f"/monitoring/{self.code}/workbook.xlsx", params={"period": random.choice(PERIODS)},
                            name="workbook")  # fmt: skip

    class Operator(Visitor):
        weight = 15

        def on_start(self):
            super().on_start()
            self.log_in("point-operator")

        @task(5)
        def desk(self):
            self.client.get("/desk/", name="desk")

        @task(2)
        def purchase(self):
            page = self.client.get("/desk/", name="desk").text
            data = {
                **hidden(page, "/desk/purchase/"),
                "purchase-platform": "taobao",
                "purchase-description": "Load test: seeds",
                "purchase-category": "agri_inputs",
                "purchase-amount": f"{random.randrange(10, 500)}.00",
            }
            self.post("/desk/purchase/", data, "desk purchase")

    return [Buyer, Officer, Operator]


def run_level(host: str, users: int, seconds: float, max_requests: int, classes) -> dict:
    import gevent
    from locust.env import Environment

    env = Environment(user_classes=classes, host=host)
    runner = env.create_local_runner()
    ramp = max(3.0, users / 20)
    runner.start(users, spawn_rate=users / ramp)
    gevent.sleep(ramp + 10)  # every user started and logged in (a log-in hashes its password: seconds of CPU)
    env.stats.reset_all()  # the steady load only
    began = time.monotonic()

    def bounded():
        while time.monotonic() - began < seconds:
            if max_requests and env.stats.total.num_requests >= max_requests:
                break
            gevent.sleep(0.2)
        runner.quit()

    gevent.spawn(bounded).join()
    elapsed = time.monotonic() - began
    kinds = {}
    for (name, _method), entry in sorted(env.stats.entries.items()):
        if not entry.num_requests:
            continue  # made only while ramping up (logging in)
        kinds[name] = {
            "requests": entry.num_requests,
            "rate": entry.num_requests / elapsed,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
            "errors": entry.num_failures,
        }
    total = env.stats.total
    failures = [f"{e.name}: {e.error} ×{e.occurrences}" for e in env.stats.errors.values()]
    return {
        "kinds": kinds,
        "all": {
            "requests": total.num_requests,
            "rate": total.num_requests / elapsed,
            "p50": total.get_response_time_percentile(0.5),
            "p95": total.get_response_time_percentile(0.95),
            "p99": total.get_response_time_percentile(0.99),
            "errors": total.num_failures,
        },
        "failures": failures,
    }


def print_level(users: int, level: dict) -> None:
    print(f"\n{users} users: {level['all']['rate']:.1f} requests/s")
    print(f"  {'request':<18} {'n':>6} {'per s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for name, row in [*level["kinds"].items(), ("all", level["all"])]:
        print(
            f"  {name:<18} {row['requests']:>6} {row['rate']:>7.1f} {row['p50'] or 0:>7.0f} "
            f"{row['p95'] or 0:>7.0f} {row['p99'] or 0:>7.0f} {row['errors']:>6}"
        )
    for failure in level["failures"][:10]:
        print(f"  error: {failure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="50,100,200", help="Concurrent users per level, e.g. 50,100,200.")
    parser.add_argument("--seconds", type=float, default=60, help="Measured seconds per level.")
    parser.add_argument("--max-requests", type=int, default=0, help="Stop a level after this many requests.")
    parser.add_argument("--think", default="2,8", help="Seconds a user waits between requests: least,most.")
    parser.add_argument("--host", default="", help="Load this running server (loopback only).")
    parser.add_argument("--server", choices=["gunicorn", "granian"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=5, help="Web server processes (as deploy/ runs).")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/vl_bench_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--data-dir", default="", help="The data folder (default: var/bench-load).")
    parser.add_argument("--reset", action="store_true", help="Load the regional demo again from nothing.")
    parser.add_argument("--child", choices=["prepare", "stock"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_state(args.child)))
        return

    data_dir = args.data_dir or str(ROOT / "var" / "bench-load")
    env = environment(args.database_url, data_dir, args.redis_url)
    processes: list[subprocess.Popen] = []
    host = args.host
    if host:
        loopback_only(host)
    else:
        sys.path.insert(0, str(ROOT / "bench"))
        import benchdata

        benchdata.ensure_database(args.database_url)
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        build = {**env, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
        began = time.perf_counter()
        print(villagelink(build, "demo", "--no-serve", *(["--reset"] if args.reset else [])).strip()[-300:])
        villagelink(env, "collectstatic", "--no-input", "-v0")
        print(f"demo data and static files ready in {time.perf_counter() - began:.0f} s")
        port = free_port()
        host = f"http://127.0.0.1:{port}"
        processes = start_server(env, args.server, args.workers, port)
    try:
        if processes:
            wait_ready(host, processes)
        before = state(env, "prepare")
        counters = {"placed": 0}
        from locust import events  # noqa: F401 - monkey-patches the standard library for gevent, here only

        send_secure_cookies_over_http()
        think = tuple(float(t) for t in args.think.split(","))
        classes = user_classes(before["products"], before["hot"], counters, think)
        print(
            f"{args.server if processes else host}, {args.workers if processes else '?'} workers; users: 70 % "
            f"buyers, 15 % officers, 15 % operators, {think[0]:g}–{think[1]:g} s between requests; "
            f"{args.seconds:.0f} s per level after ramp-up; {HOT_PRODUCTS} hot products of {HOT_STOCK} units"
        )
        levels = {}
        for users in [int(u) for u in args.users.split(",")]:
            levels[users] = run_level(host, users, args.seconds, args.max_requests, classes)
            print_level(users, levels[users])
        after = state(env, "stock", since=before["since"])
    finally:
        stop_server(processes)
    problems = oversold(before, after)
    held = sum(after["held"].values())
    print(f"\ncheckouts placed: {counters['placed']}; units they hold: {held}; oversold: {len(problems)}")
    for problem in problems[:20]:
        print(f"  {problem}")
    passed = [u for u, level in levels.items() if (level["all"]["p95"] or 0) > 1000]
    print(
        f"p95 of all requests passes 1 s at {passed[0]} users"
        if passed
        else "p95 stayed under 1 s at every level"
    )
    errors = sum(level["all"]["errors"] for level in levels.values())
    if 100 in levels:
        p95 = levels[100]["all"]["p95"] or 0
        print(f"p95 at 100 users: {p95:.0f} ms (goal: under {P95_GOAL_MS} ms)")
    print(f"goal: 0 errors ({errors}) and 0 oversold units ({len(problems)}) at every level")
    if errors or problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
