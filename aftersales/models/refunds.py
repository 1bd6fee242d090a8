"""Money paid back for a case (a refund, or a compensation), with the large-refund approval states."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from aftersales.choices import REFUND_TRANSITION_LABELS, RefundKind, RefundStatus
from aftersales.models._common import MONEY
from aftersales.models.cases import AftersalesCase
from oms.audit import logged


class Refund(FSMModelMixin, models.Model):
    """Money paid back to the customer for a case: a refund, or the compensation of a compensation case."""

    transition_labels = REFUND_TRANSITION_LABELS

    case = models.ForeignKey(
        AftersalesCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="refunds"
    )
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="aftersales_refunds"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RefundKind.choices, default=RefundKind.REFUND)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = FSMField(
        _("status"),
        max_length=20,
        choices=RefundStatus.choices,
        default=RefundStatus.COMPLETED,
        protected=True,
    )
    transaction_ref = models.CharField(_("payment reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reject_reason = models.CharField(_("reject reason"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="aftersales_refund_amount_gt_0")
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="aftersales_refund_queue_idx")]
        permissions = [("approve_large_refund", _("Can approve refunds above the large-refund amount"))]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return f"{self.case} {self.amount}"

    @logged
    @transition(
        field=status,
        source=RefundStatus.AWAITING_APPROVAL,
        target=RefundStatus.COMPLETED,
        permission="aftersales.approve_large_refund",
    )
    def approve(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=RefundStatus.AWAITING_APPROVAL,
        target=RefundStatus.REJECTED,
        permission="aftersales.approve_large_refund",
    )
    def reject(self, by=None, description=None):
        pass
