"""Channels (stores) and their API tokens."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.choices import (
    ChannelKind,
)


class Channel(models.Model):
    """A store the orders come from: a marketplace shop, the own web shop, the phone line."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    sla_hours = models.PositiveSmallIntegerField(
        _("SLA (hours)"), default=24, help_text=_("Paid orders should leave the warehouse within this time.")
    )
    aftersales_window_days = models.PositiveSmallIntegerField(
        _("after-sales window (days)"),
        default=15,
        db_default=15,
        help_text=_(
            "Delivered orders complete this many days after delivery, unless an after-sales case is open."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name


class ChannelToken(models.Model):
    """An API token of a channel. Only its SHA-256 hash and a short prefix are stored, never the token."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.channel.code} {self.prefix}…"
