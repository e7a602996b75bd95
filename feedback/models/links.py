"""Signed rating links (R8): one per reply round of an entry, for the informant without an account.

How the token is made and kept (the methods below; feedback.services.rating_links makes and
revokes them):

- Each link row holds a random nonce, ``secrets.token_urlsafe(RATING_LINK_TOKEN_BYTES)`` (256
  bits), made when the row is made.
- The token in the URL is ``HMAC-SHA256(SECRET_KEY, "entry:round:nonce")``, base64url: 43
  characters, 256 bits, unguessable without both the row's nonce and the SECRET_KEY.
- The row stores only ``SHA-256(token)`` (unique, indexed): the public page finds the link by the
  hash of what it was given, so the lookup never compares secrets byte by byte, and a copy of the
  database alone (a backup, a read-only leak) yields no usable token — rebuilding one needs the
  SECRET_KEY too. This is the scheme of Django's own password-reset tokens (an HMAC of database
  state under the SECRET_KEY), with the hash stored so that a link can be revoked and looked up.
- The owner can therefore see the same link again (the entry page, the reply slip, the referral
  sheet's stub all show one link per round, so a QR printed early stays valid). If the SECRET_KEY
  is rotated, the old key in SECRET_KEY_FALLBACKS still rebuilds it; without it, the owner
  re-issues it by hand (the informant's copy keeps working until then). Re-issuing (also if a
  link went to the wrong person) revokes the row and makes a new one with a new nonce.

A link is usable from the reply of its round until ``rating_link_valid_days()`` days after it,
once: the rating it recorded is kept on the row. A later round (the entry reopened and replied
again) gets its own link; the earlier one no longer works.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from feedback.models.tokens import SignedToken

__all__ = ["RatingLink"]


class RatingLink(SignedToken):
    """The signed link through which the informant rates the reply of one round of an entry."""

    TOKEN_SALT = "feedback.RatingLink.token"  # this HMAC apart from other uses of the key

    entry = models.ForeignKey(
        "liaison.Entry",
        verbose_name=_("entry"),
        on_delete=models.PROTECT,
        related_name="rating_links",
    )
    round = models.PositiveSmallIntegerField(
        _("round"), help_text=_("How often the entry had been reopened when the link was made.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    rating = models.OneToOneField(
        "feedback.Rating",
        verbose_name=_("rating"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="link",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rating link")
        verbose_name_plural = _("rating links")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "round"],
                condition=Q(revoked_at__isnull=True),
                name="rating_link_one_live_per_round",
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True, rating__isnull=True)
                | Q(used_at__isnull=False, rating__isnull=False),
                name="rating_link_used_with_its_rating",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} round {self.round}"

    def token_message(self) -> str:
        return f"{self.entry_id}:{self.round}:{self.nonce}"
