from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "villagelink.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Household, Organisation, OrganisationLink

        # Ciphertext and hashes change on every save and say nothing to a reader; the masked forms are kept.
        auditlog.register(
            Household,
            # what the ID number says (sex, year of birth) is kept for grouped figures only, never per person
            exclude_fields=[
                "id_number_encrypted",
                "id_number_hash",
                "phone_encrypted",
                "head_sex",
                "head_born_in",
            ],
        )
        auditlog.register(Organisation)
        auditlog.register(OrganisationLink)
