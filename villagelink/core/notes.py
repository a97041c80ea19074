"""Sentences the system writes into records — an order's steps and reasons, the assistance ledger's notes, an
import's refused rows — are stored as a code with its parameters, never as text in the writer's language, and
rendered when read, in the reader's language.

The stored form sits in the record's own text field, beside what people type there: `@code {"param": …}`.
`note_text` renders a stored note and gives any other text back as it was typed. A code keeps its meaning and
its parameters for good (stored rows hold them); its sentence may be reworded, and is translated as usual.
"""

import functools
import json
import math
import re

from django.utils.functional import lazy
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

SENTENCES = {
    # the assistance ledger
    "shop_opened": _("Shop opened: %(shop)s"),
    "listed": _("Listed: %(product)s"),
    # an order's steps and reasons
    "imported": _("Imported from %(file)s (batch %(batch)d)"),
    "recorded_at": _("Recorded at %(site)s"),
    "handed_over": _("Handed over at %(site)s"),
    "not_paid": _("Not paid in time"),
    "not_shipped": _("Not shipped by the seller in time; the goods went back on sale"),
    "cash_collected": _("Cash collected"),
    "buyer_cancelled": _("Cancelled by the buyer"),
    # why a row of a platform's order report was refused
    "number_shortened": _(
        "the order number “%(text)s” was shortened by Excel; download the report again as it came"
    ),
    "number_too_long": _("the order number is longer than 64 characters"),
    "number_missing": _("the order number is missing"),
    "not_amount": _("the %(what)s is not an amount"),
    "not_yuan": _("the %(what)s “%(text)s” is not an amount in yuan"),
    "negative": _("the %(what)s is negative"),
    "too_large": _("the %(what)s is implausibly large"),
    "missing": _("the %(what)s is missing"),
    "not_date": _("the %(what)s “%(text)s” is not a date such as 2019-06-01 12:30:00"),
    "not_serial_date": _("the %(what)s “%(value)s” is not a date"),
    "not_quantity": _("the quantity “%(text)s” is not a whole number of items"),
    "status_missing": _("the order status is missing"),
    "status_unknown": _(
        "the order status “%(word)s” is unknown for %(profile)s reports: check the platform chosen, "
        "or give the word its meaning on this import's page and check again"
    ),
    "after_sale_unknown": _(
        "the after-sale status “%(word)s” is unknown for %(profile)s reports: check the platform chosen, "
        "or give the word its meaning on this import's page and check again"
    ),
    "refund_too_large": _("the refund is larger than the amount"),
    "shop_missing": _("the shop is missing: the report has no shop name; choose the shop"),
    "shop_ambiguous": _(
        "“%(name)s” is the name of more than one shop in your area; give the shop's id on %(platform)s"
    ),
    "shop_unmatched": _("the shop “%(name)s” cannot be matched with a shop on %(platform)s in your area"),
    "number_repeated": _("the order number %(id)s is already on row %(row)d of this file"),
    "number_other_shop": _("the order number %(id)s is already recorded for another shop"),
    "number_outside": _("the order number %(id)s cannot be matched within your area"),
}

# Parameters that are themselves words of the interface: stored as a code, rendered in the reader's language.
WORDS: dict[str, object] = {
    "amount": _("amount"),
    "refund": _("refund"),
    "order_date": _("order date"),
    "completion_date": _("completion date"),
}  # apps add theirs when they start (catalog: the platforms, as "platform:<code>")
WORD_PARAMETERS = frozenset({"what", "platform"})

MARK = "@"
_STORED = re.compile(r"@([a-z_]+)(?: (\{.*\}))?", re.DOTALL)
LONGEST = 300  # the text fields that hold notes


def note(code: str, **params: str | int) -> str:
    """The stored form of a sentence (`code` from SENTENCES) with its parameters; long texts among them are cut
    so that the whole fits the record's field."""
    if code not in SENTENCES:
        raise KeyError(f"no sentence has the code {code!r}")
    cut = dict(params)
    while True:
        stored = (
            f"{MARK}{code} {json.dumps(cut, ensure_ascii=False, separators=(',', ':'))}"
            if cut
            else MARK + code
        )
        over = len(stored) - LONGEST
        texts = [name for name, value in cut.items() if isinstance(value, str) and value]
        if over <= 0 or not texts:
            return stored
        longest = max(texts, key=lambda name: len(str(cut[name])))
        value = str(cut[longest])  # cut in proportion to its written length (quotes take two characters)
        share = len(value) / len(json.dumps(value, ensure_ascii=False))
        cut[longest] = value[: max(len(value) - math.ceil(over * share), 0)]


def note_text(stored: str) -> str:
    """A stored note in the active language; any other text as it was typed."""
    if not stored or not stored.startswith(MARK):
        return stored
    found = _STORED.fullmatch(stored)
    sentence = SENTENCES.get(found.group(1)) if found else None
    if sentence is None:
        return stored
    try:
        params = json.loads(found.group(2)) if found.group(2) else {}  # type: ignore[union-attr]
        for name in WORD_PARAMETERS & params.keys():
            params[name] = WORDS.get(params[name], params[name])
        return gettext(str(sentence)) % params if params else gettext(str(sentence))
    except (ValueError, TypeError, KeyError):
        return str(sentence)


note_text_lazy = lazy(note_text, str)


def note_code(stored: str) -> str:
    """The code of a stored note; empty for typed text."""
    found = _STORED.fullmatch(stored) if stored.startswith(MARK) else None
    return found.group(1) if found and found.group(1) in SENTENCES else ""


def note_from_text(text: str, languages: tuple[str, ...] = ("en", "zh-hans")) -> str:
    """The stored form of a sentence the system once wrote as text in one of `languages` (for migrating such
    rows); text that is no such sentence comes back as it was."""
    if not text or text.startswith(MARK):
        return text
    for language in languages:
        with override(language):
            for code, pattern, names in _compiled(language):
                found = pattern.fullmatch(text)
                if found:
                    params: dict[str, str | int] = {}
                    for group, (name, kind) in zip(found.groups(), names, strict=True):
                        params[name] = int(group) if kind == "d" else _word_code(name, group)
                    return note(code, **params)
    return text


def texts_to_notes(queryset, field: str, *, back: bool = False) -> int:
    """Rewrites `field` of the rows of `queryset` (in a data migration) from sentences once stored as text to
    their stored notes; `back`: stored notes to English text, as they were written before. Works through the
    distinct values, so a million imported rows sharing one note take one statement."""
    changed = 0
    values = queryset.exclude(**{field: ""}).values_list(field, flat=True).distinct()
    for value in list(values):
        if back:
            with override("en"):
                new = note_text(value)
        else:
            new = note_from_text(value)
        if new != value:
            changed += queryset.filter(**{field: value}).update(**{field: new[:LONGEST]})
    return changed


@functools.cache
def _compiled(language: str) -> list:
    """The sentences as patterns in `language`, the most particular first: "the order status is missing"
    before "the %(what)s is missing"."""
    return sorted(_patterns(), key=lambda found: (len(found[2]), -len(found[1].pattern)))


def _patterns():
    for code, sentence in SENTENCES.items():
        translated = str(sentence)
        names = re.findall(r"%\((\w+)\)([sd])", translated)
        parts = re.split(r"%\(\w+\)[sd]", translated)
        pattern = "".join(
            re.escape(part) + (_group(name, kind) if kind else "")
            for part, (name, kind) in zip(parts, [*names, ("", "")], strict=True)
        )
        yield code, re.compile(pattern, re.DOTALL), names


def _group(name: str, kind: str) -> str:
    if kind == "d":
        return r"(\d+)"
    if name in WORD_PARAMETERS:  # one of the words, as they read in the language
        return "(" + "|".join(re.escape(str(word)) for word in WORDS.values()) + ")"
    return "(.+?)"


def _word_code(name: str, text: str) -> str:
    if name in WORD_PARAMETERS:
        for code, word in WORDS.items():
            if str(word) == text:
                return code
    return text
