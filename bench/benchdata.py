"""Set-up shared by bench_orders.py and bench_storefront.py (not a benchmark itself).

A benchmark gets a PostgreSQL database of its own (created when missing, migrated, then emptied: every run
starts from the same empty data) and a market built through the services, as the back office would build it:
the reference units with a township and villages under some counties, households registered as poor, their
storefront shops, products and, if asked, product photos (JPEG made with Pillow, uploaded through
catalog.services.product_add_photo).
"""

import datetime
import io
import os
import random
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OPENED = datetime.date(2018, 3, 1)
PRODUCT_NAMES = [
    ("Yak butter", "牦牛酥油", "dairy"),
    ("Dried yak cheese", "牦牛奶渣", "dairy"),
    ("Yak jerky", "牦牛肉干", "meat"),
    ("Tibetan pork sausage", "藏香猪肠", "meat"),
    ("Highland barley flour", "青稞面", "grain"),
    ("Roasted tsampa", "糌粑", "grain"),
    ("Cordyceps", "虫草", "herbs"),
    ("Saffron", "藏红花", "herbs"),
    ("Brick tea", "砖茶", "tea"),
    ("Butter tea mix", "酥油茶粉", "tea"),
    ("Wooden bowl", "木碗", "crafts"),
    ("Woven apron", "邦典", "crafts"),
    ("Incense sticks", "藏香", "other"),
]


def database_url(url: str | None, name: str) -> str:
    return url or f"postgres://postgres@127.0.0.1:5432/{name}"


def ensure_database(url: str) -> None:
    """Creates the database if it is missing. Refuses a name without "bench": the run empties it."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"{url}: the benchmarks run against PostgreSQL (postgres://…)")
    if "bench" not in name:
        raise SystemExit(f"Refusing to empty the database {name!r}: give one with “bench” in its name.")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def django_setup(*, url: str, data_dir: str) -> None:
    """Configures Django for this process (settings from the environment, as in production)."""
    os.environ["DATABASE_URL"] = url
    os.environ["VILLAGELINK_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def fresh_database() -> None:
    """Migrates the database and empties every table."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0, allow_cascade=True)


def load_units(*, counties: int, villages_per_county: int):
    """The Tibet reference units, plus one township with villages under each of the first `counties`
    counties. Returns the villages."""
    from villagelink.geo.models import AdminUnit, Level
    from villagelink.geo.services import UnitRow, units_import, units_import_csv

    data = resources.files("villagelink.geo").joinpath("fixtures/tibet_admin_units.csv").read_bytes()
    units_import_csv(data=data)
    rows = []
    for county in AdminUnit.objects.filter(level=Level.COUNTY).order_by("code")[:counties]:
        township = f"{county.code}101"
        rows.append(UnitRow(0, township, county.code, "township", "扎西岗乡", "Tashigang Township"))
        rows += [
            UnitRow(0, f"{township}{200 + v}", township, "village", f"扎西岗{v}村", f"Tashigang Village {v}")
            for v in range(1, villages_per_county + 1)
        ]
    units_import(rows=rows)
    return list(AdminUnit.objects.filter(level=Level.VILLAGE).order_by("code"))


def administrator():
    from villagelink.accounts.models import Role, User

    user = User(username="bench-admin", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    user.set_unusable_password()
    user.save()
    return user


def open_shops(*, by, villages, shops: int, story: bool = False):
    """One storefront shop per household registered as poor in 2016, in the villages in turn."""
    from villagelink.catalog.services import shop_open
    from villagelink.registry.idnumbers import check_digit
    from villagelink.registry.services import HouseholdData, household_register

    opened = []
    for i in range(shops):
        village = villages[i % len(villages)]
        first17 = f"{village.code[:6]}19800101{i:03d}"
        household = household_register(
            by=by,
            village=village,
            id_number=first17 + check_digit(first17),
            data=HouseholdData(
                head_name=f"Head {i}",
                registered_poor_in=2016,
                story="We keep forty yaks on the summer pasture and churn the butter at home."
                if story
                else "",
                story_consent=story,
            ),
        )
        opened.append(
            shop_open(
                by=by,
                name=f"{village.name_en} shop {i}",
                platform="storefront",
                opened_on=OPENED,
                household=household,
            )
        )
    return opened


def add_product(*, by, shop, number: int, stock: int):
    from villagelink.catalog.services import ProductData, product_create

    name_en, name_zh, category = PRODUCT_NAMES[number % len(PRODUCT_NAMES)]
    return product_create(
        by=by,
        shop=shop,
        data=ProductData(
            name_zh=f"{name_zh} {number}",
            name_en=f"{name_en} {number}",
            category=category,
            price_fen=1000 + (number * 37) % 20000,
            unit_label="500 g",
            stock=stock,
            description_en=f"{name_en} from the highlands, packed in the village.",
            description_zh=f"高原{name_zh}，村里包装。",
            poverty_area_product=True,
        ),
    )


def photo_jpeg(seed: int, size: tuple[int, int] = (1200, 900)) -> bytes:
    """A synthetic 1200×900 photo: soft shapes over a gradient with coarse grain, so that it compresses about as
    a phone photo of a product does (about 45 KB served 640 px wide; a flat picture would be a few KB and make
    every transfer figure look better than it is)."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    width, height = size
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    tint = Image.new("RGB", size, tuple(rng.randrange(60, 220) for _ in range(3)))
    image = Image.blend(base, tint, 0.6)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(40, 260)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    image = image.filter(ImageFilter.GaussianBlur(6))
    # Coarse grain (a third of the resolution, in colour) survives the scaling down to the served widths.
    grain = Image.merge("RGB", [Image.effect_noise((width // 3, height // 3), 40) for _ in range(3)])
    image = Image.blend(image, grain.resize(size, Image.BICUBIC), 0.25)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()
