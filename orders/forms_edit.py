"""Forms of the order edit, split and merge screens: they collect input; the services validate and write.

The edit service names its refusals by the intake's field paths (``shipping_address.city``,
``lines[2].quantity``); ``put_edit_errors`` puts each back on the field that caused it, so the user keeps what
was typed.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.forms import StyledFormMixin
from orders.forms import LINE_PATH


class OrderEditForm(StyledFormMixin, forms.Form):
    province = forms.CharField(label=_("Province"), required=False, max_length=50)
    city = forms.CharField(label=_("City"), required=False, max_length=50)
    district = forms.CharField(label=_("District"), required=False, max_length=50)
    line1 = forms.CharField(label=_("Street address"), required=False, max_length=300)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=12)
    name = forms.CharField(label=_("Recipient"), required=False, max_length=100)
    phone = forms.CharField(label=_("Recipient phone"), required=False, max_length=32)
    shipping_fee = forms.CharField(label=_("Shipping fee"), required=False, max_length=20)
    discount = forms.CharField(label=_("Discount"), required=False, max_length=20)
    reason = forms.CharField(
        label=_("Why"),
        max_length=200,
        help_text=_("e.g. “Customer called: new address”; shown on the timeline."),
    )

    ADDRESS = ("name", "phone", "province", "city", "district", "line1", "postcode")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    @classmethod
    def initial_for(cls, order) -> dict:
        a = order.shipping_address
        return {
            **{f: getattr(a, f) for f in cls.ADDRESS},
            "shipping_fee": order.shipping_fee,
            "discount": order.discount,
        }


class EditLineForm(StyledFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sku = forms.CharField(label=_("SKU code"), required=False, max_length=64)
    quantity = forms.CharField(label=_("Quantity"), required=False, max_length=10)
    unit_price = forms.CharField(
        label=_("Unit price"), required=False, max_length=20, help_text=_("Empty: the list price")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
        self.fields["sku"].widget.attrs.update({"autocomplete": "off", "list": "sku-codes"})

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(str(data.get(k) or "").strip() for k in ("sku", "quantity", "unit_price"))

    def removed(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("DELETE"))


EditLineFormSet = forms.formset_factory(EditLineForm, extra=0, can_delete=True, max_num=200)


def edit_data(form: OrderEditForm, formset) -> tuple[dict, list[EditLineForm]]:
    """The edit service's input from the forms, and the line forms in the order of its ``lines``."""
    cd = form.cleaned_data
    line_forms = [f for f in formset.forms if not f.removed() and not f.is_blank()]
    data = {
        "shipping_address": {f: cd.get(f, "") for f in OrderEditForm.ADDRESS},
        "lines": [
            {
                "id": f.cleaned_data.get("id"),
                "sku": (f.cleaned_data.get("sku") or "").strip(),
                "quantity": (f.cleaned_data.get("quantity") or "").strip(),
                "unit_price": (f.cleaned_data.get("unit_price") or "").strip(),
            }
            for f in line_forms
        ],
        "shipping_fee": cd.get("shipping_fee") or "0.00",
        "discount": cd.get("discount") or "0.00",
    }
    return data, line_forms


def put_edit_errors(errors: dict, form: OrderEditForm, line_forms: list[EditLineForm], message: str) -> None:
    placed = False
    for path, messages_ in errors.items():
        match = LINE_PATH.match(path)
        name = path.removeprefix("shipping_address.")
        if match and int(match.group(1)) < len(line_forms):
            target, field = line_forms[int(match.group(1))], match.group(2)
            for text in messages_:
                target.add_error(field if field in target.fields else None, text)
            placed = True
        elif name in form.fields:
            for text in messages_:
                form.add_error(name, text)
            placed = True
        else:
            for text in messages_:
                form.add_error(None, text)
            placed = True
    if not placed:
        form.add_error(None, message)
    form._style()
    for line_form in line_forms:
        line_form._style()


class SplitForm(StyledFormMixin, forms.Form):
    """One ``move-<line id>`` quantity per line (0 = stays); the reason for the timeline."""

    reason = forms.CharField(label=_("Why"), max_length=200, required=False)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"move-{line.pk}"] = forms.IntegerField(
                label=line.sku_code, min_value=0, max_value=line.quantity, initial=0, required=False
            )
        self._style()

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data.get(f"move-{line.pk}") or 0 for line in self.lines}

    def rows(self):
        return [(line, self[f"move-{line.pk}"]) for line in self.lines]


class MergeForm(forms.Form):
    orders = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Orders to merge into this one"))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orders"].choices = [(o.pk, o.number) for o in candidates]
