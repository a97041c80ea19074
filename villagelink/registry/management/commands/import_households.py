from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.core.exceptions import ApplicationError
from villagelink.registry.imports import households_import


class Command(BaseCommand):
    help = (
        "Register households from a CSV or XLSX file with the columns village_code, head_name, id_number "
        "(optional members, phone, registered_poor_in, exited_poverty_in). All rows or none, unless --valid-only."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--valid-only", action="store_true", help="Import the valid rows even if others are refused."
        )
        parser.add_argument(
            "--as", dest="username", default=None, help="Import as this user, within their area."
        )

    def handle(self, *args, file: Path, valid_only: bool, username: str | None, **options):
        user = self._user(username)
        try:
            handle = file.open("rb")
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s. Check the path and try again.")
                % {"file": file, "reason": exc.strerror}
            ) from exc
        with handle:
            try:
                result = households_import(
                    by=user, data=handle, filename=file.name, valid_rows_only=valid_only
                )
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        for row, reason in result.rejected:
            self.stderr.write(_("Row %(row)d: %(reason)s.") % {"row": row, "reason": reason})
        if not result.committed:
            raise CommandError(
                _("%(count)d row(s) refused, so nothing was imported. Fix them, or use --valid-only.")
                % {"count": len(result.rejected)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(created)d household(s) registered, %(rejected)d row(s) refused.")
                % {"created": result.created, "rejected": len(result.rejected)}
            )
        )

    def _user(self, username: str | None) -> User:
        if username is None:
            user = User.objects.filter(is_superuser=True).order_by("pk").first()
            if user is None:
                raise CommandError(_("There is no administrator account; create one or give --as USERNAME."))
            return user
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no account named %(name)s.") % {"name": username})
        return user
