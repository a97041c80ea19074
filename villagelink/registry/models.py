from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from villagelink.core.crypto import decrypt
from villagelink.core.names import in_reader_language


class Sex(models.TextChoices):
    FEMALE = "f", _("female")
    MALE = "m", _("male")


class Household(models.Model):
    """A rural household in a village. Its head's ID number is stored encrypted, with a keyed hash beside it
    for exact look-up and for refusing duplicates, and is shown masked; the phone number likewise."""

    village = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("village"), on_delete=models.PROTECT, related_name="households"
    )
    head_name = models.CharField(_("head of household"), max_length=100)
    id_number_encrypted = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    id_last4 = models.CharField(max_length=4, db_index=True, editable=False)
    # Read from the ID number when it is set, for the evaluation's groups (never shown per person).
    head_sex = models.CharField(
        _("head's sex"), max_length=1, choices=Sex.choices, blank=True, editable=False
    )
    head_born_in = models.PositiveSmallIntegerField(_("head's year of birth"), null=True, editable=False)
    members = models.PositiveSmallIntegerField(_("members"), default=1)
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    registered_poor_in = models.PositiveSmallIntegerField(_("registered as poor in"), null=True, blank=True)
    exited_poverty_in = models.PositiveSmallIntegerField(_("exited poverty in"), null=True, blank=True)
    story = models.TextField(_("story"), blank=True)
    story_consent = models.BooleanField(_("consents to showing the story on the storefront"), default=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_path_lookup = "village__path"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village__code", "head_name", "pk"]
        permissions = [("view_full_id_number", _("Can see full ID numbers"))]
        constraints = [
            models.CheckConstraint(condition=models.Q(members__gte=1), name="registry_household_has_members"),
            models.CheckConstraint(
                condition=models.Q(exited_poverty_in__isnull=True)
                | models.Q(
                    registered_poor_in__isnull=False, exited_poverty_in__gte=models.F("registered_poor_in")
                ),
                name="registry_household_exits_after_registering",
            ),
        ]
        indexes = [models.Index(fields=["village", "head_name"])]

    def __str__(self) -> str:
        return f"{self.head_name} ({self.id_number_masked})"

    def is_poor_in(self, year: int) -> bool:
        """Registered as poor in or before `year` and not yet exited by then."""
        return (
            self.registered_poor_in is not None
            and self.registered_poor_in <= year
            and (self.exited_poverty_in is None or self.exited_poverty_in > year)
        )

    @property
    def ever_registered_poor(self) -> bool:
        return self.registered_poor_in is not None

    def full_id_number(self) -> str:
        """Only through registry.services.household_reveal_id, which checks permission and audits."""
        return decrypt(self.id_number_encrypted)

    def get_additional_data(self) -> dict:
        return {"unit_path": self.village.path}


class OrganisationKind(models.TextChoices):
    COOPERATIVE = "cooperative", _("Cooperative")
    ENTERPRISE = "enterprise", _("Enterprise")


class LinkKind(models.TextChoices):
    MEMBER = "member", _("Member")
    EMPLOYED = "employed", _("Employed")
    CONTRACTED = "contracted", _("Contracted")


class Organisation(models.Model):
    """A cooperative or enterprise in a unit, with the households linked to it."""

    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=150, help_text=_("The name it is registered under."))
    name_bo = models.CharField(_("name (Tibetan)"), max_length=150, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="organisations"
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    households = models.ManyToManyField(Household, through="OrganisationLink", related_name="organisations")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_path_lookup = "unit__path"

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["unit__code", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="registry_organisation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        """The name in the reader's language where known, else the registered one (core.names)."""
        return in_reader_language(self.name, bo=self.name_bo, en=self.name_en)

    def get_additional_data(self) -> dict:
        return {"unit_path": self.unit.path}


class OrganisationLink(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="links"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="organisation_links"
    )
    kind = models.CharField(_("relation"), max_length=20, choices=LinkKind.choices)
    since = models.DateField(_("since"), null=True, blank=True)

    scope_path_lookup = "organisation__unit__path"

    class Meta:
        verbose_name = _("organisation link")
        verbose_name_plural = _("organisation links")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "household"], name="registry_link_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=LinkKind.values), name="registry_link_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} – {self.organisation}"

    def get_additional_data(self) -> dict:
        return {"unit_path": self.organisation.unit.path}
