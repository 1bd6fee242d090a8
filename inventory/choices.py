"""Choices of the inventory app, with badge colours for the screens."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LocationKind(models.TextChoices):
    PICK = "pick", _("Pick bin")
    RECEIVING = "receiving", _("Receiving")
    DAMAGED = "damaged", _("Damaged")


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    SHIPMENT = "shipment", _("Shipment")
    ADJUSTMENT = "adjustment", _("Adjustment")
    COUNT = "count", _("Cycle count")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    RETURN_RESTOCK = "return_restock", _("Return restocked")
    RETURN_DAMAGED = "return_damaged", _("Return to damaged")


class StockBucket(models.TextChoices):
    SELLABLE = "sellable", _("Sellable")
    DAMAGED = "damaged", _("Damaged")


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")
    CONSUMED = "consumed", _("Consumed")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", pgettext_lazy("purchase order status", "Sent")
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    RECEIVED = "received", _("Received")
    CLOSED = "closed", pgettext_lazy("purchase order status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("purchase order status", "Cancelled")


# Sent to the supplier and not finished: what is still to come counts as "on order".
PO_OPEN_STATUSES = (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTIALLY_RECEIVED)

PO_TRANSITION_LABELS = {
    "send": _("Send to supplier"),
    "receive_part": _("Received in part"),
    "receive_all": _("Received in full"),
    "close": _("Close (no more expected)"),
    "cancel": _("Cancel"),
}


class StockCountStatus(models.TextChoices):
    COUNTING = "counting", _("Counting")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    CANCELLED = "cancelled", pgettext_lazy("stock count status", "Cancelled")


COUNT_TRANSITION_LABELS = {
    "submit": _("Submit for approval"),
    "reopen": _("Count again"),
    "approve": _("Approve and adjust stock"),
    "cancel": _("Cancel"),
}


class TransferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHIPPED = "shipped", pgettext_lazy("transfer status", "In transit")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", pgettext_lazy("transfer status", "Cancelled")


TRANSFER_TRANSITION_LABELS = {
    "ship": _("Ship"),
    "receive": _("Receive"),
    "cancel": _("Cancel"),
}


BADGE_COLOURS = {
    ReservationStatus.ACTIVE: "primary",
    ReservationStatus.RELEASED: "secondary",
    ReservationStatus.CONSUMED: "success",
    AlertStatus.OPEN: "danger",
    AlertStatus.CLOSED: "secondary",
}
# Purchase orders, counts and transfers (their values overlap: "draft", "received", "cancelled" mean alike).
STATUS_BADGES = {
    PurchaseOrderStatus.DRAFT: "secondary",
    PurchaseOrderStatus.SENT: "primary",
    PurchaseOrderStatus.PARTIALLY_RECEIVED: "warning",
    PurchaseOrderStatus.RECEIVED: "success",
    PurchaseOrderStatus.CLOSED: "dark",
    PurchaseOrderStatus.CANCELLED: "light",
    StockCountStatus.COUNTING: "primary",
    StockCountStatus.SUBMITTED: "warning",
    StockCountStatus.APPROVED: "success",
    TransferStatus.SHIPPED: "info",
}
