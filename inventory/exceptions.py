"""Domain errors of the inventory app, each with a message a warehouse user can act on."""

from __future__ import annotations

from django.utils.translation import gettext as _

from oms.exceptions import DomainError


class InventoryError(DomainError):
    """Base of every refused inventory action."""


class InvalidQuantity(InventoryError):
    def __init__(self, quantity, *, what: str = "") -> None:
        super().__init__(
            _("Quantity must be a whole number above zero (got %(quantity)s).") % {"quantity": quantity},
            field_errors={"quantity": [_("Enter a whole number above zero.")]},
        )
        self.quantity = quantity


class InsufficientStock(InventoryError):
    """Fewer units available (on hand minus reserved) than asked."""

    def __init__(self, *, sku_code: str, warehouse_code: str, available: int, asked: int) -> None:
        super().__init__(
            _("Only %(available)s of %(sku)s available in %(warehouse)s (%(asked)s asked).")
            % {"available": available, "sku": sku_code, "warehouse": warehouse_code, "asked": asked},
            field_errors={"quantity": [_("At most %(available)s.") % {"available": available}]},
        )
        self.sku_code = sku_code
        self.warehouse_code = warehouse_code
        self.available = available
        self.asked = asked


class StockBelowReserved(InventoryError):
    """A change would leave fewer units on hand than are already promised to orders."""

    def __init__(self, *, sku_code: str, warehouse_code: str, on_hand_after: int, reserved: int) -> None:
        super().__init__(
            _(
                "%(sku)s in %(warehouse)s would have %(after)s on hand but %(reserved)s are reserved for "
                "orders. Release or reallocate those orders first, then try again."
            )
            % {"sku": sku_code, "warehouse": warehouse_code, "after": on_hand_after, "reserved": reserved},
            field_errors={
                "quantity": [_("%(reserved)s units are reserved for orders.") % {"reserved": reserved}]
            },
        )


class ReasonRequired(InventoryError):
    def __init__(self) -> None:
        super().__init__(
            _("Say why the stock changes (e.g. broken in the warehouse, found during picking)."),
            field_errors={"reason": [_("This field is required.")]},
        )


class UnknownSKU(InventoryError):
    def __init__(self, code: str) -> None:
        super().__init__(
            _("No SKU with code or barcode %(code)s. Check the label or create the SKU first.")
            % {"code": code},
            field_errors={"sku": [_("Unknown SKU or barcode.")]},
        )


class InactiveWarehouse(InventoryError):
    def __init__(self, code: str) -> None:
        super().__init__(
            _("Warehouse %(code)s is not active. Choose an active warehouse.") % {"code": code},
            field_errors={"warehouse": [_("Inactive warehouse.")]},
        )


class SameWarehouse(InventoryError):
    def __init__(self) -> None:
        super().__init__(
            _("Choose two different warehouses for a transfer."),
            field_errors={"to_warehouse": [_("Must differ from the source warehouse.")]},
        )


class NoActiveReservation(InventoryError):
    def __init__(self, demand_ref: str) -> None:
        super().__init__(
            _("Nothing is reserved for %(ref)s (already shipped or released). Allocate it again first.")
            % {"ref": demand_ref}
        )


class PurchasingError(InventoryError):
    """A refused purchase order, receipt, count or transfer step; the message says what to do."""


class NotOnPurchaseOrder(PurchasingError):
    def __init__(self, *, code: str, number: str) -> None:
        super().__init__(
            _("%(code)s is not on purchase order %(number)s. Put it aside and tell purchasing.")
            % {"code": code, "number": number},
            field_errors={"code": [_("Not on this purchase order.")]},
        )


class OverReceipt(PurchasingError):
    def __init__(self, *, sku_code: str, ordered: int, received: int, asked: int, limit: int) -> None:
        super().__init__(
            _(
                "%(sku)s: %(ordered)s ordered, %(received)s already received; %(asked)s more would exceed "
                "the %(limit)s allowed. Refuse the extra units or ask purchasing."
            )
            % {"sku": sku_code, "ordered": ordered, "received": received, "asked": asked, "limit": limit},
            field_errors={"quantity": [_("At most %(n)s more.") % {"n": max(limit - received, 0)}]},
        )


class UnknownCode(PurchasingError):
    def __init__(self, code: str) -> None:
        super().__init__(
            _("No SKU with code or barcode “%(code)s”. Check the label.") % {"code": code},
            field_errors={"code": [_("Unknown code.")]},
        )


class NotDraft(PurchasingError):
    def __init__(self, number: str) -> None:
        super().__init__(_("%(number)s is no longer a draft: its lines cannot change.") % {"number": number})


class CountAlreadyOpen(PurchasingError):
    def __init__(self, number: str) -> None:
        super().__init__(
            _("Count %(number)s of the same warehouse and zone is still open: finish or cancel it first.")
            % {"number": number}
        )


class LinesInvalid(PurchasingError):
    """Rows of a purchase order or transfer that cannot be taken, each with its problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            _("Nothing was saved: %(problems)s") % {"problems": " ".join(problems)},
            field_errors={"lines": problems},
        )
        self.problems = problems
