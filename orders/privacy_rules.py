"""Who may see the orders app's personal data in full: whoever may open the page that shows the record."""

from __future__ import annotations

from oms.privacy import register_reveal_rule


def _customer(user, customer) -> bool:
    return user.has_perm("orders.view_customer")


def _address(user, address) -> bool:
    """An address shows on its customer's page and on the pages of the orders shipped to it."""
    if user.has_perm("orders.view_customer"):
        return True
    from orders.models import Order

    return user.has_perm("orders.view_order") and Order.objects.filter(shipping_address=address).exists()


def _invoice(user, invoice) -> bool:
    return user.has_perm("orders.view_invoice")


def register() -> None:
    register_reveal_rule("orders.customer", _customer)
    register_reveal_rule("orders.address", _address)
    register_reveal_rule("orders.invoice", _invoice)
