"""Forms of the orders screens: manual orders, reasons, bulk review, import, customers and invoices.

The manual (phone) order, action reasons, bulk review, import upload; customers (preferences, merge,
anonymise) and invoices (request, issue, void, filters).

Forms only collect input; the intake service validates and writes, and its field errors are put back
on the form fields by name so the user sees each problem where it is and keeps what was typed.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from oms.forms import StyledFormMixin, form_add_domain_error, style_fields
from orders.choices import (
    ChannelKind,
    ContactChannel,
    CustomerTier,
    InvoiceStatus,
    InvoiceType,
    PaymentMethod,
    PaymentStatus,
)
from orders.models import Channel

AUTO = ""  # the manual form's payment status "from the amount paid"


class ManualOrderForm(StyledFormMixin, forms.Form):
    channel = forms.ModelChoiceField(queryset=Channel.objects.none(), label=_("Channel"))
    external_id = forms.CharField(label=_("Channel order id"), required=False, max_length=64)
    customer_name = forms.CharField(label=_("Customer name"), required=False, max_length=100)
    customer_phone = forms.CharField(
        label=_("Customer phone"),
        required=False,
        max_length=32,
        help_text=_("A known customer's phone finds them and their last address."),
        widget=forms.TextInput(
            attrs={
                "hx-get": reverse_lazy("orders:customer-lookup"),
                "hx-trigger": "input changed delay:400ms, change",
                "hx-target": "#customer-matches",
                "autocomplete": "off",
            }
        ),
    )
    customer_email = forms.CharField(label=_("Customer e-mail"), required=False, max_length=254)
    address_name = forms.CharField(
        label=_("Recipient"), required=False, max_length=100, help_text=_("Empty: the customer")
    )
    address_phone = forms.CharField(
        label=_("Recipient phone"), required=False, max_length=32, help_text=_("Empty: the customer's phone")
    )
    province = forms.CharField(label=_("Province"), required=False, max_length=50)
    city = forms.CharField(label=_("City"), required=False, max_length=50)
    district = forms.CharField(label=_("District"), required=False, max_length=50)
    line1 = forms.CharField(label=_("Street address"), required=False, max_length=300)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=12)
    shipping_fee = forms.CharField(label=_("Shipping fee"), required=False, initial="0.00")
    discount = forms.CharField(label=_("Discount"), required=False, initial="0.00")
    coupon_amount = forms.CharField(label=_("Shop coupon"), required=False, initial="0.00")
    platform_coupon_amount = forms.CharField(label=_("Platform coupon"), required=False, initial="0.00")
    points_amount = forms.CharField(label=_("Points"), required=False, initial="0.00")
    payment_method = forms.ChoiceField(
        label=_("Payment method"), choices=PaymentMethod.choices, initial=PaymentMethod.COD
    )
    payment_status = forms.ChoiceField(
        label=_("Payment status"),
        choices=[
            (AUTO, _("From the amount paid")),
            (PaymentStatus.PENDING, PaymentStatus.PENDING.label),
            (PaymentStatus.PAID, PaymentStatus.PAID.label),
        ],
        initial=AUTO,
        required=False,
    )
    payment_amount = forms.CharField(
        label=_("Amount paid"),
        required=False,
        help_text=_(
            "Empty: not paid yet (awaiting payment of the order total); cash on delivery goes ahead and is "
            "collected with the parcel"
        ),
    )
    # A known customer's address picked in the lookup: its street, recipient and phone fill the empty fields.
    address_from = forms.IntegerField(required=False, widget=forms.HiddenInput)
    transaction_id = forms.CharField(label=_("Transaction id"), required=False, max_length=100)
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    promotion = forms.CharField(label=_("Promotion"), required=False, max_length=50)
    note = forms.CharField(label=_("Buyer remark"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    # intake field path -> form field
    PATHS = {
        "external_id": "external_id",
        "customer.name": "customer_name",
        "customer.phone": "customer_phone",
        "customer.email": "customer_email",
        "shipping_address.name": "address_name",
        "shipping_address.phone": "address_phone",
        "shipping_address.province": "province",
        "shipping_address.city": "city",
        "shipping_address.district": "district",
        "shipping_address.line1": "line1",
        "shipping_address.postcode": "postcode",
        "shipping_fee": "shipping_fee",
        "discount": "discount",
        "coupon_amount": "coupon_amount",
        "platform_coupon_amount": "platform_coupon_amount",
        "points_amount": "points_amount",
        "payment.method": "payment_method",
        "payment.status": "payment_status",
        "payment.amount": "payment_amount",
        "payment.transaction_id": "transaction_id",
        "flags.promotion": "promotion",
        "note": "note",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        channels = Channel.objects.filter(is_active=True).order_by("kind", "name")
        self.fields["channel"].queryset = channels
        phone = next((c for c in channels if c.kind == ChannelKind.PHONE), None)
        if phone is not None:
            self.fields["channel"].initial = phone.pk
        self._style()


class LineForm(StyledFormMixin, forms.Form):
    sku = forms.CharField(
        label=_("SKU"),
        required=False,
        max_length=64,
        help_text=_("Code, name or barcode"),
        widget=forms.TextInput(
            attrs={
                "hx-get": reverse_lazy("orders:sku-search"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "next .sku-matches",
                "autocomplete": "off",
            }
        ),
    )
    quantity = forms.CharField(label=_("Quantity"), required=False, max_length=10)
    unit_price = forms.CharField(label=_("Unit price"), required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any((data.get(k) or "").strip() for k in ("sku", "quantity", "unit_price"))


LineFormSet = forms.formset_factory(LineForm, extra=3, max_num=50)

LINE_PATH = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class BulkReviewForm(forms.Form):
    orders = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True, label=_("Orders"))
    note = forms.CharField(required=False, max_length=300, label=_("Note"))

    def __init__(self, *args, ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orders"].choices = [(pk, pk) for pk in ids]


class ImportUploadForm(StyledFormMixin, forms.Form):
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.filter(is_active=True),
        label=_("Channel"),
        required=False,
        help_text=_("For files without a channel column."),
    )
    file = forms.FileField(label=_("CSV or XLSX file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it."))
        return upload


# --- customers and invoices --------------------------------------------------------------------


class StyledForm(StyledFormMixin, forms.Form):
    """A form whose widgets carry Bootstrap classes, re-styled after a service put its refusals on fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def put_domain_error(self, exc) -> None:
        """Show a service's refusal on the fields it names, else above the form; keeps what was typed."""
        form_add_domain_error(self, exc)
        self._style()


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, phone or e-mail"), required=False, max_length=100)


class CustomerEditForm(StyledForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    preferred_contact = forms.ChoiceField(
        label=_("Preferred contact channel"), choices=ContactChannel.choices
    )
    webhook_url = forms.URLField(
        label=_("Webhook URL"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("Where order messages are posted when the preferred channel is the webhook."),
    )
    do_not_contact = forms.BooleanField(
        label=_("Do not contact"),
        required=False,
        help_text=_("No messages at all: no order notices, no surveys."),
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=CustomerTier.choices)
    is_blacklisted = forms.BooleanField(label=_("Blacklisted"), required=False)
    blacklist_reason = forms.CharField(label=_("Blacklist reason"), required=False, max_length=300)


class CustomerMergeForm(StyledForm):
    duplicate = forms.IntegerField(
        label=_("Duplicate customer"),
        min_value=1,
        help_text=_("Its orders move to the customer on this page; it then leaves the customer list."),
    )
    confirm = forms.BooleanField(label=_("Yes, merge these two customers"), required=False)


class CustomerAnonymiseForm(StyledForm):
    reason = forms.CharField(
        label=_("Request"),
        max_length=300,
        help_text=_("Who asked, how and when, e.g. 'Customer's e-mail of 3 March, ticket 1234'."),
    )
    confirm = forms.BooleanField(
        label=_("I understand: the personal data is erased for good; orders and money stay."), required=False
    )


class InvoiceRequestForm(StyledForm):
    invoice_type = forms.ChoiceField(
        label=_("Invoice type"),
        choices=InvoiceType.choices,
        initial=InvoiceType.ORDINARY,
    )
    title = forms.CharField(
        label=_("Invoice title"), max_length=200, help_text=_("Company or person named on it")
    )
    taxpayer_id = forms.CharField(
        label=_("Taxpayer id"),
        max_length=20,
        required=False,
        help_text=_("Required for a special VAT invoice; for a company, recommended."),
    )
    email = forms.CharField(label=_("E-mail"), max_length=254, help_text=_("The invoice is sent here."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class InvoiceIssueForm(StyledForm):
    number = forms.CharField(label=_("Invoice number"), max_length=32)
    issued_on = forms.DateField(label=_("Invoice date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(
        label=_("Amount"), max_length=20, help_text=_("What the customer paid minus refunds.")
    )


class InvoiceVoidForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    red_letter_number = forms.CharField(
        label=_("Red-letter invoice number"),
        max_length=32,
        required=False,
        help_text=_("Required when a refund flagged this invoice."),
    )


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + InvoiceStatus.choices, required=False
    )
    invoice_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All"))] + InvoiceType.choices, required=False
    )
    date_from = forms.DateField(
        label=_("Invoice date from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Invoice date to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Invoice, order or title"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields, small=True)
