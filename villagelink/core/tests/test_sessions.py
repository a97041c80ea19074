"""Two requests of one browser at once: the one that changed nothing does not write back its old copy."""

import datetime

from django.contrib.sessions.models import Session
from django.utils import timezone

from villagelink.core.sessions import SessionStore


def test_a_request_that_only_read_the_session_keeps_what_another_wrote_meanwhile(db):
    first = SessionStore()
    first["cart"] = {}
    first.create()
    key = first.session_key
    reading = SessionStore(session_key=key)
    assert reading["cart"] == {}  # a photo's request, say, has read the session
    adding = SessionStore(session_key=key)
    adding["cart"] = {"12": 2}  # meanwhile the add to the cart writes it
    adding.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())

    reading.save()  # as SESSION_SAVE_EVERY_REQUEST has the middleware do at the end of every request

    assert SessionStore(session_key=key)["cart"] == {"12": 2}
    stored = Session.objects.get(session_key=key)
    assert stored.expire_date > timezone.now() + datetime.timedelta(minutes=1)  # the idle timeout moved


def test_a_changed_or_vanished_session_is_written_whole(db):
    store = SessionStore()
    store["cart"] = {"1": 1}
    store.save()
    key = store.session_key
    Session.objects.filter(session_key=key).delete()
    again = SessionStore(session_key=key)
    again.save()  # nothing to move: saved anew (as Django does), under a new key
    assert again.session_key is not None
