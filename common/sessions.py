"""The session store: Django's database store whose row lapses after an idle time.

SESSION_COOKIE_AGE (SESSION_IDLE_MINUTES) is how long a session lives after it was last saved.
Saving it on every request (SESSION_SAVE_EVERY_REQUEST) would write a row for each page and each
htmx fragment; instead a session loaded with less than a minute gone since its last save stays
as it is, and one older is marked `refresh_due`: the idle-session middleware saves it again
unless the request is a poll (a page refreshing itself is not a person at work).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.backends import db
from django.utils import timezone

REFRESH_AFTER = timedelta(minutes=1)


class SessionStore(db.SessionStore):
    refresh_due = False

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()
        if stored is not None:
            age = timedelta(seconds=self.get_session_cookie_age())
            self.refresh_due = stored.expire_date - timezone.now() < age - REFRESH_AFTER
        return stored
