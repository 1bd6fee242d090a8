"""The manual (phone) order screen: the form and its lines become one intake body.

The intake's field errors go back on the fields that caused them, so the user keeps what was typed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from orders import services
from orders.choices import OrderSource, PaymentMethod, PaymentStatus
from orders.forms import LINE_PATH, LineFormSet, ManualOrderForm
from orders.selectors import address_for_phone
from orders.validation import DEDUCTION_FIELDS, sku_lookup


class ManualOrderView(PermissionRequiredMixin, View):
    permission_required = "orders.add_order"
    template_name = "orders/order_form.html"

    def get(self, request):
        return render(
            request, self.template_name, {"form": ManualOrderForm(), "formset": LineFormSet(prefix="lines")}
        )

    def post(self, request):
        form = ManualOrderForm(request.POST)
        formset = LineFormSet(request.POST, prefix="lines")
        if not (form.is_valid() and formset.is_valid()):
            return self.refuse(form, formset)
        data, line_forms = self.order_data(_with_known_address(form.cleaned_data), formset)
        result = services.order_intake(
            channel=form.cleaned_data["channel"], data=data, by=request.user, source=OrderSource.MANUAL
        )
        if result.errors:
            self.put_errors(result.errors, form, formset, line_forms)
            return self.refuse(form, formset)
        order = result.order
        if not result.created:
            messages.warning(
                request, _("This channel order id already exists: %(number)s.") % {"number": order.number}
            )
        else:
            messages.success(
                request,
                _("Order %(number)s created: %(status)s.")
                % {"number": order.number, "status": order.get_status_display()},
            )
        return HttpResponseRedirect(reverse("orders:detail", args=[order.pk]))

    def refuse(self, form, formset):
        form._style()
        for line_form in formset.forms:
            line_form._style()
        messages.error(self.request, _("The order was not saved: correct the fields marked in red."))
        return render(self.request, self.template_name, {"form": form, "formset": formset}, status=400)

    @staticmethod
    def order_data(cd: dict, formset) -> tuple[dict, list]:
        """The intake body for the form and its non-blank lines, and those line forms (in body order)."""
        line_forms = [f for f in formset.forms if not f.is_blank()]
        lines = _lines(line_forms)
        data = {
            "external_id": cd.get("external_id", ""),
            "customer": {
                "name": cd["customer_name"],
                "phone": cd["customer_phone"],
                "email": cd["customer_email"],
            },
            "shipping_address": {
                "name": cd["address_name"],
                "phone": cd["address_phone"],
                "province": cd["province"],
                "city": cd["city"],
                "district": cd["district"],
                "line1": cd["line1"],
                "postcode": cd["postcode"],
            },
            "lines": lines,
            "shipping_fee": cd.get("shipping_fee") or "0.00",
            "discount": cd.get("discount") or "0.00",
            **{key: cd.get(key) or "0.00" for key in DEDUCTION_FIELDS},
            "payment": {
                "method": cd["payment_method"],
                "status": _payment_status(cd),
                "amount": _payment_amount(cd, lines),
                "transaction_id": cd.get("transaction_id", ""),
            },
            "flags": {"urgent": bool(cd.get("urgent")), "promotion": cd.get("promotion", "")},
            "note": cd.get("note", ""),
        }
        return data, line_forms

    @staticmethod
    def put_errors(errors: dict, form, formset, line_forms) -> None:
        for path, messages_ in errors.items():
            match = LINE_PATH.match(path)
            if match and int(match.group(1)) < len(line_forms):
                target, name = line_forms[int(match.group(1))], match.group(2)
                for message in messages_:
                    target.add_error(name if name in target.fields else None, message)
            elif path in ManualOrderForm.PATHS:
                for message in messages_:
                    form.add_error(ManualOrderForm.PATHS[path], message)
            elif path == "lines":
                for message in messages_:
                    form.add_error(None, message)
            else:
                for message in messages_:
                    form.add_error(None, f"{path}: {message}")


def _lines(line_forms) -> list[dict]:
    """The lines as typed; an empty unit price takes the SKU's list price."""
    prices = sku_lookup((f.cleaned_data.get("sku") or "").strip() for f in line_forms)
    lines = []
    for f in line_forms:
        code = (f.cleaned_data.get("sku") or "").strip()
        price = (f.cleaned_data.get("unit_price") or "").strip()
        if not price and code in prices:
            price = str(prices[code].price)
        lines.append(
            {"sku": code, "quantity": (f.cleaned_data.get("quantity") or "").strip(), "unit_price": price}
        )
    return lines


def _payment_status(cd: dict) -> str:
    """The status chosen, else "from the amount paid": paid when an amount was typed, else awaiting payment;
    cash on delivery (and no charge) goes ahead as before: the money is collected with the parcel."""
    if cd.get("payment_status"):
        return cd["payment_status"]
    if (cd.get("payment_amount") or "").strip() or cd.get("payment_method") in (
        PaymentMethod.COD,
        PaymentMethod.NONE,
    ):
        return PaymentStatus.PAID
    return PaymentStatus.PENDING


ADDRESS_FIELDS = {
    "address_name": "name",
    "address_phone": "phone",
    "province": "province",
    "city": "city",
    "district": "district",
    "line1": "line1",
    "postcode": "postcode",
}


def _with_known_address(cd: dict) -> dict:
    """The form's data with the empty address fields (and name) taken from the known customer's address
    picked in the lookup; only an address of the phone typed can be copied."""
    if not cd.get("address_from"):
        return cd
    address = address_for_phone(address_id=cd["address_from"], phone=cd.get("customer_phone", ""))
    if address is None:
        return cd
    filled = dict(cd)
    for field, attr in ADDRESS_FIELDS.items():
        if not (filled.get(field) or "").strip():
            filled[field] = getattr(address, attr)
    if not (filled.get("customer_name") or "").strip() and address.customer_id:
        filled["customer_name"] = address.customer.name
    return filled


def _payment_amount(cd: dict, lines: list[dict]) -> str:
    """The amount typed, else the order total (lines + shipping - discount) when it can be worked out."""
    amount = (cd.get("payment_amount") or "").strip()
    if amount:
        return amount
    try:
        total = sum((Decimal(line["unit_price"]) * int(line["quantity"]) for line in lines), Decimal("0"))
        taken = sum((Decimal(cd.get(key) or "0") for key in ("discount", *DEDUCTION_FIELDS)), Decimal("0"))
        return str(total + Decimal(cd.get("shipping_fee") or "0") - taken)
    except (InvalidOperation, ValueError, ArithmeticError):
        return ""  # the intake names the field at fault
