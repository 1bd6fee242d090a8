"""Choices of the fulfillment app (statuses, kinds, scan results), with badge colours for the screens."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ShipmentStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved (supplier notified)")
    PENDING = "pending", pgettext_lazy("shipment status", "Pending")
    PICKING = "picking", _("Picking")
    PACKED = "packed", _("Packed")
    REVIEW = "review", _("Weight review")
    SHIPPED = "shipped", _("Shipped")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")
    CANCELLED = "cancelled", _("Cancelled")


S = ShipmentStatus
BEFORE_SHIPPED = [S.AWAITING_APPROVAL, S.APPROVED, S.PENDING, S.PICKING, S.PACKED, S.REVIEW]
IN_WAREHOUSE = [S.PENDING, S.PICKING, S.PACKED, S.REVIEW]

BADGE_COLOURS = {
    S.AWAITING_APPROVAL: "warning",
    S.APPROVED: "info",
    S.PENDING: "secondary",
    S.PICKING: "primary",
    S.PACKED: "primary",
    S.REVIEW: "warning",
    S.SHIPPED: "success",
    S.IN_TRANSIT: "info",
    S.DELIVERED: "success",
    S.EXCEPTION: "danger",
    S.CANCELLED: "dark",
}


class CarrierKind(models.TextChoices):
    STANDARD = "standard", _("Standard")
    EXPRESS = "express", _("Express")
    FREIGHT = "freight", _("Freight")


class AdapterKind(models.TextChoices):
    MANUAL = "manual", _("Manual (tracking number typed)")
    HTTP = "http", _("HTTP API")
    WAYBILL = "waybill", _("Electronic waybill account (电子面单)")


class WaybillApi(models.TextChoices):
    """The published API an account talks to (each signs its requests as its documentation says)."""

    SF = "sf", _("SF Express (顺丰丰桥)")
    ZTO = "zto", _("ZTO (中通开放平台)")
    YTO = "yto", _("YTO (圆通开放平台)")
    YUNDA = "yunda", _("Yunda (韵达开放平台)")
    JD = "jd", _("JD Logistics (京东物流)")
    KDNIAO = "kdniao", _("Kdniao cloud print (快递鸟)")
    CAINIAO = "cainiao", _("Cainiao (菜鸟电子面单)")
    POOL = "pool", _("Number range from the carrier (号段)")


class WaybillStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled at the carrier")
    CANCEL_FAILED = "cancel_failed", _("Cancel refused by the carrier")


class PoolNumberStatus(models.TextChoices):
    FREE = "free", _("Free")
    USED = "used", _("Used")
    VOID = "void", _("Void")


class LabelSize(models.TextChoices):
    L100X180 = "100x180", _("100 × 180 mm")
    L76X130 = "76x130", _("76 × 130 mm")


class WebhookAuth(models.TextChoices):
    HMAC = "hmac", _("HMAC-SHA256 signature header")
    TOKEN = "token", _("Shared token header")


class RuleCondition(models.TextChoices):
    URGENT = "urgent", _("Urgent order")
    WEIGHT_GTE = "weight_gte", _("Parcel weight at least threshold (g)")
    VOLUME_GTE = "volume_gte", _("Parcel volume at least threshold (cm³)")
    BULKY = "bulky", _("Parcel holds a bulky SKU")
    PROVINCE_IN = "province_in", _("Destination province in the list")


class WaveStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RELEASED = "released", _("Released to the floor")
    DONE = "done", _("Done")


class ScanResult(models.TextChoices):
    OK = "ok", _("OK")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    EXTRA_UNIT = "extra_unit", _("Extra unit")
    INTERCEPTED = "intercepted", _("Intercepted (截停)")
    UNKNOWN_PARCEL = "unknown_parcel", _("Unknown parcel")


class TrackingKind(models.TextChoices):
    INFO = "info", _("In transit")
    PICKED_UP = "picked_up", _("Picked up")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")


# What each transition is called on screens (oms.audit.transition_label; the audit log keeps the method name).
TRANSITION_LABELS = {
    "approve": _("Drop-ship approved"),
    "start_picking": _("Picking started"),
    "pack": _("Packed"),
    "hold_for_review": _("Sent to weight review"),
    "ship": _("Shipped"),
    "ship_by_supplier": _("Shipped by the supplier"),
    "move": _("Tracking: in transit"),
    "deliver": _("Delivered"),
    "fail": _("Carrier exception"),
    "cancel": _("Cancelled"),
    "waybill_issued": _("Waybill issued"),
    "waybill_reprinted": _("Waybill reprinted"),
    "waybill_cancelled": _("Waybill voided"),
}
