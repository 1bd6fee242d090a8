"""Tax invoices (发票) of delivered orders and their status machine."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from oms.audit import logged
from orders.choices import (
    INVOICE_TRANSITION_LABELS,
    LIVE_INVOICE_STATUSES,
    InvoiceStatus,
    InvoiceType,
)
from orders.models.base import MONEY
from orders.models.order import Order


class Invoice(FSMModelMixin, models.Model):
    """A tax invoice (发票) for a delivered order: requested, issued by finance, sent, or voided.

    A refund after issuance flags it for a red-letter (credit) invoice; finance then voids it with the
    red-letter number, and a new invoice may be requested for what remains paid.
    """

    transition_labels = INVOICE_TRANSITION_LABELS

    # The e-mail may be a person's; title and taxpayer id are what the tax system needs and stay in full.
    pii_fields = ("email",)

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(_("invoice number"), max_length=32, unique=True, null=True, blank=True)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=InvoiceStatus.choices,
        default=InvoiceStatus.REQUESTED,
        protected=True,
    )
    invoice_type = models.CharField(
        _("type"), max_length=10, choices=InvoiceType.choices, default=InvoiceType.ORDINARY
    )
    title = models.CharField(_("invoice title"), max_length=200, help_text=_("Company or person named on it"))
    taxpayer_id = models.CharField(
        _("taxpayer id"),
        max_length=20,
        blank=True,
        help_text=_("Unified social credit code, 15–20 characters"),
    )
    email = models.EmailField(_("e-mail"))
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    issued_on = models.DateField(_("invoice date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    void_reason = models.CharField(_("void reason"), max_length=300, blank=True)
    red_letter_number = models.CharField(_("red-letter invoice number"), max_length=32, blank=True)
    red_letter_reason = models.CharField(_("why a red-letter invoice is needed"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_gte_0"),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=[str(s) for s in LIVE_INVOICE_STATUSES]),
                name="invoice_one_live_per_order",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[str(InvoiceStatus.REQUESTED), str(InvoiceStatus.VOIDED)])
                | Q(number__isnull=False, amount__isnull=False, issued_on__isnull=False),
                name="invoice_issued_has_number_amount_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="invoice_queue_idx"),
            models.Index(fields=["issued_on"], name="invoice_issued_on_idx"),
        ]
        permissions = [
            ("request_invoice", _("Can request invoices for delivered orders")),
            ("issue_invoice", _("Can issue, send and void invoices")),
            ("export_invoice", _("Can export invoices for the tax system")),
        ]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self) -> str:
        return self.number or _("invoice request #%(pk)s") % {"pk": self.pk}

    # --- transitions: called only from orders.services through oms.audit.run_transition ---------

    @logged
    @transition(
        field=status,
        source=InvoiceStatus.REQUESTED,
        target=InvoiceStatus.ISSUED,
        permission="orders.issue_invoice",
    )
    def issue(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=InvoiceStatus.ISSUED,
        target=InvoiceStatus.SENT,
        permission="orders.issue_invoice",
    )
    def send(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=[InvoiceStatus.ISSUED, InvoiceStatus.SENT],
        target=InvoiceStatus.RED_LETTER_NEEDED,
        permission="orders.issue_invoice",
    )
    def flag_red_letter(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=[
            InvoiceStatus.REQUESTED,
            InvoiceStatus.ISSUED,
            InvoiceStatus.SENT,
            InvoiceStatus.RED_LETTER_NEEDED,
        ],
        target=InvoiceStatus.VOIDED,
        permission="orders.issue_invoice",
    )
    def void(self, by=None, description=None):
        pass
