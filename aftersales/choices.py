"""Choices of the aftersales app (case types and statuses, inspection results, refund and charge states)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseType(models.TextChoices):
    REFUND_ONLY = "refund_only", _("Refund only")
    RETURN_REFUND = "return_refund", _("Return and refund")
    EXCHANGE = "exchange", _("Exchange")
    REISSUE = "reissue", _("Reissue")
    COMPENSATION = "compensation", _("Compensation")


# Types whose goods come back to a warehouse before the case can go on.
RETURN_TYPES = [CaseType.RETURN_REFUND, CaseType.EXCHANGE]
# Types that send goods out again (a new shipment).
REPLACEMENT_TYPES = [CaseType.EXCHANGE, CaseType.REISSUE]
# Types whose lines use up the units of an order line (a unit cannot be refunded or returned twice).
CLAIMING_TYPES = [CaseType.REFUND_ONLY, CaseType.RETURN_REFUND, CaseType.EXCHANGE]
# Types that need the goods to have been shipped (quantities up to the shipped quantity).
SHIPPED_TYPES = [CaseType.RETURN_REFUND, CaseType.EXCHANGE, CaseType.REISSUE]


class CaseStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    AWAITING_RETURN = "awaiting_return", _("Awaiting return")
    RECEIVED = "received", _("Received")
    INSPECTED = "inspected", _("Inspected")
    REFUNDED = "refunded", _("Refunded")
    REPLACEMENT_SENT = "replacement_sent", _("Replacement sent")
    COMPENSATED = "compensated", _("Compensated")
    CLOSED = "closed", _("Closed")


CS = CaseStatus
OPEN_STATUSES = [
    CS.REQUESTED,
    CS.APPROVED,
    CS.AWAITING_RETURN,
    CS.RECEIVED,
    CS.INSPECTED,
    CS.REFUNDED,
    CS.REPLACEMENT_SENT,
    CS.COMPENSATED,
]
DONE_STATUSES = [CS.REJECTED, CS.CLOSED]

BADGE_COLOURS = {
    CS.REQUESTED: "warning",
    CS.APPROVED: "primary",
    CS.REJECTED: "secondary",
    CS.AWAITING_RETURN: "info",
    CS.RECEIVED: "info",
    CS.INSPECTED: "primary",
    CS.REFUNDED: "success",
    CS.REPLACEMENT_SENT: "success",
    CS.COMPENSATED: "success",
    CS.CLOSED: "dark",
}


class Condition(models.TextChoices):
    PENDING = "pending", _("Not inspected")
    RESELLABLE = "resellable", _("Resellable")
    DAMAGED = "damaged", _("Damaged")


class RefundKind(models.TextChoices):
    REFUND = "refund", _("Refund")
    COMPENSATION = "compensation", _("Compensation")


class RefundStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


REFUND_BADGES = {
    RefundStatus.AWAITING_APPROVAL: "warning",
    RefundStatus.COMPLETED: "success",
    RefundStatus.REJECTED: "secondary",
}


class ReconciliationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_STATEMENT = "in_statement", _("On a statement")
    RECONCILED = "reconciled", _("Reconciled")


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    INQUIRY = "inquiry", _("Inquiry")


class ComplaintCategory(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    PRODUCT = "product", _("Product quality")
    SERVICE = "service", _("Customer service")
    BILLING = "billing", _("Payment and invoice")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class SurveyContext(models.TextChoices):
    DELIVERY = "delivery", _("After delivery")
    CASE = "case", _("After an after-sales case")


# What each transition is called on screens (oms.audit.transition_label; the audit log keeps the method name).
TRANSITION_LABELS = {
    "approve": _("Approved"),
    "reject": _("Rejected"),
    "await_return": _("Waiting for the return"),
    "receive": _("Return received"),
    "inspect": _("Return inspected"),
    "refund_without_return": _("Refunded"),
    "refund": _("Refunded"),
    "send_replacement": _("Replacement sent"),
    "compensate": _("Compensated"),
    "close": _("Closed"),
    # Not transitions: change-log actions on the case's timeline.
    "create": _("Registered"),
    "refund_recorded": _("Refund recorded"),
}

REFUND_TRANSITION_LABELS = {
    "approve": _("Refund approved"),
    "reject": _("Refund rejected"),
}
