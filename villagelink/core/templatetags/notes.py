from django import template

from villagelink.core.notes import note_text

register = template.Library()


@register.filter
def note(stored: str | None) -> str:
    """{{ event.note|note }}: a note the system stored as a code, in the reader's language; typed text as it
    was typed (core.notes)."""
    return note_text(stored or "")
