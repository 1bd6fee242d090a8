"""Complaints and inquiries of customers, about an order or not, until they are resolved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.choices import ComplaintCategory, ComplaintKind, ComplaintStatus


class Complaint(models.Model):
    """A complaint or an inquiry of a customer, about an order or not, until it is resolved."""

    pii_fields = ("contact_phone",)

    kind = models.CharField(
        _("kind"), max_length=10, choices=ComplaintKind.choices, default=ComplaintKind.COMPLAINT
    )
    category = models.CharField(_("category"), max_length=10, choices=ComplaintCategory.choices)
    customer = models.ForeignKey(
        "orders.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ComplaintStatus.OPEN, resolved_at__isnull=True)
                | Q(status=ComplaintStatus.RESOLVED, resolved_at__isnull=False),
                name="complaint_resolved_has_time",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="complaint_queue_idx")]
        verbose_name = _("complaint or inquiry")
        verbose_name_plural = _("complaints and inquiries")

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def time_to_resolve(self):
        return self.resolved_at - self.created_at if self.resolved_at else None
