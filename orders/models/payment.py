"""Payments of an order and the refunds owed when a paid order is cancelled."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orders.choices import (
    PaymentMethod,
    PaymentStatus,
    RefundKind,
    RefundStatus,
)
from orders.models.base import MONEY
from orders.models.order import Order


class Payment(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="payments"
    )
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(
        _("status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    transaction_id = models.CharField(_("transaction id"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    # Paid back so far (after-sales refunds and the cancellation refund): drives partly refunded / refunded.
    refunded_amount = models.DecimalField(_("refunded"), default=Decimal("0.00"), **MONEY)
    # Cash on delivery: the carrier (its code) that collected the money at the door.
    collected_by = models.CharField(_("collected by carrier"), max_length=32, blank=True, db_index=True)
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked paid by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("amount")),
                name="payment_refunded_within_amount",
            ),
        ]
        indexes = [
            models.Index(
                fields=["collected_by", "paid_at"],
                condition=Q(method=PaymentMethod.COD),
                name="payment_cod_collected_idx",
            ),
        ]
        permissions = [
            ("mark_paid_payment", _("Can mark orders waiting for payment as paid")),
        ]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"


class RefundRecord(models.Model):
    """A refund owed because a paid order was cancelled (or edited to a lower total); after-sales/finance carry it
    out."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=RefundKind.choices, default=RefundKind.CANCELLATION
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.OPEN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid out"), null=True, blank=True)
    paid_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid out by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_gt_0"),
            # One cancellation refund per order: a second cancel attempt cannot open another.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind=RefundKind.CANCELLATION),
                name="refund_one_cancellation_per_order",
            ),
            models.CheckConstraint(
                condition=Q(status=RefundStatus.OPEN) | Q(paid_at__isnull=False),
                name="refund_done_has_paid_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="refund_status_created_idx")]
        permissions = [("pay_refundrecord", _("Can mark refunds owed as paid out"))]
        verbose_name = _("refund record")
        verbose_name_plural = _("refund records")

    def __str__(self) -> str:
        return f"{self.order} {self.amount}"
