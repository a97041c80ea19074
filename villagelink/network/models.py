import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from villagelink.core.names import in_reader_language
from villagelink.geo.models import Level


class SiteKind(models.TextChoices):
    COUNTY_CENTRE = "county_centre", _("County e-commerce public service centre")
    TOWNSHIP_STATION = "township_station", _("Township service station")
    VILLAGE_POINT = "village_point", _("Village service point")


# The level of unit each kind of site serves.
SITE_LEVEL = {
    SiteKind.COUNTY_CENTRE: Level.COUNTY,
    SiteKind.TOWNSHIP_STATION: Level.TOWNSHIP,
    SiteKind.VILLAGE_POINT: Level.VILLAGE,
}

# The services a site can offer: (field name, label).
SERVICES = [
    ("offers_assisted_purchase", _("Assisted online purchase")),
    ("offers_assisted_sale", _("Assisted online sale")),
    ("offers_parcels", _("Parcel pick-up and dispatch")),
    ("offers_training", _("Training")),
    ("offers_shop_setup", _("Shop set-up")),
]


class ServiceSite(models.Model):
    """A county centre, township station or village point, attached to a unit of the matching level."""

    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="sites"
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("The name the site is registered under."))
    name_bo = models.CharField(_("name (Tibetan)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    offers_assisted_purchase = models.BooleanField(_("assisted online purchase"), default=True)
    offers_assisted_sale = models.BooleanField(_("assisted online sale"), default=True)
    offers_parcels = models.BooleanField(_("parcel pick-up and dispatch"), default=True)
    offers_training = models.BooleanField(_("training"), default=False)
    offers_shop_setup = models.BooleanField(_("shop set-up"), default=False)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="SiteOperator", related_name="+", verbose_name=_("operators")
    )

    scope_path_lookup = "unit__path"

    class Meta:
        verbose_name = _("service site")
        verbose_name_plural = _("service sites")
        ordering = ["unit__code", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=SiteKind.values), name="network_site_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="network_site_closes_after_opening",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(kind=SiteKind.COUNTY_CENTRE, closed_on__isnull=True),
                name="network_one_open_centre_per_county",
            ),
        ]

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        """The name in the reader's language where known, else the registered one (core.names)."""
        return in_reader_language(self.name, bo=self.name_bo, en=self.name_en)

    def is_open_on(self, day: datetime.date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on > day)

    @property
    def services(self) -> list[str]:
        return [str(label) for field, label in SERVICES if getattr(self, field)]

    def get_additional_data(self) -> dict:
        return {"unit_path": self.unit.path}


class SiteOperator(models.Model):
    """A person who works at a site; a person operates one site, and their scope is the site's unit."""

    site = models.ForeignKey(
        ServiceSite, verbose_name=_("site"), on_delete=models.CASCADE, related_name="staff"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.CASCADE,
        related_name="site_role",
    )
    since = models.DateField(_("since"), auto_now_add=True)

    scope_path_lookup = "site__unit__path"

    class Meta:
        verbose_name = _("site operator")
        verbose_name_plural = _("site operators")

    def __str__(self) -> str:
        return f"{self.user} @ {self.site}"

    def get_additional_data(self) -> dict:
        return {"unit_path": self.site.unit.path}


class Designation(models.Model):
    """A county designated as a national e-commerce demonstration county, in a year and batch; once."""

    county = models.OneToOneField(
        "geo.AdminUnit", verbose_name=_("county"), on_delete=models.PROTECT, related_name="designation"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    batch = models.PositiveSmallIntegerField(_("batch"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_path_lookup = "county__path"

    class Meta:
        verbose_name = _("demonstration county designation")
        verbose_name_plural = _("demonstration county designations")
        ordering = ["year", "batch", "county__code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="network_designation_year_plausible"
            ),
            models.CheckConstraint(
                condition=models.Q(batch__gte=1), name="network_designation_batch_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year}"

    def get_additional_data(self) -> dict:
        return {"unit_path": self.county.path}


class StockChange(models.Model):
    """How a count of the network in a unit's area changes on a day: +1 on the day a site or shop opens, −1 on
    the day it closes, per unit path at every level (see `network.stock`). Abstract: kept daily and by month."""

    path = models.CharField(_("unit path"), max_length=12)
    measure = models.CharField(_("measure"), max_length=24)
    change = models.IntegerField(_("change"), default=0)

    class Meta:
        abstract = True


class Stock(StockChange):
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("daily network change")
        verbose_name_plural = _("daily network changes")
        constraints = [
            # Also the index of every read: a unit's changes over a month's days.
            models.UniqueConstraint(fields=["path", "day", "measure"], name="network_stock_key"),
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.day} {self.measure} {self.change:+d}"


class MonthlyStock(StockChange):
    """The same changes summed per calendar month (`month` is its first day)."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("monthly network change")
        verbose_name_plural = _("monthly network changes")
        constraints = [
            models.UniqueConstraint(fields=["path", "month", "measure"], name="network_monthlystock_key"),
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.month:%Y-%m} {self.measure} {self.change:+d}"
