"""How far a running batch has got: kept in the shared cache while it runs (its transaction is not yet
visible, and the worker that runs it is another process)."""

from django.core.cache import caches

from .models import BatchStatus, ImportBatch


def _progress_key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def _progress_clear(batch_id: int) -> None:
    caches["shared"].delete(_progress_key(batch_id))


def progress_of(batch: ImportBatch) -> int:
    """Rows done so far: kept in the shared cache while a batch runs (its transaction is not yet visible, and
    the worker that runs it is another process)."""
    if batch.status == BatchStatus.RUNNING:
        return caches["shared"].get(_progress_key(batch.pk), batch.rows_done)
    return batch.rows_done
