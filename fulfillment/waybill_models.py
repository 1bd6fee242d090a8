"""Models of electronic waybills (电子面单): carrier accounts, number pools, issued waybills, label privacy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulfillment.choices import LabelSize, PoolNumberStatus, WaybillApi, WaybillStatus


class CarrierAccount(models.Model):
    """Our account with a carrier's waybill API: endpoint, partner/customer codes and the signing secret.

    The secret is never shown on a screen; it can also come from ``settings.OMS_CARRIER_SECRETS``
    (``{"<account code>": "<secret>"}``, filled from the environment) so it stays out of the database.
    """

    code = models.SlugField(_("account code"), max_length=32, unique=True)
    carrier = models.ForeignKey(
        "fulfillment.Carrier",
        verbose_name=_("carrier"),
        on_delete=models.CASCADE,
        related_name="accounts",
    )
    api = models.CharField(_("API"), max_length=10, choices=WaybillApi.choices)
    endpoint = models.URLField(_("API endpoint"), blank=True)
    partner_id = models.CharField(
        _("partner / app key"), max_length=100, blank=True, help_text=_("顾客编码, appKey, EBusinessID …")
    )
    customer_code = models.CharField(
        _("customer code"), max_length=100, blank=True, help_text=_("月结卡号 or 网点 customer code")
    )
    secret = models.CharField(
        _("secret"),
        max_length=200,
        blank=True,
        help_text=_("checkWord / appSecret / AppKey. Empty: the OMS_CARRIER_SECRETS setting gives it."),
    )
    sender_name = models.CharField(_("sender name"), max_length=100, blank=True)
    sender_phone = models.CharField(_("sender phone"), max_length=32, blank=True)
    label_size = models.CharField(
        _("label size"), max_length=10, choices=LabelSize.choices, default=LabelSize.L100X180
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["carrier", "code"]
        verbose_name = _("carrier account")
        verbose_name_plural = _("carrier accounts")

    def __str__(self) -> str:
        return f"{self.code} ({self.get_api_display()})"

    @property
    def signing_secret(self) -> str:
        return self.secret or getattr(settings, "OMS_CARRIER_SECRETS", {}).get(self.code, "")


class PoolNumber(models.Model):
    """One waybill number of a range the carrier handed out (号段); taken by one parcel only."""

    account = models.ForeignKey(
        CarrierAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="pool"
    )
    number = models.CharField(_("waybill number"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=PoolNumberStatus.choices, default=PoolNumberStatus.FREE
    )
    shipment = models.OneToOneField(
        "fulfillment.Shipment",
        verbose_name=_("shipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)

    class Meta:
        ordering = ["account", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="pool_number_unique"),
            models.CheckConstraint(
                condition=Q(status=PoolNumberStatus.FREE, shipment__isnull=True)
                | ~Q(status=PoolNumberStatus.FREE),
                name="pool_number_free_has_no_shipment",
            ),
        ]
        indexes = [
            models.Index(
                fields=["account", "id"],
                name="pool_number_free_idx",
                condition=Q(status=PoolNumberStatus.FREE),
            )
        ]
        verbose_name = _("pool waybill number")
        verbose_name_plural = _("waybill number pool")

    def __str__(self) -> str:
        return self.number


class Waybill(models.Model):
    """The electronic waybill of a parcel: the carrier's number, its sorting code, how often printed."""

    shipment = models.ForeignKey(
        "fulfillment.Shipment",
        verbose_name=_("shipment"),
        on_delete=models.PROTECT,
        related_name="waybills",
    )
    account = models.ForeignKey(
        CarrierAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="waybills"
    )
    number = models.CharField(_("waybill number"), max_length=64)
    sort_code = models.CharField(_("sorting code (三段码)"), max_length=64, blank=True)
    destination_code = models.CharField(_("destination code"), max_length=64, blank=True)
    packages = models.PositiveSmallIntegerField(_("packages"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=WaybillStatus.choices, default=WaybillStatus.ISSUED
    )
    print_count = models.PositiveIntegerField(_("printed"), default=0)
    cancel_error = models.CharField(_("cancel error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="waybill_number_unique"),
            # One live waybill per parcel: a second fetch for the same parcel is refused by the database.
            models.UniqueConstraint(
                fields=["shipment"],
                condition=Q(status=WaybillStatus.ISSUED),
                name="waybill_one_issued_per_shipment",
            ),
            models.CheckConstraint(condition=Q(packages__gte=1), name="waybill_packages_gte_1"),
        ]
        permissions = [("reprint_waybill", _("Can reprint waybill labels"))]
        verbose_name = _("waybill")
        verbose_name_plural = _("waybills")

    def __str__(self) -> str:
        return self.number


class ChannelLabelPrivacy(models.Model):
    """How a channel's platform wants the receiver masked on labels (隐私面单); no row: everything masked."""

    channel = models.OneToOneField(
        "orders.Channel", verbose_name=_("channel"), on_delete=models.CASCADE, related_name="+"
    )
    mask_name = models.BooleanField(_("mask the receiver's name"), default=True)
    mask_phone = models.BooleanField(_("mask the receiver's phone"), default=True)
    mask_address = models.BooleanField(_("hide part of the street address"), default=True)

    class Meta:
        verbose_name = _("label privacy of a channel")
        verbose_name_plural = _("label privacy per channel")

    def __str__(self) -> str:
        return str(self.channel_id)
