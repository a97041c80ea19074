"""Reading a rendered form in tests: the block of one field (its label, widget, help and errors)."""


def field_block(page: str, field_id: str) -> str:
    """The `<div class="field ...">` block whose label is for `field_id`, up to the next field or the form's end."""
    label = page.index(f'for="{field_id}"')
    start = page.rindex('<div class="field', 0, label)
    ends = [i for i in (page.find('<div class="field', label), page.find("</form>", label)) if i != -1]
    return page[start : min(ends)]


def is_beside(page: str, field_id: str, message: str) -> bool:
    """Whether `message` is shown as an error inside the field's block."""
    block = field_block(page, field_id)
    return "has-error" in block[: block.index(">")] and message in block
