from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    REGION = "region", _("Region")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village")


LEVEL_ORDER = {level: depth for depth, level in enumerate(Level.values)}
# Which level a unit's parent may have. A county may sit directly under a region (the province-administered
# counties of the national scheme); every other unit sits one level below its parent.
PARENT_LEVELS = {
    Level.REGION: frozenset(),
    Level.PREFECTURE: frozenset({Level.REGION}),
    Level.COUNTY: frozenset({Level.PREFECTURE, Level.REGION}),
    Level.TOWNSHIP: frozenset({Level.COUNTY}),
    Level.VILLAGE: frozenset({Level.TOWNSHIP}),
}
LEVEL_PLURAL = {
    Level.REGION: _("Regions"),
    Level.PREFECTURE: _("Prefectures"),
    Level.COUNTY: _("Counties"),
    Level.TOWNSHIP: _("Townships"),
    Level.VILLAGE: _("Villages"),
}

# How many leading digits of a unit's code are its own (the rest are zeros): the national statistical
# division codes give two digits to a province-level region, two to a prefecture, two to a county, three to
# a township and three to a village.
LEVEL_PATH_WIDTH = {
    Level.REGION: 2,
    Level.PREFECTURE: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}
LEVEL_CODE_LENGTH = {
    Level.REGION: 6,
    Level.PREFECTURE: 6,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}


def path_for(code: str, level: str) -> str:
    return code[: LEVEL_PATH_WIDTH[Level(level)]]


class AdminUnit(models.Model):
    """An administrative division: region, prefecture, county, township or village."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    path = models.CharField(_("path"), max_length=12, db_index=True, editable=False)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_bo = models.CharField(_("name (Tibetan)"), max_length=100, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_synthetic = models.BooleanField(_("synthetic (demo data)"), default=False)
    # A poor village (贫困村) of the programme: the year it was registered poor, and the year it was declared out of
    # poverty (its last year as a poor village is the one before). Villages only.
    registered_poor_in = models.PositiveSmallIntegerField(_("registered as poor in"), null=True, blank=True)
    exited_poverty_in = models.PositiveSmallIntegerField(_("exited poverty in"), null=True, blank=True)

    scope_path_lookup = "path"

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values), name="geo_adminunit_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=False) | models.Q(level=Level.REGION),
                name="geo_adminunit_only_regions_are_roots",
            ),
            models.CheckConstraint(
                condition=models.Q(registered_poor_in__isnull=True) | models.Q(level=Level.VILLAGE),
                name="geo_adminunit_only_villages_are_poor_villages",
            ),
            models.CheckConstraint(
                condition=models.Q(exited_poverty_in__isnull=True)
                | models.Q(
                    registered_poor_in__isnull=False, exited_poverty_in__gte=models.F("registered_poor_in")
                ),
                name="geo_adminunit_exits_after_registering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_poor_in(self, year: int) -> bool:
        """A poor village in `year`: registered poor in or before it and not yet out of poverty."""
        return (
            self.registered_poor_in is not None
            and self.registered_poor_in <= year
            and (self.exited_poverty_in is None or self.exited_poverty_in > year)
        )

    @property
    def name(self) -> str:
        """The unit's name in the active language. Tibetan falls back to Chinese, the official name; French
        reads the English (Pinyin-based) name, as French texts on Tibet do."""
        language = (get_language() or "en").lower()
        if language.startswith("bo"):
            return self.name_bo or self.name_zh
        if language.startswith("zh"):
            return self.name_zh
        return self.name_en or self.name_zh

    @property
    def depth(self) -> int:
        return LEVEL_ORDER[self.level]

    def get_additional_data(self) -> dict:
        return {"unit_path": self.path}
