"""Sentences the system writes into records are stored as codes and read in the reader's language."""

import re

import pytest
from django.db.models import QuerySet
from django.utils.translation import override

from villagelink.assistance.models import AssistanceEvent, AssistanceKind
from villagelink.core.notes import (
    LONGEST,
    SENTENCES,
    WORD_PARAMETERS,
    note,
    note_code,
    note_from_text,
    note_text,
    texts_to_notes,
)
from villagelink.orders.models import OrderEvent
from villagelink.orders.services import order_cancel, orders_expire
from villagelink.orders.tests.factories import place

LANGUAGES = ("en", "zh-hans", "bo", "fr")


def sample_params(code: str) -> dict:
    names = re.findall(r"%\((\w+)\)([sd])", str(SENTENCES[code]))
    words = {"what": "refund", "platform": "platform:taobao"}
    return {name: 7 if kind == "d" else words.get(name, f"x{name}9") for name, kind in names}


@pytest.mark.parametrize("code", sorted(SENTENCES))
def test_every_sentence_reads_in_each_language_and_is_found_again_in_english_and_chinese(code):
    stored = note(code, **sample_params(code))
    assert note_code(stored) == code and len(stored) <= LONGEST
    texts = {}
    for language in LANGUAGES:
        with override(language):
            texts[language] = note_text(stored)
    assert "@" not in "".join(texts.values()) and "%(" not in "".join(texts.values())
    assert len(set(texts.values())) == len(LANGUAGES)  # each language its own words
    if "what" in sample_params(code):
        assert "refund" not in texts["zh-hans"] and "refund" in texts["en"]  # the word too is translated
    for language in ("en", "zh-hans"):
        assert note_from_text(texts[language]) == stored


def test_typed_text_and_unknown_codes_read_as_they_were_typed():
    assert note_text("The buyer asked to cancel") == "The buyer asked to cancel"
    assert note_text("@someone please call") == "@someone please call"
    assert note_text('@no_such_code {"a":1}') == '@no_such_code {"a":1}'
    assert note_code("Cash collected") == "" and note_from_text("hello") == "hello"
    with pytest.raises(KeyError):
        note("no_such_code")


def test_a_damaged_note_reads_as_its_sentence_not_as_an_error():
    with override("en"):
        assert note_text('@imported {"file":"a.csv"}') == "Imported from %(file)s (batch %(batch)d)"
        assert note_text("@imported {not json}") == "Imported from %(file)s (batch %(batch)d)"


def test_a_long_parameter_is_cut_so_that_the_note_fits_its_field():
    for name in ('a"' * 400, "藏" * 400, "x" * 1000):
        stored = note("imported", file=name, batch=123456)
        assert len(stored) <= LONGEST
        with override("en"):
            assert note_text(stored).endswith("(batch 123456)")


def test_an_expired_order_reads_why_in_the_readers_language(market):
    order = place((market.butter, 1), method="online").orders[0]
    orders_expire(now=order.expires_at.replace(year=order.expires_at.year + 1))
    order.refresh_from_db()
    assert order.cancel_reason == "@not_paid"
    with override("zh-hans"):
        chinese = note_text(order.cancel_reason)
    with override("en"):
        assert note_text(order.cancel_reason) == "Not paid in time"
    assert chinese != "Not paid in time" and chinese


def test_the_order_page_shows_stored_notes_in_the_readers_language(client, market):
    order = place((market.butter, 1)).orders[0]
    order_cancel(by=market.seller, order=order, reason=note("buyer_cancelled"))
    client.force_login(market.seller)
    english = client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Cancelled by the buyer" in english
    with override("zh-hans"):
        assert note_text("@buyer_cancelled") in chinese
    assert "Cancelled by the buyer" not in chinese and "@buyer_cancelled" not in chinese
    # the order's line names its product in the reader's language too
    assert "Yak butter" in english and "牦牛酥油" not in english and "牦牛酥油" in chinese


def test_migrating_rewrites_sentences_stored_as_text_and_back(market):
    order = place((market.butter, 1)).orders[0]
    with override("zh-hans"):
        chinese = note_text(note("imported", file="淘宝.xlsx", batch=4))
    OrderEvent.objects.filter(order=order).update(note=chinese)
    typed = OrderEvent.objects.create(order=order, status=order.status, at=order.placed_at, note="Call first")
    ledger = AssistanceEvent.objects.filter(shop=market.shop, kind=AssistanceKind.SHOP_SETUP)
    assert list(ledger.values_list("note", flat=True)) == [note("shop_opened", shop="Namling butter")]
    plain = QuerySet(AssistanceEvent)  # as a migration's model has it: the ledger's manager refuses changes
    plain.filter(pk__in=ledger.values("pk")).update(note="Shop opened: Namling butter")

    texts_to_notes(OrderEvent.objects.all(), "note")
    texts_to_notes(plain, "note")
    assert set(OrderEvent.objects.exclude(pk=typed.pk).values_list("note", flat=True)) == {
        note("imported", file="淘宝.xlsx", batch=4)
    }
    assert list(ledger.values_list("note", flat=True)) == [note("shop_opened", shop="Namling butter")]
    typed.refresh_from_db()
    assert typed.note == "Call first"

    texts_to_notes(OrderEvent.objects.all(), "note", back=True)
    assert set(OrderEvent.objects.exclude(pk=typed.pk).values_list("note", flat=True)) == {
        "Imported from 淘宝.xlsx (batch 4)"
    }


def test_word_parameters_are_named_in_every_sentence_that_uses_them():
    used = {name for code in SENTENCES for name in re.findall(r"%\((\w+)\)", str(SENTENCES[code]))}
    assert used >= WORD_PARAMETERS
