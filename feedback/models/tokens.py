"""The signed-token scheme shared by the informant's rating link and a rater's evaluation link.

A row holds a random nonce and the SHA-256 of its token; the token is an HMAC-SHA256 of the
row's `token_message()` under the SECRET_KEY (salted per model), base64url, 43 characters. A
copy of the database alone opens nothing, the server can show the same link again, and a key
kept in SECRET_KEY_FALLBACKS still rebuilds an old token. See feedback.models.links.
"""

import base64
import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class SignedToken(models.Model):
    """An abstract row reached by a signed token: subclasses set TOKEN_SALT and say what the
    HMAC signs in token_message()."""

    TOKEN_SALT = ""

    nonce = models.CharField(_("nonce"), max_length=64, editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)

    class Meta:
        abstract = True

    def token_message(self) -> str:
        raise NotImplementedError

    @staticmethod
    def hash_of(token: str) -> str:
        """Return what the row stores of a token: its SHA-256, in hex."""
        return hashlib.sha256(token.encode()).hexdigest()

    def token_with(self, secret: str) -> str:
        """Return the token this row's nonce gives under `secret` (43 base64url characters)."""
        digest = salted_hmac(
            self.TOKEN_SALT, self.token_message(), secret=secret, algorithm="sha256"
        ).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def token(self) -> str | None:
        """Rebuild the token with the SECRET_KEY or one of its fallbacks; None when no key
        rebuilds it (the key was rotated away: the link must be re-issued)."""
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
            token = self.token_with(secret)
            if hmac.compare_digest(self.hash_of(token), self.token_hash):
                return token
        return None
