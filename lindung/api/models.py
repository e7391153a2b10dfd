"""API tokens (stored as a SHA-256 hash, never the secret) and the fixed-window counters of the rate limit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A personal token: it acts with its user's roles and region scope, until it expires or is revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    #: The first characters of the token ("ldg_xxxxxxxx"), shown so that the owner can tell tokens apart.
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    #: SHA-256 (hex) of the whole token. The token itself is shown once and never stored.
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def is_usable(self, now=None) -> bool:
        return not self.is_revoked and not self.is_expired(now)


class ApiRateWindow(models.Model):
    """Requests counted in the current fixed window for one caller ("token:12" or "user:3")."""

    key = models.CharField(max_length=40, unique=True)
    window = models.BigIntegerField(default=0)  # window number: unix time // window length
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.count} @ {self.window}"
