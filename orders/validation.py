"""Validation of an incoming order (API, import, manual form, reship): one message per field path.

``validate_order_data`` returns the cleaned order or the errors as ``{"lines[1].sku": ["Unknown SKU SKU-999"]}``;
it never writes. Field paths follow the JSON body of the intake API (DESIGN.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from inventory.models import SKU
from inventory.selectors_supply import skus_by_code
from orders.choices import PaymentMethod, PaymentStatus

MAX_LINES = 200
CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")
INTERNATIONAL = re.compile(r"^\+\d{6,15}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CENT = Decimal("0.01")
MAX_MONEY = Decimal("9999999999.99")
# Optional deductions besides the discount (new in the intake contract; absent means 0.00).
DEDUCTION_FIELDS = ("coupon_amount", "platform_coupon_amount", "points_amount")


@dataclass
class CleanLine:
    sku: SKU
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)


@dataclass
class CleanOrder:
    external_id: str
    placed_at: datetime
    customer: dict
    address: dict
    lines: list[CleanLine]
    shipping_fee: Decimal
    discount: Decimal
    payment: dict
    is_urgent: bool
    promotion: str
    note: str
    # Optional in the intake contract: the shop coupon, the platform's coupon and the points paid with.
    coupon_amount: Decimal = Decimal("0.00")
    platform_coupon_amount: Decimal = Decimal("0.00")
    points_amount: Decimal = Decimal("0.00")

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    @property
    def deductions(self) -> Decimal:
        """Everything taken off the goods: the discount, the coupons and the points (the order's discount)."""
        return self.discount + self.coupon_amount + self.platform_coupon_amount + self.points_amount

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping_fee - self.deductions


@dataclass
class Errors:
    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, message: str) -> None:
        self.by_field.setdefault(path, []).append(str(message))

    def __bool__(self) -> bool:
        return bool(self.by_field)


def normalize_phone(value) -> str:
    return re.sub(r"[\s\-()]", "", str(value or ""))


def is_valid_phone(phone: str) -> bool:
    return bool(CN_MOBILE.match(phone) or INTERNATIONAL.match(phone))


def _text(data: dict, key: str, path: str, errors: Errors, *, required: bool, max_length: int) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(path, _("This field is required."))
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        errors.add(path, _("Enter text."))
        return ""
    value = str(value).strip()
    if len(value) > max_length:
        errors.add(path, _("At most %(n)s characters.") % {"n": max_length})
        return ""
    if "\x00" in value:
        errors.add(path, _("Enter text without control characters."))
        return ""
    return value


def _money(value, path: str, errors: Errors, *, required: bool = False, default: str = "0.00") -> Decimal:
    if value is None or value == "":
        if required:
            errors.add(path, _("This field is required."))
            return Decimal("0.00")
        return Decimal(default)
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        errors.add(path, _("Enter an amount, e.g. 59.90."))
        return Decimal("0.00")
    try:
        # A JSON number arrives as float; str() gives the shortest exact form (59.9 -> "59.9"), never binary noise.
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add(path, _("Enter an amount, e.g. 59.90."))
        return Decimal("0.00")
    if not amount.is_finite():
        errors.add(path, _("Enter an amount, e.g. 59.90."))
        return Decimal("0.00")
    if amount > MAX_MONEY or amount < -MAX_MONEY:
        errors.add(path, _("Amount too large."))
        return Decimal("0.00")
    if amount != amount.quantize(CENT):
        errors.add(path, _("Use at most 2 decimals."))
        return Decimal("0.00")
    if amount < 0:
        errors.add(path, _("Must not be negative."))
        return Decimal("0.00")
    return amount.quantize(CENT)


def _dict(data, key: str, path: str, errors: Errors, *, required: bool = True) -> dict:
    value = data.get(key)
    if value is None:
        if required:
            errors.add(path, _("This field is required."))
        return {}
    if not isinstance(value, dict):
        errors.add(path, _("Expected an object."))
        return {}
    return value


def _phone(data: dict, key: str, path: str, errors: Errors, *, required: bool = True) -> str:
    raw = _text(data, key, path, errors, required=required, max_length=32)
    if not raw:
        return ""
    phone = normalize_phone(raw)
    if not is_valid_phone(phone):
        errors.add(
            path, _("Enter a mobile number like 13812345678, or an international number like +85291234567.")
        )
        return ""
    return phone


def _quantity(value, path: str, errors: Errors) -> int:
    if value is None or value == "":
        errors.add(path, _("This field is required."))
        return 0
    if isinstance(value, bool):
        errors.add(path, _("Enter a whole number above zero."))
        return 0
    try:
        quantity = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        errors.add(path, _("Enter a whole number above zero."))
        return 0
    if quantity <= 0:
        errors.add(path, _("Enter a whole number above zero."))
        return 0
    if quantity > 100000:
        errors.add(path, _("At most 100000."))
        return 0
    return quantity


def sku_lookup(codes) -> dict[str, SKU]:
    # Only codes that could exist: the batch looks up raw input before each order is validated, and
    # PostgreSQL refuses NUL bytes in text outright.
    codes = {
        c.strip() for c in codes if isinstance(c, str) and c.strip() and "\x00" not in c and len(c) <= 64
    }
    if not codes:
        return {}
    # Each SKU also says which supplier ships it itself (``drop_ship_supplier``, None: our stock), for
    # the allocation that follows the intake.
    return skus_by_code(sorted(codes))


def validate_order_data(
    data, *, skus: dict[str, SKU] | None = None, external_id_required: bool = True
) -> tuple[CleanOrder | None, dict[str, list[str]]]:
    """Check ``data`` (the API's JSON body); return (clean order, {}) or (None, errors by field path)."""
    errors = Errors()
    if not isinstance(data, dict):
        return None, {"non_field_errors": [_("Expected a JSON object with the order.")]}
    # The checks run in the body's order, so that the errors come out in that order too.
    external_id = _text(
        data, "external_id", "external_id", errors, required=external_id_required, max_length=64
    )
    placed_at = _placed_at(data, errors)
    customer = _customer(data, errors)
    address = _address(data, customer, errors)
    lines = _lines(data, skus, errors)
    shipping_fee = _money(data.get("shipping_fee"), "shipping_fee", errors)
    discount = _money(data.get("discount"), "discount", errors)
    coupons = {key: _money(data.get(key), key, errors) for key in DEDUCTION_FIELDS}
    payment = _payment(data, errors)
    urgent, promotion = _flags(data, errors)
    note = _text(data, "note", "note", errors, required=False, max_length=1000)
    if errors:
        return None, errors.by_field
    clean = CleanOrder(
        external_id=external_id,
        placed_at=placed_at,
        customer=customer,
        address=address,
        lines=lines,
        shipping_fee=shipping_fee,
        discount=discount,
        payment=payment,
        is_urgent=urgent,
        promotion=promotion,
        note=note,
        **coupons,
    )
    _check_total(clean, errors)
    if errors:
        return None, errors.by_field
    return clean, {}


def _placed_at(data: dict, errors: Errors) -> datetime:
    """When the order was placed (aware; naive means local time); now when not given."""
    placed_at = timezone.now()
    raw_placed = data.get("placed_at")
    if raw_placed not in (None, ""):
        parsed = None
        if isinstance(raw_placed, str):
            try:
                parsed = parse_datetime(raw_placed.strip())
            except ValueError:
                parsed = None
        if parsed is None:
            errors.add("placed_at", _("Enter a date and time like 2026-11-21T10:00:00+08:00."))
        else:
            placed_at = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    return placed_at


def _customer(data: dict, errors: Errors) -> dict:
    customer_in = _dict(data, "customer", "customer", errors)
    customer = {
        "name": _text(customer_in, "name", "customer.name", errors, required=True, max_length=100),
        "phone": _phone(customer_in, "phone", "customer.phone", errors),
        "email": _text(customer_in, "email", "customer.email", errors, required=False, max_length=254),
    }
    if customer["email"] and not EMAIL.match(customer["email"]):
        errors.add("customer.email", _("Enter a valid e-mail address."))
    return customer


def _address(data: dict, customer: dict, errors: Errors) -> dict:
    """The shipping address; recipient and phone default to the customer's."""
    address_in = _dict(data, "shipping_address", "shipping_address", errors)
    return {
        "name": _text(address_in, "name", "shipping_address.name", errors, required=False, max_length=100)
        or customer["name"],
        "phone": _phone(address_in, "phone", "shipping_address.phone", errors, required=False)
        or customer["phone"],
        "province": _text(
            address_in, "province", "shipping_address.province", errors, required=True, max_length=50
        ),
        "city": _text(address_in, "city", "shipping_address.city", errors, required=True, max_length=50),
        "district": _text(
            address_in, "district", "shipping_address.district", errors, required=True, max_length=50
        ),
        "line1": _text(address_in, "line1", "shipping_address.line1", errors, required=True, max_length=300),
        "postcode": _text(
            address_in, "postcode", "shipping_address.postcode", errors, required=False, max_length=12
        ),
        "country": (
            _text(address_in, "country", "shipping_address.country", errors, required=False, max_length=2)
            or "CN"
        ).upper(),
    }


def _lines(data: dict, skus: dict[str, SKU] | None, errors: Errors) -> list[CleanLine]:
    """The lines of sellable SKUs; ``skus`` (code -> SKU) is looked up here when the caller has none."""
    lines_in = data.get("lines")
    if not isinstance(lines_in, list) or not lines_in:
        errors.add("lines", _("Add at least one line."))
        lines_in = []
    elif len(lines_in) > MAX_LINES:
        errors.add("lines", _("At most %(n)s lines.") % {"n": MAX_LINES})
        lines_in = []
    if skus is None:
        skus = sku_lookup(line.get("sku") for line in lines_in if isinstance(line, dict))
    lines: list[CleanLine] = []
    for i, line in enumerate(lines_in):
        clean_line = _line(line, f"lines[{i}]", skus, errors)
        if clean_line is not None:
            lines.append(clean_line)
    return lines


def _line(line, path: str, skus: dict[str, SKU], errors: Errors) -> CleanLine | None:
    if not isinstance(line, dict):
        errors.add(path, _("Expected an object."))
        return None
    code = _text(line, "sku", f"{path}.sku", errors, required=True, max_length=64)
    sku = skus.get(code) if code else None
    if code and sku is None:
        errors.add(f"{path}.sku", _("Unknown SKU %(code)s") % {"code": code})
    elif sku is not None and not sku.is_sellable:
        errors.add(f"{path}.sku", _("SKU %(code)s is not for sale") % {"code": code})
    quantity = _quantity(line.get("quantity"), f"{path}.quantity", errors)
    unit_price = _money(line.get("unit_price"), f"{path}.unit_price", errors, required=True)
    if sku is not None and sku.is_sellable and quantity:
        return CleanLine(sku=sku, quantity=quantity, unit_price=unit_price)
    return None


def _payment(data: dict, errors: Errors) -> dict:
    """Method, status (pending or paid), amount and transaction id (required once paid, except COD / none)."""
    payment_in = _dict(data, "payment", "payment", errors)
    method = payment_in.get("method")
    if method not in PaymentMethod.values:
        errors.add(
            "payment.method", _("Choose one of: %(choices)s.") % {"choices": ", ".join(PaymentMethod.values)}
        )
    status = payment_in.get("status", PaymentStatus.PENDING)
    if status not in (PaymentStatus.PENDING, PaymentStatus.PAID):
        errors.add("payment.status", _("Choose pending or paid."))
    amount = _money(payment_in.get("amount"), "payment.amount", errors, required=bool(payment_in))
    transaction_id = _text(
        payment_in, "transaction_id", "payment.transaction_id", errors, required=False, max_length=100
    )
    if (
        status == PaymentStatus.PAID
        and method not in (PaymentMethod.COD, PaymentMethod.NONE)
        and not transaction_id
    ):
        errors.add("payment.transaction_id", _("Required when the payment is paid."))
    return {"method": method, "status": status, "amount": amount, "transaction_id": transaction_id}


def _flags(data: dict, errors: Errors) -> tuple[bool, str]:
    flags = data.get("flags") or {}
    if not isinstance(flags, dict):
        errors.add("flags", _("Expected an object."))
        flags = {}
    urgent = flags.get("urgent", False)
    if not isinstance(urgent, bool):
        errors.add("flags.urgent", _("Enter true or false."))
        urgent = False
    promotion = _text(flags, "promotion", "flags.promotion", errors, required=False, max_length=50)
    return urgent, promotion


def _check_total(clean: CleanOrder, errors: Errors) -> None:
    """The total must not be negative and must equal the payment's amount."""
    amount = clean.payment["amount"]
    if clean.total < 0:
        errors.add("discount", _("The discount is larger than the lines plus shipping."))
    elif clean.total != amount:
        errors.add(
            "payment.amount",
            _(
                "Payment amount %(amount)s does not match the order total %(total)s "
                "(lines %(subtotal)s + shipping %(shipping)s − discount %(discount)s)."
            )
            % {
                "amount": amount,
                "total": clean.total,
                "subtotal": clean.subtotal,
                "shipping": clean.shipping_fee,
                "discount": clean.deductions,
            },
        )
