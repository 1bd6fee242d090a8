"""django-import-export resources: SKUs, suppliers and stock counts from CSV/XLSX.

The resources parse and check each row (a preview reports every bad row with its reason); saving
goes through inventory services (``sku_upsert``, ``supplier_upsert``, ``stock_count``), never
``instance.save()`` here.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from inventory import services
from inventory.models import SKU, StockLevel, Supplier, Warehouse


class CodeWidget(widgets.Widget):
    """Look a record up by its code; an unknown code is a row error the user can fix."""

    def __init__(self, model, label, lookups=("code",), **kwargs):
        super().__init__(**kwargs)
        self.model, self.label, self.lookups = model, label, lookups

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            raise ValueError(_("%(what)s is required.") % {"what": self.label})
        for lookup in self.lookups:
            found = self.model.objects.filter(**{lookup: text}).first()
            if found:
                return found
        raise ValueError(_("Unknown %(what)s “%(value)s”.") % {"what": self.label, "value": text})

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "code", "")


class StrictIntegerWidget(widgets.Widget):
    def __init__(self, *, minimum: int | None = 0, required: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.minimum, self.required = minimum, required

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip()
        if text == "":
            if self.required:
                raise ValueError(_("A whole number is required."))
            return None
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text}) from exc
        if number != number.to_integral_value():
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text})
        if self.minimum is not None and number < self.minimum:
            raise ValueError(_("Must be %(min)s or more.") % {"min": self.minimum})
        return int(number)


class MoneyWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip()
        if text == "":
            return None
        try:
            amount = Decimal(text).quantize(Decimal("0.01"))
        except InvalidOperation as exc:
            raise ValueError(_("“%(value)s” is not an amount.") % {"value": text}) from exc
        if amount < 0:
            raise ValueError(_("Must be 0 or more."))
        return amount


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():  # XLSX gives 6901234567892.0 for barcodes
            value = int(value)
        return str(value).strip()


def _column(attribute: str, column_name: str = "", widget: widgets.Widget | None = None) -> fields.Field:
    """A file column read into ``attribute``: named like it unless ``column_name`` says, text unless ``widget``."""
    return fields.Field(
        attribute=attribute, column_name=column_name or attribute, widget=widget or TextWidget()
    )


class _ServiceResource(resources.ModelResource):
    """Shared: per-file duplicate detection, the user who imports, no direct saves."""

    duplicate_key: tuple[str, ...] = ()

    def __init__(self, *, by=None, **kwargs):
        super().__init__(**kwargs)
        self.by = by
        self._seen: dict[tuple, int] = {}

    def check_duplicate(self, row, row_number) -> None:
        key = tuple(str(row.get(k) or "").strip() for k in self.duplicate_key)
        if not any(key):
            return
        first = self._seen.setdefault(key, row_number)
        if first != row_number:
            raise ValidationError(
                _("Same %(what)s as row %(row)s.")
                % {"what": " + ".join(self.duplicate_key), "row": first + 1}
            )

    def import_instance(self, instance, row, **kwargs):
        """Report every problem of the row at once: bad values, duplicates and the checks below."""
        errors: dict[str, list[str]] = {}
        for step in (
            lambda: self.check_duplicate(row, kwargs.get("row_number")),
            lambda: super(_ServiceResource, self).import_instance(instance, row, **kwargs),
            lambda: self.check(instance, row),
        ):
            try:
                step()
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def check(self, instance, row) -> None:  # subclasses raise ValidationError({field: message})
        pass

    def save_m2m(self, instance, row, **kwargs):
        pass


class SKUResource(_ServiceResource):
    code = _column("code")
    product_code = _column("product_code")
    product_name = _column("product_name")
    category = _column("category")
    name = _column("name", "variant")
    barcode = _column("barcode")
    price = _column("price", widget=MoneyWidget())
    weight_g = _column("weight_g", widget=StrictIntegerWidget())

    duplicate_key = ("code",)
    required_columns = ("code",)

    class Meta:
        model = SKU
        import_id_fields = ("code",)
        fields = ("code", "product_code", "product_name", "category", "name", "barcode", "price", "weight_g")
        skip_unchanged = False
        skip_diff = True

    def check(self, instance, row) -> None:
        errors = {}
        if not instance.code:
            errors["code"] = _("SKU code is required.")
        if instance.pk is None and not getattr(instance, "product_code", ""):
            errors["product_code"] = _("A new SKU needs a product code.")
        if instance.barcode:
            taken = SKU.objects.filter(barcode=instance.barcode).exclude(code=instance.code).first()
            if taken:
                errors["barcode"] = _("Barcode already used by %(code)s.") % {"code": taken.code}
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        services.sku_upsert(
            code=instance.code,
            product_code=getattr(instance, "product_code", ""),
            product_name=getattr(instance, "product_name", ""),
            category=getattr(instance, "category", ""),
            name=instance.name,
            barcode=instance.barcode or "",
            price=instance.price,
            weight_g=instance.weight_g,
        )


class SupplierResource(_ServiceResource):
    code = _column("code")
    name = _column("name")
    contact_name = _column("contact_name", "contact")
    phone = _column("phone")
    email = _column("email")

    duplicate_key = ("code",)
    required_columns = ("code", "name")

    class Meta:
        model = Supplier
        import_id_fields = ("code",)
        fields = ("code", "name", "contact_name", "phone", "email")
        skip_diff = True

    def check(self, instance, row) -> None:
        errors = {}
        if not instance.code:
            errors["code"] = _("Supplier code is required.")
        if not instance.name:
            errors["name"] = _("Supplier name is required.")
        if instance.email:
            try:
                validate_email(instance.email)
            except ValidationError:
                errors["email"] = _("“%(value)s” is not an e-mail address.") % {"value": instance.email}
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        services.supplier_upsert(
            code=instance.code,
            name=instance.name,
            contact_name=instance.contact_name or "",
            phone=instance.phone or "",
            email=instance.email or "",
        )


class StockCountResource(_ServiceResource):
    """A stock count sheet: sku (code or barcode), warehouse (code), counted, reference."""

    sku = _column("sku", widget=CodeWidget(SKU, gettext_lazy("SKU"), lookups=("code", "barcode")))
    warehouse = _column("warehouse", widget=CodeWidget(Warehouse, gettext_lazy("warehouse")))
    counted = _column("counted", widget=StrictIntegerWidget(minimum=0, required=True))
    reference = _column("reference")

    duplicate_key = ("sku", "warehouse")
    required_columns = ("sku", "warehouse", "counted")

    class Meta:
        model = StockLevel
        import_id_fields = ()
        force_init_instance = True
        fields = ("sku", "warehouse", "counted", "reference")
        skip_diff = True

    def check(self, instance, row) -> None:
        if instance.warehouse_id and not instance.warehouse.is_active:
            raise ValidationError(
                {"warehouse": _("Warehouse %(code)s is not active.") % {"code": instance.warehouse.code}}
            )

    def do_instance_save(self, instance, is_create):
        # Counting runs in the preview too (inside its rolled-back transaction), so refusals such as
        # "counted below reserved" show up as row errors before anything is written.
        services.stock_count(
            sku_id=instance.sku_id,
            warehouse_id=instance.warehouse_id,
            counted=instance.counted,
            reference=getattr(instance, "reference", "") or "import",
            by=self.by,
        )
