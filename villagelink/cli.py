"""The `villagelink` command: every Django management command, plus the project's own."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["villagelink", *sys.argv[1:]])


if __name__ == "__main__":
    main()
