"""Names in the reader's language. A record has the name it was registered under (for shops and sites usually
the Chinese one, as the platforms and the bureau register them) and may have a Tibetan and an English one; a
reader gets the name in their language where known, else the registered one. French readers get the English
name, as French texts on Tibet use the Pinyin-based names."""

from django.db.models import Q
from django.utils.translation import get_language


def in_reader_language(registered: str, *, bo: str = "", en: str = "") -> str:
    language = (get_language() or "en").lower()
    if language.startswith("bo"):
        return bo or registered
    if language.startswith("zh"):
        return registered
    return en or registered


def names_q(search: str, prefix: str = "") -> Q:
    """Records whose name in any language contains `search` (`prefix`: the path to the named record)."""
    return (
        Q(**{f"{prefix}name__icontains": search})
        | Q(**{f"{prefix}name_bo__icontains": search})
        | Q(**{f"{prefix}name_en__icontains": search})
    )
