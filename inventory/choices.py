"""Choices of the inventory app, with badge colours for the screens."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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


BADGE_COLOURS = {
    ReservationStatus.ACTIVE: "primary",
    ReservationStatus.RELEASED: "secondary",
    ReservationStatus.CONSUMED: "success",
    AlertStatus.OPEN: "danger",
    AlertStatus.CLOSED: "secondary",
}
