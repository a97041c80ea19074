"""Background work for large imports (run by `villagelink db_worker`)."""

from django_tasks import task


@task()
def run_batch(batch_id: int) -> None:
    from .services import batch_run

    batch_run(batch_id=batch_id)
