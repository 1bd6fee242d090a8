"""Choices of the reconciliation app: item kinds and states, statement states, bill differences, resolutions."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ItemKind(models.TextChoices):
    DROP_SHIP = "drop_ship", _("Drop-ship shipment")
    RECEIPT = "receipt", _("Goods received")
    AFTERSALES = "aftersales", _("After-sales charge")
    ADJUSTMENT = "adjustment", _("Adjustment")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_STATEMENT = "in_statement", _("On a statement")
    RECONCILED = "reconciled", _("Reconciled")


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SETTLED = "settled", _("Settled")


# A statement in one of these states still holds its items (they cannot go on another statement).
EDITABLE = [StatementStatus.DRAFT]

BADGE_COLOURS = {
    StatementStatus.DRAFT: "secondary",
    StatementStatus.SUBMITTED: "warning",
    StatementStatus.APPROVED: "success",
    StatementStatus.REJECTED: "danger",
    StatementStatus.SETTLED: "dark",
}


class BillStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    MATCHING = "matching", _("Matching")
    INVALID = "invalid", _("Has bad rows")
    MATCHED = "matched", _("Matched")
    FAILED = "failed", _("Failed")


class MatchKind(models.TextChoices):
    MATCHED = "matched", _("Matched")
    AMOUNT = "amount", _("Amount differs")
    QUANTITY = "quantity", _("Quantity differs")
    THEIRS_ONLY = "theirs_only", _("Only on their bill")
    OURS_ONLY = "ours_only", _("Only on our side")


DIFFERENCES = [MatchKind.AMOUNT, MatchKind.QUANTITY, MatchKind.THEIRS_ONLY, MatchKind.OURS_ONLY]


class Resolution(models.TextChoices):
    UNRESOLVED = "", _("Unresolved")
    ACCEPT_THEIRS = "accept_theirs", _("Accept theirs")
    ACCEPT_OURS = "accept_ours", _("Accept ours")
    ADJUSTMENT = "adjustment", _("Adjustment line")


# What each transition and logged change of a statement is called on screens (oms.audit.transition_label).
STATEMENT_TRANSITION_LABELS = {
    "submit": pgettext_lazy("statement timeline", "Submit"),
    "approve": pgettext_lazy("statement timeline", "Approve"),
    "reject": pgettext_lazy("statement timeline", "Reject"),
    "reopen": pgettext_lazy("statement timeline", "Reopen as draft"),
    "settle": pgettext_lazy("statement timeline", "Settle"),
    "create": pgettext_lazy("statement timeline", "Created"),
    "bill matched": pgettext_lazy("statement timeline", "Supplier's bill matched"),
    "difference resolved": pgettext_lazy("statement timeline", "Difference resolved"),
    "items released": pgettext_lazy("statement timeline", "Items freed"),
}
