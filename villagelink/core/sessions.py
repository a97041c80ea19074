"""Sessions in the database, with the idle timeout kept without losing another request's changes.

`SESSION_SAVE_EVERY_REQUEST` pushes the expiry forward on every request, and Django's store does it by writing
back the whole session as the request read it. Two requests of one browser at once (an add to the cart while
a photo or another tab loads) then lose the first one's change to the second one's old copy. Here a request
that changed nothing moves only the expiry.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def save(self, must_create: bool = False) -> None:
        if not must_create and not self.modified and self.session_key is not None:
            moved = self.model.objects.filter(session_key=self.session_key).update(
                expire_date=self.get_expiry_date()
            )
            if moved:
                return
        super().save(must_create=must_create)
