from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    OFFICER = "officer", _("Officer")
    SITE_OPERATOR = "site_operator", _("Site operator")
    SELLER = "seller", _("Seller")
    BUYER = "buyer", _("Buyer")


class User(AbstractUser):
    """A person with a role; everyone but an administrator works within a scope unit and what lies below."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.BUYER)
    scope_unit = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit this person works in; they see it and everything below it."),
    )

    # A person is "in" a unit's scope when their scope unit lies at or below it.
    scope_path_lookup = "scope_unit__path"

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="accounts_user_role_valid"),
            models.CheckConstraint(
                condition=models.Q(scope_unit__isnull=False)
                | models.Q(role__in=[Role.ADMINISTRATOR, Role.BUYER, Role.SELLER]),
                name="accounts_user_officers_and_operators_have_a_scope",
            ),
        ]

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMINISTRATOR

    def get_additional_data(self) -> dict:
        return {"unit_path": self.scope_unit.path if self.scope_unit_id else ""}
