"""Customers (matched across channels) and the delivery addresses given with their orders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from orders.choices import (
    ContactChannel,
    CustomerTier,
)


class Customer(models.Model):
    """A buyer, matched across channels by phone (then e-mail); a merged duplicate points to the one kept."""

    # Personal data: masked on screens, shown in full only through the logged reveal (oms.privacy).
    pii_fields = ("name", "phone", "email")
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32)
    email = models.EmailField(_("e-mail"), blank=True)
    tier = models.CharField(
        _("tier"), max_length=10, choices=CustomerTier.choices, default=CustomerTier.NORMAL
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    preferred_contact = models.CharField(
        _("preferred contact channel"),
        max_length=10,
        choices=ContactChannel.choices,
        default=ContactChannel.SMS,
    )
    webhook_url = models.URLField(
        _("webhook URL"),
        max_length=300,
        blank=True,
        db_default="",  # raw INSERTs (bench data) that name no column still get a value
        help_text=_("Where order messages are posted when the preferred channel is the webhook."),
    )
    do_not_contact = models.BooleanField(
        _("do not contact"), default=False, help_text=_("No messages at all: no order notices, no surveys.")
    )
    is_blacklisted = models.BooleanField(_("blacklisted"), default=False)
    blacklist_reason = models.CharField(_("blacklist reason"), max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_duplicates",
        help_text=_("This record was a duplicate: its orders moved to that customer."),
    )
    merged_at = models.DateTimeField(_("merged"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["phone"], name="customer_phone_unique"),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("pk")),
                name="customer_not_merged_into_self",
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="customer_email_idx"),
            # Intake matches customers by e-mail case-insensitively (email__iexact is UPPER(email) = UPPER(%s)).
            models.Index(Upper("email"), name="customer_email_upper_idx"),
        ]
        permissions = [
            ("merge_customer", _("Can merge duplicate customers")),
            ("anonymise_customer", _("Can anonymise a customer on request")),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        # Masked: this text lands in logs (change log, personal-data access log), which must not leak it.
        from oms.privacy import mask_name, mask_phone

        if self.anonymised_at:
            return str(_("anonymised customer #%(pk)s") % {"pk": self.pk})
        return f"{mask_name(self.name)} {mask_phone(self.phone)}"

    @property
    def is_vip(self) -> bool:
        return self.tier == CustomerTier.VIP


class Address(models.Model):
    pii_fields = ("name", "phone", "province", "city", "district", "line1", "postcode")
    """A delivery address as given with an order (kept as it was, even if the customer moves)."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="addresses",
    )
    name = models.CharField(_("recipient"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, db_index=True)
    province = models.CharField(_("province"), max_length=50)
    city = models.CharField(_("city"), max_length=50)
    district = models.CharField(_("district"), max_length=50)
    line1 = models.CharField(_("street address"), max_length=300)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN")

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.line1}"
