"""Choices of the orders app (statuses, kinds, methods), with badge colours for the screens."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PAID = "paid", _("Paid")
    ON_REVIEW = "on_review", _("On review")
    FINANCE_REVIEW = "finance_review", _("Finance review")
    APPROVED = "approved", _("Approved")
    BACKORDERED = "backordered", _("Backordered")
    ALLOCATED = "allocated", _("Allocated")
    IN_FULFILLMENT = "in_fulfillment", _("In fulfillment")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    ON_HOLD = "on_hold", _("On hold")
    CANCELLED = "cancelled", _("Cancelled")


S = OrderStatus
# "Any state before shipped": an order in one of these may be held or cancelled.
BEFORE_SHIPPED = [
    S.PENDING_PAYMENT,
    S.PAID,
    S.ON_REVIEW,
    S.FINANCE_REVIEW,
    S.APPROVED,
    S.BACKORDERED,
    S.ALLOCATED,
    S.IN_FULFILLMENT,
]
OPEN_STATUSES = [*BEFORE_SHIPPED, S.ON_HOLD, S.PARTIALLY_SHIPPED]
REVIEW_STATUSES = [S.ON_REVIEW, S.FINANCE_REVIEW]

BADGE_COLOURS = {
    S.PENDING_PAYMENT: "secondary",
    S.PAID: "info",
    S.ON_REVIEW: "warning",
    S.FINANCE_REVIEW: "warning",
    S.APPROVED: "primary",
    S.BACKORDERED: "danger",
    S.ALLOCATED: "primary",
    S.IN_FULFILLMENT: "primary",
    S.PARTIALLY_SHIPPED: "info",
    S.SHIPPED: "success",
    S.DELIVERED: "success",
    S.COMPLETED: "success",
    S.ON_HOLD: "dark",
    S.CANCELLED: "secondary",
}


class ChannelKind(models.TextChoices):
    MARKETPLACE = "marketplace", _("Marketplace")
    OWN_SHOP = "own_shop", _("Own shop")
    PHONE = "phone", _("Phone")


class CustomerTier(models.TextChoices):
    NORMAL = "normal", _("Normal")
    VIP = "vip", _("VIP")


class OrderSource(models.TextChoices):
    API = "api", _("API")
    IMPORT = "import", _("Import")
    MANUAL = "manual", _("Manual entry")
    RESHIP = "reship", _("Reship")
    SPLIT = "split", _("Split")


class PaymentMethod(models.TextChoices):
    ALIPAY = "alipay", _("Alipay")
    WECHAT = "wechat", _("WeChat Pay")
    CARD = "card", _("Bank card")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    COD = "cod", _("Cash on delivery")
    NONE = "none", _("No charge")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("payment status", "Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")
    REFUNDED = "refunded", _("Refunded")


class RefundKind(models.TextChoices):
    CANCELLATION = "cancellation", _("Order cancelled")
    EDIT = "edit", _("Order edited: lower total")


# The money of a payment in one of these was received (part or all of it may have been paid back since).
RECEIVED_PAYMENT_STATUSES = [PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED]
PAYMENT_BADGES = {
    PaymentStatus.PENDING: "secondary",
    PaymentStatus.PAID: "success",
    PaymentStatus.FAILED: "danger",
    PaymentStatus.PARTIALLY_REFUNDED: "warning",
    PaymentStatus.REFUNDED: "dark",
}


class RefundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class RuleKind(models.TextChoices):
    PRIORITY = "priority", _("Priority")
    RISK = "risk", _("Risk")
    REVIEW = "review", _("Manual review")
    FINANCE_REVIEW = "finance_review", _("Finance review")


class RuleCondition(models.TextChoices):
    URGENT = "urgent", _("Order flagged urgent")
    VIP = "vip", _("VIP customer")
    PROMOTION = "promotion", _("Promotion order (value: promotion name, empty for any)")
    AMOUNT_GTE = "amount_gte", _("Order total at least the threshold")
    SLA_LATE = "sla_late", _("Waiting longer than the channel's SLA")
    NEW_CUSTOMER_AMOUNT_GTE = "new_customer_amount_gte", _("New customer with a total at least the threshold")
    SAME_ADDRESS_ORDERS_GTE = (
        "same_address_orders_gte",
        _("At least threshold orders to the same address within window hours"),
    )
    SAME_PHONE_ORDERS_GTE = (
        "same_phone_orders_gte",
        _("At least threshold orders from the same phone within window hours"),
    )
    BLACKLISTED = "blacklisted", _("Blacklisted customer, phone or address")
    COD_AMOUNT_GTE = "cod_amount_gte", _("Cash on delivery with a total at least the threshold")
    BUYER_REMARK = "buyer_remark", _("Buyer left a remark")
    VAGUE_ADDRESS = "vague_address", _("Vague address (short street line without a number)")
    RISK_SCORE_GTE = "risk_score_gte", _("Risk score at least the threshold")


class ContactChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone call")
    WEBHOOK = "webhook", _("Webhook (the customer's system)")


class InvoiceType(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary VAT invoice")
    SPECIAL = "special", _("Special VAT invoice")


class InvoiceStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("invoice status", "Requested")
    ISSUED = "issued", _("Issued")
    SENT = "sent", _("Sent")
    RED_LETTER_NEEDED = "red_letter_needed", _("Red-letter invoice needed")
    VOIDED = "voided", _("Voided")


# An invoice in one of these blocks a second one for the same order (one live invoice per order).
LIVE_INVOICE_STATUSES = [
    InvoiceStatus.REQUESTED,
    InvoiceStatus.ISSUED,
    InvoiceStatus.SENT,
    InvoiceStatus.RED_LETTER_NEEDED,
]
INVOICE_BADGES = {
    InvoiceStatus.REQUESTED: "warning",
    InvoiceStatus.ISSUED: "primary",
    InvoiceStatus.SENT: "success",
    InvoiceStatus.RED_LETTER_NEEDED: "danger",
    InvoiceStatus.VOIDED: "secondary",
}
# Orders that may be invoiced: the goods reached the customer.
INVOICEABLE_ORDER_STATUSES = [OrderStatus.DELIVERED, OrderStatus.COMPLETED]


# What each transition is called on screens (oms.audit.transition_label; the audit log keeps the method name).
ORDER_TRANSITION_LABELS = {
    "pay": _("Paid"),
    "auto_approve": _("Approved automatically"),
    "send_to_review": _("Sent to review"),
    "approve": _("Approved"),
    "send_to_finance": _("Sent to finance review"),
    "reject": _("Rejected"),
    "finance_approve": _("Approved by finance"),
    "finance_reject": _("Rejected by finance"),
    "allocate": _("Allocated"),
    "backorder": _("Backordered"),
    "deallocate": _("Allocation undone"),
    "release_to_floor": _("Released to the warehouse"),
    "ship_partially": _("Partly shipped"),
    "ship": _("Shipped"),
    "deliver": _("Delivered"),
    "complete": _("Completed"),
    "cancel": _("Cancelled"),
    "hold": _("Put on hold"),
    "resume": _("Resumed"),
    # Change-log actions of the money (orders.services.payments).
    "payment": _("Payment"),
    "refund": _("Refund"),
    # Not transitions: change-log actions shown on the order's timeline.
    "tag": _("Tagged"),
    # change-log actions of edits, splits and merges (orders.services.editing / split_merge)
    "edit": _("Edited"),
    "split": _("Split"),
    "merge": _("Merged"),
    "intercept": _("Intercepted"),
    "reallocate": _("Stock reserved again"),
    "refund_owed": _("Refund owed"),
}
# What the fields of an order's change log are called on its timeline (oms.audit.timeline_for).
ORDER_FIELD_LABELS = {
    "subtotal": _("Subtotal"),
    "shipping_fee": _("Shipping fee"),
    "discount": _("Discount"),
    "total": _("Total"),
    "ship_to": _("Ship to"),
    "recipient": _("Recipient"),
    "line_summary": _("Lines"),
}
INVOICE_TRANSITION_LABELS = {
    "issue": _("Issued"),
    "send": _("Sent"),
    "flag_red_letter": _("Red-letter invoice needed"),
    "void": _("Voided"),
}


# Orders still to leave the warehouse: late once paid_at + the channel's SLA has passed.
SLA_STATUSES = [
    OrderStatus.PAID,
    OrderStatus.ON_REVIEW,
    OrderStatus.FINANCE_REVIEW,
    OrderStatus.APPROVED,
    OrderStatus.BACKORDERED,
    OrderStatus.ALLOCATED,
    OrderStatus.IN_FULFILLMENT,
]
