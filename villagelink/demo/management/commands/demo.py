import signal
import subprocess
import sys
from importlib import resources

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from villagelink.accounts.models import Role
from villagelink.accounts.services import user_ensure
from villagelink.catalog.models import Platform, Shop
from villagelink.catalog.services import shop_assign_seller
from villagelink.core.money import fen_to_yuan
from villagelink.core.paths import subtree_q
from villagelink.demo.assistance import build_assistance_demo
from villagelink.demo.brushing import plant_brushing
from villagelink.demo.catalog import build_catalog_demo
from villagelink.demo.desk import build_desk_demo
from villagelink.demo.network import build_network_demo
from villagelink.demo.progress import Steps
from villagelink.demo.regional import build_regional_orders
from villagelink.demo.registry import build_registry_demo
from villagelink.demo.storefront import build_storefront_demo
from villagelink.demo.synthetic import synthetic_unit_rows
from villagelink.geo.models import AdminUnit, Level
from villagelink.geo.services import units_import, units_import_csv
from villagelink.network.models import ServiceSite

DEMO_PASSWORD = "villagelink-demo"  # noqa: S105  (the demo's published password; see README)
NAMLING_COUNTY = "540221"


class Command(BaseCommand):
    help = (
        "Set up and serve the regional demo: data folder, database, reference and demo data, demo accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="Address to serve on (default 127.0.0.1:8000)."
        )
        parser.add_argument("--reset", action="store_true", help="Start from an empty database.")
        parser.add_argument("--no-serve", action="store_true", help="Set everything up, then exit.")

    def handle(self, *args, addr: str, reset: bool, no_serve: bool, **options):
        steps = Steps(total=12, stream=self.stdout)
        with steps.step(_("Preparing the data folder")) as note:
            settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
            note.append(str(settings.DATA_DIR))
        with steps.step(_("Preparing the database")) as note:
            call_command("migrate", interactive=False, verbosity=0)
            if reset:
                call_command("flush", interactive=False, verbosity=0, allow_cascade=True)
                note.append(_("emptied"))
        with steps.step(_("Loading the reference units")) as note:
            fixture = (
                resources.files("villagelink.geo").joinpath("fixtures/tibet_admin_units.csv").read_bytes()
            )
            result = units_import_csv(data=fixture)
            note.append(_("%(count)d new") % {"count": result.created})
        with steps.step(_("Generating synthetic townships and villages")) as note:
            counties = list(AdminUnit.objects.filter(subtree_q("path", "54"), level=Level.COUNTY))
            result = units_import(rows=synthetic_unit_rows(counties), synthetic=True)
            note.append(_("%(count)d new") % {"count": result.created})
        with steps.step(_("Creating the demo accounts")) as note:
            accounts = self._ensure_accounts()
            note.append(_("%(count)d new") % {"count": sum(created for _user, created in accounts)})
        with steps.step(_("Building the service network")) as note:
            operator = next(user for user, _created in accounts if user.username == "point-operator")
            region = AdminUnit.objects.get(code="540000")
            network = build_network_demo(region=region, point_operator=operator)
            note.append(
                _("%(sites)d sites, %(designations)d designations")
                % {"sites": network.sites, "designations": network.designations}
            )
        with steps.step(_("Registering households and organisations")) as note:
            registry = build_registry_demo(region=region)
            note.append(
                _("%(households)d households (%(poor)d registered poor), %(organisations)d organisations")
                % {
                    "households": registry.households,
                    "poor": registry.poor,
                    "organisations": registry.organisations,
                }
            )
        with steps.step(_("Opening shops and listing products")) as note:
            catalog = build_catalog_demo(region=region)
            admin = next(user for user, _created in accounts if user.username == "admin")
            accounts.append(self._ensure_seller(admin=admin))
            note.append(
                _("%(shops)d shops, %(products)d products")
                % {"shops": catalog.shops, "products": catalog.products}
            )
        with steps.step(_("Writing the assistance ledger")) as note:
            ledger = build_assistance_demo(region=region)
            note.append(
                _("%(events)d entries; %(net)d acts of assistance from 2015-01-01 to 2019-06-30")
                % {"events": ledger.events, "net": ledger.net_in_period}
            )
        with steps.step(_("Taking storefront orders")) as note:
            users = {user.username: user for user, _created in accounts}
            store = build_storefront_demo(
                region=region, seller=users["seller"], buyer=users["buyer"], admin=users["admin"]
            )
            note.append(
                _("%(photos)d product photos, %(orders)d orders")
                % {"photos": store.photos, "orders": store.orders}
            )
        with steps.step(_("Recording the region's online trade from 2015 to mid-2019")) as note:
            point = ServiceSite.objects.select_related("unit").get(staff__user=users["point-operator"])
            planted = plant_brushing(region_path=region.path, avoid_village=point.unit.path)
            trade = build_regional_orders(region=region)
            note.append(
                _(
                    "%(orders)d orders; online sales %(sales)s yuan and online purchases %(purchases)s yuan "
                    "from 2015-01-01 to 2019-06-30"
                )
                % {
                    "orders": trade.orders,
                    "sales": fen_to_yuan(trade.sales_fen),
                    "purchases": fen_to_yuan(trade.purchases_fen),
                }
            )
            if planted:
                note.append(_("%(orders)d of them planted for the data-quality checks") % {"orders": planted})
        with steps.step(_("Recording at the village point's desk and importing platform reports")) as note:
            point = ServiceSite.objects.get(staff__user=users["point-operator"])
            desk = build_desk_demo(
                site=point,
                operator=users["point-operator"],
                importer=users["county-officer"],
                county_path=NAMLING_COUNTY,
            )
            note.append(
                _(
                    "%(assisted)d assisted purchases and sales, %(parcels)d parcels, %(imported)d imported orders"
                )
                % {"assisted": desk.assisted, "parcels": desk.parcels, "imported": desk.imported}
            )
        self.stdout.write(_("\nThe demo is set up in %(seconds).1f s.\n") % {"seconds": steps.elapsed})
        self.stdout.write(_("Accounts (password %(password)s):\n") % {"password": DEMO_PASSWORD})
        for user, _created in accounts:
            scope = (
                str(user.scope_unit)
                if user.scope_unit
                else (_("everything") if user.is_administrator else "—")
            )
            self.stdout.write(f"  {user.username:<16} {user.get_role_display():<14} {scope}\n")
        if no_serve:
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("\nOpen http://%(addr)s/ in a browser. Stop with Ctrl+C.\n") % {"addr": addr}
            )
        )
        # Large imports run in the background: the demo runs their worker beside the web server, and stops
        # it when stopped itself (Ctrl+C, or SIGTERM, which then unwinds like Ctrl+C).
        signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(0))
        worker = subprocess.Popen(
            [sys.executable, "-m", "villagelink", "db_worker", "--no-reload", "--no-startup-delay"]
        )
        try:
            call_command("runserver", addr, use_reloader=False, use_threading=True)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

    def _ensure_seller(self, *, admin):
        """The demo seller runs a household shop on this storefront in Namling County."""
        shop = (
            Shop.objects.filter(
                subtree_q("unit__path", NAMLING_COUNTY), household__isnull=False, platform=Platform.STOREFRONT
            )
            .order_by("unit__code", "pk")
            .first()
        )
        user, created = user_ensure(
            username="seller",
            password=DEMO_PASSWORD,
            role=Role.SELLER,
            scope_unit=shop.unit,
            first_name="Seller",
        )
        if shop.seller_id != user.pk:
            shop_assign_seller(by=admin, shop=shop, user=user)
        return user, created

    def _ensure_accounts(self):
        region = AdminUnit.objects.get(level=Level.REGION, code="540000")
        county = AdminUnit.objects.get(code=NAMLING_COUNTY)
        village = (
            AdminUnit.objects.filter(subtree_q("path", county.path), level=Level.VILLAGE)
            .order_by("code")
            .first()
        )
        specs = [
            ("admin", Role.ADMINISTRATOR, None, "Administrator"),
            ("region-officer", Role.OFFICER, region, "Region officer"),
            ("county-officer", Role.OFFICER, county, "Namling county officer"),
            ("point-operator", Role.SITE_OPERATOR, village, "Village point operator"),
            ("buyer", Role.BUYER, None, "Demo buyer"),
        ]
        return [
            user_ensure(username=u, password=DEMO_PASSWORD, role=role, scope_unit=unit, first_name=name)
            for u, role, unit, name in specs
        ]
