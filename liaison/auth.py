"""Signing on against the directory (LDAP): the authentication backend and the login form.

The backend is django-python3-ldap's, after Django's own ModelBackend (local accounts first:
an installation without a directory, and the administrators the company keeps local). What it
cannot say through `authenticate` (None means "not me"), it leaves on the request for the login
form: the directory is down, or the person is in no group that gives access.
"""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_python3_ldap.auth import LDAPBackend

from liaison import directory
from liaison.models import User
from liaison.services.directory import DirectoryRefusal

logger = logging.getLogger(__name__)

REFUSAL_ATTRIBUTE = "directory_refusal"


def _refuse(request: HttpRequest | None, message: str) -> None:
    if request is not None:
        setattr(request, REFUSAL_ATTRIBUTE, message)


class DirectoryBackend(LDAPBackend):
    """Sign on with a directory password; create or bring up to date the local account."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not directory.directory_enabled() or not username or not password:
            return None
        if User.objects.filter(username__iexact=username, source=User.Source.LOCAL).exists():
            return None  # a local account: ModelBackend has answered for it
        try:
            return self._sign_on(request, username=username, password=password)
        except directory.DirectoryUserUnknown:
            return None
        except directory.DirectoryUnavailable:
            logger.warning("Directory sign-on of %r: the directory does not answer", username)
            _refuse(
                request,
                _(
                    "The directory cannot be reached, so directory accounts cannot sign on "
                    "now. Try again later; local accounts still work."
                ),
            )
        except DirectoryRefusal as refusal:
            logger.info("Directory sign-on of %r refused: %s", username, refusal.reason)
            _refuse(request, refusal.message)
        except ValidationError as error:
            logger.warning("Directory sign-on of %r: the account is invalid: %s", username, error)
            _refuse(request, _("Your directory entry cannot be used for an account here."))
        return None

    def _sign_on(self, request, *, username: str, password: str):
        for attempt in (1, 2):
            try:
                # The account is written only if the person gets access: a refusal undoes it.
                with transaction.atomic():
                    return super().authenticate(request, username=username, password=password)
            except IntegrityError:
                # The same person's first sign-on in two tabs at once: the other one made the
                # account; the second attempt finds it.
                if attempt == 2:
                    raise
        return None

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        return await sync_to_async(self.authenticate)(
            request, username=username, password=password, **kwargs
        )
