"""The checks in the background (run by `villagelink db_worker`), after each change to the figures."""

import datetime

from django_tasks import task


@task()
def check_area(path: str, first: str, last: str) -> None:
    from .services import quality_check

    quality_check(path=path, first=datetime.date.fromisoformat(first), last=datetime.date.fromisoformat(last))
