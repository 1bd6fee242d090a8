"""After-sales cases (售后登记): the case and its state machine, its lines and its photos."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from aftersales.choices import RETURN_TYPES, TRANSITION_LABELS, CaseStatus, CaseType, Condition
from aftersales.models._common import MONEY, ZERO
from aftersales.models.reasons import Reason
from oms.audit import logged

CS = CaseStatus


def _is_return_type(case: AftersalesCase) -> bool:
    return case.case_type in RETURN_TYPES


def _refund_after_approval(case: AftersalesCase) -> bool:
    return case.case_type == CaseType.REFUND_ONLY


def _refund_after_inspection(case: AftersalesCase) -> bool:
    return case.case_type == CaseType.RETURN_REFUND


def _replacement_now(case: AftersalesCase) -> bool:
    return (case.status == CS.APPROVED and case.case_type == CaseType.REISSUE) or (
        case.status == CS.INSPECTED and case.case_type == CaseType.EXCHANGE
    )


class AftersalesCase(FSMModelMixin, models.Model):
    """One request of a customer about one order (售后登记): what, why, who bears the cost, where it stands."""

    transition_labels = TRANSITION_LABELS

    # Personal data: masked on screens; users with oms.view_personal_data may reveal it (logged).
    pii_fields = ("contact_name", "contact_phone")

    number = models.CharField(_("case number"), max_length=20, unique=True, null=True, blank=True)
    case_type = models.CharField(_("type"), max_length=16, choices=CaseType.choices)
    status = FSMField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CS.REQUESTED, protected=True
    )
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="aftersales_cases"
    )
    customer = models.ForeignKey(
        "orders.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="aftersales_cases",
    )
    channel = models.ForeignKey(
        "orders.Channel", verbose_name=_("store"), on_delete=models.PROTECT, related_name="aftersales_cases"
    )
    supplier = models.ForeignKey(
        "inventory.Supplier",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aftersales_cases",
    )
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True, db_index=True)
    reason = models.ForeignKey(
        Reason, verbose_name=_("reason"), on_delete=models.PROTECT, related_name="cases"
    )
    description = models.TextField(_("description"), blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aftersales_cases",
    )
    registered_on = models.DateField(_("registered on"), default=timezone.localdate)

    compensation_applies = models.BooleanField(_("compensation applies"), default=False)
    supplier_share = models.DecimalField(_("supplier's share"), default=ZERO, **MONEY)
    platform_share = models.DecimalField(_("platform's share"), default=ZERO, **MONEY)
    compensation_total = models.DecimalField(_("compensation total"), default=ZERO, **MONEY)

    return_tracking_number = models.CharField(
        _("return tracking number"), max_length=64, blank=True, db_index=True
    )
    return_warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("received in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replacement_order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("replacement order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The free reship order (exchange, reissue) that fulfillment ships like any order."),
    )
    reject_reason = models.CharField(_("reject reason"), max_length=300, blank=True)
    stopped_parcel = models.BooleanField(
        _("parcel stopped"), default=False, help_text=_("The order was held before shipment for this case.")
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    inspected_at = models.DateTimeField(_("inspected"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(compensation_total=F("supplier_share") + F("platform_share")),
                name="aftersales_compensation_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(supplier_share__gte=0, platform_share__gte=0), name="aftersales_shares_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(compensation_applies=True) | Q(compensation_total=0),
                name="aftersales_no_compensation_no_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="aftersales_case_queue_idx"),
            models.Index(fields=["handler", "status"], name="aftersales_case_handler_idx"),
            models.Index(fields=["order", "status"], name="aftersales_case_order_idx"),
        ]
        permissions = [
            ("work_case", _("Can approve, reject, send replacements for and close after-sales cases")),
            ("receive_return", _("Can receive customer returns")),
            ("inspect_return", _("Can inspect customer returns")),
            ("export_case", _("Can export after-sales cases")),
        ]
        verbose_name = _("after-sales case")
        verbose_name_plural = _("after-sales cases")

    def __str__(self) -> str:
        return self.number or f"AS#{self.pk}"

    @property
    def is_return_type(self) -> bool:
        return self.case_type in RETURN_TYPES

    # --- transitions: called only from aftersales.services through oms.audit.run_transition -------

    @logged
    @transition(field=status, source=CS.REQUESTED, target=CS.APPROVED, permission="aftersales.work_case")
    def approve(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=CS.REQUESTED, target=CS.REJECTED, permission="aftersales.work_case")
    def reject(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=CS.APPROVED,
        target=CS.AWAITING_RETURN,
        permission="aftersales.work_case",
        conditions=[_is_return_type],
    )
    def await_return(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status, source=CS.AWAITING_RETURN, target=CS.RECEIVED, permission="aftersales.receive_return"
    )
    def receive(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=CS.RECEIVED, target=CS.INSPECTED, permission="aftersales.inspect_return")
    def inspect(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=CS.APPROVED,
        target=CS.REFUNDED,
        permission="aftersales.add_refund",
        conditions=[_refund_after_approval],
    )
    def refund_without_return(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=CS.INSPECTED,
        target=CS.REFUNDED,
        permission="aftersales.add_refund",
        conditions=[_refund_after_inspection],
    )
    def refund(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=[CS.APPROVED, CS.INSPECTED],
        target=CS.REPLACEMENT_SENT,
        permission="aftersales.work_case",
        conditions=[_replacement_now],
    )
    def send_replacement(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=CS.APPROVED,
        target=CS.COMPENSATED,
        permission="aftersales.add_refund",
        conditions=[lambda c: c.case_type == CaseType.COMPENSATION],
    )
    def compensate(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=[CS.REFUNDED, CS.REPLACEMENT_SENT, CS.COMPENSATED],
        target=CS.CLOSED,
        permission="aftersales.work_case",
    )
    def close(self, by=None, description=None):
        pass


class CaseLine(models.Model):
    """One order line in a case: how many units, what they are exchanged for, what inspection found."""

    case = models.ForeignKey(
        AftersalesCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        related_name="aftersales_lines",
    )
    sku = models.ForeignKey(
        "inventory.SKU", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    # What these units are worth after their share of the order's discount, coupons and points (the amount a
    # refund gives back); empty on cases registered before lines carried their share.
    net_value = models.DecimalField(_("net value"), null=True, blank=True, **MONEY)
    replacement_sku = models.ForeignKey(
        "inventory.SKU",
        verbose_name=_("replacement SKU"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Exchange for another SKU; empty: the same SKU."),
    )
    condition = models.CharField(
        pgettext_lazy("goods condition", "condition"),
        max_length=12,
        choices=Condition.choices,
        default=Condition.PENDING,
    )

    class Meta:
        ordering = ["case", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="aftersales_line_quantity_gt_0"),
            models.UniqueConstraint(fields=["case", "order_line"], name="aftersales_line_once_per_case"),
        ]
        verbose_name = _("case line")
        verbose_name_plural = _("case lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku.code}"

    @property
    def value(self) -> Decimal:
        """What the units are worth to the customer: their net value after the order's deductions."""
        if self.net_value is not None:
            return self.net_value
        return (self.unit_price * self.quantity).quantize(Decimal("0.01"))


def photo_path(instance: CasePhoto, filename: str) -> str:
    today = timezone.localdate()
    return f"aftersales/{today:%Y/%m}/{filename}"


class CasePhoto(models.Model):
    case = models.ForeignKey(
        AftersalesCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=photo_path)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")

    def __str__(self) -> str:
        return self.image.name
