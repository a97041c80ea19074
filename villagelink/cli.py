"""The `villagelink` command: every Django management command, plus the project's own."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        # `villagelink import-units` runs the management command `import_units`.
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["villagelink", *args])


if __name__ == "__main__":
    main()
