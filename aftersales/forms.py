"""Forms of the aftersales app. They check input and show errors field by field; services do the writing."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.choices import (
    CLAIMING_TYPES,
    SHIPPED_TYPES,
    CaseType,
    ComplaintCategory,
    ComplaintKind,
    Condition,
)
from aftersales.models import Reason
from aftersales.selectors import LineAllowance
from aftersales.validators import max_photos, validate_photos
from inventory.selectors import active_suppliers, active_warehouses, sellable_sku_id
from oms.forms import style_fields
from orders.selectors import customer_by_phone, order_by_number

ZERO = Decimal("0.00")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input; each is checked for type and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(MultipleImageField, self).clean(f, initial) for f in files if f]
        if files:
            try:
                validate_photos(files)
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return files


def style(form: forms.Form) -> None:
    """Bootstrap classes (``oms.forms.style_fields``) on the widgets that have none yet: radios keep the check
    class and the order lines' inputs their small size, which style_fields would overwrite."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.RadioSelect):
            field.widget.attrs.setdefault("class", "form-check-input")
    style_fields({name: f for name, f in form.fields.items() if "class" not in f.widget.attrs})


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


def handler_choices():
    User = get_user_model()
    return User.objects.filter(is_active=True).order_by("username")


class CaseForm(StyledForm):
    """The registration form (售后登记) on one page; the order's lines appear once the order is known."""

    order_number = forms.CharField(label=gettext_lazy("Order number"), max_length=20)
    case_type = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=CaseType.choices, widget=forms.RadioSelect
    )
    handler = forms.ModelChoiceField(label=gettext_lazy("Handler"), queryset=None, required=False)
    registered_on = forms.DateField(
        label=gettext_lazy("Registered on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    supplier = forms.ModelChoiceField(label=gettext_lazy("Supplier"), queryset=None, required=False)
    reason = forms.ModelChoiceField(label=gettext_lazy("Reason"), queryset=None)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("Contact phone"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("Empty: the phone on the order."),
    )
    photos = MultipleImageField(label=gettext_lazy("Photos"), required=False)
    compensation_applies = forms.BooleanField(label=gettext_lazy("Compensation applies"), required=False)
    supplier_share = forms.DecimalField(
        label=gettext_lazy("Supplier's share"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    platform_share = forms.DecimalField(
        label=gettext_lazy("Platform's share"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    return_tracking_number = forms.CharField(
        label=gettext_lazy("Return tracking number"), max_length=64, required=False
    )

    def __init__(self, *args, order=None, allowances: dict[int, LineAllowance] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.allowances = allowances or {}
        self.fields["handler"].queryset = handler_choices()
        self.fields["supplier"].queryset = active_suppliers().order_by("name")
        self.fields["reason"].queryset = Reason.objects.filter(is_active=True)
        self.fields["photos"].help_text = _("Up to %(n)s photos: JPEG, PNG, WebP or GIF.") % {
            "n": max_photos()
        }
        self.line_rows = []
        if order is not None:
            for line in order.lines.all():
                allowance = self.allowances.get(line.pk)
                qty = forms.IntegerField(
                    label=line.sku_code, min_value=0, max_value=line.quantity, required=False, initial=0
                )
                qty.widget.attrs.update({"class": "form-control form-control-sm", "style": "width:6rem"})
                self.fields[f"qty_{line.pk}"] = qty
                repl = forms.CharField(label=_("Exchange for SKU"), max_length=64, required=False)
                repl.widget.attrs.update(
                    {"class": "form-control form-control-sm", "placeholder": line.sku_code}
                )
                self.fields[f"replacement_{line.pk}"] = repl
                self.line_rows.append((line, allowance, f"qty_{line.pk}", f"replacement_{line.pk}"))
        style(self)

    def bound_line_rows(self):
        return [(line, allowance, self[qty], self[repl]) for line, allowance, qty, repl in self.line_rows]

    def clean(self):
        data = super().clean()
        if self.order is None:
            if "order_number" in data:
                self.add_error("order_number", _("No order with this number."))
            return data
        case_type = data.get("case_type")
        self._clean_compensation(data, case_type)
        lines = self._clean_lines(data, case_type)
        if not lines and case_type and case_type != CaseType.COMPENSATION and not self._errors_on_lines():
            self.add_error(None, _("Enter a quantity for at least one line."))
        data["lines"] = lines
        return data

    def _clean_compensation(self, data: dict, case_type: str | None) -> None:
        """Compensation: the total is always the sum of the two shares."""
        if data.get("compensation_applies"):
            supplier_share = data.get("supplier_share") or ZERO
            platform_share = data.get("platform_share") or ZERO
            data["supplier_share"], data["platform_share"] = supplier_share, platform_share
            if supplier_share + platform_share <= 0:
                self.add_error(
                    "supplier_share", _("Enter the supplier's share, the platform's share, or both.")
                )
            if supplier_share > 0 and not data.get("supplier"):
                self.add_error(
                    "supplier", _("Choose the supplier who bears the supplier's share, or set it to 0.")
                )
        else:
            data["supplier_share"] = data["platform_share"] = ZERO
            if case_type == CaseType.COMPENSATION:
                self.add_error(
                    "compensation_applies", _("A compensation case needs the compensation amounts.")
                )

    def _clean_lines(self, data: dict, case_type: str | None) -> list[tuple[int, int, int | None]]:
        """(order line id, quantity, replacement SKU id) of each line with a quantity that may be claimed."""
        lines = []
        for line, allowance, qty_name, repl_name in self.line_rows:
            quantity = data.get(qty_name) or 0
            if not quantity:
                continue
            if (
                allowance is not None
                and case_type
                and not self._quantity_allowed(line, allowance, qty_name, quantity, case_type)
            ):
                continue
            replacement_id = None
            code = (data.get(repl_name) or "").strip()
            if case_type == CaseType.EXCHANGE and code and code != line.sku_code:
                replacement_id = sellable_sku_id(code)
                if replacement_id is None:
                    self.add_error(repl_name, _("No sellable SKU %(code)s.") % {"code": code})
            lines.append((line.pk, quantity, replacement_id))
        return lines

    def _quantity_allowed(self, line, allowance: LineAllowance, qty_name: str, quantity: int, case_type: str):
        """Never above what was shipped (or ordered) minus what other cases already claimed."""
        needs_shipped = case_type in SHIPPED_TYPES
        claimed = allowance.claimed if case_type in CLAIMING_TYPES else 0
        base = allowance.shipped if needs_shipped else allowance.ordered
        allowed = max(base - claimed, 0)
        if quantity <= allowed:
            return True
        template = (
            _("Only %(allowed)s of %(sku)s can be returned: %(base)s shipped, %(claimed)s already returned.")
            if needs_shipped
            else _(
                "Only %(allowed)s of %(sku)s can be claimed: %(base)s ordered, %(claimed)s already claimed."
            )
        )
        self.add_error(
            qty_name, template % {"allowed": allowed, "sku": line.sku_code, "base": base, "claimed": claimed}
        )
        return False

    def _errors_on_lines(self) -> bool:
        return any(name.startswith("qty_") for name in self.errors)

    def line_field_names(self) -> set[str]:
        return {name for row in self.line_rows for name in row[2:]}


class RejectForm(StyledForm):
    reject_reason = forms.CharField(label=gettext_lazy("Reason for rejecting"), max_length=300)


class RefundForm(StyledForm):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    transaction_ref = forms.CharField(label=gettext_lazy("Payment reference"), max_length=100, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class ReceiveForm(StyledForm):
    """Receiving station: where the parcel arrived, and (optionally right away) each line's condition."""

    warehouse = forms.ModelChoiceField(label=gettext_lazy("Warehouse"), queryset=None)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = active_warehouses()
        self.case = case
        self.line_names = []
        for line in case.lines.all() if case is not None else []:
            field = forms.ChoiceField(
                label=line.sku.code,
                choices=[
                    (Condition.RESELLABLE, Condition.RESELLABLE.label),
                    (Condition.DAMAGED, Condition.DAMAGED.label),
                ],
                initial=Condition.RESELLABLE,
                widget=forms.RadioSelect,
            )
            self.fields[f"condition_{line.pk}"] = field
            self.line_names.append((line, f"condition_{line.pk}"))
        style(self)

    def conditions(self) -> dict[int, str]:
        return {line.pk: self.cleaned_data[name] for line, name in self.line_names}

    def bound_lines(self):
        return [(line, self[name]) for line, name in self.line_names]


class ComplaintForm(StyledForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=ComplaintKind.choices, initial=ComplaintKind.COMPLAINT
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=ComplaintCategory.choices)
    order_number = forms.CharField(label=gettext_lazy("Order number"), max_length=20, required=False)
    customer_phone = forms.CharField(
        label=gettext_lazy("Customer phone"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("Needed when there is no order."),
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    handler = forms.ModelChoiceField(label=gettext_lazy("Handler"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handler_choices()

    def clean(self):
        data = super().clean()
        number = (data.get("order_number") or "").strip()
        phone = (data.get("customer_phone") or "").strip()
        data["order"] = data["customer"] = None
        if number:
            order = order_by_number(number)
            if order is None:
                self.add_error("order_number", _("No order with this number."))
                return data
            data["order"], data["customer"] = order, order.customer
        elif phone:
            customer = customer_by_phone(phone)
            if customer is None:
                self.add_error("customer_phone", _("No customer with this phone."))
            data["customer"] = customer
        else:
            self.add_error("order_number", _("Enter the order number or the customer's phone."))
        return data


class ResolveForm(StyledForm):
    resolution = forms.CharField(label=gettext_lazy("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))


class SurveyForm(StyledForm):
    score = forms.TypedChoiceField(
        label=gettext_lazy("How satisfied are you?"),
        choices=[(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything we should do better?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
