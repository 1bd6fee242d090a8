"""Connector models: a shop connected to a channel, the orders it sent us, the SKUs it sells, a column mapping."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from connectors.choices import EventSource, EventStatus, Platform


class Connection(models.Model):
    """One shop on a sales platform, feeding one OMS channel. Its credentials are stored encrypted."""

    channel = models.OneToOneField(
        "orders.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    shop_url = models.CharField(
        _("shop address"),
        max_length=300,
        blank=True,
        help_text=_("The shop's base address, e.g. https://my-shop.myshopify.com"),
    )
    location_id = models.CharField(
        _("platform location id"),
        max_length=40,
        blank=True,
        help_text=_("Shopify: the location whose stock we set and from which parcels are fulfilled."),
    )
    secrets = models.TextField(_("credentials (encrypted)"), blank=True, editable=False)
    webhook_key = models.CharField(_("webhook key"), max_length=40, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    write_back = models.BooleanField(_("send tracking numbers back"), default=True)
    stock_sync = models.BooleanField(_("push stock to the shop"), default=False)
    stock_share_percent = models.PositiveSmallIntegerField(
        _("share of sellable stock (%)"),
        default=100,
        validators=[MaxValueValidator(100)],
        help_text=_("The part of the sellable stock this shop may sell (库存分配比例)."),
    )
    stock_buffer = models.PositiveIntegerField(
        _("safety buffer"), default=0, help_text=_("Units held back from this shop for each SKU.")
    )
    pull_enabled = models.BooleanField(_("pull orders periodically"), default=False)
    pull_cursor = models.CharField(_("pulled up to"), max_length=100, blank=True)
    last_pull_at = models.DateTimeField(_("last pull"), null=True, blank=True)
    last_webhook_at = models.DateTimeField(_("last webhook"), null=True, blank=True)
    last_stock_push_at = models.DateTimeField(_("last stock push"), null=True, blank=True)
    last_test_at = models.DateTimeField(_("last connection test"), null=True, blank=True)
    last_test_ok = models.BooleanField(_("last test passed"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["channel__name", "pk"]
        permissions = [("test_connection", _("Can test a shop connection and sync it on demand"))]
        verbose_name = _("shop connection")
        verbose_name_plural = _("shop connections")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.channel_id}"


class InboundEvent(models.Model):
    """One order message a shop sent (webhook) or we fetched (pull), kept with what became of it."""

    connection = models.ForeignKey(
        Connection, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="events"
    )
    source = models.CharField(_("source"), max_length=10, choices=EventSource.choices)
    topic = models.CharField(_("topic"), max_length=60)
    delivery_id = models.CharField(_("delivery id"), max_length=120)
    external_id = models.CharField(_("channel order id"), max_length=64, blank=True, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(_("status"), max_length=20, choices=EventStatus.choices)
    outcome = models.TextField(_("outcome"), blank=True)
    errors = models.JSONField(_("errors"), default=dict, blank=True)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            # At-least-once delivery: the platform's delivery id is taken once per shop.
            models.UniqueConstraint(fields=["connection", "delivery_id"], name="inbound_event_delivery_once")
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_event_status_idx")]
        verbose_name = _("inbound order message")
        verbose_name_plural = _("inbound order messages")

    def __str__(self) -> str:
        return f"{self.topic} {self.external_id}"


class Listing(models.Model):
    """A SKU as one shop sells it: the shop's ids for it and what the shop was last told about its stock."""

    connection = models.ForeignKey(
        Connection, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="listings"
    )
    sku = models.ForeignKey(
        "inventory.SKU", verbose_name=_("SKU"), on_delete=models.CASCADE, related_name="+"
    )
    external_ref = models.CharField(
        _("platform product id"),
        max_length=60,
        blank=True,
        help_text=_("Shopify variant id, WooCommerce product id"),
    )
    inventory_ref = models.CharField(_("platform stock id"), max_length=60, blank=True)
    last_quantity = models.IntegerField(_("last told"), null=True, blank=True)
    last_pushed_at = models.DateTimeField(_("told at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["connection", "sku"]
        constraints = [models.UniqueConstraint(fields=["connection", "sku"], name="listing_sku_once")]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")

    def __str__(self) -> str:
        return f"{self.connection_id}: {self.sku_id}"


class ColumnMapping(models.Model):
    """Which column of a shop's own order file holds each column of the order import; saved per shop."""

    connection = models.OneToOneField(
        Connection, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="column_mapping"
    )
    columns = models.JSONField(_("columns"), default=dict, help_text=_('{"import column": "file header"}'))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("order file column mapping")
        verbose_name_plural = _("order file column mappings")

    def __str__(self) -> str:
        return str(self.connection_id)
