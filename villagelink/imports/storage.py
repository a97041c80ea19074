"""The uploaded reports, kept in the media folder (`imports/`) until their batch is committed or let go."""

import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from . import parsing
from .errors import ImportError_
from .models import ImportBatch


def _media_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _open(batch: ImportBatch) -> BinaryIO:
    try:
        return (_media_dir() / batch.file_path).open("rb")
    except OSError as exc:
        raise ImportError_(_("The uploaded file is no longer kept; upload it again.")) from exc


def _store(file: BinaryIO, filename: str) -> str:
    """Copies the upload to the imports' media folder, a block at a time."""
    directory = _media_dir()
    directory.mkdir(parents=True, exist_ok=True)
    file.seek(0)
    suffix = ".xlsx" if parsing.is_xlsx(file.read(4), filename) else ".csv"
    file.seek(0)
    name = f"{uuid.uuid4().hex}{suffix}"
    with (directory / name).open("wb") as stored:
        shutil.copyfileobj(file, stored, parsing.BLOCK)
    return name


def discard_file(batch: ImportBatch) -> None:
    if batch.file_path:
        (_media_dir() / batch.file_path).unlink(missing_ok=True)
